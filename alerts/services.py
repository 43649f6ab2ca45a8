"""Run saved searches: ask the search engine what is new, send one digest, record what was sent.

Public functions: :func:`run_saved_search` (one saved search) and :func:`run_due` (every saved
search a schedule should run now; ``send_alerts`` and the scheduler call it).

What a run sends: the public articles matching the saved search that became public (ingested as
published, or published by a curator) since the run before, newest first, at most
:data:`DIGEST_LIMIT` of them in one message. The window starts :data:`LOOKBACK` before the last
run, so an article made public just before a run but indexed just after it is not missed; the
articles already sent are left out by the engine itself (``exclude_ids``) and, as a last guard,
by the unique (saved search, article) rows written in the sending transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q

from alerts import digest, webhooks
from alerts.models import Delivery, SavedSearch
from search.forms import SearchForm
from search.service import articles_in_order, new_matches

log = logging.getLogger(__name__)

DIGEST_LIMIT = 50  # articles listed in one message; the rest are counted, with a link to the search
LOOKBACK = timedelta(hours=getattr(settings, "ALERTS_LOOKBACK_HOURS", 48))


@dataclass
class RunOutcome:
    saved_search_id: int
    sent: int = 0  # articles sent
    more: int = 0  # new matches beyond the digest's limit (counted, not listed)
    error: str = ""


def search_params(saved_search: SavedSearch) -> dict:
    """The saved search's parameters cleaned as the search page cleans them."""
    return SearchForm(saved_search.query_dict()).search_params()


def window_start(saved_search: SavedSearch) -> datetime:
    """Articles made public at or after this are new for the saved search's next run."""
    if saved_search.last_run_at is None:
        return saved_search.created_at
    return max(saved_search.created_at, saved_search.last_run_at - LOOKBACK)


def _new_articles(saved_search: SavedSearch) -> tuple[list, int]:
    since = window_start(saved_search)
    # What the engine could find again: articles sent since then, and articles sent before that
    # were made public again since (hidden and published again: never sent twice).
    recent = Q(sent_at__gte=since) | Q(article__made_public_at__gte=since)
    sent = tuple(Delivery.objects.filter(recent, saved_search=saved_search).values_list("article_id", flat=True))
    found = new_matches(search_params(saved_search), since=since, limit=DIGEST_LIMIT, exclude=sent)
    articles = articles_in_order(found.ids)
    return digest.items(articles, found.parsed.highlight_terms), found.total


def run_saved_search(*, saved_search: SavedSearch, now: datetime, connection=None) -> RunOutcome:
    """Send the saved search's new articles in one digest and record them, in one transaction.

    The email goes in the transaction: a server that refuses it rolls the records back (the next
    run sends them). The webhooks' messages are stored in it and posted after it (retried with
    backoff, :mod:`alerts.webhooks`). An article another run has just sent makes this run send
    nothing (the unique row refuses it).
    """
    outcome = RunOutcome(saved_search_id=saved_search.pk)
    webhook_ids: list[int] = []
    try:
        with transaction.atomic():
            current = SavedSearch.objects.select_for_update().select_related("owner").get(pk=saved_search.pk)
            if current.paused:
                return outcome
            items, total = _new_articles(current)
            if items:  # a last guard: whatever the window missed, what was sent is not sent again
                ids = [item.article.pk for item in items]
                sent = set(
                    Delivery.objects.filter(saved_search=current, article_id__in=ids).values_list(
                        "article_id", flat=True
                    )
                )
                total -= len(sent)
                items = [item for item in items if item.article.pk not in sent]
            by_email = current.email and bool(current.owner.email)
            hooks = [hook for hook in current.webhooks.all() if not hook.paused]
            if items and (by_email or hooks):
                Delivery.objects.bulk_create(
                    [Delivery(saved_search=current, article=item.article, sent_at=now) for item in items]
                )
                for hook in hooks:
                    hook.saved_search = current
                    webhooks.queue_digest(webhook=hook, items=items, total=total, now=now)
                    webhook_ids.append(hook.pk)
                if by_email:
                    message = digest.email_message(
                        saved_search=current, items=items, total=total, connection=connection
                    )
                    if connection is not None:
                        connection.open()  # kept open for the next message (a no-op once open)
                    message.send()
                current.sent_count += len(items)
                outcome.sent, outcome.more = len(items), total - len(items)
            if items and current.email and not current.owner.email:
                outcome.error = "用户没有填写邮箱，无法发送邮件。"
            current.last_run_at = now
            current.last_error = outcome.error
            current.save(update_fields=["last_run_at", "sent_count", "last_error"])
    except IntegrityError:
        log.warning("saved search %s: another run sent these articles first", saved_search.pk)
        return RunOutcome(saved_search_id=saved_search.pk)
    except Exception as exc:  # a mail server that refuses: recorded, and tried again next run
        log.exception("saved search %s failed", saved_search.pk)
        outcome = RunOutcome(saved_search_id=saved_search.pk, error=f"发送失败：{exc}"[:500])
        SavedSearch.objects.filter(pk=saved_search.pk).update(last_error=outcome.error)
        return outcome
    if webhook_ids:
        webhooks.post_pending(now=now, webhook_ids=webhook_ids)
    return outcome


def run_due(*, now: datetime, everything: bool = False, ids=None) -> list[RunOutcome]:
    """Run every saved search that is due at ``now`` (``everything``: every one not paused)."""
    searches = SavedSearch.objects.filter(paused_at__isnull=True, owner__is_active=True).select_related("owner")
    if ids is not None:
        searches = searches.filter(pk__in=ids)
    webhooks.post_pending(now=now)  # messages waiting for another try
    outcomes = []
    connection = get_connection()  # one mail-server connection for the whole run, opened at the first message
    try:
        for saved_search in searches.order_by("pk").iterator(chunk_size=500):
            if everything or saved_search.is_due(now):
                outcomes.append(run_saved_search(saved_search=saved_search, now=now, connection=connection))
    finally:
        connection.close()
    return outcomes
