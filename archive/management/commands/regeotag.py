"""python manage.py regeotag (--source ID … | --all) — geotag articles again, keeping curators' places."""

from django.core.management.base import BaseCommand, CommandError

from archive import curation
from archive.models import Article, Source


class Command(BaseCommand):
    help = (
        "Geotag articles again (after a home place or the gazetteer changed). Places a curator set by hand "
        "are kept and places a curator took off stay off. The search index follows batch by batch."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--source", type=int, action="append", metavar="ID", help="A source's id (repeatable).")
        which.add_argument("--all", dest="everything", action="store_true", help="Every article.")

    def handle(self, *args, source, everything, **options):
        articles = Article.objects.all()
        if source:
            missing = set(source) - set(Source.objects.filter(pk__in=source).values_list("pk", flat=True))
            if missing:
                raise CommandError(f"No source with id {', '.join(map(str, sorted(missing)))}.")
            articles = articles.filter(source__in=source)
        ids = list(articles.order_by("pk").values_list("pk", flat=True))
        changed, unchanged = curation.regeotag_in_batches(
            ids=ids, progress=lambda done, total: self.stderr.write(f"  {done}/{total} articles")
        )
        self.stdout.write(f"Geotagged {len(ids)} articles again: {changed} changed places, {unchanged} unchanged.")
