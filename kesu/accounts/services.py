"""Writes on people and organisation: units, users, API tokens."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from kesu.accounts.models import ApiToken, OrgUnit, Role, UnitLevel, User, hash_token

TOKEN_PREFIX = "kesu_"


@transaction.atomic
def unit_ensure(*, code: str, name: str, level: str, parent: OrgUnit | None = None) -> OrgUnit:
    """The unit with this code, created (or renamed and re-parented) to match. Idempotent."""
    if level not in UnitLevel.values:
        raise ValueError(f"未知机构层级：{level}")
    unit, _ = OrgUnit.objects.update_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent}
    )
    return unit


@transaction.atomic
def user_ensure(
    *, username: str, role: str, unit: OrgUnit | None, password: str, display_name: str = ""
) -> User:
    """The user with this username, with role, unit and password set as given. Idempotent."""
    if role not in Role.values:
        raise ValueError(f"未知角色：{role}")
    user, _ = User.objects.get_or_create(username=username)
    user.role = role
    user.unit = unit
    user.last_name = display_name
    user.is_staff = role == Role.ADMIN
    user.is_superuser = role == Role.ADMIN
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def token_create(*, user: User, name: str = "") -> str:
    """Create an API token for `user` and return it. Only its hash is kept: show it once."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, prefix=raw[:12], key_hash=hash_token(raw))
    return raw


def token_authenticate(raw: str) -> User | None:
    """The active user this token belongs to, or None. Records when the token was last used."""
    if not raw or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw), revoked=False).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
