"""Workflow actions from the case page: one POST endpoint, CSRF, versions, Chinese refusals."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kesu.accounts.models import User
from kesu.cases import services
from kesu.cases.models import Case
from kesu.demo.builders import FULL_CLOSURE, FULL_NOTICE, build_case

pytestmark = pytest.mark.django_db

CLOSE_FORM = {
    "root_cause": FULL_CLOSURE.root_cause,
    "controllable": "yes",
    "internal": "yes",
    "responsibility": FULL_CLOSURE.responsibility,
    "payout_kind": FULL_CLOSURE.payout_kind,
    "payout_amount": "300.00",
    "payout_basis": FULL_CLOSURE.payout_basis,
    "lesson": FULL_CLOSURE.lesson,
}


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def act(user: User, case: Case, action: str, **form: Any) -> Any:
    case.refresh_from_db()
    form.setdefault("version", case.version)
    return client_for(user).post(f"/cases/{case.pk}/act/{action}/", form)


def last_event(case: Case) -> str:
    return case.events.order_by("-at", "-id").values_list("action", flat=True).first() or ""


def test_full_path_each_action_changes_status_and_is_audited(people: dict[str, User], case: Case) -> None:
    steps: list[tuple[User, str, dict[str, Any], str]] = [
        (people["handler"], "start", {}, "in_progress"),
        (people["handler"], "transfer", {"to": people["supervisor"].pk, "note": "金额超权限"}, "in_progress"),
        (people["supervisor"], "accept", {}, "in_progress"),
        (people["supervisor"], "issue_notice", FULL_NOTICE, "in_progress"),
        (people["supervisor"], "resolve", {}, "resolved"),
        (people["supervisor"], "callback", {"satisfaction": "satisfied", "recurred": "no"}, "callback_done"),
        (people["supervisor"], "close", CLOSE_FORM, "closed"),
        (people["supervisor"], "reopen", {"reason": "客户再次来电，问题复发"}, "in_progress"),
    ]
    for user, action, form, status in steps:
        response = act(user, case, action, **form)
        assert response.status_code == 302, (action, response.content.decode()[:2000])
        assert response["Location"].startswith(f"/cases/{case.pk}/#")
        case.refresh_from_db()
        assert case.status == status, action
        assert last_event(case) == action
    assert case.owner == people["supervisor"]
    page = client_for(people["supervisor"]).get(f"/cases/{case.pk}/").content.decode()
    for label in ("开始处理", "转办", "接收转办", "出具处理决定告知", "办结", "回访", "结案", "重新处理"):
        assert f"<td>{label}</td>" in page


def test_decline_withdraw_merge_and_escalate(people: dict[str, User], case: Case) -> None:
    handler, supervisor = people["handler"], people["supervisor"]
    act(handler, case, "transfer", to=supervisor.pk)
    assert act(supervisor, case, "decline", reason="不属于本部门").status_code == 302
    case.refresh_from_db()
    assert case.transfer_to is None and last_event(case) == "decline"
    assert act(handler, case, "escalate", level="2", reason="扬言向监管投诉").status_code == 302
    case.refresh_from_db()
    assert case.escalation_level == 2 and case.escalated_at is not None
    other = build_case(handler, text="同一件事我再说一遍：年费的问题还没解决。")
    assert act(supervisor, other, "merge", into=case.number).status_code == 302
    other.refresh_from_db()
    assert other.status == "merged" and other.merged_into == case
    assert act(handler, case, "withdraw", reason="客户来电撤回（有录音）").status_code == 302
    case.refresh_from_db()
    assert case.status == "withdrawn"


def test_success_message_is_shown_after_redirect(people: dict[str, User], case: Case) -> None:
    client = client_for(people["handler"])
    response = client.post(f"/cases/{case.pk}/act/start/", {"version": case.version}, follow=True)
    assert "已开始处理" in response.content.decode()


def test_get_on_action_url_is_405(people: dict[str, User], case: Case) -> None:
    response = client_for(people["handler"]).get(f"/cases/{case.pk}/act/start/")
    assert response.status_code == 405
    case.refresh_from_db()
    assert case.status == "received"


def test_csrf_is_enforced(people: dict[str, User], case: Case) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["handler"])
    refused = client.post(f"/cases/{case.pk}/act/start/", {"version": case.version})
    assert refused.status_code == 403
    case.refresh_from_db()
    assert case.status == "received"
    client.get(f"/cases/{case.pk}/")  # sets the CSRF cookie, as the browser would
    token = client.cookies["csrftoken"].value
    done = client.post(
        f"/cases/{case.pk}/act/start/", {"version": case.version, "csrfmiddlewaretoken": token}
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == "in_progress"


def test_stale_version_shows_conflict_and_current_state(people: dict[str, User], case: Case) -> None:
    seen = case.version
    services.case_start(user=people["handler"], case=case)  # someone else acts first
    response = client_for(people["handler"]).post(
        f"/cases/{case.pk}/act/transfer/", {"version": seen, "to": people["supervisor"].pk, "note": "请接手"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "为避免覆盖他人的修改，本次操作未保存" in html
    assert "处理中" in html  # the page shows the current status
    assert 'value="请接手"' in html  # and keeps what the user typed
    case.refresh_from_db()
    assert case.transfer_to is None


def test_notice_without_all_elements_is_refused(people: dict[str, User], case: Case) -> None:
    act(people["handler"], case, "start")
    response = act(
        people["handler"], case, "issue_notice", result="同意退还年费", reasons="未告知", basis="", redress=""
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "处理决定告知缺少依据" in html and "处理决定告知缺少救济途径" in html
    assert "同意退还年费" in html  # kept for correction
    assert not case.notices.exists()


def test_resolve_before_notice_is_refused_with_reason(people: dict[str, User], case: Case) -> None:
    act(people["handler"], case, "start")
    response = act(people["handler"], case, "resolve")
    assert response.status_code == 409
    assert "尚未出具处理决定告知" in response.content.decode()


def test_closure_without_root_cause_is_refused(people: dict[str, User], case: Case) -> None:
    for user, action, form in (
        (people["handler"], "start", {}),
        (people["handler"], "issue_notice", FULL_NOTICE),
        (people["handler"], "resolve", {}),
        (people["handler"], "callback", {"satisfaction": "satisfied", "recurred": "no"}),
    ):
        assert act(user, case, action, **form).status_code == 302
    response = act(people["supervisor"], case, "close", **{**CLOSE_FORM, "root_cause": ""})
    assert response.status_code == 400
    assert "不能结案：请选择根本原因" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "callback_done"


def test_bad_amount_and_unknown_things_are_clear_messages(people: dict[str, User], case: Case) -> None:
    bad = act(people["handler"], case, "transfer", to="999999")
    assert bad.status_code == 400 and "请从列表中选择转办接收人" in bad.content.decode()
    no_version = client_for(people["handler"]).post(f"/cases/{case.pk}/act/start/", {})
    assert no_version.status_code == 400 and "表单缺少版本号" in no_version.content.decode()
    assert act(people["handler"], case, "explode").status_code == 404


def test_dissatisfied_callback_points_to_reopen(people: dict[str, User], case: Case) -> None:
    for action, form in (("start", {}), ("issue_notice", FULL_NOTICE), ("resolve", {})):
        act(people["handler"], case, action, **form)
    client = client_for(people["handler"])
    case.refresh_from_db()
    response = client.post(
        f"/cases/{case.pk}/act/callback/",
        {"version": case.version, "satisfaction": "dissatisfied", "recurred": "yes"},
        follow=True,
    )
    assert "请主管或消保专员「重新处理」" in response.content.decode()
    supervisor_page = client_for(people["supervisor"]).get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/act/reopen/" in supervisor_page
    assert "回访显示客户不满意或问题复发" in supervisor_page


def test_outsider_cannot_act(people: dict[str, User], case: Case) -> None:
    assert act(people["outsider"], case, "start").status_code == 404
    case.refresh_from_db()
    assert case.status == "received"
