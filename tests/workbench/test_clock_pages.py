"""The 时限 card on the case page, its forms, the 待办 task list and the 时限规则 page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kesu.accounts.models import User
from kesu.cases.models import Case
from kesu.clocks import worker
from kesu.clocks.models import Alert, CaseClock, ExtensionRequest, OfficialYear

pytestmark = pytest.mark.django_db

NOTICE = {
    "notice_kind": "call_out",
    "notice_summary": "已致电客户说明需调取外部交易记录，答复期限延至30日内，客户表示理解",
}


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def get(user: User, url: str) -> tuple[int, str]:
    response = client_for(user).get(url)
    return response.status_code, response.content.decode()


def card_of(html: str, anchor: str) -> str:
    part = html[html.index(f'id="{anchor}"') :]
    return part[: part.index("</section>")]


def act(user: User, case: Case, action: str, **form: Any) -> Any:
    case.refresh_from_db()
    form.setdefault("version", case.version)
    return client_for(user).post(f"/cases/{case.pk}/act/{action}/", form)


def decision(case: Case) -> CaseClock:
    return case.clocks.get(key="decision", ended="")


def request_extension(people: dict[str, User], case: Case) -> ExtensionRequest:
    clock = decision(case)
    response = act(
        people["handler"], case, "extension_request", clock=clock.pk, reason="需调取外部机构的交易记录核实"
    )
    assert response.status_code == 302 and response["Location"].endswith("#clocks")
    return clock.extension_requests.get(status="pending")


def test_clock_card_shows_each_clock_with_due_remaining_state_and_source(
    people: dict[str, User], case: Case
) -> None:
    status, html = get(people["handler"], f"/cases/{case.pk}/")
    assert status == 200
    card = card_of(html, "clocks")
    assert "处理决定并告知投诉人" in card and "首次联系客户" in card
    assert "第十八条" in card  # the rule's source
    assert f"{timezone.localtime(decision(case).due_at):%Y-%m-%d %H:%M}" in card
    assert 'class="badge clock-running"' in card and "计时中" in card
    assert "剩余" in card
    assert "申请延期" in card and 'id="form-clock-pause"' in card and 'id="form-promise"' in card


def test_read_only_roles_see_clocks_but_no_forms(people: dict[str, User], case: Case) -> None:
    status, html = get(people["legal"], f"/cases/{case.pk}/")
    assert status == 200 and "处理决定并告知投诉人" in html
    assert "/act/extension_request/" not in html and "/act/clock_pause/" not in html


def test_handler_requests_and_cannot_approve_supervisor_can(people: dict[str, User], case: Case) -> None:
    req = request_extension(people, case)
    _, handler_page = get(people["handler"], f"/cases/{case.pk}/")
    assert "待审批" in handler_page and "/act/extension_approve/" not in handler_page
    refused = act(people["handler"], case, "extension_approve", request=req.pk, **NOTICE)
    assert refused.status_code == 403
    assert "此次延期须由消保专员、主管审批" in refused.content.decode()
    _, boss_page = get(people["supervisor"], f"/cases/{case.pk}/")
    assert f'id="form-extension-approve-{req.clock_id}"' in boss_page
    req.refresh_from_db()
    assert req.status == "pending"


def test_approval_without_notice_is_refused_then_approved_with_notice(
    people: dict[str, User], case: Case
) -> None:
    req = request_extension(people, case)
    old_due = decision(case).due_at
    missing = act(
        people["supervisor"], case, "extension_approve", request=req.pk, notice_kind="", notice_summary=""
    )
    assert missing.status_code == 400
    assert "延期须告知投诉人：请记录告知方式和告知内容" in missing.content.decode()
    req.refresh_from_db()
    assert req.status == "pending" and not case.contacts.exists()

    done = client_for(people["supervisor"]).post(
        f"/cases/{case.pk}/act/extension_approve/", {"request": req.pk, **NOTICE}, follow=True
    )
    html = done.content.decode()
    assert "已批准处理决定并告知投诉人延期" in html
    new_due = decision(case).due_at
    assert new_due is not None and old_due is not None and (new_due - old_due).days == 15
    assert f"{timezone.localtime(new_due):%Y-%m-%d %H:%M}" in html
    assert "【延期告知】已致电客户" in html  # the communications log
    assert "<td>批准延期</td>" in html  # the audit trail
    req.refresh_from_db()
    assert req.status == "approved" and req.decided_by == people["supervisor"] and req.notice is not None


def test_rejection_needs_a_reason(people: dict[str, User], case: Case) -> None:
    req = request_extension(people, case)
    refused = act(people["supervisor"], case, "extension_reject", request=req.pk, note="")
    assert refused.status_code == 400 and "驳回须写明理由" in refused.content.decode()
    assert (
        act(people["supervisor"], case, "extension_reject", request=req.pk, note="材料已齐备").status_code
        == 302
    )
    req.refresh_from_db()
    assert req.status == "rejected"
    _, html = get(people["handler"], f"/cases/{case.pk}/")
    assert "已驳回" in html and "材料已齐备" in html


def test_pause_resume_restart_and_promise(people: dict[str, User], case: Case) -> None:
    handler = people["handler"]
    short = act(handler, case, "clock_pause", reason="鉴")
    assert short.status_code == 400 and "请写明中止理由" in short.content.decode()
    assert act(handler, case, "clock_pause", reason="委托第三方鉴定签名真伪").status_code == 302
    _, html = get(handler, f"/cases/{case.pk}/")
    assert "已暂停" in html and "委托第三方鉴定签名真伪" in html and 'id="form-clock-resume"' in html
    assert act(handler, case, "clock_resume", note="鉴定报告已收到").status_code == 302
    assert not decision(case).pauses.filter(end__isnull=True).exists()

    first = decision(case)
    assert act(handler, case, "clock_restart", reason="客户补充提交了新的交易凭证").status_code == 302
    first.refresh_from_db()
    assert first.ended == "restarted" and decision(case).pk != first.pk

    past = act(handler, case, "promise", day=(timezone.localdate() - timedelta(days=1)).isoformat())
    assert past.status_code == 400 and "承诺答复日期不能早于今天" in past.content.decode()
    day = timezone.localdate() + timedelta(days=3)
    assert act(handler, case, "promise", day=day.isoformat()).status_code == 302
    assert case.clocks.filter(key="promise", ended="").exists()
    _, html = get(handler, f"/cases/{case.pk}/")
    for label in ("时限中止", "时限恢复", "时限重新起算", "承诺答复日期"):
        assert f"<td>{label}</td>" in html


def test_worker_warning_reaches_handler_and_supervisor_task_lists(
    people: dict[str, User], case: Case
) -> None:
    due = decision(case).due_at
    assert due is not None
    # Past 80 % of the decision clock: the owner and the supervisors above the case are told.
    worker.run_once(now=case.received_at + (due - case.received_at) * 0.85)
    for who in ("handler", "supervisor"):
        status, html = get(people[who], "/tasks/")
        assert status == 200
        assert "时限预警" in html and case.number in html and "已用时 80%" in html, who
        assert 'class="nav-count"' in html
    alert = Alert.objects.get(user=people["handler"], kind="clock_warning", clock__key="decision")
    response = client_for(people["handler"]).post(f"/tasks/{alert.pk}/done/", follow=True)
    assert "已标记为已处理" in response.content.decode()
    alert.refresh_from_db()
    assert alert.done_at is not None
    other = Alert.objects.get(user=people["supervisor"], kind="clock_warning", clock__key="decision")
    assert client_for(people["handler"]).post(f"/tasks/{other.pk}/done/").status_code == 302
    other.refresh_from_db()
    assert other.done_at is None  # not the handler's own entry: nothing happens


def test_supervisor_task_list_has_approvals_and_breach_statistics(
    people: dict[str, User], case: Case
) -> None:
    request_extension(people, case)
    due = decision(case).due_at
    assert due is not None
    worker.run_once(now=due + timedelta(days=1))
    _, html = get(people["supervisor"], "/tasks/")
    approvals = card_of(html, "approvals")
    assert case.number in approvals
    assert "情况复杂，延长至30日" in approvals
    breaches = card_of(html, "breaches")
    # Both the decision clock and the internal first-contact target ran out.
    assert 'id="breach-count">2<' in breaches
    assert (
        "<td>处理决定并告知投诉人</td><td>1</td>" in breaches
        and "<td>首次联系客户</td><td>1</td>" in breaches
    )
    _, handler_tasks = get(people["handler"], "/tasks/")
    assert "时限超期" in handler_tasks and 'id="approvals"' not in handler_tasks


def test_rules_page_shows_figures_sources_and_calendar(people: dict[str, User]) -> None:
    status, html = get(people["handler"], "/rules/")
    assert status == 200
    assert "银行业保险业" in html and "第十八条" in html and "待核实" in html
    assert "情况复杂，延长至30日" in html and "上级机构负责人" in html
    assert "50% · 80% · 100%" in html
    assert "/admin/clocks/officialyear/" not in html
    year = timezone.localdate().year + 9
    OfficialYear.objects.create(
        year=year, source="国务院办公厅关于节假日安排的通知（测试）", entered_by=people["admin"]
    )
    _, admin_html = get(people["admin"], "/rules/")
    assert "/admin/clocks/officialyear/" in admin_html
    assert f"{year} 年" in admin_html


def test_pages_need_login() -> None:
    for url in ("/tasks/", "/rules/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
