"""Signing in to the admin: five wrong passwords lock that username from that address for a while."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client, override_settings

from archive.roles import CURATORS, ensure_curator_group

from .running import clean_env, resolved_settings

pytestmark = pytest.mark.django_db

PASSWORD = "a-test-only-password-8431"


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    """Forty sign-ins a test: hash with a fast algorithm (what is tested is the counting, not the hash)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def curators():
    ensure_curator_group()
    users = [User.objects.create_user(name, password=PASSWORD, is_staff=True) for name in ("wang", "li")]
    for user in users:
        user.groups.add(Group.objects.get(name=CURATORS))
    return users


def sign_in(username: str, password: str, **meta):
    client = Client(REMOTE_ADDR=meta.pop("REMOTE_ADDR", "203.0.113.5"), **meta)
    response = client.post("/admin/login/?next=/admin/", {"username": username, "password": password})
    return response, client


def signed_in(response, client) -> bool:
    return response.status_code == 302 and client.get("/admin/").status_code == 200


def test_five_wrong_passwords_lock_out_even_the_right_one_with_a_chinese_page(curators):
    for _ in range(4):
        response, _ = sign_in("wang", "wrong")
        assert response.status_code == 200 and "请输入一个正确的" in response.content.decode()
    response, _ = sign_in("wang", "wrong")
    assert response.status_code == 429
    response, client = sign_in("wang", PASSWORD)
    page = response.content.decode()
    assert response.status_code == 429 and not signed_in(response, client)
    assert "登录失败次数过多" in page and "请在 15 分钟后再试" in page and 'class="site-header"' in page


def test_the_lock_leaves_other_usernames_and_other_addresses_alone(curators):
    for _ in range(5):
        sign_in("wang", "wrong", REMOTE_ADDR="203.0.113.5")
    assert signed_in(*sign_in("li", PASSWORD, REMOTE_ADDR="203.0.113.5"))
    assert signed_in(*sign_in("wang", PASSWORD, REMOTE_ADDR="198.51.100.7"))
    assert sign_in("wang", PASSWORD, REMOTE_ADDR="203.0.113.5")[0].status_code == 429


def test_after_the_cool_off_the_right_password_works_again(curators):
    from axes.models import AccessAttempt  # the failures as django-axes keeps them

    for _ in range(5):
        sign_in("wang", "wrong")
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))
    assert signed_in(*sign_in("wang", PASSWORD))


def test_a_successful_sign_in_forgets_the_failures_before_it(curators):
    for _ in range(4):
        sign_in("wang", "wrong")
    assert signed_in(*sign_in("wang", PASSWORD))
    for _ in range(4):
        sign_in("wang", "wrong")
    assert signed_in(*sign_in("wang", PASSWORD))  # eight failures, but never five in a row
    for _ in range(5):
        sign_in("wang", "wrong")
    assert sign_in("wang", PASSWORD)[0].status_code == 429


@override_settings(AXES_CLIENT_IP_CALLABLE="config.client_ip.forwarded_client_ip")
def test_behind_the_proxy_the_forwarded_address_is_locked_and_a_forged_one_does_not_help(curators):
    proxy = {"REMOTE_ADDR": "127.0.0.1"}  # every request arrives from the proxy
    for _ in range(5):
        sign_in("wang", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    # The client forges an address in front; the proxy appends the one it saw.
    forged = sign_in("wang", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.5", **proxy)
    assert forged[0].status_code == 429
    assert signed_in(*sign_in("wang", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy))


def test_the_proxy_setting_takes_the_client_address_from_x_forwarded_for(tmp_path):
    name = "AXES_CLIENT_IP_CALLABLE"
    proxied = resolved_settings(clean_env(tmp_path, BEHIND_TLS_PROXY="1"), name)
    assert proxied == {name: "config.client_ip.forwarded_client_ip"}
    assert resolved_settings(clean_env(tmp_path), name) == {name: None}


def test_only_superusers_see_the_sign_in_attempts_in_the_admin(curators):
    sign_in("wang", "wrong")
    curator = Client()
    curator.force_login(curators[1])
    assert "/admin/axes/" not in curator.get("/admin/").content.decode()
    assert curator.get("/admin/axes/accessattempt/").status_code == 403
    admin = Client()
    admin.force_login(User.objects.create_superuser("root", password=PASSWORD))
    assert "/admin/axes/accessattempt/" in admin.get("/admin/").content.decode()
    assert "wang" in admin.get("/admin/axes/accessattempt/").content.decode()
