"""Email goes through Django's backend, configured from the environment with Django's own names."""

from __future__ import annotations

from django.core import mail

from tests.config.running import clean_env, resolved_settings
from tests.smtp import smtp_server

NAMES = (
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "DEFAULT_FROM_EMAIL",
    "EMAIL_FILE_PATH",
)


def test_the_embedded_default_prints_messages(tmp_path):
    got = resolved_settings(clean_env(tmp_path), *NAMES)
    assert got["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert got["DEFAULT_FROM_EMAIL"].startswith("地方治理报道档案")


def test_every_email_setting_is_read_from_the_environment(tmp_path):
    env = clean_env(
        tmp_path,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="smtp.example.cn",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="archive",
        EMAIL_HOST_PASSWORD="s3cret",
        EMAIL_USE_TLS="1",
        DEFAULT_FROM_EMAIL="档案 <alerts@example.cn>",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
    )
    assert resolved_settings(env, *NAMES) == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.cn",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "archive",
        "EMAIL_HOST_PASSWORD": "s3cret",
        "EMAIL_USE_TLS": True,
        "DEFAULT_FROM_EMAIL": "档案 <alerts@example.cn>",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }


def test_a_chinese_message_with_text_and_html_reaches_a_real_smtp_server(settings):
    with smtp_server() as (host, port, inbox):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = host, port
        message = mail.EmailMultiAlternatives(
            subject="新报道：垃圾分类（越城区）",
            body="东浦街道开展垃圾分类宣传。",
            from_email="地方治理报道档案 <archive@localhost>",
            to=["staff@example.cn"],
        )
        message.attach_alternative("<p>东浦街道开展<b>垃圾分类</b>宣传。</p>", "text/html")
        assert message.send() == 1
    (received,) = inbox.messages
    assert received["Subject"] == "新报道：垃圾分类（越城区）"
    assert inbox.envelopes == [("archive@localhost", ["staff@example.cn"])]
    plain = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert "东浦街道开展垃圾分类宣传。" in plain and "<b>垃圾分类</b>" in html
