"""Explicit demands (退款、赔偿、道歉…) with their amounts and evidence.

Rules (terms and cue words in data/demands.toml):

- An "explicit" term (赔我、给个说法、书面答复、叫行长出来、把这笔钱退了) is a demand by itself; a
  "cue" term (退款、道歉、退保) counts only when the sentence before it asks for it (要求/希望/请…
  — one 要求 governs a list: 要求A，B，并C), the clause says it was refused (不给退款、退款被拒),
  a request tone follows (补发一下就行), it is the condition of a threat (不退款我就…), or, for
  cancel only, the customer asks about it (退保要扣多少钱？ → cancel + explanation).
- Dropped: the customer's own negation (我不要你们赔钱), a peer's demand (我朋友要求赔偿 — but
  staff as the subject stays the customer's: 骑手必须给我道歉), staff's reported words
  (业务员说可以退保), quoted rights (消费者可以要求退货), a thing already done (已经退款了), a
  description rather than a request (没把条款讲清楚), and the agent's lines of a transcript (坐席：…).
- A hurry word (尽快办理) right before a specific demand (销户) belongs to that demand, not to fix.
- Evidence is a span of the original text that never includes a phone, ID or card number.
- Amount, for refund and compensation only, first rule that gives one:
  1. an amount in the same clause (要求退还300元年费 → 300; 赔我精神损失费两万 → 20000),
     not one introduced by 才/只/仅 (那是对方给的数，不是客户要的);
  2. an amount opening the next clause (我要全额退，两万四一分都不能少 → 24000);
  3. the amount written next to the fee the demand names (交了19800元会员费…退还会员费 → 19800);
  4. when the demand refers back to the loss (全额、这笔钱、损失、本金): the largest amount in the
     same sentence before it, else in the nearest earlier sentence holding amounts
     (亏了三万，要求全额赔偿 → 30000);
  5. when the whole text names exactly one amount (扣了我300元，要求退款 → 300).
- Demands of one type are merged unless they carry different amounts; text order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kesu.analysis import context
from kesu.analysis.amounts import Amount
from kesu.analysis.doc import Doc
from kesu.analysis.lexicon import TermMatcher, entries
from kesu.analysis.types import Demand

_MONEY_TYPES = ("refund", "compensation")
_EVIDENCE_MAX = 24
_AGENT_LINE = re.compile(r"^\s*(?:坐席|客服|工作人员|柜员|接线员|agent|员工|经理)\s*[:：]", re.M)
_LINE_START = re.compile(r"^", re.M)
_FEE = re.compile(r"[\u4e00-\u9fff]{0,3}(?:费|金|款|息|价|额|租)")


@dataclass(frozen=True)
class _Term:
    type: str
    explicit: bool
    also: str | None
    negatable: bool
    weak: bool


@dataclass(frozen=True)
class _Cues:
    ask: tuple[str, ...]
    refusal: tuple[str, ...]
    refusal_after: tuple[str, ...]
    self_negation: tuple[str, ...]
    reported: tuple[str, ...]
    not_ask: tuple[str, ...]
    otherwise: tuple[str, ...]
    refusal_later: tuple[str, ...]
    ask_after: tuple[str, ...]
    rights_statement: tuple[str, ...]
    staff: tuple[str, ...]
    peer: tuple[str, ...]
    done_before: tuple[str, ...]
    done_after: tuple[str, ...]
    conditional: tuple[str, ...]
    question: tuple[str, ...]
    refers_loss: tuple[str, ...]
    price: tuple[str, ...]


@cache
def _matcher() -> TermMatcher[_Term]:
    rows = entries("demands", "demand")
    ordered = [r for r in rows if r["mode"] == "explicit"] + [r for r in rows if r["mode"] != "explicit"]
    terms = [
        (
            t,
            _Term(
                r["type"],
                r["mode"] == "explicit",
                r.get("also"),
                bool(r.get("negatable")),
                bool(r.get("weak")),
            ),
        )
        for r in ordered
        for t in r["terms"]
    ]
    return TermMatcher(terms, regex=True)


@cache
def _cues() -> _Cues:
    def words(kind: str) -> tuple[str, ...]:
        found = [w for e in entries("demands", "cue") if e["kind"] == kind for w in e["terms"]]
        return tuple(sorted(set(found), key=len, reverse=True))

    return _Cues(*(words(k) for k in _Cues.__dataclass_fields__))


def _alternation(words: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a cue list, longest words first (the lists are sorted so)."""
    return re.compile("|".join(re.escape(w) for w in words) or "(?!)")


@dataclass(frozen=True)
class _Searches:
    """The cue lists that are searched for (not only tested with startswith), compiled once."""

    ask: re.Pattern[str]
    refusal: re.Pattern[str]
    self_negation: re.Pattern[str]
    reported: re.Pattern[str]
    refusal_later: re.Pattern[str]
    rights_statement: re.Pattern[str]
    peer: re.Pattern[str]
    conditional: re.Pattern[str]
    question: re.Pattern[str]
    otherwise: re.Pattern[str]


@cache
def _searches() -> _Searches:
    cues = _cues()
    return _Searches(*(_alternation(getattr(cues, k)) for k in _Searches.__dataclass_fields__))


def _last(window: str, regex: re.Pattern[str]) -> tuple[int, str] | None:
    """The occurrence of a cue word (`regex`, an alternation of literals) in `window` that ends
    last (position, word). Most windows hold none, which one search tells."""
    last = regex.search(window)
    if last is None:
        return None
    for m in regex.finditer(window, last.end()):  # a literal match never depends on what precedes it
        last = m
    return last.start(), last.group()


class _Reading:
    """How the text around a term speaks of it (a plain slotted class: internal, a few per text)."""

    __slots__ = ("ask_at", "conditional", "question", "refused", "tone")

    def __init__(
        self, ask_at: int | None, refused: bool, question: bool, conditional: bool, tone: bool
    ) -> None:
        self.ask_at = ask_at
        self.refused = refused
        self.question = question
        self.conditional = conditional
        self.tone = tone


def _agent_spans(doc: Doc) -> list[tuple[int, int]]:
    """Lines spoken by the agent in a transcript (坐席：…): never the customer's demands."""
    spans: list[tuple[int, int]] = []
    if "\n" in doc.norm:
        found = list(_AGENT_LINE.finditer(doc.norm))
    else:  # `^` holds at the start only: one match there instead of a scan of the text
        first = _AGENT_LINE.match(doc.norm)
        found = [first] if first is not None else []
    for m in found:
        end = doc.norm.find("\n", m.end())
        spans.append((m.start(), len(doc.norm) if end < 0 else end))
    return spans


def _peer(before: str) -> str | None:
    """Somebody else who might be the one asking (我朋友要求赔偿), unless the customer speaks again
    after it (我朋友说…我要求…); staff are never the askers (骑手必须给我道歉 is the customer's)."""
    found = _last(before, _searches().peer)
    if found is None:
        return None
    rest = before[found[0] + len(found[1]) :]
    for w in ("给我", "向我", "跟我", "对我", "和我", "帮我", "替我"):
        rest = rest.replace(w, "")
    return None if "我" in rest else found[1]


# 说 followed by these is not reported speech: 说法, 说明, 说清楚, 说服, 咋说都, 怎么说也.
_NOT_SPEECH = ("法", "明", "清", "服", "都", "也")


def _excluded(doc: Doc, term: _Term, start: int, before: str) -> bool:
    """Negated by the customer, a third party's, quoted rights, or a described (not asked) fact."""
    cues, searches = _cues(), _searches()
    if searches.self_negation.search(before) or searches.rights_statement.search(before):
        return True
    ask = _last(_unasked(before), searches.ask)
    party = _peer(before)
    if party and not (ask and 0 <= before.rfind(party) - ask[0] - len(ask[1]) <= 1):
        return True  # 我朋友要求赔偿 — but 我要他给我道歉 stays the customer's
    if term.negatable and (
        any(n in before[-10:] for n in ("没", "未", "不")) or context.hypothetical(doc, start)
    ):
        return True  # 没把条款讲清楚, 要是当时说清楚: a description, not a request
    said = _last(before, searches.reported)
    if said and before[said[0] + len(said[1]) : said[0] + len(said[1]) + 1] in _NOT_SPEECH:
        said = None  # 说法, 说明, 说清楚, 咋说都/怎么说也 (however I asked): not reported speech
    if said and (ask is None or ask[0] < said[0]):
        speaker = before[max(0, said[0] - 8) : said[0]]
        if any(s in speaker for s in cues.staff):
            return True  # 业务员说可以退保: staff's words
    return False


def _read(doc: Doc, term: _Term, start: int, end: int) -> _Reading | None:
    """The reading of the term at start:end, or None when it is not the customer's demand."""
    cues, searches = _cues(), _searches()
    clause_start, clause_end = doc.clause_bounds(start)
    sent_start, sent_end = doc.sentence_bounds(start)
    before = doc.norm[clause_start:start]
    after = doc.norm[end:clause_end]
    if _excluded(doc, term, start, before):
        return None
    ask = _last(_unasked(doc.norm[sent_start:start]), searches.ask)
    refused = searches.refusal.search(before[-6:]) is not None or after.startswith(cues.refusal_after)
    refused = refused or searches.refusal_later.search(after) is not None
    rest = doc.norm[end : min(sent_end + 1, len(doc.norm))]
    question = searches.question.search(rest) is not None and ask is None and not refused
    # 不退款我就…, 再拖着不赔，我就…: the negated outcome is the condition of a threat;
    # 退款加补偿五千，不然…: what comes before 不然/否则 is insisted on
    around = doc.norm[max(0, start - 4) : end + 2]
    negated = "不" in around or "没" in around
    conditional = negated and searches.conditional.search(rest) is not None
    conditional = conditional or searches.otherwise.search(rest) is not None
    tone = after.startswith(cues.ask_after) or after.lstrip("了").startswith(cues.ask_after)
    done = before.endswith(cues.done_before) or (
        after.startswith(cues.done_after) and not refused and not tone
    )
    if done and ask is None and not conditional:
        return None
    return _Reading(sent_start + ask[0] if ask else None, refused, question, conditional, tone)


def _unasked(window: str) -> str:
    """`window` with look-alikes of request words blanked (想问, 请问, 要是), same length."""
    if _not_ask().search(window) is None:
        return window  # the usual case: one search instead of a test per word
    for w in _cues().not_ask:
        if w in window:
            window = window.replace(w, "□" * len(w))
    return window


@cache
def _not_ask() -> re.Pattern[str]:
    """Any look-alike of a request word (`_unasked`): a window holds one exactly when it matches."""
    return _alternation(_cues().not_ask)


def _kinds(term: _Term, reading: _Reading) -> list[str]:
    """The demand types this hit stands for (empty when it is no demand)."""
    asked = reading.ask_at is not None or reading.refused or reading.conditional or reading.tone
    if term.explicit or asked:
        return [term.type] + ([term.also] if term.also else [])
    if reading.question and term.type == "cancel":
        return ["cancel", "explanation"]  # 退保要扣多少钱？ intends to cancel, wants it explained
    return []


def _negated_prefix(norm: str, start: int) -> str:
    for neg in ("再不", "还不", "不给我", "不给", "不"):
        if norm.endswith(neg, 0, start):
            return neg
    return ""


def _evidence_bounds(
    doc: Doc, start: int, end: int, reading: _Reading, amount: Amount | None
) -> tuple[int, int]:
    clause_start, clause_end = doc.clause_bounds(start)
    ask_at = reading.ask_at
    lo = ask_at if ask_at is not None and clause_start <= ask_at and start - ask_at <= 10 else start
    hi = end
    if reading.conditional and ask_at is None:
        # 不解决我就打12378: the condition and its consequence are the demand
        lo, hi = start - len(_negated_prefix(doc.norm, start)), clause_end
    if amount is not None and doc.clause_bounds(amount.start) == (clause_start, clause_end):
        lo, hi = min(lo, amount.start), max(hi, amount.end)
    if clause_end - hi <= 6:
        hi = clause_end  # take the short object of the demand too: 退还年费, 恢复额度吧
    if hi - lo > _EVIDENCE_MAX:
        hi = max(end, lo + _EVIDENCE_MAX)
    for p in doc.pii:  # evidence never quotes a phone, ID or card number
        if p.start < hi and lo < p.end:
            lo, hi = (lo, p.start) if p.start >= end else (max(lo, p.end), hi)
    return lo, max(hi, lo)


def _offered(doc: Doc, a: Amount) -> bool:
    """才九千多、只退一半的三千: the amount offered or paid, not the one asked for."""
    return doc.norm[max(0, a.start - 2) : a.start].endswith(("才", "只", "仅", "只有", "只退", "仅退"))


def _direct_amount(doc: Doc, start: int, amounts: list[Amount]) -> Amount | None:
    """Rules 1–2: an amount in the demand's own clause, else one opening the next clause."""
    c_start, c_end = doc.clause_bounds(start)
    inside = [a for a in amounts if c_start <= a.start < c_end]
    if inside:
        later = [a for a in inside if a.end > start]
        return later[0] if later else inside[-1]
    if c_end >= len(doc.norm):
        return None
    n_start, n_end = doc.clause_bounds(c_end + 1)
    opening = [a for a in amounts if n_start <= a.start <= n_start + 2 and a.start < n_end]
    return opening[0] if opening else None


def _by_fee(doc: Doc, end: int, amounts: list[Amount]) -> Amount | None:
    """Rule 3: 退还会员费 → the amount written next to 会员费 elsewhere."""
    m = _FEE.match(doc.norm, end, min(doc.clause_bounds(end - 1)[1], end + 6))
    if m is None or len(m.group()) < 2:
        return None
    for fee in dict.fromkeys((m.group()[-3:], m.group()[-2:])):
        for a in amounts:
            if fee in doc.norm[a.end : a.end + 5] or fee in doc.norm[max(0, a.start - 5) : a.start]:
                return a
    return None


def _names_principal(doc: Doc, start: int, end: int) -> bool:
    return any(w in doc.norm[max(0, start - 6) : end + 6] for w in ("本金", "全款", "货款", "价款", "本钱"))


def _by_price(doc: Doc, amounts: list[Amount]) -> Amount | None:
    """Rule 3b for a refund: the price paid (货款五千元、订单金额2,499元、花了899)."""
    for a in amounts:
        if any(w in doc.norm[max(0, a.start - 5) : a.start] for w in _cues().price):
            return a
    return None


def _by_reference(doc: Doc, start: int, end: int, amounts: list[Amount]) -> Amount | None:
    """Rule 4: 全额赔偿、这笔钱 → the closest amount before, in this or the nearest earlier sentence."""
    c_start, c_end = doc.clause_bounds(start)
    window = doc.norm[max(c_start, start - 8) : min(c_end, end + 8)]
    if not any(w in window for w in _cues().refers_loss):
        return None
    s_start = doc.sentence_bounds(start)[0]
    earlier = [a for a in amounts if s_start <= a.start and a.end <= start]
    pos = s_start
    while not earlier and pos > 0:
        pos = doc.sentence_bounds(pos - 1)[0]
        earlier = [a for a in amounts if pos <= a.start < s_start]
    return earlier[-1] if earlier else None


@dataclass
class _Hit:
    kind: str
    start: int
    end: int
    reading: _Reading
    weak: bool
    amount: Amount | None = None


def _collect(doc: Doc) -> list[_Hit]:
    hits: list[_Hit] = []
    agent = _agent_spans(doc)
    for hit in _matcher().finditer(doc.norm):
        if agent and any(s <= hit.start < e for s, e in agent):
            continue
        reading = _read(doc, hit.payload, hit.start, hit.end)
        if reading is None:
            continue
        for kind in _kinds(hit.payload, reading):
            hits.append(_Hit(kind, hit.start, hit.end, reading, hit.payload.weak))
    # 尽快办理销户: the hurry belongs to the specific demand of the same clause
    return [
        h for h in hits if not h.weak or not any(o is not h and not o.weak and o.start == h.end for o in hits)
    ]


def _price(doc: Doc, hits: list[_Hit], amounts: list[Amount]) -> None:
    """Attach amounts to refund and compensation demands (rules 1–5 of the module docstring)."""
    usable = [a for a in amounts if not _offered(doc, a)]
    money = [h for h in hits if h.kind in _MONEY_TYPES]
    for h in money:
        h.amount = _direct_amount(doc, h.start, usable)
    direct = {id(h.amount) for h in money if h.amount is not None}
    sole = amounts[0] if amounts and len({a.value for a in amounts}) == 1 else None
    for h in money:
        if h.amount is None and _names_principal(doc, h.start, h.end):
            h.amount = _by_price(doc, usable)  # 把本金还给我们 → what was paid in (一共二十万)
        if h.amount is None:
            h.amount = _by_fee(doc, h.end, usable) or _by_reference(doc, h.start, h.end, usable)
        if h.amount is None and h.kind == "refund":
            h.amount = _by_price(doc, usable)
        if h.amount is None and sole is not None and not any(id(a) in direct for a in amounts):
            h.amount = sole


def extract_demands(doc: Doc, amounts: list[Amount]) -> list[Demand]:
    """The customer's demands in text order (rules in the module docstring)."""
    hits = _collect(doc)
    _price(doc, hits, amounts)
    found: list[Demand] = []
    for h in hits:
        lo, hi = _evidence_bounds(doc, h.start, h.end, h.reading, h.amount)
        value = h.amount.value if h.amount is not None else None
        _merge(found, Demand(type=h.kind, evidence=doc.text[lo:hi], amount=value, start=lo, end=hi))
    return sorted(found, key=lambda d: d.start or 0)


def _merge(found: list[Demand], demand: Demand) -> None:
    """One demand per type, unless they carry different amounts."""
    same = [i for i, d in enumerate(found) if d.type == demand.type]
    if not same:
        found.append(demand)
    elif demand.amount is not None and all(found[i].amount != demand.amount for i in same):
        unpriced = [i for i in same if found[i].amount is None]
        if unpriced:
            found[unpriced[0]] = demand
        else:
            found.append(demand)
