"""Dense cue features for trained models: the engine's own lexicons, counted cheaply.

A trained model (models.py) sees character n-grams, which know nothing of what the engine
already knows: that 垃圾 next to 银行 is an insult, that 凭什么 is a challenge, that ！？ is
shouting, that 感谢 speaks against a complaint. These features count hits of the engine's cue
tables (data/emotion.toml `cue` and `punct`, data/customer.toml `complaint_cue`), so a model
can weigh them next to the n-grams. Measured with `make eval`: +0.03 anger F1, +0.06
negative-post F1 on public data (docs/decisions/0002-model-format.md).

Counting is deliberately cheaper than the detectors (a few tens of µs per text): one pass of
each cue matcher over `prepare(text)` (no OpenCC, no Doc), look-alikes excluded, a cue right
after a negation word (不生气、没问题) not counted. The same function runs at training and at
prediction time; a model stores the feature names it was trained with.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import cache

from kesu.analysis.emotion import CueMatcher, compile_any, covered
from kesu.analysis.lexicon import entries
from kesu.analysis.scan import LiteralIndex

_NEGATION = re.compile("(?:不|没|没有|别|未|无|不要|不会|并不|并没有|不是)$")
_CAP = 3  # the same cue ten times is not ten times the evidence
_LOG1P = tuple(math.log1p(c) for c in range(_CAP + 1))  # log(1 + count) for the capped counts
_PREPARED = LiteralIndex()  # the shared scan of `models.prepare(text)`, not of `Doc.norm`


_Payload = tuple[int, tuple[re.Pattern[str], ...]]


@cache
def _cues() -> tuple[CueMatcher[_Payload], list[str]]:
    """One matcher over the emotion and complaint cues; payload = (feature number, look-alikes).

    Also tried and measured no better: the customer-need cues in a second pass, and negated hits
    (服务不好) counted as features of their own instead of being dropped.
    """
    names: list[str] = []
    literal: list[tuple[str, _Payload]] = []
    patterns: list[tuple[str, _Payload]] = []
    rows = [(f"emotion:{r['emotion']}:{r['label']}", r) for r in entries("emotion", "cue")]
    rows += [(f"complaint:{r['kind']}", r) for r in entries("customer", "complaint_cue")]
    for name, row in rows:
        if name not in names:
            names.append(name)
        payload = (names.index(name), compile_any(row.get("exclude", [])))
        literal += [(t, payload) for t in row.get("terms", [])]
        patterns += [(p, payload) for p in row.get("patterns", [])]
    # A term listed twice keeps its first entry: TermMatcher needs one payload per term.
    unique = list({t: (t, p) for t, p in reversed(literal)}.values())
    return CueMatcher(unique, patterns, index=_PREPARED), names


@cache
def _puncts() -> tuple[tuple[str, re.Pattern[str], bool, str], ...]:
    return tuple(
        (f"punct:{r['label']}", re.compile(r["pattern"]), r.get("source") == "text", r.get("needs", ""))
        for r in entries("emotion", "punct")
    )


def feature_names() -> list[str]:
    """Names of the features `cue_features` returns, in order."""
    return [*_cues()[1], *(p[0] for p in _puncts()), "length"]


def cue_features(text: str, prepared: str) -> list[float]:
    """log(1 + count) of every cue of `feature_names()` in one text.

    `prepared` is `models.prepare(text)`: cues are matched there (half-width, lower case), the
    all-capitals shouting cue on the original `text`.
    """
    matcher, names = _cues()
    counts = [0] * (len(names) + len(_puncts()))
    for hit in matcher.finditer(prepared):
        number, exclude = hit.payload
        if _NEGATION.search(prepared, max(0, hit.start - 3), hit.start):
            continue  # 不生气、没问题: the cue is denied
        if exclude and covered(prepared, hit.start, hit.end, exclude):
            continue
        counts[number] += 1
    for i, (_, regex, on_text, needs) in enumerate(_puncts(), start=len(names)):
        source = text if on_text else prepared
        if (needs and needs not in source) or (on_text and source.lower() == source):
            continue  # cheap pre-checks (no ! at all, no capital letter) before the regex
        counts[i] = len(regex.findall(source))
    log = _LOG1P
    return [log[c] if c < _CAP else log[_CAP] for c in counts] + [math.log1p(min(len(text) / 100, _CAP))]


def cue_matrix(texts: Sequence[str], prepared: Sequence[str]) -> list[list[float]]:
    """`cue_features` of every text (rows in order)."""
    return [cue_features(t, p) for t, p in zip(texts, prepared, strict=True)]
