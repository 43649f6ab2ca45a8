"""The admin is the same product as the site: one name in its header and its title."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_admin_header_names_the_archive_as_the_site_does(admin_client, client):
    admin = admin_client.get("/admin/").content.decode()
    site = client.get("/").content.decode()
    assert "地方治理报道档案" in site
    assert "地方治理报道档案 · 管理" in admin and "<title>" in admin
    assert "地方政务报道档案" not in admin
