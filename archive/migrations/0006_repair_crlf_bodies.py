"""Repair what unedited admin saves did before the admin read text with LF line ends.

A browser posts a textarea with CRLF line ends, so pressing 保存 without editing wrote the body
back with "\r\n" (the article page, which splits paragraphs on "\n\n", then showed one), marked
the body as corrected by hand in ``curated_fields`` (cleaning again kept the broken text) and
recorded a history row.

Here each CRLF or lone CR in an article's title, body and reprint note, and in a source's name,
微信号 and description, becomes LF. A text field stays in ``curated_fields`` only if it still
differs from the article as ingested once line ends are set aside. "As ingested" is the
article's first history row when that row is the ingested state (导入时的版本, or the row of its
creation); otherwise the raw record cleaned again with today's cleaner. If that cleaning refuses
the record or differs for other reasons, the mark stays: a real correction is never forgotten.

History is not rewritten: the rows those saves recorded stay in each article's history. Only
rows holding a CR are read (one scan of the table), in chunks; nothing is reindexed (a CR is
white space to the search analyzers).
"""

import re

from django.db import migrations
from django.db.models import Q

AS_INGESTED = "导入时的版本"  # archive.receivers.AS_INGESTED, frozen here
ARTICLE_TEXT = ("title", "body", "reprint_note")
SOURCE_TEXT = ("name", "account_id", "description")
CHUNK = 500

_LINE_BREAK = re.compile(r"\r\n?")


def _lf(text):
    return _LINE_BREAK.sub("\n", text) if text and "\r" in text else text


def _holding_a_cr(names):
    query = Q()
    for name in names:
        query |= Q(**{f"{name}__contains": "\r"})
    return query


def repair(apps, schema_editor):
    Article = apps.get_model("archive", "Article")
    HistoricalArticle = apps.get_model("archive", "HistoricalArticle")
    Source = apps.get_model("archive", "Source")

    ids = list(Article.objects.filter(_holding_a_cr(ARTICLE_TEXT)).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        articles = list(Article.objects.filter(pk__in=chunk).only("pk", "curated_fields", *ARTICLE_TEXT))
        marked = [a.pk for a in articles if set(a.curated_fields or ()) & set(ARTICLE_TEXT)]
        ingested = _as_ingested(Article, HistoricalArticle, marked)
        for article in articles:
            for name in ARTICLE_TEXT:
                setattr(article, name, _lf(getattr(article, name)))
            if article.pk in ingested:
                article.curated_fields = [
                    name
                    for name in article.curated_fields
                    if name not in ARTICLE_TEXT or _lf(ingested[article.pk].get(name)) != getattr(article, name)
                ]
        Article.objects.bulk_update(articles, [*ARTICLE_TEXT, "curated_fields"], batch_size=CHUNK)

    sources = list(Source.objects.filter(_holding_a_cr(SOURCE_TEXT)).only("pk", *SOURCE_TEXT))
    for source in sources:
        for name in SOURCE_TEXT:
            setattr(source, name, _lf(getattr(source, name)))
    Source.objects.bulk_update(sources, SOURCE_TEXT, batch_size=CHUNK)


def _as_ingested(Article, HistoricalArticle, ids):
    """{article id: {field: text as ingested}} for the articles whose ingested text can be told."""
    if not ids:
        return {}
    first = {}
    rows = HistoricalArticle.objects.filter(id__in=ids).order_by("id", "history_date", "history_id")
    for pk, history_id, reason, kind in rows.values_list("id", "history_id", "history_change_reason", "history_type"):
        first.setdefault(pk, (history_id, reason == AS_INGESTED or kind == "+"))
    pristine = [history_id for history_id, ingested in first.values() if ingested]
    found = {
        row["id"]: row for row in HistoricalArticle.objects.filter(history_id__in=pristine).values("id", *ARTICLE_TEXT)
    }
    missing = [pk for pk in ids if pk not in found]
    if missing:
        found.update(_cleaned_again(Article, missing))
    return found


def _cleaned_again(Article, ids):
    """The articles' text fields made again from their raw records by today's cleaner (those it accepts)."""
    try:
        from archive.ingest.parse import parse_record
        from archive.ingest.pipeline import cleaned_fields
        from archive.ingest.records import RawRecord
    except ImportError:  # the pipeline moved on: keep the marks rather than guess
        return {}
    found = {}
    rows = Article.objects.filter(pk__in=ids).values_list("pk", "source_file", "source_position", "raw_format", "raw")
    for pk, path, position, raw_format, raw in rows.iterator(chunk_size=100):
        try:
            values = cleaned_fields(parse_record(RawRecord(path, position, raw_format, raw)))
        except Exception:  # refused, or a parser bug met on one record: keep the mark
            continue
        found[pk] = {name: values[name] for name in ARTICLE_TEXT}
    return found


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0005_curation"),
    ]

    operations = [
        migrations.RunPython(repair, migrations.RunPython.noop, elidable=True),
    ]
