"""The SECRET_KEY: from the environment, else a key file made once per DATA_DIR and kept.

Used by ``config/settings.py``. There is no hard-coded key: a laptop gets its own on first start,
a deployment either sets ``SECRET_KEY`` or keeps ``DATA_DIR`` (and so its key) across restarts.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key


def secret_key(*, environ: dict[str, str], path: Path) -> str:
    """Return ``environ["SECRET_KEY"]`` if set, else the key in ``path``, writing a new one there first."""
    if environ.get("SECRET_KEY"):
        return environ["SECRET_KEY"]
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    try:
        _create(path, get_random_secret_key())
    except FileExistsError:
        pass  # another process starting at the same time made it first: use theirs
    except OSError as error:
        raise ImproperlyConfigured(f"Set SECRET_KEY, or let the archive write its key to {path}: {error}") from error
    return _read(path)


def _read(path: Path) -> str:
    key = path.read_text(encoding="ascii").strip()
    if not key:
        raise ImproperlyConfigured(f"{path} is empty: delete it to have a new key made, or set SECRET_KEY.")
    return key


def _create(path: Path, key: str) -> None:
    """Write ``key`` to ``path`` (mode 0600) so that it appears whole or not at all; FileExistsError if it exists.

    The key goes to a private temporary file first, which is then linked to its name: a process
    that finds the name reads a complete key, never one still being written.
    """
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as file:
            file.write(key + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
