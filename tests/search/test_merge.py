"""The merge policy: few segments, each document rewritten a few times, on a simulated index."""

from search.merge import MAX_SEGMENTS, MERGE_FACTOR, segments_to_merge


class Seg:
    def __init__(self, docs):
        self.docs = docs

    def doc_count(self):
        return self.docs


def test_a_full_tier_merges_into_the_next():
    seven = [Seg(500) for _ in range(MERGE_FACTOR - 1)]
    assert segments_to_merge(seven + [Seg(5000)]) == []
    eight = seven + [Seg(300)]
    assert sorted(s.docs for s in segments_to_merge(eight + [Seg(5000)])) == [300] + [500] * 7


def test_the_lowest_full_tier_goes_first():
    small = [Seg(1) for _ in range(MERGE_FACTOR)]
    big = [Seg(600) for _ in range(MERGE_FACTOR)]
    assert {s.docs for s in segments_to_merge(big + small)} == {1}


def test_too_many_segments_merge_the_smaller_half():
    # one segment per tier would never fill a tier; the cap still holds
    segments = [Seg(MERGE_FACTOR**k) for k in range(MAX_SEGMENTS)]
    merging = segments_to_merge(segments)
    assert [s.docs for s in merging] == [MERGE_FACTOR**k for k in range(MAX_SEGMENTS // 2)]


def simulate(commits, size):
    segments, rewritten, most = [], 0, 0
    for _ in range(commits):
        merging = segments_to_merge(segments)
        if merging:
            rewritten += sum(s.docs for s in merging)
            segments = [s for s in segments if s not in merging] + [Seg(sum(s.docs for s in merging))]
        segments.append(Seg(size))
        most = max(most, len(segments))
    return segments, rewritten / (commits * size), most


def test_a_100k_rebuild_rewrites_each_document_about_twice():
    segments, rewrites, most = simulate(200, 500)
    assert sum(s.docs for s in segments) == 100_000
    assert rewrites < 2.0
    assert most <= 2 * MERGE_FACTOR + 1


def test_many_single_document_commits_stay_few_segments():
    segments, rewrites, most = simulate(2000, 1)
    assert most <= 3 * MERGE_FACTOR
    assert rewrites < 4.0
