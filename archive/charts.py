"""A server-rendered SVG bar chart of articles per month: no JavaScript, no CDN.

Months without articles between the first and the last are drawn as gaps, so the time axis is
true. Each bar carries a ``<title>`` (shown on hover, read by screen readers) and, when a link
pattern is given, links to that month's archive page.

The chart scales with the page, text included: at a 375 px phone the 640-unit viewBox is drawn
about 340 px wide, so a label of ``TICK_FONT`` units shows at about half that size. Year labels
are therefore spaced for the phone: the first and last year are always labelled, and in between
only every k-th year (k = 1, 2, 5, 10, …) so that no two labels come closer than ``MIN_LABEL_GAP``.
The stylesheet may draw the labels smaller on wide screens; they are then only further apart.
"""

from __future__ import annotations

from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 160
TOP, BOTTOM, LEFT, RIGHT = 12, 30, 34, 6
TICK_FONT = 20  # viewBox units: about 10.5 px at a phone's width
DIGIT_WIDTH = 0.6 * TICK_FONT  # a generous width for one digit of a sans-serif font
YEAR_LABEL_WIDTH = 4 * DIGIT_WIDTH
MIN_LABEL_GAP = YEAR_LABEL_WIDTH + TICK_FONT / 2  # from one label's start to the next
YEAR_STRIDES = (1, 2, 5, 10, 20, 50, 100)


def month_range(first: date, last: date) -> list[date]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def year_labels(months: list[date], left: float, step: float, right_edge: float) -> list[tuple[float, int]]:
    """(x, year) for the year labels under the bars of ``months``, never closer than ``MIN_LABEL_GAP``.

    A label starts under its year's first bar. The first and last years are always labelled: the
    last is moved left when it would overflow ``right_edge``, the first may move into the empty
    margin under the axis labels to keep clear of it. In between, years divisible by the stride.
    """
    if not months:
        return []
    first, last = months[0].year, months[-1].year
    stride = next((k for k in YEAR_STRIDES if k * 12 * step >= MIN_LABEL_GAP), YEAR_STRIDES[-1])
    starts: dict[int, float] = {}
    for i, month in enumerate(months):
        starts.setdefault(month.year, left + i * step)
    labels = [(starts[first], first)]
    if last == first:
        return labels
    end = min(starts[last], right_edge - YEAR_LABEL_WIDTH)
    for year in range(first + 1, last):
        x = starts[year]
        if year % stride == 0 and x - labels[-1][0] >= MIN_LABEL_GAP and end - x >= MIN_LABEL_GAP:
            labels.append((x, year))
    if end - labels[0][0] < MIN_LABEL_GAP:  # only the first and last years: they may be close
        labels[0] = (max(0.0, end - MIN_LABEL_GAP), first)
    labels.append((end, last))
    return labels


def month_chart(counts: list[tuple[date, int]], link=None, label: str = "每月报道数") -> SafeString:
    """SVG markup for ``counts`` [(month, n), …]; ``link(month)`` gives a bar's URL (optional)."""
    if not counts:
        return mark_safe("")
    by_month = dict(counts)
    months = month_range(counts[0][0], counts[-1][0])
    peak = max(by_month.values())
    left = max(LEFT, len(str(peak)) * DIGIT_WIDTH + 6)  # room for the peak's label
    plot_w, plot_h = WIDTH - left - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / len(months)
    bar_w = max(step * 0.8, 1.0)
    tick = f'class="tick" font-size="{TICK_FONT}"'
    year_tick = f'class="tick year" font-size="{TICK_FONT}"'
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
        f'<line x1="{left}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" class="axis"/>',
        f'<text x="{left - 4}" y="{TOP + TICK_FONT * 0.7:.0f}" text-anchor="end" {tick}>{peak}</text>',
        f'<text x="{left - 4}" y="{TOP + plot_h}" text-anchor="end" {tick}>0</text>',
    ]
    for x, year in year_labels(months, left, step, WIDTH - RIGHT):
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - 6}" {year_tick}>{year}</text>')
    for i, month in enumerate(months):
        n = by_month.get(month, 0)
        x = left + i * step + (step - bar_w) / 2
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
