"""Gunicorn's settings for serving the archive (``gunicorn -c config/gunicorn.py config.wsgi``).

Sized from the machine by default; every figure can be set from the environment:

* ``BIND`` (default ``127.0.0.1:8000``): where to listen;
* ``WEB_WORKERS`` (default: one per usable core): processes, each with its own copy of the search
  arrays (about the figure the README gives per 10,000 articles);
* ``WEB_THREADS`` (default 4): threads per process; they share that process's copy;
* ``WEB_TIMEOUT`` (default 60 s): a request taking longer is cut off and its worker restarted;
* ``FORWARDED_ALLOW_IPS``: the proxy's address when behind one (gunicorn's own setting).
"""

import os

# SQLite's page cache is per connection, and each web thread holds one: 8 MiB each instead of the
# 64 MiB that suits an ingest (a web process grew by the difference for each thread).
os.environ.setdefault("SQLITE_CACHE_KIB", "8192")


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_WORKERS") or _cores())
threads = int(os.environ.get("WEB_THREADS") or 4)
worker_class = "gthread"
timeout = int(os.environ.get("WEB_TIMEOUT") or 60)
graceful_timeout = 20
keepalive = 5
# Requests larger than these are refused by gunicorn before Django sees them.
limit_request_line = 8190
limit_request_fields = 100
accesslog = os.environ.get("ACCESS_LOG") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Gunicorn's control socket is one path per user: two archives on one machine would share it.
control_socket_disable = True
