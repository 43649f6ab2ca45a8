"""python manage.py load_gazetteer [--villages SETTING] — add missing places from the gazetteer."""

from django.conf import settings
from django.core.management.base import BaseCommand

from archive.gazetteer import load_gazetteer
from archive.models import Place


class Command(BaseCommand):
    help = "Load the places missing from the national gazetteer (migrate loads them too)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--villages",
            default=settings.GAZETTEER_VILLAGES,
            help='Villages to load: "none", "all", or province codes such as "33,32" (default: GAZETTEER_VILLAGES).',
        )

    def handle(self, *args, villages, **options):
        created = load_gazetteer(Place, villages=villages)
        self.stdout.write(f"{created} places added; {Place.objects.count()} in all.")
