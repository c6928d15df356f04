"""End to end in a real browser: a handler asks to extend the decision clock; a supervisor finds the
request in 待办, records the notice to the complainant and approves; the case shows the new due
date, the notice in the communications log and the approval in the audit trail.

Same setup as test_e2e.py: Playwright drives Debian's chromium against pytest-django's live server.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from kesu.accounts.models import User
from kesu.demo.builders import build_case
from tests.workbench.test_e2e import browser, login, submit  # noqa: F401 (the fixture is used by name)

pytestmark = pytest.mark.e2e
SCREENSHOT = "/tmp/kesu-e2e-clocks.png"
NOTICE = "已致电客户说明需调取外部交易记录，答复期限延长至30日内，客户表示理解。"


@pytest.fixture
def case_and_clock(transactional_db: Any, people: dict[str, User]) -> tuple[Any, Any]:
    """Built before the browser starts its event loop: an ORM call inside it would open a
    connection nobody closes (see test_e2e.py), so the test itself makes none."""
    case = build_case(people["handler"])
    return case, case.clocks.get(key="decision")


def test_supervisor_approves_an_extension_with_the_customer_notice(
    case_and_clock: tuple[Any, Any],
    browser: Any,  # noqa: F811
    live_server: Any,
    people: dict[str, User],
) -> None:
    from playwright.sync_api import expect

    case, clock = case_and_clock
    assert clock.due_at is not None
    extended = timezone.localtime(clock.due_at + timedelta(days=15))
    case_url = f"{live_server.url}/cases/{case.pk}/"

    handler = login(browser, live_server.url, "handler")
    handler.goto(case_url)
    entry = handler.locator(f"#clock-{clock.pk}")
    expect(entry).to_contain_text("计时中")
    entry.locator("summary", has_text="申请延期").click()
    entry.locator(".form-extension-request textarea[name=reason]").fill(
        "需调取外部机构的交易记录核实盗刷情况"
    )
    submit(handler, f"#clock-{clock.pk} .form-extension-request")
    expect(handler.locator(".messages")).to_contain_text("等待审批")
    expect(entry).to_contain_text("待审批")
    # A handler may ask, never approve.
    expect(handler.locator(f"#form-extension-approve-{clock.pk}")).to_have_count(0)

    boss = login(browser, live_server.url, "supervisor")
    boss.goto(f"{live_server.url}/tasks/")
    approvals = boss.locator("#approvals")
    expect(approvals).to_contain_text(case.number)
    expect(approvals).to_contain_text("需调取外部机构的交易记录核实盗刷情况")
    with boss.expect_navigation():
        approvals.get_by_role("link", name=case.number).click()

    form = f"#form-extension-approve-{clock.pk}"
    boss.select_option(f"{form} select[name=notice_kind]", "call_out")
    boss.fill(f"{form} textarea[name=notice_summary]", NOTICE)
    boss.fill(f"{form} input[name=note]", "同意，须在新期限内答复")
    submit(boss, form)
    expect(boss.locator(".messages")).to_contain_text("已批准处理决定并告知投诉人延期")
    approved = boss.locator(f"#clock-{clock.pk}")
    expect(approved.locator(".clock-due")).to_have_text(f"{extended:%Y-%m-%d %H:%M}")
    expect(approved).to_contain_text("已批准")
    expect(boss.locator("#case-due")).to_contain_text(f"{extended:%Y-%m-%d}")
    expect(boss.locator("#comms")).to_contain_text(f"【延期告知】{NOTICE}")
    audit = boss.locator("#audit")
    expect(audit.locator("td", has_text=re.compile("^批准延期$"))).to_be_visible()
    expect(audit).to_contain_text("苏主管")
    expect(audit).to_contain_text(f"{extended:%Y-%m-%d}")
    boss.screenshot(path=SCREENSHOT, full_page=True)

    boss.goto(f"{live_server.url}/tasks/")
    expect(boss.locator("#approvals")).not_to_contain_text(case.number)
