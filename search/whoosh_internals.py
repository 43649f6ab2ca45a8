"""Where the search package depends on Whoosh's private internals, and the version they were written for.

Whoosh 2.7.4 (the last release, 2016) is pinned. The array search (:mod:`search.docsets`,
:mod:`search.postings`, :mod:`search.substring`), the bulk writer (:mod:`search.whoosh_writer`),
the n-gram posting format (:mod:`search.formats`) and the merge policy (:mod:`search.merge`) read
or write Whoosh's files through names that are not its public API (block readers, the postings
writer's state, column files). A different Whoosh could change any of those without a word, and
an index would then be read wrongly rather than fail, so the app refuses to start on a version it
was not written for, as Haystack's own Whoosh backend refuses versions it does not know.
"""

from __future__ import annotations

import whoosh
from django.core.exceptions import ImproperlyConfigured

WRITTEN_FOR = (2, 7, 4)


def check_version(version: tuple | None = None) -> None:
    """Raise ImproperlyConfigured unless Whoosh is the version the private accesses were written for."""
    found = tuple(version if version is not None else whoosh.__version__)[:3]
    if found != WRITTEN_FOR:
        wanted = ".".join(map(str, WRITTEN_FOR))
        raise ImproperlyConfigured(
            f"The search index code was written for Whoosh {wanted} and reads its private internals; "
            f"Whoosh {'.'.join(map(str, found))} is installed. Install Whoosh=={wanted} "
            "(requirements.txt), or check search/whoosh_internals.py's modules against the new version first."
        )
