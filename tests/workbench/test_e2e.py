"""End to end in a real browser: intake → analysis → live reply check → transfer → accept → notice
→ resolve → callback → close, with the audit trail showing every step.

Playwright drives Debian's chromium (`make browser` installs it) against pytest-django's live server.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kesu.accounts.models import User

pytestmark = pytest.mark.e2e
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = Path("/tmp/kesu-e2e.png")
COMPLAINT = (
    "我上个月在你们网点办的信用卡，没人告诉我有300元年费，现在直接从卡里扣了。"
    "太气人了！你们必须退还300元，否则我就向银保监会投诉。"
)
TABOO = "这是公司规定，您必须本人来"
FIXED = "非常抱歉给您带来不便。为保障您的资金安全，办理退费需要核实身份，您方便时本人来网点即可，我会提前准备好材料，3个工作日内给您回复。"


@pytest.fixture
def browser(
    monkeypatch: pytest.MonkeyPatch, live_server: Any, transactional_db: Any, people: dict[str, User]
) -> Iterator[Any]:
    """Chromium, started after the personas exist and closed before the database is flushed.

    Once Playwright's event loop runs, Django would give ORM calls in this thread a separate,
    context-local connection that nobody closes: so no ORM call happens while it runs.
    """
    if not CHROMIUM.exists():
        if os.environ.get("KESU_E2E_REQUIRED"):
            pytest.fail("KESU_E2E_REQUIRED is set but /usr/bin/chromium is missing: run `make browser`")
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium): run `make browser`")
    # Playwright's sync API runs an event loop in this thread; the ORM calls below are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def login(browser: Any, base: str, username: str) -> Any:
    page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "kesu-demo")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/cases/.*"))
    return page


def submit(page: Any, form: str) -> None:
    with page.expect_navigation():
        page.click(f"{form} button[type=submit]")


def record_and_check_reply(page: Any, base: str) -> str:
    from playwright.sync_api import expect

    page.goto(f"{base}/cases/new/")
    page.fill("[name=text]", COMPLAINT)
    page.fill("[name=complainant_name]", "王测试")
    # Let the intake page's own live check finish, then save with Ctrl+Enter from the same field: a
    # check racing the save would lock the test's in-memory SQLite database, not a real one.
    with page.expect_response(lambda r: r.url.endswith("/cases/new/") and r.request.method == "POST"):
        page.fill("[name=complainant_phone]", "13912345678")
    expect(page.get_by_role("button", name="保存并分析")).to_be_enabled()
    with page.expect_navigation(url=re.compile(r".*/cases/\d+/")):
        page.press("[name=complainant_phone]", "Control+Enter")
    expect(page.locator("#analysis")).to_contain_text("需核实的迹象（非结论）")
    expect(page.locator("#complaint-text mark.risk").first).to_be_visible()
    expect(page.locator("#complaint-text mark.demand").first).to_be_visible()

    page.fill("#reply-text", TABOO)
    findings = page.locator("#reply-findings")
    expect(findings.locator("li[data-rule=rule_citing]")).to_contain_text("搬出规定")
    expect(findings.locator("li[data-rule=absolute_command]")).to_contain_text("命令式用语")
    page.fill("#reply-text", FIXED)
    expect(findings.locator("li[data-rule=rule_citing]")).to_have_count(0)
    expect(findings.locator("li[data-rule=absolute_command]")).to_have_count(0)
    submit(page, "#form-reply")
    expect(page.locator(".messages")).to_contain_text("答复已保存")
    return str(page.url.split("#")[0])


def test_complaint_from_intake_to_closure(
    browser: Any, live_server: Any, transactional_db: Any, people: dict[str, User]
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    handler = login(browser, base, "handler")
    case_url = record_and_check_reply(handler, base)

    handler.select_option("#form-transfer select[name=to]", str(people["supervisor"].pk))
    handler.fill("#form-transfer input[name=note]", "客户要求赔偿，超出坐席权限")
    submit(handler, "#form-transfer")
    expect(handler.locator("#case-transfer")).to_contain_text("苏主管")

    boss = login(browser, base, "supervisor")
    boss.goto(case_url)
    submit(boss, "#form-accept")
    expect(boss.locator("#case-owner")).to_have_text("苏主管")
    for name, value in (
        ("result", "经核实，办卡时未告知年费，同意退还300元年费。"),
        ("reasons", "办卡时未充分告知年费收取规则。"),
        ("basis", "《消费者权益保护法》第八条；信用卡领用合约第五条。"),
        ("redress", "如有异议，可向上级机构申请核查，或向金融监管部门投诉、申请调解、依法起诉。"),
    ):
        boss.fill(f"#form-notice textarea[name={name}]", value)
    submit(boss, "#form-notice")
    submit(boss, "#form-resolve")
    expect(boss.locator("#case-status")).to_have_text("已办结待回访")

    boss.select_option("#form-callback select[name=satisfaction]", "satisfied")
    boss.select_option("#form-callback select[name=recurred]", "no")
    boss.fill("#form-callback textarea[name=note]", "客户表示年费已到账，满意")
    submit(boss, "#form-callback")
    close = "#form-close"
    boss.select_option(f"{close} select[name=root_cause]", "communication")
    boss.select_option(f"{close} select[name=controllable]", "yes")
    boss.select_option(f"{close} select[name=internal]", "yes")
    boss.fill(f"{close} input[name=responsibility]", "办卡网点客户经理未履行告知义务")
    boss.select_option(f"{close} select[name=payout_kind]", "none")
    boss.fill(f"{close} textarea[name=lesson]", "办卡时逐项告知年费规则并请客户签字确认。")
    submit(boss, close)
    expect(boss.locator("#case-status")).to_have_text("已结案")

    audit = boss.locator("#audit")
    for step in ("受理", "保存答复", "转办", "接收转办", "出具处理决定告知", "办结", "回访", "结案"):
        expect(audit.locator("td", has_text=re.compile(f"^{step}$")).first).to_be_visible()
    expect(audit).to_contain_text("韩坐席")
    expect(audit).to_contain_text("苏主管")
    boss.screenshot(path=str(SCREENSHOT), full_page=True)

    # Checked on the page, not through the ORM: inside Playwright's event loop Django would open
    # a second, context-local database connection that outlives the test.
    expect(boss.locator("#case-owner")).to_have_text("苏主管")
    expect(boss.locator("#replies")).to_contain_text("韩坐席")
    expect(boss.locator("#replies")).not_to_contain_text("搬出规定")
    expect(boss.locator("#replies")).not_to_contain_text("命令式用语")
