"""When to merge index segments: segments of similar size, a few at a time.

Every indexing commit (an ingest batch, a rebuild chunk, a curator's edit) adds a segment, and
searching many segments costs more than searching few, so segments must be merged; merging
rewrites every posting of the merged segments, so it must not happen too often.

Whoosh's default (``MERGE_SMALL``) merges on almost every commit and now and then rewrites nearly
the whole index (in a 10,000-article rebuild one 500-article commit took 170 s instead of 8 s).
Here segments are grouped in size tiers, powers of ``MERGE_FACTOR`` (tier 2 holds 64–511
documents, tier 3 512–4,095, …), and when a tier holds ``MERGE_FACTOR`` segments they become one
segment of the next tier, as in Lucene's log merge policy. A document is rewritten about once per
tier it climbs: about twice on the way to a 100,000-article index, where merging "the smaller
half of 12 segments" rewrote it three to four times. At most about ``MERGE_FACTOR - 1`` segments
per tier remain, and ``MAX_SEGMENTS`` caps the total.
"""

from __future__ import annotations

import math

from whoosh.reading import SegmentReader

MERGE_FACTOR = 8
MAX_SEGMENTS = 24


def tier(segment) -> int:
    """The size tier of a segment, by its live documents."""
    return int(math.log(max(segment.doc_count(), 1), MERGE_FACTOR))


def segments_to_merge(segments) -> list:
    """The segments one merge should combine now (none: no merge)."""
    tiers: dict[int, list] = {}
    for segment in segments:
        tiers.setdefault(tier(segment), []).append(segment)
    for level in sorted(tiers):
        group = tiers[level]
        if len(group) >= MERGE_FACTOR:
            return sorted(group, key=lambda segment: segment.doc_count())[:MERGE_FACTOR]
    # The commit adds a segment of its own: keep room for it under the cap.
    if len(segments) >= MAX_SEGMENTS:
        ordered = sorted(segments, key=lambda segment: segment.doc_count())
        return ordered[: len(ordered) // 2]
    return []


def merge_tiers(writer, segments):
    """A Whoosh ``mergetype``: return the segments to keep; add the ones to merge to ``writer``."""
    merging = segments_to_merge(segments)
    for segment in merging:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    merged = {id(segment) for segment in merging}
    return [segment for segment in segments if id(segment) not in merged]
