"""Who calls the API: a bearer token (``Authorization: Bearer gra_…``), a signed-in user's session
(the site's own pages), or nobody (anonymous, at a lower rate). A token that is wrong or revoked is
refused, never taken for anonymous use."""

from __future__ import annotations

from ninja.security import HttpBearer, SessionAuth

from api.tokens import token_for


class BearerToken(HttpBearer):
    openapi_description = "接口令牌：请求头 Authorization: Bearer gra_…（在“我的订阅”页面或管理后台创建）。"

    def authenticate(self, request, token):
        return token_for(token)


class Anonymous:
    """No ``Authorization`` header at all: anonymous use."""

    openapi_type = None

    def __call__(self, request):
        if request.META.get("HTTP_AUTHORIZATION"):
            return None
        return ANONYMOUS


class _AnonymousCaller:
    """``request.auth`` of an anonymous call (truthy, so that Ninja lets it through)."""

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return "anonymous"


ANONYMOUS = _AnonymousCaller()


class SignedIn(SessionAuth):
    """A signed-in, active user of the site (their session cookie; POSTs need the CSRF token)."""


def caller_user(request):
    """The user behind the call (a token's owner or the session's user), or None when anonymous."""
    auth = getattr(request, "auth", None)
    if auth is ANONYMOUS or auth is None:
        return None
    return getattr(auth, "user", None) or (auth if getattr(auth, "is_authenticated", False) else None)
