"""The client's address behind the TLS proxy (BEHIND_TLS_PROXY), for sign-in throttling (django-axes)."""

from __future__ import annotations

import ipaddress


def forwarded_client_ip(request) -> str | None:
    """Return the last address in X-Forwarded-For, else REMOTE_ADDR.

    A client may send an X-Forwarded-For of its own; the proxy appends the address it saw, so only
    the last entry is the proxy's word. Anything that is not an address is ignored.
    """
    last = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return request.META.get("REMOTE_ADDR")
