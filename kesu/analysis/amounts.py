"""Money amounts written every way customers write them (¥3,000 / 3000块 / 三千元 / 3k / 3万 / 一万五).

A number is money when a currency word stands next to it (¥ ￥ RMB 人民币 before; 元 块 块钱 圆
after), when it carries a magnitude that customers use for money (3万, 3w, 3k, 十万), or when the
words before it make it money (扣了300, 退我300, 年费300, 亏了三万). A number is never money
when it counts something (三次, 3天, 两个月, 八十岁), is part of a date or time, a phone, ID or card
number, a hotline (12378), a percentage (百分之三十, 30%), or a label (尾号1234, 第3期).

Approximate amounts (二十多万, 3000多元, 两三千) keep the stated base (200000, 3000, 2000) and are
flagged `approximate`. Words for the cues live in data/entities.toml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kesu.analysis.doc import Doc
from kesu.analysis.lexicon import entries


@dataclass(frozen=True)
class Amount:
    value: float
    start: int
    end: int
    evidence: str
    approximate: bool = False
    has_currency: bool = False


_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "贰": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_CN_UNITS = {
    "十": 10,
    "拾": 10,
    "百": 100,
    "佰": 100,
    "千": 1000,
    "仟": 1000,
    "万": 10_000,
    "亿": 100_000_000,
}
_APPROX = "多余几"
_ARABIC = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_CN = "".join(_CN_DIGITS)
_UNITS = "".join(_CN_UNITS)
# A run of digits and numerals, then an optional k/w; never the tail of a longer run, nor the
# decimals of 3.5 or the thousands of 1,280. The straightforward form,
#   (?<![\d{_CN}{_UNITS}])(?<!\d[.,])(?:{_ARABIC}|[{_CN}十拾])(?:{_ARABIC}|[{_CN}{_UNITS}{_APPROX}])*…
# opens with look-behinds, which `re` tries at every character. This form matches the same and
# opens with a plain character class, so `re` skips in C to the next digit or numeral (four times
# cheaper): the look-behinds come after that first character, one character wider, and an Arabic
# number goes on from its first digit ({_ARABIC} with one digit fewer).
_RUN = re.compile(
    rf"[\d{_CN}十拾](?<![\d{_CN}{_UNITS}].)(?<!\d[.,].)"
    rf"(?:(?<=\d)(?:\d{{0,2}}(?:,\d{{3}})+|\d*)(?:\.\d+)?|(?<!\d))"
    rf"(?:{_ARABIC}|[{_CN}{_UNITS}{_APPROX}])*"
    r"(?:\s?[kw](?![a-z])\d?)?"
)
_TOKEN = re.compile(rf"{_ARABIC}|[{_CN}{_UNITS}{_APPROX}kw]")


@dataclass(frozen=True)
class _Words:
    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    suffix_not_before: tuple[str, ...]
    cues: tuple[str, ...]
    counters: tuple[str, ...]
    labels: tuple[str, ...]
    idioms: tuple[str, ...]
    fee_after: tuple[str, ...]
    bare_after_ok: str


@cache
def _words() -> _Words:
    def terms(kind: str) -> tuple[str, ...]:
        found = [t for e in entries("entities", "money") if e["kind"] == kind for t in e["terms"]]
        return tuple(sorted(set(found), key=len, reverse=True))

    return _Words(
        prefixes=terms("prefix"),
        suffixes=terms("suffix"),
        suffix_not_before=terms("suffix_not_before"),
        cues=terms("cue"),
        counters=terms("counter"),
        labels=terms("label"),
        idioms=terms("idiom"),
        fee_after=terms("fee_after"),
        bare_after_ok="".join(terms("bare_after_ok")),
    )


def parse_number(raw: str) -> tuple[float, bool] | None:
    """Value of a number written in Arabic and/or Chinese digits (一万五 → 15000, 12万8 → 128000,
    1.5万, 两千八百, 壹仟伍佰, 3k, 3w) and whether it was approximate (二十多万, 两三千).
    None when the characters do not form a number (一一, 万万)."""
    total = section = 0.0
    cur: float | None = None
    cur_single = approx = zero = False
    last_unit = 0
    for tok in _TOKEN.findall(raw.replace(",", "") if "," in raw else raw):
        if tok in _APPROX:
            approx = True
        elif tok in ("零", "〇") and cur is None and (section or total):
            zero = True
        elif tok in _CN_DIGITS or tok[0].isdigit():
            value = float(_CN_DIGITS[tok]) if tok in _CN_DIGITS else float(tok)
            if cur is not None:
                if tok in _CN_DIGITS and cur_single and value == cur + 1:
                    approx = True  # 两三千, 一两万: a range, keep the lower bound
                    continue
                return None
            cur, cur_single = value, tok in _CN_DIGITS or len(tok) == 1
        else:
            unit = _CN_UNITS.get(tok) or (1000 if tok == "k" else 10_000)
            if unit >= 10_000:
                base = section + (cur or 0.0)
                if base == 0 and total == 0:
                    return None
                total = (total + base) * unit if unit > 10_000 else total + base * unit
                section = 0.0
            else:
                section += (cur if cur is not None else 1.0) * unit
            cur, last_unit, zero = None, unit, False
    if cur is not None:
        if last_unit >= 10 and not zero and cur_single and cur < 10:
            cur *= last_unit / 10  # 一万五 = 15000, 两千八 = 2800, 12万8 = 128000
        section += cur
    value = total + section
    return (value, approx) if value > 0 else None


def _prefix_at(norm: str, start: int, words: _Words) -> int | None:
    """Start of a currency prefix (¥, RMB, 人民币) just before `start`, allowing one space."""
    head = norm[max(0, start - 4) : start]
    stripped = head.rstrip(" ")
    if not stripped.endswith(words.prefixes):
        return None
    p = next(p for p in words.prefixes if stripped.endswith(p))
    return start - (len(head) - len(stripped)) - len(p)


def _suffix_at(norm: str, end: int, words: _Words) -> int | None:
    """End of a currency suffix (元, 块钱, 人民币) right after `end`, allowing one space."""
    pos = end + 1 if norm[end : end + 1].isspace() else end  # `\s?`: str.isspace is what `\s` tests
    if not norm.startswith(words.suffixes, pos) or norm.startswith(words.suffix_not_before, pos):
        return None
    for s in words.suffixes:  # the first listed (the longest) that is there
        if norm.startswith(s, pos):
            return pos + len(s)
    return None  # not reached: one of them is there


def _is_count(norm: str, end: int, words: _Words) -> bool:
    tail = norm[end : end + 3].lstrip(" ")
    return not tail.startswith(words.fee_after) and tail.startswith(words.counters)


def _is_label(norm: str, start: int, words: _Words) -> bool:
    head = norm[max(0, start - 4) : start].rstrip(" :")
    if (head[-1:].isascii() and head[-1:].isalpha()) or head.endswith(("#", "-", "/")):
        return True
    return head.endswith(words.labels) or norm[max(0, start - 3) : start] == "百分之"


def _has_cue(doc: Doc, start: int, words: _Words) -> bool:
    return _cue_regex().search(doc.before(start, 8)) is not None


@cache
def _cue_regex() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(c) for c in _words().cues))


def _bare_ok(doc: Doc, end: int, words: _Words) -> bool:
    nxt = doc.norm[end : end + 1]
    if not nxt or not ("\u4e00" <= nxt <= "\u9fff") or nxt in words.bare_after_ok:
        return True
    return doc.norm.startswith(words.fee_after, end)


def _taken_spans(doc: Doc) -> list[tuple[int, int]]:
    return [(p.start, p.end) for p in doc.pii]


_JIAO = re.compile(r"([0-9一二两三四五六七八九])[毛角](?:钱)?")
_JIAO_ALONE = re.compile(r"[毛角](?:钱)?")


def _with_jiao(norm: str, value: float, end: int) -> tuple[float, int]:
    """三块二毛 = 3.2: the 毛/角 written after 块/元."""
    m = _JIAO.match(norm, end)
    if m is None:
        return value, end
    digit = m.group(1)
    return value + (int(digit) if digit.isdigit() else _CN_DIGITS[digit]) / 10, m.end()


# The last document scanned and its amounts: the engine and risk.detect_signals both ask for
# the same Doc, so the second call is free. One slot, replaced in one assignment (thread-safe).
_last_scan: list[tuple[Doc | None, tuple[Amount, ...]]] = [(None, ())]


def find_amounts(doc: Doc) -> list[Amount]:
    """Every money amount in the text, in text order, with offsets into the original text."""
    last_doc, last = _last_scan[0]
    if last_doc is doc:
        return list(last)
    found = _scan_amounts(doc)
    _last_scan[0] = (doc, tuple(found))
    return found


@cache
def _lone_gate() -> tuple[frozenset[str], frozenset[str]]:
    """What can stand after and before a lone numeral 一…九 (value 1–9, or 零) when it is money:
    the first character of a currency suffix, of a fee word (`fee_after`) or 毛/角 after it; the
    last character of a currency prefix, or a space (stripped before the prefix), before it.
    Without one of them `_classify` finds no prefix, suffix or fee word, and a small Chinese
    numeral without them is never money (no magnitude, below 10), nor is it 5毛钱."""
    words = _words()
    if not all(words.prefixes + words.suffixes + words.fee_after):
        raise ValueError("entities.toml: an empty currency or fee word would match everywhere")
    after = {w[0] for w in words.suffixes + words.fee_after} | {"毛", "角"}
    before = {w[-1] for w in words.prefixes} | {" "}
    return frozenset(after), frozenset(before)


def _scan_amounts(doc: Doc) -> list[Amount]:
    words, norm = _words(), doc.norm
    taken = _taken_spans(doc)
    found: list[Amount] = []
    lone_after, lone_before = _lone_gate()
    for m in _RUN.finditer(norm):
        start, end = m.start(), m.end()
        # Most runs are one numeral of a word (一直, 两个): no money unless a currency or fee
        # word touches it (`_lone_gate`), told by two set look-ups instead of a parse and checks.
        if (
            end - start == 1
            and norm[start] in _CN_DIGITS
            and norm[end : end + 1] not in lone_after
            and not norm[end : end + 1].isspace()
            and norm[start - 1 : start] not in lone_before
        ):
            continue
        raw = m.group().rstrip(_APPROX) or m.group()
        if (taken and any(start < e and s < end for s, e in taken)) or (found and start < found[-1].end):
            continue
        parsed = parse_number(m.group())
        while parsed is None and end - start > 1:
            end -= 1  # 两万四一分都不能少: the run swallowed the 一 of 一分
            raw = norm[start:end].rstrip(_APPROX) or norm[start:end]
            parsed = parse_number(norm[start:end])
        if parsed is None:
            continue
        value, approx = parsed
        amount = _classify(doc, start, end, raw, value, words)
        if (
            amount is None
            and (j := _JIAO_ALONE.match(norm, end))
            and not norm.startswith(("都", "也"), j.end())
        ):
            value, amount = value / 10, (start, j.end(), True)  # 5毛钱 = 0.5
        elif amount is not None and amount[2]:
            value, jiao_end = _with_jiao(norm, value, amount[1])
            amount = (amount[0], jiao_end, True)
        if amount is not None:
            found.append(
                Amount(
                    round(value, 2), amount[0], amount[1], doc.text[amount[0] : amount[1]], approx, amount[2]
                )
            )
    return found


def _classify(
    doc: Doc, start: int, end: int, raw: str, value: float, words: _Words
) -> tuple[int, int, bool] | None:
    """(start, end, has_currency) of the amount when the number at start:end is money, else None."""
    norm = doc.norm
    pre = _prefix_at(norm, start, words)
    if pre is None and _is_label(norm, start, words):
        return None
    suf = _suffix_at(norm, end, words)
    if pre is not None or suf is not None:
        if suf is not None and value <= 1 and norm[suf : suf + 2].startswith(("都", "也")):
            return None  # 一块钱都没退: an idiom for "nothing", not an amount
        piece = pre is None and norm.startswith("块", end) and not norm.startswith("块钱", end)
        piece = piece and not _JIAO.match(norm, end + 1)
        if piece and not raw[0].isdigit() and value < 10 and not _has_cue(doc, start, words):
            return None  # 烤焦了一块: a piece, not a yuan
        return (pre if pre is not None else start, suf if suf is not None else end, True)
    if _is_count(norm, end, words) or norm.startswith(words.idioms, start):
        return None
    if norm.startswith(words.fee_after, end):
        return (start, end, False)  # 300年费, 58的套餐
    magnitude = any(u in raw for u in "万亿kw") or (not raw[0].isdigit() and "千" in raw)
    if not magnitude and not _bare_ok(doc, end, words):
        return None
    digits = raw.replace(",", "").replace(".", "")
    hotline = digits.isdigit() and 5 <= len(digits) <= 6 and digits[0] in "19" and "." not in raw
    if hotline and not _has_cue(doc, start, words):
        return None  # 12378, 95588, 10086: hotlines, not money
    arabic_or_big = raw[0].isdigit() or value >= 10
    if magnitude or (arabic_or_big and _has_cue(doc, start, words)):
        return (start, end, False)
    return None
