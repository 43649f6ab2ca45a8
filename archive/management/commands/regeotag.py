"""python manage.py regeotag (--source ID … | --all | --home-places): geotag again, keeping curators' places."""

from django.core.management.base import BaseCommand, CommandError

from archive import curation, home_places
from archive.models import Article, Place, Source


class Command(BaseCommand):
    help = (
        "Geotag articles again (after a home place or the gazetteer changed). Places a curator set by hand "
        "are kept and places a curator took off stay off. The search index follows batch by batch."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--source", type=int, action="append", metavar="ID", help="A source's id (repeatable).")
        which.add_argument("--all", dest="everything", action="store_true", help="Every article.")
        which.add_argument(
            "--home-places",
            action="store_true",
            help="Infer every guessed home place again (a curator's choice is kept), then geotag the articles "
            "of the sources whose home place changed.",
        )

    def handle(self, *args, source, everything, home_places=False, **options):
        if home_places:
            source = self.reinfer_home_places()
            if not source:
                self.stdout.write("No guessed home place changed.")
                return
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

    def reinfer_home_places(self) -> list[int]:
        """Infer the home place of each source whose place is a guess (or unset) again; return the changed ones."""
        ids = dict(Place.objects.values_list("code", "id"))
        changed = []
        for src in Source.objects.filter(home_place_inferred=True) | Source.objects.filter(home_place=None):
            guess = home_places.reinfer(source=src, place_ids=ids)
            new = guess.place_id if guess else None
            evidence = guess.evidence if guess else ""
            if new != src.home_place_id or evidence != src.home_place_evidence:
                old_name = src.home_place.name if src.home_place else "（无）"
                new_name = Place.objects.get(pk=new).name if new else "（无）"
                self.stdout.write(f"{src.name}: {old_name} → {new_name}" + (f"（依据：{evidence}）" if guess else ""))
                if new != src.home_place_id:
                    changed.append(src.pk)  # only a new place asks for its articles to be geotagged again
                src.home_place_id, src.home_place_inferred, src.home_place_evidence = new, new is not None, evidence
                src.save(update_fields=["home_place", "home_place_inferred", "home_place_evidence"])
        return changed
