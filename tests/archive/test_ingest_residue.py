"""Residue end to end: the real pipeline and database, a 2020 WeChat article as a dump and as its page."""

import pytest

from archive.ingest.pipeline import ingest_paths
from archive.ingest.report import run_summary, summary_lines
from archive.models import Article, IngestRun

pytestmark = pytest.mark.django_db


def test_a_2020_dump_and_the_same_articles_page_are_one_article(test_data, client):
    ingest_paths([test_data / "yuechengfabu_2020-07-15.html"])
    ingest_paths([test_data / "yuechengfabu_2020-07-15.dump.txt"])

    page, dump = Article.objects.order_by("pk")
    assert dump.raw_format == "dump" and page.raw_format == "wechat_html"
    assert dump.body == page.body
    assert dump.content_hash == page.content_hash  # an exact duplicate, not merely a near one
    assert dump.duplicate_of == page
    assert list(Article.objects.public()) == [page]
    shown = client.get(page.get_absolute_url()).content.decode()
    assert "已同步到看一看" not in shown and "上一页" not in shown
    assert "下一步，府山街道将继续推进剩余5个小区的改造工作" in shown


# -- the corpus signal ---------------------------------------------------------------------------

ACCOUNTS = ["越城发布", "柯城发布", "千岛湖发布", "府山街道", "东浦街道"]
NEW_UI = "轻触此处打开视频号直播预约"  # a future generation's UI line, in no known list
OWN_SIGN_OFF = "越城发布 与你同行"  # one account's sign-off under all of its posts
QUOTED = "绿水青山就是金山银山"  # widely quoted, ends like a heading: from one account only here
# In every article of every account, but prose: a quoted sentence and a numbered heading.
EVERYWHERE = ["要把群众的小事当作自己的大事。", "一、提高政治站位"]


def feed(n: int) -> list[dict]:
    """n different articles, spread over five accounts, each ending with the new UI line."""
    records = []
    for k in range(n):
        account = ACCOUNTS[k % len(ACCOUNTS)]
        paragraphs = [
            f"第{k}次议事会上，{account}辖区居民围绕第{k}号小区的停车难题展开讨论，形成了解决方案。",
            *EVERYWHERE,
        ]
        if account == "越城发布":
            paragraphs.append(OWN_SIGN_OFF)
            paragraphs.append(QUOTED)
        paragraphs.append(NEW_UI)
        records.append(
            {
                "title": f"第{k}号小区议事会纪实",
                "body": "\n\n".join(paragraphs),
                "account": account,
                "published": "2023-05-01",
                "url": f"https://example.com/{k}",
            }
        )
    return records


def test_a_line_many_accounts_print_is_cut_and_one_accounts_lines_stay(tmp_path):
    from archive.ingest.template_lines import MIN_RECORDS
    from archive.models import TemplateLine
    from tests.conftest import write_jsonl

    summary = ingest_paths([write_jsonl(tmp_path / "feed.jsonl", feed(MIN_RECORDS))])

    assert Article.objects.count() == MIN_RECORDS
    for article in Article.objects.all():
        assert NEW_UI not in article.body
        assert article.body.startswith("第") and article.body.split("\n\n")[1:3] == EVERYWHERE
        assert NEW_UI in article.raw  # the raw record stays
    yuecheng = Article.objects.filter(source__name="越城发布")
    assert yuecheng.count() == MIN_RECORDS // len(ACCOUNTS)
    for article in yuecheng:
        assert article.body.split("\n\n")[1:] == [*EVERYWHERE, OWN_SIGN_OFF, QUOTED]
    assert summary.template_lines_cut == {NEW_UI: MIN_RECORDS}
    # The curator sees what was cut, and how often, in the summary the command prints and the admin shows.
    shown = [line.text for line in summary_lines(run_summary(IngestRun.objects.get(pk=summary.run_id)))]
    assert f"    “{NEW_UI}” × {MIN_RECORDS}" in shown
    line = TemplateLine.objects.get(text=NEW_UI)
    assert (line.records, line.accounts) == (MIN_RECORDS, len(ACCOUNTS))


def test_counting_is_per_distinct_article_so_reingest_and_reposts_do_not_make_template(tmp_path):
    from archive.ingest.template_lines import MIN_RECORDS
    from archive.models import TemplateLine
    from tests.conftest import write_jsonl

    few = feed(MIN_RECORDS - 1)
    path = write_jsonl(tmp_path / "few.jsonl", few)
    ingest_paths([path])
    ingest_paths([path])  # the same file again
    reposts = [dict(few[0], account=name, url=f"https://example.com/repost/{name}") for name in ACCOUNTS * 3]
    ingest_paths([write_jsonl(tmp_path / "reposts.jsonl", reposts)])  # one article, many copies

    assert TemplateLine.objects.get(text=NEW_UI).records == MIN_RECORDS - 1
    assert all(NEW_UI in a.body for a in Article.objects.all())


def test_cleaning_again_cuts_the_lines_that_became_template_after_an_article_was_stored(tmp_path):
    from io import StringIO

    from django.core.management import call_command

    from archive.ingest.template_lines import MIN_RECORDS
    from tests.conftest import write_jsonl

    records = feed(MIN_RECORDS + 5)
    ingest_paths([write_jsonl(tmp_path / "early.jsonl", records[:10])], index=False)
    ingest_paths([write_jsonl(tmp_path / "late.jsonl", records[10:])], index=False)
    early = Article.objects.filter(title__in=[r["title"] for r in records[:10]])
    assert all(NEW_UI in a.body for a in early)  # stored before the line reached the thresholds
    assert not any(NEW_UI in a.body for a in Article.objects.exclude(pk__in=early))

    out, err = StringIO(), StringIO()
    call_command("reclean", "--all", stdout=out, stderr=err)
    assert not any(NEW_UI in a.body for a in Article.objects.all())
    assert all(a.body.split("\n\n")[1:3] == EVERYWHERE for a in Article.objects.all())
    total = len(records)
    assert f"Cleaned {total} articles again: 10 changed, {total - 10} unchanged, 0 left as they were" in out.getvalue()
    # The change is in each article's field history, with its reason.
    for article in early:
        assert article.history.first().history_change_reason == "从原始记录重新清理"


def test_reclean_of_an_unknown_source_is_an_error_that_changes_nothing():
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No source with id 999"):
        call_command("reclean", "--source", "999")


def test_curators_see_which_lines_are_cut_as_template_and_why(tmp_path, client):
    import html
    import re

    from archive.ingest.template_lines import MIN_RECORDS
    from tests.archive.test_admin_ingest import make_staff
    from tests.conftest import write_jsonl

    ingest_paths([write_jsonl(tmp_path / "feed.jsonl", feed(MIN_RECORDS))], index=False)
    client.force_login(make_staff("curator", curator=True))

    def listing(**params) -> str:
        response = client.get("/admin/archive/templateline/", params)
        assert response.status_code == 200
        return html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))

    cut = listing(template="yes")
    assert NEW_UI in cut and f"删去：见于 {MIN_RECORDS} 篇报道、{len(ACCOUNTS)} 个账号" in cut
    assert OWN_SIGN_OFF not in cut
    kept = listing(template="no")
    assert OWN_SIGN_OFF in kept and "保留：见于 4 篇报道、1 个账号，未达门槛" in kept
    assert NEW_UI not in kept
    assert "模板行" in listing() and "报道数" in listing()
    # Read only: the counts are ingest's, not a curator's to edit.
    line = client.get(f"/admin/archive/templateline/{template_line_pk(NEW_UI)}/change/").content.decode()
    assert 'name="records"' not in line


def template_line_pk(text: str) -> int:
    from archive.models import TemplateLine

    return TemplateLine.objects.get(text=text).pk
