"""The case page: what each person sees, the highlighted complaint text and the analysis in words."""

from __future__ import annotations

import pytest
from django.test import Client

from kesu.accounts.models import User
from kesu.cases.models import Case
from kesu.demo.builders import build_case
from kesu.web.case_context import highlight

pytestmark = pytest.mark.django_db

RISKY = (
    "<script>alert('x')</script>我的手机号13812345678，你们必须退还300元年费！"
    "太气人了，否则我就向银保监会投诉，还要找媒体曝光。"
)


def page(user: User, case: Case) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    response = client.get(f"/cases/{case.pk}/")
    return response.status_code, response.content.decode()


@pytest.mark.parametrize("who", ["handler", "specialist", "supervisor", "cpo", "legal", "admin"])
def test_page_renders_for_people_in_scope(people: dict[str, User], case: Case, who: str) -> None:
    status, html = page(people[who], case)
    assert status == 200
    assert case.number in html
    assert 'id="audit"' in html


@pytest.mark.parametrize("who", ["outsider", "trainer"])
def test_page_is_404_outside_scope(people: dict[str, User], case: Case, who: str) -> None:
    status, html = page(people[who], case)
    assert status == 404
    assert case.number not in html


def test_anonymous_is_sent_to_login(case: Case) -> None:
    response = Client().get(f"/cases/{case.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_complaint_text_is_escaped_masked_and_highlighted(people: dict[str, User]) -> None:
    case = build_case(people["handler"], text=RISKY)
    status, html = page(people["handler"], case)
    assert status == 200
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "13812345678" not in html
    assert "138****5678" in html
    assert '<mark class="risk"' in html
    assert '<mark class="demand"' in html
    assert '<mark class="emotion"' in html


def test_highlight_offsets_survive_masking_and_escaping() -> None:
    text = "电话13812345678<b>必须退款</b>"
    start = text.index("必须退款")
    analysis = {
        "demands": [{"type": "refund", "start": start, "end": start + 4, "evidence": "必须退款"}],
        "risk": {"signals": [{"type": "litigation", "status": "threatened", "start": 0, "end": 2}]},
        "emotion": {"spans": [{"start": start, "end": start + 2}, {"start": 99, "end": 120}]},
    }
    html = str(highlight(text, analysis))
    assert html.startswith('<mark class="risk" title="风险：扬言诉讼">电话</mark>138****5678')
    assert "&lt;b&gt;" in html and "<b>" not in html
    # the overlap of demand and emotion is shown once, as a demand, with both titles
    assert (
        'title="诉求：退款；情绪线索">必须</mark><mark class="demand" title="诉求：退款">退款</mark>' in html
    )


def test_analysis_is_shown_in_chinese_with_reasons(people: dict[str, User]) -> None:
    case = build_case(people["handler"], text=RISKY)
    _, html = page(people["handler"], case)
    for label in ("是否投诉", "客户类型", "情绪", "心理需求", "诉求", "风险信号", "五要素", "摘要"):
        assert label in html
    assert "需核实的迹象（非结论）" in html
    assert "扬言" in html and "向监管投诉" in html  # signal status and type in words
    assert "公平交易权" in html or "依法求偿权" in html
    assert "problem_solving" not in html and "regulator_complaint" not in html


def test_handling_plan_is_shown(people: dict[str, User], case: Case) -> None:
    _, html = page(people["handler"], case)
    assert "处理方案建议" in html
    for part in ("致歉为先", "情 · 理 · 法", "避免", "需留存的证据", "升级建议", "补偿指引", "话术"):
        assert part in html


def test_missing_intake_elements_are_flagged(people: dict[str, User], case: Case) -> None:
    _, html = page(people["handler"], case)
    assert "未写明被投诉的机构或工作人员" in html
    assert "未写明投诉请求（诉求）" in html


def test_profile_shows_earlier_cases_of_the_same_complainant(people: dict[str, User]) -> None:
    first = build_case(people["handler"], text="信用卡年费乱收，要求退还。")
    second = build_case(people["handler"], text="又来投诉了，还是年费的问题。")
    _, html = page(people["handler"], second)
    assert "此前投诉 <strong>1</strong> 次" in html
    assert first.number in html
    assert "暂无经人工确认的标记" in html


def test_only_allowed_actions_are_forms_and_others_explain_why(people: dict[str, User], case: Case) -> None:
    _, html = page(people["handler"], case)
    assert f'action="/cases/{case.pk}/act/start/"' in html
    assert f'action="/cases/{case.pk}/act/accept/"' not in html
    assert 'disabled title="只有被指定接收的同事本人可以接收转办" data-action="accept"' in html
    assert 'data-action="close"' in html  # shown greyed out, with the workflow's reason
    _, legal_html = page(people["legal"], case)
    assert "act/start/" not in legal_html and "答复内容" not in legal_html


def test_header_shows_owner_receiver_due_date_and_version(people: dict[str, User], case: Case) -> None:
    _, html = page(people["supervisor"], case)
    assert "韩坐席" in html  # owner and first receiver
    assert "答复期限" in html
    assert f'id="case-version">{case.version}<' in html
