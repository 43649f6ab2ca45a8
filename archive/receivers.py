"""Bump the articles' version (``archive.versions``) whenever articles or their places change.

Saves and deletes through the ORM (the admin, scripts) send Django's signals. Ingest writes with
``bulk_create``, which sends none: it bumps the version in each batch's transaction itself.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import versions
from .models import Article, ArticlePlace


@receiver(post_save, sender=Article)
@receiver(post_delete, sender=Article)
@receiver(post_save, sender=ArticlePlace)
@receiver(post_delete, sender=ArticlePlace)
def articles_changed(sender, **kwargs):
    versions.bump()
