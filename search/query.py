"""Parse what staff type in the search box into a small, backend-neutral query tree.

The language:

* words separated by spaces (the ideographic space too) must all match: ``东浦 党建``;
* ``"quoted phrases"`` (also “…”, 「…」, 『…』) match as written, spaces included;
* ``OR`` (also ``|`` and ``或``) between two parts matches either;
* a leading ``-`` (or ``－``) excludes: ``党建 -疫情``;
* ``title:`` / ``标题:`` and ``source:`` / ``来源:`` limit a part to the title or the source account;
* parentheses group: ``(东浦 OR 北海) 党建``.

Chinese has no spaces, so a "word" here is a chunk of text that must occur verbatim (a substring),
not a dictionary word: 城区搭 finds 越城区搭好. Parsing never fails: unbalanced quotes or
parentheses, a lone operator, control characters or an overlong query give a tree that still
makes sense plus a message saying what was done about it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

MAX_QUERY_LENGTH = 200
MAX_TERMS = 20

FIELDS = {"title": "title", "标题": "title", "source": "source", "来源": "source"}
QUOTES = {'"': '"', "“": "”", "”": "”", "「": "」", "『": "』", "＂": "＂"}
OR_WORDS = {"OR", "|", "或", "｜"}
NEGATIONS = "-－"
# A part with no letter or digit (only punctuation) cannot be searched for.
_SEARCHABLE = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class Term:
    """Text that must occur verbatim in ``field`` ("text": title or body, "title" or "source")."""

    text: str
    field: str = "text"
    phrase: bool = False


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Term | Not | And | Or


@dataclass
class ParsedQuery:
    """The tree (None: match everything), the terms to highlight, and messages for the user."""

    text: str
    tree: Node | None
    messages: list[str] = field(default_factory=list)

    @property
    def highlight_terms(self) -> list[str]:
        """Positive terms on the article text, longest first (so a longer match wins when marking)."""
        texts = [t.text for t in positive_terms(self.tree) if t.field in ("text", "title")]
        return sorted(dict.fromkeys(texts), key=len, reverse=True)


def positive_terms(tree: Node | None) -> list[Term]:
    """The tree's terms outside any Not (those a match can be marked with), without repeats."""
    found: list[Term] = []

    def walk(node, negated=False):
        if isinstance(node, Term):
            if not negated and node not in found:
                found.append(node)
        elif isinstance(node, Not):
            walk(node.child, not negated)
        elif node is not None:
            for child in node.children:
                walk(child, negated)

    walk(tree)
    return found


def clean_text(text: str) -> str:
    """NFC-normalise, drop control and format characters, collapse whitespace."""
    text = unicodedata.normalize("NFC", text or "")
    text = "".join(" " if ch.isspace() else ch for ch in text if ch.isspace() or unicodedata.category(ch)[0] != "C")
    return " ".join(text.split())


# Tokens: quoted strings (closed or not), parentheses, or runs of anything else up to a space/quote/paren.
_TOKEN = re.compile(
    r"""(?P<quote>["“”「『＂])|(?P<open>[(（])|(?P<close>[)）])|(?P<space>\s+)|(?P<word>[^\s"“”「『＂()（）]+)"""
)


def _tokens(text: str, messages: list[str]) -> list[tuple[str, str]]:
    """Split into ("word"|"phrase"|"open"|"close"|"or", text) tokens; a field prefix stays on its word."""
    out: list[tuple[str, str]] = []
    pos = 0
    pending_prefix = ""
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        kind = m.lastgroup
        if kind == "quote":
            closer = QUOTES[m.group()]
            end = text.find(closer, m.end())
            if end < 0:
                # Also accept a plain " closing a “ (mixed input methods).
                end = text.find('"', m.end()) if closer != '"' else -1
            if end < 0:
                messages.append("引号没有配对，已按到结尾的短语处理。(Unbalanced quote: read to the end as a phrase.)")
                end = len(text)
            out.append(("phrase", pending_prefix + text[m.end() : end]))
            pending_prefix = ""
            pos = end + 1
            continue
        pos = m.end()
        if kind == "space":
            continue
        if kind in ("open", "close"):
            out.append((kind, m.group()))
            continue
        word = m.group()
        if word in OR_WORDS:
            out.append(("or", word))
            continue
        # A field prefix or a minus directly followed by a quote: title:"…", -"…", -title:"…"
        prefix, sep, rest = word.replace("：", ":").partition(":")
        is_prefix = (sep and prefix.lstrip(NEGATIONS).lower() in FIELDS and not rest) or not word.lstrip(NEGATIONS)
        if is_prefix and pos < len(text) and text[pos] in QUOTES:
            pending_prefix = word.replace("：", ":")
            continue
        out.append(("word", word))
    if pending_prefix:
        out.append(("word", pending_prefix))
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], messages: list[str]):
        self.tokens = tokens
        self.pos = 0
        self.messages = messages
        self.terms = 0

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else (None, "")

    def parse(self) -> Node | None:
        node = self.parse_and(top=True)
        return node

    def parse_and(self, top=False) -> Node | None:
        parts: list[Node] = []
        while True:
            kind, _ = self.peek()
            if kind is None:
                break
            if kind == "close":
                if not top:
                    break
                self.pos += 1
                self.messages.append("多余的右括号已忽略。(An unmatched ')' was ignored.)")
                continue
            node = self.parse_or()
            if node is not None:
                parts.append(node)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def parse_or(self) -> Node | None:
        options: list[Node] = []
        node = self.parse_unary()
        if node is not None:
            options.append(node)
        while self.peek()[0] == "or":
            self.pos += 1
            nxt = self.parse_unary()
            if nxt is None:
                self.messages.append("OR 两边都需要检索词，多余的 OR 已忽略。(OR needs a term on each side.)")
                break
            if not options:
                self.messages.append("OR 两边都需要检索词，多余的 OR 已忽略。(OR needs a term on each side.)")
            options.append(nxt)
        if not options:
            return None
        return options[0] if len(options) == 1 else Or(tuple(options))

    def parse_unary(self) -> Node | None:
        kind, value = self.peek()
        if kind is None or kind == "close":
            return None
        self.pos += 1
        if kind == "or":
            self.messages.append("OR 两边都需要检索词，多余的 OR 已忽略。(OR needs a term on each side.)")
            return None
        if kind == "open":
            inner = self.parse_and()
            if self.peek()[0] == "close":
                self.pos += 1
            else:
                self.messages.append("括号没有配对，已自动补齐。(Unbalanced parenthesis: closed at the end.)")
            return inner
        return self.term(value, phrase=kind == "phrase")

    def term(self, value: str, phrase: bool) -> Node | None:
        negated = False
        while value[:1] in NEGATIONS and value[:1]:
            negated = not negated
            value = value[1:]
        field_name = "text"
        prefix, sep, rest = value.replace("：", ":").partition(":")
        if sep and prefix.lower() in FIELDS:
            field_name = FIELDS[prefix.lower()]
            value = rest
        value = value if phrase else value.strip()
        if phrase:
            value = " ".join(value.split())
        if not _SEARCHABLE.search(value):
            if value.strip():
                self.messages.append(f"“{value}”不含文字，已忽略。(“{value}” has no letters or digits; ignored.)")
            elif negated or field_name != "text":
                self.messages.append("检索词不完整，已忽略。(An operator without a term was ignored.)")
            return None
        self.terms += 1
        if self.terms > MAX_TERMS:
            if self.terms == MAX_TERMS + 1:
                self.messages.append(f"检索词过多，只用前 {MAX_TERMS} 个。(Only the first {MAX_TERMS} terms are used.)")
            return None
        node: Node = Term(value, field_name, phrase)
        return Not(node) if negated else node


def parse_query(text: str | None) -> ParsedQuery:
    """Parse the search box's text; never raises."""
    messages: list[str] = []
    raw = text or ""
    cleaned = clean_text(raw)
    if len(cleaned) > MAX_QUERY_LENGTH:
        messages.append(
            f"检索式过长，只用前 {MAX_QUERY_LENGTH} 个字。(The query was cut to {MAX_QUERY_LENGTH} characters.)"
        )
        cleaned = cleaned[:MAX_QUERY_LENGTH]
    if cleaned in ("*", "*:*"):
        return ParsedQuery(cleaned, None, messages)
    tree = _Parser(_tokens(cleaned, messages), messages).parse()
    # "-疫情" alone is a valid question (everything except), so a purely negative tree stays.
    tree = _simplify(tree)
    return ParsedQuery(cleaned, tree, list(dict.fromkeys(messages)))


def _simplify(node: Node | None) -> Node | None:
    if isinstance(node, And | Or):
        children = tuple(c for c in (_simplify(c) for c in node.children) if c is not None)
        if not children:
            return None
        if len(children) == 1:
            return children[0]
        return type(node)(children)
    if isinstance(node, Not):
        child = _simplify(node.child)
        if child is None:
            return None
        return child.child if isinstance(child, Not) else Not(child)
    return node


def to_lucene(node: Node | None) -> str:
    """Render the tree as a Lucene query string, for backends other than Whoosh (e.g. Elasticsearch)."""
    if node is None:
        return "*:*"
    if isinstance(node, Term):
        text = node.text.replace("\\", "\\\\").replace('"', '\\"')
        name = {"text": "text", "title": "title", "source": "source"}[node.field]
        return f'{name}:"{text}"'
    if isinstance(node, Not):
        return f"NOT ({to_lucene(node.child)})"
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(to_lucene(c) for c in node.children) + ")"
