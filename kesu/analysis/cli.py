"""`kesu analyze`, `kesu check-reply`, `kesu train`: the engine's command line (contract.md).

JSON Lines in, JSON Lines out, in the same order. A bad line gets `{"id", "error"}` in its place
and the run goes on; the exit status is non-zero only when nothing at all could be read.

Output is written as UTF-8 bytes by orjson (compact, no blanks between tokens): the standard
library's encoder plus the text layer cost about 2.5 % of a complaint's analysis (ADR 0009).
Input is still read with the standard `json`, whose error messages the per-line errors quote.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import IO, Any

import orjson

from kesu.analysis.engine import analyze, analyze_many
from kesu.analysis.inputs import check_text, complaint_from_dict
from kesu.analysis.models import TextModel, load_model
from kesu.analysis.reply_check import check_reply
from kesu.analysis.types import Complaint, InputError

MAX_LINE_CHARS = 200_000


def add_commands(sub: Any) -> None:
    """Register the engine's sub-commands on the top-level `kesu` parser."""
    p = sub.add_parser("analyze", help="分析投诉（JSON Lines 标准输入 → 标准输出）")
    p.add_argument("--text", help="只分析这一段文字，输出格式化 JSON")
    p.add_argument("--model", action="append", default=[], metavar="NAME=MODEL", help="加入训练好的分类模型")
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser("check-reply", help="检查答复草稿（禁忌语、推诿、隐私泄露……）")
    p.add_argument("--text", help="只检查这一段答复，输出格式化 JSON")
    p.set_defaults(func=cmd_check_reply)

    p = sub.add_parser("train", help="训练任意标签字段的文本分类模型")
    p.add_argument("--data", required=True, help="JSON Lines 训练数据，每行含 text 与标签字段")
    p.add_argument("--label-field", required=True, help="标签字段名，如 category")
    p.add_argument("--out", required=True, help="模型保存路径")
    p.add_argument("--folds", type=int, default=5, help="交叉验证折数（默认 5）")
    p.set_defaults(func=cmd_train)


def _load_models(specs: list[str]) -> dict[str, TextModel]:
    models: dict[str, TextModel] = {}
    for spec in specs:
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            raise SystemExit(f"--model 格式应为 名称=模型文件，收到：{spec!r}")
        try:
            models[name] = load_model(path)
        except (OSError, ValueError) as exc:
            raise SystemExit(f"无法加载模型 {path}：{exc}") from exc
    return models


def _parse_line(line: str, number: int) -> Complaint | dict[str, Any]:
    """A Complaint, or the error object that takes this line's place in the output."""
    if len(line) > MAX_LINE_CHARS:
        return {"id": None, "line": number, "error": f"第 {number} 行过长（{len(line)} 字符），已跳过"}
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return {
            "id": None,
            "line": number,
            "error": f"第 {number} 行不是合法的 JSON：{exc.msg}（第 {exc.colno} 列）",
        }
    ident = data.get("id") if isinstance(data, dict) else None
    try:
        return complaint_from_dict(data)
    except InputError as exc:
        return {"id": ident, "line": number, "error": f"第 {number} 行：{exc}"}


def _lines(stream: IO[str]) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(stream, start=1):
        line = raw.strip()
        if line:
            yield number, line


def _stdin() -> IO[str]:
    """Standard input as UTF-8; undecodable bytes become U+FFFD and the line is then rejected."""
    return open(sys.stdin.fileno(), encoding="utf-8", errors="replace", closefd=False)


def _emit(obj: dict[str, Any], out: IO[bytes]) -> None:
    """One JSON Lines record: UTF-8, Chinese as is (never \\u escapes)."""
    try:
        out.write(orjson.dumps(obj, option=orjson.OPT_APPEND_NEWLINE))
    except orjson.JSONEncodeError:  # an input id orjson cannot write (an integer beyond 64 bits)
        out.write((json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8"))


def _pretty(obj: dict[str, Any]) -> None:
    """One object, indented, on standard output (the `--text` form)."""
    sys.stdout.flush()
    sys.stdout.buffer.write(orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))
    sys.stdout.buffer.flush()


def run_analyze_stream(
    stream: IO[str], out: IO[bytes], models: dict[str, TextModel], batch: int = 256
) -> int:
    """Analyse JSON Lines from `stream`; returns how many lines were analysed successfully."""
    ok = 0
    pending: list[Complaint | dict[str, Any]] = []

    def flush() -> None:
        nonlocal ok
        good = [p for p in pending if isinstance(p, Complaint)]
        results = iter(analyze_many(good, models, batch=len(good) or 1))
        for item in pending:
            if isinstance(item, Complaint):
                _emit(next(results).to_dict(), out)
                ok += 1
            else:
                _emit(item, out)
        out.flush()
        pending.clear()

    # The first lines go out one at a time so a caller sees a result at once; then batches, which
    # let trained models predict many texts per call (much faster).
    size = 1
    for number, line in _lines(stream):
        pending.append(_parse_line(line, number))
        if len(pending) >= size:
            flush()
            size = min(batch, size * 4)
    flush()
    return ok


def cmd_analyze(args: argparse.Namespace) -> int:
    models = _load_models(args.model)
    if args.text is not None:
        try:
            result = analyze(Complaint(text=check_text(args.text)), models)
        except InputError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 2
        _pretty(result.to_dict())
        return 0
    with _stdin() as stdin:
        ok = run_analyze_stream(stdin, sys.stdout.buffer, models)
    sys.stdout.buffer.flush()
    if ok == 0:
        print("错误：没有读到任何可分析的投诉（每行一个 JSON 对象，至少包含 text）", file=sys.stderr)
        return 1
    return 0


def cmd_check_reply(args: argparse.Namespace) -> int:
    if args.text is not None:
        try:
            text = check_text(args.text, what="答复内容")
        except InputError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 2
        _pretty(check_reply(text).to_dict())
        return 0
    ok = 0
    with _stdin() as stdin:
        lines = list(_lines(stdin))
    for number, line in lines:
        ident = None
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise InputError('每行应为一个 JSON 对象，例如 {"id": "r1", "text": "……"}')
            ident = data.get("id")
            text = check_text(data.get("text"), what="答复内容")
        except (json.JSONDecodeError, InputError) as exc:
            _emit({"id": ident, "line": number, "error": f"第 {number} 行：{exc}"}, sys.stdout.buffer)
            continue
        _emit(check_reply(text, id=str(ident) if ident is not None else None).to_dict(), sys.stdout.buffer)
        ok += 1
    sys.stdout.buffer.flush()
    if ok == 0:
        print("错误：没有读到任何可检查的答复", file=sys.stderr)
        return 1
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from kesu.analysis.training import train_command

    return train_command(data=args.data, label_field=args.label_field, out=args.out, folds=args.folds)
