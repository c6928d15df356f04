"""The clocks of a case through the services: started at intake by rule set, met, extended with the
right approval, paused, restarted, promised, merged, ended and reopened — each with its audit line."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kesu.accounts.models import User
from kesu.cases import services
from kesu.cases.errors import Forbidden, InvalidInput, NotFound
from kesu.cases.models import Case, Contact
from kesu.cases.services_comms import contact_add
from kesu.clocks import hooks
from kesu.clocks import services as clock_services
from kesu.clocks.models import Alert, CaseClock, Closure, OfficialDay, OfficialYear, RuleSet, UnitPolicy
from kesu.clocks.selectors import case_clocks, policy_for
from kesu.demo.builders import FULL_CLOSURE, FULL_NOTICE, Org, build_case

SH = ZoneInfo("Asia/Shanghai")
RECEIVED = datetime(2026, 11, 20, 10, 0, tzinfo=SH)  # a Friday


def end_of(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 23, 59, 59, tzinfo=SH)


def open_case(user: User, received: datetime = RECEIVED, **fields: Any) -> Case:
    with time_machine.travel(received + timedelta(minutes=5), tick=False):
        return build_case(user, received_at=received, **fields)


def live(case: Case, key: str = "decision") -> CaseClock:
    return CaseClock.objects.get(case=case, key=key, ended="")


def actions(case: Case) -> list[str]:
    return list(case.events.order_by("id").values_list("action", flat=True))


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def assert_case_due_is_decision_due(case: Case) -> None:
    """The list's deadline is the nearest regulatory clock still to be met (not internal targets)."""
    dues = [
        c.due_at
        for c in CaseClock.objects.filter(case=case, ended="", stopped_at=None).exclude(
            key__in=hooks.INTERNAL_KEYS
        )
        if c.due_at is not None
    ]
    assert dues, "no live regulatory clock"
    assert fresh(case).due_at == min(dues)


# --- intake: which clocks, due when -------------------------------------------------------------


@pytest.mark.parametrize(
    ("industry", "expected", "case_due"),
    [
        # 15 calendar days from Fri 11-20 end Sat 12-05: rolled to Mon 12-07 (民法典第二百零三条).
        ("banking", {"decision": ("running", end_of(2026, 12, 7))}, end_of(2026, 12, 7)),
        ("insurance", {"decision": ("running", end_of(2026, 12, 7))}, end_of(2026, 12, 7)),
        ("telecom", {"decision": ("running", end_of(2026, 12, 7))}, end_of(2026, 12, 7)),
        # 12315: acceptance within 7 working days (11-23 … 12-01); mediation waits for acceptance.
        (
            "ecommerce",
            {"acceptance": ("running", end_of(2026, 12, 1)), "mediation": ("waiting", None)},
            end_of(2026, 12, 1),
        ),
        ("general", {"decision": ("running", end_of(2026, 12, 7))}, end_of(2026, 12, 7)),
        ("securities", {"decision": ("running", end_of(2026, 12, 7))}, end_of(2026, 12, 7)),
    ],
)
def test_intake_starts_the_clocks_of_the_industry_rule_set(
    people: dict[str, User], industry: str, expected: dict[str, tuple[str, datetime | None]], case_due: Any
) -> None:
    case = open_case(people["handler"], industry=industry)
    clocks = {c.key: c for c in case.clocks.filter(ended="")}
    # The organisation's own first-contact target (24 hours by default) runs beside the rule set.
    assert set(clocks) == {*expected, "first_contact"}
    assert clocks["first_contact"].due_at == RECEIVED + timedelta(hours=24)
    for key, (state, due) in expected.items():
        assert (clocks[key].state, clocks[key].due_at) == (state, due), key
    assert fresh(case).due_at == case_due


def test_acceptance_meets_the_12315_acceptance_clock_and_starts_mediation(people: dict[str, User]) -> None:
    case = open_case(people["handler"], industry="ecommerce")
    accepted = datetime(2026, 11, 24, 9, 0, tzinfo=SH)  # Tuesday
    with time_machine.travel(accepted, tick=False):
        services.case_start(user=people["handler"], case=case)
    acceptance = CaseClock.objects.get(case=case, key="acceptance")
    assert acceptance.stopped_at == accepted and acceptance.state == "met"
    mediation = live(case, "mediation")
    assert mediation.started_at == accepted and mediation.state == "running"
    # 45 working days after Tue 11-24 (no public holiday in between): Tue 2027-01-26 — 2027 is guessed.
    assert mediation.due_at is not None and mediation.due_at.date() > date(2027, 1, 1)
    assert "2027" in mediation.uncertain_years
    assert_case_due_is_decision_due(case)


# --- configuration: unit policy, closures, official years --------------------------------------


def test_a_unit_policy_overrides_the_rule_set_and_is_inherited_field_by_field(
    org: Org, people: dict[str, User]
) -> None:
    appeal = RuleSet.objects.get(key="telecom_appeal")
    UnitPolicy.objects.create(unit=org.east, ruleset=appeal, first_contact_hours=4, thresholds="30,100")
    UnitPolicy.objects.create(unit=org.east_pudong, thresholds="60, 90,100")  # only the thresholds
    assert policy_for(org.east_pudong).thresholds == (60, 90, 100)
    assert policy_for(org.east_pudong).ruleset_key == "telecom_appeal"
    assert policy_for(org.east_xihu).thresholds == (30, 100)
    assert policy_for(org.north_chaoyang).ruleset_key == ""  # untouched branch: by industry

    case = open_case(people["handler"], industry="banking")
    clocks = {c.key: c for c in case.clocks.filter(ended="")}
    assert set(clocks) == {"acceptance", "decision", "first_contact"}
    assert {c.ruleset_key for c in clocks.values()} == {"telecom_appeal"}
    assert clocks["first_contact"].due_at == RECEIVED + timedelta(hours=4)
    assert clocks["decision"].due_at == end_of(2026, 12, 21)  # 30 days → Sun 12-20 → Mon 12-21
    assert clocks["acceptance"].due_at == end_of(2026, 11, 27)  # 5 working days: Mon 11-23 … Fri 11-27
    # The thresholds of the nearest unit that sets them drive the case page.
    with time_machine.travel(datetime(2026, 11, 30, 12, 0, tzinfo=SH), tick=False):
        view = next(v for v in case_clocks(case.pk, case.unit) if v.clock.key == "decision")
    assert view.status is not None and view.status.threshold == 0  # ~33 %: below 60


def test_a_closure_of_the_unit_or_above_moves_the_due_date(org: Org, people: dict[str, User]) -> None:
    Closure.objects.create(
        unit=org.east, start=date(2026, 12, 7), end=date(2026, 12, 8), reason="系统升级停业"
    )
    Closure.objects.create(
        unit=org.north, start=date(2026, 12, 9), end=date(2026, 12, 9), reason="其他分行停业"
    )
    case = open_case(people["handler"], industry="banking")
    assert live(case).due_at == end_of(2026, 12, 9)  # 12-05 Sat → 12-07/08 closed → 12-09
    assert_case_due_is_decision_due(case)
    other = open_case(people["outsider"], industry="banking")  # 朝阳支行: its branch closes 12-09 only
    assert live(other).due_at == end_of(2026, 12, 7)


def test_an_admin_entered_official_year_replaces_the_guess_and_the_warning(
    people: dict[str, User],
) -> None:
    received = datetime(2026, 12, 20, 10, 0, tzinfo=SH)
    case = open_case(people["handler"], received=received, industry="banking")
    clock = live(case)
    assert clock.due_at == end_of(2027, 1, 4)  # a Monday, by weekends only: 2027 is not known
    assert clock.uncertain_years == "2027"
    with time_machine.travel(received + timedelta(days=1), tick=False):
        view = next(v for v in case_clocks(case.pk, case.unit) if v.clock.key == "decision")
    assert "2027 年的节假日安排尚未录入" in view.uncertain

    year = OfficialYear.objects.create(year=2027, source="国务院办公厅关于2027年部分节假日安排的通知（测试）")
    OfficialDay.objects.create(year=year, day=date(2027, 1, 4), workday=False, name="元旦")
    with time_machine.travel(received + timedelta(days=1), tick=False):
        hooks.refresh_case(case)
        view = next(v for v in case_clocks(case.pk, case.unit) if v.clock.key == "decision")
    clock.refresh_from_db()
    assert clock.due_at == end_of(2027, 1, 5)
    assert clock.uncertain_years == "" and view.uncertain == ""
    assert_case_due_is_decision_due(case)


# --- meeting clocks ------------------------------------------------------------------------------


def test_a_contact_meets_the_first_contact_clock(people: dict[str, User]) -> None:
    case = open_case(people["handler"])
    called = RECEIVED + timedelta(hours=3)
    with time_machine.travel(called + timedelta(minutes=1), tick=False):
        contact_add(
            user=people["handler"], case=case, kind="call_out", summary="致电客户了解年费扣收情况", at=called
        )
    first = CaseClock.objects.get(case=case, key="first_contact")
    assert (first.stopped_at, first.state, first.next_check_at) == (called, "met", None)
    assert live(case).stopped_at is None  # a contact is not the decision


def test_the_decision_notice_meets_the_decision_clock(people: dict[str, User]) -> None:
    case = open_case(people["handler"])
    issued = datetime(2026, 12, 1, 15, 0, tzinfo=SH)
    with time_machine.travel(issued, tick=False):
        services.case_start(user=people["handler"], case=case)
        services.case_issue_notice(user=people["handler"], case=fresh(case), **FULL_NOTICE)
    clock = CaseClock.objects.get(case=case, key="decision")
    assert (clock.stopped_at, clock.state, clock.next_check_at) == (issued, "met", None)
    assert fresh(case).due_at is None  # nothing regulatory left to meet


# --- extensions ----------------------------------------------------------------------------------


def _notice(**kw: Any) -> dict[str, Any]:
    return {
        "notice_kind": "call_out",
        "notice_summary": "电话告知客户：情况复杂需延期，新的答复期限为12月21日",
        **kw,
    }


def test_extension_step_one_needs_a_lead_of_the_case_unit_or_above_and_a_notice(
    people: dict[str, User],
) -> None:
    case = open_case(people["handler"])
    clock = live(case)
    now = datetime(2026, 12, 1, 10, 0, tzinfo=SH)
    with time_machine.travel(now, tick=False):
        with pytest.raises(InvalidInput, match="延期理由"):
            clock_services.extension_request(
                user=people["handler"], case=case, clock_id=clock.pk, reason="复杂"
            )
        req = clock_services.extension_request(
            user=people["handler"], case=case, clock_id=clock.pk, reason="需调取办卡录音并核实营销人员说法"
        )
        with pytest.raises(InvalidInput, match="等待审批"):
            clock_services.extension_request(
                user=people["handler"], case=case, clock_id=clock.pk, reason="再次申请延期处理此案"
            )
        # The approvers of step one (supervisor, cpo of the unit or above) see it in their task list.
        told = set(
            Alert.objects.filter(kind="extension_request", case=case).values_list("user__username", flat=True)
        )
        assert told == {"supervisor", "cpo"}
        for who in ("handler", "specialist", "outsider"):
            with pytest.raises((Forbidden, NotFound)):
                clock_services.extension_decide(user=people[who], request=req, approve=True, **_notice())
        with pytest.raises(InvalidInput, match="告知投诉人"):
            clock_services.extension_decide(user=people["supervisor"], request=req, approve=True)
        clock_services.extension_decide(user=people["supervisor"], request=req, approve=True, **_notice())
    req.refresh_from_db()
    clock.refresh_from_db()
    assert (req.status, req.decided_by, clock.extensions) == ("approved", people["supervisor"], 1)
    assert clock.due_at == end_of(2026, 12, 21)  # 30 days: Sun 12-20 → Mon 12-21
    assert_case_due_is_decision_due(case)
    contact = Contact.objects.get(pk=req.notice_id)
    assert contact.case_id == case.pk and contact.summary.startswith("【延期告知】")
    assert {"extension_request", "extension_approved", "contact"} <= set(actions(case))
    approved = case.events.get(action="extension_approved")
    assert approved.changes["due_at"] == {"old": "2026-12-07 23:59", "new": "2026-12-21 23:59"}
    # The requester hears the result; the approvers' tasks are done.
    assert Alert.objects.filter(user=people["handler"], kind="extension_decided").exists()
    assert not Alert.objects.filter(kind="extension_request", case=case, done_at__isnull=True).exists()


def test_extension_step_two_needs_a_lead_above_the_case_unit(org: Org, people: dict[str, User]) -> None:
    # A case held at 华东分行 itself: its own supervisor may approve step one but not step two.
    case = open_case(people["specialist"])
    assert case.unit_id == org.east.pk
    clock = live(case)
    with time_machine.travel(datetime(2026, 12, 1, 10, 0, tzinfo=SH), tick=False):
        first = clock_services.extension_request(
            user=people["specialist"], case=case, clock_id=clock.pk, reason="需调取办卡录音并核实"
        )
        clock_services.extension_decide(user=people["supervisor"], request=first, approve=True, **_notice())
        second = clock_services.extension_request(
            user=people["specialist"], case=case, clock_id=clock.pk, reason="需等待第三方机构出具鉴定意见"
        )
        assert set(
            Alert.objects.filter(kind="extension_request", clock=clock, done_at__isnull=True).values_list(
                "user__username", flat=True
            )
        ) == {"cpo"}
        with pytest.raises(Forbidden, match="上级机构"):
            clock_services.extension_decide(
                user=people["supervisor"], request=second, approve=True, **_notice()
            )
        clock_services.extension_decide(user=people["cpo"], request=second, approve=True, **_notice())
        clock.refresh_from_db()
        assert clock.extensions == 2
        assert clock.due_at == end_of(2027, 1, 19)  # 60 days from 11-20
        with pytest.raises(InvalidInput, match="没有可用的延期"):
            clock_services.extension_request(
                user=people["specialist"], case=case, clock_id=clock.pk, reason="还想再延长一次期限"
            )


def test_nobody_approves_their_own_extension_and_a_rejection_needs_a_reason(people: dict[str, User]) -> None:
    case = open_case(people["handler"])
    services.case_transfer(user=people["handler"], case=case, to=people["supervisor"])
    with time_machine.travel(datetime(2026, 11, 25, 10, 0, tzinfo=SH), tick=False):
        services.case_accept(user=people["supervisor"], case=fresh(case))
        clock = live(case)
        req = clock_services.extension_request(
            user=people["supervisor"], case=fresh(case), clock_id=clock.pk, reason="需调取办卡录音并核实"
        )
        with pytest.raises(Forbidden, match="自己"):
            clock_services.extension_decide(user=people["supervisor"], request=req, approve=True, **_notice())
        with pytest.raises(InvalidInput, match="驳回须写明理由"):
            clock_services.extension_decide(user=people["cpo"], request=req, approve=False)
        clock_services.extension_decide(
            user=people["cpo"], request=req, approve=False, note="材料已齐全，无需延期"
        )
    req.refresh_from_db()
    clock.refresh_from_db()
    assert (req.status, req.decision_note, clock.extensions) == ("rejected", "材料已齐全，无需延期", 0)
    assert clock.due_at == end_of(2026, 12, 7)
    assert "extension_rejected" in actions(case)


# --- pause, resume, restart, promise -------------------------------------------------------------


def test_pause_and_resume_move_the_due_date_by_the_excluded_days(people: dict[str, User]) -> None:
    case = open_case(people["handler"])
    paused, resumed = datetime(2026, 11, 23, 10, 0, tzinfo=SH), datetime(2026, 11, 28, 16, 0, tzinfo=SH)
    with time_machine.travel(paused, tick=False):
        with pytest.raises(InvalidInput, match="中止理由"):
            clock_services.clock_pause(user=people["handler"], case=case, reason="鉴定")
        clock_services.clock_pause(user=people["handler"], case=case, reason="委托第三方司法鉴定签名真伪")
        with pytest.raises(InvalidInput):
            clock_services.clock_pause(user=people["handler"], case=case, reason="再次委托鉴定机构")
    clock = live(case)
    assert clock.state == "paused" and clock.next_check_at is None
    with time_machine.travel(resumed, tick=False):
        clock_services.clock_resume(user=people["handler"], case=case, note="鉴定意见已收到")
    clock.refresh_from_db()
    # 5 days excluded (11-23 → 11-28): 12-05 + 5 = Thu 12-10.
    assert (clock.state, clock.due_at) == ("running", end_of(2026, 12, 10))
    assert_case_due_is_decision_due(case)
    # The internal first-contact target (hours) does not pause.
    assert CaseClock.objects.get(case=case, key="first_contact").pauses.count() == 0
    assert {"clock_pause", "clock_resume"} <= set(actions(case))
    assert "2026-12-10" in case.events.get(action="clock_resume").note


def test_new_facts_restart_the_clock_from_the_new_material(people: dict[str, User]) -> None:
    case = open_case(people["handler"])
    old = live(case)
    new_material = datetime(2026, 11, 30, 14, 0, tzinfo=SH)
    with time_machine.travel(new_material, tick=False):
        (clock,) = clock_services.clock_restart(
            user=people["handler"], case=case, reason="客户补充提交了新的扣费凭证和聊天记录"
        )
    old.refresh_from_db()
    clock.refresh_from_db()
    assert old.ended == "restarted"
    assert (clock.started_at, clock.due_at) == (new_material, end_of(2026, 12, 15))
    assert CaseClock.objects.filter(case=case, key="decision", ended="").count() == 1
    assert CaseClock.objects.get(case=case, key="first_contact", ended="").started_at == RECEIVED
    assert_case_due_is_decision_due(case)
    assert "clock_restart" in actions(case)


def test_a_promised_date_prompts_the_owner_when_it_arrives_without_a_result(people: dict[str, User]) -> None:
    from kesu.clocks.worker import run_once

    case = open_case(people["handler"])
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=SH), tick=False):
        with pytest.raises(InvalidInput, match="早于今天"):
            clock_services.promise_set(user=people["handler"], case=case, day=date(2026, 11, 22))
        contact_add(user=people["handler"], case=case, kind="call_out", summary="告知客户正在核实")
        promise = clock_services.promise_set(
            user=people["handler"], case=case, day=date(2026, 11, 26), note="客户同意等待"
        )
    assert promise.due_at == end_of(2026, 11, 26)
    assert "promise" in actions(case)
    run_once(now=datetime(2026, 11, 25, 12, 0, tzinfo=SH))  # before the promised day: nothing to say
    assert not Alert.objects.filter(kind="promise_due").exists()
    run_once(now=datetime(2026, 11, 27, 0, 1, tzinfo=SH))
    alert = Alert.objects.get(kind="promise_due", user=people["handler"])
    assert "请主动联系客户" in alert.message and alert.case_id == case.pk
    assert "promise_due" in actions(case)


def test_a_contact_on_the_promised_day_keeps_the_promise(people: dict[str, User]) -> None:
    case = open_case(people["handler"])
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=SH), tick=False):
        clock_services.promise_set(user=people["handler"], case=case, day=date(2026, 11, 26))
        contact_add(user=people["handler"], case=case, kind="call_out", summary="告知客户正在核实")
    assert live(case, "promise").stopped_at is None  # a contact before the day does not keep it
    with time_machine.travel(datetime(2026, 11, 26, 15, 0, tzinfo=SH), tick=False):
        contact_add(user=people["handler"], case=case, kind="call_out", summary="告知客户核实结果")
    assert live(case, "promise").state == "met"


# --- merge, close, withdraw, reopen ---------------------------------------------------------------


@pytest.mark.parametrize("earlier_is_target", [True, False])
def test_merge_keeps_one_clock_the_one_that_started_first(
    people: dict[str, User], earlier_is_target: bool
) -> None:
    first = open_case(people["handler"])
    second = open_case(people["handler"], received=RECEIVED + timedelta(days=4))
    source, target = (second, first) if earlier_is_target else (first, second)
    with time_machine.travel(RECEIVED + timedelta(days=5), tick=False):
        services.case_merge(user=people["specialist"], case=source, into=target)
    assert not CaseClock.objects.filter(case=source, ended="").exists()
    assert set(CaseClock.objects.filter(case=source).values_list("ended", flat=True)) == {"merged"}
    kept = CaseClock.objects.get(case=target, key="decision", ended="")
    assert kept.started_at == RECEIVED and kept.due_at == end_of(2026, 12, 7)
    assert_case_due_is_decision_due(target)
    merged_in = target.events.get(action="merged_in")
    assert ("沿用" in merged_in.note) is (not earlier_is_target)


def test_close_and_withdraw_end_the_clocks_and_reopen_starts_a_new_decision_clock(
    people: dict[str, User],
) -> None:
    handler, specialist, supervisor = people["handler"], people["specialist"], people["supervisor"]
    gone = open_case(handler)
    services.case_withdraw(user=handler, case=gone, reason="客户来电撤回投诉（有录音）")
    assert set(gone.clocks.values_list("ended", flat=True)) == {"withdrawn"}
    assert not gone.clocks.exclude(next_check_at=None).exists()

    case = open_case(handler)
    with time_machine.travel(datetime(2026, 11, 25, 10, 0, tzinfo=SH), tick=False):
        case = services.case_start(user=handler, case=case)
        services.case_issue_notice(user=handler, case=case, **FULL_NOTICE)
        case = services.case_resolve(user=handler, case=fresh(case))
        case = services.case_close(user=specialist, case=case, closure=FULL_CLOSURE)
    assert set(case.clocks.values_list("ended", flat=True)) == {"closed"}
    reopened_at = datetime(2026, 12, 2, 9, 0, tzinfo=SH)
    with time_machine.travel(reopened_at, tick=False):
        services.case_reopen(user=supervisor, case=fresh(case), reason="客户对处理结果提出异议")
    clock = live(case)
    assert clock.started_at == reopened_at and clock.due_at == end_of(2026, 12, 17)
    assert_case_due_is_decision_due(case)


def test_reopening_a_12315_case_starts_mediation_again(people: dict[str, User]) -> None:
    handler = people["handler"]
    case = open_case(handler, industry="ecommerce")
    with time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=SH), tick=False):
        case = services.case_start(user=handler, case=case)
        services.case_issue_notice(user=handler, case=case, **FULL_NOTICE)
        case = services.case_resolve(user=handler, case=fresh(case))
        case = services.case_close(user=people["specialist"], case=case, closure=FULL_CLOSURE)
    with time_machine.travel(datetime(2026, 12, 2, 9, 0, tzinfo=SH), tick=False):
        services.case_reopen(user=people["supervisor"], case=fresh(case), reason="客户对处理结果提出异议")
    mediation = live(case, "mediation")
    assert mediation.started_at == datetime(2026, 12, 2, 9, 0, tzinfo=SH) and mediation.state == "running"
    assert_case_due_is_decision_due(case)


def test_correcting_the_industry_moves_the_case_to_the_right_rule_set_keeping_a_contact_made(
    people: dict[str, User],
) -> None:
    handler = people["handler"]
    case = open_case(handler, industry="banking")
    called = RECEIVED + timedelta(hours=2)
    with time_machine.travel(called, tick=False):
        contact_add(user=handler, case=case, kind="call_out", summary="致电客户了解情况")
        case = services.case_update(user=handler, case=fresh(case), version=None, industry="ecommerce")
    keys = set(case.clocks.filter(ended="").values_list("key", flat=True))
    assert keys == {"acceptance", "mediation", "first_contact"}
    assert set(case.clocks.exclude(ended="").values_list("ended", flat=True)) == {"reclassified"}
    assert live(case, "first_contact").stopped_at == called  # the call already made still counts
    assert "clocks_reselect" in actions(case)
