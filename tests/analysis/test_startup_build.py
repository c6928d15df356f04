"""The matchers' build, made cheaper for the first complaint, gives what the plain forms gave.

Each rewritten step is checked against the form it replaced (copied here as the reference): the
sort-based `_minimal` and `_contained_minimal`, the early exits of `_strings` and of the anchor
sets, the index built word batch by word batch, the shared parse trees and the lazily compiled
regex terms.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from kesu.analysis import demands, dimensions, emotion, lexicon, rights, risk, scan
from kesu.analysis.lexicon import TermMatcher, parse_regex
from kesu.analysis.scan import LiteralIndex, match_prefixes, parse, required_literals

from .test_scan import TEXTS

# ------------------------------------------------------------------ the forms replaced


def _old_minimal(strings: set[str]) -> set[str]:
    return {s for s in strings if not any(o != s and s.startswith(o) for o in strings)}


def _old_contained_minimal(strings: set[str]) -> set[str]:
    return {s for s in strings if not any(o != s and o in s for o in strings)}


def _old_strings(seq: Any) -> set[str] | None:
    out = {""}
    for op, av in seq:
        name = str(op)
        if name == "LITERAL":
            part: set[str] | None = {chr(av)}
        elif name == "IN" and all(str(o) == "LITERAL" for o, _ in av):
            part = {chr(c) for _, c in av}
        elif name == "SUBPATTERN":
            part = _old_strings(av[-1])
        elif name == "BRANCH":
            branches = [_old_strings(b) for b in av[1]]
            part = None if any(b is None for b in branches) else set().union(*branches)  # type: ignore[arg-type]
        elif name == "MAX_REPEAT" and av[0] == 0 and av[1] == 1:
            inner = _old_strings(av[2])
            part = None if inner is None else inner | {""}
        else:
            return None
        if part is None or len(out) * len(part) > scan._MAX_SET:
            return None
        out = {a + b for a in out for b in part}
    return out


def _old_anchor_sets(seq: Any) -> list[set[str]]:
    found: list[set[str]] = []
    current = {""}
    for item in seq:
        whole = _old_strings([item])
        if whole is not None and "" not in whole:
            found.append(whole)
        if whole is not None and len(current) * len(whole) <= scan._MAX_SET:
            current = {a + b for a in current for b in whole}
            continue
        if "" not in current:
            found.append(current)
        current = whole if whole is not None else {""}
        if whole is None:
            found.extend(_old_inner_anchor_sets(item))
    if "" not in current:
        found.append(current)
    return found


def _old_inner_anchor_sets(item: Any) -> list[set[str]]:
    op, av = item
    name = str(op)
    if name == "SUBPATTERN":
        return _old_anchor_sets(av[-1])
    if name in ("MAX_REPEAT", "MIN_REPEAT") and av[0] >= 1:
        return _old_anchor_sets(av[2])
    if name == "BRANCH":
        per_branch = [_old_anchor_sets(b) for b in av[1]]
        if all(per_branch):
            return [set().union(*(_old_best(b) for b in per_branch))]
    return []


def _old_best(sets: list[set[str]]) -> set[str]:
    return max(
        (_old_contained_minimal(s) for s in sets),
        key=lambda s: (
            min(map(len, s)) >= 2,
            not any(a[0] in scan._COMMON_FIRST for a in s),
            -len(s),
            min(map(len, s)),
        ),
    )


def _old_required_literals(pattern: str) -> tuple[str, ...]:
    parsed = parse(pattern)
    if parsed.state.flags & re.IGNORECASE:
        return ()
    sets = _old_anchor_sets(list(parsed))
    return tuple(sorted(_old_best(sets), key=len, reverse=True)) if sets else ()


# ------------------------------------------------------------------ inputs


def _random_strings(rng: random.Random, alphabet: str, count: int, longest: int) -> set[str]:
    return {"".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest))) for _ in range(count)}


def _string_sets() -> list[set[str]]:
    rng = random.Random(20240607)
    sets: list[set[str]] = [set(), {""}, {"a"}, {"a", "b"}, {"", "a", "ab"}, {"投诉", "投诉到", "投"}]
    sets.append({"退还我", "退回我", "退我", "退", "还我", "我"})
    for _ in range(400):
        alphabet = rng.choice(["ab", "abc", "退还回我钱", "abcdefghij"])
        sets.append(_random_strings(rng, alphabet, rng.randint(0, 60), rng.randint(1, 6)))
        sets.append(_random_strings(rng, alphabet, rng.randint(0, 60), rng.randint(1, 6)) - {""})
    return sets


def _lexicon_patterns() -> list[str]:
    found = [p for spec in risk._types() for p in spec.matcher._patterns]
    found += demands._matcher()._patterns + dimensions._event_matcher()._patterns
    found += [regex.pattern for trigger in rights._rules().triggers for regex in trigger.patterns]
    found += [regex.pattern for regex, _ in emotion._matcher()._patterns]
    return found


def _random_pattern(rng: random.Random, depth: int = 0) -> str:
    """A small expression of literals, classes, optional parts, groups and alternations."""
    parts = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(["lit", "lit", "lit", "class", "opt", "group", "gap", "digits"])
        if kind == "lit" or depth > 2:
            parts.append("".join(rng.choice("我们退钱还回投诉到") for _ in range(rng.randint(1, 3))))
        elif kind == "class":
            parts.append("[" + "".join(rng.sample("甲乙丙丁戊己庚辛", rng.randint(1, 5))) + "]")
        elif kind == "opt":
            parts.append(f"(?:{_random_pattern(rng, depth + 1)})?")
        elif kind == "group":
            branches = [_random_pattern(rng, depth + 1) for _ in range(rng.randint(2, 12))]
            parts.append("(?:" + "|".join(branches) + ")")
        elif kind == "gap":
            parts.append("[^,]{0,4}?")
        else:
            parts.append(r"\d+")
    return "".join(parts)


# ------------------------------------------------------------------ tests


@pytest.mark.parametrize("strings", _string_sets())
def test_minimal_is_the_naive_set(strings: set[str]) -> None:
    assert scan._minimal(set(strings)) == _old_minimal(strings)


@pytest.mark.parametrize("strings", _string_sets())
def test_contained_minimal_is_the_naive_set(strings: set[str]) -> None:
    assert scan._contained_minimal(set(strings)) == _old_contained_minimal(strings)


def _same_literals(new: tuple[str, ...], old: tuple[str, ...]) -> bool:
    """Equal up to the order of literals of the same length (that follows set order anyway)."""
    return sorted(new) == sorted(old) and [len(s) for s in new] == [len(s) for s in old]


def test_required_literals_as_before_on_every_lexicon_pattern() -> None:
    patterns = _lexicon_patterns()
    assert len(patterns) > 800
    for pattern in patterns:
        assert _same_literals(required_literals(pattern), _old_required_literals(pattern)), pattern
        assert _same_literals(required_literals(parse(pattern)), _old_required_literals(pattern)), pattern


def test_required_literals_as_before_on_random_patterns() -> None:
    rng = random.Random(7)
    for _ in range(3000):
        pattern = _random_pattern(rng)
        assert _same_literals(required_literals(pattern), _old_required_literals(pattern)), pattern
        tree = parse(pattern)
        assert scan._strings(list(tree)) == _old_strings(list(tree)), pattern


def test_prefixes_from_a_tree_are_those_from_the_text() -> None:
    rng = random.Random(11)
    patterns = _lexicon_patterns() + [_random_pattern(rng) for _ in range(1000)]
    for pattern in patterns:
        assert match_prefixes(parse(pattern)) == match_prefixes(pattern), pattern


def test_a_tree_read_by_both_gives_what_fresh_trees_give() -> None:
    """TermMatcher hands one parse tree to `match_prefixes`, then to `required_literals`."""
    for pattern in _lexicon_patterns():
        tree = parse(pattern)
        prefixes = match_prefixes(tree)
        assert required_literals(tree) == required_literals(parse(pattern)) or _same_literals(
            required_literals(tree), required_literals(parse(pattern))
        )
        assert prefixes == match_prefixes(parse(pattern))
        assert tree.getwidth() == scan._parser.parse(pattern).getwidth()


def test_the_last_tree_is_handed_out_again_unchanged() -> None:
    """rights.py asks for a pattern's literals, then for its width: one parse serves both."""
    for pattern in _lexicon_patterns():
        literals = required_literals(pattern)
        tree = parse_regex(pattern)
        assert tree is parse(pattern)
        assert tree.getwidth() == scan._parser.parse(pattern).getwidth()
        assert repr(tree) == repr(scan._parser.parse(pattern)), pattern  # read, never changed
        assert literals == required_literals(scan._parser.parse(pattern))


def _occurrences(index: LiteralIndex, text: str) -> tuple[dict[str, list[int]], dict[int, set[str]]]:
    found = index.find(text)
    return found.at, {owner: set(words) for owner, words in found.by_owner.items()}


def test_index_built_batch_by_batch_finds_what_one_build_finds() -> None:
    rng = random.Random(3)
    vocabulary = sorted(
        {w for text in TEXTS[:40] for w in (text[i : i + rng.randint(1, 5)] for i in range(len(text)))}
    )
    batches = [rng.sample(vocabulary, rng.randint(0, 300)) for _ in range(12)]
    batches.append(["打12", "12378", "2", "投诉", "投"])
    batches.append(["投诉"])  # a word already present, for another owner
    stepwise, at_once = LiteralIndex(), LiteralIndex()
    for batch in batches:
        stepwise.add(batch)
        stepwise.find(TEXTS[rng.randrange(len(TEXTS))] + "x")  # builds, as detectors do between matchers
    for batch in batches:
        at_once.add(batch)
    for text in [*TEXTS, "我打12378投诉，再打12378", "", "投"]:
        assert _occurrences(stepwise, text) == _occurrences(at_once, text), text


def test_a_build_leaves_the_trie_being_read_untouched() -> None:
    index = LiteralIndex()
    index.add(["投诉", "投诉到", "退钱"])
    before = index.find("我要投诉到底，退钱")
    built, singles, trie = index._state
    snapshot = repr(trie)
    index.add(["投诉到底", "退钱了", "钱", "底"])
    after = index.find("我要投诉到底，退钱")
    assert repr(trie) == snapshot and singles == frozenset()  # the old state was copied, not changed
    assert index._state[0] > built
    assert set(before.at) == {"投诉", "投诉到", "退钱"}
    assert set(after.at) == {"投诉", "投诉到", "投诉到底", "退钱", "钱", "底"}


def test_regex_terms_are_compiled_when_first_tried(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str] = []
    real = re.compile

    def spy(pattern: Any, flags: int = 0) -> re.Pattern[str]:
        compiled.append(pattern)
        return real(pattern, flags)

    monkeypatch.setattr(lexicon.re, "compile", spy)
    matcher = TermMatcher(
        [("退(?:还|回)?我钱", "refund"), ("投诉到?底", "persist"), ("曝光", "expose")], regex=True
    )
    assert compiled == []
    hits = matcher.finditer("你们退还我钱，不然投诉到底")
    assert [(h.start, h.end, h.text, h.payload) for h in hits] == [
        (2, 6, "退还我钱", "refund"),
        (9, 13, "投诉到底", "persist"),
    ]
    assert compiled == ["退(?:还|回)?我钱", "投诉到?底"]  # 曝光 never tried: never compiled
    assert matcher._match[0] == real("退(?:还|回)?我钱").match  # the stand-in replaced itself
    matcher.finditer("退回我钱")
    assert compiled == ["退(?:还|回)?我钱", "投诉到?底"]
    assert [p.pattern for p, _ in matcher._compiled] == ["退(?:还|回)?我钱", "投诉到?底", "曝光"]


def test_every_regex_term_of_the_lexicons_compiles() -> None:
    """Compiling lazily must not hide a broken expression in a data file until it is tried."""
    matchers = [spec.matcher for spec in risk._types()] + [demands._matcher(), dimensions._event_matcher()]
    for matcher in matchers:
        assert all(isinstance(p, re.Pattern) for p, _ in matcher._compiled)
