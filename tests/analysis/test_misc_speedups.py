"""The fast forms of pii, entities, dimensions and context against their plain forms."""

from __future__ import annotations

import random
import re

import pytest

from kesu.analysis import context, pii
from kesu.analysis.dimensions import _lead_regex, _strip_bounds
from kesu.analysis.entities import _PIECE, _pieces

_DIGITISH = "0123456789０１２３４５６７８９٣ -－　()（）+xX\n\t.:/号年月元工单GD"


def _plain_find_pii(text: str) -> list[pii.PiiMatch]:
    """find_pii before `_PII_SHAPE`: the seven-digit gate alone."""
    if not pii._LONG_DIGITS.search(text):
        return []
    plain = pii._half_width(text)
    taken: list[tuple[int, int]] = []
    found: list[pii.PiiMatch] = []
    for kind, pattern in pii._PATTERNS:
        for m in pattern.finditer(plain):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append(pii.PiiMatch(kind, m.start(), m.end(), pii._mask(kind, m.group())))
    found.sort(key=lambda p: p.start)
    return found


def test_the_pii_shape_gate_loses_no_number() -> None:
    texts = ["13812345678", "+86 138 1234 5678", "86-138-1234-5678", "010-12345678", "(010)12345678"]
    texts += ["（０１０）\t１２３４５６７", "0755 1234567", "6222 0212 3456 7890 123", "110101199003071234"]
    texts += [
        "11010119900307123X",
        "110101900307123",
        "工单GD20240001",
        "2024-03-05",
        "１３８　１２３４　５６７８",
    ]
    texts += ["13٨١٢٣٤٥٦٧٨ 1()()()", "1٣٨١٢٣٤٥٦٧٨ 1234567"]
    rng = random.Random(11)
    for _ in range(60_000):
        texts.append("".join(rng.choice(_DIGITISH) for _ in range(rng.randint(5, 40))))
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(7, 19)))
        cut = rng.randint(0, len(digits))
        texts.append(digits[:cut] + rng.choice(["", " ", "-", "　", "－", ")", "）", "\t"]) + digits[cut:])
    for text in texts:
        assert pii.find_pii(text) == _plain_find_pii(text), text


def test_time_pieces_in_two_steps_are_the_pieces_of_one_search() -> None:
    alphabet = "0123456789٣:.-/ \n一二三四五六七八九十两〇零去今前明上这本下周星礼大昨当后最近年月节春国凌早中傍晚夜半深几"
    alphabet += "个日号天期拜点时分初底末旬午次晨些段阵庆里多左右以之每费楼近"
    rng = random.Random(5)
    texts = ["2023年3月5日下午3点", "近3月", "上上个月3号", "去年3月5号的事", "10:30到11点"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(40_000)]
    for text in texts:
        want = [(m.span(), m.groupdict(), m.lastgroup) for m in _PIECE.finditer(text)]
        assert [(m.span(), m.groupdict(), m.lastgroup) for m in _pieces(text)] == want, text


def _plain_strip_bounds(norm: str, lo: int, hi: int, times: list[str]) -> tuple[int, int]:
    """`_strip_bounds` with one alternation of the times, as it was written before."""
    from kesu.analysis.dimensions import _PUNCT, _trim_words

    lead_re, tail = _lead_regex(), _trim_words()[1]
    times_re = re.compile("|".join(re.escape(t) for t in times)) if times else None
    changed = True
    while changed and hi - lo > 1:
        changed = False
        while lo < hi and norm[lo] in _PUNCT:
            lo, changed = lo + 1, True
        while hi > lo and norm[hi - 1] in _PUNCT:
            hi, changed = hi - 1, True
        for pattern in (times_re, lead_re):
            m = pattern.match(norm, lo, hi) if pattern else None
            if m and m.end() < hi:
                lo, changed = m.end(), True
        if norm.endswith(tail, lo, hi):
            cut = next(len(w) for w in tail if norm.endswith(w, lo, hi))
            if hi - lo > cut:
                hi, changed = hi - cut, True
    return lo, hi


def test_strip_bounds_reads_the_times_as_one_alternation_would() -> None:
    pieces = ["昨天", "昨天下午", "下午", "3点", "我", "客户", "，", "了", "的", "扣费", "年费", " ", "。"]
    rng = random.Random(7)
    for _ in range(20_000):
        norm = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        times = sorted(
            {t for t in ("昨天", "昨天下午", "下午", "3点") if rng.random() < 0.5}, key=len, reverse=True
        )
        lo = rng.randint(0, len(norm))
        hi = rng.randint(lo, len(norm))
        assert _strip_bounds(norm, lo, hi, times) == _plain_strip_bounds(norm, lo, hi, times), norm


def _plain_last(window: str, kind: str) -> tuple[int, str] | None:
    best: tuple[int, str] | None = None
    for m in context._alternation(kind).finditer(window):
        best = (m.start(), m.group())
    return best


@pytest.mark.parametrize("kind", sorted(context.Cues.__dataclass_fields__))
def test_last_cue_is_the_last_match_of_finditer(kind: str) -> None:
    words: tuple[str, ...] = getattr(context.cues(), kind)
    assert all(words), "an empty cue word would match everywhere"
    rng = random.Random(kind)
    alphabet = sorted({ch for w in words for ch in w} | set("我的了，"))
    windows = [" ".join(words[:5]), "".join(words[:8])]
    for _ in range(2_000):
        parts = [
            rng.choice(words) if words and rng.random() < 0.4 else rng.choice(alphabet) for _ in range(8)
        ]
        windows.append("".join(parts))
    for window in windows:
        assert context._last(window, kind) == _plain_last(window, kind), window
