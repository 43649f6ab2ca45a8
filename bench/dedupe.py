"""Measure duplicate grouping on a synthetic WeChat feed shaped like the real one (title, account, URL, date).

    python bench/dedupe.py --records 5000

The feed mixes the cases the real 20,000-item feed went wrong on: generic titles (分享图片,
端午安康, 上市公司重要公告) posted by many accounts on many days; accounts posting the same text
again at a new address; reprints of one report by other accounts, ingested newest first; and
ordinary single posts. It is ingested into a fresh SQLite database under a temporary DATA_DIR
(``ingest_paths``, no search index), then the stored links are counted: links in all, links
joining one account's different addresses, links whose original is newer than its duplicate,
the largest group, and the records per second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

GENERIC = ["分享图片", "端午安康", "上市公司重要公告", "今日早报", "重要通知"]
SENTENCES = [
    "街道坚持问需于民、问计于民，在改造前广泛征求居民意见，确定加装电梯、修缮屋面、改造管网等重点项目",
    "改造完成后街道同步引入物业服务，建立长效管理机制，让居民住得更舒心、更安心、更放心",
    "社区党委牵头组建志愿服务队伍，常态化开展邻里互助、环境整治和文明劝导等活动",
    "区委组织部相关负责人表示，将持续深化党建引领基层治理，推动资源力量向一线下沉",
    "今年以来全区累计排查化解矛盾纠纷一千二百余起，群众满意度稳步提升到百分之九十八",
    "下一步将围绕群众急难愁盼问题，完善议事协商机制，推动更多民生实事落地见效",
]


def feed(n: int, seed: int = 12) -> list[dict]:
    rnd = random.Random(seed)
    start = dt.date(2021, 1, 1)
    items = []
    serial = 0

    def text(tag):
        """A body of its own: each sentence carries the report's number inside a clause."""
        return "。".join(s[:8] + tag + s[8:] for s in rnd.sample(SENTENCES, 4)) + "。"

    def add(title, account, day, body=""):
        nonlocal serial
        serial += 1
        url = f"https://mp.weixin.qq.com/s?__biz=MzA{account}&mid={serial}&idx=1&sn=s{serial}"
        record = {"title": title, "account": f"账号{account}", "url": url, "published": str(day)}
        if body:
            record["body"] = body
        items.append(record)

    while len(items) < n:
        kind = rnd.random()
        day = start + dt.timedelta(days=rnd.randrange(365))
        if kind < 0.3:  # a generic title-only post
            add(rnd.choice(GENERIC), rnd.randrange(300), day)
        elif kind < 0.45:  # one account posts the same text twice, at two addresses
            body = text(f"编号{serial}")
            account = rnd.randrange(300)
            add(f"本周工作动态{serial}", account, day, body)
            add(f"本周工作动态{serial}（更正）", account, day + dt.timedelta(days=rnd.randrange(1, 5)), body)
        elif kind < 0.6:  # a report reprinted by others, the newest copies ingested first
            body = text(f"第{serial}期")
            title = f"基层治理典型案例第{serial}期"
            copies = [(day + dt.timedelta(days=k), rnd.randrange(300)) for k in range(rnd.randrange(2, 5))]
            for when, account in reversed(copies):
                add(title, account, when, body)
        else:  # an ordinary post, title only or with text
            add(f"{rnd.choice(['府山', '北海', '东浦', '灵芝'])}街道开展活动第{serial}场", rnd.randrange(300), day)
    return items[:n]


def child(path: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db.models import Count, F

    from archive.ingest.pipeline import ingest_paths
    from archive.models import Article

    started = time.perf_counter()
    summary = ingest_paths([path], index=False)
    seconds = time.perf_counter() - started
    links = Article.objects.filter(duplicate_of__isnull=False)
    same_account = links.filter(source=F("duplicate_of__source")).exclude(original_url=F("duplicate_of__original_url"))
    newer = links.filter(duplicate_of__published__gt=F("published"))
    largest = links.values("duplicate_of").annotate(n=Count("pk")).order_by("-n").values_list("n", flat=True).first()
    print(
        json.dumps(
            {
                "records": summary.records,
                "articles": Article.objects.count(),
                "links": links.count(),
                "same_account_links": same_account.count(),
                "original_newer": newer.count(),
                "largest_group": (largest or 0) + 1 if largest else 0,
                "records_per_s": round(summary.records / seconds),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory(prefix="bench-dedupe-") as folder:
        path = Path(folder) / "feed.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in feed(args.records)), "utf-8")
        env = {**os.environ, "DATA_DIR": str(Path(folder) / "data"), "DJANGO_SETTINGS_MODULE": "config.settings"}
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=REPO, env=env, check=True)
        subprocess.run([sys.executable, __file__, "--child", str(path)], cwd=REPO, env=env, check=True)


if __name__ == "__main__":
    main()
