"""The numpy predictor of `models.py` against a plain-Python reading of the same model.

Models are built here from arrays (no training, no data files): a vocabulary taken from invented
complaints, random weights, and, for the large model, enough extra keys that feature numbers no
longer fit 16 bits. Every score must equal the straightforward TF-IDF × weights computed term by
term from `text_grams` (the training analyzer), batch and single-text alike.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from typing import Any

import numpy as np
import pytest

from kesu.analysis.cue_features import cue_matrix, feature_names
from kesu.analysis.models import (
    FORMAT,
    LinearTextModel,
    _distinct_pairs,
    ngram_key,
    prepare,
    text_grams,
)

PARTS = (
    ["我的信用卡", "家里的光纤宽带", "这份医疗保险", "刚办的ETC", "名下那张白金卡", "小区宽带"],
    ["被扣了年费", "经常断网", "理赔被拒", "账单多出一笔分期手续费1280元", "额度突然被降", "又又又断网"],
    ["客服只说走流程", "报修工单一直没人处理", "代理人电话打不通", "网点让我找发卡中心", ""],
    ["，太气人了！！", "。希望尽快解决", "，请给个说法？", "", "……服了", "！！！恶心"],
)


def _texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = ["".join(rng.choice(options) for options in PARTS) * rng.choice((1, 1, 2)) for _ in range(n)]
    odd = [
        "",
        " ",
        "好",
        "！！！",
        "服了",
        "有没有人知道？",
        "a",
        "😀😀😀😀",
        "\x00卡\x00",
        "断网断网断网断网",
    ]
    return texts + odd


def _model(*, tone: bool, labels: int, extra: int, seed: int) -> LinearTextModel:
    """A model over the n-grams of invented complaints (and `extra` keys no text has)."""
    rng = np.random.default_rng(seed)
    settings: dict[str, Any] = {"edges": tone, "ending_chars": 10 if tone else 0, "ending_n": 2}
    terms = {g for t in _texts(300, seed) for g in text_grams(t, 3, **settings)}
    keys = {ngram_key(g) for g in terms if rng.random() < 0.8}  # some n-grams left out
    while len(keys) < len(terms) + extra:
        keys.add(int(rng.integers(0x4E00_4E00_4E00, 0x9FA5_9FA5_9FA5)))
    vocab = np.array(sorted(keys), dtype=np.uint64)
    scorers = 1 if labels == 2 else labels
    names = feature_names() if tone else []
    meta = {
        "format": FORMAT,
        "format_version": 3,
        "labels": [f"l{i}" for i in range(labels)],
        "bands": {"high": 0.8, "medium": 0.5},
        "max_n": 3,
        "dense_features": names,
        "dense_scale": 2.0 if tone else 0.0,
        "text_edges": tone,
        "ending_chars": settings["ending_chars"],
        "ending_n": 2,
    }
    return LinearTextModel(
        meta=meta,
        **random_weights(rng, vocab, scorers, len(names)),
    )


def random_weights(rng: np.random.Generator, vocab: Any, scorers: int, dense: int) -> dict[str, Any]:
    """Random arrays of a model over `vocab` (sorted keys) with `dense` cue features."""
    return {
        "keys": vocab,
        "idf": rng.uniform(1.0, 8.0, len(vocab)),
        "coef": rng.normal(0.0, 1.0, (scorers, len(vocab))),
        "dense_coef": rng.normal(0.0, 0.5, (scorers, dense)),
        "intercept": rng.normal(0.0, 0.3, scorers),
        "cal_a": rng.uniform(-3.0, -0.5, scorers),
        "cal_b": rng.normal(0.0, 0.3, scorers),
    }


def _reference(model: LinearTextModel, text: str) -> list[float]:
    """Scores of one text, term by term in plain Python."""
    meta = model.meta
    index = {int(k): j for j, k in enumerate(model.keys.tolist())}
    grams = text_grams(
        text, meta["max_n"], edges=meta["text_edges"], ending_chars=meta["ending_chars"], ending_n=2
    )
    values: dict[int, float] = {}
    for gram, count in Counter(ngram_key(g) for g in grams).items():
        if gram in index:
            values[index[gram]] = (1.0 + math.log(count)) * float(model.idf[index[gram]])
    norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
    dense = (
        [x * meta["dense_scale"] for x in cue_matrix([text], [prepare(text)])[0]]
        if meta["dense_features"]
        else []
    )
    return [
        float(model.intercept[s])
        + sum(float(model.coef[s, j]) * v / norm for j, v in values.items())
        + sum(float(w) * x for w, x in zip(model.dense_coef[s], dense, strict=True))
        for s in range(len(model.intercept))
    ]


@pytest.mark.parametrize(
    ("tone", "labels", "extra"),
    [(False, 5, 0), (True, 2, 0), (False, 3, 70_000), (True, 4, 70_000)],
    ids=["topic-5", "tone-2", "topic-3-large", "tone-4-large"],
)
def test_scores_equal_plain_tf_idf_in_batches_and_one_by_one(tone: bool, labels: int, extra: int) -> None:
    model = _model(tone=tone, labels=labels, extra=extra, seed=labels)
    assert (len(model.keys) > 1 << 16) is bool(extra)  # feature numbers beyond 16 bits
    texts = _texts(120, 99)
    expected = np.array([_reference(model, t) for t in texts])
    batch = np.vstack([model.scores(texts[i : i + 37]) for i in range(0, len(texts), 37)])
    single = np.vstack([model.scores([t]) for t in texts])
    assert np.abs(batch - expected).max() < 1e-9
    assert np.abs(single - expected).max() < 1e-9
    assert model.predict(texts) == [model.predict([t])[0] for t in texts]


def test_predictions_are_reused_only_while_the_thresholds_stay() -> None:
    model = _model(tone=False, labels=3, extra=0, seed=5)
    texts = _texts(30, 1)
    before = model.predict(texts)
    model.meta["bands"] = {"high": 2.0, "medium": 2.0}  # as `training.train` replaces them
    after = model.predict(texts)
    assert [p.band for p in after] == ["low"] * len(texts)
    assert [(p.label, p.confidence) for p in after] == [(p.label, p.confidence) for p in before]


@pytest.mark.parametrize(("n_texts", "n_feats"), [(50, 4_000), (300, 300_000), (70_000, 9_000)])
def test_distinct_pairs_counts_each_text_feature_pair_in_order(n_texts: int, n_feats: int) -> None:
    """Radix sort on 16-bit digits (1 or 2 for the feature), or the int64 sort for huge batches."""
    rng = np.random.default_rng(n_feats)
    doc = np.sort(rng.integers(0, min(n_texts, 300), 20_000)).astype(
        np.uint16 if n_texts <= 1 << 16 else np.int64
    )
    feat = rng.integers(0, n_feats, 20_000)
    feat[::3] = feat[1::3][: len(feat[::3])]  # repeats
    got_doc, got_feat, got_counts = _distinct_pairs(doc, feat, n_texts, n_feats)
    pairs, counts = np.unique(doc.astype(np.int64) * n_feats + feat, return_counts=True)
    assert got_doc.tolist() == (pairs // n_feats).tolist()
    assert got_feat.tolist() == (pairs % n_feats).tolist()
    assert got_counts.tolist() == counts.tolist()
    empty = _distinct_pairs(doc[:0], feat[:0], n_texts, n_feats)
    assert [len(a) for a in empty] == [0, 0, 0]
