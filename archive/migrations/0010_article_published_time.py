"""Articles keep the time of day they were published (China time) next to the date.

A nullable column without a default: an ALTER TABLE ADD COLUMN, no table rebuild. Articles
ingested before this have no time until they are cleaned again from their raw record.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("archive", "0009_template_lines")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="published_time",
            field=models.TimeField(
                blank=True,
                help_text="发布当天的时刻（北京时间），如 00:07:38；原始记录没有写明时留空。",
                null=True,
                verbose_name="发布时间",
            ),
        ),
        migrations.AddField(
            model_name="historicalarticle",
            name="published_time",
            field=models.TimeField(
                blank=True,
                help_text="发布当天的时刻（北京时间），如 00:07:38；原始记录没有写明时留空。",
                null=True,
                verbose_name="发布时间",
            ),
        ),
    ]
