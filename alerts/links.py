"""Signed links of a saved search that work without signing in: unsubscribe, and its private feed.

Each is the saved search's id signed with the site's secret key under its own salt, so a link
cannot be made for another saved search, and an unsubscribe link cannot be used as a feed link.
Deleting the saved search ends both.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from alerts.models import SavedSearch

UNSUBSCRIBE = "alerts.unsubscribe"
FEED = "alerts.feed"


def token(saved_search: SavedSearch, purpose: str) -> str:
    return signing.Signer(salt=purpose).sign(str(saved_search.pk))


def saved_search_for(value: str, purpose: str) -> SavedSearch | None:
    """The saved search a signed token names, or None for a token that is not ours (or a deleted search)."""
    try:
        pk = signing.Signer(salt=purpose).unsign(value)
    except signing.BadSignature:
        return None
    return SavedSearch.objects.filter(pk=int(pk)).select_related("owner").first() if pk.isdigit() else None


def absolute(path: str) -> str:
    """``path`` on the site's public address (SITE_URL), for links in messages sent outside a request."""
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_url(saved_search: SavedSearch) -> str:
    return absolute(reverse("alerts:unsubscribe", args=[token(saved_search, UNSUBSCRIBE)]))


def feed_path(saved_search: SavedSearch) -> str:
    return reverse("alerts:feed", args=[token(saved_search, FEED)])
