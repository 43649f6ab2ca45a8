"""A saved search's digest: the new articles with their date, source, places and a marked snippet,
as an email with plain-text and HTML parts (Chinese), with one-click unsubscribe headers (RFC 8058)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import SafeString

from alerts import links
from alerts.models import SavedSearch
from archive.models import Article
from search.highlight import snippet

SHOWN_LEVELS = ("district", "street", "community")


@dataclass
class DigestItem:
    article: Article
    url: str  # absolute
    snippet: SafeString  # HTML, the query's terms in <mark>
    places: list[str]

    @property
    def snippet_text(self) -> str:
        return strip_tags(self.snippet)


def items(articles: list[Article], terms: list[str]) -> list[DigestItem]:
    out = []
    for article in articles:
        places = [p.name for p in sorted(article.places.all(), key=lambda p: p.code) if p.level in SHOWN_LEVELS]
        out.append(
            DigestItem(
                article=article,
                url=links.absolute(article.get_absolute_url()),
                snippet=snippet(article.body or "", terms),
                places=places,
            )
        )
    return out


def context(*, saved_search: SavedSearch, items: list[DigestItem], total: int) -> dict:
    return {
        "saved_search": saved_search,
        "items": items,
        "total": total,
        "more": max(0, total - len(items)),
        "search_url": links.absolute(saved_search.search_url()),
        "alerts_url": links.absolute(reverse("alerts:list")),
        "unsubscribe_url": links.unsubscribe_url(saved_search),
    }


def subject(saved_search: SavedSearch, total: int) -> str:
    return f"“{saved_search.name}”有 {total} 篇新报道 · 地方治理报道档案"


def email_message(*, saved_search: SavedSearch, items: list[DigestItem], total: int, connection=None):
    values = context(saved_search=saved_search, items=items, total=total)
    message = EmailMultiAlternatives(
        subject=subject(saved_search, total),
        body=render_to_string("alerts/digest.txt", values),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[saved_search.owner.email],
        connection=connection,
        headers={
            # RFC 2369 and RFC 8058: mail programs show an unsubscribe button that POSTs to this link.
            "List-Unsubscribe": f"<{values['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"saved-search-{saved_search.pk}.alerts",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string("alerts/digest.html", values), "text/html")
    return message
