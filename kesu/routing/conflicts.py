"""回避: who may not handle or approve a case because the complaint is about them or their unit.

Used by every service that lets someone handle, receive or approve a case. Nothing here imports
the case services (they import this module).
"""

from __future__ import annotations

from kesu.accounts.models import User
from kesu.cases.errors import Forbidden
from kesu.cases.models import Case
from kesu.routing.assign import conflict_reason
from kesu.routing.models import Respondent


def respondents(case: Case) -> tuple[frozenset[int], frozenset[str]]:
    """Ids of the people and materialised paths of the units the complaint is about."""
    users: set[int] = set()
    paths: set[str] = set()
    for user_id, path in Respondent.objects.filter(case_id=case.pk).values_list("user_id", "unit__path"):
        if user_id:
            users.add(int(user_id))
        if path:
            paths.add(str(path))
    return frozenset(users), frozenset(paths)


def conflict_for(user: User, case: Case) -> str | None:
    """Why `user` must withdraw from `case`, or None."""
    users, paths = respondents(case)
    if not users and not paths:
        return None
    return conflict_reason(user.pk, user.unit.path if user.unit else "", users, paths)


def ensure_no_conflict(user: User, case: Case, doing: str) -> None:
    """Refuse (Forbidden, in Chinese) when `user` must withdraw from `case`."""
    reason = conflict_for(user, case)
    if reason:
        raise Forbidden(f"回避：{reason}，不能{doing}本案件。请转交无利害关系的同事办理。")
