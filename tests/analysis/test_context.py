"""The context readers every detector relies on: who says it, whether they deny it, imagine it,
ask about it, take it back, or say it has already happened."""

from __future__ import annotations

import pytest

from kesu.analysis import context
from kesu.analysis.doc import Doc, make_doc
from kesu.analysis.types import Complaint


def at(text: str, word: str, nth: int = 0) -> tuple[Doc, int, int]:
    """The doc and the span of the `nth` occurrence of `word` in the normalised text."""
    doc = make_doc(Complaint(text=text))
    start = -1
    for _ in range(nth + 1):
        start = doc.norm.index(word, start + 1)
    return doc, start, start + len(word)


@pytest.mark.parametrize(
    ("text", "word", "cue"),
    [
        ("我不会去曝光的", "曝光", "不会"),
        ("我也不想闹到法院", "法院", "不想"),
        ("我没打算起诉", "起诉", "没打算"),
        ("我从来没投诉过", "投诉", "从来没"),
        ("我不是要找记者", "记者", "不是要"),
    ],
)
def test_negation_found(text, word, cue):
    doc, start, _ = at(text, word)
    assert context.negation(doc, start) == cue


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("不解决我就打12378", "12378"),  # 不…就…: a conditional threat, not a negation
        ("你们再不退钱我就起诉", "起诉"),
        ("我很不满，要去曝光", "曝光"),
        ("我很不满要去曝光", "曝光"),
        ("没人管我就去上访", "上访"),
        ("别逼我跳楼", "跳楼"),
        ("是不是非要我也动手你们才管", "动手"),
        ("我朋友上次因为差不多的事去了电视台", "电视台"),
        ("我不排除起诉的可能", "起诉"),
    ],
)
def test_look_alike_negations_are_not_negations(text, word):
    doc, start, _ = at(text, word)
    assert context.negation(doc, start) is None


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        ("如果有人去曝光，你们怎么办", "曝光", "如果"),
        ("万一我去起诉，要多久？", "起诉", "万一"),
        ("如果你们三天内不退款，我就找记者", "记者", None),  # the speaker owns it
        ("要是今天还没个说法，我就打12378", "12378", None),
        ("我明天去打12378", "12378", None),
    ],
)
def test_hypothetical(text, word, expected):
    doc, start, _ = at(text, word)
    assert context.hypothetical(doc, start) == expected


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        ("不给我就天天来你们网点闹", "天天来", "我就"),
        ("再不退，我就天天来你们营业厅闹", "天天来", "我就"),  # the condition in the clause before
        ("如果还拖着我就去你们门口闹", "去你们", "我就"),
        ("我就是天天来你们网点也没用", "天天来", None),  # 就是: no condition
        ("我天天来你们网点问进度", "天天来", None),
    ],
)
def test_owned_condition(text, word, expected):
    doc, start, _ = at(text, word)
    assert context.owned_condition(doc, start) == expected


def test_conditional_names_the_consequence_marker():
    doc, start, _ = at("如果你们再不处理，我就去法院", "法院")
    assert context.conditional(doc, start) == "我就"
    doc, start, _ = at("我明天去法院", "法院")
    assert context.conditional(doc, start) is None


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        ("我朋友上次去了电视台", "电视台", "我朋友"),
        ("他们说要去告你们", "告", "他们"),
        ("听说上百个客户在联名投诉", "联名", "听说"),
        ("新闻里看到有人跑去营业部打人", "打人", "有人"),
        ("我表哥就是律师", "律师", "表哥"),
        ("他们不给我退我就去起诉", "起诉", None),  # 我 takes the act back
        ("我就带着我爸的遗像去门口拉横幅", "横幅", None),  # a possessive, not a subject
        ("不然我就带着邻居们一起向住建局投诉", "住建局", None),  # companions
        ("公司会帮他们向金融监管局投诉", "金融监管局", None),  # 帮他们: the beneficiary
        ("我要去法院", "法院", None),
        ("我媳妇说要去网上发帖曝光你们", "网上发帖", "媳妇"),  # a family member's intention
        ("我儿子说要找电视台", "电视台", "儿子"),
        ("我替我妈打了12378", "12378", None),  # acting for her: the speaker's own act
    ],
)
def test_third_party(text, word, expected):
    doc, start, _ = at(text, word)
    assert context.third_party(doc, start) == expected


def test_third_party_inside_the_hit():
    doc, start, end = at("网上好多人都在骂你们", "网上好多人都在骂")
    assert context.third_party(doc, start, end=end) == "好多人"
    assert context.third_party(doc, start) is None


def test_quoted_words_of_somebody_else():
    doc, start, _ = at("业务员跟我说“有本事你去告啊”", "告")
    assert context.quoted_other(doc, start) == "业务员"
    doc, start, _ = at("客户称“再找不到就把这店掀了”", "掀")
    assert context.quoted_other(doc, start) is None


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        ("我已经打了12378", "12378", "done"),
        ("１２３７８我已经打过了", "12378", "done"),
        ("我上周已向银保监局投诉", "银保监", "done"),
        ("12315我也打了", "12315", "done"),
        ("我早就投诉了", "投诉", "done"),
        ("律师函已经寄出去了", "律师函", "done"),
        ("当场把屏幕砸坏", "砸坏", "done"),
        ("我要去起诉了", "起诉", "threatened"),
        ("我明天就去法院", "法院", "threatened"),
        ("我准备联系记者", "记者", "threatened"),
        ("你信不信我去网上曝光", "曝光", "threatened"),
        ("否则我方将代表上述消费者提起诉讼并联系媒体报道", "媒体", "threatened"),
        ("这件事要求你们给个说法", "说法", "unknown"),  # 要求 is not 要
        ("找记者", "记者", "unknown"),
    ],
)
def test_tense(text, word, expected):
    doc, start, end = at(text, word)
    assert context.tense(doc, start, end) == expected


def test_modal_le_is_not_done_when_asked():
    doc, start, end = at("我不想活了", "不想活了")
    assert context.tense(doc, start, end) == "done"
    assert context.tense(doc, start, end, le_is_done=False) == "unknown"


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        ("本来想打12315，后来算了", "12315", "算了"),
        ("我不想活了……哈哈，开玩笑的", "不想活了", "开玩笑"),
        ("我要打12315，谁也拦不住", "12315", None),
    ],
)
def test_withdrawn(text, word, expected):
    doc, _, end = at(text, word)
    assert context.withdrawn(doc, end) == expected


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        ("12315能管吗？", "12315", "吗"),
        ("怎么起诉你们", "起诉", "怎么"),
        ("我要去起诉你们", "起诉", None),
    ],
)
def test_question(text, word, expected):
    doc, start, end = at(text, word)
    assert context.question(doc, start, end) == expected


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        ("客户携带横幅到营业部门口", "横幅", "客户"),
        ("客户称明天要拉横幅", "横幅", None),  # reported speech
        ("客户：我明天去拉横幅", "横幅", None),  # a speaker label
        ("本人受客户委托，将起诉", "起诉", None),  # the customer as an object
    ],
)
def test_narrated(text, word, expected):
    doc, start, _ = at(text, word)
    assert context.narrated(doc, start) == expected


def test_staff_turns_are_told_apart_from_the_customer():
    text = "客户：我要打12378。 坐席：您也可以拨打12321举报。"
    doc, start, _ = at(text, "12378")
    assert context.staff_turn(doc, start) is None
    doc, start, _ = at(text, "12321")
    assert context.staff_turn(doc, start) == "坐席"


def test_every_cue_kind_is_loaded():
    cues = context.cues()
    for name in cues.__dataclass_fields__:
        assert getattr(cues, name), name
