"""A short-lived, process-wide cache of configuration (rule sets, unit policies, calendars, the
ladder and the escalation policy): read on every save and page, changed a few times a year.

Entries live `TTL` seconds, so a change made in another process (the admin in the web server, a
worker) is seen within that time; in this process a change clears everything at once (signals
connected in the apps' `ready`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
TTL = 30.0
_store: dict[Hashable, tuple[float, Any]] = {}


def cached(key: Hashable, make: Callable[[], T]) -> T:
    """The value under `key`, made by `make()` when missing or older than TTL."""
    now = time.monotonic()
    hit = _store.get(key)
    if hit is not None and now - hit[0] < TTL:
        return hit[1]  # type: ignore[no-any-return]
    value = make()
    _store[key] = (now, value)
    return value


def clear(*_: Any, **__: Any) -> None:
    """Forget everything (a configuration row was saved or deleted; tests start clean)."""
    _store.clear()
