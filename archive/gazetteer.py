"""Load the national gazetteer (国家统计局 统计用区划代码, 2023) into the Place table.

The CSVs ship compressed in ``archive/data/divisions``.  Provinces, cities, districts and
streets always load; communities/villages load for the provinces ``GAZETTEER_VILLAGES`` names
("33" = Zhejiang by default, "all", or "none").
"""

from __future__ import annotations

import csv
import io
import lzma
from collections.abc import Iterator
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "divisions"

# (file, level, column holding the parent's code)
LEVELS = [
    ("provinces", "province", None),
    ("cities", "city", "provinceCode"),
    ("areas", "district", "cityCode"),
    ("streets", "street", "areaCode"),
    ("villages", "community", "streetCode"),
]


def _rows(name: str) -> Iterator[dict[str, str]]:
    with lzma.open(DATA / f"{name}.csv.xz", "rb") as raw:
        yield from csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8"))


def village_provinces(setting: str) -> set[str] | None:
    """Return the province codes whose villages load (None means all of them)."""
    setting = (setting or "").strip().lower()
    if setting == "all":
        return None
    if setting in {"", "none", "0"}:
        return set()
    return {code.strip() for code in setting.split(",") if code.strip()}


def load_gazetteer(place_model, *, villages: str = "33", batch_size: int = 5000) -> int:
    """Create the Place rows that are missing; return how many were created.

    Takes the model as an argument so a data migration can pass its historical model.
    """
    wanted_villages = village_provinces(villages)
    ids = dict(place_model.objects.values_list("code", "id"))
    created = 0
    for name, level, parent_column in LEVELS:
        if level == "community" and wanted_villages == set():
            continue
        batch = []
        for row in _rows(name):
            code = row["code"]
            if code in ids:
                continue
            if level == "community" and wanted_villages is not None and row["provinceCode"] not in wanted_villages:
                continue
            parent_id = ids.get(row[parent_column]) if parent_column else None
            batch.append(place_model(name=row["name"], code=code, level=level, parent_id=parent_id))
            if len(batch) >= batch_size:
                created += _flush(place_model, batch, ids)
        created += _flush(place_model, batch, ids)
    return created


def _flush(place_model, batch: list, ids: dict[str, int]) -> int:
    if not batch:
        return 0
    place_model.objects.bulk_create(batch, batch_size=1000)
    codes = [p.code for p in batch]
    for i in range(0, len(codes), 900):
        ids.update(place_model.objects.filter(code__in=codes[i : i + 900]).values_list("code", "id"))
    count = len(batch)
    batch.clear()
    return count
