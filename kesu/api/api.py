"""The JSON API (contract.md, JSON API): parse, call a service or selector, shape the answer."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Query, Schema, Status
from ninja.renderers import JSONRenderer

from kesu.accounts.models import OrgUnit
from kesu.analysis import analyze, check_reply, complaint_from_dict
from kesu.api import errors, transitions
from kesu.api.auth import BearerToken, BrowserSession, current_user
from kesu.api.output import case_detail, case_summary, masked
from kesu.api.schemas import CaseIn, CaseListOut, CaseOut, ErrorOut, TextIn, TransitionIn
from kesu.cases import services
from kesu.cases.errors import InvalidInput
from kesu.cases.selectors import case_get, case_list


class ReadableJSON(JSONRenderer):
    """Chinese as characters, not \\u escapes: readable in curl and logs."""

    json_dumps_params: Mapping[str, Any] = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=ReadableJSON(),
    title="kesu 客诉工作台 API",
    version="1",
    description="投诉分析、答复检查与投诉案件。认证：`Authorization: Bearer <令牌>`（`kesu token create`）或浏览器会话。",
    auth=[BearerToken(), BrowserSession()],
    urls_namespace="api-v1",
)
errors.install(api)
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
_ANALYZE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["text"],
                    "properties": {
                        "id": {"type": "string"},
                        "text": {"type": "string"},
                        "title": {"type": "string"},
                        "channel": {"type": "string"},
                        "industry": {"type": "string"},
                        "received_at": {"type": "string"},
                        "customer": {"type": "object"},
                        "product": {"type": "string"},
                    },
                }
            }
        },
    }
}


def _json_object(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("请求体不是合法的 JSON") from None
    if not isinstance(data, dict):
        raise InvalidInput('请求体应为 JSON 对象，例如 {"text": "……"}')
    return data


@api.post(
    "/analyze",
    response={200: dict[str, Any], **ERRORS},
    openapi_extra=_ANALYZE_BODY,
    summary="分析一条投诉（不保存）",
)
def analyze_view(request: HttpRequest) -> Any:
    return masked(analyze(complaint_from_dict(_json_object(request))).to_dict())


@api.post("/check-reply", response={200: dict[str, Any], **ERRORS}, summary="检查一段答复")
def check_reply_view(request: HttpRequest, payload: TextIn) -> Any:
    return masked(check_reply(payload.text, id=payload.id).to_dict())


def _unit_id(unit: int | str | None) -> int | None:
    if unit is None or isinstance(unit, int):
        return unit
    found = OrgUnit.objects.filter(code=unit).values_list("pk", flat=True).first()
    if found is None:
        raise InvalidInput(f"机构代码「{unit}」不存在")
    return found


@api.post("/cases", response={201: CaseOut, **ERRORS}, summary="受理一件投诉")
def case_create_view(request: HttpRequest, payload: CaseIn) -> Any:
    user = current_user(request)
    p = payload
    optional = {
        k: getattr(p, k) or ""
        for k in ("title", "product", "request", "facts", "grounds", "respondent", "agent_name", "intake_ref")
    }
    case = services.case_open(
        user=user,
        text=p.text,
        complainant_name=p.complainant.name or "",
        complainant_phone=p.complainant.phone or "",
        complainant_id_number=p.complainant.id_number or "",
        channel=p.channel or "",
        industry=p.industry or "",
        received_at=p.received_at,
        unit_id=_unit_id(p.unit),
        on_behalf=p.on_behalf,
        power_of_attorney=p.power_of_attorney,
        **optional,
    )
    return Status(201, case_detail(case, user))


class CaseFilter(Schema):
    status: str = ""
    level: str = ""
    q: str = ""
    page: int = 1


@api.get("/cases", response={200: CaseListOut, **ERRORS}, summary="案件列表（本机构及下级）")
def case_list_view(request: HttpRequest, filters: Query[CaseFilter]) -> Any:
    items, count = case_list(
        current_user(request), status=filters.status, level=filters.level, q=filters.q, page=filters.page
    )
    return {"items": [case_summary(c) for c in items], "count": count}


@api.get("/cases/{case_id}", response={200: CaseOut, **ERRORS}, summary="案件详情")
def case_detail_view(request: HttpRequest, case_id: int) -> Any:
    user = current_user(request)
    return case_detail(case_get(user, case_id), user)


@api.post("/cases/{case_id}/transitions", response={200: CaseOut, **ERRORS}, summary="办理动作（流转）")
def case_transition_view(request: HttpRequest, case_id: int, payload: TransitionIn) -> Any:
    user = current_user(request)
    transitions.apply(user, case_get(user, case_id), payload)
    return case_detail(case_get(user, case_id), user)
