"""The JSON API as contract.md fixes it: shapes, errors, masking, authentication, CSRF."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kesu.accounts.models import ApiToken, User
from kesu.cases.models import Case
from kesu.demo.builders import FULL_NOTICE, build_case

from .conftest import api_client, post_json

NEW_CASE = {
    "text": "我的信用卡被扣了300元年费，办卡时没人说。我电话13800001234，身份证110101199001011234。",
    "channel": "phone",
    "industry": "banking",
    "received_at": "2026-11-20T10:00:00+08:00",
    "product": "信用卡",
    "request": "退还年费",
    "complainant": {"name": "王小明", "phone": "13800001234", "id_number": "110101199001011234"},
}
CASE_KEYS = {"id", "number", "status", "owner", "unit", "complainant", "analysis", "clocks", "events"}


@pytest.fixture
def handler_api(people: dict[str, User]) -> Client:
    return api_client(people["handler"])


def _raw(response: Any) -> str:
    return response.content.decode("utf-8")


def test_create_returns_201_with_the_case_and_masks_personal_data(handler_api: Client) -> None:
    response = post_json(handler_api, "/api/v1/cases", NEW_CASE)
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= CASE_KEYS
    assert body["status"] == "received" and body["owner"]["username"] == "handler"
    assert body["unit"]["code"] == "east-pudong"
    assert body["complainant"] == {"name": "王*明", "phone": "138****1234", "id_number": "110***********1234"}
    assert body["analysis"]["engine"].startswith("kesu-analysis/")
    assert body["events"][0]["action"] == "open"
    assert isinstance(body["clocks"], list)
    raw = _raw(response)
    assert "13800001234" not in raw and "110101199001011234" not in raw and "王小明" not in raw


def test_get_and_list_shapes(handler_api: Client, case: Case) -> None:
    detail = handler_api.get(f"/api/v1/cases/{case.pk}").json()
    assert set(detail) >= CASE_KEYS and detail["number"] == case.number
    assert [a["action"] for a in detail["actions"]] == ["start", "transfer", "withdraw"]
    listing = handler_api.get("/api/v1/cases", {"status": "received", "q": "年费", "page": 1}).json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == case.pk
    assert handler_api.get("/api/v1/cases", {"status": "closed"}).json() == {"items": [], "count": 0}
    assert handler_api.get("/api/v1/cases", {"level": "crisis"}).json()["count"] == 0


def test_search_finds_chinese_words_in_any_order_and_traditional_script(
    handler_api: Client, case: Case
) -> None:
    for q in ("年费", "信用卡年费", "年费 信用卡", "信用卡 年費"):
        assert handler_api.get("/api/v1/cases", {"q": q}).json()["count"] == 1, q
    assert handler_api.get("/api/v1/cases", {"q": "宽带"}).json()["count"] == 0
    assert handler_api.get("/api/v1/cases", {"q": case.number}).json()["count"] == 1
    assert handler_api.get("/api/v1/cases", {"q": "13800001234"}).json()["count"] == 1


def test_transition_changes_status_and_409_carries_the_reason(handler_api: Client, case: Case) -> None:
    url = f"/api/v1/cases/{case.pk}/transitions"
    started = post_json(handler_api, url, {"action": "start", "version": case.version})
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    refused = post_json(handler_api, url, {"action": "resolve"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "transition_not_allowed"
    assert "尚未出具处理决定告知" in refused.json()["error"]["message"]
    notice = post_json(handler_api, url, {"action": "issue_notice", **FULL_NOTICE})
    assert notice.status_code == 200
    resolved = post_json(handler_api, url, {"action": "resolve"}).json()
    assert resolved["status"] == "resolved" and resolved["notices"][0]["redress"]


def test_stale_version_gets_409_conflict_in_chinese(handler_api: Client, case: Case) -> None:
    url = f"/api/v1/cases/{case.pk}/transitions"
    post_json(handler_api, url, {"action": "start", "version": case.version})
    stale = post_json(handler_api, url, {"action": "withdraw", "reason": "客户撤诉", "version": case.version})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"
    assert "刷新" in stale.json()["error"]["message"]


def test_closing_without_root_cause_is_400_with_details(people: dict[str, User], case: Case) -> None:
    from kesu.demo.builders import drive

    drive(case, "resolved", {"owner": people["handler"], "reviewer": people["specialist"]})
    response = post_json(
        api_client(people["specialist"]), f"/api/v1/cases/{case.pk}/transitions", {"action": "close"}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert "根本原因" in error["message"] and len(error["details"]) >= 5


@pytest.mark.parametrize(
    ("url", "body", "words"),
    [
        ("/api/v1/cases", b"{not json", "JSON"),
        ("/api/v1/cases", b"[1, 2]", ""),
        ("/api/v1/cases", b'{"text": 5, "complainant": {"name": "A"}}', "text"),
        ("/api/v1/cases", b'{"text": "x"}', "complainant"),
        ("/api/v1/cases", b'{"text": "x", "complainant": {}}', "姓名或联系电话"),
        (
            "/api/v1/cases",
            b'{"text": "x", "complainant": {"name": "A"}, "received_at": "yesterday"}',
            "received_at",
        ),
        ("/api/v1/cases", b'{"text": "x", "complainant": {"name": "A"}, "channel": "fax"}', "未知渠道"),
        ("/api/v1/cases", b'{"text": "x", "complainant": {"name": "A"}, "unit": "nowhere"}', "nowhere"),
        ("/api/v1/cases", b'{"text": "x", "complainant": {"name": "A"}, "unit": 99999}', "管辖范围"),
        ("/api/v1/analyze", b"{oops", "JSON"),
        ("/api/v1/analyze", b'"just a string"', "JSON 对象"),
        ("/api/v1/analyze", b'{"text": ""}', "text"),
        ("/api/v1/analyze", b'{"text": "x", "channel": "fax"}', "渠道"),
        ("/api/v1/check-reply", b'{"text": null}', "text"),
        ("/api/v1/check-reply", b"\xff\xfe", ""),
    ],
)
def test_bad_input_gives_a_4xx_json_error_never_a_5xx(
    handler_api: Client, url: str, body: bytes, words: str
) -> None:
    response = handler_api.post(url, body, content_type="application/json")
    assert 400 <= response.status_code < 500, response.content
    error = response.json()["error"]
    assert set(error) >= {"code", "message"} and words in error["message"]


@pytest.mark.parametrize(
    "body",
    [{"action": "fly"}, {"action": 3}, {}, {"action": "transfer", "to": "nobody"}, {"action": "merge"},
     {"action": "callback", "recurred": "maybe"}, {"action": "close", "payout_amount": "lots"}],
)  # fmt: skip
def test_bad_transition_bodies_are_4xx(handler_api: Client, case: Case, body: dict[str, Any]) -> None:
    response = post_json(handler_api, f"/api/v1/cases/{case.pk}/transitions", body)
    assert 400 <= response.status_code < 500 and "error" in response.json()


def test_unknown_case_and_bad_path_are_404(handler_api: Client) -> None:
    assert handler_api.get("/api/v1/cases/999999").json()["error"]["code"] == "not_found"
    assert handler_api.get("/api/v1/cases/abc").status_code in (400, 404)


def test_analyze_and_check_reply_store_nothing(handler_api: Client) -> None:
    analysis = post_json(handler_api, "/api/v1/analyze", {"text": "信用卡乱收年费，打13800001234找我"})
    assert analysis.status_code == 200 and analysis.json()["engine"].startswith("kesu-analysis/")
    assert "13800001234" not in _raw(analysis)
    reply = post_json(handler_api, "/api/v1/check-reply", {"text": "这是公司规定。有事打13800001234。"})
    assert reply.status_code == 200 and set(reply.json()) >= {"findings", "score"}
    assert "13800001234" not in _raw(reply)
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer not-a-token", "Token abc", "Bearer " + "x" * 500],
)
def test_requests_without_a_valid_token_are_401(db: Any, header: str) -> None:
    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    response = client.get("/api/v1/cases")
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthenticated"


def test_token_is_stored_only_as_a_hash_and_can_be_revoked(people: dict[str, User]) -> None:
    from kesu.accounts.services import token_create

    raw = token_create(user=people["handler"])
    stored = ApiToken.objects.get(user=people["handler"])
    assert raw not in (stored.key_hash, stored.prefix) and len(stored.key_hash) == 64
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/cases").status_code == 200
    ApiToken.objects.filter(pk=stored.pk).update(revoked=True)
    assert client.get("/api/v1/cases").status_code == 401


def test_session_mutations_need_csrf(people: dict[str, User]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["handler"])
    assert client.get("/api/v1/cases").status_code == 200  # reads need no CSRF token
    refused = post_json(client, "/api/v1/cases", NEW_CASE)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    assert not Case.objects.exists()
    client.get("/api/v1/docs")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post("/api/v1/cases", NEW_CASE, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201


def test_openapi_and_docs_are_served_without_any_cdn(db: Any) -> None:
    client = Client()
    spec = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/analyze", "/api/v1/check-reply", "/api/v1/cases", "/api/v1/cases/{case_id}",
            "/api/v1/cases/{case_id}/transitions"} <= set(spec["paths"])  # fmt: skip
    docs = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower() and "https://" not in docs
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_api_and_services_write_the_same_audit_trail(handler_api: Client, people: dict[str, User]) -> None:
    created = post_json(handler_api, "/api/v1/cases", NEW_CASE).json()
    post_json(
        handler_api, f"/api/v1/cases/{created['id']}/transitions", {"action": "transfer", "to": "specialist"}
    )
    events = handler_api.get(f"/api/v1/cases/{created['id']}").json()["events"]
    assert [e["action"] for e in events] == ["open", "transfer"]
    assert events[1]["changes"]["transfer_to"] == {"old": None, "new": "specialist"}
    assert events[1]["actor"]["username"] == "handler" and events[1]["action_label"] == "转办"
    accepted = post_json(api_client(people["specialist"]), f"/api/v1/cases/{created['id']}/transitions",
                         {"action": "accept"})  # fmt: skip
    assert accepted.json()["owner"]["username"] == "specialist"


def test_case_built_elsewhere_is_masked_in_list_too(handler_api: Client, people: dict[str, User]) -> None:
    build_case(people["handler"], "请回电13912345678，卡号6222020200112233445", complainant_name="欧阳明华")
    raw = _raw(handler_api.get("/api/v1/cases"))
    assert "13912345678" not in raw and "6222020200112233445" not in raw and "欧阳明华" not in raw
