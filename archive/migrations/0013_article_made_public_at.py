"""``Article.made_public_at``: when an article last became public, what saved-search alerts ask for.

Articles public before this have no record of when they became so; their creation time stands in
(set in one UPDATE). The historical rows are left empty: they record what was.
"""

from django.db import migrations, models
from django.db.models import F


def stamp_public_articles(apps, schema_editor):
    Article = apps.get_model("archive", "Article")
    Article.objects.filter(status="published", duplicate_of__isnull=True).update(made_public_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0012_source_home_place_evidence"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="made_public_at",
            field=models.DateTimeField(
                blank=True,
                db_index=True,
                help_text="报道最近一次变为公开（已发布且不是重复稿）的时间。",
                null=True,
                verbose_name="公开时间",
            ),
        ),
        migrations.AddField(
            model_name="historicalarticle",
            name="made_public_at",
            field=models.DateTimeField(
                blank=True,
                db_index=True,
                help_text="报道最近一次变为公开（已发布且不是重复稿）的时间。",
                null=True,
                verbose_name="公开时间",
            ),
        ),
        migrations.RunPython(stamp_public_articles, migrations.RunPython.noop, elidable=True),
    ]
