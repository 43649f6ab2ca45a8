"""Load the national gazetteer so every place down to street level exists after migrate."""

from django.conf import settings
from django.db import migrations


def load(apps, schema_editor):
    from archive.gazetteer import load_gazetteer

    load_gazetteer(apps.get_model("archive", "Place"), villages=settings.GAZETTEER_VILLAGES)


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
