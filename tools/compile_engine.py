"""Compile the analysis engine's hot modules with mypyc (ADR 0010): `make compile`.

Builds the modules of `kesu/analysis/_native.py:COMPILED_MODULES` from their unchanged sources
into `kesu/analysis/_compiled/` (ignored by git) and writes the manifest that `_native.activate()`
checks. Needs mypy (a development dependency) and a C compiler with the Python headers. When the
build fails, the old build is removed and the engine runs from its Python sources: exit 0 with a
notice, unless `--strict`.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "kesu" / "analysis"


def _native() -> ModuleType:
    """`kesu/analysis/_native.py` alone, without importing the package (which would activate it)."""
    spec = importlib.util.spec_from_file_location("_kesu_native_build", PKG / "_native.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_SETUP = """
import sys
from setuptools import setup
from mypyc.build import mypycify
paths, group, out, temp = sys.argv[1].split(","), sys.argv[2], sys.argv[3], sys.argv[4]
setup(
    name="kesu-analysis-native",
    ext_modules=mypycify(paths, opt_level="3", group_name=group, target_dir=temp),
    script_args=["build_ext", "--build-lib", out, "--build-temp", temp],
)
"""


def build(native: ModuleType, quiet: bool) -> None:
    paths = [f"kesu/analysis/{name}.py" for name in native.COMPILED_MODULES]
    suffix = native.ext_suffix()
    with tempfile.TemporaryDirectory(prefix="kesu-mypyc-") as tmp:
        out, temp = Path(tmp) / "out", Path(tmp) / "temp"
        subprocess.run(
            [sys.executable, "-c", _SETUP, ",".join(paths), native.GROUP, str(out), str(temp)],
            cwd=ROOT,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},  # setuptools' notices about pyproject
            check=True,
            stdout=subprocess.DEVNULL if quiet else None,
        )
        staged = Path(tmp) / "staged"
        (staged / "lib").mkdir(parents=True)
        for name in native.COMPILED_MODULES:
            shutil.copy2(out / "kesu" / "analysis" / f"{name}{suffix}", staged / f"{name}{suffix}")
        shutil.copy2(
            out / f"{native.GROUP}__mypyc{suffix}", staged / "lib" / f"{native.GROUP}__mypyc{suffix}"
        )
        manifest = {
            "ext_suffix": suffix,
            "python": sys.version.split()[0],
            "sources": native.source_hashes(),
        }
        (staged / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        shutil.rmtree(native.OUT_DIR, ignore_errors=True)
        shutil.copytree(staged, native.OUT_DIR)


def main() -> int:
    parser = argparse.ArgumentParser(description="Compile the analysis engine with mypyc (ADR 0010)")
    parser.add_argument("--strict", action="store_true", help="fail when the build fails")
    parser.add_argument("--verbose", action="store_true", help="show the compiler's output")
    args = parser.parse_args()
    native = _native()
    if native.status()[0]:
        print("kesu.analysis: compiled build is up to date")
        return 0
    print(f"kesu.analysis: compiling {len(native.COMPILED_MODULES)} modules with mypyc (about a minute) …")
    try:
        build(native, quiet=not args.verbose)
    except (OSError, subprocess.CalledProcessError, KeyError) as exc:
        shutil.rmtree(native.OUT_DIR, ignore_errors=True)
        print(f"kesu.analysis: mypyc build failed ({exc}); the engine runs from its Python sources")
        return 1 if args.strict else 0
    usable, why = native.status()
    print(f"kesu.analysis: {why}")
    return 0 if usable or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
