"""Keep the search index in step with the database, after each transaction commits.

A curator's edit, hide or delete of an article (or of its places) is collected and, once the
transaction commits, queued for the background worker as one task (:mod:`search.tasks`); a
rolled-back transaction queues nothing, and the request never waits for the index. Ingest sends
:data:`archive.signals.articles_stored` after each committed batch and indexes it in its own
process (the command or the worker running an upload), never in a web process.
"""

from __future__ import annotations

import logging
import threading

from django.db import transaction
from django.db.models import signals
from haystack.signals import BaseSignalProcessor

from archive.models import Article, ArticlePlace, Source
from archive.signals import articles_changed, articles_stored
from search import indexing, tasks

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
        articles_changed.connect(self.articles_changed)
        signals.pre_save.connect(self.source_saving, sender=Source)
        signals.post_save.connect(self.source_saved, sender=Source)

    def teardown(self):
        signals.post_save.disconnect(self.article_changed, sender=Article)
        signals.post_delete.disconnect(self.article_changed, sender=Article)
        signals.post_save.disconnect(self.place_changed, sender=ArticlePlace)
        signals.post_delete.disconnect(self.place_changed, sender=ArticlePlace)
        articles_stored.disconnect(self.articles_stored)
        articles_changed.disconnect(self.articles_changed)
        signals.pre_save.disconnect(self.source_saving, sender=Source)
        signals.post_save.disconnect(self.source_saved, sender=Source)

    def article_changed(self, sender, instance, **kwargs):
        self._queue({instance.pk})

    def place_changed(self, sender, instance, **kwargs):
        self._queue({instance.article_id})

    def articles_stored(self, sender, ids, unchanged=(), **kwargs):
        indexing.sync_articles(ids)
        if unchanged:
            indexing.index_missing(unchanged)

    def articles_changed(self, sender, ids, **kwargs):
        self._queue(set(ids))

    def source_saving(self, sender, instance, raw=False, **kwargs):
        # The index holds the source's name (search field and facet): note it to tell a rename.
        if instance.pk and not raw:
            instance._indexed_name = Source.objects.filter(pk=instance.pk).values_list("name", flat=True).first()

    def source_saved(self, sender, instance, created=False, raw=False, **kwargs):
        old = getattr(instance, "_indexed_name", None)
        if created or raw or old is None or old == instance.name:
            return
        instance._indexed_name = instance.name
        tasks.queue_source_index(instance.pk)  # the worker finds and reindexes its articles

    def _queue(self, ids: set):
        if not ids:
            return
        connection = transaction.get_connection()
        if not connection.in_atomic_block:
            self._sync(ids)  # autocommit: the change is already committed
            return
        pending = getattr(self._pending, "ids", None)
        # A rolled-back transaction drops our callback; then start a new batch.
        registered = any(entry[1] == self._flush for entry in connection.run_on_commit)
        if pending is not None and registered:
            pending.update(ids)
            return
        self._pending.ids = set(ids)
        transaction.on_commit(self._flush)

    def _flush(self):
        ids, self._pending.ids = self._pending.ids or set(), None
        self._sync(ids)

    @staticmethod
    def _sync(ids):
        try:
            tasks.queue_index(ids)
        except Exception:
            # The database change stands; `manage.py update_index` brings the index back in step.
            log.exception("could not queue the search index update for articles %s", sorted(ids))
