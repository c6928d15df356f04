"""Emotion: what a handler reads from the customer's words, with reasons and evidence spans."""

from __future__ import annotations

import random
import re

import pytest

from kesu.analysis import Complaint
from kesu.analysis.doc import make_doc
from kesu.analysis.emotion import (
    _FASTER,
    _STARTS,
    _as_lanes,
    _matches_at,
    _negation,
    _set_lanes,
    detect_emotion,
    negation_marks,
)
from kesu.analysis.lexicon import entries, load_table
from kesu.analysis.types import EMOTIONS, Emotion


def emo(text: str) -> Emotion:
    return detect_emotion(make_doc(Complaint(text=text)))


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # anger: curses, insults, rhetorical questions, dialect, shouting
        ("你们这个垃圾银行，又乱扣我钱", "anger"),
        ("骗子公司！黑心！", "anger"),
        ("什么破系统，转账转了五次都失败", "anger"),
        ("凭什么不给我退？有没有搞错？", "anger"),
        ("还有没有王法了，你们是干什么吃的", "anger"),
        ("你们这服务忒坑人了，搞啥子嘛", "anger"),
        ("贼坑！咋回事啊你们！！", "anger"),
        ("气死我了，等了三个小时没人理", "anger"),
        ("他妈的，又停机", "anger"),
        ("你們這個垃圾銀行太坑人了", "anger"),  # Traditional
        ("我真是忍无可忍了，太过分了！", "anger"),
        ("柜员翻白眼，还骂我听不懂人话", "anger"),
        ("客户情绪激动，多次拍桌", "anger"),
        ("明明没欠费，居然给我停机了！", "anger"),
        # anxiety
        ("急死了，等着用钱，怎么办啊", "anxiety"),
        ("卡被冻结了我很着急，下周要交房租", "anxiety"),
        ("我担心会影响征信，晚上都睡不着", "anxiety"),
        ("钱一直没到账，心里没底，到底什么时候能到", "anxiety"),
        ("咋办嘛，急得不行", "anxiety"),
        # disappointment
        ("做了十几年的老客户了，太让人失望了", "disappointment"),
        ("真寒心，以后再也不用你们的产品了", "disappointment"),
        ("没想到你们也是这样，本以为大银行靠谱", "disappointment"),
        ("對你們很失望", "disappointment"),  # Traditional
        # sadness
        ("欺负老人不识字，我心里很委屈", "sadness"),
        ("这是我的血汗钱，想起来就想哭", "sadness"),
        ("我爸走了快半年了，家里全部家当都没了", "sadness"),
        # calm: enquiries, facts, negated emotion
        ("请问信用卡年费怎么收？", "calm"),
        ("我想了解一下提前还款的流程", "calm"),
        ("我不生气，只是想把多扣的50元退回来", "calm"),
        ("我并不失望，只是希望改进", "calm"),
        ("别着急，慢慢说", "calm"),
        ("最近老收到垃圾短信，能否帮我拦截", "calm"),
        ("感谢小刘耐心讲了好几遍都不嫌烦", "calm"),
        ("一个小小的问题拖了一个月，麻烦尽快处理", "calm"),  # 小小的 about a problem, not a person
        ("请不要再打电话了，谢谢", "calm"),  # a polite request without !
        ("请问收到诈骗短信应该怎么举报", "calm"),  # 诈骗短信 names a thing, not an accusation
        # anger: stopping the other side with !, scorn for a clerk talking back
        ("別再給我打電話推銷了！！", "anger"),
        ("一个小小的柜员也敢跟我顶嘴？", "anger"),
        # anxiety: fear of losing the money
        ("一共六十万，到底还能不能拿回来？", "anxiety"),
        ("", "calm"),
    ],
)
def test_label(text: str, label: str) -> None:
    result = emo(text)
    assert result.label == label, (text, result)
    assert result.label in EMOTIONS


@pytest.mark.parametrize(
    "text",
    [
        "你们这个垃圾银行！！！凭什么扣我钱？",
        "急死了，等着用钱，怎么办",
        "做了十几年的老客户了，太让人失望了",
        "欺负老人，我很委屈",
        "這是甚麼態度？！太過分了",
    ],
)
def test_every_label_has_reasons_and_valid_spans(text: str) -> None:
    result = emo(text)
    assert result.label != "calm"
    assert result.reasons and all(isinstance(r, str) and r for r in result.reasons)
    assert result.spans
    for span in result.spans:
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start : span.end] == span.evidence


def test_reasons_name_the_cue_and_quote_the_customer() -> None:
    result = emo("你们这个垃圾银行！！！凭什么扣我钱？")
    assert "贬损词：垃圾银行" in result.reasons
    assert "连续感叹号" in result.reasons
    assert "反问句：凭什么" in result.reasons


def test_traditional_spans_point_into_the_original_text() -> None:
    text = "你們這個垃圾銀行太坑人了"
    result = emo(text)
    assert any(s.evidence == "垃圾銀行" for s in result.spans)


@pytest.mark.parametrize(
    ("calmer", "stronger"),
    [
        ("你们太过分了", "你们太过分了！！！简直是骗子、垃圾！"),
        ("有点着急", "急死了！！等着用钱，怎么办，睡不着"),
    ],
)
def test_intensity_grows_with_intensifiers_punctuation_and_more_cues(calmer: str, stronger: str) -> None:
    weak, strong = emo(calmer), emo(stronger)
    assert weak.label == strong.label
    assert 0.0 < weak.intensity < strong.intensity <= 1.0


def test_calm_has_low_intensity_and_a_reason() -> None:
    result = emo("请问网点几点开门")
    assert result.intensity < 0.3
    assert result.reasons == ["未见明显情绪词，语气平稳"]


@pytest.mark.parametrize(
    "text",
    [
        "坐席：您别着急，非常抱歉给您添麻烦了\n客户：好的，那麻烦帮我查一下账单",
        "客户：我不想活了……\n坐席：先生？\n客户：哦不是，我是说网速慢得我都不想活了，哈哈，开玩笑的",
        "听说上个月有人在你们网点砸了东西，我可不是来闹的，就想问问利率",
    ],
)
def test_agent_lines_jokes_and_other_peoples_acts_are_not_the_customers_emotion(text: str) -> None:
    assert emo(text).label == "calm"


def test_punctuation_alone_is_arousal_not_anger() -> None:
    result = emo("收到了！！！")
    assert result.label == "calm"


def test_dominant_emotion_wins_and_the_other_is_mentioned() -> None:
    result = emo("你们这帮骗子，气死我了！我现在急着用钱，怎么办")
    assert result.label == "anger"
    assert any(r.startswith("兼有焦虑") for r in result.reasons)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("WHY 又扣我钱！你们太过分了", "大写字母（喊叫）"),
        ("宽带断了四天了！四天！你们太过分了", "重复强调"),
        ("啊啊啊啊气死我了", "重复字（喊叫）"),
        ("你们到底什么时候处理？！", "质问标点（？！）"),
    ],
)
def test_typography_is_read_as_arousal(text: str, reason: str) -> None:
    assert reason in emo(text).reasons


def test_common_acronyms_are_not_shouting() -> None:
    assert "大写字母（喊叫）" not in emo("ATM吞卡了，APP也登不上，VIP客户经理也找不到！").reasons


@pytest.mark.parametrize("plain", list(_FASTER))
def test_faster_punctuation_patterns_match_as_the_table_does(plain: str) -> None:
    """Each faster spelling finds what the pattern of data/emotion.toml finds, which it replaces."""
    assert plain in [row["pattern"] for row in entries("emotion", "punct")]
    slow, fast = re.compile(plain), re.compile(_FASTER[plain])
    pieces = ["!", "?", "!!", "??", "中", " ", "a", "A", "B", "QR", "ATM", "APP", "WIFI", "ATMS"]
    pieces += ["WHY", "STOP"]
    rng = random.Random(1)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 10))) for _ in range(20_000)]
    matched = 0
    for text in texts:
        found = [m.span() for m in slow.finditer(text)]
        assert [m.span() for m in fast.finditer(text)] == found, text
        matched += bool(found)
    assert matched > 1_000


@pytest.mark.parametrize("plain", list(_STARTS))
def test_repeats_are_tried_where_characters_repeat_and_found_as_by_a_scan(plain: str) -> None:
    """重复字 and 重复强调 are tried only where `_STARTS` says they can start: the same matches."""
    assert plain in [row["pattern"] for row in entries("emotion", "punct")]
    regex, starts = re.compile(plain), _STARTS[plain]
    pieces = ["总部", "调查", "四天", "啊", "啊啊", "哈", "气", "气气", "了", "!", ",", "。", "0", "*", "a"]
    pieces += [" ", "\n", "𝄞", "\ud83d", "\x00"]
    rng = random.Random(4)
    texts = ["", "啊", "啊啊啊", "\x00\x00\x00", "四天!四天!", "调查调查"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 60))) for _ in range(5_000)]
    matched = 0
    for text in texts:
        found = [m.span() for m in regex.finditer(text)]
        tried = _matches_at(regex, text, _set_lanes(starts(_as_lanes(text), len(text))))
        assert [m.span() for m in tried] == found, text
        matched += bool(found)
    assert matched > 500


def test_negation_marks_are_in_every_negation_word() -> None:
    """The pre-check of `negated` skips a window only when it holds no negation word."""
    terms = load_table("emotion")["negation"]["terms"]
    marks = negation_marks(terms)
    assert marks == {"不", "没", "别", "未", "无"}
    assert all(not marks.isdisjoint(t) for t in terms)
    assert negation_marks(["不", "无需", "无须", "毫不"]) == {"不", "无"}


def test_negation_pre_check_skips_only_windows_the_search_would_not_match() -> None:
    negation, _, marks = _negation()
    pieces = ["不", "没", "有", "无", "需", "须", "别", "未", "一点", "也", "都", "生气", "很", "是", "会"]
    rng = random.Random(7)
    windows = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 3)))[-3:] for _ in range(20_000)]
    skipped = 0
    for window in windows:
        if marks.isdisjoint(window):
            assert negation.search(window) is None, window
            skipped += 1
    assert 1_000 < skipped < len(windows)


@pytest.mark.parametrize(
    ("text", "label"),
    [("我不生气", "calm"), ("我很生气", "anger"), ("无需着急", "calm"), ("我真的很着急", "anxiety")],
)
def test_negated_cues_with_and_without_a_negation_mark(text: str, label: str) -> None:
    assert emo(text).label == label
