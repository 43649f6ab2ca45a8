"""Running behind a TLS proxy is one setting (BEHIND_TLS_PROXY=1), after which `check --deploy` is clean."""

from __future__ import annotations

import re

from .running import clean_env, fetch, manage, resolved_settings, served

HOST = "archive.example.org"


def test_behind_a_tls_proxy_check_deploy_finds_no_issue(tmp_path):
    result = manage(clean_env(tmp_path, ALLOWED_HOSTS=HOST, BEHIND_TLS_PROXY="1"), "check", "--deploy")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout, result.stdout + result.stderr


def test_without_the_proxy_setting_only_the_https_checks_warn(tmp_path):
    """Everything but HTTPS is safe by default: DEBUG off, a strong generated key, the safe headers."""
    result = manage(clean_env(tmp_path, ALLOWED_HOSTS=HOST), "check", "--deploy")
    found = set(re.findall(r"\((\w+\.\w+)\)", result.stdout + result.stderr))
    assert found == {"security.W004", "security.W008", "security.W012", "security.W016"}, result.stderr


def test_the_proxy_setting_trusts_forwarded_https_and_allowed_hosts_as_origins(tmp_path):
    env = clean_env(tmp_path, ALLOWED_HOSTS=f"{HOST},.example.net", BEHIND_TLS_PROXY="yes")
    names = ["SECURE_PROXY_SSL_HEADER", "CSRF_TRUSTED_ORIGINS", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE"]
    assert resolved_settings(env, *names) == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "CSRF_TRUSTED_ORIGINS": [f"https://{HOST}", "https://*.example.net"],
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
    }


def test_behind_the_proxy_plain_http_is_redirected_and_https_gets_hsts_and_secure_cookies(tmp_path):
    env = clean_env(tmp_path, ALLOWED_HOSTS=f"{HOST},127.0.0.1", BEHIND_TLS_PROXY="1")
    with served(env) as base:
        status, headers, _ = fetch(base + "/admin/login/", {"Host": HOST, "X-Forwarded-Proto": "http"})
        assert status == 301 and headers["Location"] == f"https://{HOST}/admin/login/"
        status, headers, page = fetch(base + "/admin/login/", {"Host": HOST, "X-Forwarded-Proto": "https"})
    assert status == 200 and 'name="password"' in page
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    csrf = next(c for c in headers.get_all("Set-Cookie") if c.startswith("csrftoken="))
    assert "Secure" in csrf and "HttpOnly" in csrf


def test_pages_carry_the_safe_headers_and_the_csrf_cookie_is_http_only(client, db):
    response = client.get("/admin/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csrf = response.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax" and not csrf["secure"]
