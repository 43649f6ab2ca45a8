import pytest

from archive.models import Place

pytestmark = pytest.mark.django_db


def test_every_level_down_to_street_is_loaded_after_migrate():
    counts = {level: Place.objects.filter(level=level).count() for level in Place.Level.values}
    assert counts["province"] == 31
    assert counts["street"] == 41352
    assert counts["community"] > 20000  # Zhejiang's communities and villages by default


def test_places_hang_from_their_parents():
    street = Place.objects.get(code="330602002")
    assert street.name == "府山街道"
    assert [p.name for p in street.ancestors()] == ["浙江省", "绍兴市", "越城区"]
    assert Place.objects.get(code="330602004023").parent.name == "北海街道"
