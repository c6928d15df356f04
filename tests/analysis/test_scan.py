"""The shared scan: matchers that read it find exactly what one big alternation would find.

If the index or a prefix were wrong, a detector would silently miss a risk signal or a demand;
these tests compare the fast matchers with the plain regular expressions they replace, on the
real lexicons and the golden complaints.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kesu.analysis import demands, dimensions, emotion, industry, risk
from kesu.analysis.doc import normalize
from kesu.analysis.lexicon import TermMatcher, trie_regex
from kesu.analysis.scan import LiteralIndex, match_prefixes, may_any_match_in, may_match_in, required_literals

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
TEXTS = [
    normalize(json.loads(line)["text"])
    for name in ("complaints.jsonl", "complaints_blind.jsonl")
    for line in (GOLDEN / name).read_text(encoding="utf-8").splitlines()
    if line.strip()
]


def test_prefixes_of_an_expression() -> None:
    assert match_prefixes("退(?:还|回)?我") == {"退还我", "退回我", "退我"}
    assert match_prefixes(r"(?<!\d)(?:12378|12315)(?!\d)") == {"12378", "12315"}
    assert match_prefixes("(?:打|拨打)?12315") == {"打12315", "拨打12315", "12315"}
    assert match_prefixes("(?:钱|把[^,]{0,10}?)还给我") == {"钱", "把"}
    assert match_prefixes("投诉|投诉到") == {"投诉"}  # the shorter one is found wherever the longer is


@pytest.mark.parametrize("pattern", [r"[^,]{0,4}?曝光", r"\d+万", ".*", "(?i)abc", "(?:a|[^x])c"])
def test_no_prefix_when_a_match_can_start_anywhere(pattern: str) -> None:
    assert match_prefixes(pattern) is None


def test_index_finds_overlapping_occurrences() -> None:
    index = LiteralIndex()
    owner = index.add(["打12", "12378", "2", "投诉"])
    found = index.find("我打12378投诉，再打12378")
    assert found.at == {"打12": [1, 11], "12378": [2, 12], "2": [3, 13], "投诉": [7]}
    assert set(found.words(owner)) == {"12378", "2", "投诉", "打12"}


def _reference(patterns: list[str], text: str) -> list[tuple[int, int, int]]:
    """(start, end, term number) as one alternation finds them: leftmost, then first listed."""
    scan = re.compile("|".join(f"(?:{p})" for p in patterns))
    compiled = [re.compile(p) for p in patterns]
    out = []
    for m in scan.finditer(text):
        first = next(i for i, c in enumerate(compiled) if c.match(text, m.start()))
        out.append((m.start(), m.end(), first))
    return out


def _regex_lexicons() -> list[tuple[str, list[str]]]:
    found = [(spec.key, [p.pattern for p, _ in spec.matcher._compiled]) for spec in risk._types()]
    found.append(("demands", [p.pattern for p, _ in demands._matcher()._compiled]))
    found.append(("events", [p.pattern for p, _ in dimensions._event_matcher()._compiled]))
    return found


@pytest.mark.parametrize(("name", "patterns"), _regex_lexicons(), ids=[n for n, _ in _regex_lexicons()])
def test_regex_lexicon_finds_what_one_alternation_finds(name: str, patterns: list[str]) -> None:
    matcher = TermMatcher([(p, i) for i, p in enumerate(patterns)], regex=True)
    for text in TEXTS:
        got = [(h.start, h.end, h.payload) for h in matcher.finditer(text)]
        assert got == _reference(patterns, text), (name, text)


def test_literal_lexicons_find_what_one_trie_finds() -> None:
    words = sorted({hit for hit in industry._vocabulary().votes})
    words += [t for r in emotion.entries("emotion", "cue") for t in r.get("terms", [])]
    matcher = TermMatcher((w, w) for w in words)
    trie = re.compile(trie_regex(sorted(set(words))))
    for text in TEXTS:
        got = [(h.start, h.end, h.text) for h in matcher.finditer(text)]
        assert got == [(m.start(), m.end(), m.group()) for m in trie.finditer(text)], text


def test_literals_every_match_contains() -> None:
    assert set(required_literals("(?:乱|多|重复)收费")) == {"乱收费", "多收费", "重复收费"}
    assert required_literals("没[^,]{0,3}告知") == ("告知",)
    assert required_literals("(?<!强制)平仓") == ("平仓",)  # nothing is read from a look-behind
    assert required_literals("(?i)abc") == ()  # case-insensitive: a substring test could miss it
    assert required_literals(r"\d+万") == ("万",)


def test_a_pattern_is_skipped_only_when_it_cannot_match_in_the_window() -> None:
    look_alike = re.compile("气死(?:我|人)了?")
    assert not may_match_in(look_alike, "我要去死")  # 气死 nowhere: the expression is not run
    assert may_match_in(look_alike, "真是气死我了")
    assert may_match_in(re.compile(r"[a-z]+\d"), "anything")  # no literal known: always run


def test_several_patterns_are_skipped_together_only_when_none_can_match() -> None:
    look_alikes = (re.compile("垃圾短信"), re.compile("垃圾(?:邮件|分类)"))
    assert not may_any_match_in(look_alikes, "你们就是垃圾银行")  # neither look-alike's words
    assert may_any_match_in(look_alikes, "又收到垃圾短信了")
    assert may_any_match_in((*look_alikes, re.compile(r"[a-z]+\d")), "anything")  # one unknown: run
    assert not may_any_match_in((), "垃圾短信")


def test_emotion_patterns_find_what_they_find_ungated() -> None:
    """The cue matcher runs an expression only when its literals occur; it must lose no hit."""
    matcher = emotion._matcher()
    gate = matcher._gate
    assert any(gate.needs)
    gated = {text: [(h.start, h.end, h.text) for h in matcher.finditer(text)] for text in TEXTS}
    needs = gate.needs
    gate.needs = [frozenset() for _ in needs]  # (compiled classes cannot be copied: switch it off)
    try:
        for text in TEXTS:
            assert [(h.start, h.end, h.text) for h in matcher.finditer(text)] == gated[text], text
    finally:
        gate.needs = needs
