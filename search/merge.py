"""When to merge index segments: rarely, and the small ones only.

Whoosh's default (``MERGE_SMALL``) merges on almost every commit and now and then rewrites nearly
the whole index: in a 10,000-article rebuild one 500-article commit took 170 s instead of 8 s. An
ingest commits every batch, so that cost recurs. Here a commit adds its segment and merges only
when there would be more than ``MAX_SEGMENTS``: then the smaller half, into one. A big segment is
rewritten only when half of the segments are bigger, so each document is rewritten about
log₂(N / batch) times, without the stalls. Searching a dozen segments costs little more than one.
"""

from __future__ import annotations

from whoosh.reading import SegmentReader

MAX_SEGMENTS = 12


def merge_smaller_half(writer, segments):
    """A Whoosh ``mergetype``: return the segments to keep; add the ones to merge to ``writer``."""
    # ``segments`` are the existing ones; the commit adds its own, so keep room for it.
    if len(segments) < MAX_SEGMENTS:
        return segments
    ordered = sorted(segments, key=lambda segment: segment.doc_count_all())
    half = len(ordered) // 2
    for segment in ordered[:half]:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return ordered[half:]
