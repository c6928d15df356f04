"""The shared scan's fast paths against plain reference implementations (seeded random texts).

`LiteralIndex.find` walks its trie over a list of the text's characters with tuple pair keys,
`TermMatcher` gates its regex terms with a list of the literals present, and `may_match_in`
keys its cache by the pattern's identity: each must give exactly what the plain form gives.
"""

from __future__ import annotations

import random
import re

from kesu.analysis.lexicon import TermMatcher
from kesu.analysis.scan import LiteralIndex, may_match_in

from .test_scan import _reference as _one_alternation

_ALPHABET = "投诉退款我的了12ab"


def _words(rng: random.Random, n: int) -> list[str]:
    return ["".join(rng.choice(_ALPHABET) for _ in range(rng.randint(1, 5))) for _ in range(n)]


def _reference(owners: dict[str, list[int]], text: str) -> tuple[dict[str, list[int]], dict[int, list[str]]]:
    """Every occurrence of every word (overlapping included), in the order the scan lists them:
    single characters by first position, then longer words by (start, length); each owner's
    words in that order."""
    single = sorted((text.index(w), w) for w in owners if len(w) == 1 and w in text)
    longer = sorted(
        (i, len(w), w) for w in owners if len(w) > 1 for i in range(len(text)) if text.startswith(w, i)
    )
    at: dict[str, list[int]] = {}
    for _, w in single:
        at[w] = [i for i, ch in enumerate(text) if ch == w]
    for i, _, w in longer:
        at.setdefault(w, []).append(i)
    by_owner: dict[int, list[str]] = {}
    for w in at:
        for owner in owners[w]:
            by_owner.setdefault(owner, []).append(w)
    return at, by_owner


def test_find_lists_every_occurrence_in_order_as_words_are_added() -> None:
    rng = random.Random(5)
    for _ in range(40):
        index = LiteralIndex()
        owners: dict[str, list[int]] = {}
        for _ in range(rng.randint(1, 4)):  # several owners, added between scans
            words = _words(rng, rng.randint(1, 30))
            owner = index.add(words)
            for w in dict.fromkeys(words):
                owners.setdefault(w, []).append(owner)
            for _ in range(5):
                text = "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 40)))
                found = index.find(text)
                at, by_owner = _reference(owners, text)
                assert list(found.at.items()) == list(at.items()), text
                for o in range(1, owner + 1):
                    assert found.words(o) == by_owner.get(o, []), (text, o)


def test_find_reads_a_word_that_ends_the_text() -> None:
    index = LiteralIndex()
    owner = index.add(["退款", "退款了", "了"])
    found = index.find("我要退款了")
    assert found.at == {"了": [4], "退款": [2], "退款了": [2]}
    assert found.words(owner) == ["了", "退款", "退款了"]
    assert index.find("退").at == {}
    assert index.find("").at == {}


def test_gated_regex_terms_find_what_one_alternation_finds() -> None:
    # Shared prefixes (退), terms whose required literal is elsewhere (款 / 诉), a term without
    # a prefix (a leading digit class) but with a required literal, and one without either.
    patterns = [
        "退[^,]{0,3}款",
        "退[^,]{0,3}诉",
        "退了",
        r"\d+块",
        "投诉(?:了)?",
        "我[的了]",
        r"\d\d",
    ]
    index = LiteralIndex()
    matcher = TermMatcher([(p, i) for i, p in enumerate(patterns)], regex=True, index=index)
    rng = random.Random(11)
    texts = ["退了,退一下款", "12块退投诉了", "退,款", "我的99"]
    texts += [
        "".join(rng.choice("退款投诉了我的,12块") for _ in range(rng.randint(0, 30))) for _ in range(400)
    ]
    for text in texts:
        got = [(h.start, h.end, h.payload) for h in matcher.finditer(text)]
        assert got == _one_alternation(patterns, text), text


def test_may_match_in_tells_apart_patterns_with_equal_text() -> None:
    # Two compiled patterns of one expression but different flags: equal texts, different gates.
    plain = re.compile("气死我了")
    folded = re.compile("气死我了", re.IGNORECASE)
    assert plain is not folded
    assert not may_match_in(plain, "我要去死")
    assert may_match_in(folded, "我要去死")  # case-insensitive: no gate, always run
    assert not may_match_in(plain, "我要去死")
    assert may_match_in(plain, "真是气死我了")
