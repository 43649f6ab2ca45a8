"""Generate realistic crawl-dump records for benchmarks and tests.

Each record looks like the seed: a title, the account block, a date line, a body of sentences
about real places, and the seed's page residue after it.  Records differ in their sentences,
so they are not duplicates of each other.
"""

from __future__ import annotations

import ast
import datetime as dt
import random
import re
from collections.abc import Iterator
from pathlib import Path

SEED = Path(__file__).resolve().parents[2] / "samples" / "000_3b62e8ee1c23be4d.txt"

ACCOUNTS = [
    ("越城组工", "yuechengZG", "政策咨询、信息发布、交流共享", "越城区"),
    ("柯桥发布", "kqfabu", "柯桥区官方发布", "柯桥区"),
    ("上城先锋", "scxf2018", "上城区委组织部", "上城区"),
    ("诸暨组工", "", "诸暨市委组织部", "诸暨市"),
]
TOPICS = ["党建引领", "基层治理", "垃圾分类", "老旧小区改造", "乡村振兴", "疫情防控", "志愿服务", "民生实事"]
TEMPLATES = [
    "{street}召开{topic}工作推进会，{community}党委书记作交流发言。",
    "{month}月{day}日，{district}{topic}现场会在{street}举行，与会人员实地察看了{community}。",
    "近年来，{street}坚持以{topic}为抓手，推动{community}各项工作落地见效。",
    "据悉，{district}已累计完成{num}个{topic}项目，覆盖{num2}个社区。",
    "“这里不只是一个展示平台，更是一个居民可以参与互动的平台。”{community}负责人说道。",
    "下一步，{street}将继续深化{topic}，让群众明白惠在何处、惠从何来。",
]


def _seed_parts() -> tuple[list[str], str]:
    text = ast.literal_eval(SEED.read_text(encoding="utf-8")[len("text:") :])
    body_start = text.index("《共产党员》")
    body_end = text.index("空白。") + len("空白。")
    sentences = [s + "。" for s in re.split("。", text[body_start:body_end]) if len(s) > 8]
    return sentences, text[body_end:]


def generate_dump_records(count: int, *, seed: int = 0, places: list[tuple[str, str, str]] | None = None) -> Iterator[str]:
    """Yield ``count`` one-line crawl-dump records (``text:'…'``)."""
    rng = random.Random(seed)
    sentences, residue = _seed_parts()
    places = places or [
        ("越城区", "北海街道", "西湖社区"),
        ("越城区", "府山街道", "越都社区"),
        ("越城区", "东浦街道", "东浦社区"),
        ("柯桥区", "柯桥街道", "笛扬社区"),
        ("上城区", "望江街道", "近江社区"),
    ]
    start = dt.date(2016, 1, 1)
    for i in range(count):
        name, account_id, blurb, _home = rng.choice(ACCOUNTS)
        district, street, community = rng.choice(places)
        topic = rng.choice(TOPICS)
        values = {
            "district": district,
            "street": street,
            "community": community,
            "topic": topic,
            "month": rng.randint(1, 12),
            "day": rng.randint(1, 28),
            "num": rng.randint(2, 90),
            "num2": rng.randint(2, 40),
        }
        lines = [rng.choice(TEMPLATES).format(**values) for _ in range(rng.randint(3, 8))]
        lines += rng.sample(sentences, rng.randint(8, 25))
        rng.shuffle(lines)
        paragraphs = ["".join(lines[j : j + 4]) for j in range(0, len(lines), 4)]
        published = start + dt.timedelta(days=rng.randint(0, 3000))
        title = f"{street}：{topic}的“{district}路径”（{i}）"
        text = (
            f"{title}\n\n                \n                        {name}                      \n"
            f"                              {name}\n\n                              微信号\n"
            f"                              {account_id}\n\n                              功能介绍\n"
            f"                              {blurb}\n                              \n\n\n"
            f"                    {published.isoformat()}\n\n\n\n                    "
            + "\n                    ".join(paragraphs)
            + residue
        )
        yield "text:" + repr(text)
