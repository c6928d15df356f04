"""`kesu train`: read labelled complaints, cross-validate, fit and save a text classifier.

The recipe (see docs/decisions/0002-model-format.md and 0007-tone-features.md): character
1–3-gram TF-IDF with sublinear term frequency, web links and @mentions masked (one token each); then one choice made by an inner cross-validation
on the training data only, between the n-grams alone (what topic labels need) and the n-grams
plus the "tone" features: the text framed by start and end markers, the tagged 1–2-grams of its
final clause (its last ≤ 10 characters after the last 「，。！？」), and the engine's own cue counts
(`cue_features.py`) at weight 2 — how a text says things, which decides emotion and complaint
labels. Then a linear SVM with balanced class weights, and sigmoid (Platt) calibration fitted on
cross-validated scores; the label is the sign / argmax of the class-weighted score (a decision
threshold tuned by inner cross-validation was measured and made things worse). The model is
exported to the numpy-only format of `models.py`, and the cross-validation scores that exported
predictor, so the report describes the shipped model.

scikit-learn is imported here only, never at analysis time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from kesu.analysis.cue_features import cue_matrix, feature_names
from kesu.analysis.models import (
    FORMAT,
    FORMAT_VERSION,
    MARKERS,
    LinearTextModel,
    ngram_key,
    prepare,
    save_model,
    text_grams,
)

MIN_PER_LABEL = 5  # below this a label cannot be both cross-validated and calibrated
BAND_PRECISION = {"high": 0.90, "medium": 0.70}  # cross-validated precision each band promises
BAND_DEFAULT = {"high": 0.85, "medium": 0.6}  # calibrated confidence, when CV cannot say lower
MIN_BAND_SAMPLE = 20  # out-of-fold predictions of a label needed to give it its own thresholds


class TrainingError(Exception):
    """Bad training input; the message is in Chinese, for the person who prepared the file."""


@dataclass(frozen=True)
class Recipe:
    """The training settings; defaults are the recipe measured by `make eval`."""

    max_n: int = 3  # 1–4-grams until ADR 0007: no more accurate, twice the vocabulary
    min_df: int = 2
    c: float = 0.5
    balanced: bool = True
    calibration_folds: int = 3
    # Candidate weights of the cue features next to the L2-normalised n-grams (0 = none). Large
    # weights help emotion/complaint labels and hurt topic labels, so fit() picks one per
    # training set by inner cross-validation. 2.0 was fixed on seed 1 of `make eval`.
    cue_scales: tuple[float, ...] = (0.0, 2.0)
    cue_folds: int = 3
    # The rest of the tone features, taken together with the cues (weight > 0) and never without:
    # start/end markers around the text, and the 1…ending_n-grams of its final clause, at most
    # ending_chars long (0 = no final-clause features). 10 and 2 were fixed on seeds 1–3.
    ending_chars: int = 10
    ending_n: int = 2

    def describe(self) -> str:
        weights = "balanced" if self.balanced else "unweighted"
        scales = "/".join(f"{s:g}" for s in self.cue_scales)
        ending = (
            f"final-clause 1-{self.ending_n}-grams (≤{self.ending_chars} chars) + "
            if self.ending_chars
            else ""
        )
        tone = (
            f" + tone features if they help: text start/end markers + {ending}"
            f"{len(feature_names())} engine cue counts (cue weight {scales}, chosen by "
            f"{self.cue_folds}-fold inner CV macro-F1)"
        )
        return (
            f"char 1-{self.max_n}-gram tf-idf (links and @mentions masked, sublinear, "
            f"min_df={self.min_df}){tone} + "
            f"LinearSVC(C={self.c}, {weights}) + sigmoid calibration ({self.calibration_folds}-fold)"
        )


def read_dataset(path: str, label_field: str) -> tuple[list[str], list[str]]:
    """Texts and labels from JSON Lines; every problem line is reported, nothing half-read."""
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except FileNotFoundError as exc:
        raise TrainingError(f"找不到训练数据文件：{path}") from exc
    except UnicodeDecodeError as exc:
        raise TrainingError(f"训练数据文件不是 UTF-8 编码：{path}") from exc
    except OSError as exc:
        raise TrainingError(f"无法读取训练数据文件 {path}：{exc.strerror}") from exc
    texts: list[str] = []
    labels: list[str] = []
    problems: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            text, label = _parse_line(line, label_field)
        except TrainingError as exc:
            problems.append(f"第 {number} 行：{exc}")
            continue
        texts.append(text)
        labels.append(label)
    if problems:
        raise TrainingError(
            f"训练数据有 {len(problems)} 行无法使用，未训练任何模型：\n" + "\n".join(problems)
        )
    if not texts:
        raise TrainingError(f"训练数据文件是空的：{path}")
    return texts, labels


def _parse_line(line: str, label_field: str) -> tuple[str, str]:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise TrainingError(f"不是合法的 JSON（{exc.msg}，第 {exc.colno} 列）") from exc
    if not isinstance(data, dict):
        raise TrainingError("应为一个 JSON 对象")
    text = data.get("text")
    if not isinstance(text, str):
        raise TrainingError("缺少 text 字段（投诉内容）")
    if not text.strip():
        raise TrainingError("text 为空")
    label = data.get(label_field)
    if label is None or (isinstance(label, str) and not label.strip()):
        raise TrainingError(f"缺少标签字段 {label_field}")
    if isinstance(label, dict | list):
        raise TrainingError(f"标签字段 {label_field} 应为文字或数字")
    return text, str(label).strip()


def check_labels(labels: Sequence[str], folds: int, label_field: str = "label") -> None:
    """Enough labels and enough examples of each for `folds`-fold cross-validation."""
    if folds < 2:
        raise TrainingError(f"交叉验证折数至少为 2，收到 {folds}")
    counts = Counter(labels)
    if len(counts) < 2:
        only = next(iter(counts), "")
        raise TrainingError(
            f"标签字段 {label_field} 只有一种取值（{only}），至少需要 2 种标签才能训练分类模型"
        )
    need = max(folds, MIN_PER_LABEL)
    few = sorted((label, n) for label, n in counts.items() if n < need)
    if few:
        listed = "、".join(f"{label}（{n} 条）" for label, n in few)
        raise TrainingError(f"以下标签样本太少，{folds} 折交叉验证要求每个标签至少 {need} 条：{listed}")


def fit(texts: Sequence[str], labels: Sequence[str], recipe: Recipe | None = None) -> LinearTextModel:
    """Fit the recipe on all of `texts` and return the exported (numpy-only) model."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    recipe = recipe or Recipe()
    # One vectorizer for both candidates: plain n-grams keep the document frequencies and idf
    # they would have alone; the tone candidate adds the marked ones (see `text_grams`).
    vectorizer = TfidfVectorizer(
        analyzer=partial(
            text_grams,
            max_n=recipe.max_n,
            edges=True,
            ending_chars=recipe.ending_chars,
            ending_n=recipe.ending_n,
        ),
        min_df=recipe.min_df if len(texts) >= 50 else 1,
        sublinear_tf=True,
        norm=None,  # normalised per candidate (`features`)
    )
    raw = vectorizer.fit_transform(texts)
    terms = vectorizer.get_feature_names_out().tolist()
    plain = [i for i, t in enumerate(terms) if not MARKERS.intersection(t)]
    cues = cue_array(texts) if any(recipe.cue_scales) else None
    scale = choose_cue_scale(raw, plain, cues, labels, recipe)
    svm = LinearSVC(C=recipe.c, class_weight="balanced" if recipe.balanced else None, random_state=0)
    folds = max(2, min(recipe.calibration_folds, min(Counter(labels).values())))
    calibrated = CalibratedClassifierCV(svm, method="sigmoid", cv=folds, ensemble=False)
    calibrated.fit(features(raw, plain, cues, scale), list(labels))
    kept = list(range(len(terms))) if scale else plain
    return _export([terms[i] for i in kept], vectorizer.idf_[kept], calibrated, recipe, scale)


def choose_cue_scale(
    raw: Any, plain: Sequence[int], cues: Any, labels: Sequence[str], recipe: Recipe
) -> float:
    """The candidate cue weight with the best inner cross-validated macro-F1 (the smaller on a tie);
    a weight above 0 brings the other tone features too (`features`).

    Only the training texts are used (at `make eval`, never the outer test fold).
    """
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.svm import LinearSVC

    candidates = sorted(set(recipe.cue_scales))
    folds = min(recipe.cue_folds, min(Counter(labels).values()))
    if len(candidates) == 1 or folds < 2:
        return candidates[0]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    svm = LinearSVC(C=recipe.c, class_weight="balanced" if recipe.balanced else None, random_state=0)
    scored = []
    for scale in candidates:
        guess = cross_val_predict(svm, features(raw, plain, cues, scale), list(labels), cv=splitter)
        scored.append((float(f1_score(list(labels), guess, average="macro")), -scale))
    return -max(scored)[1]


def cue_array(texts: Sequence[str]) -> Any:
    """The cue features of every text (rows in order), as a dense array."""
    import numpy as np

    return np.array(cue_matrix(texts, [prepare(t) for t in texts]), dtype=np.float64)


def features(raw: Any, plain: Sequence[int], cues: Any, scale: float) -> Any:
    """The training matrix of one candidate, from raw (unnormalised) tf-idf columns: with `scale`
    0 the plain n-gram columns alone, L2-normalised; otherwise every column (the marked ones
    too), L2-normalised, with the cue features times `scale` appended."""
    from sklearn.preprocessing import normalize

    if not scale:
        return normalize(raw[:, list(plain)])
    return with_cues(normalize(raw), cues, scale)


def with_cues(x: Any, cues: Any, scale: float) -> Any:
    """The n-gram matrix `x` with the cue features (`cue_array`) times `scale` appended as columns."""
    from scipy import sparse

    if not scale:
        return x
    return sparse.hstack([x, sparse.csr_matrix(cues * scale)], format="csr")


def _export(terms: list[str], idf: Any, calibrated: Any, recipe: Recipe, scale: float) -> LinearTextModel:
    import numpy as np

    inner = calibrated.calibrated_classifiers_[0]
    coef = np.asarray(inner.estimator.coef_, dtype=np.float64)
    dense_names = feature_names() if scale else []
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "labels": [str(c) for c in calibrated.classes_],
        "max_n": recipe.max_n,
        "dense_features": dense_names,
        "dense_scale": scale,
        "text_edges": bool(scale),
        "mask_links": True,  # `prepare` masks links and @mentions (format version 4)
        "ending_chars": recipe.ending_chars if scale else 0,
        "ending_n": recipe.ending_n if scale and recipe.ending_chars else 0,
        "bands": {"high": 0.9, "medium": 0.6},  # replaced by cross-validated thresholds in train()
    }
    keys = np.array([ngram_key(t) for t in terms], dtype=np.uint64)
    order = np.argsort(keys)  # the predictor binary-searches the keys
    return LinearTextModel(
        meta=meta,
        keys=keys[order],
        idf=np.asarray(idf, dtype=np.float64)[order],
        coef=coef[:, : len(terms)][:, order],
        dense_coef=coef[:, len(terms) :],
        intercept=np.asarray(inner.estimator.intercept_, dtype=np.float64),
        cal_a=np.array([c.a_ for c in inner.calibrators], dtype=np.float64),
        cal_b=np.array([c.b_ for c in inner.calibrators], dtype=np.float64),
    )


def cross_validate(
    texts: Sequence[str], labels: Sequence[str], folds: int = 5, recipe: Recipe | None = None, seed: int = 0
) -> tuple[list[str], list[float]]:
    """Out-of-fold predicted label and confidence for every text (stratified, fixed seed)."""
    from sklearn.model_selection import StratifiedKFold

    predicted = [""] * len(texts)
    confidence = [0.0] * len(texts)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in splitter.split(list(texts), list(labels)):
        model = fit([texts[i] for i in train_idx], [labels[i] for i in train_idx], recipe)
        for i, p in zip(test_idx, model.predict([texts[i] for i in test_idx]), strict=True):
            predicted[i] = p.label
            confidence[i] = p.confidence
    return predicted, confidence


def metrics(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Per-label precision, recall, F1 and support, plus macro and micro averages."""
    from sklearn.metrics import precision_recall_fscore_support

    labels = sorted(set(truth))
    p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    per_label = {
        label: {"precision": _r(p[i]), "recall": _r(r[i]), "f1": _r(f[i]), "support": int(s[i])}
        for i, label in enumerate(labels)
    }
    out: dict[str, Any] = {"labels": per_label}
    for average in ("macro", "micro"):
        ap, ar, af, _ = precision_recall_fscore_support(
            truth, predicted, labels=labels, average=average, zero_division=0
        )
        out[average] = {"precision": _r(ap), "recall": _r(ar), "f1": _r(af)}
    return out


def _r(value: Any) -> float:
    return round(float(value), 4)


def band_thresholds(correct: Sequence[bool], confidence: Sequence[float]) -> dict[str, float]:
    """Lowest confidence above which the cross-validated precision still reaches each target.

    `high`: predictions at or above it were right ≥ 90 % of the time; `medium`: ≥ 70 %. When a
    target is never reached the threshold is set above 1, so that band is never given. When it
    holds all the way down to the least confident prediction seen, cross-validation says nothing
    about lower confidences, so the calibrated default (`BAND_DEFAULT`) is used if lower.
    """
    ranked = sorted(zip(confidence, correct, strict=True), key=lambda pair: -pair[0])
    thresholds: dict[str, float] = {}
    for band, target in BAND_PRECISION.items():
        hits, best = 0, 1.01
        for seen, (conf, ok) in enumerate(ranked, start=1):
            hits += ok
            is_cut = seen == len(ranked) or ranked[seen][0] < conf  # only cut between distinct values
            if is_cut and hits / seen >= target:
                best = conf
        if ranked and best == ranked[-1][0]:
            best = min(best, BAND_DEFAULT[band])
        thresholds[band] = round(best, 3)
    thresholds["medium"] = min(thresholds["medium"], thresholds["high"])
    return thresholds


def cv_bands(truth: Sequence[str], predicted: Sequence[str], confidence: Sequence[float]) -> dict[str, Any]:
    """Global band thresholds, plus each label's own when it was predicted often enough."""
    correct = [p == t for p, t in zip(predicted, truth, strict=True)]
    bands: dict[str, Any] = band_thresholds(correct, confidence)
    per_label = {}
    for label in sorted(set(truth)):
        rows = [i for i, p in enumerate(predicted) if p == label]
        if len(rows) >= MIN_BAND_SAMPLE:
            per_label[label] = band_thresholds([correct[i] for i in rows], [confidence[i] for i in rows])
    bands["per_label"] = per_label
    return bands


def train(
    texts: Sequence[str], labels: Sequence[str], *, folds: int = 5, label_field: str = "label"
) -> tuple[LinearTextModel, dict[str, Any]]:
    """Cross-validate, then fit on everything; returns the model and its report."""
    check_labels(labels, folds, label_field)
    predicted, confidence = cross_validate(texts, labels, folds)
    report = metrics(labels, predicted)
    report["bands"] = cv_bands(labels, predicted, confidence)
    model = fit(texts, labels)
    model.meta.update(
        engine=_engine(),
        label_field=label_field,
        training_size=len(texts),
        label_counts=dict(sorted(Counter(labels).items())),
        folds=folds,
        cv=report,
        bands=report["bands"],
        trained_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        recipe=Recipe().describe(),
    )
    return model, report


def _engine() -> str:
    from kesu.analysis.engine import ENGINE

    return ENGINE


def save(model: LinearTextModel, path: str) -> None:
    """Save a model returned by `train()` or `fit()`."""
    arrays = {
        "keys": model.keys,
        "idf": model.idf,
        "coef": model.coef,
        "dense_coef": model.dense_coef,
        "intercept": model.intercept,
        "cal_a": model.cal_a,
        "cal_b": model.cal_b,
    }
    save_model(path, model.meta, arrays)


def train_command(*, data: str, label_field: str, out: str, folds: int) -> int:
    """The `kesu train` command: report JSON on stdout, errors in Chinese on stderr."""
    try:
        if not os.path.isdir(os.path.dirname(os.path.abspath(out))):
            raise TrainingError(f"模型保存目录不存在：{os.path.dirname(os.path.abspath(out))}")
        texts, labels = read_dataset(data, label_field)
        model, report = train(texts, labels, folds=folds, label_field=label_field)
        save(model, out)
    except TrainingError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"错误：无法保存模型到 {out}：{exc.strerror}", file=sys.stderr)
        return 2
    summary = {"model": out, "label_field": label_field, "training_size": len(texts), "folds": folds}
    print(json.dumps({**summary, **report}, ensure_ascii=False, indent=2))
    return 0
