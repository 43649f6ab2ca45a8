"""Turn gazetteer names into the forms that text uses for them (越城区 → 越城, 西湖社区居委会 → 西湖社区).

Pure string rules, no database: ``archive.geotag`` builds its matcher from these.
"""

from __future__ import annotations

# Rows of the gazetteer that group counties but are not places anyone names in text.
PSEUDO_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

# The 55 minority nationalities (and 各, as in 龙胜各族自治县), longest first so 土家 is tried before 土.
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
_PLAIN_KIND = {
    "自治区": "区",
    "自治州": "州",
    "自治县": "县",
    "自治旗": "旗",
    "民族乡": "乡",
    "民族镇": "镇",
    "民族苏木": "苏木",
}
SUFFIXES = {
    "province": ("自治区", "省", "市"),
    "city": ("自治州", "地区", "市", "盟"),
    "district": ("自治县", "自治旗", "新区", "林区", "特区", "区", "县", "市", "旗"),
    # Not 办事处 alone: 庆北办事处 is rare in text and 定襄县居民办事处 would give 居民.
    "street": ("街道办事处", "民族苏木", "民族乡", "民族镇", "街道", "地区", "苏木", "镇", "乡"),
}
# A street's short form ending like this names a road or a community, not the street: 五一路街道
# → 五一路 is the road, 朝阳社区街道 → 朝阳社区 looks like a community.
_NOT_A_STREET_SHORT_FORM = ("社区", "村", "路", "街", "道", "巷")
# A street with one of these suffixes is an ordinary 乡级 division; the rest are 开发区, 农场,
# 监狱, 管委会 … whose names are often plain phrases (经济开发区, 社区建设办公室).
STANDARD_STREET_SUFFIXES = ("街道", "镇", "乡", "苏木", "地区", "办事处")

# Forms never matched: short forms (and a few full names) that are ordinary words far more often
# than they are places, so even a confirming context would mostly produce false positives.
# Chosen by hand from the forms the gazetteer generates that are frequent words in jieba's
# dictionary (发展, 建设, 胜利 …).  A form hidden inside a longer word (代化 in 现代化) is left to
# the word-edge check in archive.geotag instead.
STOPLIST = frozenset(
    """
    城区 郊区 矿区 新区 开发区 社区 街道 经济开发区 高新区 工业园 工业区 解放区 原种场 园艺场 农场
    城关 城南 城北 城东 城西 城中 城郊 老城 古城 新城 东城 西城 南城 北城 城门 城墙 城头 小城 城镇 乡镇
    发展 地方 人民 文化 学院 市场 工业 建设 中心 世纪 民族 计划 第一 第二 第三 第四 第五 资源 工程 建筑
    结构 统一 先进 合作 公民 劳动 土地 铁路 交通 工人 安全 胜利 长期 联合 民主 重新 和平 机场 青年 广场
    文明 大陆 航空 健康 将军 比如 南部 留下 高兴 河流 石油 纺织 平等 解放 创新 公园 化工 东方 团结 点头
    更新 上升 平台 阳光 幸福 集体 大门 电力 黄金 卫星 前进 港口 红军 公安 联盟 友好 酒店 码头 中华 草原
    迎接 始建 马上 民政 五一 通道 明星 光荣 繁荣 光华 石头 共和 街头 纤维 民众 上游 奋斗 宏观 大地 公平
    和谐 大为 高峰 创业 大众 冶金 友谊 平安 龙头 开通 发放 洪水 新生 大业 公正 全军 航天 好生 台上 花园
    园林 安定 长官 天堂 矿山 联络 延长 光辉 光明 超越 新兴 安静 湿地 运河 先锋 致富 上司 火车站 车站
    水稻 革新 礼仪 四方 万年 东风 万家 两家 进化 绿化 红旗 学府 淡水 光泽 乐园 沙滩 南岸 北岸 西岸 东岸
    曲线 高尚 大楼 煤矿 吉祥 向上 商店 长征 一心 山里 工农 明亮 富裕 清水 万里 导航 山下 前锋 复兴 长子
    风水 山头 中枢 长久 宝库 上方 双喜 草地 水土 勤劳 大树 金星 明珠 温泉 水源 向阳 黎明 树林 建工 油田
    流水 马路 通达 振兴 八一 平坦 舍得 风采 蓝天 后方 忠诚 火炬 官场 球场 平地 自立 丰产 育才 海边 高新
    合力 天生 互助 东升 河边 新华 正直 口头 关门 红土 飞跃 会战 起步 口岸 下水 平和 高地 大成 源泉 适中
    民生 永恒 四季 路口 草场 源头 兴盛 近海 新政 生机 前门 湖边 丰收 国安 田园 绿洲 敬业 民意 得胜 来华
    大路 楼房 优胜 三星 道场 水道 明月 国宝 启蒙 会师 复原 后台 大观 庄园 如意 大院 仁义 火花 渡口 后头
    群山 光照 打通 常青 前程 正午 草坪 祥和 小山 方圆 操场 老兵 出山 安稳 丰满 连环 北斗 万民 彩虹 千秋
    小河 茶园 新村 新区 中方 会同 平定 大方 同心 博爱 回民 方正 安居 富民 惠民 爱民 新民 新星 民权 宏伟
    无为 武功 二七 十里 五里 七里 八里 三里 中心村 工业园区 示范区 保税区 高新技术 城市 古镇 小城镇
    共青团 体育场 汽车站 人民广场 首都机场 创业园 火车头 核心区 林业局 林场 猪场 农垦 苗圃 盐场 牛场
    东区 西区 南区 北区 中区 妈妈 行者 兴建 高大 欢喜 大战 宽阔 文集 法官 楼下 山中 五十 通天 三角 中小
    永久 徘徊 招商 公道 交界 余下 滋润 下车 下楼 下过 马力 英俊 造化 唱歌 射箭 钓鱼 凌空 逍遥 通宵 驾车
    高官 丰盛 荒地 土木 五星 新房 道义 大发 富饶 靠山 迎风 孝顺 江边 迎春 上映 盛世 长生 小村 稻田 自强
    友爱 化成 开张 会展 收成 大义 前路 车道 晴朗 中庸 高楼 伶俐 锦绣 前卫 酒后 大水 和睦 常理 一元 协和
    农林 落水 铁塔 跃进 国庆 种田 八日 良田 常胜 东起 文教 民建 维新 凯旋 宝藏 青草 小站 镇子 山前 山后
    东段 西段 十字 公会 温水 水边 百合 小溪 大洞 花丛 天平 安民 东来 小楼 湖上 水田 平房 园艺 化作 三口
    久仰 电厂 公馆 马场 铜矿 铁矿 磷矿 果园 竹林 竹园 花木 状元 学士 天文 大盘 双城 江南 居民 长江 爱国
    东北 南北 西北 西南 东南 英雄 太阳 海洋 桃花 大桥 黄河 春秋 建国 江湖 大街 棋盘 日月 火箭 治安 山水
    高山 狮子 大海 山坡 中东 福利 云集 山河 牌坊 西门 南门 北门 东门 葫芦 清风 山洞 都城 珍珠 海湾 核桃
    葡萄 下山 山寨 红花 新高 板栗 大山 山口 泉水 江河 大河 大湖 大江 武术 石桥 石子 火星 菊花 热水 荷花
    槐树 树皮 关口 潮水 浅水 喇叭 燕子 岩洞 黄花 杨柳 芝麻 商家 星火 桥墩 银河 硅谷 冷水 炮台 海岛 河畔
    夕阳 山庄 沙子 河鱼 荔枝 猛虎 千金 柳树 铁匠 骏马 亭子 海浪 枸杞 篱笆 香水 河滩 柏树 大坝 云梯 彩云
    朝霞 河堤 木耳 石榴 金鸡 兵营 菩提 象棋 漩涡 浮桥 西郊 东郊 南郊 北郊 凉水 小院 祖庙 野马 奋进 拥军
    拥政 甲子 大巴 新农 前所 五矿 小院 李子 玉带 罗汉 天池 太极 庙宇 鸳鸯 骆驼 丛林 仙人 仙女 观音 灵芝
    """.split()
)

# Words that make an account name a company's, a brand's or a line's (金瑞期货, 广佛地铁, 大唐财富):
# a short form in such a name is a trade name, not the account's home place.
COMPANY_WORDS = tuple(
    """
    期货 地铁 财富 证券 银行 科技 集团 公司 保险 基金 投资 资本 控股 地产 置业 物业 实业 贸易 商贸 电子 网络
    汽车 能源 电气 药业 医药 食品 酒业 酒店 餐饮 传媒 广告 培训 律师 事务所 商城 超市
    百货 家居 装饰 建材 物流 快递 航空 轨道 金融 信托 租赁 理财 股份 有限 品牌 官方旗舰
    """.split()
)

# Phrases that contain a place's name without mentioning the place: matched so that they consume
# the text (leftmost-longest), then ignored.
BLOCK_PHRASES = ("北京时间",)

# ``XX社区`` / ``XX村`` forms that are ordinary phrases in articles about any place.
COMMUNITY_STOPLIST = frozenset(
    """
    自然村 行政村 中心村 新农村 城中村 示范村 文明村 先进村 幸福村 团结村 民族村 小山村 街道社区 城市社区
    和谐社区 文明社区 幸福社区 平安社区 未来社区 示范社区 智慧社区 绿色社区 美丽社区 安康社区 老旧社区
    """.split()
)


def _strip_ethnic(stem: str) -> str:
    """Drop trailing nationality names (…土家族苗族 → …) while at least two characters remain."""
    stripped = True
    while stripped:
        stripped = False
        for ethnic in ETHNIC:
            tails = (ethnic + "族", ethnic) if ethnic in _ETHNIC_BARE else (ethnic + "族",)
            tail = next((t for t in tails if stem.endswith(t) and len(stem) - len(t) >= 2), None)
            if tail:
                stem = stem[: -len(tail)]
                stripped = True
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
            bare = _strip_ethnic(stem)
            if len(bare) >= 2 and bare != stem:
                forms.append(bare)
                # Text often drops the nationalities but keeps the kind: 互助县, 管城区, 叶赫镇.
                forms.append(bare + _PLAIN_KIND.get(suffix, suffix[-1]))
            elif len(stem) >= 2:
                forms.append(stem)
        elif len(stem) >= 2:
            forms.append(stem)
        break
    if level == "street":
        forms = [f for f in forms if not f.endswith(_NOT_A_STREET_SHORT_FORM)]
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
