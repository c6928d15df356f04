"""`kesu serve` runs the clock worker in a background thread: warnings appear without a separate
process (a pilot, the demo). Production runs `kesu worker --loop` instead."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from kesu.accounts.models import User
from kesu.clocks.models import CaseClock, ClockMark
from kesu.clocks.worker import start_in_background
from kesu.demo.builders import build_case


@pytest.mark.django_db(transaction=True)
def test_background_worker_thread_handles_a_due_clock(people: dict[str, User]) -> None:
    case = build_case(people["handler"], received_at=timezone.now() - timedelta(days=20))
    clock = case.clocks.get(key="decision")
    assert clock.next_check_at is not None and clock.next_check_at <= timezone.now()
    stop = threading.Event()
    thread = start_in_background(interval=0.2, stop=stop)
    try:
        deadline = time.monotonic() + 20
        while (
            time.monotonic() < deadline and not ClockMark.objects.filter(clock=clock, threshold=100).exists()
        ):
            time.sleep(0.1)
        assert thread.is_alive()
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert ClockMark.objects.filter(clock=clock, threshold=100).exists()
    assert CaseClock.objects.get(pk=clock.pk).breached_at is not None
