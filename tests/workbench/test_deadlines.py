"""Reply deadlines: the fixed first rule by industry, and every new case gets one."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kesu.accounts.models import User
from kesu.cases import deadlines
from kesu.cases.models import INDUSTRIES, Case
from kesu.demo.builders import build_case
from kesu.demo.seed import seed_demo

SHANGHAI = ZoneInfo("Asia/Shanghai")
RECEIVED = datetime(2026, 11, 20, 16, 30, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("industry", "due"),
    [
        ("banking", datetime(2026, 12, 5, 16, 30, tzinfo=SHANGHAI)),
        ("insurance", datetime(2026, 12, 5, 16, 30, tzinfo=SHANGHAI)),
        ("securities", datetime(2026, 12, 5, 16, 30, tzinfo=SHANGHAI)),
        ("telecom", datetime(2026, 12, 20, 16, 30, tzinfo=SHANGHAI)),
        ("ecommerce", datetime(2026, 12, 5, 16, 30, tzinfo=SHANGHAI)),
        ("general", datetime(2026, 12, 5, 16, 30, tzinfo=SHANGHAI)),
        ("", datetime(2026, 12, 5, 16, 30, tzinfo=SHANGHAI)),  # industry not recorded
        ("aviation", datetime(2026, 12, 5, 16, 30, tzinfo=SHANGHAI)),  # unknown: the general target
    ],
)
def test_default_due_by_industry(industry: str, due: datetime) -> None:
    assert deadlines.default_due(industry, RECEIVED) == due
    assert deadlines.default_due(industry, RECEIVED).tzinfo is SHANGHAI


def test_every_industry_has_a_rule() -> None:
    assert set(deadlines.REPLY_DAYS) == set(INDUSTRIES)


def test_deadlines_module_is_pure() -> None:
    with open(deadlines.__file__, encoding="utf-8") as f:
        imports = [line for line in f if line.startswith(("import ", "from "))]
    assert not [line for line in imports if "django" in line or "kesu" in line]


@pytest.mark.parametrize(
    ("industry", "due"),
    [
        # Received Fri 2026-11-20: 15 days end Sat 12-05, rolled to Mon 12-07 (民法典第二百零三条).
        ("banking", datetime(2026, 12, 7, 23, 59, 59, tzinfo=SHANGHAI)),
        ("telecom", datetime(2026, 12, 7, 23, 59, 59, tzinfo=SHANGHAI)),
        ("general", datetime(2026, 12, 7, 23, 59, 59, tzinfo=SHANGHAI)),
    ],
)
def test_case_open_sets_the_reply_deadline_from_its_clock(
    people: dict[str, User], industry: str, due: datetime
) -> None:
    """The list's deadline column is the live decision clock's due time (the regulatory clocks)."""
    case = build_case(people["handler"], industry=industry, received_at=RECEIVED)
    case.refresh_from_db()
    assert case.due_at == due
    assert case.clocks.get(key="decision", ended="").due_at == due


def test_demo_cases_have_their_clocks(db: None) -> None:
    seed_demo(6)
    assert Case.objects.count() == 6
    for case in Case.objects.all():
        live = case.clocks.filter(ended="")
        # every open case shows a deadline; a case whose decision was given has met its clock
        if case.status in ("received", "in_progress"):
            assert case.due_at is not None, case.number
        assert case.clocks.exists(), case.number
        assert all(c.due_at is not None for c in live if c.started_at), case.number
