"""python manage.py rebuild_index — build a fresh search index beside the live one, then swap it in.

Replaces Haystack's command of the same name (which empties the index first, so searches found
nothing, then part of the archive, until it finished).
"""

from django.core.management.base import BaseCommand

from search.rebuild import rebuild_index


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the database beside the live one and swap it in when complete. "
        "Searches keep answering from the old index until then; a killed rebuild leaves it as it was."
    )

    def add_arguments(self, parser):
        parser.add_argument("--noinput", "--no-input", action="store_true", help="Accepted for compatibility.")
        parser.add_argument("-u", "--using", default="default", help="The search connection (default: default).")
        parser.add_argument("-b", "--batch-size", type=int, default=1000, help="Articles per staging commit.")

    def handle(self, *args, using, batch_size, **options):
        def progress(done, total):
            if options["verbosity"] >= 1:
                self.stderr.write(f"  {done}/{total} articles")

        count = rebuild_index(using=using, batch_size=batch_size, progress=progress)
        self.stdout.write(f"Rebuilt the search index: {count} articles, swapped in.")
