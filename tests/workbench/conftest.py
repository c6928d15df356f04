"""Fixed personas and builders for the workbench tests (the same builders feed the demo data)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kesu.accounts.models import User
from kesu.accounts.services import token_create
from kesu.cases.models import Case
from kesu.clocks import config_cache
from kesu.demo.builders import Org, build_case, build_org, build_personas


@pytest.fixture(autouse=True)
def _fresh_config_cache() -> Any:
    """Configuration is cached per process (kesu.clocks.config_cache); each test's database is
    rolled back, so each test starts with an empty cache."""
    config_cache.clear()
    yield
    config_cache.clear()


@pytest.fixture
def org(db: Any) -> Org:
    return build_org()


@pytest.fixture
def people(org: Org) -> dict[str, User]:
    """handler (浦东支行), specialist and supervisor (华东分行), cpo/legal/trainer/admin (总行),
    outsider (a handler at 朝阳支行 in the other branch)."""
    return build_personas(org)


@pytest.fixture
def case(people: dict[str, User]) -> Case:
    """A fresh complaint received by `handler` at 浦东支行."""
    return build_case(people["handler"])


def api_client(user: User) -> Client:
    """A client authenticated by a bearer token, as scripts and integrations use the API."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user)}")


def post_json(client: Client, url: str, body: Any) -> Any:
    return client.post(url, body, content_type="application/json")
