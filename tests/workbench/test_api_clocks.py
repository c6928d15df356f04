"""The JSON API's clocks and the clock and routing actions through /transitions."""

from __future__ import annotations

from typing import Any

import pytest

from kesu.accounts.models import User
from kesu.cases.models import Case
from tests.workbench.conftest import api_client, post_json


def _act(user: User, case: Case, body: dict[str, Any]) -> Any:
    return post_json(api_client(user), f"/api/v1/cases/{case.pk}/transitions", body)


def test_case_shows_its_clocks_with_due_time_state_and_source(people: dict[str, User], case: Case) -> None:
    data = api_client(people["handler"]).get(f"/api/v1/cases/{case.pk}").json()
    by_key = {c["key"]: c for c in data["clocks"]}
    decision = by_key["decision"]
    assert decision["state"] == "running" and decision["due_at"].endswith("23:59:59+08:00")
    assert "第十八条" in decision["source"] and decision["remaining"].startswith("剩余")
    assert by_key["first_contact"]["source"].startswith("内部目标")


def test_extension_request_and_escalation_through_the_api(people: dict[str, User], case: Case) -> None:
    data = api_client(people["handler"]).get(f"/api/v1/cases/{case.pk}").json()
    clock_id = case.clocks.get(key="decision").pk
    response = _act(
        people["handler"],
        case,
        {"action": "request_extension", "clock": clock_id, "reason": "需调取录音核实"},
    )
    assert response.status_code == 200, response.content
    assert case.clocks.get(key="decision").extension_requests.get().status == "pending"
    response = _act(
        people["handler"],
        case,
        {
            "action": "escalate",
            "level": 1,
            "reason": "超出资源：需专员协调合作机构",
            "version": data["version"],
        },
    )
    assert response.status_code == 200 and response.json()["events"][-1]["action"] == "escalate"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"action": "escalate", "reason": "x"}, "目标层级"),
        ({"action": "promise"}, "承诺答复日期"),
        ({"action": "teleport"}, "未知操作"),
        ({"action": "deescalate", "level": 0, "reason": "风险已解除"}, "主管或消保专员"),
    ],
)
def test_bad_clock_and_routing_actions_get_a_chinese_4xx(
    people: dict[str, User], case: Case, body: dict[str, Any], message: str
) -> None:
    response = _act(people["handler"], case, body)
    assert 400 <= response.status_code < 500
    assert message in response.json()["error"]["message"]
