"""`make bench` (workbench part): the case list and saving a complaint with 100,000 cases.

For each database in turn — SQLite (a fresh file in a temporary folder) and PostgreSQL when
`pg_isready -h 127.0.0.1` answers (a dedicated database `kesu_bench`, or `$KESU_BENCH_PG_DB`,
created and dropped here; no other database is touched) — a subprocess with its own `DATABASE_URL` runs `migrate`,
`seed-demo` and `seed_bench --cases N` (timed), then VACUUM ANALYZE on PostgreSQL, then a second
subprocess measures SERVER time in process with Django's test client (no network):

  * `/cases/` for each list view and a few filters (status, level, channel, a Chinese search, a
    date range) and a deep page, as a handler and as a supervisor, after one warm-up request each;
  * saving a new complaint: POST `/cases/new/` with varied invented texts of 100–300 characters
    (benchmarks/corpus.py), analysis included (it runs inside `case_open`);
  * `GET /api/v1/cases` for comparison.

Targets (the issue): list ≤ 150 ms p95, save ≤ 100 ms p95, per database. The slowest SQL of each
list kind is recorded, with its plan when it alone takes over 50 ms. Prints a table, writes
bench-results/workbench.json. `--cases 2000` for a quick run; `--database sqlite|postgresql` for
one database; `--saves 0` for the lists only; `--reuse DATABASE_URL` to measure a database seeded
earlier (e.g. `kesu manage seed_bench` once, then measure after each change).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench-results" / "workbench.json"
BIN = Path(sys.executable).parent
KESU = str(BIN / "kesu")
PG_HOST, PG_USER = "127.0.0.1", "postgres"
TARGETS = {"list_p95_ms": 150.0, "save_p95_ms": 100.0}
SEED_WARN_S = 180.0
BUSY_LOAD = 1.5
LIST_REPEATS, SAVES, SLOW_SQL_MS = 10, 200, 50.0


def load() -> float:
    return os.getloadavg()[0]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def summary(ms: list[float]) -> dict[str, Any]:
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(pct(ms, 0.95), 1),
        "max_ms": round(max(ms), 1),
    }


# ---- the measuring subprocess (Django configured from DATABASE_URL) -----------------------------


def list_urls(cases: int) -> dict[str, str]:
    """Kind → query string of /cases/ (the view defaults to the user's own: mine or unit)."""
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    deep = max(2, cases // 250)  # page 400 at 100,000 cases; past the end shows the last page
    return {
        "view=mine": "view=mine",
        "view=unit": "view=unit",
        "view=due_soon": "view=due_soon",
        "view=overdue": "view=overdue",
        "view=escalated": "view=escalated",
        "filter status": "view=unit&status=in_progress",
        "filter level": "view=unit&level=major",
        "filter channel": "view=unit&channel=phone",
        "search q=年费": "view=unit&q=年费",
        "filter dates": f"view=unit&received_from={today - timedelta(days=60)}&received_to={today}",
        "deep page": f"view=unit&page={deep}",
    }


def slowest_sql(client: Any, url: str) -> dict[str, Any]:
    """The request's queries: total time and the slowest statement (with its plan if slow)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    queries = [(float(q["time"]) * 1000, q["sql"]) for q in ctx.captured_queries]
    ms, sql = max(queries) if queries else (0.0, "")
    out = {
        "queries": len(queries),
        "sql_ms": round(sum(t for t, _ in queries), 1),
        "slowest_ms": round(ms, 1),
    }
    if ms >= SLOW_SQL_MS:
        out["slowest_sql"] = sql
        out["plan"] = explain(sql)
    return out


def explain(sql: str) -> str:
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    try:
        with connection.cursor() as cur:
            cur.execute(prefix + sql)
            return "\n".join(" ".join(str(c) for c in row) for row in cur.fetchall())
    except Exception as exc:  # a plan is a help, not a requirement
        return f"(no plan: {exc})"


def measure_lists(cases: int) -> dict[str, Any]:
    from django.test import Client

    from kesu.accounts.models import User

    urls = list_urls(cases)
    times: dict[str, list[float]] = {k: [] for k in urls}
    sql: dict[str, dict[str, Any]] = {}
    for username in ("handler", "supervisor"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for kind, query in urls.items():
            url = f"/cases/?{query}"
            response = client.get(url)  # warm-up (and a check that the page works)
            assert response.status_code == 200, (url, response.status_code)
            for _ in range(LIST_REPEATS):
                started = time.perf_counter()
                client.get(url)
                times[kind].append((time.perf_counter() - started) * 1000)
            sql[f"{username} {kind}"] = slowest_sql(client, url)
    every = [t for ms in times.values() for t in ms]
    return {
        "overall": summary(every),
        "kinds": {k: summary(v) for k, v in times.items()},
        "sql": sql,
    }


def complaint_posts(n: int) -> list[dict[str, str]]:
    """Varied intake forms: invented texts, channels, industries; a few repeat complainants."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from corpus import generate

    from kesu.cases.models import CHANNELS

    channels = [c for c in CHANNELS if c != "regulator_transfer"]
    industries = ("banking", "insurance", "securities", "banking")
    posts = []
    for i, (text, category) in enumerate(generate(n, seed=20261122)):
        phone = f"1390000{i % (n // 4 + 1):04d}" if i % 5 == 0 else f"1380{i:07d}"
        posts.append(
            {
                "text": text,
                "request": "请尽快核实处理并给出书面答复",
                "product": category,
                "respondent": "浦东支行" if i % 2 else "客服中心",
                "complainant_name": f"测试客户{i}",
                "complainant_phone": phone,
                "channel": channels[i % len(channels)],
                "industry": industries[i % len(industries)],
                "received_at": "",  # filled at post time
                "duplicate_choice": "new",  # a repeat complainant: 仍作为新投诉登记
            }
        )
    return posts


def measure_saves(n: int) -> dict[str, Any]:
    from django.test import Client
    from django.utils import timezone

    from kesu.accounts.models import User
    from kesu.cases.models import Case

    client = Client()
    client.force_login(User.objects.get(username="handler"))
    before = Case.objects.count()
    posts = complaint_posts(n + 5)
    times = []
    for i, form in enumerate(posts):
        form["received_at"] = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        started = time.perf_counter()
        response = client.post("/cases/new/", form)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 302, (response.status_code, response.content[:2000])
        if i >= 5:  # the first few warm up caches and the analysis engine
            times.append(elapsed)
    saved = Case.objects.count() - before
    return {**summary(times), "saved": saved, "text_chars": [min(map(len, (p["text"] for p in posts))),
            max(map(len, (p["text"] for p in posts)))]}  # fmt: skip


def measure_api() -> dict[str, Any]:
    from django.test import Client

    from kesu.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="supervisor"))
    assert client.get("/api/v1/cases").status_code == 200
    times = []
    for _ in range(5):
        started = time.perf_counter()
        client.get("/api/v1/cases")
        times.append((time.perf_counter() - started) * 1000)
    return summary(times)


def measure(cases: int, saves: int) -> None:
    """Runs inside the subprocess; prints one JSON line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
    import django

    django.setup()
    from django.db import connection

    from kesu.cases.models import Case

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")  # what autovacuum does soon after a bulk load
    result = {
        "vendor": connection.vendor,
        "cases_in_db": Case.objects.count(),
        "list": measure_lists(cases),
        "api_list": measure_api(),
        "save": measure_saves(saves) if saves else None,
    }
    print("RESULT " + json.dumps(result, ensure_ascii=False))


# ---- the driver ----------------------------------------------------------------------------------


def bench_env(url: str, tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        KESU_DEBUG="0",
        KESU_SECRET_KEY="bench-only-" + "x" * 40,
        KESU_ALLOWED_HOSTS="testserver",
        KESU_SECURE_COOKIES="0",
        KESU_MEDIA_ROOT=str(tmp / "media"),
        KESU_CONN_MAX_AGE="0",
    )
    return env


def run(cmd: list[str], env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def prepare(env: dict[str, str], tmp: Path, cases: int) -> dict[str, float]:
    started = time.perf_counter()
    run([KESU, "manage", "migrate", "--noinput"], env, tmp)
    run([KESU, "seed-demo"], env, tmp)
    migrated = time.perf_counter()
    run([KESU, "manage", "seed_bench", "--cases", str(cases)], env, tmp)
    seeded = time.perf_counter()
    return {"migrate_and_demo_s": round(migrated - started, 1), "seed_s": round(seeded - migrated, 1)}


def bench_database(
    name: str, url: str, tmp: Path, cases: int, saves: int, *, reuse: bool = False
) -> dict[str, Any]:
    env, load_before = bench_env(url, tmp), round(load(), 2)
    if reuse:  # a database seeded earlier (by this script's steps): bring it up to date only
        print(f"[{name}] migrate (reusing the seeded database) …", flush=True)
        run([KESU, "manage", "migrate", "--noinput"], env, tmp)
        timings = {"migrate_and_demo_s": 0.0, "seed_s": 0.0}
    else:
        print(f"[{name}] migrate, seed-demo, seed_bench --cases {cases} …", flush=True)
        timings = prepare(env, tmp, cases)
        print(f"[{name}] seeded {cases} cases in {timings['seed_s']} s; measuring …", flush=True)
    cmd = [sys.executable, __file__, "--measure", "--cases", str(cases), "--saves", str(saves)]
    out = run(cmd, env, tmp)
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    return {
        "database": name,
        "load_before": load_before,
        "load_after": round(load(), 2),
        **timings,
        **json.loads(line[7:]),
    }


def pg_available() -> bool:
    if not shutil.which("pg_isready") or not shutil.which("createdb"):
        return False
    return subprocess.run(["pg_isready", "-q", "-h", PG_HOST], check=False).returncode == 0


def bench_postgres(tmp: Path, cases: int, saves: int) -> dict[str, Any]:
    base, pg_db = ["-h", PG_HOST, "-U", PG_USER], os.environ.get("KESU_BENCH_PG_DB", "kesu_bench")
    subprocess.run(["dropdb", *base, "--if-exists", pg_db], check=True)
    subprocess.run(["createdb", *base, pg_db], check=True)
    try:
        url = f"postgres://{PG_USER}@{PG_HOST}:5432/{pg_db}"
        return bench_database("PostgreSQL", url, tmp, cases, saves)
    finally:
        subprocess.run(["dropdb", *base, "--if-exists", pg_db], check=False)


def verdict(measured: float, target: float) -> str:
    return "pass" if measured <= target else "FAIL"


def table(results: list[dict[str, Any]]) -> list[str]:
    lines = [f"{'database':<11} {'figure':<38} {'target':>9} {'measured':>10}  result"]
    for r in results:
        lst, save, db = r["list"]["overall"], r["save"], r["database"]
        rows = [
            ("case list p95 (server)", f"≤ {TARGETS['list_p95_ms']:.0f} ms", lst["p95_ms"], TARGETS["list_p95_ms"]),
            ("save complaint p95 (with analysis)", f"≤ {TARGETS['save_p95_ms']:.0f} ms", save["p95_ms"],
             TARGETS["save_p95_ms"]) if save else None,
            ("seed_bench duration", f"≤ {SEED_WARN_S:.0f} s", r["seed_s"], SEED_WARN_S),
        ]  # fmt: skip
        for figure, target, value, limit in filter(None, rows):
            lines.append(f"{db:<11} {figure:<38} {target:>9} {value:>10}  {verdict(value, limit)}")
        lines.append(f"{db:<11} {'case list p50 / max':<38} {'':>9} {lst['p50_ms']:>5} / {lst['max_ms']}")
        if save:
            lines.append(f"{db:<11} {'save p50 / max':<38} {'':>9} {save['p50_ms']:>5} / {save['max_ms']}")
        api = r["api_list"]
        lines.append(f"{db:<11} {'GET /api/v1/cases p50 (comparison)':<38} {'':>9} {api['p50_ms']:>10}")
    return lines


def kinds_table(r: dict[str, Any]) -> list[str]:
    lines = [f"  {r['database']}: /cases/ by kind (handler + supervisor, ms)  p50 / p95 / max"]
    for kind, s in r["list"]["kinds"].items():
        lines.append(f"    {kind:<16} {s['p50_ms']:>7} {s['p95_ms']:>7} {s['max_ms']:>7}")
    for who, s in r["list"]["sql"].items():
        if "slowest_sql" in s:
            lines.append(f"    slow SQL ({who}): {s['slowest_ms']} ms: {s['slowest_sql'][:300]}")
    return lines


def run_all(
    cases: int, saves: int, databases: str = "both", reuse: str = ""
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Each database in turn; one that fails is reported and the others still run. `reuse`: the
    URL of a database seeded earlier, measured as it is (nothing created or dropped)."""
    results, failed = [], []
    with tempfile.TemporaryDirectory(prefix="kesu-wbench-") as name:
        tmp = Path(name)
        jobs = []
        if reuse:
            db = "PostgreSQL" if reuse.startswith("postgres") else "SQLite"
            jobs.append((db, lambda: bench_database(db, reuse, tmp, cases, saves, reuse=True)))
        if not reuse and databases in ("both", "sqlite"):
            sqlite_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
            jobs.append(("SQLite", lambda: bench_database("SQLite", sqlite_url, tmp, cases, saves)))
        if not reuse and databases in ("both", "postgresql"):
            if pg_available():
                jobs.append(("PostgreSQL", lambda: bench_postgres(tmp, cases, saves)))
            else:
                print("PostgreSQL not reachable (pg_isready -h 127.0.0.1): skipped", flush=True)
        for db, job in jobs:
            try:
                results.append(job())
            except SystemExit as exc:
                print(f"[{db}] FAILED: {str(exc)[-1500:]}", flush=True)
                failed.append({"database": db, "error": str(exc)[-4000:]})
    return results, failed


def drive(cases: int, saves: int, databases: str = "both", reuse: str = "") -> None:
    started_load = load()
    results, failed = run_all(cases, saves, databases, reuse)
    ended_load = load()
    print()
    for r in results:
        print("\n".join(kinds_table(r)))
    print()
    print("\n".join(table(results)))
    print(
        f"\nload average (1 min): {started_load:.2f} at start, {ended_load:.2f} at end, {os.cpu_count()} cores"
    )
    if max(started_load, ended_load) > BUSY_LOAD:
        print(f"NOTE: load above {BUSY_LOAD} — the machine was busy; the figures are pessimistic.")
    for r in results:
        if r["seed_s"] > SEED_WARN_S:
            print(
                f"NOTE: seeding {cases} cases on {r['database']} took {r['seed_s']} s (over {SEED_WARN_S:.0f} s)."
            )
    OUT.parent.mkdir(exist_ok=True)
    report = {
        "cases": cases,
        "targets": TARGETS,
        "load_start": round(started_load, 2),
        "load_end": round(ended_load, 2),
        "cpus": os.cpu_count(),
        "results": results,
        "failed": failed,
    }
    OUT.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written {OUT.relative_to(ROOT)}")
    if failed:
        raise SystemExit(f"failed on: {', '.join(f['database'] for f in failed)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="bench cases to seed (default 100000)")
    parser.add_argument(
        "--saves", type=int, default=SAVES, help="complaints saved and timed (default 200; 0: lists only)"
    )
    parser.add_argument(
        "--database", choices=("both", "sqlite", "postgresql"), default="both", help="which database(s)"
    )
    parser.add_argument(
        "--reuse",
        metavar="DATABASE_URL",
        default="",
        help="measure a database seeded earlier (migrate, seed-demo, seed_bench) as it is: "
        "it is migrated, never seeded or dropped; --cases must say how many it holds",
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.cases, args.saves)
    else:
        drive(args.cases, args.saves, args.database, args.reuse)


if __name__ == "__main__":
    main()
