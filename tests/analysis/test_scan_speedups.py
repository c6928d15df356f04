"""The shared scan's cheaper forms against plain reference forms (seeded random inputs).

- `may_match_in` / `may_any_match_in` test a window with one search for the alternation of the
  literals instead of one substring test per literal: the same answer as the loop.
- Literal `TermMatcher`s let longer words claim their starts first: the same hits as leftmost-
  then-longest over every occurrence.
- Regex `TermMatcher`s skip the gate test for terms one of whose literals lies within the prefix
  they are tried at, and skip a prefix as a whole when none of its terms can match: the same hits
  as one alternation of all the terms.
"""

from __future__ import annotations

import random
import re

from kesu.analysis.lexicon import TermMatcher
from kesu.analysis.scan import LiteralDispatch, LiteralIndex, _needs, may_any_match_in, may_match_in

from .test_scan import _reference as _one_alternation

_ALPHABET = "投诉退款项我的了12ab.*"


def _text(rng: random.Random, most: int) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, most)))


def _loop_may_match_in(pattern: re.Pattern[str], window: str) -> bool:
    needs = _needs(pattern)
    return not needs or any(literal in window for literal in needs)


def test_window_gates_answer_what_a_loop_over_the_literals_answers() -> None:
    rng = random.Random(7)
    patterns = [
        re.compile(p)
        for p in (
            "气死我了",
            "投诉(?:了)?",
            "退[^,]{0,3}款",
            "(?:打|拨打)?12",
            r"a\.\*b",
            r"\d+",
            "(?i)ab",
            "了|的",
        )
    ]
    for _ in range(300):
        window = _text(rng, 12) + rng.choice(["", "气死我了", "a.*b", "拨打"]) + _text(rng, 6)
        for pattern in patterns:
            assert may_match_in(pattern, window) == _loop_may_match_in(pattern, window), (pattern, window)
        group = tuple(rng.sample(patterns, rng.randint(0, 4)))
        expected = any(_loop_may_match_in(p, window) for p in group)
        assert may_any_match_in(group, window) == expected, (group, window)


def _leftmost_longest(words: list[str], text: str) -> list[tuple[int, int, str]]:
    hits, at = [], 0
    while at < len(text):
        here = [w for w in words if text.startswith(w, at)]
        if here:
            word = max(here, key=len)
            hits.append((at, at + len(word), word))
            at += len(word)
        else:
            at += 1
    return hits


def test_literal_terms_find_the_leftmost_longest() -> None:
    rng = random.Random(13)
    for _ in range(60):
        words = sorted({_text(rng, 4) or "了" for _ in range(rng.randint(1, 12))})
        matcher = TermMatcher([(w, w) for w in words], index=LiteralIndex())
        for _ in range(20):
            text = _text(rng, 40)
            got = [(h.start, h.end, h.payload) for h in matcher.finditer(text)]
            assert got == _leftmost_longest(words, text), (words, text)


def test_regex_terms_sharing_prefixes_find_what_one_alternation_finds() -> None:
    # Prefixes shared by terms whose gate literal lies within the prefix (投诉, 退) and by terms
    # whose literal lies elsewhere (退款, 投诉, 款项), alone and mixed, and terms without a gate.
    fragments = [
        "投诉(?:了)?",
        "投诉[^,]{0,3}退款",
        "退[^,]{0,3}投诉",
        "退[^,]{0,3}款项",
        "退了",
        "我[的了]",
        "的",
        r"\d\d",
    ]
    rng = random.Random(17)
    for _ in range(60):
        patterns = rng.sample(fragments, rng.randint(1, len(fragments)))
        matcher = TermMatcher([(p, i) for i, p in enumerate(patterns)], regex=True, index=LiteralIndex())
        for _ in range(25):
            text = _text(rng, 30)
            got = [(h.start, h.end, h.payload) for h in matcher.finditer(text)]
            assert got == _one_alternation(patterns, text), (patterns, text)
            assert matcher.may_match(text) or not got  # never a false "no"


def test_dispatch_names_exactly_the_items_whose_literals_occur() -> None:
    """`LiteralDispatch.candidates`: every item with a needed literal in the text, or with none
    needed, in order — what testing each item's literals against the text gives."""
    rng = random.Random(5)
    words = ["投诉", "退款", "曝光", "律师", "不满", "气死", "太差", "退"]
    for _ in range(300):
        index = LiteralIndex()
        needs = [frozenset(rng.sample(words, rng.randrange(0, 3))) for _ in range(rng.randrange(1, 8))]
        dispatch = LiteralDispatch.register(needs, index)
        for _ in range(5):
            text = "".join(rng.choice([*words, "我", "，", "了"]) for _ in range(rng.randrange(0, 8)))
            expected = [i for i, need in enumerate(needs) if not need or any(w in text for w in need)]
            assert dispatch.candidates(index.find(text)) == expected, (needs, text)
