"""Every API error is `{"error": {"code", "message"}}` with a 4xx and a Chinese message: mapped here only."""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from kesu.analysis import InputError
from kesu.cases.errors import DomainError

log = logging.getLogger(__name__)

_PYDANTIC_MESSAGES = {
    "missing": "为必填项",
    "string_type": "应为字符串",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "float_parsing": "应为数字",
    "datetime_parsing": "应为 ISO 8601 时间，如 2026-11-20T10:00:00+08:00",
    "datetime_from_date_parsing": "应为 ISO 8601 时间，如 2026-11-20T10:00:00+08:00",
    "datetime_type": "应为 ISO 8601 时间，如 2026-11-20T10:00:00+08:00",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "string_too_long": "过长",
    "extra_forbidden": "不是可用字段",
}
_HTTP_MESSAGES = {
    400: ("malformed_request", "请求体不是合法的 JSON"),
    401: ("unauthenticated", "未登录或令牌无效：请在请求头加 Authorization: Bearer <令牌>，或先登录"),
    403: ("forbidden", "无权执行此操作"),
    404: ("not_found", "请求的资源不存在"),
    405: ("method_not_allowed", "不支持的请求方法"),
}


def error_body(code: str, message: str, details: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


def _field_problem(err: dict[str, Any]) -> str:
    loc = [str(p) for p in err.get("loc", ())]
    if loc[:1] in (["body"], ["query"], ["path"]):
        loc = loc[2:] if len(loc) > 2 and loc[0] == "body" else loc[1:]
    field = ".".join(loc) or "请求体"
    return f"字段 {field} {_PYDANTIC_MESSAGES.get(str(err.get('type')), '取值不正确')}"


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn every error into the contract's JSON error shape."""

    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    def on_domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return respond(request, exc.status, error_body(exc.code, exc.message, exc.details))

    def on_input(request: HttpRequest, exc: InputError) -> HttpResponse:
        return respond(request, 400, error_body("invalid_input", str(exc)))

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        problems = [_field_problem(e) for e in exc.errors]
        return respond(
            request, 400, error_body("invalid_input", "请求内容有误：" + "；".join(problems), problems)
        )

    def on_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code, message = _HTTP_MESSAGES.get(exc.status_code, ("http_error", "请求无法处理"))
        if exc.status_code == 403 and "CSRF" in str(exc):
            code, message = "csrf_failed", "CSRF 校验失败：浏览器会话发起的修改请求须带 X-CSRFToken 请求头"
        return respond(request, exc.status_code, error_body(code, message))

    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, error_body("not_found", "请求的资源不存在"))

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("unexpected API error")
        return respond(request, 500, error_body("server_error", "服务器内部错误，已记录，请联系管理员"))

    api.add_exception_handler(DomainError, on_domain)  # type: ignore[arg-type]
    api.add_exception_handler(InputError, on_input)  # type: ignore[arg-type]
    api.add_exception_handler(ValidationError, on_validation)  # type: ignore[arg-type]
    api.add_exception_handler(HttpError, on_http)  # type: ignore[arg-type]
    api.add_exception_handler(Http404, on_404)  # type: ignore[arg-type]
    api.add_exception_handler(Exception, on_unexpected)
