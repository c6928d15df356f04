"""The cheap gates of emotion, customer, demands and amounts skip only work that finds nothing.

Each gate is checked against the plain form it stands in front of (kept here), on the golden
complaints and on seeded random strings built from the words the gate reads: the expressions of
a cue matcher chosen by their present literals, the look-alike gate read from the shared scan,
the intensifier and request look-alike gates, the agent lines of a text without line breaks, the
currency suffix, and the lone numeral that is skipped before being parsed.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from kesu.analysis import amounts, customer, demands, emotion
from kesu.analysis.doc import Doc, make_doc
from kesu.analysis.lexicon import Hit, entries
from kesu.analysis.scan import NORM_INDEX
from kesu.analysis.types import Complaint
from tests.analysis.test_detector_speedups import _golden_texts


def _random_texts(words: list[str], n: int = 1500, seed: int = 7, filler: str = "") -> list[str]:
    """Strings built from the words, their pieces and filler, so that words nest and overlap."""
    rng = random.Random(seed)
    pieces = [w for w in words if w] + [w[: rng.randint(1, len(w))] for w in words if w]
    chars = list(filler or "我他的了不没是就去说，。！？ ab1")
    out = []
    for _ in range(n):
        parts = [
            rng.choice(pieces) if rng.random() < 0.6 else rng.choice(chars) for _ in range(rng.randint(1, 12))
        ]
        out.append("".join(parts))
    return out


def _doc(text: str) -> Doc:
    return make_doc(Complaint(text=text))


@pytest.fixture(scope="module")
def docs() -> list[Doc]:
    return [_doc(t) for t in _golden_texts()]


# ---------------------------------------------------------------- cue matchers


def _old_finditer(matcher: emotion.CueMatcher[Any], text: str) -> list[Hit[Any]]:
    """The plain form: every expression's literals tested against the present ones."""
    hits = list(matcher._literal.finditer(text))
    if not matcher._patterns:
        return hits
    present, needs = matcher._gate.present(text), matcher._gate.needs
    extra = [
        Hit(m.start(), m.end(), m.group(), payload)
        for (regex, payload), need in zip(matcher._patterns, needs, strict=True)
        if not need or not present.isdisjoint(need)
        for m in regex.finditer(text)
    ]
    return emotion._without_overlaps(hits + extra) if extra else hits


def _matchers() -> list[emotion.CueMatcher[Any]]:
    return [emotion._matcher()] + [customer._matcher(sections) for sections in customer._PASSES]


def _key(hits: list[Hit[Any]]) -> list[tuple[int, int, str, int]]:
    return [(h.start, h.end, h.text, id(h.payload)) for h in hits]


def test_cue_matcher_tries_the_expressions_of_present_literals(docs: list[Doc]) -> None:
    for matcher in _matchers():
        literals = sorted({w for need in matcher._gate.needs for w in need})
        terms = sorted(matcher._literal._literal or {})[:200]
        samples = [d.norm for d in docs] + _random_texts(literals + terms, n=800)
        tried = 0
        for s in samples:
            fast = matcher.finditer(s)
            assert _key(fast) == _key(_old_finditer(matcher, s)), s
            tried += bool(NORM_INDEX.find(s).words(matcher._gate.owner))
        assert tried > 50


# ---------------------------------------------------------------- look-alike gate


def _excluding_cues() -> list[tuple[list[str], tuple[re.Pattern[str], ...], int]]:
    """(terms, exclusions, owner) of every cue with exclusions, emotion's and customer's."""
    out = []
    for matcher in _matchers():
        by_cue: dict[int, tuple[list[str], Any]] = {}
        for term, payload in (matcher._literal._literal or {}).items():
            for cue in payload if isinstance(payload, tuple) else (payload,):
                if cue.exclude:
                    by_cue.setdefault(id(cue), ([], cue))[0].append(term)
        out += [(terms, cue.exclude, cue.exclude_owner) for terms, cue in by_cue.values()]
    return out


def test_look_alike_gate_never_hides_a_cover(docs: list[Doc]) -> None:
    cues = _excluding_cues()
    assert len(cues) >= 10 and all(owner for _, _, owner in cues)
    rng = random.Random(5)
    for terms, exclude, owner in cues:
        pieces = terms[:40] + [x.pattern.replace("\\", "") for x in exclude]
        samples = [d.norm for d in docs[:150]] + _random_texts(pieces, n=150, seed=rng.randint(0, 10**6))
        gated = 0
        for s in samples:
            if emotion.may_be_covered(NORM_INDEX.find(s), owner):
                continue
            gated += 1
            for i in range(len(s)):
                for j in range(i + 1, min(len(s), i + 4) + 1):
                    assert not emotion.covered(s, i, j, exclude), (s, i, j)
        assert gated > 20


def test_exclusion_owner_without_known_literals() -> None:
    assert emotion.exclusion_owner(()) == 0
    assert emotion.exclusion_owner(emotion.compile_any([r"\d+块", r"[a-z]+"])) == 0  # one holds none
    assert emotion.exclusion_owner(emotion.compile_any(["(?i)abc"])) == 0
    owner = emotion.exclusion_owner(emotion.compile_any(["气死我了", "笑死"]))
    assert owner
    assert emotion.may_be_covered(NORM_INDEX.find("真是笑死人"), owner)
    assert not emotion.may_be_covered(NORM_INDEX.find("真是死人"), owner)
    assert emotion.may_be_covered(NORM_INDEX.find("真是死人"), 0)


# ---------------------------------------------------------------- intensifiers


def _old_intensifier(doc: Doc, start: int, end: int) -> str | None:
    before, after = emotion._intensifiers()
    m = before.search(doc.before(start, 3)) or after.match(doc.after(end, 2))
    return m.group() if m else None


def test_intensifier_gate(docs: list[Doc]) -> None:
    rows = entries("emotion", "intensifier")
    words = [w for r in rows for w in r["before"] + r["after"]] + ["生气", "着急", "失望"]
    found = 0
    for doc in docs[:100] + [_doc(s) for s in _random_texts(words, n=400, seed=11)]:
        size = len(doc.norm)
        for start in range(size):
            for end in range(start, min(size, start + 3) + 1):
                fast = emotion._intensifier(doc, start, end)
                assert fast == _old_intensifier(doc, start, end), (doc.norm, start, end)
                found += fast is not None
    assert found > 100


# ---------------------------------------------------------------- demands


def _old_unasked(window: str) -> str:
    for w in demands._cues().not_ask:
        if w in window:
            window = window.replace(w, "□" * len(w))
    return window


def _old_agent_spans(doc: Doc) -> list[tuple[int, int]]:
    spans = []
    for m in demands._AGENT_LINE.finditer(doc.norm):
        end = doc.norm.find("\n", m.end())
        spans.append((m.start(), len(doc.norm) if end < 0 else end))
    return spans


def test_unasked_gate(docs: list[Doc]) -> None:
    words = list(demands._cues().not_ask) + list(demands._cues().ask)
    samples = [d.norm for d in docs] + _random_texts(words, n=1500, seed=13)
    changed = 0
    for s in samples:
        assert demands._unasked(s) == _old_unasked(s), s
        changed += demands._unasked(s) != s
    assert changed > 100


def test_agent_spans_without_line_breaks(docs: list[Doc]) -> None:
    words = ["坐席:", "客服：", "经理 :", " 坐席:", "\n", "\n 柜员:", "您好", "客户:", "agent:"]
    samples = [d for d in docs] + [_doc(s) for s in _random_texts(words, n=600, seed=17)]
    found = 0
    for doc in samples:
        assert demands._agent_spans(doc) == _old_agent_spans(doc), doc.norm
        found += bool(demands._agent_spans(doc))
    assert found > 50


# ---------------------------------------------------------------- amounts


def _old_suffix_at(norm: str, end: int, words: amounts._Words) -> int | None:
    gap = re.compile(r"\s?").match(norm, end)
    pos = gap.end() if gap else end
    if not norm.startswith(words.suffixes, pos) or norm.startswith(words.suffix_not_before, pos):
        return None
    return pos + next(len(s) for s in words.suffixes if norm.startswith(s, pos))


def _money_words() -> list[str]:
    w = amounts._words()
    return (
        list(
            w.prefixes
            + w.suffixes
            + w.suffix_not_before
            + w.fee_after
            + w.counters[:30]
            + w.labels
            + w.cues[:30]
        )
        + list(w.idioms)
        + ["毛", "角", "钱", "都", "也"]
    )


def test_suffix_at(docs: list[Doc]) -> None:
    words = amounts._words()
    samples = [d.norm for d in docs[:200]] + _random_texts(
        _money_words(), n=800, seed=19, filler="三3 \t\u3000\n，"
    )
    for s in samples:
        for end in range(len(s) + 1):
            assert amounts._suffix_at(s, end, words) == _old_suffix_at(s, end, words), (s, end)


def test_lone_numeral_skip_is_never_money(docs: list[Doc]) -> None:
    """A lone numeral the scan skips would have given no amount on the full path."""
    numerals = [*amounts._CN_DIGITS, "十", "万", "3", "30", "多"]
    filler = "".join(numerals) + " \t\u3000我的了，。"
    samples = docs + [
        _doc(s) for s in _random_texts(_money_words() + numerals, n=2500, seed=23, filler=filler)
    ]
    words = amounts._words()
    lone_after, lone_before = amounts._lone_gate()
    skipped = kept = 0
    for doc in samples:
        norm = doc.norm
        for m in amounts._RUN.finditer(norm):
            start, end = m.span()
            if end - start != 1 or norm[start] not in amounts._CN_DIGITS:
                continue
            nxt, prev = norm[end : end + 1], norm[start - 1 : start]
            parsed = amounts.parse_number(m.group())
            full = parsed is not None and (
                amounts._classify(doc, start, end, m.group(), parsed[0], words) is not None
                or amounts._JIAO_ALONE.match(norm, end) is not None
            )
            if nxt not in lone_after and not nxt.isspace() and prev not in lone_before:
                skipped += 1
                assert not full, (norm, start)
            else:
                kept += full
    assert skipped > 1000 and kept > 100
