"""The search box's query language: parsing never fails, and says what it did about odd input."""

import pytest

from search.query import And, Not, Or, Term, parse_query, to_lucene


def test_words_separated_by_spaces_must_all_match():
    assert parse_query("东浦　党建").tree == And((Term("东浦"), Term("党建")))  # the ideographic space too


def test_quoted_phrase_or_and_exclusion():
    tree = parse_query("“越城区 搭好” OR 北海 -疫情").tree
    assert tree == And((Or((Term("越城区 搭好", phrase=True), Term("北海"))), Not(Term("疫情"))))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("title:东浦", Term("东浦", "title")),
        ("标题：和美", Term("和美", "title")),
        ("source:越城", Term("越城", "source")),
        ('来源:"越城 组工"', Term("越城 组工", "source", phrase=True)),
    ],
)
def test_field_prefixes(text, expected):
    assert parse_query(text).tree == expected


def test_parentheses_group():
    assert parse_query("(东浦 OR 北海) 党建").tree == And((Or((Term("东浦"), Term("北海"))), Term("党建")))


@pytest.mark.parametrize(
    "text, message",
    [
        ('"东浦', "引号没有配对"),
        ("(东浦 OR 北海", "括号没有配对"),
        ("东浦)", "多余的右括号"),
        ("OR", "OR 两边"),
        ("东浦 OR", "OR 两边"),
        ("-", "检索词不完整"),
        ("x" * 2000, "检索式过长"),
        ("，。！", "不含文字"),
    ],
)
def test_malformed_input_gets_a_message(text, message):
    parsed = parse_query(text)
    assert any(message in m for m in parsed.messages), parsed.messages


def test_control_characters_are_dropped():
    assert parse_query("\x00水\x07质\u200b").tree == Term("水质")


def test_empty_and_match_all_browse_everything():
    for text in ("", "   ", "*", "*:*", None):
        assert parse_query(text).tree is None


def test_highlight_terms_are_positive_text_terms_longest_first():
    parsed = parse_query("东浦街道 党建 -疫情 source:越城")
    assert parsed.highlight_terms == ["东浦街道", "党建"]


def test_lucene_rendering_for_other_backends():
    assert to_lucene(parse_query('东浦 -"疫情"').tree) == '(text:"东浦" AND NOT (text:"疫情"))'
    assert to_lucene(None) == "*:*"
