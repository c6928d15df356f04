"""After resolution the callback is scheduled (3 working days, a clock on the case page and the
worker's warnings) with its script on the form; recording the callback meets it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client

from kesu.accounts.models import User
from kesu.cases import services
from kesu.clocks.models import Alert, CaseClock
from kesu.clocks.worker import run_once
from kesu.demo.builders import build_case, drive

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Resolved on Friday 2026-11-20: three working days later is Wednesday 11-25, 23:59.
RESOLVED = datetime(2026, 11, 20, 15, 0, tzinfo=SHANGHAI)


def _resolved(people: dict[str, User]) -> tuple[object, User]:
    handler = people["handler"]
    with time_machine.travel(RESOLVED - timedelta(days=2), tick=False):
        case = build_case(handler)
    with time_machine.travel(RESOLVED, tick=False):
        case = drive(case, "resolved", {"owner": handler, "reviewer": people["specialist"]})
    return case, handler


def test_resolving_schedules_the_callback_and_recording_it_meets_it(people: dict[str, User]) -> None:
    case, handler = _resolved(people)
    clock = CaseClock.objects.get(case=case, key="callback", ended="")
    assert clock.due_at == datetime(2026, 11, 25, 23, 59, 59, tzinfo=SHANGHAI)
    assert clock.spec["source"].startswith("内部目标")
    with time_machine.travel(RESOLVED + timedelta(days=1), tick=False):
        services.case_callback(
            user=handler, case=case, satisfaction="satisfied", recurred=False, note="客户表示满意"
        )
    clock.refresh_from_db()
    assert clock.stopped_at is not None
    case.refresh_from_db()
    assert case.due_at is None  # an internal target never becomes the list's regulatory deadline


def test_a_missed_callback_is_warned_to_the_owner(people: dict[str, User]) -> None:
    case, handler = _resolved(people)
    run_once(now=datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI))
    breach = Alert.objects.get(case=case, user=handler, kind="clock_breach", clock__key="callback")
    assert "回访客户已超期" in breach.message


def test_the_callback_form_shows_the_follow_up_script(people: dict[str, User]) -> None:
    case, handler = _resolved(people)
    client = Client()
    client.force_login(handler)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    form = html.split('id="form-callback"')[1].split("</form>")[0]
    assert "回访话术" in form and "想了解一下问题解决后情况怎么样" in form
