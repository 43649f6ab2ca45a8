"""Digests to group robots on a real HTTP server on 127.0.0.1: 企业微信 and 钉钉 markdown within their
size limits (split, every article once), 钉钉's 加签, a generic JSON body; a refused message is
retried with backoff, and a webhook that keeps failing is paused and its owner told."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from alerts import webhooks
from alerts.models import Delivery, SavedSearch, Webhook, WebhookPost
from alerts.services import run_due
from tests.webhooks import webhook_receiver

from .conftest import SITE
from .test_send_alerts import MATCHING

pytestmark = pytest.mark.django_db

MANY = [
    {
        "title": f"越城区垃圾分类工作简报第{i}期",
        "body": f"越城区第{i}期垃圾分类工作简报。"
        + "各街道持续推进垃圾分类，督导员入户宣传，居民分类投放准确率提高。" * 8,
        "account": "越城发布",
        "published": f"2026-10-{i % 28 + 1:02d}",
    }
    for i in range(1, 41)
]


def _saved(reader, *, email=False) -> SavedSearch:
    return SavedSearch.objects.create(
        owner=reader, name="越城区垃圾分类", query="q=垃圾分类&district=越城区", email=email, frequency="ingest"
    )


def _markdown(post) -> str:
    return post.body["markdown"].get("content") or post.body["markdown"]["text"]


def test_wecom_gets_a_markdown_digest_split_within_4096_bytes_every_article_once(corpus, reader, ingest, settings):
    settings.SITE_URL = SITE
    saved = _saved(reader)
    with webhook_receiver() as robot:
        Webhook.objects.create(saved_search=saved, kind="wecom", url=robot.url)
        ingest(MANY)
        run_due(now=timezone.now(), everything=True)
    assert len(robot.posts) > 1  # 40 articles do not fit one message
    assert {post.query["key"] for post in robot.posts} == {"test-key"}
    contents = [_markdown(post) for post in robot.posts]
    for number, content in enumerate(contents, 1):
        assert robot.posts[number - 1].body["msgtype"] == "markdown"
        assert len(content.encode("utf-8")) <= 4096
        assert content.startswith(f"### 地方治理报道档案：“越城区垃圾分类”有 40 篇新报道（{number}/{len(contents)}）")
        assert "[退订](" + SITE + "/alerts/unsubscribe/" in content
    listed = re.findall(r"^\d+\. \[(.+?)\]\((\S+)\)$", "\n".join(contents), flags=re.M)
    assert sorted(title for title, _ in listed) == sorted(row["title"] for row in MANY)
    assert all(url.startswith(SITE + "/articles/") for _, url in listed)
    assert Delivery.objects.filter(saved_search=saved).count() == 40


def test_dingtalk_messages_are_signed_and_within_its_limits(corpus, reader, ingest, settings):
    settings.SITE_URL = SITE
    saved = _saved(reader)
    secret = "SECtest0123456789"
    with webhook_receiver() as robot:
        Webhook.objects.create(saved_search=saved, kind="dingtalk", url=robot.url, secret=secret)
        ingest(MANY)
        run_due(now=timezone.now(), everything=True)
    assert robot.posts
    for post in robot.posts:
        timestamp = post.query["timestamp"]
        expected = base64.b64encode(
            hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
        ).decode()
        assert post.query["sign"] == expected and post.query["key"] == "test-key"
        text = _markdown(post)
        assert len(text) <= 5000 and len(text.encode("utf-8")) <= 20000
        assert post.body["markdown"]["title"] == "地方治理报道档案：越城区垃圾分类"
    listed = re.findall(r"^\d+\. \[(.+?)\]", "\n".join(_markdown(p) for p in robot.posts), flags=re.M)
    assert sorted(listed) == sorted(row["title"] for row in MANY)


def test_a_json_webhook_gets_the_articles_as_data(corpus, reader, ingest, settings):
    settings.SITE_URL = SITE
    saved = _saved(reader)
    with webhook_receiver() as robot:
        Webhook.objects.create(saved_search=saved, kind="json", url=robot.url)
        ingest(MATCHING)
        run_due(now=timezone.now(), everything=True)
    (post,) = robot.posts
    assert post.body["total"] == 2 and post.body["saved_search"]["name"] == "越城区垃圾分类"
    articles = post.body["articles"]
    assert sorted(a["title"] for a in articles) == sorted(r["title"] for r in MATCHING)
    first = next(a for a in articles if a["title"] == MATCHING[0]["title"])
    assert first["published"] == "2026-11-20" and first["source"] == "越城发布" and "北海街道" in first["places"]
    assert "垃圾分类" in first["snippet"] and first["url"].startswith(SITE + "/articles/")


def test_a_refused_message_is_retried_with_backoff_then_the_webhook_is_paused(corpus, reader, ingest, mail):
    saved = _saved(reader)
    now = timezone.now()
    with webhook_receiver() as robot:
        hook = Webhook.objects.create(saved_search=saved, kind="wecom", url=robot.url)
        robot.answers = [(200, {"errcode": 93000, "errmsg": "invalid webhook url"})] + [(502, {})] * 10
        ingest(MATCHING)
        run_due(now=now, everything=True)
        post = WebhookPost.objects.get(webhook=hook)
        assert post.sent_at is None and post.attempts == 1 and "93000" in post.last_error
        assert post.next_attempt_at == now + timedelta(minutes=1)
        assert Delivery.objects.filter(saved_search=saved).count() == 2  # the digest is made, waiting to go

        run_due(now=now + timedelta(seconds=30))  # not yet due again
        assert len(robot.posts) == 1

        listing = Client()
        listing.force_login(reader)
        page = listing.get("/alerts/").content.decode()
        assert "发送失败 1 次，会自动重试" in page and "待发送 1 条" in page

        moment = now
        for attempt in range(2, webhooks.PAUSE_AFTER + 1):
            moment += webhooks.backoff(attempt - 1)
            run_due(now=moment)
        assert len(robot.posts) == webhooks.PAUSE_AFTER
        hook.refresh_from_db()
        assert hook.paused and hook.paused_reason.startswith("连续 5 次发送失败")
        run_due(now=moment + timedelta(days=1))
        assert len(robot.posts) == webhooks.PAUSE_AFTER  # paused: no more tries

        (told,) = mail.messages
        assert told["Subject"].strip() == "群机器人已暂停：越城区垃圾分类 · 地方治理报道档案"
        assert "HTTP 502" in told.get_body(("plain",)).get_content()
        assert "已暂停。" in listing.get("/alerts/").content.decode()

        # Resumed by its owner: the waiting message goes at the next run.
        listing.post(f"/alerts/webhooks/{hook.pk}/resume/")
        robot.answers = []
        run_due(now=timezone.now())
        post.refresh_from_db()
        assert post.sent_at is not None and len(robot.posts) == webhooks.PAUSE_AFTER + 1
        hook.refresh_from_db()
        assert hook.failures == 0 and not hook.paused


def test_webhooks_are_added_and_removed_on_the_edit_page(corpus, reader):
    saved = _saved(reader)
    client = Client()
    client.force_login(reader)
    refused = client.post(f"/alerts/{saved.pk}/webhooks/", {"kind": "wecom", "url": "不是地址"})
    assert refused.status_code == 400 and "地址应以 http:// 或 https:// 开头。" in refused.content.decode()
    refused = client.post(
        f"/alerts/{saved.pk}/webhooks/", {"kind": "wecom", "url": "https://x.example/", "secret": "S"}
    )
    assert "只有钉钉机器人需要加签密钥。" in refused.content.decode()
    client.post(
        f"/alerts/{saved.pk}/webhooks/",
        {"kind": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=t"},
    )
    hook = Webhook.objects.get(saved_search=saved)
    page = client.get(f"/alerts/{saved.pk}/").content.decode()
    assert "钉钉自定义机器人（oapi.dingtalk.com）" in page and "access_token=t" not in page  # the key stays hidden
    client.post(f"/alerts/webhooks/{hook.pk}/delete/")
    assert not Webhook.objects.exists()


def test_markup_in_a_title_reaches_the_robot_as_text(corpus, reader, ingest, settings):
    settings.SITE_URL = SITE
    saved = _saved(reader)
    tricky = {**MATCHING[0], "title": "越城区垃圾分类[通知]**重要** <b>#1</b> _启动_"}
    with webhook_receiver() as robot:
        Webhook.objects.create(saved_search=saved, kind="wecom", url=robot.url)
        ingest([tricky])
        run_due(now=timezone.now(), everything=True)
    content = _markdown(robot.posts[0])
    assert "［通知］＊＊重要＊＊ ＜b＞＃1＜/b＞ ＿启动＿" in content
    assert re.search(r"^1\. \[[^\[\]]+\]\(" + re.escape(SITE) + r"/articles/\d+/\)$", content, flags=re.M)


def test_the_admin_shows_waiting_messages_and_resumes_a_paused_robot(corpus, reader, admin_client):
    saved = _saved(reader)
    hook = Webhook.objects.create(
        saved_search=saved, kind="dingtalk", url="http://127.0.0.1:9/robot", paused_at=timezone.now(), failures=5
    )
    WebhookPost.objects.create(webhook=hook, payload={}, next_attempt_at=timezone.now() + timedelta(hours=6))
    hook.last_error = "HTTP 502：bad gateway"
    hook.save()
    listing = admin_client.get("/admin/alerts/webhook/").content.decode()
    assert "HTTP 502：bad gateway" in listing and "127.0.0.1" in listing
    assert admin_client.get("/admin/alerts/webhookpost/?sent_at__isempty=1").status_code == 200
    admin_client.post("/admin/alerts/webhook/", {"action": "resume", "_selected_action": [hook.pk]})
    hook.refresh_from_db()
    assert not hook.paused and hook.failures == 0
    assert WebhookPost.objects.get().next_attempt_at <= timezone.now()
