"""Who sees which cases: their unit and below, as their role allows; an outsider sees nothing."""

from __future__ import annotations

import pytest

from kesu.accounts.models import User
from kesu.cases.errors import NotFound
from kesu.cases.models import Case
from kesu.cases.selectors import case_get, case_list, visible_cases
from kesu.demo.builders import Org, build_case, build_user, drive

from .conftest import api_client, post_json


@pytest.fixture
def north_case(people: dict[str, User]) -> Case:
    return build_case(people["outsider"], complainant_phone="13800005678")


def _numbers(user: User) -> set[str]:
    return set(visible_cases(user).values_list("number", flat=True))


def test_outsider_sees_nothing_of_the_other_branch_through_selectors(
    people: dict[str, User], case: Case
) -> None:
    assert _numbers(people["outsider"]) == set()
    assert case_list(people["outsider"], q="年费") == ([], 0)
    with pytest.raises(NotFound):
        case_get(people["outsider"], case.pk)


@pytest.mark.parametrize(
    ("username", "sees_east", "sees_north"),
    [
        ("handler", True, False),
        ("specialist", True, False),
        ("supervisor", True, False),
        ("cpo", True, True),
        ("legal", True, True),
        ("admin", True, True),
        ("outsider", False, True),
    ],
)
def test_unit_and_below(
    people: dict[str, User], case: Case, north_case: Case, username: str, sees_east: bool, sees_north: bool
) -> None:
    seen = _numbers(people[username])
    assert (case.number in seen) == sees_east
    assert (north_case.number in seen) == sees_north


def test_handler_does_not_see_a_sibling_sub_branch(org: Org, people: dict[str, User]) -> None:
    xihu_handler = build_user("xihu", "handler", org.east_xihu)
    xihu_case = build_case(xihu_handler)
    assert xihu_case.number not in _numbers(people["handler"])
    assert xihu_case.number in _numbers(people["supervisor"])  # the branch sees both sub-branches


def test_trainer_sees_only_closed_cases(people: dict[str, User], case: Case) -> None:
    closed = drive(build_case(people["handler"], complainant_phone="13800007777"), "closed",
                   {"owner": people["handler"], "reviewer": people["specialist"]})  # fmt: skip
    assert _numbers(people["trainer"]) == {closed.number}


def test_user_without_unit_or_inactive_sees_nothing(people: dict[str, User], case: Case) -> None:
    nobody = build_user("floating", "supervisor", None)
    assert _numbers(nobody) == set()
    people["handler"].is_active = False
    assert _numbers(people["handler"]) == set()


def test_outsider_sees_nothing_through_the_api(people: dict[str, User], case: Case) -> None:
    client = api_client(people["outsider"])
    listing = client.get("/api/v1/cases").json()
    assert listing == {"items": [], "count": 0}
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 404
    refused = post_json(client, f"/api/v1/cases/{case.pk}/transitions", {"action": "withdraw", "reason": "x"})
    assert refused.status_code == 404
    assert Case.objects.get(pk=case.pk).status == "received"
