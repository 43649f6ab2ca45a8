"""A server-rendered SVG bar chart of articles per month: no JavaScript, no CDN.

Months without articles between the first and the last are drawn as gaps, so the time axis is
true. Each bar carries a ``<title>`` (shown on hover, read by screen readers) and, when a link
pattern is given, links to that month's archive page.
"""

from __future__ import annotations

from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 160
TOP, BOTTOM, LEFT, RIGHT = 12, 22, 34, 6


def month_range(first: date, last: date) -> list[date]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_chart(counts: list[tuple[date, int]], link=None, label: str = "每月报道数") -> SafeString:
    """SVG markup for ``counts`` [(month, n), …]; ``link(month)`` gives a bar's URL (optional)."""
    if not counts:
        return mark_safe("")
    by_month = dict(counts)
    months = month_range(counts[0][0], counts[-1][0])
    peak = max(by_month.values())
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / len(months)
    bar_w = max(step * 0.8, 1.0)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" class="axis"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 8}" text-anchor="end" class="tick">{peak}</text>',
        f'<text x="{LEFT - 4}" y="{TOP + plot_h}" text-anchor="end" class="tick">0</text>',
    ]
    for i, month in enumerate(months):
        n = by_month.get(month, 0)
        x = LEFT + i * step + (step - bar_w) / 2
        if month.month == 1 or i == 0:
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - 6}" class="tick">{month.year}</text>')
        if not n:
            continue
        h = max(plot_h * n / peak, 1.0)
        title = f"{month.year}年{month.month}月：{n} 篇"
        bar = (
            f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" class="bar">'
            f"<title>{escape(title)}</title></rect>"
        )
        if link:
            bar = f'<a href="{escape(link(month))}" aria-label="{escape(title)}">{bar}</a>'
        parts.append(bar)
    parts.append("</svg>")
    return mark_safe("".join(parts))
