"""Two worker processes at once on PostgreSQL: every due clock handled by exactly one of them.

Runs only when the suite runs on PostgreSQL (DATABASE_URL=postgres://…): the workers are real
`kesu worker` processes pointed at the test database, so the data must be committed
(transaction=True). On SQLite (one writer at a time) only one worker is supported: skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from kesu.accounts.models import User
from kesu.cases.models import Case
from kesu.clocks.models import Alert, CaseClock, ClockMark
from kesu.demo.builders import build_case
from kesu.routing.models import Escalation

KESU = str(Path(sys.executable).parent / "kesu")
CASES = 30
THRESHOLDS = 3  # 50, 80, 100: every clock below is overdue


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_handle_a_clock_twice(people: dict[str, User]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("两个并发 worker 需要 PostgreSQL（SKIP LOCKED）；SQLite 只支持单个 worker")
    received = timezone.now() - timedelta(days=40)
    with time_machine.travel(received, tick=False):
        cases = [build_case(people["handler"], received_at=received) for _ in range(CASES)]
    clocks = CaseClock.objects.filter(case__in=cases, ended="")
    assert clocks.count() == CASES * 2  # the decision and the first contact, both overdue
    env = {**os.environ, "DATABASE_URL": _database_url(), "KESU_CONN_MAX_AGE": "0"}
    workers = [
        subprocess.Popen(
            [KESU, "worker", "--batch", "50"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    for w in workers:
        _, err = w.communicate(timeout=120)
        assert w.returncode == 0, err.decode()
    n_clocks = clocks.count()
    assert ClockMark.objects.count() == n_clocks * THRESHOLDS
    assert not ClockMark.objects.values("clock", "threshold").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert len(set(ClockMark.objects.values_list("worker", flat=True))) <= 2
    assert not clocks.exclude(next_check_at=None).exists() and not clocks.filter(breached_at=None).exists()
    # One breach task per clock for the owner and for the supervisor; one time escalation per case.
    assert Alert.objects.filter(kind="clock_breach").count() == n_clocks * 2
    assert Alert.objects.filter(kind="clock_warning").count() == 0
    assert Escalation.objects.filter(rules="time").count() == CASES
    assert set(
        Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("escalation_level", flat=True)
    ) == {2}
