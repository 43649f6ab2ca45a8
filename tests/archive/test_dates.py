"""Publish dates in every form the sources write them, read as China-time dates."""

import datetime as dt

import pytest

from archive.ingest.dates import parse_date, parse_moment, search_date, search_moment

SEPT_11 = dt.date(2018, 9, 11)


@pytest.mark.parametrize(
    "value",
    [
        "2018-09-11",
        " 2018-09-11 ",
        "2018-9-11",
        "2018/9/11",
        "2018.09.11",
        "2018-09-11 09:15",
        "2018-09-11T09:15:35",
        "2018-09-11T09:15:35+08:00",
        "2018-09-11T09:15:35.250+0800",
        "2018年9月11日",
        "2018年09月11日 09:15",
        "二〇一八年九月十一日",
        "20180911",
    ],
)
def test_iso_and_chinese_forms_give_the_date(value):
    assert parse_date(value) == SEPT_11


def test_rfc2822_date_is_read_in_its_own_offset():
    assert parse_date("Fri, 11 Jun 2021 09:15:35 +0800") == dt.date(2021, 6, 11)


def test_rfc2822_date_in_utc_late_evening_is_the_next_day_in_china():
    assert parse_date("Thu, 10 Jun 2021 20:15:35 +0000") == dt.date(2021, 6, 11)


@pytest.mark.parametrize(
    "value",
    ["2018-09-10T17:00:00Z", "2018-09-10T12:30:00-04:30", "2018-09-10T19:00:00+02:00"],
)
def test_datetimes_with_other_offsets_are_converted_to_china_time(value):
    assert parse_date(value) == SEPT_11


def test_aware_datetime_object_is_converted_to_china_time():
    moment = dt.datetime(2018, 9, 10, 16, 30, tzinfo=dt.UTC)
    assert parse_date(moment) == SEPT_11


@pytest.mark.parametrize("value", [1521478800, "1521478800", 1521478800000, "1521478800000", 1521478800.5])
def test_unix_timestamps_in_seconds_or_milliseconds_are_china_dates(value):
    # 1521478800 is 2018-03-19 17:00 UTC: already the 20th in China.
    assert parse_date(value) == dt.date(2018, 3, 20)


@pytest.mark.parametrize(
    "value",
    ["2018-13-45", "2018-02-30", "", "   ", "garbage", "2018年13月1日", None, True, [2018, 9, 11], "12345"],
)
def test_invalid_values_give_none(value):
    assert parse_date(value) is None


@pytest.mark.parametrize("value", ["1989-12-31", "1960-01-01", "2999-01-01", 0, "0"])
def test_implausible_years_give_none(value):
    assert parse_date(value) is None


def test_next_year_is_still_plausible_but_the_year_after_is_not():
    next_year = dt.date.today().year + 1
    assert parse_date(f"{next_year}-01-02") == dt.date(next_year, 1, 2)
    assert parse_date(f"{next_year + 1}-06-01") is None


def test_search_date_finds_the_first_date_in_running_text():
    assert search_date("来源: 发布时间:2020-04-11 浏览量: 2020-05-01") == dt.date(2020, 4, 11)
    assert search_date("时间:2020年05月26日来源:皇姑区") == dt.date(2020, 5, 26)


def test_search_date_ignores_digits_that_are_part_of_a_longer_number():
    assert search_date("索引号 12018-09-11 号") is None


# --- the time of day (parse_moment, search_moment) ---------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # WeChat's var ct: a Unix timestamp, read in China time
        ("1623427658", (dt.date(2021, 6, 12), dt.time(0, 7, 38))),
        (1623427658000, (dt.date(2021, 6, 12), dt.time(0, 7, 38))),
        # RFC 2822, in its own offset, then in China time
        ("Fri, 11 Jun 2021 16:07:38 GMT", (dt.date(2021, 6, 12), dt.time(0, 7, 38))),
        ("Sat, 12 Jun 2021 00:07:38 +0800", (dt.date(2021, 6, 12), dt.time(0, 7, 38))),
        # ISO 8601 with an offset, converted; without one, already China time
        ("2021-06-11T16:07:38Z", (dt.date(2021, 6, 12), dt.time(0, 7, 38))),
        ("2021-06-11T12:07:38-04:00", (dt.date(2021, 6, 12), dt.time(0, 7, 38))),
        ("2021-06-12T00:07:38.250+08:00", (dt.date(2021, 6, 12), dt.time(0, 7, 38))),
        ("2021-06-12 00:07:38", (dt.date(2021, 6, 12), dt.time(0, 7, 38))),
        ("2021-06-12 00:07", (dt.date(2021, 6, 12), dt.time(0, 7))),
        ("2021年6月12日 08:30", (dt.date(2021, 6, 12), dt.time(8, 30))),
        ("2021年6月12日8时30分", (dt.date(2021, 6, 12), dt.time(8, 30))),
        (dt.datetime(2021, 6, 11, 16, 7, 38, tzinfo=dt.UTC), (dt.date(2021, 6, 12), dt.time(0, 7, 38))),
    ],
)
def test_the_time_of_day_is_kept_in_china_time(value, expected):
    assert parse_moment(value) == expected


@pytest.mark.parametrize(
    "value", ["2021-06-12", "2021年6月12日", "二〇二一年六月十二日", "20210612", dt.date(2021, 6, 12)]
)
def test_a_date_alone_has_no_time_of_day(value):
    assert parse_moment(value) == (dt.date(2021, 6, 12), None)


def test_an_impossible_time_leaves_the_date_alone():
    assert parse_moment("2021-06-12 25:70") == (dt.date(2021, 6, 12), None)


def test_a_time_after_a_date_in_running_text_is_read_with_it():
    assert search_moment("发布时间：2021-06-12 00:07:38　来源：越城发布") == (dt.date(2021, 6, 12), dt.time(0, 7, 38))
    assert search_moment("2021年6月12日 08:30 星期六") == (dt.date(2021, 6, 12), dt.time(8, 30))
    assert search_moment("来源：越城发布 2021-06-12 浏览次数：30") == (dt.date(2021, 6, 12), None)
    assert search_moment("2021-06-12 123456") == (dt.date(2021, 6, 12), None)  # no time: a longer number
