"""First-install configuration: the built-in rule sets, ladder and policy copied into the database
(after `migrate`), where admins change them. Existing rows are never overwritten."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any


def ensure_config(**_: Any) -> None:
    from kesu.clocks.models import RuleSet
    from kesu.routing.escalation import default_policy, policy_to_data
    from kesu.routing.ladder import default_ladder
    from kesu.routing.models import PolicyConfig, TierConfig

    with resources.files("kesu.clocks").joinpath("data", "rulesets.toml").open("rb") as fh:
        for key, definition in tomllib.load(fh)["rulesets"].items():
            RuleSet.objects.get_or_create(
                key=key, defaults={"name": definition["name"], "definition": definition}
            )
    if not TierConfig.objects.exists():
        TierConfig.objects.bulk_create(
            TierConfig(
                level=t.level,
                name=t.name,
                roles=",".join(sorted(t.roles)),
                unit_level=t.unit_level,
                compensation_limit=t.compensation_limit,
            )
            for t in default_ladder().tiers
        )
    if not PolicyConfig.objects.exists():
        PolicyConfig.objects.create(data=policy_to_data(default_policy()))
