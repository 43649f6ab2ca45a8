"""Only web addresses (http, https) stay in ``Article.original_url``; any other kind is taken out of it.

Before this, ingest stored a record's "url" whatever it held, and the article page linked it:
``javascript:alert(1)`` ran in the reader's browser. Such a value is emptied here. It is not lost:
it is still in the article's raw record (where ingest read it; a curator sees it on the raw
record page, and the article page shows a JSON record's address as plain text), and a value a
curator typed in the admin is in the article's field history. The historical rows are left as
they are (the history is a record of what was, shown as text).

The AlterField only adds the help text and the field's check (no change to the column).
The test of the rule is frozen here, as it was when this ran (not imported from the app).
"""

import re

from django.db import migrations, models

_WEB_URL = re.compile(r"https?://[^\s/?#\\]\S*", re.IGNORECASE)


def _is_web_url(value):
    return bool(value) and value.isprintable() and _WEB_URL.fullmatch(value) is not None


def move_non_web_urls(apps, schema_editor):
    Article = apps.get_model("archive", "Article")
    rows = Article.objects.exclude(original_url="").values_list("pk", "original_url")
    unsafe = [pk for pk, url in rows.iterator(chunk_size=2000) if not _is_web_url(url)]
    for start in range(0, len(unsafe), 500):
        Article.objects.filter(pk__in=unsafe[start : start + 500]).update(original_url="")


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0007_article_undated_last"),
    ]

    operations = [
        migrations.AlterField(
            model_name="article",
            name="original_url",
            field=models.URLField(
                blank=True,
                help_text="原文的网页地址（http:// 或 https://）；其他地址只留在原始记录里。",
                max_length=2000,
                verbose_name="原文链接",
            ),
        ),
        migrations.AlterField(
            model_name="historicalarticle",
            name="original_url",
            field=models.URLField(
                blank=True,
                help_text="原文的网页地址（http:// 或 https://）；其他地址只留在原始记录里。",
                max_length=2000,
                verbose_name="原文链接",
            ),
        ),
        migrations.RunPython(move_non_web_urls, migrations.RunPython.noop, elidable=True),
    ]
