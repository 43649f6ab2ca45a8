"""Find the places an article mentions, using the gazetteer (the Place table).

Public functions: ``geotag(text, *, home_place=None) -> dict[str, int]`` (place code → mention
count), ``infer_home_place(source_name) -> str | None`` (a place code) and ``reset_cache()``.

How it works:

* One Aho-Corasick automaton over every form of every place name (official names, short forms
  such as 越城 for 越城区, ``XX社区`` / ``XX村`` for communities, see ``archive.place_names``) finds
  the leftmost-longest, non-overlapping mentions, so 幕府山街道 is never read as 府山街道.
* A short form is dropped where it is part of something else: a road, river or park (越城路,
  竹竿河), or an everyday word crossing its edge (现代化 over 代化镇's 代化, 党建平台 over 建平).
* Each form maps to its candidate places, scored against the *context* (the home place and the
  places resolved in the same text) by how close their codes are: a code's prefix gives its
  ancestors.  A form is tagged only when one candidate is both confirmed enough for its kind (a
  short form needs its city or district around it, a community its street or district) and
  closer to the context than every other; otherwise it stays untagged rather than guessed.
* Resolution runs in rounds, each using the last round's places, so a district named in full
  confirms its streets' short forms, and those streets their communities.
* Last, streets in provinces the text does not otherwise name are dropped when it names some.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass

import ahocorasick

from archive.place_names import (
    BLOCK_PHRASES,
    COMMUNITY_STOPLIST,
    COMPANY_WORDS,
    PSEUDO_NAMES,
    STANDARD_STREET_SUFFIXES,
    STOPLIST,
    community_forms,
    short_forms,
)

# Code lengths per level: 省 2, 地 4, 县 6, 乡 9, 村 12.
_BOUNDS = (2, 4, 6, 9, 12)
_DEPTH = {b: float(i + 1) for i, b in enumerate(_BOUNDS)}
# For a code of each length: its ancestors' lengths, with their depth.
_PROPER_BOUNDS = {n: tuple((b, _DEPTH[b]) for b in _BOUNDS if b < n) for n in _BOUNDS}

# How much context a candidate needs before it counts, on the scale of ``_Index.score``: 1 = its province
# is named, 2 = its city, 3 = its district, 4 = its street; x.5 = a relative sharing that ancestor
# (a sibling or cousin) is named; 10 = the place itself is already in the context.
NEED_NONE = 0.0  # official names of provinces, cities, districts and ordinary streets; province short forms
NEED_CITY_SHORT = 0.5  # 绍兴: any place in the same province
NEED_DISTRICT_SHORT = 1.5  # 越城: its city, a sibling district or a place inside it
NEED_STREET_SHORT = 2.0  # 东浦: its city or district, or a sibling street; also 开发区-style streets
NEED_COMMUNITY = 3.0  # 西湖社区: its district or street, or a sibling community
# When several candidates are eligible, the winner must at least have its province named: sharing
# only a province with some other place (0.5) is too weak to pick one 东湖街道 out of nineteen.
AMBIGUOUS_MIN = 1.0
_SELF = 10.0
# Resolution rounds: each can confirm the next level down (district → street → community).
_MAX_ROUNDS = 4


def _encode(text: str) -> str:
    """Spell each character as four one-byte symbols (UTF-32-BE read as Latin-1).

    pyahocorasick finds a node's child by a linear scan, and the root of a trie over Chinese place
    names has ~2,800 children (every first character), so plain text costs ~0.8 µs a character.
    In this spelling no node has more than 256 children, which makes matching ~10x faster.  A
    form can match only on character boundaries unless each of its characters is U+xx00 (then it
    could match the bytes of ASCII text out of step); no such form is added.
    """
    return text.encode("utf-32-be").decode("latin-1")


@dataclass(frozen=True, slots=True)
class _Candidate:
    code: str
    need: float
    # Ancestors spelled out inside the form itself (济源市北海街道 names 济源市 too).
    implied: tuple[str, ...] = ()
    # A bare short form tagged without context (杭州): never anchors the text's provinces.
    bare: bool = False


class _Index:
    """The automaton and what its values point at, built from Place rows."""

    def __init__(self, rows) -> None:
        names: dict[str, str] = {}
        levels: dict[str, str] = {}
        for code, name, level in rows:
            names[code] = name
            levels[code] = level
        self.pseudo = frozenset(c for c, n in names.items() if levels[c] == "city" and n in PSEUDO_NAMES)
        forms: dict[str, dict[str, _Candidate]] = {}
        official: set[str] = set()

        def add(form: str, code: str, need: float, implied: tuple[str, ...] = (), *, short: bool = False) -> None:
            if len(form) < 2 or form in STOPLIST:
                return
            if not short:
                official.add(form)
                if len(form) == 2:
                    # 和县, 代县, 店镇, 古乡: one character and a suffix is a substring of ordinary
                    # text (市和县两级, 时代县域), so these need the context a short form needs.
                    need = max(need, NEED_DISTRICT_SHORT if len(code) <= 6 else NEED_STREET_SHORT)
            slot = forms.setdefault(form, {})
            old = slot.get(code)
            if old is None or need < old.need:
                slot[code] = _Candidate(code, need, implied)

        for code, name in names.items():
            level = levels[code]
            if level == "province":
                add(name, code, NEED_NONE)
                for short in short_forms(name, level):
                    add(short, code, NEED_NONE, short=True)  # 浙江, 广西: distinctive enough on their own
            elif level == "city":
                if code in self.pseudo:
                    continue
                add(name, code, NEED_NONE)
                for short in short_forms(name, level):
                    add(short, code, NEED_CITY_SHORT, short=True)
            elif level == "district":
                add(name, code, NEED_NONE)
                for short in short_forms(name, level):
                    add(short, code, NEED_DISTRICT_SHORT, short=True)
            elif level == "street":
                for base, implied in self._strip_ancestors(code, name, names):
                    standard = base.endswith(STANDARD_STREET_SUFFIXES)
                    if base != name and not base.endswith(_STRIPPED_SUFFIXES):
                        continue  # 定襄县居民办事处 → 居民办事处 is no name at all
                    add(base, code, NEED_NONE if standard else NEED_STREET_SHORT, implied)
                    if standard:
                        for short in short_forms(base, level):
                            add(short, code, NEED_STREET_SHORT, implied, short=True)
            elif level == "community":
                for form in community_forms(name):
                    if form not in COMMUNITY_STOPLIST:
                        add(form, code, NEED_COMMUNITY)

        entries = _dictionary()
        # A city's or district's short form that no other place in the country goes by, and that is
        # no everyday word (杭州, 昆山, 淳安), is a mention on its own: text drops the suffix.
        # Namesake towns (昆山镇 in 安徽) still need their own context, and win when they have it.
        for form, slot in forms.items():
            if form in official:
                continue
            divisions = [c for c in slot.values() if len(c.code) <= 6]
            if len(divisions) != 1:
                continue
            (cand,) = divisions
            if len(cand.code) in (4, 6) and cand.need > NEED_NONE and not _is_a_word(form, entries):
                slot[cand.code] = _Candidate(cand.code, NEED_NONE, cand.implied, bare=True)
        self.automaton = ahocorasick.Automaton()
        self.candidates: list[tuple[_Candidate, ...]] = []
        # Forms that are nobody's official name (越城, 东浦, 绍兴): these are the ones that also
        # name roads, rivers and hills (竹竿河, 越城路, 绍兴路 in Shanghai).
        self.short_only: list[bool] = []
        self.lengths: list[int] = []
        for phrase in BLOCK_PHRASES:
            forms[phrase] = {}
        for form, slot in forms.items():
            if all(ord(ch) & 0xFF == 0 for ch in form):
                continue  # see _encode; no place name is like this
            self.automaton.add_word(_encode(form), len(self.candidates))
            self.candidates.append(tuple(slot.values()))
            self.short_only.append(form not in official)
            self.lengths.append(len(form))
        self.automaton.make_automaton()
        # Everyday words that may overlap a short form's edge (现代化 over 代化, 文明城市 over 明城,
        # 党建平台 over 建平): such a match is part of another word, not a place.
        self.words = frozenset(w for w in _common_words(entries) if w not in forms)

    def _straddled(self, text: str, first: int, last: int, prev_last: int, next_first: int) -> bool:
        """Return whether an everyday word crosses the edge of the match ``text[first:last + 1]``.

        An edge that touches the previous or next place found is not checked: in 浙江湖州, 江湖
        crosses from one place into the next.
        """
        words = self.words
        end = last + 1
        if prev_last != first - 1:
            for a in range(max(0, first - _WORD_MAX + 1), first):
                for b in range(first + 1, min(end, a + _WORD_MAX) + 1):
                    if text[a:b] in words:
                        return True
        if next_first != end:
            for a in range(first, end):
                for b in range(end + 1, min(len(text), a + _WORD_MAX) + 1):
                    if text[a:b] in words:
                        return True
        return False

    def find(self, text: str) -> tuple[Counter[int], set[tuple[int, int]]]:
        """Count the leftmost-longest matches in ``text`` by automaton value; list adjacent pairs."""
        # Runs of whitespace (page residue is full of them) cost time and can never be in a name.
        text = " ".join(text.split())
        # (index of the match's first character, of its last, automaton value)
        matches = [
            ((end >> 2) - self.lengths[value] + 1, end >> 2, value)
            for end, value in self.automaton.iter_long(_encode(text))
            if end & 3 == 3  # on a character boundary: always, for real text (see _encode)
        ]
        found: Counter[int] = Counter()
        pairs: set[tuple[int, int]] = set()
        prev_last = -2
        for i, (first, last, value) in enumerate(matches):
            next_first = matches[i + 1][0] if i + 1 < len(matches) else -1
            follows = next_first == last + 1
            if self.candidates[value] and not (
                self.short_only[value]
                and (
                    # …unless that character starts the next place: 浙江湖州 is not a lake.
                    (not follows and _names_a_feature(text, last + 1))
                    or self._straddled(text, first, last, prev_last, next_first)
                )
            ):
                found[value] += 1
                if follows:
                    pairs.add((value, matches[i + 1][2]))
            prev_last = last
        return found, pairs

    def chained(self, pairs: set[tuple[int, int]]) -> set[str]:
        """Return the places named as a chain, a place then one inside it (杭州西湖, 绍兴越城).

        Such a chain confirms both names even when each alone would be too short or ambiguous, as
        long as only one pair of their candidates nests.
        """
        named: set[str] = set()
        for outer, inner in pairs:
            nests = [
                (a.code, b.code)
                for a in self.candidates[outer]
                for b in self.candidates[inner]
                if b.code.startswith(a.code) and b.code != a.code
            ]
            # 杭州西湖: 西湖区 over its own 西湖街道, as in Index.resolve.
            nests = [(a, b) for a, b in nests if not any(b != d and b.startswith(d) for _, d in nests)]
            if len(nests) == 1:
                named.update(nests[0])
        return named

    @staticmethod
    def _strip_ancestors(code: str, name: str, names: dict[str, str]) -> list[tuple[str, tuple[str, ...]]]:
        """Return (form, implied ancestors) for a street name and its name without leading ancestors.

        济源市北海街道 gives itself (implying 济源市) and 北海街道; 四平市铁东区平东街道 also gives
        铁东区平东街道 and 平东街道.
        """
        out = [(name, ())]
        rest = name
        implied: list[str] = []
        for bound in _BOUNDS[:3]:
            ancestor = names.get(code[:bound])
            if (
                ancestor
                and ancestor not in PSEUDO_NAMES
                and rest.startswith(ancestor)
                and len(rest) > len(ancestor) + 1
            ):
                implied.append(code[:bound])
                rest = rest[len(ancestor) :]
                out.append((rest, ()))
        if implied:
            # The full composite names its ancestors; the shorter remainders only name what is left.
            out[0] = (name, tuple(implied))
            for i in range(1, len(out) - 1):
                out[i] = (out[i][0], tuple(implied[i:]))
        return out

    def score(self, code: str, ctx: _Context) -> float:
        """Return how strongly the context confirms ``code`` (see the NEED_* scale)."""
        if code in ctx.named:
            return _SELF
        near = ctx.near
        if code[:2] not in near:
            return 0.0  # nothing named in its province: the usual case for a namesake
        best = 0.0
        for bound, depth in _PROPER_BOUNDS[len(code)]:
            prefix = code[:bound]
            if prefix in ctx.named:  # an ancestor is named
                # Under 北京市's pseudo-city 市辖区 the province is the city.
                best = 2.0 if bound == 2 and code[:4] in self.pseudo else depth
            elif prefix in near:  # a relative under this ancestor is named
                best = depth - 0.5
            else:
                break  # nothing named shares this ancestor, so none shares a deeper one
        if code in near:  # a named place lies inside this one
            best = max(best, _DEPTH[len(code)])
        return best

    def resolve(self, cands: tuple[_Candidate, ...], ctx: _Context) -> _Candidate | None:
        """Return the one candidate the context supports, or None when none or several are."""
        if len(cands) == 1:
            cand = cands[0]
            if cand.need <= 0 or self.score(cand.code, ctx) >= cand.need:
                return cand
            return None
        eligible = []
        for cand in cands:
            s = self.score(cand.code, ctx) if ctx.named else 0.0
            if s >= cand.need:
                eligible.append((s, cand))
        if not eligible:
            return None
        if len(eligible) == 1:
            return eligible[0][1]
        top = max(s for s, _ in eligible)
        if top < AMBIGUOUS_MIN:
            return None
        winners = [c for s, c in eligible if s == top]
        if len(winners) > 1:
            # A place beats its own subdivisions of the same name (宁河区 over its 宁河镇).
            winners = [w for w in winners if not any(o is not w and w.code.startswith(o.code) for o in winners)]
            if len(winners) != 1:
                return None
        return winners[0]


class _Context:
    """The places known to be meant (``named``), and those plus all their ancestors (``near``)."""

    __slots__ = ("named", "near")

    def __init__(self, named: set[str] | frozenset[str]) -> None:
        self.named = frozenset(named)
        self.near = self.named | {code[:b] for code in self.named for b in _BOUNDS if b < len(code)}


_index: _Index | None = None
_lock = threading.Lock()


def _get_index() -> _Index:
    global _index
    if _index is None:
        with _lock:
            if _index is None:
                _index = build_index()
    return _index


def build_index() -> _Index:
    """Build the matcher from the Place table (a second or two for the full gazetteer)."""
    from django.db.models.signals import post_delete, post_save

    from archive.models import Place

    index = _Index(Place.objects.values_list("code", "name", "level").iterator(chunk_size=10000))
    # Edits through the admin or the ORM make the cached index stale; bulk loads must call reset_cache().
    post_save.connect(_on_place_change, sender=Place, dispatch_uid="geotag-reset-on-save")
    post_delete.connect(_on_place_change, sender=Place, dispatch_uid="geotag-reset-on-delete")
    return index


def _on_place_change(**_kwargs) -> None:
    reset_cache()


def reset_cache() -> None:
    """Forget the in-memory index so the next call rebuilds it from the Place table."""
    global _index
    with _lock:
        _index = None


def _resolve_all(index: _Index, found: Counter[int], base: set[str]) -> dict[int, _Candidate]:
    """Resolve each distinct form found, with the places resolved in the previous round as context.

    Each round starts again from ``base`` (home place, chains) plus the last round's answers, so an
    early guess made on thin context (府山街道 → the home district's) is revised once the text's
    own districts and streets are known.  A form with several candidates is never confirmed by its
    own earlier answer, nor by another ambiguous form's answer among its candidates (府山 and
    府山街道 would otherwise keep each other's first guess forever).
    """
    resolved: dict[int, _Candidate] = {}
    for _ in range(_MAX_ROUNDS):
        guessed = {c.code for v, c in resolved.items() if len(index.candidates[v]) > 1}
        named = base | {c.code for c in resolved.values()}
        ctx = _Context(named)
        current: dict[int, _Candidate] = {}
        for value in found:
            cands = index.candidates[value]
            use = ctx
            if guessed and len(cands) > 1:
                # Codes held only by ambiguous answers, never by base or a one-candidate form.
                own = {c.code for c in cands if c.code in guessed and c.code not in base}
                own -= {c.code for v, c in resolved.items() if len(index.candidates[v]) == 1}
                if own:
                    use = _Context(named - own)
            cand = index.resolve(cands, use)
            if cand is not None:
                current[value] = cand
        if current == resolved:
            break
        resolved = current
    return resolved


# Words up to this long are checked for crossing a short form's edge.
_WORD_MAX = 4
# jieba's dictionary counts; below this a "word" is mostly a name or a rare compound.
_WORD_MIN_FREQ = 100
# The streets whose name, once its county or city is cut off, is still a name.
_STRIPPED_SUFFIXES = ("街道", "镇", "乡", "苏木")


def _dictionary() -> dict[str, tuple[int, str]]:
    """Return {word of 2-4 characters: (frequency, part-of-speech tag)} from jieba's dictionary.

    Empty if jieba is missing: the checks that use it are then skipped.
    """
    try:
        import jieba
    except ImportError:
        return {}
    entries = {}
    with jieba.get_dict_file() as lines:
        for raw in lines:
            word, freq, tag = raw.decode("utf-8").split(" ")
            if 2 <= len(word) <= _WORD_MAX:
                entries[word] = (int(freq), tag.strip())
    return entries


def _common_words(entries: dict[str, tuple[int, str]]) -> list[str]:
    """Return the everyday words (frequent enough in jieba's dictionary)."""
    return [word for word, (freq, _tag) in entries.items() if freq >= _WORD_MIN_FREQ]


# jieba's tags for proper names: a place (ns), another name (nz), a person's name (nr).
_NAME_TAGS = ("ns", "nz", "nr")


def _is_a_word(form: str, entries: dict[str, tuple[int, str]]) -> bool:
    """Whether ``form`` is something other than a place name in ordinary text (和平, 东方, 开化)."""
    entry = entries.get(form)
    if entry is None:
        return False
    freq, tag = entry
    if tag == "ns":
        return False  # jieba knows it as a place name (杭州, 昆山)
    return freq >= _WORD_MIN_FREQ or tag not in _NAME_TAGS


# After a short form, these make it part of the name of a road, river, hill or park (越城路,
# 竹竿河, 府山公园), which is usually not a mention of the division: 杭州 has a 绍兴路.
_FEATURE_CHARS = frozenset("路街巷弄道河江湖溪港湾桥山岭")
_FEATURE_WORDS = ("公园", "广场", "小区", "水库", "高速", "景区", "机场")


def _names_a_feature(text: str, at: int) -> bool:
    return at < len(text) and (text[at] in _FEATURE_CHARS or text.startswith(_FEATURE_WORDS, at))


def geotag(text: str, *, home_place: str | None = None) -> dict[str, int]:
    """Return {place code: mentions} for every place the text names, unambiguously."""
    if not text:
        return {}
    index = _get_index()
    found, pairs = index.find(text)
    if not found:
        return {}
    ctx = {home_place} if home_place else set()
    ctx |= index.chained(pairs)
    resolved = _resolve_all(index, found, ctx)
    # A place written right after another is inside it (北海街道西湖社区): one not even in the same
    # district, like 北环路街道明珠社区 read as a 明珠社区 of the home district, is a namesake.  Within
    # a district it may be an older text (稽山街道渡东社区 before 渡东 moved to 塔山街道 in 2018).
    for outer, inner in pairs:
        if outer in resolved and inner in resolved:
            a, b = resolved[outer].code[:6], resolved[inner].code
            if len(b) > len(a) and not b.startswith(a):
                del resolved[inner]
    # The provinces the article is anchored in: those of the provinces, cities and districts it
    # names in full.  A street elsewhere that nothing around it supports is more often a namesake
    # or a typo (广州路街道 for 广中路街道 in a Shanghai article) than a real mention.
    anchors = {c.code[:2] for c in resolved.values() if c.need == NEED_NONE and not c.bare and len(c.code) <= 6}
    counts: Counter[str] = Counter()
    for value, cand in resolved.items():
        if anchors and cand.code[:2] not in anchors:
            continue
        n = found[value]
        counts[cand.code] += n
        for code in cand.implied:
            counts[code] += n
    return dict(counts)


def infer_home_place(source_name: str) -> str | None:
    """Return the code of the place an account's name points at (越城组工 → 330602), if any.

    Evidence is a place form in the name: an official name with its suffix (区/县/市/街道/镇/乡/社区)
    or the short form of a city or district (越城, 淳安) in a name that is not a company's.  A
    street's or town's short form alone (金瑞 of 金瑞镇 in 金瑞期货) is no evidence, and a form that
    fits several places of the same level, with nothing else in the name to choose, gives None.
    """
    if not source_name:
        return None
    index = _get_index()
    values = list(index.find(source_name)[0])
    if not values:
        return None
    chosen: dict[int, str] = {}
    # First the forms that point at one place.  Provinces, cities and districts outrank streets and
    # communities of the same name (绥德县 over any 绥德 town elsewhere), and a place outranks its own
    # namesake subdivisions (宁河区 over 宁河镇), but two of them unrelated (朝阳市, 朝阳区 ×2) tie.
    for value in values:
        cands = index.candidates[value]
        pool = [c for c in cands if len(c.code) <= 6] or list(cands)
        tops = [c for c in pool if not any(o is not c and c.code.startswith(o.code) for o in pool)]
        if len(tops) == 1:
            chosen[value] = tops[0].code
    # Then the ambiguous ones, using the others as context (杭州上城 → 上城区 of 杭州).
    if chosen:
        ctx = _Context(set(chosen.values()))
        for value in values:
            if value in chosen:
                continue
            scored = sorted(((index.score(c.code, ctx), c.code) for c in index.candidates[value]), reverse=True)
            if scored[0][0] >= AMBIGUOUS_MIN and (len(scored) == 1 or scored[1][0] < scored[0][0]):
                chosen[value] = scored[0][1]
    if len(chosen) != len(values):
        return None  # something in the name stays ambiguous
    # A short form is evidence only where it is an official short form of a city or district (越城
    # for 越城区, 淳安 for 淳安县) in a name that is not a company's: 金瑞期货, 广佛地铁 and 大唐财富
    # start with a town's short form, and 平安证券 with a word that names a place only by chance.
    shorts = [value for value in values if index.short_only[value]]
    if any(len(chosen[value]) > 6 for value in shorts):
        return None
    if shorts and any(word in source_name for word in COMPANY_WORDS):
        return None
    # The places must lie on one line (浙江 ⊃ 绍兴 ⊃ 越城); return the deepest.
    codes = sorted(set(chosen.values()), key=len)
    deepest = codes[-1]
    if all(deepest.startswith(code) for code in codes):
        return deepest
    return None
