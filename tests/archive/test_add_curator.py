"""`manage.py add_curator NAME`: a new curator's password must pass the site's password rules."""

from __future__ import annotations

import getpass

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from archive.roles import is_curator

pytestmark = pytest.mark.django_db


def test_a_weak_password_is_refused_with_the_rules_it_breaks_and_nobody_is_created(monkeypatch):
    monkeypatch.setenv("CURATOR_PASSWORD", "1")
    with pytest.raises(CommandError) as refused:
        call_command("add_curator", "wang")
    message = str(refused.value)
    assert "密码长度太短。密码必须包含至少 8 个字符。" in message
    assert "这个密码太常见了。" in message and "密码只包含数字。" in message
    assert not get_user_model().objects.filter(username="wang").exists()


def test_a_password_like_the_username_is_refused(monkeypatch):
    monkeypatch.setenv("CURATOR_PASSWORD", "wangxiaoming1")
    with pytest.raises(CommandError, match="密码跟 用户名 太相似了。"):
        call_command("add_curator", "wangxiaoming")
    assert not get_user_model().objects.exists()


def test_a_weak_password_typed_at_the_prompt_is_refused(monkeypatch):
    monkeypatch.delenv("CURATOR_PASSWORD", raising=False)
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": "12345678")  # the terminal, typed twice
    with pytest.raises(CommandError, match="这个密码太常见了。"):
        call_command("add_curator", "wang")
    assert not get_user_model().objects.exists()


def test_a_good_password_from_the_environment_makes_a_curator_who_can_sign_in(monkeypatch):
    monkeypatch.setenv("CURATOR_PASSWORD", "a-test-only-password-8431")
    call_command("add_curator", "wang")
    user = get_user_model().objects.get(username="wang")
    assert user.check_password("a-test-only-password-8431") and user.is_staff and is_curator(user)
