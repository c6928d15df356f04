from typing import Any

from django.core.management.base import BaseCommand

from kesu.demo.seed import logins, seed_demo


class Command(BaseCommand):
    help = "创建演示机构、用户和约 200 件投诉（可重复运行，已有的不会重复创建）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--count", type=int, default=200, help="演示投诉件数（默认 200）")

    def handle(self, *args: Any, **options: Any) -> None:
        result = seed_demo(options["count"])
        self.stdout.write(f"新建演示投诉 {result['created']} 件，已存在 {result['existing']} 件。")
        self.stdout.write(logins())
