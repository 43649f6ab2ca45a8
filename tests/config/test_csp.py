"""Every page is served with the Content-Security-Policy (the browser test checks that pages pass it)."""

from __future__ import annotations

from pathlib import Path

import pytest
import simple_history
from django.test import Client

REPO = Path(__file__).resolve().parents[2]

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def directives(header: str) -> dict[str, str]:
    return dict(directive.strip().split(" ", 1) for directive in header.split(";"))


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/search/?q=东浦街道", "/articles/999999/", "/admin/login/"])
def test_pages_are_served_with_the_content_security_policy(client, url):
    assert directives(client.get(url)["Content-Security-Policy"]) == POLICY


@pytest.mark.django_db
def test_a_refused_csrf_check_shows_the_sites_own_page_without_inline_style():
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "x", "password": "y"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "表单已过期" in page and 'class="site-header"' in page
    assert "<style" not in page and "style=" not in page


def test_our_field_history_table_is_django_simple_historys_without_its_style_attribute():
    """The copy in templates/ must follow the installed version: compare again after an upgrade."""
    name = "simple_history/object_history_list.html"
    upstream = (Path(simple_history.__file__).parent / "templates" / name).read_text(encoding="utf-8")
    ours = (REPO / "templates" / name).read_text(encoding="utf-8")
    assert "style=" not in ours
    assert ours.split("\n", 1)[1] == upstream.replace(' style="border-top: 0"', "")
