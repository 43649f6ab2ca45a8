"""python manage.py ingest PATH [PATH…] — turn crawl dumps, JSON Lines and HTML pages into articles."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.ingest.pipeline import REJECTED, ingest_paths

SHOWN_REJECTIONS = 20


class Command(BaseCommand):
    help = (
        "Ingest files or directories (recursively; .gz too) of crawl dumps, JSON Lines, WeChat or other "
        "article HTML.  Exit status: 0 when nothing was rejected, 1 when something was, 2 for a usage error."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--report", metavar="FILE", help="Write the summary as JSON to FILE.")
        parser.add_argument("--batch-size", type=int, default=200, help="Records per transaction (default 200).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar, even on a terminal.")
        parser.add_argument(
            "--no-index",
            action="store_true",
            help="Do not update the search index (faster for a big load; run `manage.py update_index` after).",
        )

    def handle(self, *args, paths, report, batch_size, no_progress, **options):
        missing = [p for p in paths if not Path(p).exists()]
        if missing:
            raise CommandError(f"No such file or directory: {', '.join(missing)}", returncode=2)
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1", returncode=2)

        bar = None
        if not no_progress and sys.stderr.isatty():
            from tqdm import tqdm

            bar = tqdm(unit=" records", desc="ingest", file=sys.stderr)

        def on_record(outcome):
            if bar is not None:
                bar.update(1)
                if outcome.status == REJECTED:
                    bar.set_postfix_str(f"last rejected: {Path(outcome.path).name} {outcome.position}")

        try:
            summary = ingest_paths(paths, batch_size=batch_size, on_record=on_record, index=not options["no_index"])
        finally:
            if bar is not None:
                bar.close()

        self.print_summary(summary)
        if report:
            Path(report).write_text(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        if summary.rejected:
            raise CommandError(
                f"{summary.rejected} record(s) rejected; they are kept in the ingest log (run {summary.run_id}).",
                returncode=1,
            )

    def print_summary(self, summary):
        out = self.stdout
        out.write(f"Ingest run {summary.run_id}: {summary.records} records in {summary.files} files")
        out.write(f"  stored      {summary.stored:>7}")
        out.write(f"  duplicates  {summary.duplicates:>7}  (linked to the article they repeat)")
        out.write(f"  unchanged   {summary.unchanged:>7}  (already stored: same raw record)")
        out.write(f"  rejected    {summary.rejected:>7}")
        for reason, count in sorted(summary.rejected_by_reason.items()):
            out.write(f"    {reason:<20} {count:>5}")
        for rejection in summary.rejections[:SHOWN_REJECTIONS]:
            out.write(f"  ! {rejection['path']} {rejection['position']}: {rejection['reason']}: {rejection['message']}")
        if len(summary.rejections) > SHOWN_REJECTIONS:
            out.write(f"  … and {len(summary.rejections) - SHOWN_REJECTIONS} more in the ingest log")
