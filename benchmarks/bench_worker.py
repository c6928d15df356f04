"""`make bench` (clock worker part): two `kesu worker` processes on 10,000 overdue clocks.

On PostgreSQL only (the workers claim batches with SELECT … FOR UPDATE SKIP LOCKED; SQLite runs
one worker): when `pg_isready -h 127.0.0.1` answers, the dedicated database `kesu_bench_worker`
is dropped and created again (no other database is touched), migrated, and seeded in bulk with N
cases (default 10,000) each holding one live decision clock that is already overdue — so every
clock crosses the 50, 80 and 100 % thresholds and every case is escalated on time (the heaviest
path). Then two `kesu worker --batch 200` start at once; the time until both exit is measured.

Checks: every clock handled exactly once (ClockMark rows = clocks × 3, no (clock, threshold)
twice, every clock's next check moved), one breach task per clock for the owner and one for the
supervisor, one time escalation per case. Target (issue 4): ≤ 10 s with two workers, none twice.
Writes bench-results/worker.json. `--cases 2000` for a quick run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench-results" / "worker.json"
KESU = str(Path(sys.executable).parent / "kesu")
PG_HOST, PG_USER, PG_DB = "127.0.0.1", "postgres", "kesu_bench_worker"
URL = f"postgres://{PG_USER}@{PG_HOST}:5432/{PG_DB}"
TARGET_S = 10.0
WORKERS, BATCH, THRESHOLDS = 2, 200, 3
BUSY_LOAD = 1.5


def pg_ready() -> bool:
    try:
        return subprocess.run(["pg_isready", "-h", PG_HOST], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"postgres://{PG_USER}@{PG_HOST}:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")


def setup_django() -> None:
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
    import django

    django.setup()


def seed(n: int) -> tuple[int, int]:
    """N cases across the demo units, each with one overdue decision clock due for the worker now.

    Returns (clocks, breach tasks expected: the owner, and the supervisors of the nearest unit with
    any — 华东分行's for its sub-branches, none above 朝阳支行 or at 总行)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from kesu.accounts.models import User
    from kesu.cases.models import Case, Complainant
    from kesu.clocks import compute, rules
    from kesu.clocks.models import CaseClock
    from kesu.clocks.selectors import calendar_for
    from kesu.clocks.specs import spec_to_dict
    from kesu.demo.builders import build_org, build_personas

    org = build_org()
    people = build_personas(org)
    places = [
        (org.east_pudong, people["handler"]),
        (org.east_xihu, people["specialist"]),
        (org.east, people["specialist"]),
        (org.north_chaoyang, people["outsider"]),
        (org.head, people["cpo"]),
    ]
    leads = [
        User.objects.filter(
            role="supervisor", unit_id__in=[int(x) for x in unit.path.strip("/").split("/")]
        ).count()
        for unit, _ in places
    ]
    expected_alerts = sum(1 + leads[i % len(places)] for i in range(n))
    spec = rules.builtin_rulesets()["banking_insurance"].spec("decision")
    assert spec is not None
    snapshot = spec_to_dict(spec)
    who = Complainant.objects.create(name="王测试", phone="13800001234")
    now = timezone.now()
    cal = calendar_for(None)
    with transaction.atomic():
        for start in range(0, n, 2000):
            cases = []
            for i in range(start, min(start + 2000, n)):
                unit, owner = places[i % len(places)]
                received = now - timedelta(days=40, minutes=i % 1440)
                cases.append(
                    Case(
                        number=f"BW{i:08d}",
                        intake_ref=f"BENCH-W{i:07d}",
                        status="in_progress",
                        unit=unit,
                        unit_path=unit.path,
                        received_by=owner,
                        owner=owner,
                        complainant=who,
                        industry="banking",
                        channel="phone",
                        received_at=received,
                        text="信用卡年费未告知即扣收，要求退还（性能测试数据）",
                    )
                )
            Case.objects.bulk_create(cases)
            clocks = []
            for case in cases:
                due, _ = compute.due_at(compute.ClockInput(spec=spec, started_at=case.received_at), cal)
                clocks.append(
                    CaseClock(
                        case=case,
                        key=spec.key,
                        name=spec.name,
                        spec=snapshot,
                        ruleset_key="banking_insurance",
                        started_at=case.received_at,
                        due_at=due,
                        state="running",
                        next_check_at=now - timedelta(seconds=1),
                    )
                )
            CaseClock.objects.bulk_create(clocks)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return CaseClock.objects.count(), expected_alerts


def postgres_cpu() -> float | None:
    """CPU seconds of the PostgreSQL server's finished backends (the postmaster's reaped children),
    when the server runs on this machine and /proc is readable; else None. Approximate: other
    sessions ending meanwhile count too."""
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        parent = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]
        fields = Path(f"/proc/{parent}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")  # cutime + cstime
    except (OSError, IndexError, ValueError):
        return None


def run_workers() -> tuple[float, float, list[str]]:
    """Wall seconds until both workers exit, their CPU seconds (user + system), their output."""
    from django.db import connections

    connections.close_all()
    env = {**os.environ, "DATABASE_URL": URL, "KESU_CONN_MAX_AGE": "0"}
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [KESU, "worker", "--batch", str(BATCH)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(WORKERS)
    ]
    outputs = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        if p.returncode != 0:
            raise SystemExit(f"worker failed ({p.returncode}):\n{err}")
        outputs.append(out.strip())
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime), outputs


def verify(clocks: int, cases: int, alerts: int, before: datetime) -> dict[str, Any]:
    from django.db.models import Count, Q

    from kesu.clocks.models import Alert, CaseClock, ClockMark
    from kesu.routing.models import Escalation

    marks = ClockMark.objects.count()
    twice = ClockMark.objects.values("clock", "threshold").annotate(n=Count("id")).filter(n__gt=1).count()
    short = (
        CaseClock.objects.annotate(n=Count("marks")).filter(~Q(n=THRESHOLDS)).count()
    )  # a clock handled partly or not at all
    stale = CaseClock.objects.filter(next_check_at__lte=before).count()
    per_worker = {
        row["worker"]: row["n"]
        for row in ClockMark.objects.values("worker")
        .annotate(n=Count("clock", distinct=True))
        .order_by("worker")
    }
    return {
        "marks": marks,
        "marks_expected": clocks * THRESHOLDS,
        "duplicate_marks": twice,
        "clocks_not_handled_fully": short,
        "clocks_not_advanced": stale,
        "breach_alerts": Alert.objects.filter(kind="clock_breach").count(),
        "breach_alerts_expected": alerts,
        "time_escalations": Escalation.objects.filter(rules="time").count(),
        "time_escalations_expected": cases,
        "clocks_per_worker": per_worker,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    args = parser.parse_args()
    print(f"== clock worker: {args.cases:,} overdue clocks, {WORKERS} workers × --batch {BATCH} (PostgreSQL)")
    if not pg_ready():
        print(
            f"SKIPPED: PostgreSQL not reachable at {PG_HOST}:5432 (pg_isready); the worker benchmark needs it."
        )
        return 0
    recreate_database()
    setup_django()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)
    t0 = time.perf_counter()
    clocks, alerts = seed(args.cases)
    print(f"seeded {args.cases:,} cases / {clocks:,} clocks in {time.perf_counter() - t0:.1f} s")
    before = timezone.now()
    load = os.getloadavg()[0]
    pg_before = postgres_cpu()
    seconds, cpu, outputs = run_workers()
    pg_after = postgres_cpu()
    pg_cpu = pg_after - pg_before if pg_before is not None and pg_after is not None else None
    result = verify(clocks, args.cases, alerts, before)
    exact = (
        result["marks"] == result["marks_expected"]
        and result["duplicate_marks"] == 0
        and result["clocks_not_handled_fully"] == 0
        and result["clocks_not_advanced"] == 0
        and result["breach_alerts"] == result["breach_alerts_expected"]
        and result["time_escalations"] == result["time_escalations_expected"]
    )
    ok = exact and seconds <= TARGET_S and len(result["clocks_per_worker"]) <= WORKERS
    result.update(
        {
            "cases": args.cases,
            "clocks": clocks,
            "seconds": round(seconds, 2),
            "clocks_per_s": round(clocks / seconds),
            "worker_cpu_s": round(cpu, 2),
            "postgres_cpu_s": round(pg_cpu, 2) if pg_cpu is not None else None,
            "load_before": round(load, 2),
        }
    )
    print(f"total {seconds:.2f} s for both workers to finish  ({clocks / seconds:,.0f} clocks/s)")
    print(
        f"  workers' CPU time {cpu:.2f} s (user + system, both processes incl. start-up); load average before {load:.2f}"
    )
    if pg_cpu is not None:
        print(
            f"  PostgreSQL backends' CPU time ≈ {pg_cpu:.2f} s (approximate: other sessions ending meanwhile count too)"
        )
    if load > BUSY_LOAD:
        print(
            f"  note: the machine was busy (load {load:.1f} on {os.cpu_count()} cores): the wall time is inflated"
        )
    for name, n in result["clocks_per_worker"].items():
        print(f"  worker {name}: {n:,} clocks")
    for out in outputs:
        print(f"  {out}")
    print(
        f"marks {result['marks']:,} / expected {result['marks_expected']:,}; duplicates {result['duplicate_marks']}; "
        f"not fully handled {result['clocks_not_handled_fully']}; not advanced {result['clocks_not_advanced']}; "
        f"breach tasks {result['breach_alerts']:,} / {result['breach_alerts_expected']:,}; "
        f"time escalations {result['time_escalations']:,} / {result['time_escalations_expected']:,}"
    )
    mark = "✓" if ok else "✗"
    print(
        f"{mark} target: {args.cases:,} due clocks in ≤ {TARGET_S:g} s with {WORKERS} workers, none handled twice"
    )
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps({**result, "target_s": TARGET_S, "ok": ok}, ensure_ascii=False, indent=2))
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
