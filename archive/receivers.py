"""Bump the articles' version (``archive.versions``) whenever articles, their places or sources change.

Saves and deletes through the ORM (the admin, scripts) send Django's signals. Ingest writes with
``bulk_create``, which sends none: it bumps the version in each batch's transaction itself.
Places and sources count too: cached figures hold their names (a renamed district on the home
page, a renamed account beside the latest articles).
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import versions
from .models import Article, ArticlePlace, Place, Source


@receiver(post_save, sender=Article)
@receiver(post_delete, sender=Article)
@receiver(post_save, sender=ArticlePlace)
@receiver(post_delete, sender=ArticlePlace)
@receiver(post_save, sender=Place)
@receiver(post_delete, sender=Place)
@receiver(post_save, sender=Source)
@receiver(post_delete, sender=Source)
def articles_changed(sender, **kwargs):
    versions.bump()
