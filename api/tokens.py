"""API tokens: made once and shown once; only their SHA-256 is kept, so a leaked database leaks none."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from api.models import ApiToken

PREFIX = "gra_"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_token(*, user, name: str, rate_per_minute: int | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``: (the stored row, the key, which is never stored or shown again)."""
    key = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name.strip() or "未命名", prefix=key[:10], key_hash=digest(key))
    if rate_per_minute:
        token.rate_per_minute = rate_per_minute
    token.save()
    return token, key


def token_for(key: str) -> ApiToken | None:
    """The active token with this key, its use recorded (at most once a minute); None otherwise."""
    if not key.startswith(PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=digest(key)).first()
    if token is None or not token.active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
