"""A clock's rule as plain JSON and back (pure): the snapshot stored on each case clock."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from kesu.clocks.rules import ClockSpec, ExtensionStep


def spec_to_dict(spec: ClockSpec) -> dict[str, Any]:
    data = asdict(spec)
    data["extensions"] = [
        {**asdict(step), "approver_roles": sorted(step.approver_roles)} for step in spec.extensions
    ]
    return data


def spec_from_dict(data: dict[str, Any]) -> ClockSpec:
    fields = dict(data)
    steps = tuple(
        ExtensionStep(**{**s, "approver_roles": frozenset(s.get("approver_roles") or ())})
        for s in fields.pop("extensions", ())
    )
    return ClockSpec(**fields, extensions=steps)
