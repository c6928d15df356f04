"""The 升级与分派 card: the configured ladder, the rules' proposal, escalation and its review,
回避 (who is complained about), assignment suggestions and reassignment."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kesu.accounts.models import User
from kesu.cases.models import Case
from kesu.demo.builders import build_case
from kesu.routing.models import Escalation

pytestmark = pytest.mark.django_db

LARGE_CLAIM = "信用卡被盗刷了5000元，你们风控有问题，要求全额赔偿5000元。"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(user: User, case: Case) -> str:
    response = client_for(user).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def card(html: str, anchor: str = "routing") -> str:
    part = html[html.index(f'id="{anchor}"') :]
    return part[: part.index("</section>")]


def act(user: User, case: Case, action: str, **form: Any) -> Any:
    case.refresh_from_db()
    form.setdefault("version", case.version)
    return client_for(user).post(f"/cases/{case.pk}/act/{action}/", form)


def test_card_shows_the_configured_ladder_and_current_level(people: dict[str, User], case: Case) -> None:
    routing = card(page(people["handler"], case))
    assert 'id="current-level">L1 前台坐席<' in routing
    for tier in ("L2 投诉专员", "L3 分行消保部门", "L4 总行消保·法务·公关"):
        assert tier in routing
    assert "不设上限" in routing and 'id="form-escalate"' in routing
    assert 'id="form-deescalate"' not in routing  # nothing to go down to, and the handler is no lead
    assert 'id="form-escalate"' not in page(people["legal"], case)


def test_escalation_changes_the_header_badge_and_is_reviewed_by_a_lead(
    people: dict[str, User], case: Case
) -> None:
    handler, supervisor = people["handler"], people["supervisor"]
    assert act(handler, case, "escalate", level="2", reason="").status_code == 400
    response = act(handler, case, "escalate", level="2", reason="客户扬言向监管部门投诉")
    assert response.status_code == 302 and response["Location"].endswith("#routing")
    html = page(supervisor, case)
    assert "已升级 · L3 分行消保部门" in html
    assert "L1 前台坐席 → L3 分行消保部门" in card(html)
    assert "/act/escalation_review/" in card(html)
    assert "/act/escalation_review/" not in page(handler, case)

    esc = Escalation.objects.get(case=case)
    bad = act(supervisor, case, "escalation_review", escalation=esc.pk, verdict="unreasonable", note="")
    assert bad.status_code == 400 and "认定不合理须写明理由" in bad.content.decode()
    assert (
        act(
            supervisor,
            case,
            "escalation_review",
            escalation=esc.pk,
            verdict="reasonable",
            note="确有监管投诉风险",
        ).status_code
        == 302
    )
    routing = card(page(handler, case))
    assert "复核：合理" in routing and "确有监管投诉风险" in routing


def test_a_lead_cannot_review_own_escalation_and_only_leads_deescalate(
    people: dict[str, User], case: Case
) -> None:
    supervisor, handler = people["supervisor"], people["handler"]
    assert act(supervisor, case, "escalate", level="2", reason="补偿金额超出支行权限").status_code == 302
    esc = Escalation.objects.get(case=case)
    assert "/act/escalation_review/" not in page(supervisor, case)
    own = act(supervisor, case, "escalation_review", escalation=esc.pk, verdict="reasonable", note="")
    assert own.status_code == 403 and "不能复核自己作出的升级" in own.content.decode()

    refused = act(handler, case, "deescalate", level="0", reason="风险已解除")
    assert refused.status_code == 403 and "降级须由主管或消保专员决定" in refused.content.decode()
    assert 'id="form-deescalate"' in page(supervisor, case)
    assert (
        act(supervisor, case, "deescalate", level="1", reason="客户情绪平复，风险已解除").status_code == 302
    )
    case.refresh_from_db()
    assert case.escalation_level == 1
    html = page(handler, case)
    assert "已升级 · L2 投诉专员" in html and "<td>降级</td>" in html


def test_the_rules_proposal_escalates_in_one_click(people: dict[str, User]) -> None:
    case = build_case(people["handler"], text=LARGE_CLAIM)
    routing = card(page(people["handler"], case))
    assert "规则建议升级至 L3 分行消保部门" in routing
    assert "超出当前处理人的补偿授权" in routing
    one_click = routing[routing.index('id="form-escalate-proposal"') :]
    assert 'name="level" value="2"' in one_click
    assert 'name="reason" value="客户诉求金额 5,000元，超出当前处理人的补偿授权（200元）' in one_click
    response = client_for(people["handler"]).post(
        f"/cases/{case.pk}/act/escalate/",
        {
            "version": case.version,
            "level": "2",
            "reason": "客户诉求金额 5,000元，超出当前处理人的补偿授权（200元），须升级至 L3 分行消保部门审批",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.escalation_level == 2
    assert "规则建议升级至 L3" not in card(page(people["handler"], case))


def test_respondent_must_withdraw_and_the_owner_is_reassigned(people: dict[str, User], case: Case) -> None:
    handler, specialist, supervisor = people["handler"], people["specialist"], people["supervisor"]
    assert (
        act(specialist, case, "respondent", staff=handler.pk, note="客户投诉该坐席态度恶劣").status_code
        == 302
    )

    mine = page(handler, case)
    assert "回避：</strong>您是本案的被投诉人员" in mine
    assert "/act/extension_request/" not in mine and 'id="form-escalate"' not in mine
    for action, form in (
        ("extension_request", {"clock": case.clocks.get(key="decision").pk, "reason": "需调取外部记录核实"}),
        ("start", {}),
    ):
        refused = act(handler, case, action, **form)
        assert refused.status_code == 403, action
        assert "回避：您是本案的被投诉人员" in refused.content.decode()

    lead_view = card(page(supervisor, case))
    assert "负责人 韩坐席 须回避（其为本案的被投诉人员）" in lead_view and "请在下方改派" in lead_view
    assert "韩坐席（坐席 · 浦东支行）" in lead_view  # listed as a respondent
    assert "当前在办" in lead_view  # suggestions with their reasons

    by_specialist = act(specialist, case, "reassign", to=supervisor.pk, reason="原负责人须回避")
    assert by_specialist.status_code == 403 and "改派须由主管或消保专员进行" in by_specialist.content.decode()
    reassign_form = lead_view[lead_view.index('id="form-reassign"') :]
    assert f'<option value="{specialist.pk}"' in reassign_form
    assert f'<option value="{handler.pk}"' not in reassign_form  # the one who must withdraw
    assert act(supervisor, case, "reassign", to=specialist.pk, reason="原负责人须回避").status_code == 302
    case.refresh_from_db()
    assert case.owner == specialist
    assert "<td>改派</td>" in page(supervisor, case)


def test_a_unit_as_respondent_excludes_its_staff(people: dict[str, User], case: Case) -> None:
    pudong = people["handler"].unit
    assert pudong is not None
    assert act(people["supervisor"], case, "respondent", unit=pudong.pk).status_code == 302
    assert "您所在机构是本案的被投诉机构" in page(people["handler"], case)
    twice = act(people["supervisor"], case, "respondent", unit=pudong.pk)
    assert twice.status_code == 400 and "已登记为被投诉机构" in twice.content.decode()
    neither = act(people["supervisor"], case, "respondent")
    assert neither.status_code == 400 and "请选择一名被投诉人员或一个被投诉机构" in neither.content.decode()


def test_tasks_list_escalations_awaiting_review_for_leads(people: dict[str, User], case: Case) -> None:
    assert act(people["handler"], case, "escalate", level="1", reason="客户要求见领导").status_code == 302
    html = client_for(people["supervisor"]).get("/tasks/").content.decode()
    reviews = card(html, "reviews")
    assert case.number in reviews and "L1 前台坐席 → L2 投诉专员" in reviews and "客户要求见领导" in reviews
