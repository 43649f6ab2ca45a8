"""The monthly chart's year labels stay apart and readable on a phone, however long the span."""

import re
from datetime import date

import pytest

from archive.charts import MIN_LABEL_GAP, WIDTH, YEAR_LABEL_WIDTH, month_chart, month_range

PHONE_CHART_PX = 375 - 32  # the chart fills <main> less its padding on a 375 px screen


def chart_for(first: date, last: date, n: int = 3) -> str:
    return month_chart([(month, n + i % 7) for i, month in enumerate(month_range(first, last))])


def year_labels(svg: str) -> list[tuple[float, int]]:
    """(x, year) of each year label in the chart, left to right."""
    found = re.findall(r'<text x="([\d.]+)"[^>]*class="tick year"[^>]*>(\d{4})</text>', svg)
    return sorted((float(x), int(year)) for x, year in found)


SPANS = [
    (date(2010, 1, 1), date(2026, 12, 1)),
    (date(2010, 12, 1), date(2026, 1, 1)),  # one month of the first and of the last year
    (date(2013, 10, 1), date(2026, 1, 1)),  # the test corpus's span
    (date(1990, 1, 1), date(2026, 6, 1)),
    (date(2010, 12, 1), date(2011, 12, 1)),  # a lone month before a full year
    (date(2019, 1, 1), date(2023, 12, 1)),
]


@pytest.mark.parametrize("first,last", SPANS, ids=lambda d: d.isoformat())
def test_year_labels_never_crowd_and_name_the_first_and_last_year(first, last):
    labels = year_labels(chart_for(first, last))
    xs = [x for x, _ in labels]
    gaps = [b - a for a, b in zip(xs, xs[1:], strict=False)]
    assert all(gap >= MIN_LABEL_GAP for gap in gaps), labels
    assert labels[0][1] == first.year and labels[-1][1] == last.year, labels
    assert [year for _, year in labels] == sorted({year for _, year in labels}), "a year twice or out of order"
    assert xs[0] >= 0 and xs[-1] + YEAR_LABEL_WIDTH <= WIDTH, "a label runs off the chart"


def test_a_short_span_labels_every_year():
    labels = year_labels(chart_for(date(2019, 1, 1), date(2023, 12, 1)))
    assert [year for _, year in labels] == [2019, 2020, 2021, 2022, 2023]


def test_a_long_span_labels_round_years_between_the_ends():
    labels = [year for _, year in year_labels(chart_for(date(2010, 1, 1), date(2026, 12, 1)))]
    assert labels[0] == 2010 and labels[-1] == 2026 and len(labels) >= 5
    stride = labels[2] - labels[1]
    assert all(year % stride == 0 for year in labels[1:-1]), labels


def test_labels_are_at_least_ten_pixels_high_on_a_phone():
    svg = chart_for(date(2010, 1, 1), date(2026, 12, 1))
    sizes = {float(size) for size in re.findall(r'class="tick[^"]*" font-size="([\d.]+)"', svg)}
    assert sizes and min(sizes) * PHONE_CHART_PX / WIDTH >= 10


def test_one_month_has_one_label_and_one_bar():
    svg = month_chart([(date(2021, 5, 1), 4)])
    assert [year for _, year in year_labels(svg)] == [2021]
    assert svg.count("<rect") == 1 and "2021年5月：4 篇" in svg


def test_the_peak_label_fits_left_of_the_axis():
    svg = month_chart([(date(2021, 5, 1), 12345), (date(2021, 6, 1), 7)])
    axis_x = float(re.search(r'<line x1="([\d.]+)"', svg).group(1))
    peak_x = float(re.search(r'<text x="([\d.]+)"[^>]*>12345</text>', svg).group(1))
    assert peak_x - 5 * YEAR_LABEL_WIDTH / 4 >= 0 and peak_x < axis_x
