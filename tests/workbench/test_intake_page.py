"""The fast intake page: record a complaint, keep values on bad input, flag missing elements,
offer likely duplicates and merge, attachments at intake, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kesu.accounts.models import User
from kesu.cases import services
from kesu.cases.errors import InvalidInput
from kesu.cases.models import Case, CaseEvent
from kesu.demo.builders import DEFAULT_TEXT
from kesu.web.forms_intake import normalise_id_number, normalise_phone

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
FULL = {
    "text": "我上个月办的信用卡，没人告诉我有300元年费，现在直接从卡里扣了，请退还。",
    "channel": "phone",
    "received_at": "2026-11-20T10:30",
    "industry": "banking",
    "complainant_name": "王测试",
    "complainant_phone": "139 0000 5678",
    "complainant_id_number": "",
    "product": "信用卡",
    "respondent": "浦东支行",
    "request": "退还年费300元",
    "facts": "办卡时未告知年费，11月被扣300元",
    "grounds": "未履行告知义务",
}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def texts(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_form_has_the_fields_a_handler_needs(people: dict[str, User], org: Any) -> None:
    page = login(people["handler"]).get("/cases/new/").content.decode()
    for name in (*FULL, "on_behalf", "agent_name", "power_of_attorney", "unit", "attachments"):
        assert f'name="{name}"' in page
    assert "保存并分析" in page and "autofocus" in page and 'type="datetime-local"' in page
    assert 'value="phone" selected' in page  # channel defaults to phone
    assert f'value="{org.east_pudong.pk}" selected' in page  # the handler's own unit
    assert "朝阳支行" not in page and "华东分行" not in page  # only units in scope


def test_handler_records_a_complaint_and_lands_on_its_case_page(people: dict[str, User]) -> None:
    handler = people["handler"]
    response = login(handler).post("/cases/new/", {**FULL, "on_behalf": "on", "agent_name": "李代理"})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.owner == handler and case.received_by == handler and case.unit == handler.unit
    assert case.analysis and "risk" in case.analysis
    assert case.complainant.phone == "13900005678" and case.on_behalf and case.agent_name == "李代理"
    assert CaseEvent.objects.filter(case=case, action="open").count() == 1
    shown = " ".join(texts(response))
    assert case.number in shown and "您是首问责任人，在同事接收前由您负责" in shown
    assert "授权委托书" in shown  # the one element still missing is named


def test_bad_input_comes_back_with_values_and_chinese_messages(people: dict[str, User]) -> None:
    bad = {**FULL, "text": "  ", "complainant_phone": "12345", "complainant_id_number": "110101199001011235"}
    response = login(people["handler"]).post("/cases/new/", {**bad, "respondent": "西湖支行营业部"})
    page = response.content.decode()
    assert response.status_code == 200 and Case.objects.count() == 0
    assert "请填写投诉内容" in page and "电话号码格式不正确" in page and "校验位不符" in page
    assert 'value="西湖支行营业部"' in page and 'value="王测试"' in page and "未履行告知义务" in page
    assert 'value="12345"' in page  # the wrong value stays, to be corrected rather than retyped


def test_unit_outside_scope_and_future_time_are_refused(people: dict[str, User], org: Any) -> None:
    data = {**FULL, "unit": org.north_chaoyang.pk, "received_at": "2099-01-01T09:00"}
    page = login(people["handler"]).post("/cases/new/", data).content.decode()
    assert "受理机构不在您的管辖范围内" in page and "收到时间不能晚于现在" in page
    assert Case.objects.count() == 0


def test_missing_elements_are_flagged_live_and_the_case_still_saves(people: dict[str, User]) -> None:
    client = login(people["handler"])
    answer = client.post("/cases/new/", {"check": "1", "text": "扣了我年费", "on_behalf": "on"}).json()
    keys = {m["key"] for m in answer["missing"]}
    assert {"complainant_name", "complainant_phone", "respondent", "request", "grounds"} <= keys
    assert {"agent_name", "power_of_attorney"} <= keys and "facts" not in keys  # facts: the text
    assert any("授权委托书" in m["message"] for m in answer["missing"])
    assert Case.objects.count() == 0  # a check saves nothing
    response = client.post("/cases/new/", {"text": "扣了我年费", "channel": "phone",
                                           "received_at": "2026-11-20T10:30", "complainant_phone": "13900005678"})  # fmt: skip
    assert response.status_code == 302 and Case.objects.count() == 1
    assert any("受理要素尚缺" in m and "未写明投诉理由" in m for m in texts(response))


def test_the_form_shows_the_missing_checklist_without_javascript(people: dict[str, User]) -> None:
    page = login(people["handler"]).get("/cases/new/").content.decode()
    assert "受理要素检查" in page and "缺少投诉人姓名或名称" in page and "未写明投诉请求" in page


def test_live_check_reports_field_problems(people: dict[str, User]) -> None:
    answer = login(people["handler"]).post("/cases/new/", {"check": "1", "complainant_phone": "abc"}).json()
    assert "电话号码" in answer["errors"]["complainant_phone"][0]


def _duplicate_data() -> dict[str, str]:
    return {**FULL, "complainant_phone": "13800001234", "text": "信用卡" + DEFAULT_TEXT}


def test_specialist_is_offered_the_duplicate_and_merges(people: dict[str, User], case: Case) -> None:
    client = login(people["specialist"])
    answer = client.post("/cases/new/", {**_duplicate_data(), "check": "1"}).json()
    assert answer["duplicates"] == 1 and case.number in answer["duplicates_html"]
    assert "合并到该案件" in answer["duplicates_html"] and "disabled" not in answer["duplicates_html"]
    first = client.post("/cases/new/", _duplicate_data())  # no choice yet: asked before saving
    assert first.status_code == 200 and "仍作为新投诉登记" in first.content.decode()
    assert Case.objects.count() == 1
    merged = client.post("/cases/new/", {**_duplicate_data(), "duplicate_choice": f"merge:{case.pk}"})
    assert merged["Location"] == f"/cases/{case.pk}/"
    new = Case.objects.exclude(pk=case.pk).get()
    assert new.status == "merged" and new.merged_into == case
    assert case.events.filter(action="merged_in").exists()
    assert any(new.number in m and "合并" in m for m in texts(merged))


def test_handler_may_not_merge_but_may_register_as_new(people: dict[str, User], case: Case) -> None:
    client = login(people["handler"])
    html = client.post("/cases/new/", {**_duplicate_data(), "check": "1"}).json()["duplicates_html"]
    assert "disabled" in html and "投诉专员" in html
    refused = client.post("/cases/new/", {**_duplicate_data(), "duplicate_choice": f"merge:{case.pk}"})
    assert refused.status_code == 200 and "您的角色是坐席" in refused.content.decode()
    assert Case.objects.count() == 1
    saved = client.post("/cases/new/", {**_duplicate_data(), "duplicate_choice": "new"})
    assert saved.status_code == 302 and Case.objects.filter(status="received").count() == 2


def test_duplicates_in_another_branch_are_not_revealed(people: dict[str, User], case: Case) -> None:
    answer = login(people["outsider"]).post("/cases/new/", {**_duplicate_data(), "check": "1"}).json()
    assert answer["duplicates"] == 0 and case.number not in answer["duplicates_html"]


def test_roles_that_do_not_handle_complaints_cannot_open_the_form(people: dict[str, User]) -> None:
    response = login(people["legal"]).get("/cases/new/")
    assert response.status_code == 403 and "您的角色是法务" in response.content.decode()


def test_attachments_are_stored_with_the_new_case(people: dict[str, User], media: Path) -> None:
    files = [SimpleUploadedFile("扣费短信.png", PNG), SimpleUploadedFile("合约.pdf", PDF)]
    response = login(people["handler"]).post("/cases/new/", {**FULL, "attachments": files})
    case = Case.objects.get()
    assert response.status_code == 302
    kinds = sorted(case.attachments.values_list("kind", "name"))
    assert kinds == [("document", "合约.pdf"), ("photo", "扣费短信.png")]
    assert len(stored_files(media)) == 2 and case.events.filter(action="attach").count() == 2


def test_a_wrong_file_keeps_everything_unsaved(people: dict[str, User], media: Path) -> None:
    files = [SimpleUploadedFile("合约.pdf", PDF), SimpleUploadedFile("录音.mp3", b"MZ\x90\x00not audio")]
    response = login(people["handler"]).post("/cases/new/", {**FULL, "attachments": files})
    page = response.content.decode()
    assert response.status_code == 200 and "录音.mp3" in page and "内容却不是 MP3 录音" in page
    assert Case.objects.count() == 0 and stored_files(media) == []
    assert "上次选择的附件尚未保存" in page and 'value="王测试"' in page


def test_a_failure_after_storing_removes_the_files(
    people: dict[str, User], case: Case, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**kwargs: Any) -> Case:
        raise InvalidInput("合并失败（测试）")

    monkeypatch.setattr(services, "case_merge", refuse)
    data = {**_duplicate_data(), "duplicate_choice": f"merge:{case.pk}", "attachments": [SimpleUploadedFile("a.pdf", PDF)]}  # fmt: skip
    response = login(people["specialist"]).post("/cases/new/", data)
    assert response.status_code == 200 and "合并失败（测试）" in response.content.decode()
    assert Case.objects.count() == 1 and stored_files(media) == []


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("139 0000 5678", "13900005678"),
        ("+86 139-0000-5678", "13900005678"),
        ("021-12345678", "02112345678"),
        ("（0571）87654321", "057187654321"),
        ("4008123123", "4008123123"),
        ("12345", "电话号码格式不正确"),
        ("1390000567", "电话号码格式不正确"),  # one digit short
        ("139abc", "只能包含数字"),
    ],
)
def test_phone_numbers(raw: str, shown: str) -> None:
    if shown.isdigit():
        assert normalise_phone(raw) == shown
    else:
        with pytest.raises(ValidationError, match=shown):
            normalise_phone(raw)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("11010519491231002x", "11010519491231002X"),  # check digit X, typed in lower case
        ("110101 19900101 1237", "110101199001011237"),
        ("110101900101123", "110101900101123"),  # old 15-digit card
        ("91350100M000100Y43", "91350100M000100Y43"),  # unified social credit code
        ("E12345678", "E12345678"),  # passport
        ("110101199001011235", "校验位不符"),
        ("110101199002301234", "出生日期不存在"),
        ("11010119900101123", "应为 18 位"),
        ("91350100M000100Y44", "统一社会信用代码校验位不符"),
        ("110-101", "只能包含字母和数字"),
    ],
)
def test_id_numbers(raw: str, shown: str) -> None:
    if shown.isascii():
        assert normalise_id_number(raw) == shown
    else:
        with pytest.raises(ValidationError, match=shown):
            normalise_id_number(raw)
