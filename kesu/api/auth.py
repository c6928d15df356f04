"""API authentication: a bearer token (`kesu token create`) or the browser session with CSRF."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from kesu.accounts.models import User
from kesu.accounts.services import token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class BrowserSession(SessionAuth):
    """The logged-in session; mutations must carry the CSRF token (checked only when logged in,
    so an anonymous caller gets 401, not a confusing CSRF error)."""

    def _get_key(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


def current_user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user
