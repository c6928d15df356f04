"""`kesu`: the one command-line entry point (contract.md, entry points).

The engine's commands (analyze, check-reply, train) need no database and import no Django;
the workbench's commands start Django only when called.
"""

from __future__ import annotations

import argparse
import os
import sys

from kesu.analysis.cli import add_commands


def _django(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kesu", *argv])
    return 0


def _workbench_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("manage", help="运行任意 Django 管理命令", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=lambda a: _django(a.rest))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kesu", description="kesu 客诉 — 投诉处理与消费者权益保护工作台")
    sub = parser.add_subparsers(dest="command", required=True)
    add_commands(sub)
    _workbench_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # `kesu analyze | head` is fine
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
