"""python manage.py send_alerts [--now] [--every SECONDS] — send the saved searches' digests that are due."""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from alerts.services import run_due

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Run the saved searches that are due (after each ingest: every run; daily; weekly) and send each one "
        "digest of its new articles. --now runs every saved search that is not paused. --every SECONDS keeps "
        "running, once each SECONDS (the archive's scheduler process)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="run every saved search that is not paused")
        parser.add_argument("--every", type=float, default=0, help="repeat every SECONDS until stopped")

    def handle(self, *args, now, every, **options):
        if not every:
            self.run_once(everything=now, quiet=False)
            return
        while True:  # the scheduler: a failed run is logged and the next one comes on time
            started = time.monotonic()
            close_old_connections()
            try:
                self.run_once(everything=now, quiet=True)
            except Exception:
                log.exception("send_alerts: the run failed")
            time.sleep(max(0.0, every - (time.monotonic() - started)))

    def run_once(self, *, everything: bool, quiet: bool) -> None:
        outcomes = run_due(now=timezone.now(), everything=everything)
        sent = [o for o in outcomes if o.sent]
        failed = [o for o in outcomes if o.error]
        if not quiet or sent or failed:
            self.stdout.write(
                f"{len(outcomes)} saved searches run, {len(sent)} messages sent "
                f"({sum(o.sent for o in sent)} articles), {len(failed)} failed."
            )
        for outcome in failed:
            self.stderr.write(f"saved search {outcome.saved_search_id}: {outcome.error}")
