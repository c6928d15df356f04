"""Entities: amounts, dates, masked phone/ID/card numbers, organisations, products, people.

- amounts: the distinct values of `find_amounts`, in text order.
- dates: ISO dates (YYYY-MM-DD) of the time expressions that name one day; relative ones
  (昨天, 上周三, 3号) only when `received_at` anchors them (else they stay in dimensions.time only).
- phones, id_numbers, cards: masked forms only (138****1234); the raw number never leaves `pii`.
- orgs: names ending in an organisation word (朝阳支行, XX营业厅, 分公司), extended to the left over
  the place or company name and stopped at pronouns and verbs (我在朝阳支行 → 朝阳支行); well-known
  names without such a word (工商银行, 中国移动, 京东); generic units alone (营业厅, 网点).
- products: those the industry module found, plus the complaint's declared product.
- people: staff roles (大堂经理, 业务员, 客服) and named staff (王经理, 李行长, 工号8023).
Words live in data/entities.toml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from kesu.analysis.amounts import Amount
from kesu.analysis.doc import Doc
from kesu.analysis.lexicon import Hit, TermMatcher, entries
from kesu.analysis.types import Entities

_ORG_REACH = 10
# ---------------------------------------------------------------- time

_N = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
_YEAR = r"(?:\d{4}|[二〇零一两三四五六七八九]{4})"
_NOT_DAY = r"(?!楼|线|码|窗口|柜台|号|机|床|车厢|门|位|店|内|之内|以内|后|之后|以后|起)"
# Words that are a piece by themselves: relative days, vague times, parts of the day.
_REL = "大前天|前天|昨天|昨日|昨晚|昨夜|今天|今日|今早|今晚|当天|当日|当晚|明天|后天|前晚"
_VAGUE = "前几天|这几天|前两天|这两天|最近|近期|近日|前段时间|前阵子|前些天|上次|年初|年底|年中|月初|月底|月中|去年|今年|前年|节前|节后|春节|国庆|周末"
_PART = "凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里|半夜|深夜"
_WORDS = f"{_REL}|{_VAGUE}|{_PART}".split("|")
# Every piece starts with one of these characters: checking it first skips most positions fast.
_PIECE_START = "0-9一二三四五六七八九十两〇零去今前明上这本下周星礼大昨当后最近年月节春国凌早中傍晚夜半深几"
# How every piece opens, a little more than its first character: a number and a date or time
# word (3号, 10:30, 三天前, 2023年), 上个月, 这周, 周三, 去年, or the first two characters of a
# word above. Most characters that pass the first check (the 一 of 一直, the zeros of 10000) fail
# this one at once instead of trying every alternative below: the search costs a third.
_PIECE_OPENING = "|".join(
    [
        r"\d(?:\d?[.:年月日号天周个点时]|\d{3}[-/.年])",
        r"[一二三四五六七八九十][一二三四五六七八九十]{0,2}[月日号天周个年点时]",
        r"[上这本下]上?个?(?:月|周|星期|礼拜)",
        r"[二〇零一两三四五六七八九][二〇零一两三四五六七八九]{3}[-/.年]",
        r"[半几][天日周个年]",
        r"[周星礼][期拜]?[一二三四五六日天1-7]",
        r"[去今前明]年",
        "[" + "".join(sorted({w[0] for w in _WORDS})) + "][" + "".join(sorted({w[1] for w in _WORDS})) + "]",
    ]
)
# One alternative per kind of piece; adjacent pieces are merged into one expression.
_PIECE_KINDS = "|".join(
    [
        rf"(?P<ymd>{_YEAR})[-/.](?P<ymd_m>\d{{1,2}})[-/.](?P<ymd_d>\d{{1,2}})(?:[日号])?",
        rf"(?<![近每个])(?:(?P<y>{_YEAR})年|(?P<yrel>去年|今年|前年|明年))?(?P<m>{_N})月份?(?:(?P<d>{_N})[日号]{_NOT_DAY})?",
        rf"(?P<yonly>{_YEAR})年(?!费|化|息|限|龄|级)",
        r"(?P<dm>\d{1,2})\.(?P<dd>\d{1,2})[日号]",
        rf"(?P<mrel>上上|上|这|本|下)个?月(?:(?P<md>{_N})[日号]{_NOT_DAY}|[初底末中](?:旬)?)?",
        r"(?P<wrel>上上|上|这|本|下)?个?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7])",
        r"(?P<wvague>上上|上|这|本)(?:个)?(?:周|星期|礼拜)",
        rf"(?P<dayonly>{_N})[日号]{_NOT_DAY}",
        rf"(?P<rel>{_REL})",
        rf"(?P<ago>{_N}|半|几)(?P<ago_u>天|日|周|个星期|个礼拜|个月|年)(?:前|以前|之前)",
        rf"(?P<vague>{_VAGUE})",
        rf"(?P<part>{_PART})",
        rf"(?P<clock>{_N}[点时](?:\d{{1,2}}分|[一二三四五六七八九十]{{1,3}}分|半|多|左右)?|\d{{1,2}}:\d{{2}})",
    ]
)
_PIECE = re.compile(f"(?=[{_PIECE_START}])(?={_PIECE_OPENING})(?:{_PIECE_KINDS})")
# `_PIECE` in two steps (`_pieces`). Led by look-aheads, `_PIECE` is tried at every character of
# the text; `_PIECE_AT` opens with the start character itself, so `re` skips in C to the next
# candidate, and checks the opening from there (the look-behind steps back over the character).
# Three places a complaint pass both, one holds a piece: `_PIECE_BODY` is tried only there.
_PIECE_AT = re.compile(f"[{_PIECE_START}](?<=(?={_PIECE_OPENING}).)")
_PIECE_BODY = re.compile(f"(?:{_PIECE_KINDS})")
_CN_SMALL = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_CN_YEAR = {"〇": "0", "零": "0", "一": "1", "二": "2", "两": "2", "三": "3", "四": "4", "五": "5", "六": "6"}
_CN_YEAR |= {"七": "7", "八": "8", "九": "9"}
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_RELDAY = {
    "大前天": -3,
    "前天": -2,
    "前晚": -2,
    "昨天": -1,
    "昨日": -1,
    "昨晚": -1,
    "昨夜": -1,
    "明天": 1,
    "后天": 2,
}


@dataclass(frozen=True)
class TimeMention:
    """A time expression: where it is, as written, and its date when resolvable (ISO)."""

    start: int
    end: int
    text: str
    date: str | None


def _small(raw: str) -> int:
    """1–31 written 3, 03, 三, 十二, 二十五."""
    if raw.isdigit():
        return int(raw)
    if "十" in raw:
        tens, _, ones = raw.partition("十")
        return (_CN_SMALL.get(tens, 1) if tens else 1) * 10 + (_CN_SMALL.get(ones, 0) if ones else 0)
    return _CN_SMALL.get(raw, 0)


def _year(raw: str) -> int:
    return int(raw) if raw.isdigit() else int("".join(_CN_YEAR.get(c, "0") for c in raw))


def reference_date(doc: Doc) -> date | None:
    """The day the complaint was received (`received_at`), the anchor for 昨天/上周三/3号."""
    raw = doc.complaint.received_at
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return date.fromisoformat(raw[:10])
        except ValueError:
            return None


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _month_day(ref: date | None, year: int | None, m: int, d: int) -> date | None:
    if year is not None:
        return _safe(year, m, d)
    if ref is None:
        return None
    found = _safe(ref.year, m, d)
    if found is not None and found > ref + timedelta(days=7):
        found = _safe(ref.year - 1, m, d)  # 12月30号 said in January: last year
    return found


def _resolve(g: dict[str, str | None], ref: date | None) -> date | None:
    """The date of one piece (its named groups), or None when it is not a single day."""
    if g["ymd"]:
        return _safe(_year(g["ymd"]), int(g["ymd_m"] or 0), int(g["ymd_d"] or 0))
    if g["m"] and g["d"]:
        year = _year(g["y"]) if g["y"] else None
        if g["yrel"] and ref is not None:
            year = ref.year + {"去年": -1, "今年": 0, "前年": -2, "明年": 1}[g["yrel"]]
        return _month_day(ref, year, _small(g["m"]), _small(g["d"]))
    if g["dm"]:
        return _month_day(ref, None, int(g["dm"]), int(g["dd"] or 0))
    if ref is None:
        return None
    return _resolve_relative(g, ref)


def _resolve_relative(g: dict[str, str | None], ref: date) -> date | None:
    if g["rel"]:
        return ref + timedelta(days=_RELDAY.get(g["rel"], 0))
    if g["wd"]:
        target = _WEEKDAY.get(g["wd"], int(g["wd"]) - 1 if g["wd"].isdigit() else 0)
        shift = {"上上": -14, "上": -7, "下": 7}.get(g["wrel"] or "", 0)
        monday = ref - timedelta(days=ref.weekday())
        day = monday + timedelta(days=target + shift)
        if not g["wrel"] and day > ref:
            day -= timedelta(days=7)  # 周三 with no 上/这: the last one
        return day
    if g["md"]:
        month = ref.month + {"上上": -2, "上": -1, "下": 1}.get(g["mrel"] or "", 0)
        year, month = ref.year + (month - 1) // 12, (month - 1) % 12 + 1
        return _safe(year, month, _small(g["md"]))
    if g["dayonly"]:
        nth = _small(g["dayonly"])
        found = _safe(ref.year, ref.month, nth)
        if found is None or found > ref:
            prev = ref.replace(day=1) - timedelta(days=1)
            found = _safe(prev.year, prev.month, nth)
        return found
    if g["ago"] and g["ago"] not in ("半", "几") and g["ago_u"] in ("天", "日"):
        return ref - timedelta(days=_small(g["ago"]))
    return None


def _drop_piece(m: re.Match[str]) -> bool:
    """一点 is 'a little' far more often than one o'clock."""
    return m.lastgroup == "clock" and m.group().startswith(("一点", "两点")) and not m.group()[2:3]


def find_times(doc: Doc) -> list[TimeMention]:
    """Time expressions in text order, adjacent pieces merged (昨天下午3点), each with its date.
    Kept in `doc.memo`: entities and dimensions (twice) ask for the times of the same complaint."""
    times: tuple[TimeMention, ...] | None = doc.memo.get("times")
    if times is None:
        times = doc.memo["times"] = _times(doc.text, doc.norm, reference_date(doc))
    return list(times)


def _times(text: str, norm: str, ref: date | None) -> tuple[TimeMention, ...]:
    mentions: list[TimeMention] = []
    group: list[re.Match[str]] = []
    for m in _pieces(norm):
        if group and (
            m.start() - group[-1].end() > 1 or norm[group[-1].end() : m.start()] not in ("", " ", "的")
        ):
            mentions.append(_mention(text, group, ref))
            group = []
        group.append(m)
    if group:
        mentions.append(_mention(text, group, ref))
    return tuple(t for t in mentions if t.text)


def _pieces(norm: str) -> list[re.Match[str]]:
    """What `_PIECE.finditer(norm)` finds: at each candidate (`_PIECE_AT`) not inside the last
    piece, the piece there, if any. A piece is never empty, so the search goes on at its end."""
    found: list[re.Match[str]] = []
    end = 0
    body = _PIECE_BODY.match
    for at in _PIECE_AT.finditer(norm):
        start = at.start()
        if start >= end:
            m = body(norm, start)  # the look-behind (?<![近每个]) still sees the text before
            if m is not None:
                found.append(m)
                end = m.end()
    return found


def _mention(text: str, group: list[re.Match[str]], ref: date | None) -> TimeMention:
    if len(group) == 1 and _drop_piece(group[0]):
        return TimeMention(group[0].start(), group[0].start(), "", None)
    found: date | None = None
    for m in group:
        found = found or _resolve(m.groupdict(), ref)
    start, end = group[0].start(), group[-1].end()
    return TimeMention(start, end, text[start:end], found.isoformat() if found else None)


# ---------------------------------------------------------------- organisations and people

# A name like 王经理 may follow these characters (找王经理, 朝阳支行王经理) but not others (我向经理).
_NAME_MAY_FOLLOW = "的是和跟找叫问说被让给对向与及那这位个行厅司点店部心处社所局"
_STAFF_ID = re.compile(r"工号(?:是|为|:)?\s?\d{3,8}")


@dataclass(frozen=True)
class _OrgWords:
    suffix: TermMatcher[str]
    names: TermMatcher[str]
    standalone: frozenset[str]
    needs_prefix: frozenset[str]
    stop: re.Pattern[str]
    channels: tuple[str, ...]


def _terms(table: str, key: str, kind: str) -> list[str]:
    return [t for e in entries(table, key) if e.get("kind", "role") == kind for t in e["terms"]]


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _words(words: list[str]) -> TermMatcher[str]:
    """Finds what `re.compile(_alternation(words)).finditer` finds on `Doc.norm` (leftmost, then
    longest), read from the shared scan of the text instead of a scan of its own."""
    return TermMatcher((w, w) for w in words)


@cache
def _org_words() -> _OrgWords:
    return _OrgWords(
        suffix=_words(_terms("entities", "org", "suffix")),
        names=_words(_terms("entities", "org", "name")),
        standalone=frozenset(_terms("entities", "org", "standalone")),
        needs_prefix=frozenset(_terms("entities", "org", "needs_prefix")),
        stop=re.compile(_alternation(_terms("entities", "org", "stop"))),
        channels=tuple(_terms("entities", "org", "channel")),
    )


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _org_start(norm: str, start: int, words: _OrgWords, floor: int) -> int:
    """Leftmost start of the name before an organisation word at `start` (stops at stop words)."""
    lo = start
    while lo > max(floor, start - _ORG_REACH) and (_is_han(norm[lo - 1]) or norm[lo - 1].isalnum()):
        lo -= 1
    prefix = norm[lo:start]
    cut = 0
    for m in words.stop.finditer(prefix):
        cut = m.end()
    return lo + cut


def find_orgs(doc: Doc) -> list[tuple[int, int]]:
    """Spans of organisation names, longest first where they overlap, in text order."""
    words, norm = _org_words(), doc.norm
    spans: list[tuple[int, int]] = [(m.start, m.end) for m in words.names.finditer(norm)]
    floor = 0
    for m in words.suffix.finditer(norm):
        lo = _org_start(norm, m.start, words, floor)
        prefix_len = m.start - lo
        if prefix_len == 0 and m.text not in words.standalone:
            continue
        if prefix_len < 2 and m.text in words.needs_prefix:
            continue
        if norm[lo : m.end].endswith(words.channels) or norm.startswith(("法", "条例", "》"), m.end):
            continue  # 手机银行 is a channel; 《商业银行法》 is a law
        spans.append((lo, m.end))
        floor = m.end
    return _outermost(spans)


def _outermost(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge overlapping or touching spans (工商银行 + 工商银行朝阳支行 → the latter)."""
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


@dataclass(frozen=True)
class _PeopleWords:
    roles: TermMatcher[str]
    named: re.Pattern[str]


@cache
def _people_words() -> _PeopleWords:
    surnames = "".join(str(e["terms"]) for e in entries("entities", "surname"))
    titles = _alternation(_terms("entities", "role", "title"))
    return _PeopleWords(
        roles=_words(_terms("entities", "role", "role")),
        named=re.compile(rf"[{re.escape(surnames)}](?:{titles})"),
    )


def find_people(doc: Doc) -> list[tuple[int, int]]:
    """Spans of staff: named (王经理, 工号8023) before bare roles (经理), longest first."""
    words = _people_words()
    spans = [(m.start(), m.end()) for m in _STAFF_ID.finditer(doc.norm)]
    for m in words.named.finditer(doc.norm):
        if not _title_is_part_of_role(doc.norm, m.start()):
            spans.append((m.start(), m.end()))
    spans.extend((m.start, m.end) for m in words.roles.finditer(doc.norm) if not _speaker_label(doc.norm, m))
    kept: list[tuple[int, int]] = []
    for s, e in sorted(spans, key=lambda p: (p[0], -(p[1] - p[0]))):
        if not any(s < ke and ks < e for ks, ke in kept):
            kept.append((s, e))
    return sorted(kept)


def _speaker_label(norm: str, m: Hit[str]) -> bool:
    """坐席：/客服： at the start of a transcript line names the speaker, not someone involved."""
    line_start = norm.rfind("\n", 0, m.start) + 1
    return norm[line_start : m.start].strip() == "" and norm[m.end : m.end + 1] in (":", "：")


def _title_is_part_of_role(norm: str, start: int) -> bool:
    """高经理 in 提高经理? 总 in 总经理? A surname glued to the word before is not a name."""
    before = norm[start - 1 : start] if start else ""
    return bool(before) and _is_han(before) and before not in _NAME_MAY_FOLLOW


def _unique(items: list[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen


def _products(doc: Doc, products: list[str]) -> list[str]:
    declared = [doc.complaint.product] if doc.complaint.product else []
    return _unique([*products, *declared])


def extract_entities(doc: Doc, amounts: list[Amount], products: list[str]) -> Entities:
    """The facts of the complaint (module docstring); personal numbers masked."""
    pii = doc.pii
    values: list[float] = []
    for a in amounts:
        if a.value not in values:
            values.append(a.value)
    return Entities(
        amounts=values,
        dates=_unique([t.date for t in find_times(doc) if t.date]),
        phones=_unique([p.masked for p in pii if p.kind == "phone"]),
        id_numbers=_unique([p.masked for p in pii if p.kind == "id_number"]),
        cards=_unique([p.masked for p in pii if p.kind == "card"]),
        orgs=_unique([doc.text[s:e] for s, e in find_orgs(doc)]),
        products=_products(doc, products),
        people=_unique([doc.text[s:e] for s, e in find_people(doc)]),
    )
