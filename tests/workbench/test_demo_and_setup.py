"""Demo data, command line and settings: what a newcomer runs first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from kesu.accounts.models import User
from kesu.cases.models import Case, CaseEvent
from kesu.demo.complaints import demo_complaints
from kesu.demo.seed import seed_demo

ROOT = Path(__file__).resolve().parents[2]


def test_demo_complaints_are_varied_fictitious_and_deterministic() -> None:
    items = demo_complaints(200)
    assert items == demo_complaints(200)
    assert len({c.text for c in items}) == 200
    assert {c.industry for c in items} == {
        "banking",
        "insurance",
        "securities",
        "telecom",
        "ecommerce",
        "general",
    }
    assert len({c.channel for c in items}) >= 8
    assert all(c.phone.startswith("1380000") for c in items)
    assert len({c.phone for c in items}) < 200  # some complainants come back: they have a history


def test_seed_demo_is_idempotent_and_prints_logins(db: Any, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("seed_demo", "--count", "24")
    out = capsys.readouterr().out
    assert "kesu-demo" in out and "outsider" in out and "新建演示投诉 24 件" in out
    counts = (Case.objects.count(), CaseEvent.objects.count(), User.objects.count())
    call_command("seed_demo", "--count", "24")
    assert (Case.objects.count(), CaseEvent.objects.count(), User.objects.count()) == counts
    assert "新建演示投诉 0 件" in capsys.readouterr().out
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"received", "in_progress", "resolved", "callback_done", "closed", "withdrawn"} <= statuses
    assert Case.objects.filter(transfer_to__isnull=False).exists()
    assert User.objects.get(username="outsider").check_password("kesu-demo")


def test_outsider_sees_only_the_other_branch_in_demo(db: Any) -> None:
    from kesu.cases.selectors import visible_cases

    seed_demo(10)
    outsider = User.objects.get(username="outsider")
    assert {c.unit.code for c in visible_cases(outsider)} == {"north-chaoyang"}


def test_token_create_prints_the_token_once(db: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from kesu.accounts.services import token_authenticate
    from kesu.demo.builders import build_personas

    build_personas()
    call_command("token_create", "--username", "handler")
    raw = capsys.readouterr().out.strip()
    user = token_authenticate(raw)
    assert user is not None and user.username == "handler"


def test_cli_offers_the_workbench_commands_without_importing_django() -> None:
    code = (
        "import sys, kesu.cli; p = kesu.cli.build_parser(); "
        "a = p.parse_args(['serve', '--host', '0.0.0.0', '--port', '9000']); "
        "b = p.parse_args(['token', 'create', '--username', 'u']); p.parse_args(['seed-demo']); "
        "print(a.host, a.port, b.username, any(m.startswith('django') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["0.0.0.0", "9000", "u", "False"]


def _settings_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KESU_")}
    return {**env, **extra}


def test_production_without_secret_key_fails_loudly() -> None:
    env = _settings_env(KESU_DEBUG="0")
    out = subprocess.run([sys.executable, "-c", "import kesu.settings"], capture_output=True, text=True, env=env,
                         cwd=ROOT)  # fmt: skip
    assert out.returncode != 0 and "KESU_SECRET_KEY" in out.stderr


def test_settings_defaults_and_database_url() -> None:
    code = "import kesu.settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.TIME_ZONE, s.LANGUAGE_CODE)"
    env = _settings_env(
        DATABASE_URL="postgres://u@127.0.0.1:5432/x", KESU_DEBUG="0", KESU_SECRET_KEY="s" * 50
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    assert out.stdout.split() == ["False", "django.db.backends.postgresql", "Asia/Shanghai", "zh-hans"]
    env = _settings_env()
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    assert out.stdout.split()[:2] == ["True", "django.db.backends.sqlite3"]


def test_models_and_migrations_agree(db: Any) -> None:
    # A model change without its migration would break every fresh install.
    call_command("makemigrations", "accounts", "cases", "--check", "--dry-run", verbosity=0)
