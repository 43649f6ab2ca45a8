"""Where a source belongs, and on what evidence (issue 12, item 5).

A source's home place is context for geotagging its articles (越城 read as 越城区 in 越城组工's
posts), never a tag itself. It is inferred from one of two kinds of evidence, and the evidence is
stored with it (``Source.home_place_evidence``) so that every page showing the guess says why:

- the account's name, when it carries a place form (``geotag.infer_home_place``);
- failing that, what the account's own articles consistently name: the deepest place, at most a
  street or town, that at least :data:`MIN_SHARE` of its articles (and at least
  :data:`MIN_ARTICLES` of them) are tagged with from their own text.

A curator's choice is never replaced, and a guess from the articles is made once, while the
source has no home place: later tags, read with the home place as context, would otherwise vote
for it themselves. ``manage.py regeotag --home-places`` weighs every guess again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count

from archive.geotag import infer_home_place
from archive.models import Article, ArticlePlace, Place, Source

MIN_ARTICLES = 5  # fewer articles are no pattern
MIN_SHARE = 0.6  # of a source's articles that must name the place
_CODE_LENGTHS = (2, 4, 6, 9)  # province, city, district, street or town: not a community or village


@dataclass(frozen=True)
class Guess:
    """A home place and what it was inferred from, as the source's page says it."""

    place_id: int
    evidence: str


def from_name(*, name: str, place_ids: dict[str, int]) -> Guess | None:
    """The home place the account's name points at (越城组工 → 越城区), if its name carries one."""
    code = infer_home_place(name) if name else None
    if code is None or code not in place_ids:
        return None
    return Guess(place_ids[code], f"账号名称“{name}”")


def from_articles(*, source_ids: Iterable[int]) -> dict[int, Guess]:
    """{source id: guess} for those of the sources whose articles consistently name one place.

    An article names a place when it is tagged with it or with a place inside it (府山街道 names
    越城区, 绍兴市 and 浙江省). The guess is the deepest place, a street or town at most, named by at
    least :data:`MIN_SHARE` of the articles, as long as that is one line of places: where two
    districts both pass, the city they share is the guess.
    """
    ids = list(source_ids)
    if not ids:
        return {}
    totals = {
        row["source"]: row["n"]
        for row in Article.objects.filter(source__in=ids).values("source").annotate(n=Count("id")).order_by()
    }
    eligible = [pk for pk, n in totals.items() if n >= MIN_ARTICLES]
    if not eligible:
        return {}
    named: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))  # source: code: articles
    rows = ArticlePlace.objects.filter(article__source__in=eligible).values_list(
        "article__source", "article_id", "place__code"
    )
    for source, article, code in rows.iterator(chunk_size=5000):
        for length in _CODE_LENGTHS:
            if len(code) >= length:
                named[source][code[:length]].add(article)
    passing = {
        source: {code: len(articles) for code, articles in codes.items() if len(articles) >= MIN_SHARE * totals[source]}
        for source, codes in named.items()
    }
    chosen = {source: _deepest_line(codes) for source, codes in passing.items()}
    places = {p.code: p for p in Place.objects.filter(code__in={c for c in chosen.values() if c}).only("code", "name")}
    return {
        source: Guess(places[code].pk, f"{totals[source]} 篇报道中有 {passing[source][code]} 篇提到{places[code].name}")
        for source, code in chosen.items()
        if code in places
    }


def _deepest_line(codes: Iterable[str]) -> str | None:
    """The deepest of the codes while they stay one line (33 ⊃ 3306 ⊃ 330602); None if none."""
    chosen = None
    for length in _CODE_LENGTHS:
        level = [code for code in codes if len(code) == length and (chosen is None or code.startswith(chosen))]
        if len(level) != 1:
            break
        chosen = level[0]
    return chosen


def infer_for_new_articles(*, source_ids: Iterable[int]) -> list[Source]:
    """Give the sources without a home place one from their articles, where they bear one out.

    Returns the sources given one; their articles should be geotagged again (the new context may
    tie short forms in them to places).
    """
    candidates = list(Source.objects.filter(pk__in=list(source_ids), home_place=None).values_list("pk", flat=True))
    changed = []
    for pk, guess in from_articles(source_ids=candidates).items():
        updated = Source.objects.filter(pk=pk, home_place=None).update(
            home_place_id=guess.place_id, home_place_inferred=True, home_place_evidence=guess.evidence
        )
        if updated:
            changed.append(Source.objects.select_related("home_place").get(pk=pk))
    return changed


def reinfer(*, source: Source, place_ids: dict[str, int]) -> Guess | None:
    """Weigh a guessed (or missing) home place again: the name first, then the articles.

    The articles' tags were read with the current guess as context; they count again only where the
    name gives nothing, and a guess they made stays only while they still bear it out.
    """
    return from_name(name=source.name, place_ids=place_ids) or from_articles(source_ids=[source.pk]).get(source.pk)
