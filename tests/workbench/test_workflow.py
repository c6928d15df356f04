"""The transition table (pure): every action allowed or refused per status and role, with reasons."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kesu.cases import workflow
from kesu.cases.workflow import Actor, CaseState, Closure, Notice, decide

ALL_STATUSES = tuple(workflow.STATUSES)
# The specification as a complaint manager would write it: from which statuses each action works.
SOURCES = {
    "start": {"received"},
    "transfer": {"received", "in_progress"},
    "accept": {"received", "in_progress"},
    "decline": {"received", "in_progress"},
    "issue_notice": {"in_progress"},
    "resolve": {"in_progress"},
    "callback": {"resolved"},
    "close": {"resolved", "callback_done"},
    "reopen": {"resolved", "callback_done", "closed"},
    "withdraw": {"received", "in_progress"},
    "merge": {"received", "in_progress"},
}
TARGETS = {
    "start": "in_progress", "transfer": None, "accept": "in_progress", "decline": None, "issue_notice": None,
    "resolve": "resolved", "callback": "callback_done", "close": "closed", "reopen": "in_progress",
    "withdraw": "withdrawn", "merge": "merged",
}  # fmt: skip
# Which roles may perform each action at all.
ROLES = {
    "start": {"handler", "specialist", "supervisor", "cpo"},
    "transfer": {"handler", "specialist", "supervisor", "cpo"},
    "accept": {"handler", "specialist", "supervisor", "cpo"},
    "decline": {"handler", "specialist", "supervisor", "cpo"},
    "issue_notice": {"handler", "specialist", "supervisor", "cpo"},
    "resolve": {"handler", "specialist", "supervisor", "cpo"},
    "callback": {"handler", "specialist", "supervisor", "cpo"},
    "close": {"specialist", "supervisor", "cpo"},
    "reopen": {"supervisor", "cpo"},
    "withdraw": {"handler", "specialist", "supervisor", "cpo"},
    "merge": {"specialist", "supervisor", "cpo"},
}


def _best_state(action: str, status: str) -> CaseState:
    """The state in which only the status can stand in the way."""
    pending = action in ("accept", "decline")
    return CaseState(status, has_pending_transfer=pending, notice_issued=True)


def _best_actor(role: str) -> Actor:
    return Actor(role, is_owner=True, is_transfer_target=True)


def test_table_covers_exactly_the_specified_actions() -> None:
    assert set(workflow.RULES) == set(SOURCES) == set(ROLES)


@pytest.mark.parametrize("action", sorted(SOURCES))
@pytest.mark.parametrize("status", ALL_STATUSES)
def test_action_allowed_only_from_its_statuses(action: str, status: str) -> None:
    verdict = decide(action, _best_state(action, status), _best_actor("cpo"))
    assert verdict.allowed == (status in SOURCES[action]), verdict.reason
    if verdict.allowed:
        assert verdict.target == TARGETS[action]
    else:
        assert workflow.STATUSES[status] in verdict.reason  # the refusal names the current status


@pytest.mark.parametrize("action", sorted(SOURCES))
@pytest.mark.parametrize("role", sorted(workflow.ROLE_LABELS))
def test_action_allowed_only_for_its_roles(action: str, role: str) -> None:
    status = sorted(SOURCES[action])[0]
    verdict = decide(action, _best_state(action, status), _best_actor(role))
    assert verdict.allowed == (role in ROLES[action]), verdict.reason
    if not verdict.allowed:
        assert workflow.ROLE_LABELS[role] in verdict.reason  # tells the user which role they have


@pytest.mark.parametrize(
    ("action", "state", "actor", "reason_part"),
    [
        ("start", CaseState("received"), Actor("handler"), "只有案件负责人"),
        ("transfer", CaseState("received"), Actor("handler"), "负责人或主管"),
        (
            "transfer",
            CaseState("received", has_pending_transfer=True),
            Actor("handler", is_owner=True),
            "等待同事接收",
        ),
        (
            "accept",
            CaseState("received", has_pending_transfer=True),
            Actor("handler", is_owner=True),
            "被指定接收",
        ),
        ("accept", CaseState("received"), Actor("handler", is_transfer_target=True), "没有待接收的转办"),
        ("resolve", CaseState("in_progress"), Actor("handler", is_owner=True), "尚未出具处理决定告知"),
        ("withdraw", CaseState("in_progress"), Actor("specialist"), "负责人或主管"),
        (
            "start",
            CaseState("received", has_pending_transfer=True),
            Actor("handler", is_owner=True),
            "等待同事接收",
        ),
        ("fly", CaseState("received"), Actor("cpo"), "未知操作"),
    ],
)
def test_refusals_say_why(action: str, state: CaseState, actor: Actor, reason_part: str) -> None:
    verdict = decide(action, state, actor)
    assert not verdict.allowed
    assert reason_part in verdict.reason


def test_first_receiver_keeps_the_case_while_a_transfer_waits() -> None:
    waiting = CaseState("received", has_pending_transfer=True)
    assert workflow.allowed_actions(waiting, Actor("handler", is_owner=True)) == ["withdraw"]
    # a specialist named in the transfer may also merge a repeat complaint; withdrawal stays possible
    assert workflow.allowed_actions(waiting, Actor("specialist", is_transfer_target=True)) == [
        "accept",
        "decline",
        "merge",
    ]


def test_supervisor_may_act_for_an_absent_owner() -> None:
    assert decide("transfer", CaseState("in_progress"), Actor("supervisor")).allowed
    assert decide("issue_notice", CaseState("in_progress"), Actor("cpo")).allowed


def test_read_only_roles_have_no_buttons() -> None:
    for status in ALL_STATUSES:
        for role in ("legal", "trainer", "admin"):
            assert workflow.allowed_actions(CaseState(status, True, True), Actor(role, True, True)) == []


COMPLETE = Closure("communication", True, True, "网点柜员", "goodwill", Decimal("100"), "", "加强告知")


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"root_cause": ""}, "请选择根本原因"),
        ({"root_cause": "bad_luck"}, "请选择根本原因"),
        ({"controllable": None}, "是否可控"),
        ({"internal": None}, "内部原因还是外部原因"),
        ({"responsibility": "  "}, "责任认定"),
        ({"payout_kind": ""}, "支付情况"),
        ({"payout_kind": "goodwill", "payout_amount": None}, "补偿金额"),
        ({"payout_kind": "damages", "payout_basis": ""}, "法律依据"),
        ({"payout_kind": "none", "payout_amount": Decimal("5")}, "金额应为空"),
        ({"payout_amount": Decimal("-1")}, "负数"),
        ({"lesson": ""}, "经验教训"),
    ],
)
def test_closure_refused_without_each_element(changes: dict[str, object], problem: str) -> None:
    from dataclasses import replace

    missing = workflow.closure_missing(replace(COMPLETE, **changes))  # type: ignore[arg-type]
    assert any(problem in m for m in missing), missing


def test_complete_closures_pass() -> None:
    assert workflow.closure_missing(COMPLETE) == []
    nothing_paid = Closure("customer_own", False, False, "无责", "none", None, "", "做好解释")
    assert workflow.closure_missing(nothing_paid) == []
    damages = Closure(
        "product_technical", True, True, "系统故障", "damages", Decimal("500"), "消保法第55条", "修复"
    )
    assert workflow.closure_missing(damages) == []


@pytest.mark.parametrize("blank", ["result", "reasons", "basis", "redress"])
def test_notice_needs_all_four_elements(blank: str) -> None:
    fields = {"result": "退还年费", "reasons": "未告知", "basis": "合同第五条", "redress": "可向监管部门投诉"}
    fields[blank] = ""
    missing = workflow.notice_missing(Notice(**fields))
    assert len(missing) == 1
    assert {"result": "处理结果", "reasons": "理由", "basis": "依据", "redress": "救济途径"}[
        blank
    ] in missing[0]


@pytest.mark.parametrize(
    ("satisfaction", "recurred", "ok"),
    [("satisfied", False, True), ("dissatisfied", True, True), ("unreachable", None, True),
     ("satisfied", None, False), ("great", False, False), ("", None, False)],
)  # fmt: skip
def test_callback_records_satisfaction_and_recurrence(
    satisfaction: str, recurred: bool | None, ok: bool
) -> None:
    assert (workflow.callback_missing(satisfaction, recurred) == []) == ok


def test_workflow_module_is_pure() -> None:
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(workflow))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    assert not any(str(m).startswith("django") for m in imported)
