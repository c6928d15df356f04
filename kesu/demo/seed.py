"""`kesu seed-demo`: the demo organisation, users and ~200 complaints in every state. Idempotent."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from kesu.accounts.models import User
from kesu.cases import services, services_comms
from kesu.cases.models import Case
from kesu.clocks import services as clock_services
from kesu.clocks.models import ExtensionRequest
from kesu.clocks.worker import run_once
from kesu.demo.builders import DEMO_PASSWORD, PERSONAS, Org, build_org, build_personas, drive
from kesu.demo.complaints import DemoComplaint, demo_complaints
from kesu.routing.models import StaffProfile

# One status per index, cycling: most cases are open, a fair share is finished.
STATES = (
    "received",
    "in_progress",
    "in_progress",
    "transfer_pending",
    "resolved",
    "callback_done",
    "closed",
    "closed",
    "in_progress",
    "withdrawn",
    "received",
    "closed",
)


def _placement(k: int, org: Org, people: dict[str, User]) -> tuple[int, dict[str, User]]:
    """Which unit receives complaint k, and who handles it there."""
    if k % 5 == 4:  # the other branch
        return org.north_chaoyang.pk, {"owner": people["outsider"], "reviewer": people["cpo"]}
    if k % 5 == 3:
        return org.east_xihu.pk, {
            "owner": people["specialist"],
            "reviewer": people["supervisor"],
            "colleague": people["supervisor"],
        }
    return org.east_pudong.pk, {
        "owner": people["handler"],
        "reviewer": people["specialist"],
        "colleague": people["specialist"],
    }


OPEN_STATES = frozenset({"received", "in_progress", "transfer_pending"})


def _received(k: int, state: str) -> datetime:
    """Open complaints arrived within the last ~18 days (a few now overdue, some due soon);
    finished ones earlier, over the last two months."""
    hours = 7 * (k % 62) + 3 if state in OPEN_STATES else 24 * 12 + 5 * (200 - k)
    return timezone.now() - timedelta(hours=hours)


def _open(c: DemoComplaint, k: int, unit_id: int, owner: User, state: str) -> Case:
    received = _received(k, state)
    case = services.case_open(
        user=owner,
        text=c.text,
        complainant_name=c.name,
        complainant_phone=c.phone,
        complainant_id_number=c.id_number,
        channel=c.channel,
        industry=c.industry,
        received_at=received,
        unit_id=unit_id,
        product=c.product,
        respondent=c.respondent,
        request=c.request,
        intake_ref=c.ref,
        facts=c.text,
        grounds="认为机构未履行告知义务或服务不当" if k % 4 else "",
    )
    called = received + timedelta(hours=2 + k % 5)
    if k % 6 and called < timezone.now():  # most were called back within hours (first-contact target)
        services_comms.contact_add(
            user=owner,
            case=case,
            kind="call_out",
            summary="致电客户确认诉求，告知处理流程和预计答复时间",
            at=called,
        )
        case.refresh_from_db()
    return case


@transaction.atomic
def seed_demo(n: int = 200) -> dict[str, int]:
    """Create what is missing; existing demo cases (by their DEMO-nnnn reference) are left alone."""
    org = build_org()
    people = build_personas(org)
    existing = set(Case.objects.filter(intake_ref__startswith="DEMO-").values_list("intake_ref", flat=True))
    created = 0
    for k, complaint in enumerate(demo_complaints(n)):
        if complaint.ref in existing:
            continue
        unit_id, roles = _placement(k, org, people)
        state = STATES[k % len(STATES)]
        if state == "transfer_pending" and "colleague" not in roles:
            state = "in_progress"
        drive(_open(complaint, k, unit_id, roles["owner"], state), state, roles)
        created += 1
    _routing_profiles(people)
    _clock_examples(people)
    while run_once(batch=500):  # warnings, breaches and prompts as of now, for the task lists
        pass
    return {"created": created, "existing": len(existing), "users": len(people)}


SKILLS = {
    "handler": "banking,信用卡,借记卡",
    "specialist": "banking,insurance,理财,信用卡",
    "supervisor": "banking,insurance,securities",
    "outsider": "banking,telecom",
}


def _routing_profiles(people: dict[str, User]) -> None:
    """Skills and capacity of the demo people, for the assignment suggestions."""
    for username, skills in SKILLS.items():
        StaffProfile.objects.get_or_create(user=people[username], defaults={"skills": skills, "capacity": 40})


def _clock_examples(people: dict[str, User]) -> None:
    """A few open cases showing the clocks at work: an extension waiting for the supervisor, an
    external appraisal pausing the clock, a promised reply date. Only once."""
    if ExtensionRequest.objects.exists():
        return
    handler = people["handler"]
    open_cases = list(
        Case.objects.filter(owner=handler, status="in_progress", intake_ref__startswith="DEMO-").order_by(
            "-received_at"
        )[:3]
    )
    if len(open_cases) < 3:
        return
    first, second, third = open_cases
    decision = first.clocks.filter(key="decision", ended="").first()
    if decision is not None and decision.stopped_at is None:
        clock_services.extension_request(
            user=handler,
            case=first,
            clock_id=decision.pk,
            reason="需调取柜面录像并向合作机构核实扣费依据，情况复杂",
        )
    clock_services.clock_pause(user=handler, case=second, reason="已委托第三方对交易凭证进行鉴定")
    clock_services.promise_set(
        user=handler, case=third, day=timezone.localdate() + timedelta(days=2), note="已电话告知客户"
    )


def logins() -> str:
    """The lines `kesu seed-demo` prints: who can log in, with which role and unit."""
    lines = [f"演示账号（密码均为 {DEMO_PASSWORD}）："]
    for user in User.objects.filter(username__in=list(PERSONAS)).select_related("unit").order_by("id"):
        lines.append(
            f"  {user.username:<11} {user.get_role_display():<6} {user.unit.name if user.unit else ''}"
        )
    return "\n".join(lines)
