"""The engine's compiled form: its hot modules built by mypyc from these very sources (ADR 0010).

`tools/compile_engine.py` (run by `make install` / `make compile`) compiles the modules listed in
`COMPILED_MODULES` into `kesu/analysis/_compiled/`, with a manifest of the sources' SHA-256 and
the interpreter's extension suffix. `activate()`, called first thing by `kesu/analysis/__init__.py`,
puts that folder ahead of the sources on the package's search path only when every hash and the
suffix still match; otherwise — no build, a source edited since, another interpreter, or
`KESU_PURE_PYTHON=1` — the engine runs from its Python sources, with the same results.

This module is never compiled itself, and must import nothing from the package.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import sysconfig
from collections.abc import MutableSequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT_DIR = HERE / "_compiled"
LIB_DIR = OUT_DIR / "lib"  # mypyc's shared library, a top-level module, kept off the package folder
MANIFEST = OUT_DIR / "manifest.json"
GROUP = "kesu_analysis_native"
PURE_ENV = "KESU_PURE_PYTHON"

# The modules `analyze()` spends its time in. Not compiled: this module and `__init__`, the model
# predictor (numpy does its work), training (scikit-learn), the command line and pretty-printer.
COMPILED_MODULES = (
    "amounts",
    "context",
    "cue_features",
    "customer",
    "demands",
    "dimensions",
    "doc",
    "emotion",
    "engine",
    "entities",
    "industry",
    "inputs",
    "lexicon",
    "pii",
    "rights",
    "risk",
    "risk_level",
    "scan",
    "summary",
    "types",
)

ACTIVE = False
"""Whether this process runs the compiled modules (set by `activate`)."""


def source_hashes() -> dict[str, str]:
    """SHA-256 of every compiled module's source, by file name."""
    return {
        f"{name}.py": hashlib.sha256((HERE / f"{name}.py").read_bytes()).hexdigest()
        for name in COMPILED_MODULES
    }


def ext_suffix() -> str:
    return str(sysconfig.get_config_var("EXT_SUFFIX") or "")


def status() -> tuple[bool, str]:
    """Whether the compiled build can be used, and why not (in Chinese) when it cannot."""
    if os.environ.get(PURE_ENV, "") not in ("", "0"):
        return False, f"已设置 {PURE_ENV}，使用纯 Python 源码"
    try:
        manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False, "未编译（运行 make compile 可编译引擎）"
    if manifest.get("ext_suffix") != ext_suffix():
        return False, "编译产物属于另一个 Python 解释器，使用纯 Python 源码"
    if manifest.get("sources") != source_hashes():
        return False, "源码在编译后有改动，使用纯 Python 源码（运行 make compile 重新编译）"
    missing = [n for n in COMPILED_MODULES if not (OUT_DIR / f"{n}{ext_suffix()}").is_file()]
    if missing:
        return False, f"编译产物不完整（缺少 {', '.join(missing)}），使用纯 Python 源码"
    return True, "已编译（mypyc）"


def activate(package_path: MutableSequence[str]) -> bool:
    """Put the compiled modules ahead of the sources when they were built from these sources."""
    global ACTIVE
    usable, _ = status()
    if usable and str(OUT_DIR) not in package_path:
        package_path.insert(0, str(OUT_DIR))
        if str(LIB_DIR) not in sys.path:
            sys.path.append(str(LIB_DIR))
    ACTIVE = usable
    return usable
