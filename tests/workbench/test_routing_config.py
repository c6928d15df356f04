"""Configuration an admin changes: copied from the built-in files after migrate, validated on save,
and never able to break the pages (a broken ladder or policy falls back to the default, loudly)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kesu.accounts.models import Role, UnitLevel
from kesu.clocks.models import RuleSet, UnitPolicy
from kesu.clocks.rules import builtin_rulesets
from kesu.routing import ladder as pure_ladder
from kesu.routing.models import PolicyConfig, TierConfig
from kesu.routing.selectors import config_problems, ladder, policy


def test_pure_role_and_unit_labels_match_the_accounts_models() -> None:
    # kesu.routing.ladder cannot import Django, so it keeps its own copy: it must not drift.
    assert dict(pure_ladder.ROLE_LABELS) == dict(Role.choices)
    assert set(pure_ladder.UNIT_LEVEL_LABELS) == set(UnitLevel.values)


@pytest.mark.django_db
def test_defaults_are_in_the_database_after_migrate() -> None:
    assert set(RuleSet.objects.values_list("key", flat=True)) == set(builtin_rulesets())
    assert [t.level for t in TierConfig.objects.order_by("level")] == [0, 1, 2, 3]
    assert PolicyConfig.objects.count() == 1
    assert config_problems() == []
    assert ladder().tier(2).name == "分行消保部门"


@pytest.mark.django_db
def test_a_gap_in_the_ladder_is_refused_when_saved() -> None:
    row = TierConfig(level=6, name="董事会", roles="cpo", unit_level="head_office", compensation_limit=None)
    with pytest.raises(ValidationError):
        row.full_clean()


@pytest.mark.django_db
def test_a_broken_ladder_in_the_database_falls_back_to_the_default_and_says_so() -> None:
    TierConfig.objects.filter(level=1).delete()  # a gap, written behind the admin's back
    assert ladder().top() == 3 and ladder().tier(1).name == "投诉专员"
    (problem,) = config_problems()
    assert "升级层级配置有误" in problem


@pytest.mark.django_db
def test_a_policy_above_the_ladder_falls_back_to_the_default() -> None:
    TierConfig.objects.filter(level=3).delete()  # the ladder now tops out at L3
    row = PolicyConfig.objects.get()
    assert config_problems(), "the L4 levels of the policy no longer fit"
    assert row.data["risk_levels"]["petition"] == "L4"
    assert policy().risk_levels["petition"] == 3  # the default policy, with its own (default) ladder


@pytest.mark.django_db
def test_rule_set_edits_are_validated_in_chinese() -> None:
    row = RuleSet.objects.get(key="banking_insurance")
    row.definition = {**row.definition, "clocks": [{**row.definition["clocks"][0], "unit": "fortnights"}]}
    with pytest.raises(ValidationError) as caught:
        row.full_clean()
    assert "fortnights" in str(caught.value) or "单位" in str(caught.value)


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["50,80", "0,100", "五十,100", "150,100"])
def test_bad_thresholds_are_refused(text: str, org: object) -> None:
    from kesu.accounts.models import OrgUnit

    unit = OrgUnit.objects.get(code="east")
    with pytest.raises(ValidationError):
        UnitPolicy(unit=unit, thresholds=text).full_clean()


@pytest.mark.django_db
def test_good_thresholds_and_limits_pass(org: object) -> None:
    from kesu.accounts.models import OrgUnit

    UnitPolicy(unit=OrgUnit.objects.get(code="east"), thresholds="60, 90,100").full_clean()
    assert ladder().tier(0).compensation_limit == Decimal("200")
