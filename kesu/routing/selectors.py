"""Reads for escalation and routing: the configured ladder and policy, a case's facts, suggestions."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Count, Q

from kesu.accounts.models import OrgUnit, User
from kesu.cases import workflow
from kesu.cases.models import Case
from kesu.clocks.config_cache import cached
from kesu.routing import assign, escalation
from kesu.routing.conflicts import respondents
from kesu.routing.ladder import Ladder, LadderError, default_ladder, parse_ladder
from kesu.routing.models import PolicyConfig, StaffProfile, TierConfig

log = logging.getLogger(__name__)


def config_problems() -> list[str]:
    """What is wrong with the configured ladder or policy (shown to admins); [] when all is well."""
    try:
        lad = _configured_ladder()
    except LadderError as exc:
        return [f"升级层级配置有误，暂按默认层级运行：{exc}"]
    row = PolicyConfig.objects.order_by("-updated_at").first()
    if row is None:
        return []
    try:
        problems = escalation.validate_policy(escalation.parse_policy(row.data), lad)
    except escalation.PolicyError as exc:
        problems = [str(exc)]
    return [f"升级策略配置有误，暂按默认策略运行：{p}" for p in problems]


def _configured_ladder() -> Ladder:
    rows = [r.as_row() for r in TierConfig.objects.order_by("level")]
    return parse_ladder(rows) if rows else default_ladder()


def ladder() -> Ladder:
    """The organisation's ladder (admin rows), else — also when the rows are broken — the default."""
    return cached("ladder", _ladder)


def _ladder() -> Ladder:
    try:
        return _configured_ladder()
    except LadderError:
        log.error("escalation ladder misconfigured; using the default ladder")
        return default_ladder()


def policy() -> escalation.Policy:
    """The organisation's policy, else — also when it does not fit the ladder — the default."""
    return cached("policy", _policy)


def _policy() -> escalation.Policy:
    row = PolicyConfig.objects.order_by("-updated_at").first()
    if row is None:
        return escalation.default_policy()
    try:
        pol = escalation.parse_policy(row.data)
    except escalation.PolicyError:
        log.error("escalation policy misconfigured; using the default policy")
        return escalation.default_policy()
    if escalation.validate_policy(pol, ladder()):
        log.error("escalation policy does not fit the ladder; using the default policy")
        return escalation.default_policy()
    return pol


def level_label(level: int, lad: Ladder | None = None) -> str:
    lad = lad or ladder()
    try:
        tier = lad.tier(level)
    except Exception:
        return f"L{level + 1}"
    return f"{tier.code} {tier.name}"


def _profile(user: User) -> StaffProfile | None:
    return StaffProfile.objects.filter(user=user).first()


def authority_limit(user: User, lad: Ladder) -> Decimal | None:
    """How much `user` may grant: their own limit, else their tier's (None: no limit)."""
    prof = _profile(user)
    if prof is not None and prof.compensation_limit is not None:
        return prof.compensation_limit
    level = prof.level if prof is not None and prof.level is not None else lad.level_of_role(user.role)
    if level is None:
        return Decimal(0)
    return lad.tier(level).compensation_limit


def _amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def demanded_amount(analysis: dict[str, Any]) -> Decimal | None:
    """The largest sum the customer asks for (the engine's demands with an amount)."""
    amounts = [_amount(d.get("amount")) for d in analysis.get("demands") or [] if d.get("amount")]
    found = [a for a in amounts if a is not None]
    return max(found) if found else None


def signals(analysis: dict[str, Any]) -> tuple[escalation.Signal, ...]:
    return tuple(
        escalation.Signal(str(s.get("type", "")), str(s.get("status", "")), str(s.get("evidence", "")))
        for s in (analysis.get("risk") or {}).get("signals") or []
    )


def identities(
    case: Case, sigs: tuple[escalation.Signal, ...], flags: Iterable[tuple[str, str]] | None = None
) -> frozenset[str]:
    """Special identities and vulnerability: from the engine's signals and from confirmed flags
    (`flags`: the complainant's (kind, note) pairs when the caller has read them already)."""
    found: set[str] = set()
    for s in sigs:
        if s.status != "mention" and s.type in ("special_identity", "vulnerable"):
            found |= escalation.identity_kinds(s.evidence) or (
                {"vulnerable"} if s.type == "vulnerable" else set()
            )
    if flags is None:
        flags = case.complainant.flags.values_list("kind", "note")
    for kind, note in flags:
        if kind == "vulnerable":
            found.add("vulnerable")
        elif kind == "special_identity":
            found |= escalation.identity_kinds(note)
    return frozenset(found)


def facts(
    case: Case,
    *,
    clock_threshold: int = 0,
    resources: str = "",
    with_authority: bool = True,
    flags: Iterable[tuple[str, str]] | None = None,
) -> escalation.Facts:
    """What the escalation rules look at (`flags`: see `identities`)."""
    sigs = signals(case.analysis or {})
    return escalation.Facts(
        level=case.escalation_level,
        signals=sigs,
        demanded_amount=demanded_amount(case.analysis or {}) if with_authority else None,
        owner_limit=authority_limit(case.owner, ladder()) if with_authority else None,
        clock_threshold=clock_threshold,
        identities=identities(case, sigs, flags),
        resources=resources,
    )


def proposal(case: Case) -> escalation.Proposal | None:
    """What the rules say now (shown on the case page; risk and identity are applied at intake)."""
    if case.status in workflow.FINISHED_STATUSES:
        return None
    threshold = max(
        case.clocks.filter(ended="", key__in=("decision", "mediation")).values_list("threshold", flat=True),
        default=0,
    )
    return escalation.propose(facts(case, clock_threshold=threshold), ladder(), policy())


def candidates(case: Case) -> list[assign.Candidate]:
    """People who could handle `case`: handling roles at its unit or above, with their load."""
    lad = ladder()
    ids = case.unit.ancestor_ids()
    people = (
        User.objects.filter(is_active=True, role__in=workflow.HANDLING, unit_id__in=ids)
        .select_related("unit", "staff_profile")
        .annotate(load=Count("cases_owned", filter=Q(cases_owned__status__in=workflow.OPEN)))
    )
    out = []
    for u in people:
        prof = getattr(u, "staff_profile", None)
        level = prof.level if prof is not None and prof.level is not None else lad.level_of_role(u.role)
        out.append(
            assign.Candidate(
                user_id=u.pk,
                name=u.display_name,
                role=u.role,
                unit_path=u.unit.path if u.unit else "",
                level=level if level is not None else 0,
                skills=prof.skill_set() if prof is not None else frozenset(),
                open_cases=u.load,
                capacity=prof.capacity if prof is not None else 30,
            )
        )
    return out


def nearest_people(unit: OrgUnit, roles: frozenset[str]) -> list[User]:
    """For each role, the active people holding it at the nearest unit (the unit itself, then
    upwards) that has any: who is told about a case, who takes it at a tier."""
    ids = unit.ancestor_ids()
    found = list(User.objects.filter(is_active=True, role__in=roles, unit_id__in=ids))
    out: list[User] = []
    for role in sorted(roles):
        of_role = [u for u in found if u.role == role]
        nearest = next((uid for uid in ids if any(u.unit_id == uid for u in of_role)), None)
        out += [u for u in of_role if u.unit_id == nearest]
    return out


def suggestions(case: Case, limit: int = 5) -> list[assign.Suggestion]:
    users, paths = respondents(case)
    skills = {case.industry, case.product} | {
        str((case.analysis.get("predictions") or {}).get("category", {}).get("label", ""))
    }
    need = assign.Need(
        level=case.escalation_level,
        skills=frozenset(s for s in skills if s),
        case_unit_path=case.unit.path,
        respondent_user_ids=users,
        respondent_unit_paths=paths,
        current_owner_id=case.owner_id,
    )
    return assign.suggest(need, candidates(case), limit)
