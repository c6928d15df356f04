"""Services: the one write path. Audit old → new, refusals, 首问负责制, optimistic locking."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kesu.accounts.models import User
from kesu.cases import services, workflow
from kesu.cases.errors import Forbidden, InvalidInput, TransitionNotAllowed, VersionConflict
from kesu.cases.models import AppendOnlyError, Case, CaseEvent
from kesu.cases.selectors import complainant_history, likely_duplicates
from kesu.demo.builders import FULL_CLOSURE, FULL_NOTICE, build_case, drive


def _events(case: Case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case).order_by("id"))


def test_opening_records_owner_analysis_and_event(people: dict[str, User], case: Case) -> None:
    assert case.number.startswith("KS") and case.status == "received"
    assert case.owner == case.received_by == people["handler"]
    assert case.analysis["engine"].startswith("kesu-analysis/")
    [event] = _events(case)
    assert event.action == "open" and event.actor == people["handler"]
    assert event.changes["status"] == {"old": None, "new": "received"}
    assert "13800001234" not in event.note and "138****1234" in event.note


@pytest.mark.parametrize(
    ("fields", "error", "words"),
    [
        ({"text": "  "}, InvalidInput, "投诉内容"),
        ({"complainant_name": "", "complainant_phone": ""}, InvalidInput, "姓名或联系电话"),
        ({"channel": "pigeon"}, InvalidInput, "未知渠道"),
        ({"industry": "mining"}, InvalidInput, "未知行业"),
        ({"colour": "red"}, InvalidInput, "不认识的字段"),
    ],
)
def test_bad_intake_is_refused_in_chinese(
    people: dict[str, User], fields: dict[str, str], error: type[Exception], words: str
) -> None:
    text = fields.pop("text", "被扣了年费")
    with pytest.raises(error, match=words):
        build_case(people["handler"], text, **fields)
    assert not Case.objects.exists()


@pytest.mark.parametrize("role_user", ["legal", "trainer"])
def test_read_only_roles_cannot_open_cases(people: dict[str, User], role_user: str) -> None:
    with pytest.raises(Forbidden):
        build_case(people[role_user])


def test_transfer_keeps_first_receiver_responsible_until_accepted(
    people: dict[str, User], case: Case
) -> None:
    handler, specialist = people["handler"], people["specialist"]
    case = services.case_transfer(user=handler, case=case, to=specialist)
    assert case.owner == handler and case.transfer_to == specialist
    with pytest.raises(TransitionNotAllowed, match="被指定接收"):
        services.case_accept(user=people["supervisor"], case=case)
    case = services.case_accept(user=specialist, case=case)
    assert case.owner == specialist and case.transfer_to is None and case.status == "in_progress"
    accept = _events(case)[-1]
    assert accept.changes["owner"] == {"old": "handler", "new": "specialist"}
    assert accept.changes["status"] == {"old": "received", "new": "in_progress"}


def test_transfer_to_someone_outside_the_scope_is_refused(people: dict[str, User], case: Case) -> None:
    with pytest.raises(InvalidInput, match="不能接收此案件"):
        services.case_transfer(user=people["handler"], case=case, to=people["outsider"])


def test_decline_needs_a_reason_and_returns_the_case(people: dict[str, User], case: Case) -> None:
    case = services.case_transfer(user=people["handler"], case=case, to=people["specialist"])
    with pytest.raises(InvalidInput, match="理由"):
        services.case_decline(user=people["specialist"], case=case, reason="")
    case = services.case_decline(user=people["specialist"], case=case, reason="不属于本专员条线")
    assert case.transfer_to is None and case.owner == people["handler"]


def test_resolve_refused_before_a_notice_and_notice_refused_without_elements(
    people: dict[str, User], case: Case
) -> None:
    handler = people["handler"]
    case = services.case_start(user=handler, case=case)
    with pytest.raises(TransitionNotAllowed, match="尚未出具处理决定告知"):
        services.case_resolve(user=handler, case=case)
    with pytest.raises(InvalidInput, match="救济途径") as info:
        services.case_issue_notice(user=handler, case=case, **{**FULL_NOTICE, "redress": ""})
    assert len(info.value.details) == 1
    services.case_issue_notice(user=handler, case=case, **FULL_NOTICE)
    case = services.case_resolve(user=handler, case=Case.objects.get(pk=case.pk))
    assert case.status == "resolved"


def test_closure_refused_without_root_cause_and_nothing_changes(people: dict[str, User], case: Case) -> None:
    case = drive(case, "callback_done", {"owner": people["handler"], "reviewer": people["specialist"]})
    before = (case.version, len(_events(case)))
    bad = workflow.Closure(**{**FULL_CLOSURE.__dict__, "root_cause": ""})
    with pytest.raises(InvalidInput, match="根本原因"):
        services.case_close(user=people["specialist"], case=case, closure=bad)
    case.refresh_from_db()
    assert (case.status, case.version, len(_events(case))) == ("callback_done", *before)


def test_handler_cannot_close_but_specialist_can(people: dict[str, User], case: Case) -> None:
    case = drive(case, "resolved", {"owner": people["handler"], "reviewer": people["specialist"]})
    with pytest.raises(TransitionNotAllowed, match="您的角色是坐席"):
        services.case_close(user=people["handler"], case=case, closure=FULL_CLOSURE)
    case = services.case_close(user=people["specialist"], case=case, closure=FULL_CLOSURE)
    assert case.status == "closed" and case.closed_at is not None
    assert case.payout_amount == Decimal("300.00") and case.payout_kind == "goodwill"
    close = _events(case)[-1]
    assert close.changes["root_cause"] == {"old": "", "new": "communication"}
    assert close.changes["payout_amount"] == {"old": None, "new": "300.00"}


def test_full_life_leaves_a_readable_trail(people: dict[str, User], case: Case) -> None:
    case = drive(case, "closed", {"owner": people["handler"], "reviewer": people["specialist"]})
    case = services.case_reopen(user=people["supervisor"], case=case, reason="客户反映问题再次发生")
    assert case.status == "in_progress" and case.closed_at is None
    with pytest.raises(TransitionNotAllowed, match="尚未出具处理决定告知"):
        services.case_resolve(user=people["handler"], case=case)  # the old notice does not count again
    actions = [e.action for e in _events(case)]
    assert actions == ["open", "start", "issue_notice", "resolve", "callback", "close", "reopen"]
    statuses = [e.changes["status"]["new"] for e in _events(case) if "status" in e.changes]
    assert statuses == ["received", "in_progress", "resolved", "callback_done", "closed", "in_progress"]


def test_withdraw_and_merge(people: dict[str, User], case: Case) -> None:
    other = build_case(people["handler"], "信用卡年费的事我上周已经投诉过了，还是没人处理，请退还年费。")
    merged = services.case_merge(user=people["specialist"], case=other, into=case)
    assert merged.status == "merged" and merged.merged_into == case
    assert _events(case)[-1].action == "merged_in"
    with pytest.raises(InvalidInput, match="只能合并到未结束的案件"):
        services.case_merge(user=people["specialist"], case=build_case(people["handler"]), into=merged)
    with pytest.raises(InvalidInput, match="撤回的方式"):
        services.case_withdraw(user=people["handler"], case=case, reason="")
    assert (
        services.case_withdraw(user=people["handler"], case=case, reason="客户来电撤诉").status == "withdrawn"
    )


def test_second_editor_gets_a_clear_conflict_instead_of_overwriting(
    people: dict[str, User], case: Case
) -> None:
    first = Case.objects.get(pk=case.pk)
    second = Case.objects.get(pk=case.pk)
    services.case_update(user=people["handler"], case=first, version=first.version, request="退还年费300元")
    with pytest.raises(VersionConflict) as info:
        services.case_update(
            user=people["supervisor"], case=second, version=second.version, request="只要道歉"
        )
    assert "已被韩坐席" in info.value.message and "刷新" in info.value.message
    assert Case.objects.get(pk=case.pk).request == "退还年费300元"


def test_conditional_update_catches_a_stale_row_even_without_a_client_version(
    people: dict[str, User], case: Case
) -> None:
    stale = Case.objects.get(pk=case.pk)
    services.case_start(user=people["handler"], case=Case.objects.get(pk=case.pk))
    with pytest.raises(VersionConflict):
        services.case_withdraw(user=people["handler"], case=stale, reason="客户撤诉")
    assert Case.objects.get(pk=case.pk).status == "in_progress"


def test_editing_the_text_reanalyses_and_reindexes(people: dict[str, User], case: Case) -> None:
    new_text = "宽带违约金不合理，回电13900001111"
    case = services.case_update(user=people["handler"], case=case, version=case.version, text=new_text)
    assert "宽带" in case.search_text and "年费" not in case.search_text
    changes = _events(case)[-1].changes
    assert changes["text"]["new"] == "宽带违约金不合理，回电139****1111"  # stored masked
    assert "analysis" not in changes and "search_text" not in changes  # derived, not audited


def test_audit_events_are_append_only(case: Case) -> None:
    event = CaseEvent.objects.filter(case=case).first()
    assert event is not None
    event.note = "篡改"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_attachment_checked_and_logged(people: dict[str, User], case: Case) -> None:
    att = services.attachment_add(user=people["handler"], case=case, kind="recording", name="通话.mp3",
                                  content_type="audio/mpeg", size=2048)  # fmt: skip
    assert att.pk and _events(case)[-1].action == "attach"
    with pytest.raises(InvalidInput, match="不接受该文件格式"):
        services.attachment_add(user=people["handler"], case=case, kind="photo", name="a.exe",
                                content_type="application/x-msdownload", size=10)  # fmt: skip


def test_duplicates_and_history_of_the_same_complainant(people: dict[str, User], case: Case) -> None:
    repeat = build_case(people["handler"], "上个月办的信用卡被扣了300元年费，没人告诉我有年费。请退还年费！")
    other = build_case(people["handler"], "宽带注销要交违约金", complainant_phone="13800009999")
    dups = likely_duplicates(complainant=repeat.complainant, text=repeat.text, exclude_id=repeat.pk)
    assert [d.case.pk for d in dups] == [case.pk]
    assert repeat.complainant_id == case.complainant_id != other.complainant_id
    assert repeat.analysis  # the engine heard about the earlier complaint
    history = complainant_history(repeat.complainant, exclude_id=repeat.pk)
    assert history["count"] == 1 and history["open"] == 1
    services.case_withdraw(user=people["handler"], case=case, reason="客户撤诉")
    assert likely_duplicates(complainant=repeat.complainant, text=repeat.text, exclude_id=repeat.pk) == []
