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
OPENERS = ["近日，", "日前，", "{m}月{d}日上午，", "{m}月{d}日下午，", "今年以来，", "为进一步{goal}，", "{m}月以来，"]
SUBJECTS = [
    "{street}",
    "{street}党工委",
    "{community}",
    "{district}委组织部",
    "{street}综合行政执法队",
    "{community}党委书记{person}",
    "{district}民政局",
    "{street}新时代文明实践所",
]
ACTIONS = [
    "召开{topic}工作推进会",
    "组织开展{topic}专题培训",
    "深入{community}调研{topic}工作",
    "举办“{slogan}”主题活动",
    "实地察看了{thing}建设情况",
    "联合{n}家共建单位开展{topic}志愿服务",
    "走访慰问辖区困难党员{n}户",
    "对{thing}开展集中整治",
    "启动“{slogan}”{topic}行动",
]
TAILS = [
    "，{n}余名党员群众参加。",
    "，现场解答群众咨询{n}余人次。",
    "，推动各项任务落地见效。",
    "，累计收集意见建议{n}条。",
    "。",
    "，{person}在会上作了交流发言。",
]
# (district, street, community) an article is about.
PLACES = [
    ("越城区", "北海街道", "西湖社区"),
    ("越城区", "府山街道", "越都社区"),
    ("越城区", "东浦街道", "东浦社区"),
    ("柯桥区", "柯桥街道", "笛扬社区"),
    ("上城区", "望江街道", "近江社区"),
]
GOALS = ["夯实基层治理基础", "提升居民幸福感", "推动党建引领", "擦亮城市名片"]
SLOGANS = ["红色物业", "邻里守望", "五星和美", "共建共治共享", "小事不出村", "红立方"]
THINGS = ["老旧小区", "党群服务中心", "农贸市场", "背街小巷", "口袋公园", "垃圾分类亭"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "建国明华伟芳娟强军平丽敏静杰涛磊燕红霞斌勇"


def _seed_parts() -> tuple[list[str], str]:
    text = ast.literal_eval(SEED.read_text(encoding="utf-8")[len("text:") :])
    body_start = text.index("《共产党员》")
    body_end = text.index("空白。") + len("空白。")
    sentences = [s + "。" for s in re.split("。", text[body_start:body_end]) if len(s) > 8]
    return sentences, text[body_end:]


def generate_dump_records(
    count: int, *, seed: int = 0, places: list[tuple[str, str, str]] | None = None
) -> Iterator[str]:
    """Yield ``count`` one-line crawl-dump records (``text:'…'``)."""
    rng = random.Random(seed)
    sentences, residue = _seed_parts()
    places = places or PLACES
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
        }
        lines = [_sentence(rng, values) for _ in range(rng.randint(10, 30))]
        lines += rng.sample(sentences, rng.randint(1, 4))
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


def _sentence(rng: random.Random, values: dict) -> str:
    """Return one made-up report sentence about the record's places and topic."""
    fill = {
        **values,
        "m": rng.randint(1, 12),
        "d": rng.randint(1, 28),
        "n": rng.randint(3, 300),
        "goal": rng.choice(GOALS),
        "slogan": rng.choice(SLOGANS),
        "thing": rng.choice(THINGS),
        "person": rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.randint(1, 2))),
    }
    template = rng.choice(OPENERS) + rng.choice(SUBJECTS) + rng.choice(ACTIONS) + rng.choice(TAILS)
    return template.format(**fill)


PLACE_CODES = {
    "越城区": "330602",
    "柯桥区": "330603",
    "上城区": "330102",
    "北海街道": "330602003",
    "府山街道": "330602002",
    "东浦街道": "330602102",
    "柯桥街道": "330603001",
    "望江街道": "330102006",
}
ISSUERS = ["越城区人民政府", "越城区人民政府办公室", "柯桥区民政局"]


def generate_articles(count: int, *, seed: int = 0, start_id: int = 1) -> Iterator[dict]:
    """Yield ``count`` clean articles as plain dicts (id, title, body, source, published, district,
    street, issuers): what an ingest of :func:`generate_dump_records` stores, without the database.
    About one in twenty has no date, one in ten names an issuing body."""
    rng = random.Random(seed)
    sentences, _ = _seed_parts()
    places = PLACES
    start = dt.date(2016, 1, 1)
    for i in range(start_id, start_id + count):
        name = rng.choice(ACCOUNTS)[0]
        district, street, community = rng.choice(places)
        topic = rng.choice(TOPICS)
        values = {"district": district, "street": street, "community": community, "topic": topic}
        lines = [_sentence(rng, values) for _ in range(rng.randint(3, 12))]
        lines += rng.sample(sentences, rng.randint(0, 2))
        rng.shuffle(lines)
        published = None if rng.random() < 0.05 else start + dt.timedelta(days=rng.randint(0, 3000))
        yield {
            "id": i,
            "title": f"{street}：{topic}的“{district}路径”（{i}）",
            "body": "\n".join("".join(lines[j : j + 3]) for j in range(0, len(lines), 3)),
            "source": name,
            "published": published,
            "district": PLACE_CODES[district],
            "street": PLACE_CODES[street],
            "issuers": [rng.choice(ISSUERS)] if rng.random() < 0.1 else [],
        }
