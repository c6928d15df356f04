"""The compiled build (ADR 0010) is used only when it was built from the sources as they are."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from kesu.analysis import _native

GOLDEN_TEXT = "我的信用卡被乱扣年费三千元，你们必须退钱，不然我就去银保监会投诉！电话13800001234"


def _run(env_extra: dict[str, str]) -> dict[str, object]:
    code = (
        "import json, kesu.analysis as k, kesu.analysis.scan as s, kesu.analysis.models as m\n"
        f"a = k.analyze(k.Complaint(text={GOLDEN_TEXT!r}))\n"
        "print(json.dumps({'active': k._native.ACTIVE, 'scan': s.__file__, 'models': m.__file__,"
        " 'result': a.to_dict()}, ensure_ascii=False))"
    )
    env = {**os.environ, **env_extra}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout)


def test_pure_python_is_forced_by_the_environment_and_gives_the_same_result(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv(_native.PURE_ENV, raising=False)
    pure = _run({_native.PURE_ENV: "1"})
    assert pure["active"] is False
    assert str(pure["scan"]).endswith("scan.py")
    default = _run({_native.PURE_ENV: ""})
    assert default["result"] == pure["result"]
    assert default["active"] is _native.status()[0]
    if default["active"]:
        assert not str(default["scan"]).endswith(".py")  # the extension module, not the source
    assert str(default["models"]).endswith("models.py")  # never compiled


def _manifest(tmp_path, **changes):  # type: ignore[no-untyped-def]
    manifest = {"ext_suffix": _native.ext_suffix(), "sources": _native.source_hashes(), **changes}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    for name in _native.COMPILED_MODULES:
        (tmp_path / f"{name}{_native.ext_suffix()}").write_bytes(b"")


@pytest.fixture
def build_dir(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(_native, "OUT_DIR", tmp_path)
    monkeypatch.setattr(_native, "MANIFEST", tmp_path / "manifest.json")
    monkeypatch.delenv(_native.PURE_ENV, raising=False)
    return tmp_path


def test_a_fresh_build_is_usable(build_dir) -> None:  # type: ignore[no-untyped-def]
    _manifest(build_dir)
    assert _native.status() == (True, "已编译（mypyc）")


def test_no_build_means_pure_python(build_dir) -> None:  # type: ignore[no-untyped-def]
    usable, why = _native.status()
    assert not usable and "make compile" in why


def test_a_source_edited_after_the_build_means_pure_python(build_dir) -> None:  # type: ignore[no-untyped-def]
    hashes = _native.source_hashes()
    hashes["scan.py"] = "0" * 64
    _manifest(build_dir, sources=hashes)
    usable, why = _native.status()
    assert not usable and "改动" in why


def test_a_build_for_another_interpreter_is_not_used(build_dir) -> None:  # type: ignore[no-untyped-def]
    _manifest(build_dir, ext_suffix=".cpython-399-x86_64-linux-gnu.so")
    usable, why = _native.status()
    assert not usable and "解释器" in why


def test_an_incomplete_build_is_not_used(build_dir) -> None:  # type: ignore[no-untyped-def]
    _manifest(build_dir)
    (build_dir / f"scan{_native.ext_suffix()}").unlink()
    usable, why = _native.status()
    assert not usable and "scan" in why


def test_activate_puts_a_usable_build_first_and_leaves_the_path_alone_otherwise(build_dir) -> None:  # type: ignore[no-untyped-def]
    path = ["/src/kesu/analysis"]
    before, sys_path = _native.ACTIVE, list(sys.path)
    try:
        assert _native.activate(path) is False
        assert path == ["/src/kesu/analysis"]
        _manifest(build_dir)
        assert _native.activate(path) is True
        assert path == [str(build_dir), "/src/kesu/analysis"]
        assert str(_native.LIB_DIR) in sys.path
    finally:
        _native.ACTIVE = before
        sys.path[:] = sys_path
