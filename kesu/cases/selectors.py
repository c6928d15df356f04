"""Reads: which cases a user may see, lists, search, duplicates, complainant history."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from kesu.accounts.models import OrgUnit, Role, User
from kesu.cases import intake, search, workflow
from kesu.cases.errors import InvalidInput, NotFound
from kesu.cases.models import Case, Complainant

PAGE_SIZE = 20
DUPLICATE_THRESHOLD = 0.5
"""Bigram similarity from which an open case of the same complainant counts as a likely duplicate."""


def within_path(path: str) -> Q:
    """Cases whose unit path starts with `path`. The range half lets SQLite use the index (its LIKE
    cannot); the prefix half keeps it exact under any collation. Paths hold only digits and '/',
    and '0' is the character after '/'."""
    return Q(unit_path__gte=path, unit_path__lt=path[:-1] + "0", unit_path__startswith=path)


def visible_cases(user: User) -> QuerySet[Case]:
    """The cases `user` may see: their unit and below; admins see all; trainers only closed cases."""
    qs = Case.objects.select_related("unit", "owner", "complainant", "transfer_to")
    if not user.is_active:
        return qs.none()
    if user.role == Role.ADMIN:
        return qs
    if user.unit is None:
        return qs.none()
    qs = qs.filter(within_path(user.unit.path))
    if user.role == Role.TRAINER:
        qs = qs.filter(status="closed")  # training material comes from finished cases only
    return qs


def case_get(user: User, case_id: int | str) -> Case:
    """The case, if `user` may see it; otherwise NotFound (an outsider cannot tell it exists)."""
    try:
        pk = int(case_id)
    except (TypeError, ValueError):
        raise NotFound("案件不存在或您无权查看") from None
    case = visible_cases(user).filter(pk=pk).first()
    if case is None:
        raise NotFound("案件不存在或您无权查看")
    return case


def user_can_see(user: User, case: Case) -> bool:
    return visible_cases(user).filter(pk=case.pk).exists()


def _search_filter(query: str) -> Q:
    cond = Q()
    for term in search.query_terms(query):
        cond &= Q(search_text__contains=term)  # both sides are normalised to lower case
    digits = "".join(c for c in query if c.isdigit())
    exact = Q(number__iexact=query.strip()) | Q(intake_ref__iexact=query.strip())
    if len(digits) >= 4 and len(digits) == len(query.strip()):
        exact |= Q(complainant__phone__contains=digits)
    return cond | exact


def case_list(
    user: User, *, status: str = "", level: str = "", q: str = "", page: int = 1, page_size: int = PAGE_SIZE
) -> tuple[list[Case], int]:
    """One page of the visible cases, newest first, filtered; and how many match in all."""
    if status and status not in workflow.STATUSES:
        raise InvalidInput(f"未知状态「{status}」，可选：{'、'.join(workflow.STATUSES)}")
    if level and level not in ("routine", "elevated", "major", "crisis"):
        raise InvalidInput(f"未知风险等级「{level}」，可选：routine、elevated、major、crisis")
    if page < 1:
        raise InvalidInput("页码从 1 开始")
    qs = visible_cases(user)
    if status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(risk_level=level)
    if q.strip():
        qs = qs.filter(_search_filter(q))
    start = (page - 1) * page_size
    # Ids first (from the covering scope index), then the page's rows: sorting whole rows of a
    # 100,000-case table would dominate the request. A text search scans once for ids and count.
    ordered = qs.order_by("-received_at", "-id").values_list("pk", flat=True)
    if q.strip():
        every = list(ordered)
        ids, count = every[start : start + page_size], len(every)
    else:
        ids, count = list(ordered[start : start + page_size]), qs.count()
    rows = {c.pk: c for c in visible_cases(user).defer("analysis", "search_text").filter(pk__in=ids)}
    return [rows[i] for i in ids if i in rows], count


@dataclass(frozen=True)
class Duplicate:
    case: Case
    similarity: float


def likely_duplicates(
    *, complainant: Complainant, text: str, exclude_id: int | None = None
) -> list[Duplicate]:
    """Open cases of the same complainant whose text is similar, most similar first."""
    open_cases = complainant.cases.exclude(status__in=workflow.FINISHED_STATUSES)
    if exclude_id is not None:
        open_cases = open_cases.exclude(pk=exclude_id)
    found = [
        Duplicate(c, intake.text_similarity(text, c.text))
        for c in open_cases.only("id", "number", "text")[:50]
    ]
    return sorted((d for d in found if d.similarity >= DUPLICATE_THRESHOLD), key=lambda d: -d.similarity)


def complainant_find(*, phone: str = "", id_number: str = "") -> Complainant | None:
    """The known complainant with this ID number, else this phone number."""
    if id_number.strip():
        found = Complainant.objects.filter(id_number__iexact=id_number.strip()).first()
        if found:
            return found
    digits = "".join(c for c in phone if c.isdigit())
    if len(digits) >= 7:
        return Complainant.objects.filter(phone=digits).first()
    return None


def complainant_history(complainant: Complainant, *, exclude_id: int | None = None) -> dict[str, Any]:
    """The complainant's profile (投诉人画像): how often, through which channels, with what outcome."""
    cases = complainant.cases.all()
    if exclude_id is not None:
        cases = cases.exclude(pk=exclude_id)
    rows = list(cases.values("number", "status", "channel", "received_at", "risk_level"))
    return {
        "count": len(rows),
        "open": sum(1 for r in rows if r["status"] not in workflow.FINISHED_STATUSES),
        "channels": dict(Counter(r["channel"] or "unknown" for r in rows)),
        "statuses": dict(Counter(r["status"] for r in rows)),
        "latest": [r["number"] for r in sorted(rows, key=lambda r: r["received_at"], reverse=True)[:5]],
    }


def transfer_candidates(case: Case) -> list[User]:
    """Colleagues who could accept this case: handling roles whose scope covers its unit."""
    qs = User.objects.filter(is_active=True, role__in=workflow.HANDLING, unit__isnull=False)
    users = qs.exclude(pk=case.owner_id).select_related("unit").order_by("username")
    return [u for u in users if scope_covers(u, case)]


def scope_covers(user: User, case: Case) -> bool:
    """True when `user`'s unit is the case's unit or above it."""
    return user.role == Role.ADMIN or (user.unit is not None and case.unit_path.startswith(user.unit.path))


def unit_in_scope(user: User, unit_id: int) -> OrgUnit:
    """The unit `user` may record a complaint for (their unit or below), else InvalidInput."""
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None or not (user.role == Role.ADMIN or (user.unit and unit.path.startswith(user.unit.path))):
        raise InvalidInput("受理机构不存在或不在您的管辖范围内")
    return unit


def notice_issued(case: Case) -> bool:
    """True when a decision notice was issued since the case was last reopened (or ever, if never)."""
    reopened = case.events.filter(action="reopen").order_by("-at", "-id").values_list("at", flat=True).first()
    notices = case.notices.all()
    return (notices.filter(issued_at__gt=reopened) if reopened else notices).exists()


def case_state(case: Case) -> workflow.CaseState:
    """What the workflow table needs to know about a case."""
    return workflow.CaseState(case.status, case.transfer_to_id is not None, notice_issued(case))
