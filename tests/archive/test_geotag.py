import ast
import json

import pytest

from archive import geotag as geotag_module
from archive.geotag import geotag, infer_home_place, reset_cache
from archive.models import Place
from archive.place_names import community_forms, short_forms

pytestmark = pytest.mark.django_db

YUECHENG = "330602"
KECHENG = "330802"
FUSHAN_YUECHENG = "330602002"
FUSHAN_KECHENG = "330802006"

SEED_PLACES = {
    "3306",  # 绍兴市
    "330602",  # 越城区
    "330602002",  # 府山街道
    "330602004",  # 北海街道
    "330602007",  # 迪荡街道
    "330602009",  # 灵芝街道
    "330602010",  # 东浦街道
    "330602004023",  # 西湖社区, under 北海街道
}


@pytest.fixture
def seed_text(test_data) -> str:
    return ast.literal_eval((test_data / "seed.txt").read_text(encoding="utf-8")[5:])


@pytest.fixture
def localgov(test_data) -> list[dict]:
    lines = (test_data / "localgov_sample.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _item(localgov: list[dict], title_part: str) -> str:
    (item,) = [d for d in localgov if title_part in d["title"]]
    return item["title"] + "\n" + item["text"]


def _code(name: str) -> str:
    return Place.objects.get(name=name).code


# --- the seed -------------------------------------------------------------------------------


@pytest.mark.parametrize("home_place", [None, YUECHENG])
def test_seed_gets_exactly_its_district_streets_community_and_city(seed_text, home_place):
    assert set(geotag(seed_text, home_place=home_place)) == SEED_PLACES


def test_seed_fushan_is_the_one_in_yuecheng_not_kecheng(seed_text):
    tags = geotag(seed_text)
    assert FUSHAN_YUECHENG in tags
    assert FUSHAN_KECHENG not in tags
    assert not any(code.startswith(KECHENG) for code in tags)


def test_seed_counts_short_form_mentions_once_confirmed(seed_text):
    tags = geotag(seed_text)
    # 东浦街道 twice in full, then 东浦客厅 and 东浦最美基层党组织.
    assert tags["330602010"] == 4
    assert tags[FUSHAN_YUECHENG] == 1
    assert tags["330602004023"] == 1  # 西湖社区 once; 西湖新村 is not it


def test_xihu_xincun_tags_neither_the_community_a_village_nor_xihu_district():
    tags = geotag("越城区北海街道负责起了西湖新村的物业管理。")
    assert set(tags) == {"330602", "330602004"}


# --- leftmost-longest matching ----------------------------------------------------------------


def test_mufushan_street_in_nanjing_is_not_read_as_fushan():
    tags = geotag("南京市鼓楼区幕府山街道召开党建联席会议，幕府山街道各社区参加。")
    assert tags["320106010"] == 2
    assert FUSHAN_YUECHENG not in tags
    assert FUSHAN_KECHENG not in tags


def test_street_name_carrying_its_city_tags_the_right_street_and_the_city():
    tags = geotag("济源市北海街道开展志愿服务活动。")
    assert tags == {"419001003": 1, "419001": 1}
    assert "330602004" not in tags  # 越城区's 北海街道


def test_street_whose_gazetteer_name_carries_its_city_is_found_by_its_plain_name_too():
    tags = geotag("济源市召开会议，北海街道作交流发言。")
    assert "419001003" in tags
    assert "330602004" not in tags


# --- disambiguation by context --------------------------------------------------------------


def test_fushan_alone_is_ambiguous_and_left_untagged():
    assert geotag("首个区域性党建共建联盟在府山街道成立。") == {}


def test_fushan_with_kecheng_as_home_place_is_kechengs():
    assert geotag("首个区域性党建共建联盟在府山街道成立。", home_place=KECHENG) == {FUSHAN_KECHENG: 1}


def test_fushan_with_yuecheng_named_in_the_text_is_yuechengs():
    tags = geotag("越城区首个区域性党建共建联盟在府山街道成立。")
    assert tags == {YUECHENG: 1, FUSHAN_YUECHENG: 1}


def test_donghu_street_without_context_is_left_untagged():
    assert geotag("东湖街道开展垃圾分类宣传活动。") == {}


@pytest.mark.parametrize(
    ("district", "district_code", "street_code"),
    [("越城区", "330602", "330602008"), ("临平区", "330113", "330113003"), ("罗湖区", "440303", "440303007")],
)
def test_donghu_street_with_its_district_named_is_that_districts(district, district_code, street_code):
    tags = geotag(f"{district}召开会议。东湖街道开展垃圾分类宣传活动。")
    assert tags == {district_code: 1, street_code: 1}


def test_a_guess_from_the_home_place_is_revised_by_the_texts_own_places(localgov):
    # The 越城区 item read as if an account of 柯城区 had posted it: 府山 is still 越城区's.
    tags = geotag(_item(localgov, "越城区部分街道行政区划调整"), home_place=KECHENG)
    assert FUSHAN_YUECHENG in tags
    assert FUSHAN_KECHENG not in tags


def test_unique_streets_elsewhere_are_kept_when_the_text_names_no_district():
    tags = geotag("宁津街道与桃园街道开展城市基层党建行动。", home_place=KECHENG)
    assert {"371082001", "371082003"} <= set(tags)  # 荣成市's, although the home is in Zhejiang


def test_a_place_written_after_another_must_be_in_the_same_district():
    # 上城区 has a 明珠社区, but this one is in 北环路街道 of 平顶山's 卫东区.
    assert geotag("卫东区北环路街道明珠社区", home_place="330102") == {"410403": 1, "410403010": 1}


def test_a_community_written_after_its_former_street_in_the_same_district_is_kept():
    # 渡东社区 moved from 稽山街道 to 塔山街道 in 2018; older texts still write 稽山街道渡东社区.
    tags = geotag("越城区稽山街道渡东社区居委会划归塔山街道管辖。")
    assert "330602001022" in tags


def test_a_street_in_an_unrelated_province_is_dropped_when_the_article_is_anchored_elsewhere():
    # A typo (广州路 for 广中路) that happens to be a unique street in Gansu.
    tags = geotag("虹口区广中路街道召开会议。同一天，广州路街道区划党建四个专门委员会同时成立。")
    assert tags == {"310109": 1, "310109011": 1}


# --- short forms ----------------------------------------------------------------------------


def test_a_streets_short_form_alone_is_not_tagged():
    assert geotag("东浦有个出了名的客厅。") == {}


def test_a_districts_unique_short_form_alone_is_tagged():
    # 越城 names one district in the country (issue 12: bare names); 越城镇 elsewhere needs context.
    assert geotag("越城这座古城焕发出了活力。") == {YUECHENG: 1}


def test_short_form_is_tagged_once_its_district_is_named():
    tags = geotag("越城区推进党建工作。东浦有个出了名的客厅。")
    assert tags == {YUECHENG: 1, "330602010": 1}


def test_short_form_is_tagged_with_the_home_place_as_context():
    assert geotag("东浦有个出了名的客厅。", home_place=YUECHENG) == {"330602010": 1}


def test_district_short_form_is_confirmed_by_its_city():
    assert geotag("绍兴市的越城有着2500多年历史。") == {"3306": 1, YUECHENG: 1}


def test_a_place_followed_by_a_place_inside_it_confirms_both_short_forms():
    assert geotag("绍兴越城，有着2500多年历史底蕴。") == {"3306": 1, YUECHENG: 1}
    assert geotag("北京海淀") == {"11": 1, "110108": 1}


def test_province_short_forms_are_safe_on_their_own():
    assert geotag("浙江、广西、内蒙古三地签署协议。") == {"33": 1, "45": 1, "15": 1}


def test_stoplisted_short_forms_are_never_tags():
    # 越城区 has a 城南街道 and a 新城 would be a short form too; both are ordinary words here.
    assert geotag("越城区城南片区的新城建设加快推进，中心城区交通改善。") == {YUECHENG: 1}


def test_short_form_naming_a_road_or_river_is_not_a_mention():
    assert geotag("罗山县莽张镇结合竹竿河生态资源谋划发展。") == {"411521": 1, "411521109": 1}
    assert geotag("越城区走出了一条越城路径。") == {YUECHENG: 1}


def test_short_form_followed_by_the_next_place_still_counts():
    assert geotag("浙江湖州市吴兴区") == {"33": 1, "3305": 1, "330502": 1}


def test_short_form_inside_an_everyday_word_is_not_a_mention():
    # 长顺县 has a 代化镇, 朝阳市 a 建平县: 现代化 and 党建平台 mention neither.
    assert geotag("长顺县推进现代化建设，打造文明城市。") == {"522729": 1}
    assert geotag("朝阳市全力打造党建平台。") == {"2113": 1}


def test_one_character_county_names_need_context():
    assert geotag("建立省、市和县三级联动机制。") == {}
    assert geotag("安徽省马鞍山市和县") == {"34": 1, "3405": 1, "340523": 1}


def test_beijing_time_is_not_beijing():
    assert geotag("北京时间昨天晚上，越城区举行活动。") == {YUECHENG: 1}


# --- communities ----------------------------------------------------------------------------


def test_community_alone_is_not_tagged():
    assert geotag("陈小彩是西湖社区的党委书记。") == {}


def test_community_is_tagged_when_its_street_is_named():
    assert geotag("陈小彩是北海街道西湖社区的党委书记。") == {"330602004": 1, "330602004023": 1}


def test_community_needs_its_suffix():
    # 西湖 alone is not the community, and not 杭州's 西湖区 in an article about 越城区.
    assert geotag("北海街道的西湖是个好地方。") == {}


def test_community_committee_names_are_found_in_their_text_form():
    text = "杭州市上城区望江街道徐家埠社区居民登录了微博。"
    assert geotag(text) == {"3301": 1, "330102": 1, "330102010": 1, "330102010061": 1}


# --- infer_home_place -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source_name", "expected"),
    [
        ("越城组工", "330602"),
        ("杭州上城", "330102"),
        ("上城发布", "330102"),
        ("绍兴发布", "3306"),
        ("诸暨发布", "330681"),
        ("北京朝阳", "110105"),
        ("常州市钟楼区人民政府", "320404"),
        ("平安浙江", "33"),
    ],
)
def test_infer_home_place_from_an_account_name(source_name, expected):
    assert infer_home_place(source_name) == expected


def test_infer_home_place_finds_suide_county():
    assert infer_home_place("掌上绥德") == _code("绥德县")


@pytest.mark.parametrize(
    "source_name",
    [
        "共产党员",  # no place at all
        "新华社",
        "",
        "朝阳发布",  # 朝阳市, 北京's 朝阳区, 长春's 朝阳区
        "西湖发布",  # 杭州's and 南昌's 西湖区
        "杭州绍兴同城",  # two places not inside each other
    ],
)
def test_infer_home_place_gives_none_when_there_is_no_single_place(source_name):
    assert infer_home_place(source_name) is None


# --- the local-government samples -----------------------------------------------------------

SAMPLE_PROVINCES = {
    "市政协考察团到南大街街道": "32",
    "卫东区开展城市社区治理观摩活动": "41",
    "新新街街道": "41",
    "宁津街道与桃园街道": "37",
    "皇姑区北塔街道": "21",
    "四团镇": "31",
    "莽张镇": "41",
    "利辛县委书记": "34",
    "虹口区广中路街道": "31",
    "越城区部分街道行政区划调整": "33",
    "奔跑的绍兴": "33",
    "吴兴区民政局": "33",
    "枫桥里的三座": "33",
    "开展乡镇项目建设": "13",
    "在职党员服务社区平台多": "33",
}


@pytest.mark.parametrize(("title_part", "province"), sorted(SAMPLE_PROVINCES.items()))
def test_localgov_sample_has_no_tags_from_unrelated_provinces(localgov, title_part, province):
    tags = geotag(_item(localgov, title_part))
    assert {code[:2] for code in tags} <= {province}


def test_localgov_zhonglou_nandajie_needs_its_home_place(localgov):
    text = _item(localgov, "南大街街道金色新城社区")
    # 南大街街道 exists in 张家口, 沧州, 常州 and 重庆, and the text names none of them.
    assert geotag(text) == {}
    home = infer_home_place("常州市钟楼区人民政府")
    assert geotag(text, home_place=home) == {"320404005": 4}


def test_localgov_wangjiang_item_tags_district_street_and_community(localgov):
    tags = geotag(_item(localgov, "在职党员服务社区平台多"))
    assert set(tags) == {"330102", "330102010", "330102010061"}  # 上城区, 望江街道, 徐家埠社区


def test_localgov_yuecheng_adjustment_item_tags_streets_named_by_short_form(localgov):
    tags = geotag(_item(localgov, "越城区部分街道行政区划调整"))
    # 塔山、蕺山、北海、府山、稽山、迪荡6个街道: 蕺山 was merged away before the 2023 gazetteer.
    assert {"3306", "330602", "330602001", FUSHAN_YUECHENG, "330602004", "330602006", "330602007"} <= set(tags)
    assert FUSHAN_KECHENG not in tags


def test_localgov_yuedu_item_tags_the_community(localgov):
    tags = geotag(_item(localgov, "奔跑的绍兴"))
    assert {"3306", "330602", FUSHAN_YUECHENG, "330602002001"} <= set(tags)  # …越都社区


def test_localgov_fengqiao_item_tags_the_town(localgov):
    tags = geotag(_item(localgov, "枫桥里的三座"))
    assert set(tags) == {"33", "330681", "330681109"}  # 浙江省, 诸暨市, 枫桥镇


def test_localgov_weidong_item_tags_district_and_its_streets(localgov):
    tags = geotag(_item(localgov, "卫东区开展城市社区治理观摩活动"))
    assert set(tags) == {"410403", "410403001", "410403003", "410403010"}


def test_localgov_rongcheng_item_resolves_taoyuan_by_its_sibling_street(localgov):
    tags = geotag(_item(localgov, "宁津街道与桃园街道"))
    assert set(tags) == {"371082001", "371082003"}  # 荣成市's 宁津街道 and 桃园街道


def test_localgov_mangzhang_item_does_not_read_the_river_as_the_town(localgov):
    tags = geotag(_item(localgov, "莽张镇"))
    assert set(tags) == {"411521109"}  # 莽张镇, not 竹竿镇 from 竹竿河


def test_localgov_city_level_item_with_generic_words_gets_nothing(localgov):
    assert geotag(_item(localgov, "开展乡镇项目建设")) == {}  # 城北、城南片区


# --- the cache and speed --------------------------------------------------------------------


@pytest.fixture
def fresh_cache():
    reset_cache()
    yield
    reset_cache()  # the test's rows are rolled back: do not leave them in the index


def test_reset_cache_picks_up_new_places(fresh_cache):
    text = "越城区测绘新街道成立。"
    assert geotag(text) == {"330602": 1}
    Place.objects.create(name="测绘新街道", code="330602999", level="street", parent=Place.objects.get(code=YUECHENG))
    reset_cache()
    assert geotag(text) == {"330602": 1, "330602999": 1}


def test_saving_a_place_resets_the_cache(fresh_cache):
    geotag("越城区")
    assert geotag_module._index is not None
    Place.objects.create(name="测绘新街道", code="330602999", level="street", parent=Place.objects.get(code=YUECHENG))
    assert geotag_module._index is None


# --- name forms (no database needed) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "level", "expected"),
    [
        ("越城区", "district", ["越城"]),
        ("东浦街道", "street", ["东浦"]),
        ("绍兴市", "city", ["绍兴"]),
        ("浙江省", "province", ["浙江"]),
        ("广西壮族自治区", "province", ["广西", "广西区"]),
        ("内蒙古自治区", "province", ["内蒙古"]),
        ("恩施土家族苗族自治州", "city", ["恩施", "恩施州"]),
        ("互助土族自治县", "district", ["互助", "互助县"]),
        ("东乡族自治县", "district", ["东乡", "东乡县"]),
        ("叶赫满族镇", "street", ["叶赫", "叶赫镇"]),
        ("浦东新区", "district", ["浦东"]),
        ("城区", "district", []),  # no one-character short forms
        ("和县", "district", []),
    ],
)
def test_short_forms(name, level, expected):
    assert short_forms(name, level) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("西湖社区", ["西湖社区"]),
        ("西湖社区居委会", ["西湖社区", "西湖社区居委会"]),
        ("塔山村委会", ["塔山村", "塔山村委会"]),
        ("王家村村委会", ["王家村", "王家村村", "王家村村委会"]),
        ("新村村委会", ["新村村", "新村村委会"]),  # never the everyday word 新村
        ("东浦居委会", ["东浦社区", "东浦居委会"]),
    ],
)
def test_community_forms(name, expected):
    assert community_forms(name) == expected


# --- bare short forms (issue 12, item 6) ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("杭州亚运会倒计时一百天", "杭州市"),
        ("昆山举办人才招聘周活动", "昆山市"),
        ("淳安下姜村的共富故事", "淳安县"),
    ],
)
def test_a_nationally_unique_short_form_is_tagged_on_its_own(text, name):
    assert _code(name) in geotag(text)


@pytest.mark.parametrize(
    "text",
    [
        "西湖发布会在京举行",  # 杭州's and 南昌's 西湖区
        "朝阳群众举报线索",  # 朝阳市, 北京's and 长春's 朝阳区
        "长安汽车发布新车",
        "和平发展的道路",
        "东方明珠塔夜景",
        "中山大学开学典礼",
    ],
)
def test_an_ambiguous_or_everyday_short_form_is_not_tagged_without_context(text):
    assert {code for code in geotag(text) if len(code) <= 6} == set()
