"""Reads: which cases a user may see, lists, search, duplicates, complainant history."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import CharField, F, Func, Q, QuerySet, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Upper
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.utils import timezone

from kesu.accounts.models import OrgUnit, Role, User
from kesu.analysis.pretty import CUSTOMER
from kesu.cases import intake, search, search_index, workflow
from kesu.cases.errors import InvalidInput, NotFound
from kesu.cases.models import CHANNELS, RISK_LEVELS, Case, CaseSearch, Complainant

PAGE_SIZE = 20
DUPLICATE_THRESHOLD = 0.5
"""Bigram similarity from which an open case of the same complainant counts as a likely duplicate."""


class _Unindexed(Func):
    """SQLite's unary plus: the same value, but no reason for the planner to read an index range."""

    template = "+%(expressions)s"
    output_field = CharField()


def within_path(path: str, *, ordered: bool = False) -> Q:
    """Cases whose unit path starts with `path`. SQLite compares text byte by byte, so there the
    range alone is exact and lets it use the index (its LIKE cannot); elsewhere the prefix test
    (which PostgreSQL turns into an index range itself) keeps it exact under any collation.
    Paths hold only digits and '/', and '0' is the character after '/'.

    `ordered`: for a page read newest first. SQLite then tests the path inside the list index it
    reads backwards (case_list_idx) instead of collecting the whole scope by path and sorting it."""
    end = path[:-1] + "0"
    if connection.vendor != "sqlite":
        return Q(unit_path__startswith=path)
    if ordered:
        return Q(GreaterThanOrEqual(_Unindexed("unit_path"), path), LessThan(_Unindexed("unit_path"), end))
    return Q(unit_path__gte=path, unit_path__lt=end)


def visible_cases(user: User, *, ordered: bool = False) -> QuerySet[Case]:
    """The cases `user` may see: their unit and below; admins see all; trainers only closed cases.
    `ordered`: see `within_path`."""
    qs = Case.objects.select_related("unit", "owner", "complainant", "transfer_to")
    if not user.is_active:
        return qs.none()
    if user.role == Role.ADMIN:
        return qs
    if user.unit is None:
        return qs.none()
    qs = qs.filter(within_path(user.unit.path, ordered=ordered))
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


def _exact_filter(query: str) -> Q | None:
    """ADR 0004 rule 3: the query is the case number or source reference, or (digits only) part
    of the complainant's phone number. None when no case can match so."""
    exact = query.strip()
    same = Case.objects.annotate(_number=Upper("number"), _ref=Upper("intake_ref"))
    same = same.filter(Q(_number=Upper(Value(exact))) | Q(_ref=Upper(Value(exact))))
    ids = list(same.order_by().values_list("pk", flat=True))
    cond = Q(pk__in=ids) if ids else None
    digits = "".join(c for c in query if c.isdigit())
    if len(digits) >= 4 and len(digits) == len(exact):
        phone = Q(complainant__in=Complainant.objects.filter(phone__contains=digits).values("pk"))
        cond = phone if cond is None else cond | phone
    return cond


def _search_filter(query: str) -> Q:
    """ADR 0004: every word of the query in the index text, or the query is the case number or
    source reference, or (digits only) part of the complainant's phone number. Each part is
    answered by an index on its own, as a set of case ids, so no case row is read to decide."""
    terms = search.query_terms(query)
    cond = Q(pk__in=search_index.case_ids(terms)) if terms else Q(pk__in=[])
    exact = _exact_filter(query)
    return cond if exact is None else cond | exact


LIST_VIEWS: dict[str, str] = {
    "mine": "我的案件",
    "unit": "本机构案件",
    "due_soon": "即将到期",
    "overdue": "已逾期",
    "escalated": "已升级",
}
"""The workbench's case lists. Due soon / overdue count only cases whose reply is still pending
(已受理, 处理中): a resolved case has had its answer. Escalated lists cases not yet finished."""
DUE_SOON = timedelta(days=3)
_UNFINISHED = tuple(s for s in workflow.STATUSES if s not in workflow.FINISHED_STATUSES)
OPEN_STATUS = "open"
"""A status filter value of its own: every case not yet finished (closed, withdrawn, merged)."""
CUSTOMER_TYPES: dict[str, str] = CUSTOMER
LEVELS: dict[str, str] = RISK_LEVELS


@dataclass(frozen=True)
class CaseFilters:
    """What a case list is narrowed to; an empty value does not narrow. All filters combine (AND)."""

    view: str = ""  # one of LIST_VIEWS; "" = every visible case
    status: str = ""  # a workflow status or OPEN_STATUS
    level: str = ""
    customer_type: str = ""  # the engine's customer_type label, read from the stored analysis
    channel: str = ""
    product: str = ""  # contains, case-insensitive
    unit_id: int | None = None  # this unit and below, within the user's scope
    received_from: date | None = None  # local calendar days, both ends included
    received_to: date | None = None
    q: str = ""  # full-text search (ADR 0004)


def _choice(value: str, allowed: dict[str, str] | tuple[str, ...], what: str) -> None:
    if value and value not in allowed:
        raise InvalidInput(f"未知{what}「{value}」，可选：{'、'.join(allowed)}")


def _check_filters(f: CaseFilters) -> None:
    _choice(f.view, LIST_VIEWS, "列表")
    _choice(f.status, (*workflow.STATUSES, OPEN_STATUS), "状态")
    _choice(f.level, tuple(LEVELS), "风险等级")
    _choice(f.customer_type, CUSTOMER_TYPES, "客户类型")
    _choice(f.channel, CHANNELS, "渠道")
    if f.received_from and f.received_to and f.received_from > f.received_to:
        raise InvalidInput("收到日期的起始日不能晚于截止日")


def view_filter(user: User, view: str, now: datetime) -> Q:
    """The condition of one of LIST_VIEWS (`unit` and "" add none beyond the user's scope)."""
    if view == "mine":
        return Q(owner=user) | Q(transfer_to=user)
    if view == "due_soon":
        return Q(status__in=workflow.OPEN, due_at__gte=now, due_at__lt=now + DUE_SOON)
    if view == "overdue":
        return Q(status__in=workflow.OPEN, due_at__lt=now)
    if view == "escalated":  # the statuses named, not "not finished": an index can seek each one
        return Q(escalation_level__gt=0, status__in=_UNFINISHED)
    return Q()


def _day_start(day: date) -> datetime:
    """Midnight starting `day` in the local time zone (where handlers read their dates)."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def cases_filtered(
    user: User, filters: CaseFilters, *, now: datetime | None = None, ordered: bool = False
) -> QuerySet[Case]:
    """The visible cases matching `filters` (unordered); InvalidInput with a Chinese reason if a
    value is unknown or a unit lies outside the user's scope. `ordered`: the query will read a
    page newest first (see `within_path`); counting is cheaper without."""
    f = filters
    _check_filters(f)
    qs = visible_cases(user, ordered=ordered).filter(view_filter(user, f.view, now or timezone.now()))
    if f.status == OPEN_STATUS:
        qs = qs.exclude(status__in=workflow.FINISHED_STATUSES)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.level:
        qs = qs.filter(risk_level=f.level)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.customer_type:  # indexed copy of analysis.customer_type.label (services keep it in step)
        qs = qs.filter(customer_type=f.customer_type)
    if f.product.strip():
        qs = qs.filter(product__icontains=f.product.strip())
    if f.unit_id is not None:
        qs = qs.filter(within_path(unit_in_scope(user, f.unit_id).path, ordered=ordered))
    if f.received_from:
        qs = qs.filter(received_at__gte=_day_start(f.received_from))
    if f.received_to:
        qs = qs.filter(received_at__lt=_day_start(f.received_to + timedelta(days=1)))
    if f.q.strip():
        qs = qs.filter(_search_filter(f.q))
    return qs


_NARROW_FILTERS = ("status", "level", "customer_type", "channel", "product")
"""Filters the search table cannot answer (it holds only the unit path and receipt time)."""


def _narrow_scope(user: User, f: CaseFilters) -> Q | None:
    """The condition on the search table (`CaseSearch`) equal to `cases_filtered(user, f)` without
    the text, or None when the filters need the case rows (a view other than the unit's, a column
    filter, a trainer's closed cases only)."""
    if f.view not in ("", "unit") or any(getattr(f, k).strip() for k in _NARROW_FILTERS):
        return None
    if user.role == Role.TRAINER:
        return None
    if not user.is_active or (user.role != Role.ADMIN and user.unit is None):
        return Q(pk__in=[])
    cond = Q() if user.role == Role.ADMIN else within_path(user.unit.path)  # type: ignore[union-attr]
    if f.unit_id is not None:
        cond &= within_path(unit_in_scope(user, f.unit_id).path)
    if f.received_from:
        cond &= Q(received_at__gte=_day_start(f.received_from))
    if f.received_to:
        cond &= Q(received_at__lt=_day_start(f.received_to + timedelta(days=1)))
    return cond


def search_ids(user: User, filters: CaseFilters, *, now: datetime | None = None) -> list[int]:
    """Every case a search (`filters.q`) finds, newest first, as `cases_filtered` would list them.

    A search within the user's scope (and a unit, dates) is answered from the narrow search table
    alone: its rows holding the words, scoped and ordered by their copied unit path and receipt
    time; the exact look-ups (case number, source reference, phone) add their few cases. Other
    filters read the case rows."""
    _check_filters(filters)
    scope = _narrow_scope(user, filters)
    if scope is None:
        qs = cases_filtered(user, filters, now=now, ordered=True)
        return list(qs.order_by("-received_at", "-id").values_list("pk", flat=True))
    terms = search.query_terms(filters.q)
    rows = search_index.matching_rows(terms).filter(scope) if terms else CaseSearch.objects.none()
    exact = _exact_filter(filters.q)
    extra: list[tuple[datetime, int]] = []
    if exact is not None:
        plain = cases_filtered(user, replace(filters, q=""), now=now).filter(exact)
        extra = list(plain.order_by().values_list("received_at", "pk"))
    if not extra:
        return list(rows.order_by("-received_at", "-case_id").values_list("case_id", flat=True))
    found = set(rows.values_list("received_at", "case_id")) | set(extra)
    return [pk for _, pk in sorted(found, reverse=True)]


def page_ids(
    qs: QuerySet[Case],
    *,
    page: int,
    page_size: int,
    searching: bool,
    count: int | None = None,
    counted: QuerySet[Case] | None = None,
) -> tuple[list[int], int]:
    """The ids of one page of `qs`, newest first, and how many match in all (`count` if the
    caller already knows it: counting is often the dearest query; else counted on `counted`, the
    same cases in a form cheaper to count, or on `qs`).

    Ids first (from the list index, read newest first), then the caller loads the page's rows:
    sorting whole rows of a 100,000-case table would dominate the request. A text search reads
    its matching ids once for both the page and the count."""
    if page < 1:
        raise InvalidInput("页码从 1 开始")
    start = (page - 1) * page_size
    ordered = qs.order_by("-received_at", "-id").values_list("pk", flat=True)
    if searching:
        every = list(ordered)
        return every[start : start + page_size], len(every)
    if count is None:
        count = (qs if counted is None else counted).order_by().count()
    return list(ordered[start : start + page_size]), count


def case_list(
    user: User, *, status: str = "", level: str = "", q: str = "", page: int = 1, page_size: int = PAGE_SIZE
) -> tuple[list[Case], int]:
    """One page of the visible cases, newest first, filtered; and how many match in all."""
    if page < 1:
        raise InvalidInput("页码从 1 开始")
    filters = CaseFilters(status=status, level=level, q=q)
    if q.strip():
        every = search_ids(user, filters)
        ids, count = every[(page - 1) * page_size : page * page_size], len(every)
    else:
        qs = cases_filtered(user, filters, ordered=True)
        ids, count = page_ids(
            qs, page=page, page_size=page_size, searching=False, counted=cases_filtered(user, filters)
        )
    rows = {c.pk: c for c in visible_cases(user).defer("analysis", "search_text").filter(pk__in=ids)}
    return [rows[i] for i in ids if i in rows], count


_ROW_FIELDS = (
    *("id", "number", "received_at", "channel", "industry", "product", "risk_level", "status"),
    *("due_at", "escalation_level", "unit_path", "unit__name", "complainant__name", "complainant__phone"),
    *("owner__username", "owner__first_name", "owner__last_name"),
    *("transfer_to__username", "transfer_to__first_name", "transfer_to__last_name"),
)


def with_list_columns(qs: QuerySet[Case], *extra: str) -> QuerySet[Case]:
    """`qs` loading only the list's columns (and `extra`); of the analysis JSON only
    `summary_text` and `customer_type_key` are read, in the database."""
    return qs.only(*_ROW_FIELDS, *extra).annotate(
        summary_text=KT("analysis__summary"), customer_type_key=F("customer_type")
    )


_PAGE_ROW_FIELDS = (
    *("id", "number", "received_at", "channel", "product", "risk_level", "status", "due_at"),
    *("escalation_level", "customer_type", "complainant__name", "complainant__phone"),
    *("owner__username", "owner__first_name", "owner__last_name"),
    *("transfer_to__username", "transfer_to__first_name", "transfer_to__last_name"),
)


def case_rows(user: User, ids: list[int]) -> list[dict[str, Any]]:
    """The list columns of these cases (plain values, with `summary_text` read from the analysis
    in the database), in the order given."""
    qs = visible_cases(user).filter(pk__in=ids).order_by()
    rows = {r["id"]: r for r in qs.values(*_PAGE_ROW_FIELDS, summary_text=KT("analysis__summary"))}
    return [rows[i] for i in ids if i in rows]


def view_counts(user: User, *, now: datetime | None = None) -> dict[str, int]:
    """How many cases each of LIST_VIEWS holds for `user` (no other filter). Each count reads one
    index only: "mine" is counted as owned plus offered-and-not-owned, not as one OR."""
    now = now or timezone.now()
    base = visible_cases(user).order_by()
    counts = {
        view: base.filter(view_filter(user, view, now)).count() for view in LIST_VIEWS if view != "mine"
    }
    offered = base.filter(transfer_to=user).exclude(owner=user)
    return {"mine": base.filter(owner=user).count() + offered.count(), **counts}


def units_in_scope(user: User) -> list[OrgUnit]:
    """The units whose cases `user` may see, in tree order (for a unit filter)."""
    if user.role == Role.ADMIN:
        return list(OrgUnit.objects.order_by("path"))
    if user.unit is None:
        return []
    return list(OrgUnit.objects.filter(path__startswith=user.unit.path).order_by("path"))


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
