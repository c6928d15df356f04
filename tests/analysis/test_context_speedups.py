"""The fast forms of the context judgements against their plain forms (kept here): bounded
searches instead of slices, and one search of the unmasked window before masking it."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from kesu.analysis import context
from kesu.analysis.context import _alternation, _last, _mask
from kesu.analysis.doc import Doc, make_doc
from kesu.analysis.types import Complaint


def _plain_negation(doc: Doc, start: int, *, width: int = 6) -> str | None:
    window = _mask(doc.before(start, width + 4), "negation_exempt")[-width:]
    found = _last(window, "negation")
    if found is None:
        return None
    tail = window[found[0] + len(found[1]) :]
    if _alternation("negation_breakers").search(tail):
        return None
    return found[1]


def _plain_hypothetical_cue(doc: Doc, start: int, width: int) -> tuple[str | None, str | None]:
    window = doc.before(start, width, within_clause=False)
    cue = _last(window, "hypothetical")
    if cue is None:
        return None, None
    found = _last(window[cue[0] + len(cue[1]) :], "consequence")
    return cue[1], (found[1] if found else None)


def _plain_hypothetical(doc: Doc, start: int, *, width: int = 12) -> str | None:
    cue, then = _plain_hypothetical_cue(doc, start, width)
    return None if then else cue


def _plain_conditional(doc: Doc, start: int, *, width: int = 14) -> str | None:
    return _plain_hypothetical_cue(doc, start, width)[1]


def _plain_third_party(doc: Doc, start: int, *, width: int = 16, end: int | None = None) -> str | None:
    if end is not None:
        inside = _last(doc.norm[start:end], "third_party_inside")
        if inside and inside[0] > 0:
            return inside[1]
    window = _mask(doc.before(start, width), "third_party_exempt")
    other = _last(window, "third_party")
    if other is not None and not _last(window[other[0] + len(other[1]) :], "first_person"):
        at, word = other
        if not window.startswith("的", at + len(word)) and not _alternation("companion").search(
            window[max(0, at - 2) : at]
        ):
            return word
    sentence = doc.norm[doc.sentence_bounds(start)[0] : start]
    heard = _last(sentence, "hearsay")
    return heard[1] if heard else None


def _plain_quoted_other(doc: Doc, start: int, *, width: int = 12) -> str | None:
    lo = doc.sentence_bounds(start)[0]
    if not frozenset(context._OPEN_QUOTES).intersection(doc.text[lo:start]):
        return None
    opened = max(doc.text.rfind(q, lo, start) for q in context._OPEN_QUOTES)
    if opened < 0 or any(q in doc.text[opened + 1 : start] for q in context._CLOSE_QUOTES if q != '"'):
        return None
    window = _mask(doc.norm[max(lo, opened - width) : opened], "third_party_exempt")
    found = _last(window, "third_party")
    return found[1] if found else None


def _plain_withdrawn(doc: Doc, end: int, *, width: int = 12, joke_width: int = 60) -> str | None:
    sentence_end = doc.sentence_bounds(max(end - 1, 0))[1]
    found = _alternation("withdrawal").search(doc.norm[end : min(sentence_end, end + width)])
    if found is None:
        found = _alternation("joke").search(doc.norm[end : end + joke_width])
    return found.group() if found else None


def _texts(seed: str, count: int) -> list[str]:
    """Texts dense in cue words of every kind, look-alikes, quotes and breaks."""
    rng = random.Random(seed)
    cues = context.cues()
    words = [w for kind in context.Cues.__dataclass_fields__ for w in getattr(cues, kind)]
    filler = [*'我的了就去投诉曝光说，。！？：“”「」"他们不要', "坐席：", "客户：", "12315", " "]
    texts = []
    for _ in range(count):
        parts = [
            rng.choice(words) if rng.random() < 0.55 else rng.choice(filler)
            for _ in range(rng.randint(1, 16))
        ]
        texts.append("".join(parts))
    return texts


_AT_START: list[tuple[str, Callable[[Doc, int], str | None], Callable[[Doc, int], str | None]]] = [
    ("negation", context.negation, _plain_negation),
    ("hypothetical", context.hypothetical, _plain_hypothetical),
    ("conditional", context.conditional, _plain_conditional),
    ("third_party", context.third_party, _plain_third_party),
    ("quoted_other", context.quoted_other, _plain_quoted_other),
    ("withdrawn", context.withdrawn, _plain_withdrawn),
]


@pytest.mark.parametrize(("name", "fast", "plain"), _AT_START, ids=[t[0] for t in _AT_START])
def test_fast_form_judges_every_position_as_the_plain_form(
    name: str, fast: Callable[[Doc, int], str | None], plain: Callable[[Doc, int], str | None]
) -> None:
    for text in _texts(name, 600):
        doc = make_doc(Complaint(text=text))
        for pos in range(len(doc.norm) + 2):
            assert fast(doc, pos) == plain(doc, pos), (text, pos)


def test_third_party_inside_the_hit_as_the_plain_form() -> None:
    rng = random.Random("inside")
    for text in _texts("inside", 500):
        doc = make_doc(Complaint(text=text))
        for _ in range(12):
            start = rng.randint(0, len(doc.norm))
            end = rng.randint(start, len(doc.norm) + 1)
            assert context.third_party(doc, start, end=end) == _plain_third_party(doc, start, end=end), (
                text,
                start,
                end,
            )


def test_widths_other_than_the_default_as_the_plain_form() -> None:
    rng = random.Random("widths")
    for text in _texts("widths", 300):
        doc = make_doc(Complaint(text=text))
        for pos in range(len(doc.norm) + 1):
            width = rng.randint(0, 20)
            assert context.negation(doc, pos, width=width) == _plain_negation(doc, pos, width=width)
            assert context.third_party(doc, pos, width=width) == _plain_third_party(doc, pos, width=width)
            assert context.hypothetical(doc, pos, width=width) == _plain_hypothetical(doc, pos, width=width)
            assert context.withdrawn(doc, pos, width=width, joke_width=width * 3) == _plain_withdrawn(
                doc, pos, width=width, joke_width=width * 3
            )
