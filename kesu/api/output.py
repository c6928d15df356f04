"""The case as the API shows it. Personal data is masked here, on every path out."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kesu.accounts.models import OrgUnit, User
from kesu.cases import workflow
from kesu.cases.intake import missing_elements
from kesu.cases.masking import mask_id_number, mask_name, mask_phone, mask_text
from kesu.cases.models import Case, Complainant
from kesu.cases.selectors import case_state, likely_duplicates
from kesu.clocks.selectors import case_clocks


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"username": user.username, "name": user.display_name, "role": user.role}


def _unit(unit: OrgUnit) -> dict[str, Any]:
    return {"id": unit.pk, "code": unit.code, "name": unit.name}


def complainant_out(who: Complainant) -> dict[str, Any]:
    return {
        "name": mask_name(who.name),
        "phone": mask_phone(who.phone),
        "id_number": mask_id_number(who.id_number),
    }


def masked(value: Any) -> Any:
    """Every string inside `value` with phone, ID and card numbers masked."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [masked(v) for v in value]
    if isinstance(value, dict):
        return {k: masked(v) for k, v in value.items()}
    return value


def _time(value: Any) -> str:
    return timezone.localtime(value).isoformat() if value else ""


def _events(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "at": _time(e.at),
            "actor": _person(e.actor),
            "action": e.action,
            "action_label": workflow.EVENT_LABELS.get(e.action, e.action),
            "changes": masked(e.changes),
            "note": mask_text(e.note),
        }
        for e in case.events.select_related("actor").order_by("at", "id")
    ]


def _closure(case: Case) -> dict[str, Any] | None:
    if not case.root_cause:
        return None
    return {
        "root_cause": case.root_cause,
        "controllable": case.cause_controllable,
        "internal": case.cause_internal,
        "responsibility": mask_text(case.responsibility),
        "payout_kind": case.payout_kind,
        "payout_amount": str(case.payout_amount) if case.payout_amount is not None else None,
        "payout_basis": case.payout_basis,
        "lesson": mask_text(case.lesson),
    }


def _actions(case: Case, user: User) -> list[dict[str, str]]:
    state = case_state(case)
    actor = workflow.Actor(user.role, case.owner_id == user.pk, case.transfer_to_id == user.pk)
    return [{"action": a, "label": workflow.ACTION_LABELS[a]} for a in workflow.allowed_actions(state, actor)]


def case_summary(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "status": case.status,
        "status_label": case.status_label,
        "risk_level": case.risk_level,
        "channel": case.channel,
        "received_at": _time(case.received_at),
        "owner": _person(case.owner),
        "unit": _unit(case.unit),
        "complainant": complainant_out(case.complainant),
        "excerpt": mask_text(case.title or case.text[:80]),
    }


def _clocks(case: Case) -> list[dict[str, Any]]:
    """Every clock of the case: contract keys `name`, `due_at`, `state`, and what remains."""
    out = []
    for view in case_clocks(case.pk, case.unit):
        st = view.status
        out.append(
            {
                "name": view.clock.name,
                "due_at": _time(st.due_at) if st else None,
                "state": view.state,
                "key": view.clock.key,
                "state_label": view.state_label,
                "remaining": st.remaining_text if st and not view.clock.ended else "",
                "percent": st.percent if st else 0,
                "source": view.spec.source,
                "extensions": view.clock.extensions,
                "uncertain": view.uncertain,
            }
        )
    return out


def case_detail(case: Case, user: User) -> dict[str, Any]:
    """Everything about one case that `user` (who may see it) is shown."""
    dups = likely_duplicates(complainant=case.complainant, text=case.text, exclude_id=case.pk)
    return {
        **case_summary(case),
        "version": case.version,
        "transfer_to": _person(case.transfer_to),
        "industry": case.industry,
        "title": mask_text(case.title),
        "text": mask_text(case.text),
        "product": case.product,
        "respondent": mask_text(case.respondent),
        "request": mask_text(case.request),
        "analysis": masked(case.analysis),
        "clocks": _clocks(case),
        "missing_elements": [
            {"key": m.key, "message": m.message} for m in missing_elements(case.intake_elements())
        ],
        "duplicates": [
            {"id": d.case.pk, "number": d.case.number, "similarity": round(d.similarity, 2)} for d in dups
        ],
        "actions": _actions(case, user),
        "notices": [
            {
                "result": mask_text(n.result),
                "reasons": mask_text(n.reasons),
                "basis": n.basis,
                "redress": n.redress,
                "issued_at": _time(n.issued_at),
            }
            for n in case.notices.all()
        ],
        "closure": _closure(case),
        "events": _events(case),
    }
