"""Articles newest first with the undated ones last on PostgreSQL too (its NULLs come first in DESC).

No change in the database: a model's ordering lives in the queries.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0006_repair_crlf_bodies"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="article",
            options={
                "ordering": [
                    models.OrderBy(models.F("published"), descending=True, nulls_last=True),
                    models.OrderBy(models.F("id"), descending=True),
                ],
                "permissions": [("view_raw_record", "可以查看报道的原始记录")],
                "verbose_name": "报道",
                "verbose_name_plural": "报道",
            },
        ),
    ]
