"""Excel export of a case list: a real .xlsx, Chinese headers, personal data masked, scope and
filters as on the page, at most EXPORT_LIMIT rows (and the sheet says so when cut)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from kesu.accounts.models import User
from kesu.cases.models import Case
from kesu.demo.builders import build_case
from kesu.web import views_lists

CARD_TEXT = "信用卡年费被扣了，我的卡号是6222 0212 3456 7890 123，电话13912345678，请退还。"


@pytest.fixture
def cases(people: dict[str, User], org: Any) -> dict[str, Case]:
    return {
        "card": build_case(
            people["handler"],
            CARD_TEXT,
            complainant_id_number="110101199001011234",
            request="退还年费，卡号6222021234567890123",
        ),
        "formula": build_case(
            people["handler"], product="=HYPERLINK(1)", complainant_phone="13700007777", channel="web"
        ),
        "north": build_case(people["outsider"], complainant_phone="13500005555"),
    }


def export(user: User, query: str = "") -> Any:
    client = Client()
    client.force_login(user)
    return client.get(f"/cases/export.xlsx?{query}")


def sheet_rows(response: Any) -> tuple[list[tuple[Any, ...]], Any]:
    book = load_workbook(BytesIO(response.content))
    return list(book["投诉案件"].iter_rows(values_only=True)), book


def test_export_is_a_real_workbook_with_chinese_headers(
    people: dict[str, User], cases: dict[str, Case]
) -> None:
    response = export(people["handler"], "view=unit")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    rows, book = sheet_rows(response)
    assert rows[0] == views_lists.EXPORT_COLUMNS
    assert rows[0][:3] == ("案件编号", "收到时间", "投诉人")
    assert {r[0] for r in rows[1:]} == {cases["card"].number, cases["formula"].number}
    assert book.sheetnames == ["投诉案件", "说明"]


def test_export_masks_phone_id_and_numbers_inside_text(
    people: dict[str, User], cases: dict[str, Case]
) -> None:
    rows, book = sheet_rows(export(people["handler"], "view=unit"))
    header = rows[0]
    card = next(dict(zip(header, r, strict=True)) for r in rows[1:] if r[0] == cases["card"].number)
    assert card["投诉人"] == "张*试"
    assert card["联系电话"] == "138****1234"
    assert card["证件号码"] == "110***********1234"
    assert card["投诉请求"] == "退还年费，卡号6222***********0123"
    everything = " ".join(
        str(v) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for v in r if v
    )
    for secret in ("13800001234", "110101199001011234", "6222021234567890123", "13912345678", "7890 123"):
        assert secret not in everything


def test_export_writes_dates_as_dates_and_text_never_as_a_formula(
    people: dict[str, User], cases: dict[str, Case]
) -> None:
    rows, _ = sheet_rows(export(people["handler"], "view=unit"))
    header = rows[0]
    formula = next(dict(zip(header, r, strict=True)) for r in rows[1:] if r[0] == cases["formula"].number)
    assert formula["产品"] == "=HYPERLINK(1)"  # read back as text, not evaluated
    assert formula["收到时间"].year >= 2026  # a datetime Excel can sort and filter
    assert formula["答复期限"] > formula["收到时间"]


def test_export_respects_scope_and_filters(people: dict[str, User], cases: dict[str, Case]) -> None:
    rows, _ = sheet_rows(export(people["outsider"], "view=unit"))
    assert [r[0] for r in rows[1:]] == [cases["north"].number]
    rows, _ = sheet_rows(export(people["supervisor"], "view=unit&channel=web"))
    assert [r[0] for r in rows[1:]] == [cases["formula"].number]
    rows, _ = sheet_rows(export(people["supervisor"], "view=unit&q=13700007777"))
    assert [r[0] for r in rows[1:]] == [cases["formula"].number]
    rows, _ = sheet_rows(export(people["handler"], "view=overdue"))
    assert rows[1:] == []  # header only


def test_export_is_cut_at_the_limit_and_says_so(
    people: dict[str, User], cases: dict[str, Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views_lists, "EXPORT_LIMIT", 1)
    rows, book = sheet_rows(export(people["supervisor"], "view=unit"))
    assert len(rows) == 3  # header, one case, the note
    assert rows[1][0] == cases["formula"].number  # the newest
    assert "仅导出最新的 1 件（共 2 件符合条件）" in rows[2][0]
    notes = dict(book["说明"].iter_rows(values_only=True))
    assert notes["符合条件"] == "2 件" and notes["已导出"] == "1 件"
    assert "仅导出最新的 1 件" in notes["提示"]
    assert notes["筛选条件"] == "列表：本机构案件"


def test_export_notes_say_which_filters_made_the_list(
    people: dict[str, User], cases: dict[str, Case], org: Any
) -> None:
    query = f"channel=web&unit={org.east_pudong.pk}&status=open"
    _, book = sheet_rows(export(people["supervisor"], query))
    notes = dict(book["说明"].iter_rows(values_only=True))
    assert notes["筛选条件"] == "列表：本机构案件；状态：未结（全部）；渠道：网站；受理机构：浦东支行及下级"
    assert notes["导出人"] == "苏主管（supervisor）"


def test_export_with_a_bad_filter_shows_the_list_page_with_a_chinese_message(
    people: dict[str, User], cases: dict[str, Case]
) -> None:
    response = export(people["handler"], "status=lost")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "未知状态「lost」" in response.content.decode()


def test_export_requires_login(db: Any) -> None:
    response = Client().get("/cases/export.xlsx")
    assert response.status_code == 302 and "/login/" in response["Location"]
