"""Turn gazetteer names into the forms that text uses for them (越城区 → 越城, 西湖社区居委会 → 西湖社区).

Pure string rules, no database: ``archive.geotag`` builds its matcher from these.
"""

from __future__ import annotations

# Rows of the gazetteer that group counties but are not places anyone names in text.
PSEUDO_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

# The 55 minority nationalities, longest first so 土家 is tried before 土.
ETHNIC = tuple(
    sorted(
        (
            "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西"
            " 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克"
            " 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各"
        ).split(),
        key=len,
        reverse=True,
    )
)
# Multi-character nationality names also appear without 族 (博尔塔拉蒙古自治州, 木垒哈萨克自治县).
_ETHNIC_BARE = tuple(e for e in ETHNIC if len(e) >= 2)

# Suffixes stripped to get a short form, per level, longest first within a level.
_AUTONOMOUS = ("自治区", "自治州", "自治县", "自治旗")
SUFFIXES = {
    "province": ("自治区", "省", "市"),
    "city": ("自治州", "地区", "市", "盟"),
    "district": ("自治县", "自治旗", "新区", "林区", "特区", "区", "县", "市", "旗"),
    "street": ("街道办事处", "民族苏木", "民族乡", "民族镇", "办事处", "街道", "地区", "苏木", "镇", "乡"),
}
# A street with one of these suffixes is an ordinary 乡级 division; the rest are 开发区, 农场,
# 监狱, 管委会 … whose names are often plain phrases (经济开发区, 社区建设办公室).
STANDARD_STREET_SUFFIXES = ("街道", "镇", "乡", "苏木", "地区", "办事处")

# Forms never matched: short forms (and a few full names) that are ordinary words far more often
# than they are places, so even a confirming context would mostly produce false positives.
# Chosen from the forms the gazetteer generates that are common words in jieba's dictionary.
STOPLIST = frozenset(
    """
    城区 郊区 矿区 新区 开发区 社区 经济开发区 高新区 城中区 市中区
    城关 城南 城北 城东 城西 城中 城郊 城内 城外 市中 中心 新城 老城 古城 新区 开发 高新 新华 和平
    人民 解放 建设 胜利 红旗 团结 友谊 光明 文化 花园 民主 民族 民族团结 先锋 前进 向阳 东风 新村
    新兴 新建 新民 新生 新华街 工业 工农 农业 城市 中华 中国 东方 南方 北方 西部 东部 南部 北部
    中部 长安 平安 太平 永安 安全 和谐 幸福 振兴 繁荣 兴业 发展 实验 朝阳 阳光 金山 银山 青山 长城
    东城 西城 南城 北城 东街 西街 南街 北街 大街 中街 前街 后街 正街 新街 老街 东关 西关 南关 北关
    车站 火车站 站前 机场 港口 码头 大桥 铁路 公园 广场 市场 商业 文明 和美 美丽 五星 双城 高新技术
    桥头 桥东 桥西 桥南 桥北 河东 河西 河南街 河北街 江南 江北 湖南街 镇区 乡镇 城镇 街道 社区
    新街口 中央 人和 和睦 和兴 兴隆 兴旺 富强 民生 民乐 幸福 公正 工业园 园区 示范区 保税区
    红星 红光 东升 东兴 西园 南园 北园 东园 新桥 新港 新塘 新河 新安 新丰 新集 新店 新庄 新镇
    金星 金桥 黄金 白云 天河 七里 八里 十里 三里 五里 长江 黄河 珠江 海港 港区 中山 中兴 中和
    """.split()
)


def _strip_ethnic(stem: str) -> str:
    """Drop trailing nationality names (…土家族苗族 → …) while at least two characters remain."""
    while True:
        for ethnic in ETHNIC:
            for tail in (ethnic + "族", *((ethnic,) if ethnic in _ETHNIC_BARE else ())):
                if stem.endswith(tail) and len(stem) - len(tail) >= 2:
                    stem = stem[: -len(tail)]
                    break
            else:
                continue
            break
        else:
            break
    # 东乡族自治县, 互助土族自治县: only 族 is left to drop.
    if stem.endswith("族") and len(stem) >= 3:
        stem = stem[:-1]
    return stem


def short_forms(name: str, level: str) -> list[str]:
    """Return the forms of ``name`` without its administrative suffix (越城区 → 越城), none of one character."""
    forms: list[str] = []
    for suffix in SUFFIXES.get(level, ()):
        if not name.endswith(suffix) or len(name) == len(suffix):
            continue
        stem = name[: -len(suffix)]
        if suffix in _AUTONOMOUS or suffix.startswith("民族") or stem.endswith("族"):
            stem = _strip_ethnic(stem)
        if len(stem) >= 2 and stem != name:
            forms.append(stem)
        break
    return forms


# 村/居 committee names, and the form text uses for each (西湖社区居委会 → 西湖社区, 王家村村委会 → 王家村).
_COMMITTEE_SUFFIXES = (
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("村民委员会", "村"),
    ("居民委员会", "社区"),
    ("村委会", "村"),
    ("居委会", "社区"),
    ("社区", "社区"),
    ("村", "村"),
)


def community_forms(name: str) -> list[str]:
    """Return the forms a community or village goes by in text: always ``XX社区`` / ``XX村``, never bare ``XX``.

    The stem must have two characters or more, so 新村村委会 gives 新村村 but not the everyday word 新村.
    """
    for suffix, kind in _COMMITTEE_SUFFIXES:
        if not name.endswith(suffix):
            continue
        stem = name[: -len(suffix)]
        forms = []
        if kind == "村" and stem.endswith("村"):
            # 王家村村委会: text says 王家村 (or 王家村村); 新村村委会: only 新村村 is safe.
            if len(stem) >= 3:
                forms.append(stem)
            if len(stem) >= 2:
                forms.append(stem + "村")
        elif len(stem) >= 2:
            forms.append(stem + kind)
        if name not in forms and len(name) >= 3:
            forms.append(name)
        return forms
    return [name] if len(name) >= 3 else []
