"""`POST /cases/{id}/transitions`: one JSON body → the matching service. No logic of its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kesu.accounts.models import User
from kesu.api.schemas import TransitionIn
from kesu.cases import services, workflow
from kesu.cases.errors import InvalidInput
from kesu.cases.models import Case
from kesu.cases.selectors import case_get
from kesu.clocks import services as clocks
from kesu.routing import services as routing


def _s(value: str | None) -> str:
    return value or ""


def _transfer(user: User, case: Case, body: TransitionIn) -> Any:
    to = User.objects.filter(username=_s(body.to)).first()
    if to is None:
        raise InvalidInput("转办须指定接收人的用户名（to），该用户不存在")
    return services.case_transfer(user=user, case=case, to=to, note=_s(body.note), version=body.version)


def _notice(user: User, case: Case, body: TransitionIn) -> Any:
    return services.case_issue_notice(
        user=user,
        case=case,
        result=_s(body.result),
        reasons=_s(body.reasons),
        basis=_s(body.basis),
        redress=_s(body.redress),
        version=body.version,
    )


def _close(user: User, case: Case, body: TransitionIn) -> Any:
    closure = workflow.Closure(
        root_cause=_s(body.root_cause),
        controllable=body.controllable,
        internal=body.internal,
        responsibility=_s(body.responsibility),
        payout_kind=_s(body.payout_kind),
        payout_amount=body.payout_amount,
        payout_basis=_s(body.payout_basis),
        lesson=_s(body.lesson),
    )
    return services.case_close(user=user, case=case, closure=closure, version=body.version)


def _merge(user: User, case: Case, body: TransitionIn) -> Any:
    if body.into is None:
        raise InvalidInput("合并须指定目标案件 id（into）")
    into = case_get(user, body.into)
    return services.case_merge(user=user, case=case, into=into, version=body.version)


Handler = Callable[[User, Case, TransitionIn], Any]
HANDLERS: dict[str, Handler] = {
    "start": lambda u, c, b: services.case_start(user=u, case=c, version=b.version),
    "transfer": _transfer,
    "accept": lambda u, c, b: services.case_accept(user=u, case=c, version=b.version),
    "decline": lambda u, c, b: services.case_decline(user=u, case=c, reason=_s(b.reason), version=b.version),
    "issue_notice": _notice,
    "resolve": lambda u, c, b: services.case_resolve(user=u, case=c, version=b.version),
    "callback": lambda u, c, b: services.case_callback(
        user=u,
        case=c,
        satisfaction=_s(b.satisfaction),
        recurred=b.recurred,
        note=_s(b.note),
        version=b.version,
    ),
    "close": _close,
    "reopen": lambda u, c, b: services.case_reopen(user=u, case=c, reason=_s(b.reason), version=b.version),
    "withdraw": lambda u, c, b: services.case_withdraw(
        user=u, case=c, reason=_s(b.reason), version=b.version
    ),
    "merge": _merge,
}
assert set(HANDLERS) == set(workflow.RULES), "every workflow action needs an API handler"


def _level(body: TransitionIn) -> int:
    if body.level is None:
        raise InvalidInput("请指定目标层级 level（0 = L1 前台，1 = L2 …）")
    return body.level


def _reassign(user: User, case: Case, body: TransitionIn) -> Any:
    to = User.objects.filter(username=_s(body.to)).first()
    if to is None:
        raise InvalidInput("改派须指定接收人的用户名（to），该用户不存在")
    return routing.case_reassign(user=user, case=case, to=to, reason=_s(body.reason), version=body.version)


def _promise(user: User, case: Case, body: TransitionIn) -> Any:
    if body.day is None:
        raise InvalidInput("请指定承诺答复日期 day（YYYY-MM-DD）")
    return clocks.promise_set(user=user, case=case, day=body.day, note=_s(body.note))


CLOCK_AND_ROUTING: dict[str, Handler] = {
    "escalate": lambda u, c, b: routing.case_escalate(
        user=u, case=c, level=_level(b), reason=_s(b.reason), version=b.version
    ),
    "deescalate": lambda u, c, b: routing.case_deescalate(
        user=u, case=c, level=_level(b), reason=_s(b.reason), version=b.version
    ),
    "reassign": _reassign,
    "request_extension": lambda u, c, b: clocks.extension_request(
        user=u, case=c, clock_id=b.clock if b.clock is not None else "", reason=_s(b.reason)
    ),
    "pause_clock": lambda u, c, b: clocks.clock_pause(user=u, case=c, reason=_s(b.reason)),
    "resume_clock": lambda u, c, b: clocks.clock_resume(user=u, case=c, note=_s(b.note)),
    "restart_clock": lambda u, c, b: clocks.clock_restart(user=u, case=c, reason=_s(b.reason)),
    "promise": _promise,
}
HANDLERS.update(CLOCK_AND_ROUTING)


def apply(user: User, case: Case, body: TransitionIn) -> None:
    handler = HANDLERS.get(body.action)
    if handler is None:
        raise InvalidInput(f"未知操作「{body.action}」，可选：{'、'.join(HANDLERS)}")
    handler(user, case, body)
