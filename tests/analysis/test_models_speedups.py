"""The faster forms in `models.py` against the plain forms they replaced, on varied inputs.

`prepare` folds characters through a table instead of a regex with a Python callback; one text's
scores take every n-gram from one strided view and sort found feature numbers instead of sorting
keys; `calibrate` clamps without min/max. Each must give the same result bit for bit.
"""

from __future__ import annotations

import math
import random
import re
from typing import Any

import numpy as np
import pytest

from kesu.analysis import models
from kesu.analysis.cue_features import cue_matrix, feature_names
from kesu.analysis.models import FORMAT, LinearTextModel, ngram_key, text_grams
from tests.analysis.test_models_predictor import random_weights

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
ALPHABET = (
    "投诉信用卡宽带断网太坑了垃圾银行，。！？：；（）……~ 不没@http:/.abcXYZΣσİ\x00\n\t\r😀𝐀"
    "０１２３４５６７８９ＡＢｚ！＂　0123456789\ufffe\uffff\ufdd0\ufdd1\ufdd2\ufdef\ud800\udc00"
)


def _random_text(rng: random.Random, longest: int = 60) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, longest)))


def _prepare_reference(text: str, *, mask_links: bool = True) -> str:
    """`prepare` as it was: the regex with a Python callback, lower case, astral characters folded."""
    prepared = _ASTRAL.sub("\uffff", models._PREPARED_CHARS.sub(models._replace, text).lower())
    if mask_links:
        prepared = models._MENTION.sub("@", models._LINK.sub(" http ", prepared))
    return prepared


def test_prepare_equals_the_regex_form() -> None:
    rng = random.Random(1)
    texts = [_random_text(rng) for _ in range(3000)]
    texts += ["", "ΑΣ", "𝐀Σ", "ＡΣ b", "\ud83d\ude00", "\ud800", "http://x.y/ＡＢ @某某:你好１２"]
    texts += ["".join(chr(c) for c in range(start, start + 400)) for start in range(0, 0x10000, 400)]
    for text in texts:
        for mask in (True, False):
            assert models.prepare(text, mask_links=mask) == _prepare_reference(text, mask_links=mask)


def _reference_scores(model: LinearTextModel, text: str) -> Any:
    """One text's scores as they were computed before: keys sorted, then looked up."""
    prepared = models.prepare(text, mask_links=model._mask_links)
    meta = model.meta
    grams = text_grams(
        text,
        meta["max_n"],
        edges=meta["text_edges"],
        ending_chars=meta["ending_chars"],
        ending_n=meta["ending_n"],
    )
    keys = np.sort(np.array([ngram_key(g) for g in grams], dtype=np.uint64))
    new = np.ones(len(keys), dtype=bool)
    new[1:] = keys[1:] != keys[:-1]
    starts = np.flatnonzero(new)
    distinct = keys[starts]
    pos = np.minimum(model.keys.searchsorted(distinct), len(model.keys) - 1)
    found = model.keys[pos] == distinct
    counts = np.diff(starts, append=keys.size)[found]
    feat = pos[found]
    values = (1.0 + np.log(counts)) * model.idf[feat]
    norm = math.sqrt(values @ values) or 1.0
    score = model.coef[:, feat] @ (values / norm)
    if not model.dense_coef.shape[1]:
        return model.intercept + score
    cues = np.array(cue_matrix([text], [prepared]), dtype=np.float64) * meta["dense_scale"]
    result = np.tile(model.intercept, (1, 1))
    result += cues @ model.dense_coef.T
    result += score
    return result[0]


def _model(rng: np.random.Generator, texts: list[str], **settings: Any) -> LinearTextModel:
    max_n, ending_n = settings["max_n"], settings["ending_n"]
    grams = {
        g
        for t in texts
        for g in text_grams(
            t, max_n, edges=settings["edges"], ending_chars=settings["ending_chars"], ending_n=ending_n
        )
    }
    keys = {ngram_key(g) for g in grams if rng.random() < 0.8}
    if settings["padding_key"]:  # a key ending in the separator: the padding must be masked
        keys.add(ngram_key("好\ufffe"))
    vocab = np.array(sorted(keys), dtype=np.uint64)
    names = feature_names() if settings["dense"] else []
    scorers = settings["scorers"]
    return LinearTextModel(
        meta={
            "format": FORMAT,
            "format_version": 4,
            "labels": [f"l{i}" for i in range(2 if scorers == 1 else scorers)],
            "bands": {"high": 0.8, "medium": 0.5},
            "max_n": max_n,
            "dense_features": names,
            "dense_scale": 2.0,
            "text_edges": settings["edges"],
            "mask_links": True,
            "ending_chars": settings["ending_chars"],
            "ending_n": ending_n,
        },
        **random_weights(rng, vocab, scorers, len(names)),
    )


SETTINGS = [
    {"max_n": 3, "edges": False, "ending_chars": 0, "ending_n": 0, "dense": False, "scorers": 5},
    {"max_n": 3, "edges": True, "ending_chars": 10, "ending_n": 2, "dense": True, "scorers": 1},
    {"max_n": 1, "edges": True, "ending_chars": 10, "ending_n": 3, "dense": False, "scorers": 3},
    {"max_n": 4, "edges": True, "ending_chars": 6, "ending_n": 3, "dense": False, "scorers": 4},
    {"max_n": 2, "edges": False, "ending_chars": 4, "ending_n": 2, "dense": False, "scorers": 6},
]


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: f"n{s['max_n']}-e{s['ending_n']}")
@pytest.mark.parametrize("padding_key", [False, True], ids=["plain", "padding-key"])
def test_one_text_scores_equal_the_sorted_keys_form_bit_for_bit(
    settings: dict[str, Any], padding_key: bool
) -> None:
    rng = random.Random(settings["max_n"] * 10 + settings["ending_n"])
    texts = [_random_text(rng, 40) for _ in range(400)] + ["", "好", "好好", "，好！", "\x00好\x00"]
    model = _model(np.random.default_rng(7), texts[:200], padding_key=padding_key, **settings)
    assert model._padding_unseen is not padding_key
    for text in texts:
        got = model.scores([text])[0]
        assert got.tobytes() == _reference_scores(model, text).tobytes(), repr(text)


def test_counted_features_equal_np_unique() -> None:
    rng = np.random.default_rng(3)
    for size in [0, 1, 2, 5, 50, 600]:
        for n_feats in [1, 7, 4000, 300_000]:
            pos = rng.integers(0, n_feats + 1, size)
            found = rng.random(size) < 0.8
            feat, counts = models._count_features(pos.copy(), found)
            want_feat, want_counts = np.unique(pos[found], return_counts=True)
            assert feat.tolist() == want_feat.tolist()
            assert counts.tolist() == want_counts.tolist()


def test_calibrate_clamps_as_min_and_max_did() -> None:
    model = _model(np.random.default_rng(1), ["好"], **SETTINGS[0], padding_key=False)
    rng = random.Random(2)
    rows = [[rng.uniform(-900, 900) for _ in range(5)] for _ in range(500)]
    rows += [[500.0, -500.0, math.nan, math.inf, -math.inf], [0.0, -0.0, 499.9, -500.1, 1e308]]
    for row in rows:
        p = [
            1.0 / (1.0 + math.exp(min(500.0, max(-500.0, a * s + b))))
            for (a, b), s in zip(model._cal, row, strict=True)
        ]
        total = sum(p)
        want = [x / total for x in p] if total > 0 else [1.0 / len(p)] * len(p)
        got = model.calibrate(row)
        assert [math.isnan(x) for x in got] == [math.isnan(x) for x in want]
        assert [x for x in got if not math.isnan(x)] == [x for x in want if not math.isnan(x)]
