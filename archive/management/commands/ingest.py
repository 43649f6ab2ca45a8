"""python manage.py ingest PATH [PATH…] — turn crawl dumps, JSON Lines and HTML pages into articles."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.ingest.pipeline import REJECTED, ingest_paths
from archive.ingest.report import summary_lines


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
        for line in summary_lines(summary.as_dict()):
            self.stdout.write(line.text)
