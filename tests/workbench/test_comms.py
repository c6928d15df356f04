"""The communications log, reply drafts with the reply check, and escalation (services_comms)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kesu.accounts.models import User
from kesu.cases import services
from kesu.cases.errors import Forbidden, InvalidInput, TransitionNotAllowed, VersionConflict
from kesu.cases.models import Case
from kesu.cases.services_comms import case_escalate, contact_add, reply_save

pytestmark = pytest.mark.django_db
TABOO = "这是公司规定，您必须本人来"


def test_contact_is_logged_and_audited(people: dict[str, User], case: Case) -> None:
    at = timezone.now() - timedelta(hours=1)
    contact = contact_add(
        user=people["handler"], case=case, kind="call_out", summary="致电13800001234，约定明天回复", at=at
    )
    assert contact.at == at and contact.by == people["handler"]
    event = case.events.get(action="contact")
    assert "去电" in event.note and "13800001234" not in event.note
    case.refresh_from_db()
    assert case.version == 2


@pytest.mark.parametrize(
    ("kind", "summary", "hours", "message"),
    [
        ("fax", "有内容", 0, "请选择沟通方式"),
        ("sms", "  ", 0, "请填写沟通内容摘要"),
        ("sms", "有内容", 5, "沟通时间不能晚于当前时间"),
    ],
)
def test_contact_bad_input_is_refused(
    people: dict[str, User], case: Case, kind: str, summary: str, hours: int, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        contact_add(
            user=people["handler"],
            case=case,
            kind=kind,
            summary=summary,
            at=timezone.now() + timedelta(hours=hours),
        )
    assert not case.contacts.exists() and not case.events.filter(action="contact").exists()


def test_contact_with_stale_version_is_refused(people: dict[str, User], case: Case) -> None:
    seen = case.version
    services.case_start(user=people["handler"], case=case)
    with pytest.raises(VersionConflict):
        contact_add(user=people["handler"], case=case, kind="sms", summary="短信告知进展", version=seen)
    assert not case.contacts.exists()


def test_reply_is_saved_with_its_check(people: dict[str, User], case: Case) -> None:
    reply = reply_save(user=people["handler"], case=case, text=TABOO)
    rules = {f["rule"] for f in reply.findings["findings"]}
    assert {"rule_citing", "absolute_command"} <= rules
    assert reply.score < 100 and not reply.sent
    assert "rule_citing" in case.events.get(action="reply").note


def test_sent_reply_records_the_contact(people: dict[str, User], case: Case) -> None:
    contact = contact_add(user=people["handler"], case=case, kind="sms", summary="短信发送处理结果")
    good = "非常抱歉给您带来不便。经核实，年费将于3个工作日内退回原卡，到账后我会短信通知您。"
    reply = reply_save(user=people["handler"], case=case, text=good, sent=True, contact=contact)
    assert reply.sent and reply.findings["sent_via"]["contact_id"] == contact.pk
    other = services.case_open(user=people["handler"], text="另一件投诉", complainant_name="李四")
    with pytest.raises(InvalidInput):
        reply_save(user=people["handler"], case=other, text=good, sent=True, contact=contact)


def test_reply_needs_text_and_a_handling_role(people: dict[str, User], case: Case) -> None:
    with pytest.raises(InvalidInput, match="答复内容为空"):
        reply_save(user=people["handler"], case=case, text="  ")
    with pytest.raises(Forbidden):
        reply_save(user=people["legal"], case=case, text=TABOO)
    assert not case.replies.exists()


def test_escalation_sets_level_and_is_audited(people: dict[str, User], case: Case) -> None:
    escalated = case_escalate(user=people["handler"], case=case, level=1, reason="超出补偿权限")
    assert escalated.escalation_level == 1 and escalated.escalated_at is not None
    event = escalated.events.get(action="escalate")
    assert event.changes["escalation_level"] == {"old": 0, "new": 1}
    assert "超出补偿权限" in event.note
    with pytest.raises(InvalidInput, match="须升到当前层级 L2 以上"):
        case_escalate(user=people["handler"], case=escalated, level=1, reason="再升一次")
    with pytest.raises(InvalidInput, match="理由"):
        case_escalate(user=people["handler"], case=escalated, level=2, reason=" ")


def test_finished_case_cannot_be_escalated(people: dict[str, User], case: Case) -> None:
    services.case_withdraw(user=people["handler"], case=case, reason="客户撤回（有录音）")
    with pytest.raises(TransitionNotAllowed):
        case_escalate(user=people["handler"], case=case, level=2, reason="舆情")


def test_reply_from_the_page_shows_findings_in_chinese(people: dict[str, User], case: Case) -> None:
    client = Client()
    client.force_login(people["handler"])
    response = client.post(
        f"/cases/{case.pk}/act/reply/", {"version": case.version, "reply_text": TABOO}, follow=True
    )
    html = response.content.decode()
    assert "答复已保存" in html
    assert "搬出规定" in html and "命令式用语" in html
    assert case.replies.count() == 1


def test_contact_from_the_page_appears_in_the_log(people: dict[str, User], case: Case) -> None:
    client = Client()
    client.force_login(people["handler"])
    form = {
        "version": case.version,
        "kind": "call_in",
        "at": "2026-01-05T09:30",
        "summary": "客户来电询问进度",
    }
    html = client.post(f"/cases/{case.pk}/act/contact/", form, follow=True).content.decode()
    assert "已添加沟通记录" in html and "客户来电询问进度" in html and "2026-01-05 09:30" in html


def test_live_check_endpoint_accepts_the_session_with_csrf(people: dict[str, User], case: Case) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["handler"])
    client.get(f"/cases/{case.pk}/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/check-reply", {"text": TABOO}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200
    assert {"rule_citing", "absolute_command"} <= {f["rule"] for f in response.json()["findings"]}
