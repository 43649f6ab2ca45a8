"""send_alerts: each saved search's new matches, found by the search engine, in one digest by a real
SMTP server; never an article twice; nothing after unsubscribing; a refused message is sent next run."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from alerts import links
from alerts.models import Delivery, SavedSearch
from alerts.services import run_due

from .conftest import SITE

pytestmark = pytest.mark.django_db

MATCHING = [
    {
        "title": "越城区北海街道推进垃圾分类进小区",
        "body": "越城区北海街道组织志愿者入户宣传垃圾分类，居民参与率明显提高。",
        "account": "越城发布",
        "published": "2026-11-20",
    },
    {
        "title": "府山街道垃圾分类督导员上岗",
        "body": "绍兴市越城区府山街道的垃圾分类督导员今天正式上岗，指导居民投放。",
        "account": "越城发布",
        "published": "2026-11-21",
    },
]
NOT_MATCHING = [
    # The word, but in another district.
    {
        "title": "柯城区推进垃圾分类",
        "body": "衢州市柯城区府山街道推进垃圾分类示范小区建设。",
        "account": "柯城发布",
        "published": "2026-11-21",
    },
    # The district, another topic.
    {
        "title": "越城区北海街道开展消防演练",
        "body": "越城区北海街道组织辖区单位开展消防演练。",
        "account": "越城发布",
        "published": "2026-11-22",
    },
]


def _saved(reader, query="q=垃圾分类&district=越城区", **kwargs) -> SavedSearch:
    return SavedSearch.objects.create(owner=reader, name="越城区垃圾分类", query=query, **kwargs)


def _text(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def _titles(message) -> list[str]:
    return re.findall(r"^\d+\. (.+)$", _text(message), flags=re.M)


def test_a_digest_lists_only_the_new_matching_articles_each_once(corpus, reader, mail, ingest):
    saved = _saved(reader)
    call_command("send_alerts", "--now")
    assert mail.messages == []  # what matched before it was saved is not news

    ingest(MATCHING + NOT_MATCHING)
    call_command("send_alerts", "--now")
    assert len(mail.messages) == 1
    message = mail.messages[0]
    assert mail.envelopes[0][1] == ["zhao@example.org"]
    # Python folds the encoded subject onto its own line; readers drop that leading space.
    assert message["Subject"].strip() == "“越城区垃圾分类”有 2 篇新报道 · 地方治理报道档案"
    assert sorted(_titles(message)) == sorted(row["title"] for row in MATCHING)
    html = message.get_body(("html",)).get_content()
    for row in MATCHING:
        assert html.count(row["title"]) == 1
    assert "<mark>垃圾分类</mark>" in html  # the snippet is marked
    text = _text(message)
    assert "越城发布" in text and "2026年11月20日" in text and "北海街道" in text

    # Each article link opens the article.
    article_urls = re.findall(re.escape(SITE) + r"(/articles/\d+/)", text)
    assert len(article_urls) == 2
    client = Client()
    for url in article_urls:
        page = client.get(url)
        assert page.status_code == 200
        assert any(row["title"] in page.content.decode() for row in MATCHING)

    saved.refresh_from_db()
    assert saved.sent_count == 2 and saved.last_run_at is not None and saved.last_error == ""

    call_command("send_alerts", "--now")
    assert len(mail.messages) == 1  # run again: nothing new, nothing sent


def test_an_article_is_not_sent_twice_even_from_an_overlapping_window(corpus, reader, mail, ingest):
    saved = _saved(reader)
    ingest(MATCHING[:1])
    run_due(now=timezone.now(), everything=True)
    # The next window starts before the last run (LOOKBACK): the article is in it again.
    ingest(MATCHING[1:])
    run_due(now=timezone.now(), everything=True)
    assert [_titles(m) for m in mail.messages] == [[MATCHING[0]["title"]], [MATCHING[1]["title"]]]
    assert Delivery.objects.filter(saved_search=saved).count() == 2


def test_a_message_the_server_refuses_is_recorded_and_sent_by_the_next_run(corpus, reader, mail, ingest, settings):
    saved = _saved(reader)
    ingest(MATCHING)
    settings.EMAIL_PORT = 9  # nothing listens there: the message cannot go
    outcomes = run_due(now=timezone.now(), everything=True)
    assert outcomes[0].error.startswith("发送失败")
    saved.refresh_from_db()
    assert saved.last_error.startswith("发送失败") and saved.sent_count == 0
    assert not Delivery.objects.exists()  # nothing recorded as sent

    settings.EMAIL_PORT = mail.port
    run_due(now=timezone.now(), everything=True)
    assert sorted(_titles(mail.messages[0])) == sorted(row["title"] for row in MATCHING)
    saved.refresh_from_db()
    assert saved.last_error == "" and saved.sent_count == 2


def test_the_unsubscribe_link_pauses_the_search_and_nothing_is_sent_after(corpus, reader, mail, ingest):
    _saved(reader)
    ingest(MATCHING[:1])
    call_command("send_alerts", "--now")
    message = mail.messages[0]
    unsubscribe = re.search(r"<([^>]+)>", message["List-Unsubscribe"]).group(1)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in _text(message)
    path = unsubscribe.removeprefix(SITE)

    client = Client(enforce_csrf_checks=True)  # a mail program's one-click POST carries no CSRF token
    page = client.get(path)
    assert "要暂停保存的检索“越城区垃圾分类”的提醒吗？" in page.content.decode()
    done = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "已暂停“越城区垃圾分类”的提醒" in done.content.decode()

    ingest(MATCHING[1:])
    call_command("send_alerts", "--now")
    assert len(mail.messages) == 1


def test_a_changed_unsubscribe_link_is_refused(corpus, reader):
    saved = _saved(reader)
    token = links.token(saved, links.UNSUBSCRIBE)
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = Client().post(f"/alerts/unsubscribe/{forged}/")
    assert response.status_code == 404 and "退订链接不完整或已失效" in response.content.decode()
    # A feed link is not an unsubscribe link.
    feed_token = links.token(saved, links.FEED)
    assert Client().post(f"/alerts/unsubscribe/{feed_token}/").status_code == 404
    saved.refresh_from_db()
    assert not saved.paused


def test_daily_and_weekly_searches_run_once_their_period_has_passed(corpus, reader, mail, ingest):
    now = timezone.now()
    daily = _saved(reader, frequency=SavedSearch.Frequency.DAILY)
    weekly = _saved(reader, frequency=SavedSearch.Frequency.WEEKLY)
    SavedSearch.objects.filter(pk__in=[daily.pk, weekly.pk]).update(last_run_at=now - timedelta(hours=2))
    ingest(MATCHING)
    assert run_due(now=timezone.now()) == []  # neither is due
    assert [o.saved_search_id for o in run_due(now=now + timedelta(days=1))] == [daily.pk]
    assert [o.saved_search_id for o in run_due(now=now + timedelta(days=7))] == [daily.pk, weekly.pk]
    assert {len(_titles(m)) for m in mail.messages} == {2}


def test_a_search_without_conditions_sends_every_new_article(corpus, reader, mail, ingest):
    _saved(reader, query="")
    ingest(MATCHING + NOT_MATCHING)
    call_command("send_alerts", "--now")
    assert sorted(_titles(mail.messages[0])) == sorted(r["title"] for r in MATCHING + NOT_MATCHING)


def test_an_article_hidden_and_published_again_is_not_sent_again(corpus, reader, mail, ingest):
    """Even when it was sent before the next run's window: it would be found again, refused by the
    unique row, and block the saved search."""
    from archive import curation
    from archive.models import Article

    saved = _saved(reader)
    ingest(MATCHING[:1])
    call_command("send_alerts", "--now")
    Delivery.objects.update(sent_at=saved.created_at - timedelta(hours=1))  # before the next run's window
    article = Article.objects.get(title=MATCHING[0]["title"])
    curation.set_status([article], Article.Status.HIDDEN)
    curation.set_status([Article.objects.get(pk=article.pk)], Article.Status.PUBLISHED)  # made public again
    ingest(MATCHING[1:])
    outcomes = run_due(now=timezone.now(), everything=True)
    assert outcomes[0].error == "" and outcomes[0].sent == 1
    assert [_titles(m) for m in mail.messages] == [[MATCHING[0]["title"]], [MATCHING[1]["title"]]]
