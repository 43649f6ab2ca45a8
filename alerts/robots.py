"""A digest in the formats group robots take: 企业微信 group robots and 钉钉 custom robots (markdown,
split into messages within their size limits), and a generic JSON webhook (one document).

Limits: 企业微信's markdown ``content`` is at most 4,096 bytes of UTF-8; 钉钉's markdown is taken
as at most 5,000 characters and 20,000 bytes. A digest longer than that becomes several messages,
each with the heading and "（1/3）", never an article cut between two of them; an article too long
for one message on its own loses the end of its snippet.
"""

from __future__ import annotations

from collections.abc import Callable

from alerts.digest import DigestItem

TITLE = "地方治理报道档案"


def _bytes(limit: int) -> Callable[[str], bool]:
    return lambda text: len(text.encode("utf-8")) <= limit


def _bytes_and_chars(byte_limit: int, char_limit: int) -> Callable[[str], bool]:
    return lambda text: len(text) <= char_limit and len(text.encode("utf-8")) <= byte_limit


FITS = {"wecom": _bytes(4096), "dingtalk": _bytes_and_chars(20_000, 5_000)}


# Characters the robots' markdown would read as links, emphasis, headings or tags, shown as their
# full-width forms instead: neither robot documents backslash escapes.
_MARKDOWN_SAFE = str.maketrans({"[": "［", "]": "］", "*": "＊", "_": "＿", "`": "｀", "#": "＃", "<": "＜", ">": "＞"})


def _escape(text: str) -> str:
    """Text that markdown must not read as markup, on one line."""
    return " ".join(text.translate(_MARKDOWN_SAFE).split())


def _item(number: int, item: DigestItem, snippet_chars: int | None = None) -> str:
    article = item.article
    day = article.published
    meta = [f"{day.year}年{day.month}月{day.day}日" if day else "日期不详"]
    if article.source:
        meta.append(_escape(article.source.name))
    if item.places:
        meta.append("、".join(item.places))
    lines = [f"{number}. [{_escape(article.title)}]({item.url})", "> " + " · ".join(meta)]
    snippet = item.snippet_text
    if snippet_chars is not None:
        snippet = snippet[:snippet_chars] + ("…" if len(snippet) > snippet_chars else "")
    if snippet:
        lines.append("> " + _escape(snippet))
    return "\n".join(lines)


def markdown_parts(
    *, name: str, items: list[DigestItem], total: int, search_url: str, unsubscribe_url: str, fits
) -> list[str]:
    """The digest as markdown messages that each ``fits``."""
    heading = f"### {TITLE}：“{_escape(name)}”有 {total} 篇新报道"
    more = total - len(items)
    footer = f"[查看全部结果]({search_url}) · [退订]({unsubscribe_url})"
    if more > 0:
        footer = f"另有 {more} 篇没有列出。" + footer
    marker = "（99/99）"  # room for the part number, added when the number of parts is known
    blocks = []
    for number, item in enumerate(items, 1):
        block = _item(number, item)
        chars = len(item.snippet_text)
        while not fits("\n\n".join([heading + marker, block, footer])) and chars > 0:
            chars = max(0, chars - 40)
            block = _item(number, item, chars)
        blocks.append(block)
    parts: list[list[str]] = [[]]
    for block in blocks:
        candidate = parts[-1] + [block]
        if parts[-1] and not fits("\n\n".join([heading + marker, *candidate, footer])):
            parts.append([block])
        else:
            parts[-1] = candidate
    count = len(parts)
    return [
        "\n\n".join([heading + (f"（{i}/{count}）" if count > 1 else ""), *blocks_of, footer])
        for i, blocks_of in enumerate(parts, 1)
    ]


def payloads(*, kind: str, name: str, items: list[DigestItem], total: int, search_url: str, unsubscribe_url: str):
    """The request bodies (JSON-ready) of the digest for a webhook of ``kind``."""
    if kind == "json":
        return [
            {
                "saved_search": {"name": name, "search_url": search_url},
                "total": total,
                "listed": len(items),
                "unsubscribe_url": unsubscribe_url,
                "articles": [
                    {
                        "id": item.article.pk,
                        "title": item.article.title,
                        "url": item.url,
                        "published": item.article.published.isoformat() if item.article.published else None,
                        "source": item.article.source.name if item.article.source else None,
                        "places": item.places,
                        "snippet": item.snippet_text,
                    }
                    for item in items
                ],
            }
        ]
    parts = markdown_parts(
        name=name, items=items, total=total, search_url=search_url, unsubscribe_url=unsubscribe_url, fits=FITS[kind]
    )
    if kind == "wecom":
        return [{"msgtype": "markdown", "markdown": {"content": part}} for part in parts]
    title = f"{TITLE}：{name}"[:60]  # 钉钉 shows it in the chat list
    return [{"msgtype": "markdown", "markdown": {"title": title, "text": part}} for part in parts]
