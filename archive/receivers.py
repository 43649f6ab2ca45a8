"""Bump the articles' version (``archive.versions``) whenever articles, their places or sources change;
keep every article, source and place saved in LF line ends, without characters XML cannot hold.

Saves and deletes through the ORM (the admin, scripts) send Django's signals. Ingest writes with
``bulk_create``, which sends none: it bumps the version in each batch's transaction itself.
Places and sources count too: cached figures hold their names (a renamed district on the home
page, a renamed account beside the latest articles).
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from . import versions
from .models import Article, ArticlePlace, Place, Source
from .text import lf_line_ends, xml_safe


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


# The change reason of an article's (or source's) first history row: the state ingest left.
AS_INGESTED = "导入时的版本"


@receiver(pre_save, sender=Article)
@receiver(pre_save, sender=Source)
def keep_the_state_before_the_first_edit(sender, instance, raw=False, **kwargs):
    """Before the first edit of an ingested article or source, record it as it was (history's first row).

    Ingest writes with ``bulk_create``, which records no history; without this row the history of
    a corrected title would show the new title only, not the one it replaced.
    """
    if raw or instance.pk is None or instance.history.exists():
        return
    before = sender.objects.filter(pk=instance.pk).first()
    if before is not None:
        sender.history.bulk_history_create(
            [before], default_change_reason=AS_INGESTED, default_date=getattr(before, "created_at", None)
        )


# Kept exactly as ingested: what its hash was computed from.
_AS_READ = {"raw"}


@receiver(pre_save, sender=Article)
@receiver(pre_save, sender=Source)
@receiver(pre_save, sender=Place)
def store_clean_text(sender, instance, raw=False, **kwargs):
    """Give every text field saved LF line ends (a body saved with CRLF would show as one paragraph)
    and remove what an Atom feed could not carry (a curator's paste from Word).

    Every save path goes through here: the admin, curation, scripts. A title or a name is one
    line (a vertical tab becomes a space); a text field keeps line breaks.
    """
    if raw:
        return
    for field in sender._meta.concrete_fields:
        kind = field.get_internal_type()
        if kind not in ("CharField", "TextField", "URLField") or field.name in _AS_READ:
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, str):
            setattr(instance, field.attname, xml_safe(lf_line_ends(value), one_line=kind != "TextField"))
