"""Everything the case page shows, built from the case, its analysis and its history.

The view stays thin: it calls `case_page_context(user, case)` and renders. The complaint text is
marked up here from the analysis' evidence spans; only this module's own escaped output is marked
safe.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kesu.accounts.models import User
from kesu.analysis.pii import mask_in_place
from kesu.cases import intake, workflow
from kesu.cases.masking import mask_text, masked_person
from kesu.cases.models import CHANNELS, CONTACT_KINDS, FLAG_KINDS, INDUSTRIES, RISK_LEVELS, Case, CaseEvent
from kesu.cases.selectors import case_state, complainant_history, transfer_candidates, visible_cases
from kesu.cases.services_comms import EVENT_LABELS as COMMS_EVENT_LABELS
from kesu.routing.selectors import level_label
from kesu.web import analysis_labels as L
from kesu.web.clock_context import clocks_card, routing_card

log = logging.getLogger(__name__)
_PRIORITY = {"risk": 3, "demand": 2, "emotion": 1}
"""Where evidence spans overlap, the risk signal wins, then the demand."""


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # risk | demand | emotion
    title: str


def evidence_spans(analysis: dict[str, Any], length: int) -> list[Span]:
    """The risk, demand and emotion spans of an analysis that fall inside a text of `length`."""
    risk = analysis.get("risk") or {}
    found: list[Span] = []
    for s in risk.get("signals", []):
        label = L.SIGNAL_STATUS.get(s.get("status"), "") + L.SIGNALS.get(s.get("type"), s.get("type", ""))
        found.append(Span(s.get("start", -1), s.get("end", -1), "risk", f"风险：{label}"))
    for d in analysis.get("demands", []):
        found.append(Span(d.get("start", -1), d.get("end", -1), "demand", "诉求：" + L.demand_label(d)))
    for e in (analysis.get("emotion") or {}).get("spans", []):
        found.append(Span(e.get("start", -1), e.get("end", -1), "emotion", "情绪线索"))
    return [s for s in found if isinstance(s.start, int) and 0 <= s.start < s.end <= length]


def highlight(text: str, analysis: dict[str, Any]) -> SafeString:
    """`text` masked (same length, so offsets hold) and escaped, with evidence wrapped in <mark>."""
    shown = mask_in_place(text)
    # The engine reads the masked twin: a run of mask stars is no evidence of anything.
    spans = [s for s in evidence_spans(analysis, len(shown)) if shown[s.start : s.end].strip("*")]
    cuts = sorted({0, len(shown), *(s.start for s in spans), *(s.end for s in spans)})
    out: list[str] = []
    for a, b in pairwise(cuts):
        covering = [s for s in spans if s.start <= a and b <= s.end]
        piece = escape(shown[a:b])
        if covering:
            top = max(covering, key=lambda s: _PRIORITY[s.kind])
            titles = "；".join(dict.fromkeys(s.title for s in covering))
            piece = f'<mark class="{top.kind}" title="{escape(titles)}">{piece}</mark>'
        out.append(piece)
    # Safe: every piece above went through escape(); the tags are this function's own.
    return mark_safe("".join(out))


def _header(case: Case) -> dict[str, Any]:
    now = timezone.now()
    open_case = case.status not in workflow.FINISHED_STATUSES and case.status != "callback_done"
    return {
        "risk_label": RISK_LEVELS.get(case.risk_level, "未评估"),
        "channel_label": CHANNELS.get(case.channel, "未记录"),
        "industry_label": INDUSTRIES.get(case.industry, "未记录"),
        "complainant": masked_person(
            case.complainant.name, case.complainant.phone, case.complainant.id_number
        ),
        "overdue": bool(case.due_at and case.due_at < now and open_case and case.status != "resolved"),
        "escalation_label": level_label(case.escalation_level),
    }


def _profile(user: User, case: Case) -> dict[str, Any]:
    history = complainant_history(case.complainant, exclude_id=case.pk)
    earlier = (
        visible_cases(user)
        .filter(complainant=case.complainant)
        .exclude(pk=case.pk)
        .defer("analysis", "search_text")
        .order_by("-received_at")[:10]
    )
    return {
        "count": history["count"],
        "open": history["open"],
        "channels": [(CHANNELS.get(k, "未记录"), n) for k, n in history["channels"].items()],
        "statuses": [(workflow.STATUSES.get(k, k), n) for k, n in history["statuses"].items()],
        "earlier": [
            {
                "case": c,
                "channel": CHANNELS.get(c.channel, "未记录"),
                "risk": RISK_LEVELS.get(c.risk_level, ""),
                "satisfaction": workflow.SATISFACTION.get(c.callback_satisfaction, ""),
                "root_cause": workflow.ROOT_CAUSES.get(c.root_cause, ""),
            }
            for c in earlier
        ],
        "hidden": max(history["count"] - len(earlier), 0),
        "prior_malicious": _prior_malicious(case),
        "flags": [
            {
                "kind": FLAG_KINDS.get(f.kind, f.kind),
                "note": f.note,
                "at": f.at,
                "by": f.by.get_full_name() or f.by.username,
            }
            for f in case.complainant.flags.select_related("by")[:20]
        ],
        "flag_kinds": list(FLAG_KINDS.items()),
        "can_flag": user.role in workflow.REVIEWING and case.status not in workflow.FINISHED_STATUSES,
    }


def _prior_malicious(case: Case) -> list[str]:
    """The engine's history indicator, fed by flags people confirmed (ComplainantFlag)."""
    indicators = (case.analysis.get("malicious") or {}).get("indicators", [])
    return [i.get("description", "") for i in indicators if i.get("key") == "prior_malicious"]


def _plan(analysis: dict[str, Any]) -> dict[str, Any] | None:
    if not analysis or "error" in analysis:
        return None
    try:
        from kesu.knowledge import build_plan

        return build_plan(analysis).to_dict()
    except Exception:  # a broken plan must not take the case page down
        log.exception("handling plan failed")
        return None


def _value(field: str, value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    labels = {
        "status": workflow.STATUSES,
        "callback_satisfaction": workflow.SATISFACTION,
        "root_cause": workflow.ROOT_CAUSES,
        "payout_kind": workflow.PAYOUT_KINDS,
        "risk_level": RISK_LEVELS,
        "channel": CHANNELS,
        "industry": INDUSTRIES,
    }.get(field)
    if field == "escalation_level" and isinstance(value, int):
        return level_label(value)
    return labels.get(str(value), str(value)) if labels else mask_text(str(value))


def _field_label(field: str) -> str:
    try:
        return str(Case._meta.get_field(field).verbose_name)
    except Exception:
        return {"attachment": "附件", "merged_cases": "并入的案件"}.get(field, field)


_PERSON_FIELDS = frozenset({"owner", "transfer_to", "received_by"})


def _old_new(change: Any) -> tuple[Any, Any]:
    return (change.get("old"), change.get("new")) if isinstance(change, dict) else (None, change)


def _people_names(events: list[CaseEvent]) -> dict[Any, str]:
    """Usernames recorded in the trail's person fields → display names ("（空）" for none)."""
    wanted = {
        x for e in events for k, v in (e.changes or {}).items() if k in _PERSON_FIELDS for x in _old_new(v)
    }
    users = User.objects.filter(username__in=[w for w in wanted if isinstance(w, str)])
    return {None: "（空）", "": "（空）", **{u.username: u.display_name for u in users}}


def audit_rows(case: Case) -> list[dict[str, Any]]:
    """The audit trail, oldest first, in words: who, when, what, each field's old → new, note."""
    labels = {**workflow.EVENT_LABELS, **COMMS_EVENT_LABELS}
    events = list(CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "id"))
    names = _people_names(events)
    rows = []
    for e in events:
        changes = [
            (
                _field_label(k),
                *(names.get(x, x) if k in _PERSON_FIELDS else _value(k, x) for x in _old_new(v)),
            )
            for k, v in (e.changes or {}).items()
        ]
        rows.append(
            {
                "at": e.at,
                "actor": e.actor.display_name if e.actor else "系统",
                "action": labels.get(e.action, e.action),
                "changes": changes,
                "note": mask_text(e.note),
            }
        )
    return rows


def _verdicts(user: User, case: Case) -> dict[str, workflow.Verdict]:
    state = case_state(case)
    actor = workflow.Actor(user.role, case.owner_id == user.pk, case.transfer_to_id == user.pk)
    return {r.action: workflow.decide(r.action, state, actor) for r in workflow.TABLE}


def _replies(case: Case) -> list[dict[str, Any]]:
    rule_labels = L.reply_rule_labels()
    out = []
    for r in case.replies.select_related("by").order_by("-created_at", "-id"):
        findings = (r.findings or {}).get("findings", [])
        via = (r.findings or {}).get("sent_via") or {}
        out.append(
            {
                "reply": r,
                "text": mask_text(r.text),
                "findings": [{**f, "label": rule_labels.get(f["rule"], f["rule"])} for f in findings],
                "via": CONTACT_KINDS.get(via.get("kind", ""), ""),
            }
        )
    return out


def _callback_scripts(plan: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The plan's scripts for the sixth step (跟进与回访), shown on the callback form."""
    steps = (plan or {}).get("steps") or []
    return next((list(s.get("scripts") or []) for s in steps if s.get("key") == "follow_up"), [])


def case_page_context(user: User, case: Case) -> dict[str, Any]:
    """The template context of the case page for `user`."""
    analysis = case.analysis or {}
    verdicts = _verdicts(user, case)
    plan = _plan(analysis)
    return {
        "case": case,
        "head": _header(case),
        "marked_text": highlight(case.text, analysis),
        "analysis": analysis,
        "view": L.analysis_view(analysis) if analysis and "error" not in analysis else None,
        "missing": intake.missing_elements(case.intake_elements()),
        "profile": _profile(user, case),
        "plan": plan,
        "callback_scripts": _callback_scripts(plan),
        "verdicts": verdicts,
        "allowed": {k for k, v in verdicts.items() if v.allowed},
        "buttons": [(k, workflow.ACTION_LABELS.get(k, k), v) for k, v in verdicts.items()],
        "candidates": transfer_candidates(case) if verdicts["transfer"].allowed else [],
        "notices": list(case.notices.select_related("issued_by")),
        "contacts": list(case.contacts.select_related("by")),
        "replies": _replies(case),
        "audit": audit_rows(case),
        "clocks": clocks_card(user, case),
        "routing": routing_card(user, case),
        "can_handle": user.role in workflow.HANDLING,
        "rule_labels": L.reply_rule_labels(),
        "choices": {
            "contact_kinds": CONTACT_KINDS,
            "satisfaction": workflow.SATISFACTION,
            "root_causes": workflow.ROOT_CAUSES,
            "payout_kinds": workflow.PAYOUT_KINDS,
        },
    }
