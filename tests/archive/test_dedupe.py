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
