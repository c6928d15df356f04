"""The detectors' faster forms find exactly what the plain forms they replace find.

Word lists spelt as tries (context cues, rights negation, emotion intensifiers and negation), the
one-pass literal gate of `emotion.covered`, and the one-anchor window of `rights._hits`, each
compared with the old form on the golden complaints and on seeded random strings.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from kesu.analysis import context, emotion, rights
from kesu.analysis.doc import make_doc
from kesu.analysis.lexicon import entries, load_table
from kesu.analysis.scan import may_match_in
from kesu.analysis.types import Complaint

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def _golden_texts() -> list[str]:
    texts = []
    for path in sorted(GOLDEN.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                text = json.loads(line).get("text")
                if isinstance(text, str) and text.strip():
                    texts.append(text)
    return texts


def _random_texts(words: list[str], n: int = 1500, seed: int = 7) -> list[str]:
    """Strings built from the words, their pieces and filler, so that words nest and overlap."""
    rng = random.Random(seed)
    pieces = [w for w in words if w] + [w[: rng.randint(1, len(w))] for w in words if w]
    filler = list("我他的了不没是就去说，。！？ ab1")
    out = []
    for _ in range(n):
        parts = [
            rng.choice(pieces) if rng.random() < 0.6 else rng.choice(filler)
            for _ in range(rng.randint(1, 12))
        ]
        out.append("".join(parts))
    return out


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [make_doc(Complaint(text=t)).norm for t in _golden_texts()]


def _same(fast: re.Pattern[str], plain: re.Pattern[str], samples: list[str]) -> None:
    for s in samples:
        assert [m.span() for m in fast.finditer(s)] == [m.span() for m in plain.finditer(s)], s
        assert fast.sub("_", s) == plain.sub("_", s), s
        for i in range(len(s)):
            a, b = fast.match(s, i), plain.match(s, i)
            assert (a and a.span()) == (b and b.span()), (s, i)


def _plain_alternation(words: tuple[str, ...]) -> str:
    """A cue list as one plain alternation, longest words first (what the trie form must find)."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) or "(?!)"


@pytest.mark.parametrize("kind", list(context.Cues.__dataclass_fields__))
def test_context_cue_tries(kind: str, texts: list[str]) -> None:
    words: tuple[str, ...] = getattr(context.cues(), kind)
    plain = re.compile(_plain_alternation(words))
    _same(context._alternation(kind), plain, texts[:300] + _random_texts(list(words)))


def test_speaker_label_trie(texts: list[str]) -> None:
    words = context.cues().staff_label + context.cues().customer_label
    plain = re.compile(r"(?:^|[\s。!?])(" + "|".join(map(re.escape, words)) + r")\s?:")
    fast = context._speaker_label()
    for s in texts[:300] + [t.replace("，", ":") for t in _random_texts([*words, ":", " ", "。"])]:
        assert [(m.span(), m.group(1)) for m in fast.finditer(s)] == [
            (m.span(), m.group(1)) for m in plain.finditer(s)
        ], s


def test_rights_negation_tries(texts: list[str]) -> None:
    raw = load_table("rights")["negation"]
    words = sorted(raw["not_negation"], key=len, reverse=True)
    cues = "|".join(re.escape(c) for c in sorted(raw["cues"], key=len, reverse=True))
    plain_cues = re.compile(f"(?:{cues})(?=.{{0,{int(raw['max_gap'])}}}$)", re.S)
    plain_not = re.compile("|".join(re.escape(w) for w in words))
    rule = rights._rules().negation
    samples = texts[:300] + _random_texts(raw["cues"] + raw["not_negation"])
    # Windows as `negated` reads them: ten characters, the cue look-ahead bound to the end.
    windows = [s[i : i + 10] for s in samples for i in range(0, max(1, len(s) - 9), 3)]
    _same(rule.cues, plain_cues, windows)
    _same(rule.not_negation, plain_not, samples)


def test_emotion_tries(texts: list[str]) -> None:
    def plain(words: list[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))

    rows = entries("emotion", "intensifier")
    before, after = emotion._intensifiers()
    table = load_table("emotion")["negation"]
    single = [t for t in table["terms"] if len(t) == 1]
    multi = [t for t in table["terms"] if len(t) > 1]
    negation, rhetorical, _ = emotion._negation()
    for fast, words in (
        (before, [w for r in rows for w in r["before"]]),
        (after, [w for r in rows for w in r["after"]]),
        (rhetorical, table["rhetorical_after"]),
    ):
        _same(fast, re.compile(plain(words)), texts[:200] + _random_texts(words))
    old_negation = re.compile(f"(?:{plain(multi)})|(?:{plain(single)})$")
    _same(negation, old_negation, texts[:200] + _random_texts(table["terms"]))


def _old_covered(
    text: str, start: int, end: int, exclude: tuple[re.Pattern[str], ...], reach: int = 8
) -> bool:
    lo, hi = max(0, start - reach), end + reach
    window = text[lo:hi]
    for x in exclude:
        if may_match_in(x, window):
            for m in x.finditer(text, lo, hi):
                if m.start() <= start and m.end() >= end:
                    return True
    return False


def test_covered_gate(texts: list[str]) -> None:
    matcher = emotion._matcher()
    samples = texts[:400]
    checked = 0
    for norm in samples:
        for hit in matcher.finditer(norm):
            exclude = hit.payload.exclude
            if exclude:
                checked += 1
                assert emotion.covered(norm, hit.start, hit.end, exclude) == _old_covered(
                    norm, hit.start, hit.end, exclude
                )
    assert checked > 20
    # Every cue's exclusions on random text around its own look-alikes.
    rng = random.Random(3)
    for row in entries("emotion", "cue"):
        exclude = emotion.compile_any(row.get("exclude", []))
        if not exclude:
            continue
        words = list(row.get("terms", [])) + [x.pattern.replace("\\", "") for x in exclude]
        for s in _random_texts(words, n=60, seed=rng.randint(0, 10**6)):
            for i in range(len(s)):
                for j in range(i + 1, min(len(s), i + 4) + 1):
                    assert emotion.covered(s, i, j, exclude) == _old_covered(s, i, j, exclude)


def test_rights_hits_one_anchor(texts: list[str]) -> None:
    rules = rights._rules()
    for norm in texts[:400]:
        doc = make_doc(Complaint(text=norm))
        for pattern, positions in rules.candidates(doc.norm).items():
            fast: set[tuple[int, int, int]] = set()
            rights._hits(doc, pattern, positions, fast)
            old = {
                (m.start(), pattern.order, -m.end())
                for lo, hi in rights._windows(positions, pattern.reach, len(doc.norm))
                for m in pattern.regex.finditer(doc.norm, lo, hi)
            }
            assert fast == old
