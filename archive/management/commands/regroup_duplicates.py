"""python manage.py regroup_duplicates [--dry-run] — regroup stored duplicates by today's rules."""

from django.core.management.base import BaseCommand

from archive.ingest.regroup import regroup_duplicates


class Command(BaseCommand):
    help = (
        "Group the stored duplicates again: each group's earliest publication becomes its original; copies "
        "from the same account at other addresses, and title-only copies with a generic title or far apart "
        "in time, stand apart. Groups a curator linked by hand are left as they are. The search index follows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say what would change; change nothing.")

    def handle(self, *args, dry_run, **options):
        summary = regroup_duplicates(dry_run=dry_run)
        for line in summary.lines:
            self.stdout.write(line)
        verb = "Would change" if dry_run else "Changed"
        self.stdout.write(
            f"{summary.groups} groups: {verb.lower()} {summary.changed_articles} articles' links "
            f"({summary.repointed} groups re-pointed to their earliest copy, {summary.split} split); "
            f"{summary.kept_for_curators} groups linked by curators left as they are."
        )
