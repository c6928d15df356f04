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


def _serve(a: argparse.Namespace) -> int:
    """The web server: Django's development server while KESU_DEBUG is on (the default), the
    waitress WSGI server when it is off (production). Unless --no-worker, the clock worker runs
    in a background thread (every 60 s)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
    import django
    from django.conf import settings

    django.setup()
    if not a.no_worker and not a.reload:
        from kesu.clocks.worker import start_in_background

        start_in_background(interval=60.0)
    if settings.DEBUG:
        return _django(["runserver", f"{a.host}:{a.port}", *([] if a.reload else ["--noreload"])])
    import waitress

    from kesu.wsgi import application

    print(f"kesu 工作台（生产模式，waitress）：http://{a.host}:{a.port}/", flush=True)
    waitress.serve(application, host=a.host, port=a.port, threads=8, ident="kesu")
    return 0


def _workbench_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("manage", help="运行任意 Django 管理命令", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=lambda a: _django(a.rest))

    p = sub.add_parser("serve", help="启动工作台网站与 JSON API")
    p.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    p.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    p.add_argument("--reload", action="store_true", help="代码改动后自动重启（开发用）")
    p.add_argument(
        "--no-worker",
        action="store_true",
        help="不在网站进程内运行时限后台任务（生产环境另行运行 kesu worker --loop）",
    )
    p.set_defaults(func=_serve)

    p = sub.add_parser("seed-demo", help="创建演示机构、用户和约 200 件投诉（可重复运行）")
    p.add_argument("--count", type=int, default=200)
    p.set_defaults(func=lambda a: _django(["seed_demo", "--count", str(a.count)]))

    p = sub.add_parser("worker", help="时限后台任务：预警、超期记录、承诺日提醒、按时限升级")
    p.add_argument("--loop", action="store_true", help="持续运行（默认处理完到期任务即退出）")
    p.add_argument("--interval", type=float, default=30.0, help="持续运行时的检查间隔（秒，默认 30）")
    p.add_argument("--batch", type=int, default=200, help="每批领取的时限数（默认 200）")
    p.set_defaults(
        func=lambda a: _django(
            [
                "clock_worker",
                "--interval",
                str(a.interval),
                "--batch",
                str(a.batch),
                *(["--loop"] if a.loop else []),
            ]
        )
    )

    p = sub.add_parser("token", help="API 令牌")
    token_sub = p.add_subparsers(dest="token_command", required=True)
    p = token_sub.add_parser("create", help="为用户创建 API 令牌（只显示一次）")
    p.add_argument("--username", required=True)
    p.add_argument("--name", default="", help="用途说明")
    p.set_defaults(func=lambda a: _django(["token_create", "--username", a.username, "--name", a.name]))


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
