"""Residue end to end: the real pipeline and database, a 2020 WeChat article as a dump and as its page."""

import pytest

from archive.ingest.pipeline import ingest_paths
from archive.models import Article

pytestmark = pytest.mark.django_db


def test_a_2020_dump_and_the_same_articles_page_are_one_article(test_data, client):
    ingest_paths([test_data / "yuechengfabu_2020-07-15.html"])
    ingest_paths([test_data / "yuechengfabu_2020-07-15.dump.txt"])

    page, dump = Article.objects.order_by("pk")
    assert dump.raw_format == "dump" and page.raw_format == "wechat_html"
    assert dump.body == page.body
    assert dump.duplicate_of == page
    assert list(Article.objects.public()) == [page]
    shown = client.get(page.get_absolute_url()).content.decode()
    assert "已同步到看一看" not in shown and "上一页" not in shown
    assert "下一步，府山街道将继续推进剩余5个小区的改造工作" in shown
