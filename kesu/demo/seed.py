"""`kesu seed-demo`: the demo organisation, users and ~200 complaints in every state. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from kesu.accounts.models import User
from kesu.cases import services
from kesu.cases.models import Case
from kesu.demo.builders import DEMO_PASSWORD, PERSONAS, Org, build_org, build_personas, drive
from kesu.demo.complaints import DemoComplaint, demo_complaints

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


def _open(c: DemoComplaint, k: int, unit_id: int, owner: User) -> Case:
    received = timezone.now() - timedelta(hours=7 * (200 - k) + 3)
    return services.case_open(
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
        drive(_open(complaint, k, unit_id, roles["owner"]), state, roles)
        created += 1
    return {"created": created, "existing": len(existing), "users": len(people)}


def logins() -> str:
    """The lines `kesu seed-demo` prints: who can log in, with which role and unit."""
    lines = [f"演示账号（密码均为 {DEMO_PASSWORD}）："]
    for user in User.objects.filter(username__in=list(PERSONAS)).select_related("unit").order_by("id"):
        lines.append(
            f"  {user.username:<11} {user.get_role_display():<6} {user.unit.name if user.unit else ''}"
        )
    return "\n".join(lines)
