"""Tokens in /alerts/tokens/ and the admin: made there, the key shown once, kept only as a hash,
revoked there; a staff reader without the role cannot make one."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from api.models import ApiToken
from api.tokens import digest

pytestmark = pytest.mark.django_db


def test_make_use_and_revoke_a_token_in_alerts(reader):
    client = Client()
    client.force_login(reader)
    made = client.post("/alerts/tokens/new/", {"name": "  周报 脚本 "}, follow=True)
    page = made.content.decode()
    key = re.search(r'<code class="token-key">(gra_[\w-]+)</code>', page).group(1)
    assert "请现在复制保存" in page and "周报 脚本" in page
    token = ApiToken.objects.get(user=reader)
    assert token.key_hash == digest(key) and key not in str(vars(token))  # only the hash is kept
    assert key not in client.get("/alerts/tokens/").content.decode()  # shown once

    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/search").status_code == 200
    assert "还没用过" not in client.get("/alerts/tokens/").content.decode()  # last use shown

    client.post(f"/alerts/tokens/{token.pk}/revoke/")
    assert "已吊销" in client.get("/alerts/tokens/").content.decode()
    assert api.get("/api/v1/search").status_code == 401


def test_a_token_needs_a_name_and_belongs_to_its_owner(reader):
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(reader)
    refused = client.post("/alerts/tokens/new/", {"name": "  "}, follow=True)
    assert "请给令牌起个名字" in refused.content.decode() and not ApiToken.objects.exists()
    other = get_user_model().objects.create_user("other", password="x-test-pw-1010")
    from api.tokens import create_token

    theirs, _ = create_token(user=other, name="别人的")
    assert client.post(f"/alerts/tokens/{theirs.pk}/revoke/").status_code == 404
    assert "别人的" not in client.get("/alerts/tokens/").content.decode()


def test_a_superuser_makes_a_token_in_the_admin_and_sees_its_key_once(admin_client, reader):
    response = admin_client.post(
        "/admin/api/apitoken/add/", {"user": reader.pk, "name": "后台发的", "rate_per_minute": 120}, follow=True
    )
    page = response.content.decode()
    key = re.search(r"令牌（只显示这一次，请现在交给使用者）：(gra_[\w-]+)", page).group(1)
    token = ApiToken.objects.get(name="后台发的")
    assert token.user == reader and token.rate_per_minute == 120 and token.key_hash == digest(key)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/search").status_code == 200
