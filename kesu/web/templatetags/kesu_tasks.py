"""`{% open_tasks user as n %}`: how many open entries the user's task list (待办) holds, for the nav."""

from __future__ import annotations

from typing import Any

from django import template

from kesu.clocks.selectors import inbox

register = template.Library()


@register.simple_tag
def open_tasks(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return inbox(user).count()
