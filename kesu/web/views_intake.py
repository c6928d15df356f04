"""The fast intake page (受理): a handler records a complaint while the customer is still talking.

GET shows the form. POST saves it — the case and its attachments in one transaction, through
`services_attachments.case_intake` (→ `services.case_open`, which analyses the text, makes the
receiver the owner under 首问负责制 and writes the audit event) — and opens the case page.

POST with `check=1` saves nothing: it is the page's live check and answers JSON — the legally
required elements still missing (`intake.missing_elements`, the same rule the case page shows),
the problems with fields typed so far, and open cases of the same complainant with a similar text.

A likely duplicate is offered before saving: 「合并到该案件」 records the call as its own complaint
(its time, channel, text and files stay on record and count in the repeat-complaint figures) and
merges it at once into the open case (`services.case_merge`), which is not rewritten; or
「仍作为新投诉登记」. Merging follows the workflow table: only 投诉专员、主管、消保专员 may merge,
so a 坐席 sees the button disabled with that reason and the duplicate stays flagged on the case page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from kesu.accounts.models import User
from kesu.cases import intake, workflow
from kesu.cases.errors import DomainError, NotFound
from kesu.cases.masking import mask_text
from kesu.cases.models import Case
from kesu.cases.selectors import case_get, complainant_find, likely_duplicates, visible_cases
from kesu.cases.services_attachments import ACCEPTED_HINT, case_intake
from kesu.web.forms_intake import IntakeForm, missing_from_data

TEMPLATE = "web/intake/new.html"


@dataclass(frozen=True)
class Candidate:
    case: Case
    similarity: float
    excerpt: str


@dataclass(frozen=True)
class Offer:
    """Likely duplicates the user may see, and whether this user may merge into one of them."""

    candidates: list[Candidate] = field(default_factory=list)
    merge_allowed: bool = False
    merge_reason: str = ""


def _refusal(user: User) -> str:
    if user.role not in workflow.HANDLING:
        label = workflow.ROLE_LABELS.get(user.role, user.role)
        return f"登记投诉须由坐席、投诉专员、主管或消保专员办理，您的角色是{label}。"
    if user.unit is None:
        return "您的账号尚未分配机构，不能登记投诉。请联系系统管理员。"
    return ""


def _offer(user: User, *, phone: str, id_number: str, text: str) -> Offer:
    who = complainant_find(phone=phone, id_number=id_number) if (phone or id_number) else None
    if who is None or not text.strip():
        return Offer()
    found = likely_duplicates(complainant=who, text=text)
    shown = visible_cases(user).in_bulk([d.case.pk for d in found])  # never reveal other branches' cases
    candidates = [
        Candidate(shown[d.case.pk], d.similarity, mask_text(shown[d.case.pk].text[:80]))
        for d in found
        if d.case.pk in shown
    ]
    verdict = workflow.decide("merge", workflow.CaseState("received"), workflow.Actor(user.role, True))
    reason = "" if verdict.allowed else verdict.reason
    return Offer(candidates[:3], verdict.allowed, reason)


def _offer_for(user: User, form: IntakeForm) -> Offer:
    data = form.cleaned_data
    return _offer(
        user,
        phone=data.get("complainant_phone", ""),
        id_number=data.get("complainant_id_number", ""),
        text=data.get("text") or str(form.data.get("text", "")),
    )


def _check(request: HttpRequest, user: User) -> JsonResponse:
    form = IntakeForm(user, request.POST)
    form.is_valid()
    offer = _offer_for(user, form)
    errors = {k: [str(e) for e in v] for k, v in form.errors.items() if k not in ("attachments", "__all__")}
    return JsonResponse(
        {
            "missing": [{"key": m.key, "message": m.message} for m in missing_from_data(request.POST)],
            "errors": errors,
            "duplicates": len(offer.candidates),
            "duplicates_html": render_to_string("web/intake/_duplicates.html", {"offer": offer}, request),
        }
    )


def _announce(request: HttpRequest, case: Case, target: Case | None) -> None:
    files = case.attachments.count()
    attached = f"，附件 {files} 个" if files else ""
    if target is not None:
        messages.success(
            request,
            f"本次投诉已登记为 {case.number}{attached}，并已合并到本案件 {target.number}，"
            f"由本案件负责人{target.owner.display_name}统一处理。",
        )
        return
    messages.success(
        request,
        f"投诉已登记为 {case.number}{attached}，已完成分析。您是首问责任人，在同事接收前由您负责。",
    )
    missing = intake.missing_elements(case.intake_elements())
    if missing:
        listed = "；".join(m.message for m in missing)
        messages.warning(request, f"受理要素尚缺 {len(missing)} 项：{listed}。请向投诉人补充后完善受理信息。")


def _save(request: HttpRequest, user: User, form: IntakeForm) -> HttpResponse | None:
    """Save the complaint (merged into a chosen case if asked); None when the form must come back."""
    choice = request.POST.get("duplicate_choice", "")
    target = None
    if choice.startswith("merge:"):
        try:
            target = case_get(user, choice.removeprefix("merge:"))
        except NotFound as exc:
            form.add_error(None, exc.message)
            return None
    try:
        case = case_intake(
            user=user,
            files=form.cleaned_data["attachments"],
            kind=form.cleaned_data.get("attachment_kind") or "auto",
            merge_into=target,
            **form.case_fields(),
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return None
    _announce(request, case, target)
    return redirect("case_detail", case_id=(target or case).pk)


def _context(request: HttpRequest, form: IntakeForm, offer: Offer | None) -> dict[str, Any]:
    data = form.data if form.is_bound else {"channel": "phone", "received_at": "now"}
    return {
        "form": form,
        "offer": offer,
        "missing": missing_from_data(data),
        "files_dropped": bool(form.is_bound and request.FILES),
        "max_mb": settings.KESU_ATTACHMENT_MAX_BYTES // (1024 * 1024),
        "max_bytes": settings.KESU_ATTACHMENT_MAX_BYTES,
        "accepted_hint": ACCEPTED_HINT,
    }


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    """GET: the intake form. POST: save (or, with check=1, only check) what was typed."""
    user: User = request.user  # type: ignore[assignment]
    refusal = _refusal(user)
    if refusal:
        return render(request, "web/intake/refused.html", {"reason": refusal}, status=403)
    if request.method == "POST" and request.POST.get("check"):
        return _check(request, user)
    form = IntakeForm(user, request.POST or None, request.FILES or None)
    offer = None
    if request.method == "POST" and form.is_valid():
        offer = _offer_for(user, form)
        if not offer.candidates or request.POST.get("duplicate_choice"):
            saved = _save(request, user, form)
            if saved is not None:
                return saved
    return render(request, TEMPLATE, _context(request, form, offer))
