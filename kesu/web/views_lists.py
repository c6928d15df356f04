"""Case lists (mine, my unit's, due soon, overdue, escalated), filters, search, Excel export.

Filters live in the URL (GET), so a list can be bookmarked, shared and exported as shown. A bad
filter value re-renders the page with a Chinese message and status 400, never a 500.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from io import BytesIO
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from kesu.accounts.models import User
from kesu.cases import workflow
from kesu.cases.errors import InvalidInput
from kesu.cases.masking import mask_id_number, mask_name, mask_phone, mask_text
from kesu.cases.models import CHANNELS, INDUSTRIES, Case
from kesu.cases.selectors import (
    CUSTOMER_TYPES,
    DUE_SOON,
    LEVELS,
    LIST_VIEWS,
    OPEN_STATUS,
    CaseFilters,
    case_rows,
    cases_filtered,
    page_ids,
    search_ids,
    units_in_scope,
    view_counts,
    with_list_columns,
)

log = logging.getLogger(__name__)
PAGE_SIZE = 50
EXPORT_LIMIT = 10_000
SUMMARY_CHARS = 48
FILTER_KEYS = (
    *("view", "status", "level", "customer_type", "channel", "product", "unit"),
    *("received_from", "received_to", "q"),
)
PERSONAL_VIEW_ROLES = frozenset({"handler", "specialist"})
"""Roles who open on their own cases; leads, reviewers and admins open on their unit's."""


def default_view(user: User) -> str:
    return "mine" if user.role in PERSONAL_VIEW_ROLES else "unit"


def _date(params: QueryDict, key: str, what: str) -> date | None:
    raw = params.get(key, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{what}「{raw}」不是有效日期，请按 年-月-日 填写，例如 2026-11-01") from None


def _int(params: QueryDict, key: str, message: str) -> int | None:
    raw = params.get(key, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise InvalidInput(message)
    return int(raw)


def parse_filters(params: QueryDict, user: User) -> CaseFilters:
    """The filters of a list URL; InvalidInput (Chinese) for a value that cannot be read."""
    return CaseFilters(
        view=params.get("view", "").strip() or default_view(user),
        status=params.get("status", "").strip(),
        level=params.get("level", "").strip(),
        customer_type=params.get("customer_type", "").strip(),
        channel=params.get("channel", "").strip(),
        product=params.get("product", "").strip()[:100],
        unit_id=_int(params, "unit", "受理机构参数无效，请从列表中选择机构"),
        received_from=_date(params, "received_from", "收到日期起"),
        received_to=_date(params, "received_to", "收到日期止"),
        q=params.get("q", "").strip()[:200],
    )


def _query(params: QueryDict, **overrides: Any) -> str:
    """The current filters as a query string, with `overrides` (None drops a key); no page."""
    values = {k: params.get(k, "") for k in FILTER_KEYS}
    values.update(overrides)
    return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def _person(user: User | None) -> str:
    return user.display_name if user is not None else ""


def _named(row: dict[str, Any], prefix: str) -> str:
    """User.display_name from a row's `<prefix>__username/first_name/last_name` values."""
    full = f"{row[prefix + '__last_name'] or ''}{row[prefix + '__first_name'] or ''}".strip()
    return full or row[prefix + "__username"] or ""


def _span(delta: timedelta) -> str:
    if delta.days:
        return f"{delta.days} 天"
    return f"{delta.seconds // 3600} 小时" if delta.seconds >= 3600 else "不足 1 小时"


def due_state(due_at: datetime | None, status: str, now: datetime) -> tuple[str, str]:
    """(css class, short note) for the reply deadline of a case still awaiting its reply."""
    if due_at is None or status not in workflow.OPEN:
        return "", ""
    left = due_at - now
    if left < timedelta(0):
        return "due-overdue", f"已逾期 {_span(-left)}"
    if left < DUE_SOON:
        return "due-soon", f"剩 {_span(left)}"
    return "", ""


def _minute(moment: datetime | None) -> str:
    """Local time to the minute, as the pages show it (the `date:"Y-m-d H:i"` of the templates)."""
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


_ROW = (
    '<tr><td class="nowrap"><a href="/cases/{}/">{}</a></td><td class="nowrap">{}</td>'
    '<td class="nowrap">{}</td><td class="nowrap">{}</td><td>{}</td><td class="summary" title="{}">{}</td>'
    '<td>{}</td><td class="nowrap">{}</td><td class="nowrap">{}{}</td><td class="nowrap">{}{}</td>'
    '<td class="nowrap {}">{}{}</td></tr>'
)


def _row(r: dict[str, Any], now: datetime) -> SafeString:
    """One table row of the list (built here, not in the template: 50 rows of 11 cells are most
    of a page's rendering time)."""
    summary = mask_text(r["summary_text"] or "")
    short = summary[:SUMMARY_CHARS] + ("…" if len(summary) > SUMMARY_CHARS else "")
    who = " ".join(p for p in (mask_name(r["complainant__name"]), mask_phone(r["complainant__phone"])) if p)
    level = r["risk_level"]
    badge = (
        format_html('<span class="badge level-{}">{}</span>', level, LEVELS.get(level, "")) if level else ""
    )
    escalated = (
        mark_safe(' <span class="badge escalated" title="已升级">升级</span>')
        if r["escalation_level"] > 0
        else ""
    )
    offered = _named(r, "transfer_to") if r["transfer_to__username"] is not None else ""
    offer = format_html('<br><span class="muted">→ 待{}接收</span>', offered) if offered else ""
    due_class, due_note = due_state(r["due_at"], r["status"], now)
    note = format_html("<br><small>{}</small>", due_note) if due_note else ""
    return format_html(
        _ROW,
        *(r["id"], r["number"], _minute(r["received_at"]), who, CHANNELS.get(r["channel"], r["channel"])),
        *(mask_text(r["product"]), summary, short, badge, CUSTOMER_TYPES.get(r["customer_type"] or "", "")),
        *(workflow.STATUSES.get(r["status"], r["status"]), escalated, _named(r, "owner"), offer),
        *(due_class, _minute(r["due_at"]) or "—", note),
    )


def _unit_options(user: User) -> list[tuple[str, str]]:
    """(id, name indented by its depth below the user's own unit) for the unit filter."""
    units = units_in_scope(user)
    top = min((u.path.count("/") for u in units), default=0)
    return [(str(u.pk), "　" * (u.path.count("/") - top) + u.name) for u in units]


def _choices(user: User) -> dict[str, Any]:
    return {
        "statuses": [(OPEN_STATUS, "未结（全部）"), *workflow.STATUSES.items()],
        "levels": list(LEVELS.items()),
        "customer_types": list(CUSTOMER_TYPES.items()),
        "channels": list(CHANNELS.items()),
        "units": _unit_options(user),
    }


def _pager(params: QueryDict, page: int, count: int) -> dict[str, Any]:
    pages = max(1, -(-count // PAGE_SIZE))
    base = _query(params)

    def link(n: int) -> str:
        return f"?{base}&page={n}" if base else f"?page={n}"

    return {
        "page": page,
        "pages": pages,
        "prev": link(page - 1) if page > 1 else "",
        "next": link(page + 1) if page < pages else "",
        "first": link(1) if page > 2 else "",
        "last": link(pages) if page < pages - 1 else "",
    }


def _list_context(user: User, params: QueryDict, view: str, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "tabs": [
            {
                "key": k,
                "label": label,
                "count": counts[k],
                "alert": k == "overdue" and counts[k] > 0,
                "href": "?" + _query(params, view=k),
            }
            for k, label in LIST_VIEWS.items()
        ],
        "view": view,
        "view_label": LIST_VIEWS.get(view, ""),
        "f": {k: params.get(k, "") for k in FILTER_KEYS},
        "export_href": "/cases/export.xlsx?" + _query(params, view=view),
        "export_limit": f"{EXPORT_LIMIT:,}",
        "clear_href": "?" + urlencode({"view": view}),
        **_choices(user),
    }


def _page_number(params: QueryDict) -> int:
    page = _int(params, "page", "页码应为正整数")
    return 1 if page is None else page


def _last_page(count: int) -> int:
    return max(1, -(-count // PAGE_SIZE))


def _search_page(user: User, filters: CaseFilters, page: int, now: datetime) -> tuple[list[int], int, int]:
    """(ids of the page, count, page shown) of a search: its matches are read once for both."""
    every = search_ids(user, filters, now=now)
    if page < 1:
        raise InvalidInput("页码从 1 开始")
    page = min(page, _last_page(len(every)))
    return every[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], len(every), page


def _list_page(
    user: User, filters: CaseFilters, page: int, now: datetime, known: int | None
) -> tuple[list[int], int, int]:
    """(ids of the page, count, page shown) of a list without search (`known`: its count, if the
    tab already counted it)."""
    qs = cases_filtered(user, filters, now=now, ordered=True)
    counted = None if known is not None else cases_filtered(user, filters, now=now)
    ids, count = page_ids(qs, page=page, page_size=PAGE_SIZE, searching=False, count=known, counted=counted)
    if page > _last_page(count):  # an old link after cases moved on: show the last page, not nothing
        page = _last_page(count)
        ids, count = page_ids(qs, page=page, page_size=PAGE_SIZE, searching=False, count=count)
    return ids, count, page


def _results(user: User, params: QueryDict, now: datetime, counts: dict[str, int]) -> dict[str, Any]:
    filters = parse_filters(params, user)
    page = _page_number(params)
    filtered = any(params.get(k, "").strip() for k in FILTER_KEYS if k != "view")
    if filters.q:
        ids, count, page = _search_page(user, filters, page, now)
    else:
        known = None if filtered else counts.get(filters.view)
        ids, count, page = _list_page(user, filters, page, now, known)
    return {
        "rows": [_row(c, now) for c in case_rows(user, ids)],
        "count": count,
        "pager": _pager(params, page, count),
        "filtered": filtered,
    }


def _render_list(request: HttpRequest, user: User, now: datetime, error: str = "") -> HttpResponse:
    view = request.GET.get("view", "").strip() or default_view(user)
    counts = view_counts(user, now=now)
    status, results = 200, {}
    if error:
        status = 400
    else:
        try:
            results = _results(user, request.GET, now, counts)
        except InvalidInput as exc:
            status, error = 400, exc.message
    context = {**_list_context(user, request.GET, view, counts), **results, "error": error}
    return render(request, "web/lists/case_list.html", context, status=status)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request, request.user, timezone.now())  # type: ignore[arg-type]


# ---- Excel export -------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    *("案件编号", "收到时间", "投诉人", "联系电话", "证件号码", "渠道", "行业", "产品", "受理机构"),
    *("摘要", "投诉请求", "风险等级", "客户类型", "状态", "承办人", "答复期限", "是否逾期", "升级层级"),
)
_EXPORT_WIDTHS = (18, 17, 10, 14, 22, 10, 8, 14, 12, 60, 30, 8, 14, 12, 10, 17, 8, 8)


def _local(moment: datetime | None) -> datetime | None:
    # Excel has no time zones: write the local wall-clock time the handlers see on the pages.
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _export_row(case: Case, now: datetime) -> list[Any]:
    overdue = case.due_at is not None and case.status in workflow.OPEN and case.due_at < now
    who = case.complainant
    return [
        case.number,
        _local(case.received_at),
        mask_name(who.name),
        mask_phone(who.phone),
        mask_id_number(who.id_number),
        CHANNELS.get(case.channel, case.channel),
        INDUSTRIES.get(case.industry, case.industry),
        mask_text(case.product),
        case.unit.name,
        mask_text(getattr(case, "summary_text", None) or ""),
        mask_text(case.request),
        LEVELS.get(case.risk_level, ""),
        CUSTOMER_TYPES.get(getattr(case, "customer_type_key", None) or "", ""),
        case.status_label,
        _person(case.owner),
        _local(case.due_at),
        "是" if overdue else "",
        case.escalation_level or "",
    ]


def _cells(ws: Any, values: list[Any]) -> list[Any]:
    """One row: dates formatted, text never read as a formula (=, +, - or @ first); the rest is
    passed as plain values (a cell object per value costs a sixth of the export's time)."""
    cells: list[Any] = []
    for value in values:
        if isinstance(value, datetime):
            cell = WriteOnlyCell(ws, value)
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
            cell = WriteOnlyCell(ws, value)
            cell.data_type = "s"
        else:
            cell = value
        cells.append(cell)
    return cells


_FILTER_LABELS: dict[str, tuple[str, dict[str, str]]] = {
    "view": ("列表", LIST_VIEWS),
    "status": ("状态", {OPEN_STATUS: "未结（全部）", **workflow.STATUSES}),
    "level": ("风险", LEVELS),
    "customer_type": ("客户类型", CUSTOMER_TYPES),
    "channel": ("渠道", CHANNELS),
    "product": ("产品包含", {}),
    "received_from": ("收到日期起", {}),
    "received_to": ("收到日期止", {}),
    "q": ("检索", {}),
}


def describe_filters(params: QueryDict, user: User) -> str:
    """The filters in words, for the export's notes: 列表：本机构案件；渠道：电话."""
    parts = []
    for key in FILTER_KEYS:
        value = params.get(key, "").strip() or (default_view(user) if key == "view" else "")
        if key == "unit" and value:
            names = {pk: name.strip("　") for pk, name in _unit_options(user)}
            parts.append(f"受理机构：{names.get(value, value)}及下级")
        elif value:
            label, names = _FILTER_LABELS[key]
            parts.append(f"{label}：{names.get(value, value)}")
    return "；".join(parts)


def _notes(wb: Workbook, user: User, params: QueryDict, total: int, written: int) -> None:
    ws = wb.create_sheet("说明")
    ws.append(["导出时间", f"{timezone.localtime():%Y-%m-%d %H:%M}"])
    ws.append(["导出人", f"{_person(user)}（{user.username}）"])
    ws.append(["筛选条件", describe_filters(params, user)])
    ws.append(["符合条件", f"{total} 件"])
    ws.append(["已导出", f"{written} 件"])
    if total > written:
        ws.append(["提示", f"仅导出最新的 {written} 件，请缩小筛选范围后分批导出。"])
    ws.append(["个人信息", "姓名、电话、证件号码及文本中的电话、证件、卡号均已脱敏。"])


def build_workbook(
    user: User, params: QueryDict, qs: QuerySet[Case], now: datetime
) -> tuple[bytes, int, int]:
    """The .xlsx bytes of at most EXPORT_LIMIT cases of `qs`, newest first; (bytes, total, written)."""
    total = qs.count()
    rows = with_list_columns(qs, "request", "complainant__id_number").order_by("-received_at", "-id")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("投诉案件")
    ws.freeze_panes = "A2"
    for i, width in enumerate(_EXPORT_WIDTHS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    header = []
    for title in EXPORT_COLUMNS:
        cell = WriteOnlyCell(ws, title)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    written = 0
    for case in rows[:EXPORT_LIMIT].iterator(chunk_size=1000):
        ws.append(_cells(ws, _export_row(case, now)))
        written += 1
    if total > written:
        ws.append([f"仅导出最新的 {written} 件（共 {total} 件符合条件），请缩小筛选范围后分批导出。"])
    _notes(wb, user, params, total, written)
    out = BytesIO()
    wb.save(out)
    return out.getvalue(), total, written


@login_required
def case_export(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    now = timezone.now()
    try:
        qs = cases_filtered(user, parse_filters(request.GET, user), now=now)
    except InvalidInput as exc:
        return _render_list(request, user, now, exc.message)
    data, total, written = build_workbook(user, request.GET, qs, now)
    log.info("case export by %s: %d of %d cases (%s)", user.username, written, total, _query(request.GET))
    name = f"投诉案件_{timezone.localtime(now):%Y%m%d_%H%M}.xlsx"
    return HttpResponse(
        data,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": content_disposition_header(True, name)},
    )
