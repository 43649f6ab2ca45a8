"""Per-token and anonymous rate limits of the API: requests per minute, in a shared cache.

A token's own ``rate_per_minute``; anonymous calls get ``API_ANON_RATE_PER_MINUTE`` per client
address. Counted in fixed one-minute windows with the cache's ``incr`` (the ``api`` cache: files
under DATA_DIR by default, shared by every web process; Redis when ``API_CACHE_URL`` says so,
whose ``incr`` is atomic). Ninja's own throttles keep the request's state on a throttle object
that every thread shares, so this one keeps it per thread.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.core.cache import caches
from ninja.throttling import BaseThrottle

from api.models import ApiToken
from config.client_ip import forwarded_client_ip

WINDOW = 60  # seconds


class PerMinute(BaseThrottle):
    def __init__(self):
        self._local = threading.local()

    def limit_and_key(self, request) -> tuple[int, str]:
        auth = getattr(request, "auth", None)
        if isinstance(auth, ApiToken):
            return auth.rate_per_minute, f"token-{auth.pk}"
        user = getattr(auth, "pk", None) and getattr(auth, "is_authenticated", False)
        if user:
            return settings.API_USER_RATE_PER_MINUTE, f"user-{auth.pk}"
        return settings.API_ANON_RATE_PER_MINUTE, f"anon-{forwarded_client_ip(request) or 'unknown'}"

    def allow_request(self, request) -> bool:
        limit, who = self.limit_and_key(request)
        now = time.time()
        window = int(now // WINDOW)
        key = f"api-rate:{who}:{window}"
        cache = caches["api"]
        cache.add(key, 0, timeout=WINDOW * 2)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.set(key, 1, timeout=WINDOW * 2)
            count = 1
        self._local.retry_after = (window + 1) * WINDOW - now
        request.rate_limit = (limit, max(0, limit - count))
        return count <= limit

    def wait(self) -> float | None:
        return getattr(self._local, "retry_after", None)
