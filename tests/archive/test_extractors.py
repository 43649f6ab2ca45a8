"""The door to trafilatura and readability-lxml: the versions it was written for, and what it returns."""

from importlib.metadata import version

import pytest

from archive.ingest import extractors

PARAGRAPHS = (
    "5月9日，国务院新闻办举行系列主题新闻发布会，河南省有关负责同志介绍了推动中部地区崛起的相关情况。",
    "今年一季度，全省地区生产总值同比增长4.7%，规模以上工业增加值增长7.9%，固定资产投资增长7.9%。",
    "下一步，河南将坚持把发展经济的着力点放在实体经济上，加快建设现代化产业体系，推动高质量发展。",
)
MENU = "".join(f'<li><a href="/c{i}">栏目{i}</a></li>' for i in range(12))
PAGE = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>河南在新时代中部地区崛起中争先出彩</title></head>
<body><ul class="nav">{MENU}</ul><div class="article"><h1>河南在新时代中部地区崛起中争先出彩</h1>
{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}</div>
<div class="footer"><p>版权所有 人民网</p></div></body></html>"""


def test_the_installed_libraries_are_the_series_the_door_was_written_for():
    for name, series in extractors.WRITTEN_FOR.items():
        installed = version(name)
        assert installed == series or installed.startswith(series + "."), name


@pytest.mark.parametrize(
    "extract",
    [extractors.readability_paragraphs, extractors.trafilatura_paragraphs],
    ids=["readability", "trafilatura"],
)
def test_each_extractor_gives_the_articles_paragraphs_without_the_menu(extract):
    got = extract(PAGE)
    assert [p for p in got if p in PARAGRAPHS] == list(PARAGRAPHS)
    assert not any("栏目" in p for p in got)


@pytest.mark.parametrize("page", ["", "<html></html>", "<html><body><img src='a.png'></body></html>"])
def test_a_page_an_extractor_finds_nothing_in_gives_no_paragraphs(page):
    assert extractors.readability_paragraphs(page) == []
    assert extractors.trafilatura_paragraphs(page) == []


def test_an_unknown_trafilatura_variant_is_refused():
    with pytest.raises(ValueError):
        extractors.trafilatura_paragraphs(PAGE, variant="fast")
