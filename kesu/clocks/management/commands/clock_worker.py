"""`kesu worker`: handle due clocks once (default) or keep watching (`--loop`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kesu.clocks.worker import run


class Command(BaseCommand):
    help = "时限后台任务：预警、超期记录、承诺日提醒、按时限升级"
    # The system checks import every view (web, API, exports): seconds per start for nothing the
    # worker uses. `kesu manage check` and the web server still run them.
    requires_system_checks: list[str] = []  # noqa: RUF012

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--interval", type=float, default=30.0)
        parser.add_argument("--batch", type=int, default=200)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"] < 1 or options["interval"] <= 0:
            self.stderr.write("--batch 须为正整数，--interval 须大于 0")
            raise SystemExit(2)
        total = run(loop=options["loop"], interval=options["interval"], batch=options["batch"])
        self.stdout.write(f"已处理 {total} 个到期时限")
