"""Posting digests to webhooks: queued in the run's transaction, posted after it, retried with backoff.

A message a robot refuses (an HTTP error, or 企业微信 / 钉钉 answering ``errcode`` other than 0) or
cannot be reached for is tried again after :data:`BACKOFF` (1 minute, then 5, 15, 60, 180, 360).
After :data:`PAUSE_AFTER` failures in a row the webhook is paused and its owner is told by email;
its messages wait until the owner resumes it in /alerts/. The messages of one webhook go in order:
a failed one holds back the ones after it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import time
import urllib.parse
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from alerts import links, robots
from alerts.models import Webhook, WebhookPost

log = logging.getLogger(__name__)

BACKOFF = [timedelta(minutes=m) for m in (1, 5, 15, 60, 180, 360)]
PAUSE_AFTER = 5  # failures in a row
TIMEOUT = 10.0  # seconds for one request


def backoff(attempts: int) -> timedelta:
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


def queue_digest(*, webhook: Webhook, items, total: int, now: datetime) -> list[WebhookPost]:
    """The digest's messages for ``webhook``, stored to be posted (call inside the run's transaction)."""
    saved_search = webhook.saved_search
    bodies = robots.payloads(
        kind=webhook.kind,
        name=saved_search.name,
        items=items,
        total=total,
        search_url=links.absolute(saved_search.search_url()),
        unsubscribe_url=links.unsubscribe_url(saved_search),
    )
    return WebhookPost.objects.bulk_create(
        WebhookPost(webhook=webhook, payload=body, part=i, parts=len(bodies), next_attempt_at=now)
        for i, body in enumerate(bodies, 1)
    )


def resume(*, webhook: Webhook, now: datetime) -> None:
    """Post to the webhook again; what waited goes at the next run."""
    webhook.paused_at, webhook.paused_reason, webhook.failures = None, "", 0
    webhook.save(update_fields=["paused_at", "paused_reason", "failures"])
    webhook.posts.filter(sent_at__isnull=True).update(next_attempt_at=now)


def signed_url(webhook: Webhook) -> str:
    """钉钉's 加签: the time in milliseconds and the HMAC-SHA256 of "time\\nsecret", in the query."""
    if webhook.kind != Webhook.Kind.DINGTALK or not webhook.secret:
        return webhook.url
    timestamp = str(round(time.time() * 1000))
    digest = hmac.new(webhook.secret.encode(), f"{timestamp}\n{webhook.secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{webhook.url}{'&' if '?' in webhook.url else '?'}timestamp={timestamp}&sign={sign}"


def _problem(webhook: Webhook, response: httpx.Response) -> str:
    """Why the receiver did not take the message ("" when it did)."""
    if not response.is_success:
        return f"HTTP {response.status_code}：{response.text[:200]}"
    if webhook.kind in (Webhook.Kind.WECOM, Webhook.Kind.DINGTALK):
        try:
            answer = response.json()
        except ValueError:
            return f"机器人的回复不是 JSON：{response.text[:200]}"
        if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
            return f"机器人回复错误 {answer.get('errcode')}：{str(answer.get('errmsg', ''))[:200]}"
    return ""


def post_pending(*, now: datetime, webhook_ids=None) -> tuple[int, int]:
    """Post every message that is due (of these webhooks); (posted, failed)."""
    posts = WebhookPost.objects.filter(
        sent_at__isnull=True, next_attempt_at__lte=now, webhook__paused_at__isnull=True
    ).select_related("webhook__saved_search__owner")
    if webhook_ids is not None:
        posts = posts.filter(webhook_id__in=webhook_ids)
    posted = failed = 0
    held: set[int] = set()  # webhooks with a failed message in this pass: the later ones wait
    with httpx.Client(timeout=TIMEOUT, headers={"User-Agent": "local-governance-archive-alerts"}) as client:
        for post in posts.order_by("pk"):
            if post.webhook_id in held:
                continue
            if _attempt(post, client=client, now=now):
                posted += 1
            else:
                failed += 1
                held.add(post.webhook_id)
    return posted, failed


def _attempt(post: WebhookPost, *, client: httpx.Client, now: datetime) -> bool:
    webhook = post.webhook
    try:
        error = _problem(webhook, client.post(signed_url(webhook), json=post.payload))
    except httpx.HTTPError as exc:
        error = f"无法连接：{exc}"
    post.attempts += 1
    if not error:
        post.sent_at, post.last_error = now, ""
        post.save(update_fields=["attempts", "sent_at", "last_error"])
        webhook.failures, webhook.last_error, webhook.last_success_at = 0, "", now
        webhook.save(update_fields=["failures", "last_error", "last_success_at"])
        return True
    log.warning("webhook %s: %s", webhook.pk, error)
    post.last_error, post.next_attempt_at = error[:500], now + backoff(post.attempts)
    post.save(update_fields=["attempts", "last_error", "next_attempt_at"])
    webhook.failures += 1
    webhook.last_error = error[:500]
    fields = ["failures", "last_error"]
    if webhook.failures >= PAUSE_AFTER:
        webhook.paused_at = now
        webhook.paused_reason = f"连续 {webhook.failures} 次发送失败，已暂停。最后一次：{error}"[:500]
        fields += ["paused_at", "paused_reason"]
        _tell_owner(webhook)
    webhook.save(update_fields=fields)
    return False


def _tell_owner(webhook: Webhook) -> None:
    saved_search = webhook.saved_search
    owner = saved_search.owner
    if not owner.email:
        return
    body = (
        f"保存的检索“{saved_search.name}”的{webhook.get_kind_display()}（{webhook.host}）"
        f"连续 {webhook.failures} 次没能收下提醒，已暂停向它发送。\n\n"
        f"最后一次的原因：{webhook.last_error}\n\n"
        f"没发出的消息会保留。检查机器人地址后，到“我的订阅”恢复它：{links.absolute(reverse('alerts:list'))}\n"
    )
    subject = f"群机器人已暂停：{saved_search.name} · 地方治理报道档案"
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [owner.email], fail_silently=True)
