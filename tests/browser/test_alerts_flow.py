"""A staff reader's alerts end to end, in a real browser against the archive as `make run` serves it:
sign in, save a search from the search page, new articles are ingested, ``send_alerts`` mails the
matching ones (read back from a real SMTP server) and their links open; a second run sends nothing;
the unsubscribe link pauses it and nothing is sent after; the group robot added on its page gets the
same digest in 企业微信's markdown."""

from __future__ import annotations

import re
import time
import urllib.parse
import urllib.request

import pytest

from tests.alerts.test_send_alerts import MATCHING, NOT_MATCHING
from tests.conftest import write_jsonl
from tests.smtp import smtp_server
from tests.webhooks import webhook_receiver

pytestmark = pytest.mark.browser

READER = ("reader-sun", "a-test-only-password-6620")
LATER = {
    "title": "越城区稽山街道垃圾分类积分兑换",
    "body": "越城区稽山街道开展垃圾分类积分兑换活动。",
    "account": "越城发布",
    "published": "2026-11-25",
}


def _wait_until_found(base: str, title: str) -> None:
    """The worker indexes new articles in the background: wait until searching finds this one."""
    url = f"{base}/search/?" + urllib.parse.urlencode({"q": title})
    for _ in range(150):
        if title in urllib.request.urlopen(url, timeout=10).read().decode():
            return
        time.sleep(0.2)
    pytest.fail(f"{title} was not indexed")


def _ingest(site, tmp_path, rows, name):
    result = site.manage("ingest", write_jsonl(tmp_path / name, rows))
    assert result.returncode == 0, result.stderr.decode()
    _wait_until_found(site.base, rows[-1]["title"])


def _send_alerts(site, port) -> str:
    mail = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1"}
    result = site.manage("send_alerts", "--now", env={**mail, "EMAIL_PORT": str(port)})
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode()


def _plain(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_save_a_search_get_each_new_match_once_then_unsubscribe(own_site, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    site = own_site
    made = site.manage("add_user", READER[0], "--email", "sun@example.org", env={"USER_PASSWORD": READER[1]})
    assert made.returncode == 0, made.stderr.decode()

    # The search page's button; signing in on the way.
    browser.get(f"{site.base}/search/?q=垃圾分类&district=越城区")
    browser.find_element(By.LINK_TEXT, "保存检索 / 订阅").click()
    browser.find_element(By.NAME, "username").send_keys(READER[0])
    browser.find_element(By.NAME, "password").send_keys(READER[1])
    browser.find_element(By.CSS_SELECTOR, ".login-form button[type=submit]").click()
    assert "/alerts/new/" in browser.current_url
    conditions = browser.find_element(By.CSS_SELECTOR, "ul.conditions").text
    assert "关键词：垃圾分类" in conditions and "区县：越城区" in conditions
    name = browser.find_element(By.NAME, "name")
    name.clear()
    name.send_keys("越城区垃圾分类")
    browser.find_element(By.XPATH, "//label[contains(., '每次导入后')]/input").click()
    browser.find_element(By.CSS_SELECTOR, ".saved-search-form button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda b: b.current_url.endswith("/alerts/"), browser.page_source)
    row = browser.find_element(By.CSS_SELECTOR, "tr.saved-search")
    assert "越城区垃圾分类" in row.text and "每次导入后" in row.text and "提醒中" in row.text

    with smtp_server() as (_, port, inbox), webhook_receiver() as robot:
        # The office's 企业微信 group robot, added on the saved search's page.
        row.find_element(By.LINK_TEXT, "修改").click()
        Select(browser.find_element(By.NAME, "kind")).select_by_visible_text("企业微信群机器人")
        browser.find_element(By.NAME, "url").send_keys(robot.url)
        browser.find_element(By.CSS_SELECTOR, ".webhook-form button[type=submit]").click()
        WebDriverWait(browser, 10).until(lambda b: "已添加企业微信群机器人" in b.page_source)

        assert "0 messages sent" in _send_alerts(site, port)  # nothing new yet
        _ingest(site, tmp_path, NOT_MATCHING + MATCHING, "new.jsonl")
        _send_alerts(site, port)
        assert len(inbox.messages) == 1
        message = inbox.messages[0]
        assert inbox.envelopes[0][1] == ["sun@example.org"]
        text = _plain(message)
        titles = re.findall(r"^\d+\. (.+)$", text, flags=re.M)
        assert sorted(titles) == sorted(r["title"] for r in MATCHING)  # only the matches, each once
        for url in re.findall(re.escape(site.base) + r"/articles/\d+/", text):
            browser.get(url)
            assert browser.find_element(By.TAG_NAME, "h1").text in titles
        (post,) = robot.posts  # the robot's markdown digest: the same articles
        assert post.body["msgtype"] == "markdown"
        listed = re.findall(r"^\d+\. \[(.+?)\]\((\S+)\)$", post.body["markdown"]["content"], flags=re.M)
        assert sorted(t for t, _ in listed) == sorted(titles)
        assert all(u.startswith(site.base + "/articles/") for _, u in listed)

        _send_alerts(site, port)
        assert len(inbox.messages) == 1 and len(robot.posts) == 1  # run again: nothing sent

        unsubscribe = re.search(r"<([^>]+)>", message["List-Unsubscribe"]).group(1)
        browser.get(unsubscribe)
        browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        assert "已暂停“越城区垃圾分类”的提醒" in browser.find_element(By.CSS_SELECTOR, "p.done").text

        _ingest(site, tmp_path, [LATER], "later.jsonl")
        _send_alerts(site, port)
        assert len(inbox.messages) == 1 and len(robot.posts) == 1  # nothing after unsubscribing

    browser.get(site.base + "/alerts/")
    row = browser.find_element(By.CSS_SELECTOR, "tr.saved-search")
    assert "已暂停（通过邮件中的退订链接暂停）" in row.text and "2 篇" in row.text
