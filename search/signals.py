"""Keep the search index in step with the database, after each transaction commits.

A curator's edit, hide or delete of an article (or of its places) is queued and written to the
index in one batch once the transaction commits; a rolled-back transaction changes nothing.
Ingest sends :data:`archive.signals.articles_stored` after each committed batch.
"""

from __future__ import annotations

import logging
import threading

from django.db import transaction
from django.db.models import signals
from haystack.signals import BaseSignalProcessor

from archive.models import Article, ArticlePlace
from archive.signals import articles_stored
from search import indexing

log = logging.getLogger(__name__)


class ArticleSignalProcessor(BaseSignalProcessor):
    def __init__(self, *args, **kwargs):
        self._pending = threading.local()
        super().__init__(*args, **kwargs)

    def setup(self):
        signals.post_save.connect(self.article_changed, sender=Article)
        signals.post_delete.connect(self.article_changed, sender=Article)
        signals.post_save.connect(self.place_changed, sender=ArticlePlace)
        signals.post_delete.connect(self.place_changed, sender=ArticlePlace)
        articles_stored.connect(self.articles_stored)

    def teardown(self):
        signals.post_save.disconnect(self.article_changed, sender=Article)
        signals.post_delete.disconnect(self.article_changed, sender=Article)
        signals.post_save.disconnect(self.place_changed, sender=ArticlePlace)
        signals.post_delete.disconnect(self.place_changed, sender=ArticlePlace)
        articles_stored.disconnect(self.articles_stored)

    def article_changed(self, sender, instance, **kwargs):
        self._queue(instance.pk)

    def place_changed(self, sender, instance, **kwargs):
        self._queue(instance.article_id)

    def articles_stored(self, sender, ids, unchanged=(), **kwargs):
        indexing.sync_articles(ids)
        if unchanged:
            indexing.index_missing(unchanged)

    def _queue(self, pk):
        connection = transaction.get_connection()
        if not connection.in_atomic_block:
            self._sync({pk})  # autocommit: the change is already committed
            return
        pending = getattr(self._pending, "ids", None)
        # A rolled-back transaction drops our callback; then start a new batch.
        registered = any(entry[1] == self._flush for entry in connection.run_on_commit)
        if pending is not None and registered:
            pending.add(pk)
            return
        self._pending.ids = {pk}
        transaction.on_commit(self._flush)

    def _flush(self):
        ids, self._pending.ids = self._pending.ids or set(), None
        self._sync(ids)

    @staticmethod
    def _sync(ids):
        try:
            indexing.sync_articles(ids)
        except Exception:
            # The database change stands; `manage.py update_index` brings the index back in step.
            log.exception("could not update the search index for articles %s", sorted(ids))
