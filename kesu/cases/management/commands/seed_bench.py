"""`kesu manage seed_bench --cases 100000`: many realistic cases, fast, for the list benchmark.

The cases are bulk-created (no audit trail, no per-case analysis run): their text and analysis
come from a handful of demo complaints analysed once, spread across the demo units and owners,
statuses and a year of receipt dates. Deterministic (no randomness). Bench cases carry the source
reference `BENCH-nnnnnnn`; the command refuses to run twice unless `--force`, which removes the
earlier bench cases first. Never run it against a production database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from kesu.accounts.models import OrgUnit, User
from kesu.analysis import analyze, complaint_from_dict
from kesu.cases import search
from kesu.cases.models import Case, CaseSearch, Complainant
from kesu.clocks import compute, rules, workdays
from kesu.demo.builders import build_org, build_personas
from kesu.demo.complaints import DemoComplaint, demo_complaints

PREFIX = "BENCH-"
TEMPLATES = 24
COMPLAINANTS = 5_000
YEAR_MINUTES = 365 * 24 * 60
RECENT = ("received", "in_progress", "in_progress", "resolved", "callback_done", "in_progress", "received")
OLDER = ("closed", "closed", "closed", "withdrawn", "closed", "callback_done", "closed", "closed")


@dataclass(frozen=True)
class Template:
    complaint: DemoComplaint
    analysis: dict[str, Any]
    risk_level: str
    search_text: str
    grams: str


# The demo set is mostly 问题解决型; these add the other customer types (invented texts).
OTHER_TYPES = (
    ("venting", "你们这帮骗子！气死我了！垃圾银行，信用卡年费乱扣，滚！"),
    (
        "malicious_claim",
        "我要求赔偿我十万元精神损失，不给我就天天来闹，找你们行长，发到网上让大家都看看。",
    ),
    (
        "difficult",
        "根据《消费者权益保护法》第八条和你们合同第5.2条，你们客服连基本的告知义务都不懂，"
        "我要你们书面逐条解释，并说明依据哪一条收费，错一个字我都要追究。",
    ),
)


_CALENDAR = workdays.Calendar()


def _due(industry: str, received: datetime) -> datetime | None:
    """The reply deadline a real intake would give (the industry's first regulatory clock)."""
    ruleset = rules.builtin_rulesets()[rules.ruleset_for_industry(industry)]
    spec = next((s for s in ruleset.specs if s.starts_on == "received"), None)
    if spec is None:
        return None
    return compute.due_at(compute.ClockInput(spec=spec, started_at=received), _CALENDAR)[0]


def _sources() -> list[DemoComplaint]:
    demo = demo_complaints(TEMPLATES)
    extra = [
        replace(demo[0], ref=f"{PREFIX}{kind}", text=text, channel="phone") for kind, text in OTHER_TYPES
    ]
    return [*demo, *extra]


def _templates() -> list[Template]:
    out = []
    for c in _sources():
        data = {"text": c.text, "channel": c.channel, "industry": c.industry, "product": c.product}
        analysis = analyze(complaint_from_dict(data)).to_dict()
        text = search.index_text(c.text, c.product, c.respondent, c.request, c.text)
        out.append(
            Template(
                complaint=c,
                analysis=analysis,
                risk_level=(analysis.get("risk") or {}).get("level", ""),
                search_text=text,
                grams=search.index_bigrams(text),
            )
        )
    return out


def _placements() -> list[tuple[OrgUnit, User, User]]:
    """(unit, owner, colleague a transfer goes to), weighted: most complaints reach the sub-branches."""
    org = build_org()
    p = build_personas(org)
    return [
        (org.east_pudong, p["handler"], p["specialist"]),
        (org.east_pudong, p["handler"], p["specialist"]),
        (org.east_pudong, p["specialist"], p["handler"]),
        (org.east_xihu, p["specialist"], p["supervisor"]),
        (org.east, p["supervisor"], p["specialist"]),
        (org.north_chaoyang, p["outsider"], p["cpo"]),
        (org.north_chaoyang, p["outsider"], p["cpo"]),
        (org.head, p["cpo"], p["supervisor"]),
    ]


def _complainants(n: int) -> list[int]:
    """About one complainant for every twenty cases: many complain more than once (their history)."""
    people = [
        Complainant(name=c.name, phone=f"1990{k:07d}", id_number=c.id_number)
        for k, c in enumerate(demo_complaints(min(COMPLAINANTS, max(1, n // 20))))
    ]
    Complainant.objects.bulk_create(people, batch_size=1000)
    phones = [p.phone for p in people]
    return list(Complainant.objects.filter(phone__in=phones).order_by("id").values_list("id", flat=True))


def _case(i: int, n: int, now: datetime, tpl: Template, place: tuple[OrgUnit, User, User], who: int) -> Case:
    unit, owner, colleague = place
    received = now - timedelta(minutes=i * YEAR_MINUTES // n + 7)
    recent = now - received < timedelta(days=30)
    status = RECENT[i % len(RECENT)] if recent else OLDER[i % len(OLDER)]
    level = 2 if i % 157 == 0 else 1 if i % 29 == 0 else 0
    c = tpl.complaint
    return Case(
        number=f"BM{timezone.localtime(received):%Y%m%d}{i:07d}",
        intake_ref=f"{PREFIX}{i:07d}",
        status=status,
        unit=unit,
        unit_path=unit.path,
        received_by=owner,
        owner=owner,
        transfer_to=colleague if status in ("received", "in_progress") and i % 23 == 0 else None,
        complainant_id=who,
        channel=c.channel,
        industry=c.industry,
        received_at=received,
        text=c.text,
        product=c.product,
        respondent=c.respondent,
        request=c.request,
        facts=c.text,
        analysis=tpl.analysis,
        risk_level=tpl.risk_level,
        customer_type=(tpl.analysis.get("customer_type") or {}).get("label", ""),
        search_text=tpl.search_text,
        due_at=_due(c.industry, received),
        escalation_level=level,
        escalated_at=received + timedelta(days=2) if level else None,
        closed_at=received + timedelta(days=10) if status == "closed" else None,
    )


def _search_rows(cases: list[Case], templates: list[Template], start: int) -> list[CaseSearch]:
    """The search rows (ADR 0004) of a batch of new cases, the i-th case from template i % n."""
    rows = []
    for i, case in enumerate(cases, start):
        tpl = templates[i % len(templates)]
        rows.append(
            CaseSearch(
                case_id=case.pk,
                search_text=tpl.search_text,
                grams=tpl.grams,
                unit_path=case.unit_path,
                received_at=case.received_at,
            )
        )
    return rows


class Command(BaseCommand):
    help = "为列表性能测试批量生成投诉案件（确定性数据，勿在生产库运行）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--cases", type=int, default=100_000, help="生成的案件数（默认 100000）")
        parser.add_argument("--batch", type=int, default=2_000, help="每批写入的件数（默认 2000）")
        parser.add_argument("--force", action="store_true", help="已有性能测试数据时先删除再重建")

    def handle(self, *args: Any, **options: Any) -> None:
        n, batch = options["cases"], options["batch"]
        if n < 1 or batch < 1:
            raise CommandError("--cases 与 --batch 须为正整数")
        existing = Case.objects.filter(intake_ref__startswith=PREFIX)
        if existing.exists():
            if not options["force"]:
                raise CommandError(f"已有性能测试案件 {existing.count()} 件；如需重建请加 --force")
            self._remove(existing)
        templates, placements, people = _templates(), _placements(), _complainants(n)
        now = timezone.now()
        for start in range(0, n, batch):
            rows = [
                _case(
                    i,
                    n,
                    now,
                    templates[i % len(templates)],
                    placements[i % len(placements)],
                    people[i % len(people)],
                )
                for i in range(start, min(start + batch, n))
            ]
            with transaction.atomic():
                Case.objects.bulk_create(rows)
                CaseSearch.objects.bulk_create(_search_rows(rows, templates, start))
            self.stdout.write(f"已生成 {min(start + batch, n)} / {n} 件", ending="\r")
        with connection.cursor() as cursor:  # fresh statistics, so the planner picks the list indexes
            cursor.execute("ANALYZE")
        self.stdout.write(f"\n完成：共生成性能测试案件 {n} 件（来源编号 {PREFIX}…）。")

    def _remove(self, existing: Any) -> None:
        who = set(existing.values_list("complainant_id", flat=True))
        try:
            with transaction.atomic():
                deleted, _ = existing.delete()
                Complainant.objects.filter(pk__in=who, cases__isnull=True).delete()
        except ProtectedError:
            raise CommandError("部分性能测试案件已有办理记录或附件，不能自动删除；请换一个空数据库") from None
        self.stdout.write(f"已删除旧的性能测试数据（{deleted} 条记录）。")
