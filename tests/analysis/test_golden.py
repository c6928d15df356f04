"""The golden set: the engine against the labels a senior complaint handler assigned.

`tests/golden/complaints.jsonl` holds realistic complaints (and some non-complaints) from all five
industries with the expected labels; `tests/golden/README.md` gives the labelling guidelines.

Per case, strict: whether it is a complaint, the exact set of risk signals with their status, the
demands (and amounts) that must be found, the rights that must be found. Over the whole set, with
thresholds: customer type, emotion, risk level, needs recall and industry detection. Each
aggregate test lists its misses by case id so a developer sees where the engine goes wrong.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import fields
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from kesu.analysis import Analysis, Complaint, CustomerInfo, analyze
from kesu.analysis.types import (
    CHANNELS,
    CUSTOMER_TYPES,
    DEMAND_TYPES,
    EMOTIONS,
    INDUSTRIES,
    NEEDS,
    RIGHTS,
    RISK_LEVELS,
    SIGNAL_STATUSES,
    SIGNAL_TYPES,
)

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "complaints.jsonl"
CASES: list[dict[str, Any]] = [
    json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line.strip()
]
BY_ID = {case["id"]: case for case in CASES}
IDS = [case["id"] for case in CASES]

STRENGTH = {"mention": 0, "threatened": 1, "done": 2}
LEVEL_INDEX = {level: i for i, level in enumerate(RISK_LEVELS)}
AMOUNT_TOLERANCE = 0.5

INPUT_KEYS = {"id", "industry", "channel", "form", "text", "customer"}
CASE_KEYS = INPUT_KEYS | {"expect", "why"}
EXPECT_KEYS = {
    "is_complaint",
    "industry",
    "customer_type",
    "emotion",
    "risk_level",
    "signals",
    "demands",
    "rights",
    "needs",
}
FORMS = {
    "phone_transcript",
    "app_message",
    "web_form",
    "email",
    "letter",
    "counter_note",
    "wechat_post",
    "weibo_post",
    "regulator_transfer",
}
ID_PREFIX = {
    "bank": "banking",
    "ins": "insurance",
    "sec": "securities",
    "tel": "telecom",
    "ecom": "ecommerce",
    "gen": "general",
}


def _complaint(case: dict[str, Any]) -> Complaint:
    """The engine's input built from the case's input keys only (never from `expect`)."""
    return Complaint(
        text=case["text"],
        id=case["id"],
        channel=case.get("channel"),
        industry=case.get("industry"),
        customer=CustomerInfo(**case.get("customer", {})),
    )


@cache
def _result(case_id: str) -> Analysis:
    return analyze(_complaint(BY_ID[case_id]))


def _found_signals(result: Analysis) -> dict[str, str]:
    """Signal type -> strongest status found (done > threatened > mention)."""
    found: dict[str, str] = {}
    for signal in result.risk.signals:
        old = found.get(signal.type)
        if old is None or STRENGTH[signal.status] > STRENGTH[old]:
            found[signal.type] = signal.status
    return found


def _cases_with(key: str) -> list[dict[str, Any]]:
    return [case for case in CASES if case["expect"].get(key)]


def _param(cases: list[dict[str, Any]]) -> Any:
    return pytest.mark.parametrize("case_id", [case["id"] for case in cases])


def _report(title: str, misses: list[str], total: int) -> str:
    lines = "\n".join(f"  {m}" for m in misses)
    return f"{title}: {total - len(misses)}/{total} right; misses:\n{lines}"


# ---------------------------------------------------------------------------------------------
# Per case, strict.


@_param(CASES)
def test_is_complaint(case_id: str) -> None:
    expected = BY_ID[case_id]["expect"]["is_complaint"]
    result = _result(case_id)
    assert result.is_complaint is expected, (
        f"{case_id}: is_complaint={result.is_complaint} (score {result.complaint_score:.2f}), "
        f"expected {expected}; reasons: {result.complaint_reasons}"
    )


@_param(CASES)
def test_signals(case_id: str) -> None:
    """The exact set of signal types, each with its (strongest) status; [] means none at all."""
    expected = {kind: status for kind, status in BY_ID[case_id]["expect"]["signals"]}
    result = _result(case_id)
    found = _found_signals(result)
    evidence = [(s.type, s.status, s.evidence) for s in result.risk.signals]
    assert found == expected, f"{case_id}: expected {expected}, found {found}; evidence {evidence}"


@_param(_cases_with("demands"))
def test_demands(case_id: str) -> None:
    """Each expected demand type is found; a named amount is found on a demand of that type."""
    result = _result(case_id)
    found = [(d.type, d.amount) for d in result.demands]
    for kind, amount in BY_ID[case_id]["expect"]["demands"]:
        amounts = [a for t, a in found if t == kind]
        assert amounts, f"{case_id}: demand {kind!r} not found; found {found}"
        if amount is not None:
            assert any(a is not None and abs(a - amount) <= AMOUNT_TOLERANCE for a in amounts), (
                f"{case_id}: demand {kind!r} should carry {amount}; found {found}"
            )


@_param(_cases_with("rights"))
def test_rights(case_id: str) -> None:
    result = _result(case_id)
    found = {right.key for right in result.rights}
    missing = set(BY_ID[case_id]["expect"]["rights"]) - found
    assert not missing, f"{case_id}: rights {sorted(missing)} not found; found {sorted(found)}"


# ---------------------------------------------------------------------------------------------
# Over the whole set, with thresholds.


def _accuracy(key: str, get: Any) -> tuple[float, list[str], int]:
    cases = [case for case in CASES if key in case["expect"]]
    misses = []
    for case in cases:
        got = get(_result(case["id"]))
        if got != case["expect"][key]:
            misses.append(f"{case['id']}: expected {case['expect'][key]}, got {got}")
    return 1 - len(misses) / len(cases), misses, len(cases)


def test_customer_type_accuracy() -> None:
    accuracy, misses, total = _accuracy("customer_type", lambda r: r.customer_type.label)
    print(_report("customer_type", misses, total))
    assert accuracy >= 0.80, _report(f"customer_type accuracy {accuracy:.2f} < 0.80", misses, total)


def test_emotion_accuracy() -> None:
    accuracy, misses, total = _accuracy("emotion", lambda r: r.emotion.label)
    print(_report("emotion", misses, total))
    assert accuracy >= 0.80, _report(f"emotion accuracy {accuracy:.2f} < 0.80", misses, total)


def test_risk_level_exact() -> None:
    accuracy, misses, total = _accuracy("risk_level", lambda r: r.risk.level)
    print(_report("risk_level", misses, total))
    assert accuracy >= 0.80, _report(f"risk_level exact {accuracy:.2f} < 0.80", misses, total)


def test_risk_level_within_one_level() -> None:
    misses = []
    for case in CASES:
        got = _result(case["id"]).risk.level
        expected = case["expect"]["risk_level"]
        if abs(LEVEL_INDEX[got] - LEVEL_INDEX[expected]) > 1:
            misses.append(f"{case['id']}: expected {expected}, got {got}")
    share = 1 - len(misses) / len(CASES)
    assert share >= 0.97, _report(f"risk_level within one level {share:.3f} < 0.97", misses, len(CASES))


def test_needs_recall() -> None:
    expected_total = 0
    hits = 0
    misses = []
    for case in _cases_with("needs"):
        found = set(_result(case["id"]).needs)
        wanted = case["expect"]["needs"]
        expected_total += len(wanted)
        hits += sum(1 for need in wanted if need in found)
        missing = [need for need in wanted if need not in found]
        if missing:
            misses.append(f"{case['id']}: missing {missing}, found {sorted(found)}")
    recall = hits / expected_total
    print(_report("needs", misses, len(_cases_with("needs"))))
    assert recall >= 0.80, _report(f"needs recall {recall:.2f} < 0.80", misses, len(_cases_with("needs")))


def test_industry_detection_when_input_omits_it() -> None:
    cases = [case for case in CASES if "industry" not in case]
    misses = []
    for case in cases:
        got = _result(case["id"]).industry
        if got != case["expect"]["industry"]:
            misses.append(f"{case['id']}: expected {case['expect']['industry']}, got {got}")
    accuracy = 1 - len(misses) / len(cases)
    print(_report("industry", misses, len(cases)))
    assert accuracy >= 0.90, _report(f"industry detection {accuracy:.2f} < 0.90", misses, len(cases))


# ---------------------------------------------------------------------------------------------
# The data itself: well-formed, within the contract's vocabularies, fictitious personal data.


def _label_errors(case: dict[str, Any]) -> list[str]:
    exp = case["expect"]
    errors = []
    if set(case) - CASE_KEYS or not {"id", "channel", "form", "text", "expect", "why"} <= set(case):
        errors.append(f"keys {sorted(case)}")
    if set(exp) - EXPECT_KEYS or not EXPECT_KEYS - {"customer_type"} <= set(exp):
        errors.append(f"expect keys {sorted(exp)}")
    checks = [
        (case["channel"] in CHANNELS, "channel"),
        (case["form"] in FORMS, "form"),
        (exp["industry"] in INDUSTRIES, "industry"),
        (case.get("industry", exp["industry"]) == exp["industry"], "input industry differs from expect"),
        (ID_PREFIX.get(case["id"].split("-")[0]) == exp["industry"], "id prefix does not match industry"),
        (exp.get("customer_type", CUSTOMER_TYPES[0]) in CUSTOMER_TYPES, "customer_type"),
        (exp["emotion"] in EMOTIONS, "emotion"),
        (exp["risk_level"] in RISK_LEVELS, "risk_level"),
        (all(n in NEEDS for n in exp["needs"]), "needs"),
        (all(r in RIGHTS for r in exp["rights"]), "rights"),
        (all(t in SIGNAL_TYPES and s in SIGNAL_STATUSES for t, s in exp["signals"]), "signals"),
        (len({t for t, _ in exp["signals"]}) == len(exp["signals"]), "a signal type twice"),
        (all(t in DEMAND_TYPES for t, _ in exp["demands"]), "demand type"),
        (all(a is None or a > 0 for _, a in exp["demands"]), "demand amount not positive"),
        (bool(case["why"].strip()), "empty why"),
        (10 <= len(case["text"]) <= 800, "text length"),
    ]
    errors += [name for ok, name in checks if not ok]
    known = {f.name for f in fields(CustomerInfo)}
    if set(case.get("customer", {})) - known:
        errors.append(f"customer keys {sorted(case['customer'])}")
    return errors


def test_cases_are_well_formed_and_use_the_contract_vocabularies() -> None:
    assert len(IDS) == len(set(IDS)), [i for i, n in Counter(IDS).items() if n > 1]
    problems = {case["id"]: errs for case in CASES if (errs := _label_errors(case))}
    assert not problems, problems


def test_non_complaints_carry_no_complaint_labels() -> None:
    bad = [
        case["id"]
        for case in CASES
        if not case["expect"]["is_complaint"]
        and (
            "customer_type" in case["expect"]
            or case["expect"]["signals"]
            or case["expect"]["demands"]
            or case["expect"]["risk_level"] != "routine"
        )
    ]
    assert not bad, bad


MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
CARD = re.compile(r"(?<!\d)\d{4}(?:[ -]?\d{4}){3,4}(?!\d)")


def test_personal_data_is_obviously_fictitious() -> None:
    """Phones, ID and card numbers must contain a run of zeros (13800001234, 6222 0000 0000 1234)."""
    real_looking = []
    for case in CASES:
        for pattern in (MOBILE, ID_NUMBER, CARD):
            for match in pattern.finditer(case["text"]):
                if "0000" not in match.group().replace(" ", "").replace("-", ""):
                    real_looking.append(f"{case['id']}: {match.group()}")
    assert not real_looking, real_looking


TRADITIONAL_ONLY = re.compile(r"[們這個說麼還會對給請來裡沒費時後錢經歲實貴處應當]")


def test_the_set_covers_what_the_engine_must_handle() -> None:
    """Keeps the set honest as it grows: every industry, label and signal status is exercised."""
    by_industry = Counter(case["expect"]["industry"] for case in CASES)
    assert all(by_industry[i] >= 25 for i in INDUSTRIES if i != "general"), by_industry
    assert by_industry["general"] >= 5, by_industry
    assert sum(not case["expect"]["is_complaint"] for case in CASES) >= 15
    assert sum(bool(TRADITIONAL_ONLY.search(case["text"])) for case in CASES) >= 10
    omitted = sum("industry" not in case for case in CASES) / len(CASES)
    assert 0.25 <= omitted <= 0.45, omitted
    exp = [case["expect"] for case in CASES]
    assert {e["customer_type"] for e in exp if "customer_type" in e} == set(CUSTOMER_TYPES)
    assert {e["emotion"] for e in exp} == set(EMOTIONS)
    assert {e["risk_level"] for e in exp} == set(RISK_LEVELS)
    assert {n for e in exp for n in e["needs"]} == set(NEEDS)
    assert {t for e in exp for t, _ in e["demands"]} == set(DEMAND_TYPES)
    pairs = Counter((t, s) for e in exp for t, s in e["signals"])
    assert all(pairs[(t, "done")] >= 3 for t in SIGNAL_TYPES), pairs
    external = (
        "media_exposure",
        "online_exposure",
        "regulator_complaint",
        "litigation",
        "self_harm",
        "violence",
    )
    for kind in (*external, "group", "petition"):
        assert pairs[(kind, "threatened")] >= 3 and pairs[(kind, "mention")] >= 3, kind
    assert sum(not e["signals"] for e in exp if e["is_complaint"]) >= 40
