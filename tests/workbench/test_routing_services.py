"""Escalation and routing through the services: automatic escalation at intake, manual moves with
reasons and their review, 回避 (withdrawal of the people and units complained about), reassignment,
suggestions, and the authority to pay."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kesu.accounts.models import User
from kesu.cases import services
from kesu.cases.errors import Forbidden, InvalidInput
from kesu.cases.models import Case
from kesu.cases.services_comms import contact_add
from kesu.clocks import services as clock_services
from kesu.clocks.models import Alert
from kesu.demo.builders import FULL_CLOSURE, FULL_NOTICE, Org, build_case, build_user
from kesu.routing import services as routing
from kesu.routing.models import Escalation, StaffProfile
from kesu.routing.selectors import proposal, suggestions

SH = ZoneInfo("Asia/Shanghai")
SELF_HARM = "信用卡年费乱扣，你们再不退钱我就从你们大楼跳下去，不想活了。"
REGULATOR_MEDIA = "信用卡年费乱扣，再不处理我就向金融监管局投诉，还要找电视台曝光你们。"
JOURNALIST = "我是报社记者，你们信用卡年费乱扣，请给个说法。"
PLAIN = "我上个月办的信用卡，没人告诉我有300元年费，现在直接扣了，请退还。"


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def alerted(case: Case, kind: str) -> set[str]:
    return set(Alert.objects.filter(case=case, kind=kind).values_list("user__username", flat=True))


# --- automatic escalation at intake ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "level", "rules", "kind", "told"),
    [
        (SELF_HARM, 2, "risk", "risk", {"supervisor", "cpo"}),
        (REGULATOR_MEDIA, 2, "risk", "risk", {"supervisor", "cpo"}),
        (JOURNALIST, 2, "identity", "escalation", {"supervisor"}),
        (PLAIN, 0, None, None, set()),
    ],
)
def test_intake_escalates_at_once_on_risk_and_identity(
    people: dict[str, User], text: str, level: int, rules: str | None, kind: str | None, told: set[str]
) -> None:
    case = build_case(people["handler"], text=text)
    assert case.escalation_level == level
    escalations = list(Escalation.objects.filter(case=case))
    if rules is None:
        assert escalations == [] and not Alert.objects.filter(case=case).exists()
        return
    (esc,) = escalations
    assert (esc.from_level, esc.to_level, esc.automatic, esc.by, esc.rules) == (0, level, True, None, rules)
    assert case.escalated_at is not None
    assert alerted(case, kind or "") == told  # the nearest supervisor (华东分行) and head office's cpo
    event = case.events.get(action="escalate")
    assert event.actor is None and "L3 分行消保部门" in event.note


# --- manual escalation, de-escalation, review -----------------------------------------------------


def test_people_escalate_with_a_reason_and_only_leads_bring_a_case_down(people: dict[str, User]) -> None:
    handler, supervisor = people["handler"], people["supervisor"]
    case = build_case(handler, text=PLAIN)
    with pytest.raises(InvalidInput, match="理由"):
        routing.case_escalate(user=handler, case=case, level=1, reason="  ")
    with pytest.raises(InvalidInput, match="最高只到"):
        routing.case_escalate(user=handler, case=case, level=9, reason="客户要求见行长")
    case = routing.case_escalate(user=handler, case=case, level=1, reason="客户要求赔偿超出本级授权")
    assert case.escalation_level == 1
    assert alerted(case, "escalation") == {"specialist"}  # the tier the case goes to
    with pytest.raises(InvalidInput, match="以上"):
        routing.case_escalate(user=handler, case=case, level=1, reason="再次升级")

    with pytest.raises(Forbidden, match="主管或消保专员"):
        routing.case_deescalate(user=handler, case=case, level=0, reason="客户情绪已平复，可由网点处理")
    with pytest.raises(InvalidInput, match="降级理由"):
        routing.case_deescalate(user=supervisor, case=case, level=0, reason="好")
    case = routing.case_deescalate(user=supervisor, case=case, level=0, reason="客户情绪已平复，可由网点处理")
    assert case.escalation_level == 0
    assert [
        (e.from_level, e.to_level, e.by) for e in Escalation.objects.filter(case=case).order_by("id")
    ] == [
        (0, 1, handler),
        (1, 0, supervisor),
    ]
    assert [a for a in case.events.order_by("id").values_list("action", flat=True) if "escalate" in a] == [
        "escalate",
        "deescalate",
    ]


def test_an_escalation_is_reviewed_by_a_lead_other_than_the_one_who_escalated(
    people: dict[str, User],
) -> None:
    supervisor, cpo = people["supervisor"], people["cpo"]
    case = build_case(people["handler"], text=PLAIN)
    routing.case_escalate(user=supervisor, case=case, level=2, reason="客户扬言到网点拉横幅")
    esc = Escalation.objects.get(case=case)
    with pytest.raises(Forbidden, match="自己"):
        routing.escalation_review(user=supervisor, escalation_id=esc.pk, verdict="reasonable", note="")
    with pytest.raises(Forbidden, match="主管或消保专员"):
        routing.escalation_review(
            user=people["specialist"], escalation_id=esc.pk, verdict="reasonable", note=""
        )
    with pytest.raises(InvalidInput, match="理由"):
        routing.escalation_review(user=cpo, escalation_id=esc.pk, verdict="unreasonable", note="")
    routing.escalation_review(
        user=cpo, escalation_id=esc.pk, verdict="unreasonable", note="属于技能问题，应由本级解决"
    )
    esc.refresh_from_db()
    assert (esc.verdict, esc.reviewed_by) == ("unreasonable", cpo)
    with pytest.raises(InvalidInput, match="已复核"):
        routing.escalation_review(user=cpo, escalation_id=esc.pk, verdict="reasonable", note="")
    assert case.events.filter(action="escalation_review").count() == 1
    # An automatic escalation has no author: any lead in scope may review it.
    auto = build_case(people["handler"], text=SELF_HARM)
    auto_esc = Escalation.objects.get(case=auto)
    routing.escalation_review(user=supervisor, escalation_id=auto_esc.pk, verdict="reasonable", note="")


# --- 回避 -----------------------------------------------------------------------------------------


def test_a_person_complained_about_may_not_handle_the_case_but_may_hand_it_on(
    people: dict[str, User],
) -> None:
    handler, supervisor = people["handler"], people["supervisor"]
    case = build_case(handler, text=PLAIN)
    routing.respondent_add(user=supervisor, case=case, staff=handler, note="客户投诉该坐席态度恶劣")
    assert "respondent" in case.events.values_list("action", flat=True)
    assert alerted(case, "conflict") == {"supervisor", "cpo"}  # the owner must withdraw: reassign
    with pytest.raises(Forbidden, match="回避"):
        services.case_start(user=handler, case=fresh(case))
    with pytest.raises(Forbidden, match="回避"):
        contact_add(user=handler, case=fresh(case), kind="call_out", summary="联系客户")
    with pytest.raises(Forbidden, match="回避"):
        clock_services.clock_pause(user=handler, case=fresh(case), reason="委托第三方鉴定")
    with pytest.raises(InvalidInput, match="已登记"):
        routing.respondent_add(user=supervisor, case=case, staff=handler)
    # Handing the case to a colleague is the one thing left to do.
    case = services.case_transfer(user=handler, case=fresh(case), to=people["specialist"], note="本人回避")
    assert case.transfer_to == people["specialist"]


def test_a_unit_complained_about_withdraws_its_members_but_not_the_unit_above(
    org: Org, people: dict[str, User]
) -> None:
    handler, supervisor, specialist = people["handler"], people["supervisor"], people["specialist"]
    colleague = build_user("handler2", "handler", org.east_pudong, name="浦东同事")
    case = build_case(handler, text=PLAIN)
    routing.respondent_add(user=supervisor, case=case, unit_id=org.east_pudong.pk, note="投诉浦东支行网点")
    with pytest.raises(Forbidden, match="被投诉机构"):
        services.case_start(user=handler, case=fresh(case))
    with pytest.raises(Forbidden, match="回避"):
        services.case_transfer(user=handler, case=fresh(case), to=colleague)
    with pytest.raises(Forbidden, match="改派须由主管或消保专员"):
        routing.case_reassign(user=specialist, case=fresh(case), to=specialist, reason="回避")
    with pytest.raises(Forbidden, match="回避"):
        routing.case_reassign(user=supervisor, case=fresh(case), to=colleague, reason="回避")
    case = routing.case_reassign(
        user=supervisor, case=fresh(case), to=specialist, reason="网点被投诉，由分行专员办理"
    )
    assert case.owner == specialist
    assert alerted(case, "reassigned") == {"specialist", "handler"}
    assert case.events.filter(action="reassign").exists()
    # The branch above the complained-about sub-branch handles it normally.
    case = services.case_start(user=specialist, case=case)
    assert case.status == "in_progress"


def test_a_conflicted_lead_may_not_approve_an_extension(org: Org, people: dict[str, User]) -> None:
    case = build_case(people["handler"], text=PLAIN)
    routing.respondent_add(user=people["cpo"], case=case, unit_id=org.east.pk, note="投诉华东分行")
    routing.case_reassign(
        user=people["cpo"], case=fresh(case), to=people["cpo"], reason="分行被投诉，总行办理"
    )
    clock = case.clocks.get(key="decision", ended="")
    req = clock_services.extension_request(
        user=people["cpo"], case=fresh(case), clock_id=clock.pk, reason="需调取办卡录音并核实营销人员说法"
    )
    with pytest.raises(Forbidden, match="回避"):
        clock_services.extension_decide(
            user=people["supervisor"], request=req, approve=False, note="无需延期，材料已齐全"
        )


def test_suggestions_leave_out_people_who_must_withdraw_or_are_full(
    org: Org, people: dict[str, User]
) -> None:
    busy = build_user("specialist2", "specialist", org.east, name="忙专员")
    conflicted = build_user("specialist3", "specialist", org.east, name="回避专员")
    free = build_user("specialist4", "specialist", org.east, name="闲专员")
    StaffProfile.objects.create(user=busy, capacity=1, skills="banking")
    StaffProfile.objects.create(user=free, capacity=10, skills="banking")
    case = build_case(people["handler"], text=PLAIN)
    services.case_transfer(user=people["handler"], case=case, to=busy)
    services.case_accept(user=busy, case=fresh(case))  # busy now holds one open case: full
    other = build_case(people["handler"], text=PLAIN)
    routing.respondent_add(user=people["supervisor"], case=other, staff=conflicted)
    names = [s.name for s in suggestions(other, limit=10)]
    assert "闲专员" in names and "司专员" in names
    assert "忙专员" not in names and "回避专员" not in names and "韩坐席" not in names
    assert names.index("闲专员") < names.index("司专员")  # skills registered rank first


# --- authority -------------------------------------------------------------------------------------


def test_closing_with_a_payout_above_the_closers_authority_names_the_level_needed(
    people: dict[str, User],
) -> None:
    handler, specialist = people["handler"], people["specialist"]
    case = build_case(handler, text=PLAIN)
    case = services.case_start(user=handler, case=case)
    services.case_issue_notice(user=handler, case=case, **FULL_NOTICE)
    case = services.case_resolve(user=handler, case=fresh(case))
    assert routing.authority_problem(specialist, case, Decimal("2000")) is None
    big = replace(FULL_CLOSURE, payout_amount=Decimal("6000.00"))
    with pytest.raises(InvalidInput, match=r"6,000\.00 元超出您的授权（2,000\.00 元）.*L3 分行消保部门"):
        services.case_close(user=specialist, case=case, closure=big)
    assert fresh(case).status == "resolved"
    StaffProfile.objects.create(user=specialist, compensation_limit=Decimal("10000"))  # personal authority
    assert services.case_close(user=specialist, case=fresh(case), closure=big).status == "closed"


def test_authority_is_proposed_on_the_case_page_not_applied_at_intake(people: dict[str, User]) -> None:
    text = "信用卡被盗刷了5000元，银行一直不处理，要求全额赔偿5000元。"
    case = build_case(people["handler"], text=text)
    assert case.escalation_level == 0  # neither a repeat nor a sum moves a case without a person
    prop = proposal(case)
    assert prop is not None and prop.to_level == 2  # 5,000 yuan: beyond the handler's 200 and L2's 2,000
    assert prop.reasons[0].rule == "authority" and "L3 分行消保部门" in prop.reasons[0].text
    assert not Escalation.objects.filter(case=case).exists()


# --- time ------------------------------------------------------------------------------------------


def test_the_worker_escalates_on_time_80_percent_to_l2_and_overdue_to_l3(people: dict[str, User]) -> None:
    from kesu.clocks.worker import run_once

    received = datetime(2026, 11, 20, 10, 0, tzinfo=SH)
    with time_machine.travel(received, tick=False):
        case = build_case(people["handler"], text=PLAIN, received_at=received)
    run_once(now=datetime(2026, 12, 5, 12, 0, tzinfo=SH))  # 80 % of the 15 days (due 12-07)
    assert fresh(case).escalation_level == 1
    run_once(now=datetime(2026, 12, 8, 0, 0, 1, tzinfo=SH))
    assert fresh(case).escalation_level == 2
    rows = list(
        Escalation.objects.filter(case=case)
        .order_by("id")
        .values_list("from_level", "to_level", "rules", "automatic")
    )
    assert rows == [(0, 1, "time", True), (1, 2, "time", True)]
    assert case.events.filter(action="escalate", actor=None).count() == 2
    run_once(now=datetime(2026, 12, 9, 0, 0, tzinfo=SH) + timedelta(days=1))
    assert Escalation.objects.filter(case=case).count() == 2
