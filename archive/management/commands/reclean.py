"""python manage.py reclean (--source ID … | --all) [--forget-curated]: clean stored articles again."""

from django.core.management.base import BaseCommand, CommandError

from archive import curation
from archive.models import Article, Source


class Command(BaseCommand):
    help = (
        "Make stored articles again from their raw records with today's cleaner (residue lists, the corpus's "
        "template lines, publication time, document metadata), then geotag them again. Fields a curator "
        "corrected are kept unless --forget-curated. Each change goes to the article's history; the search "
        "index follows batch by batch."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--source", type=int, action="append", metavar="ID", help="A source's id (repeatable).")
        which.add_argument("--all", dest="everything", action="store_true", help="Every article.")
        parser.add_argument(
            "--forget-curated",
            action="store_true",
            help="Replace the fields curators corrected too (and forget that they were corrected).",
        )

    def handle(self, *args, source, everything, forget_curated, **options):
        articles = Article.objects.all()
        if source:
            missing = set(source) - set(Source.objects.filter(pk__in=source).values_list("pk", flat=True))
            if missing:
                raise CommandError(f"No source with id {', '.join(map(str, sorted(missing)))}.")
            articles = articles.filter(source__in=source)
        ids = list(articles.order_by("pk").values_list("pk", flat=True))
        outcome = curation.reclean_in_batches(
            ids=ids,
            keep_curated=not forget_curated,
            progress=lambda done, total: self.stderr.write(f"  {done}/{total} articles"),
        )
        for problem in outcome.problems:
            self.stderr.write(f"  ! {problem}")
        self.stdout.write(
            f"Cleaned {len(ids)} articles again: {outcome.changed} changed, {outcome.unchanged} unchanged, "
            f"{len(outcome.problems)} left as they were (the cleaner now refuses their raw record)."
        )
