"""`make bench`: speed and memory of `kesu analyze --model`, against the targets and snownlp.

Generates invented complaints (benchmarks/corpus.py, fixed seeds), trains a category model with
the same code as `kesu train`, then measures:
  * the command line, pinned to one core (`taskset -c 0`): time to the first output line from
    process start, throughput, peak RSS for 10,000 and 50,000 input lines (memory must stay flat);
  * in process: `analyze()` latency per complaint (one call each, with the model), median and p95;
  * snownlp's `SnowNLP(text).sentiments` on the same texts, the library a team would reach for;
  * the model format decision (docs/decisions/0002-model-format.md): the numpy `.npz` file
    against the same model pickled with joblib (start-up to first prediction, file size).
The engine runs compiled by mypyc when `make compile` has built it from the current sources
(docs/decisions/0010-compiled-engine.md); the latency and CLI throughput are measured again from
the Python sources (`KESU_PURE_PYTHON=1`) and printed as the "pure Python sources" rows.
Writes bench-results/bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench-results" / "bench.json"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate  # noqa: E402

from kesu.analysis import Complaint, analyze  # noqa: E402
from kesu.analysis._native import PURE_ENV  # noqa: E402
from kesu.analysis.models import load_model  # noqa: E402
from kesu.analysis.training import save, train  # noqa: E402

TARGETS = {"median_ms": 1.0, "per_second": 1000.0, "first_result_s": 1.5, "memory_mb": 300.0}
LATENCY_SAMPLE, SNOWNLP_SAMPLE = 2000, 300


def pinned(cmd: list[str]) -> list[str]:
    """The command pinned to core 0 when taskset exists (it does on Linux CI)."""
    return ["taskset", "-c", "0", *cmd] if shutil.which("taskset") else cmd


def write_inputs(path: Path, n: int, seed: int) -> list[str]:
    texts = [text for text, _ in generate(n, seed)]
    with open(path, "w", encoding="utf-8") as fh:
        for i, text in enumerate(texts):
            fh.write(json.dumps({"id": f"b{i}", "text": text}, ensure_ascii=False) + "\n")
    return texts


def train_model(path: Path) -> dict[str, Any]:
    pairs = list(generate(1500, seed=99))
    started = time.perf_counter()
    model, report = train([t for t, _ in pairs], [c for _, c in pairs], folds=3, label_field="category")
    save(model, str(path))
    return {
        "training_size": len(pairs),
        "seconds": round(time.perf_counter() - started, 1),
        "cv_macro_f1": report["macro"]["f1"],
    }


def run_cli(inputs: Path, model: Path, pure: bool = False) -> dict[str, Any]:
    """Run `kesu analyze --model` on a file; time the first line and the whole run, peak RSS.
    With `pure`, the engine runs from its Python sources even when a compiled build exists."""
    cmd = pinned([str(BIN / "kesu"), "analyze", "--model", f"category={model}"])
    env = {**os.environ, PURE_ENV: "1" if pure else ""}
    with open(inputs, "rb") as stdin:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        assert proc.stdout is not None
        peak = [0]
        sampler = threading.Thread(target=_watch_peak, args=(proc.pid, peak), daemon=True)
        sampler.start()
        first = None
        lines = 0
        for line in proc.stdout:
            if first is None:
                first = time.perf_counter() - started
                assert b'"predictions":{"category"' in line, line[:200]
            lines += 1
        _, status, usage = os.wait4(proc.pid, 0)  # CPU time of this very child
        total = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.join()
    return {
        "lines": lines,
        "exit": proc.returncode,
        "first_result_s": round(first or total, 3),
        "total_s": round(total, 2),
        "per_second": round(lines / total, 1),
        "per_second_after_start": round((lines - 1) / max(total - (first or 0), 1e-9), 1),
        "peak_rss_mb": round(peak[0] / 1024, 1),
        # CPU time is what the complaints cost; wall time also counts other processes' turns
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "per_cpu_second": round(lines / max(usage.ru_utime + usage.ru_stime, 1e-9), 1),
    }


def _watch_peak(pid: int, peak: list[int]) -> None:
    """Keep the child's VmHWM (peak resident memory, KiB) up to date until it exits.

    Not `ru_maxrss`: for a forked child it includes the parent's memory copied before exec.
    Samples are taken only once the child has become `kesu analyze` (not taskset, not the fork).
    """
    proc = Path(f"/proc/{pid}")
    while True:
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            status = (proc / "status").read_text()
        except OSError:
            return
        if b"analyze" in argv and not argv[0].endswith(b"taskset"):
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peak[0] = max(peak[0], int(line.split()[1]))
        if "State:\tZ" in status:
            return
        time.sleep(0.05)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def time_calls(fn: Any, texts: list[str], clock: Any = time.perf_counter) -> list[float]:
    out = []
    for text in texts:
        started = clock()
        fn(text)
        out.append((clock() - started) * 1000)
    return out


def in_process(texts: list[str], model_path: Path) -> dict[str, Any]:
    """Per-complaint latency of `analyze()` with one call per complaint, in milliseconds."""
    models = {"category": load_model(str(model_path))}
    sample = texts[:LATENCY_SAMPLE]  # the small run has at least this many unless --lines says less
    time_calls(lambda t: analyze(Complaint(text=t), models), sample[:200])  # warm caches
    with_model = time_calls(lambda t: analyze(Complaint(text=t), models), sample)
    rules_only = time_calls(lambda t: analyze(Complaint(text=t)), sample)
    model_only = time_calls(lambda t: models["category"].predict([t]), sample)
    cpu = time_calls(lambda t: analyze(Complaint(text=t), models), sample, time.thread_time)
    started = time.thread_time()
    for i in range(0, len(texts), 256):  # how `kesu analyze` calls the model: 256 at a time
        models["category"].predict(texts[i : i + 256])
    batch_cpu = time.thread_time() - started
    return {
        "model_only_batch_per_cpu_second": round(len(texts) / batch_cpu, 1),
        "cpu_median_ms": round(statistics.median(cpu), 3),
        "cpu_p95_ms": round(percentile(cpu, 0.95), 3),
        "calls": len(sample),
        "median_ms": round(statistics.median(with_model), 3),
        "p95_ms": round(percentile(with_model, 0.95), 3),
        "rules_only_median_ms": round(statistics.median(rules_only), 3),
        "model_only_median_ms": round(statistics.median(model_only), 3),
    }


def in_process_pure(inputs: Path, model_path: Path) -> dict[str, Any]:
    """`in_process` in a child process that runs the engine from its Python sources."""
    out = subprocess.run(
        pinned([sys.executable, __file__, "--in-process", str(inputs), str(model_path)]),
        env={**os.environ, PURE_ENV: "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout))


def snownlp_time(texts: list[str]) -> dict[str, Any]:
    from snownlp import SnowNLP

    SnowNLP(texts[0]).sentiments  # noqa: B018  (loads its model once, not timed)
    times = time_calls(lambda t: SnowNLP(t).sentiments, texts[:SNOWNLP_SAMPLE])
    return {"calls": len(times), "median_ms": round(statistics.median(times), 3)}


def format_comparison(model_path: Path, tmp: Path) -> dict[str, Any]:
    """The ADR's figures: start-up to first prediction, numpy .npz vs a joblib pickle."""
    pickled = tmp / "model.joblib"
    _pickle_equivalent(pickled)
    probe = "宽带天天断网，报修没人管"
    npz = (
        "from kesu.analysis.models import load_model as L;"
        f"print(L({str(model_path)!r}).predict([{probe!r}])[0].label)"
    )
    job = f"import joblib;m=joblib.load({str(pickled)!r});print(m['pipe'].predict([{probe!r}])[0])"
    return {
        "npz": {"bytes": model_path.stat().st_size, "start_to_prediction_s": _best_of(npz)},
        "joblib_sklearn": {"bytes": pickled.stat().st_size, "start_to_prediction_s": _best_of(job)},
    }


def _pickle_equivalent(path: Path) -> None:
    from functools import partial

    import joblib
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    from kesu.analysis.models import char_ngrams

    pairs = list(generate(1500, seed=99))
    pipe = make_pipeline(
        TfidfVectorizer(analyzer=partial(char_ngrams, max_n=4), min_df=2, sublinear_tf=True),
        CalibratedClassifierCV(LinearSVC(C=0.5, class_weight="balanced"), cv=3, ensemble=False),
    )
    pipe.fit([t for t, _ in pairs], [c for _, c in pairs])
    joblib.dump({"pipe": pipe}, path)


def _best_of(code: str, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(pinned([sys.executable, "-c", code]), check=True, capture_output=True, cwd=ROOT)
        best = min(best, time.perf_counter() - started)
    return round(best, 3)


def report(results: dict[str, Any]) -> None:
    cli10, cli50, proc = results["cli_small"], results["cli_large"], results["in_process"]
    small, large = results["lines"]["small"], results["lines"]["large"]
    flat = cli50["peak_rss_mb"] <= cli10["peak_rss_mb"] * 1.1 + 5
    results["memory_flat"] = flat
    rows = [
        (
            "analyze() median per complaint, with model (ms)",
            proc["median_ms"],
            f"≤ {TARGETS['median_ms']}",
            proc["median_ms"] <= TARGETS["median_ms"],
        ),
        ("analyze() p95 per complaint, with model (ms)", proc["p95_ms"], "—", None),
        (
            "analyze() CPU time median / p95 (ms)",
            f"{proc['cpu_median_ms']} / {proc['cpu_p95_ms']}",
            "—",
            None,
        ),
        (
            "  of which rules only / model only, median (ms)",
            f"{proc['rules_only_median_ms']} / {proc['model_only_median_ms']}",
            "—",
            None,
        ),
        (
            f"CLI throughput, {small} lines, 1 core (complaints/s)",
            cli10["per_second"],
            f"≥ {TARGETS['per_second']:.0f}",
            cli10["per_second"] >= TARGETS["per_second"],
        ),
        (f"CLI complaints per CPU-second, {small} lines", cli10["per_cpu_second"], "—", None),
        (
            "CLI first result from process start (s)",
            cli10["first_result_s"],
            f"≤ {TARGETS['first_result_s']}",
            cli10["first_result_s"] <= TARGETS["first_result_s"],
        ),
        (
            f"CLI peak RSS, {small} lines (MB)",
            cli10["peak_rss_mb"],
            f"≤ {TARGETS['memory_mb']:.0f}",
            cli10["peak_rss_mb"] <= TARGETS["memory_mb"],
        ),
        (
            f"CLI peak RSS, {large} lines (MB)",
            cli50["peak_rss_mb"],
            "flat",
            flat and cli50["peak_rss_mb"] <= TARGETS["memory_mb"],
        ),
        (
            f"CLI throughput, {large} lines (complaints/s)",
            cli50["per_second"],
            f"≥ {TARGETS['per_second']:.0f}",
            cli50["per_second"] >= TARGETS["per_second"],
        ),
        (
            "pure Python sources: analyze() median (ms)",
            results["pure"]["in_process"]["median_ms"],
            f"≤ {TARGETS['median_ms']}",
            results["pure"]["in_process"]["median_ms"] <= TARGETS["median_ms"],
        ),
        (
            f"pure Python sources: CLI throughput, {small} lines",
            results["pure"]["cli_small"]["per_second"],
            f"≥ {TARGETS['per_second']:.0f}",
            results["pure"]["cli_small"]["per_second"] >= TARGETS["per_second"],
        ),
        ("snownlp SnowNLP(t).sentiments median (ms)", results["snownlp"]["median_ms"], "—", None),
        ("  snownlp time / kesu analyze() time", results["snownlp_ratio"], "—", None),
        (
            "model alone, batches of 256 (complaints/CPU-s)",
            proc["model_only_batch_per_cpu_second"],
            "—",
            None,
        ),
    ]
    print(f"{'figure':52} {'measured':>14} {'target':>8}  result")
    for name, value, target, ok in rows:
        verdict = "" if ok is None else ("PASS" if ok else "FAIL")
        print(f"{name:52} {value!s:>14} {target:>8}  {verdict}")
    fmt = results["model_format"]
    for name, fig in fmt.items():
        print(
            f"model format {name:10}: {fig['bytes'] / 1e6:.2f} MB, start to first prediction {fig['start_to_prediction_s']} s"
        )
    print(f"load average during the run: {results['load_average']}")
    print(f"interpreter: {results['interpreter']}")
    print(f"engine: {results['engine']} (the figures above the two 'pure Python sources' rows)")


def engine_form() -> str:
    """Compiled (mypyc, ADR 0010) or the Python sources, and why."""
    from kesu.analysis import _native

    return ("compiled by mypyc" if _native.ACTIVE else "pure Python") + f" — {_native.status()[1]}"


def interpreter() -> str:
    """Which Python ran the figures: the same code runs 8–13 % faster on Debian's build (profile-
    guided, libpython linked in) than on pyenv's default one (shared libpython, no PGO/LTO):
    docs/decisions/0008-interpreter.md."""
    import sysconfig

    base = getattr(sys, "_base_executable", sys.executable)
    shared = "shared libpython" if sysconfig.get_config_var("Py_ENABLE_SHARED") else "static libpython"
    linked = (
        subprocess.run(["ldd", base], capture_output=True, text=True).stdout if shutil.which("ldd") else ""
    )
    if sysconfig.get_config_var("Py_ENABLE_SHARED") and "libpython" not in linked:
        shared = "libpython linked in"  # Debian: the library is shared, the executable static
    return f"Python {sys.version.split()[0]} ({Path(base).resolve()}; {shared})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, nargs=2, default=[10_000, 50_000], metavar=("SMALL", "LARGE"))
    parser.add_argument("--in-process", nargs=2, metavar=("INPUTS", "MODEL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_process:  # the child of `in_process_pure`
        inputs, model_path = args.in_process
        lines = Path(inputs).read_text(encoding="utf-8").splitlines()
        print(json.dumps(in_process([json.loads(line)["text"] for line in lines], Path(model_path))))
        return 0
    small, large = args.lines
    results: dict[str, Any] = {"cores_pinned": "0" if shutil.which("taskset") else "none", "targets": TARGETS}
    results["lines"] = {"small": small, "large": large}
    with tempfile.TemporaryDirectory(prefix="kesu-bench-") as name:
        tmp = Path(name)
        model = tmp / "category.npz"
        results["training"] = train_model(model)
        texts = write_inputs(tmp / "small.jsonl", small, seed=1)
        write_inputs(tmp / "large.jsonl", large, seed=2)
        results["cli_small"] = run_cli(tmp / "small.jsonl", model)
        results["cli_large"] = run_cli(tmp / "large.jsonl", model)
        results["in_process"] = in_process(texts, model)
        results["pure"] = {
            "cli_small": run_cli(tmp / "small.jsonl", model, pure=True),
            "in_process": in_process_pure(tmp / "small.jsonl", model),
        }
        results["snownlp"] = snownlp_time(texts)
        results["snownlp_ratio"] = round(
            results["snownlp"]["median_ms"] / results["in_process"]["median_ms"], 1
        )
        results["model_format"] = format_comparison(model, tmp)
    results["load_average"] = [round(x, 2) for x in os.getloadavg()]
    results["interpreter"] = interpreter()
    results["engine"] = engine_form()
    report(results)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"written {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
