"""Shared helpers for the engine's tests: the contract's JSON Schema and a one-call analyser."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kesu.analysis import Complaint, analyze

SCHEMA_PATH = Path(__file__).with_name("analysis.schema.json")


@pytest.fixture(scope="session")
def schema_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def run(text: str, **fields: Any) -> dict[str, Any]:
    """Analyse one text and return the contract's JSON object."""
    return analyze(Complaint(text=text, **fields)).to_dict()
