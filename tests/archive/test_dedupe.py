import datetime as dt

from archive.ingest import dedupe

TEXT = (
    "5月，绍兴市将全市城市基层党建“五星达标、和美家园”创建工作现场会放在了越城区，越城区以城市社区建设为重点建立工作成效标准。"
    "东浦街道有个出了名的“客厅”，大门敞开，“客人”络绎不绝。记者看到，“东浦客厅”由三幢黑瓦白墙的仿古建筑组成，配合着四周的花园、亭廊。"
    "陈小彩是北海街道西湖社区的党委书记，如今她却多了另外一个身份。走进位于迪荡街道的北辰广场，在大楼一层大厅的醒目位置，记者就看到了招牌。"
)
OTHER = (
    "近日，府山街道召开垃圾分类工作推进会，部署下一阶段重点任务。会议要求各社区加强宣传引导，"
    "落实桶边督导制度。走进位于迪荡街道的北辰广场，在大楼一层大厅的醒目位置，记者就看到了招牌。"
)


def test_content_hash_ignores_whitespace_and_punctuation_differences():
    assert dedupe.content_hash("标题", TEXT) == dedupe.content_hash("另一个标题", TEXT.replace("，", ", ") + "\n\n")
    assert dedupe.content_hash("标题", TEXT) != dedupe.content_hash("标题", TEXT.replace("东浦", "西浦"))


def test_title_only_records_are_keyed_by_title():
    assert dedupe.content_hash("府山街道举行消防演练", "") != dedupe.content_hash("北海街道举行消防演练", "")


def test_residue_around_the_same_text_stays_similar():
    noisy = "阅读原文\n" + TEXT + "\n长按二维码关注我们，获取更多资讯"
    assert dedupe.similarity(dedupe.clauses(TEXT), dedupe.clauses(noisy)) >= dedupe.MIN_SIMILARITY
    assert set(dedupe.anchors(TEXT)) & set(dedupe.anchors(noisy))


def test_a_light_edit_stays_similar():
    edited = TEXT.replace("如今她却多了另外一个身份", "如今她又多了一个身份")
    assert dedupe.similarity(dedupe.clauses(TEXT), dedupe.clauses(edited)) >= dedupe.MIN_SIMILARITY


def test_articles_quoting_the_same_sentence_are_not_similar():
    assert dedupe.similarity(dedupe.clauses(TEXT), dedupe.clauses(OTHER)) < dedupe.MIN_SIMILARITY


def test_anchors_are_stable_signed_64_bit_hashes_of_the_longest_clauses():
    anchors = dedupe.anchors(TEXT)
    assert len(anchors) == dedupe.ANCHORS
    assert anchors == dedupe.anchors(TEXT)
    assert all(-(2**63) <= value < 2**63 for value in anchors)
    assert dedupe.anchors("短句。很短。") == []


def _copy(ref, day, account, url="", title="越城区召开2021年度基层治理现代化推进大会", title_only=True, ingested=0):
    published = dt.date(2021, 6, day) if day else None
    return dedupe.Copy(
        ref=ref,
        order=dedupe.order(published, (0, ingested or ref)),
        account=account,
        url=dedupe.url_key(url),
        published=published,
        title_only=title_only,
        title=dedupe.normalise(title),
    )


def test_a_wechat_address_is_known_by_its_post_not_its_share_parameters():
    plain = "https://mp.weixin.qq.com/s?__biz=MzA1&mid=2&idx=1&sn=abc"
    shared = "http://MP.weixin.qq.com/s?__biz=MzA1&mid=2&idx=1&sn=abc&chksm=9&scene=21#wechat_redirect"
    assert dedupe.url_key(plain) == dedupe.url_key(shared)
    assert dedupe.url_key(plain) != dedupe.url_key(plain.replace("idx=1", "idx=2"))
    assert dedupe.url_key("") == ""


def test_the_earliest_dated_copy_is_the_original_and_ties_go_to_the_first_ingested():
    copies = [_copy(1, None, 1, title_only=False), _copy(2, 12, 2, title_only=False), _copy(3, 11, 3, title_only=False)]
    assert dedupe.plan(copies, generic_titles=set()) == {3: None, 2: 3, 1: 3}
    tie = [_copy(5, 11, 1, title_only=False), _copy(4, 11, 2, title_only=False)]
    assert dedupe.plan(tie, generic_titles=set()) == {4: None, 5: 4}


def test_same_account_different_addresses_never_join_and_title_only_needs_evidence():
    a = _copy(1, 11, 1, url="https://example.cn/a")
    assert not dedupe.may_join(_copy(2, 11, 1, url="https://example.cn/b"), [a], generic_titles=set())
    assert dedupe.same_post(_copy(2, 11, 1, url="https://example.cn/a"), a)
    assert dedupe.may_join(_copy(2, 13, 2), [a], generic_titles=set())
    assert not dedupe.may_join(_copy(2, 20, 2), [a], generic_titles=set())  # far apart in time
    assert not dedupe.may_join(_copy(2, None, 2), [a], generic_titles=set())  # undated
    assert not dedupe.may_join(
        _copy(2, 11, 2, title="分享图片"), [_copy(1, 11, 1, title="分享图片")], generic_titles=set()
    )
    assert not dedupe.may_join(_copy(2, 11, 2), [a], generic_titles={a.title})
    assert dedupe.is_generic_title(days=dedupe.GENERIC_DAYS, accounts=1)
    assert not dedupe.is_generic_title(days=2, accounts=5)
