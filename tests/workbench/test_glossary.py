"""docs/glossary.md names every fixed vocabulary of the workbench with its Chinese label."""

from __future__ import annotations

from pathlib import Path

import pytest

from kesu.cases import intake, workflow
from kesu.cases.models import CHANNELS, INDUSTRIES, RISK_LEVELS

GLOSSARY = (Path(__file__).resolve().parents[2] / "docs" / "glossary.md").read_text(encoding="utf-8")
VOCABULARIES = {
    "roles": workflow.ROLE_LABELS,
    "statuses": workflow.STATUSES,
    "actions": workflow.ACTION_LABELS,
    "audit events": workflow.EVENT_LABELS,
    "root causes": workflow.ROOT_CAUSES,
    "payout kinds": workflow.PAYOUT_KINDS,
    "satisfaction": workflow.SATISFACTION,
    "attachment kinds": intake.ATTACHMENT_KINDS,
    "channels": CHANNELS,
    "industries": INDUSTRIES,
    "risk levels": RISK_LEVELS,
}


@pytest.mark.parametrize("name", sorted(VOCABULARIES))
def test_every_key_is_in_the_glossary_with_its_label(name: str) -> None:
    missing = [k for k, label in VOCABULARIES[name].items() if f"| {label} | `{k}` |" not in GLOSSARY]
    assert missing == [], f"docs/glossary.md lacks {name}: {missing}"


def test_communication_kinds_escalation_and_list_views_are_in_the_glossary() -> None:
    from kesu.cases.models import CONTACT_KINDS
    from kesu.cases.services_comms import EVENT_LABELS

    missing = [k for k, label in CONTACT_KINDS.items() if f"| {label} | `{k}` |" not in GLOSSARY]
    missing += [k for k in EVENT_LABELS if f"`{k}`" not in GLOSSARY]
    missing += [v for v in ("mine", "unit", "due_soon", "overdue", "escalated") if f"`{v}`" not in GLOSSARY]
    assert missing == []
