"""The n-gram field's positions format and the packed block values."""

import pickle

import pytest

from search.analysis import NgramAnalyzer
from search.formats import NgramPositions, PackedValues


def test_bigram_positions_round_trip_small_and_large():
    fmt = NgramPositions()
    small, large = [0, 7, 65535], [3, 65536, 2**31]
    assert fmt.decode_positions(fmt.encode(small)) == small and len(fmt.encode(small)) == 6
    assert fmt.decode_positions(fmt.encode(large)) == large and len(fmt.encode(large)) == 13
    assert fmt.decode_frequency(fmt.encode(small)) == 3 and fmt.decode_frequency(fmt.encode(large)) == 3


def test_unigrams_keep_their_frequency_in_the_weight_not_positions():
    fmt = NgramPositions(field_boost=2.0)
    values = {text: (freq, weight, value) for text, freq, weight, value in fmt.word_values("水质水", NgramAnalyzer())}
    assert values["水"] == (2, 4.0, b"\x00") and fmt.decode_positions(b"\x00") == []
    assert fmt.decode_positions(values["水质"][2]) == [0] and fmt.decode_positions(values["质水"][2]) == [1]


@pytest.mark.parametrize(
    "values",
    [[b"\x01\x00\x00\x00", b"", b"\x02\x00\x00\x00\x07\x00\x00\x00"], [b"\x00"] * 5, [b"ab", b"cd"]],
)
def test_packed_values_read_like_a_tuple(values):
    packed = pickle.loads(pickle.dumps(PackedValues.pack(values), 5))
    assert list(packed) == values and len(packed) == len(values)
    assert [packed[i] for i in range(len(values))] == values and packed[-1] == values[-1]
    assert packed[1:] == values[1:]
    with pytest.raises(IndexError):
        packed[len(values)]
