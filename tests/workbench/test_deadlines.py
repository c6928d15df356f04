"""Reply deadlines: every new case gets its regulatory clocks, and the list column follows them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kesu.accounts.models import User
from kesu.cases.models import Case
from kesu.demo.builders import build_case
from kesu.demo.seed import seed_demo

SHANGHAI = ZoneInfo("Asia/Shanghai")
RECEIVED = datetime(2026, 11, 20, 16, 30, tzinfo=SHANGHAI)


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
