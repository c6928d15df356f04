from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kesu.accounts.models import User
from kesu.accounts.services import token_create


class Command(BaseCommand):
    help = "为用户创建一个 API 令牌并只显示这一次（库中只保存其哈希）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--name", default="", help="用途说明")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"用户 {options['username']} 不存在")
        raw = token_create(user=user, name=options["name"])
        self.stderr.write("令牌只显示这一次，请妥善保存（请求头：Authorization: Bearer <令牌>）：")
        self.stdout.write(raw)
