"""Who may take a case (回避) and who should: suggestions by level, skill and workload.

Units are materialised paths ("/1/4/9/"): a unit covers every unit whose path starts with its own.
回避: the person complained about, and anyone in the complained-about unit or below it, may never
handle or approve the case; a person at a higher unit (the unit's management) may.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kesu.routing.ladder import level_code

# Ranking: level fit first (exact level > one above > two above …, halving the score each step),
# then within a level 60 % skill overlap and 40 % free capacity.
SKILL_WEIGHT = 0.6
LOAD_WEIGHT = 0.4
# Display words for industry keys (contract.md); other skills (products, categories) show as is.
SKILL_WORDS = {
    "banking": "银行",
    "insurance": "保险",
    "securities": "证券",
    "telecom": "电信",
    "ecommerce": "电商",
    "general": "通用",
}


@dataclass(frozen=True)
class Candidate:
    user_id: int
    name: str
    role: str
    unit_path: str
    level: int
    skills: frozenset[str]
    open_cases: int
    capacity: int
    active: bool = True


@dataclass(frozen=True)
class Need:
    level: int
    skills: frozenset[str]
    case_unit_path: str
    respondent_user_ids: frozenset[int] = frozenset()
    respondent_unit_paths: frozenset[str] = frozenset()
    current_owner_id: int | None = None


@dataclass(frozen=True)
class Suggestion:
    user_id: int
    name: str
    score: float
    reasons: tuple[str, ...]


def _path(path: str) -> str:
    """ "1/4" or "/1/4" → "/1/4/"; "" stays "" (no unit)."""
    path = path.strip().strip("/")
    return f"/{path}/" if path else ""


def covers(upper: str, lower: str) -> bool:
    """True when unit `lower` is unit `upper` or lies below it."""
    upper, lower = _path(upper), _path(lower)
    return bool(upper) and lower.startswith(upper)


def conflict_reason(
    user_id: int,
    unit_path: str,
    respondent_user_ids: frozenset[int],
    respondent_unit_paths: frozenset[str],
) -> str | None:
    """Why this person must withdraw from the case (回避), or None."""
    if user_id in respondent_user_ids:
        return "您是本案的被投诉人员，须回避"
    unit = _path(unit_path)
    respondents = {_path(p) for p in respondent_unit_paths} - {""}
    if unit and unit in respondents:
        return "您所在机构是本案的被投诉机构，须回避"
    if any(covers(p, unit) for p in respondents):
        return "您所在机构隶属于本案的被投诉机构，须回避"
    return None


def suggest(need: Need, candidates: Sequence[Candidate], limit: int = 5) -> list[Suggestion]:
    """The best `limit` people to take the case, best first, each with the reasons for its place.

    Left out: inactive people, anyone who must withdraw (回避), anyone below the case's level, at
    full capacity, the current owner, and anyone whose unit is not the case's unit or above it (a
    person without a unit is left out too; a case without a unit accepts any unit). Ranked by
    level fit (exactly the case's level first; each level above halves the score), then skill
    overlap and free capacity; ties by user id.
    """
    ranked: list[tuple[int, float, int, Suggestion]] = []
    for person in candidates:
        if not _eligible(need, person):
            continue
        distance = person.level - need.level
        match, reasons = _match(need, person)
        score = (1 + match) / 2 ** (distance + 1)
        suggestion = Suggestion(person.user_id, person.name, round(score, 3), reasons)
        ranked.append((distance, -round(match, 9), person.user_id, suggestion))
    ranked.sort(key=lambda row: row[:3])
    return [row[3] for row in ranked[: max(limit, 0)]]


def _eligible(need: Need, person: Candidate) -> bool:
    if not person.active or person.user_id == need.current_owner_id:
        return False
    if person.level < need.level or person.capacity <= 0 or person.open_cases >= person.capacity:
        return False
    if _path(need.case_unit_path) and not covers(person.unit_path, need.case_unit_path):
        return False
    conflict = conflict_reason(
        person.user_id, person.unit_path, need.respondent_user_ids, need.respondent_unit_paths
    )
    return conflict is None


def _match(need: Need, person: Candidate) -> tuple[float, tuple[str, ...]]:
    """Skill overlap and free capacity (0–1) and the reasons a supervisor reads."""
    if person.level == need.level:
        reasons = [f"层级 {level_code(person.level)} 与案件相符"]
    else:
        reasons = [f"层级 {level_code(person.level)}，高于案件所需的 {level_code(need.level)}"]
    wanted = {s.casefold(): s for s in need.skills if s.strip()}
    known = {s.casefold() for s in person.skills}
    shared = [wanted[k] for k in wanted.keys() & known]
    skill = len(shared) / len(wanted) if wanted else 0.0
    if shared:
        reasons.append("熟悉：" + _skill_words(shared))
    elif wanted:
        reasons.append("未登记所需专长：" + _skill_words(wanted.values()))
    load = 1 - person.open_cases / person.capacity
    reasons.append(f"当前在办 {person.open_cases} 件 / 上限 {person.capacity}")
    return SKILL_WEIGHT * skill + LOAD_WEIGHT * load, tuple(reasons)


def _skill_words(skills: Iterable[str]) -> str:
    return "、".join(sorted(SKILL_WORDS.get(s, s) for s in skills))
