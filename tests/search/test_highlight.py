from search.highlight import mark, snippet


def test_terms_are_marked_and_text_escaped():
    html = mark("<b>东浦</b>街道 & 东浦社区", ["东浦"])
    assert html == "&lt;b&gt;<mark>东浦</mark>&lt;/b&gt;街道 &amp; <mark>东浦</mark>社区"


def test_longer_term_wins_over_its_part():
    assert mark("东浦街道", ["东浦", "东浦街道"]) == "<mark>东浦街道</mark>"


def test_full_width_and_case_fold_like_the_index():
    assert mark("ＡＢＣ全角 abc", ["abc"]) == "<mark>ＡＢＣ</mark>全角 <mark>abc</mark>"


def test_snippet_is_a_window_around_the_terms():
    text = "前言。" * 100 + "北海街道党工委召开会议" + "后记。" * 100
    html = snippet(text, ["党工委"], width=60)
    assert "<mark>党工委</mark>" in html
    assert html.startswith("…") and html.endswith("…")
    assert len(html.replace("<mark>", "").replace("</mark>", "")) <= 62


def test_snippet_without_terms_is_the_beginning():
    assert snippet("第一段。\n\n第二段。", []) == "第一段。 第二段。"
