"""Flags about a complainant that a person confirmed: recorded with a basis, audited, shown on the
profile, and fed to the engine as history for the complainant's later complaints."""

from __future__ import annotations

from django.test import Client

from kesu.cases.models import CaseEvent, ComplainantFlag
from kesu.demo.builders import build_case


def _post(user, case, **data):
    client = Client()
    client.force_login(user)
    return client.post(f"/cases/{case.pk}/act/flag/", {"version": case.version, **data}, follow=True)


def test_specialist_confirms_a_flag_with_its_basis_and_it_is_audited_and_shown(people, case):
    response = _post(
        people["specialist"], case, kind="malicious_confirmed", note="经调取录音核实，客户伪造了交易截图"
    )
    page = response.content.decode()
    assert "已记录经确认的投诉人标记" in page
    assert "经核实的恶意投诉" in page and "伪造了交易截图" in page
    flag = ComplainantFlag.objects.get()
    assert flag.by == people["specialist"] and flag.complainant == case.complainant
    assert CaseEvent.objects.filter(case=case, action="flag").count() == 1


def test_a_handler_cannot_confirm_a_flag(people, case):
    response = _post(people["handler"], case, kind="malicious_confirmed", note="感觉这个客户在找茬")
    assert "须由投诉专员、主管或消保专员确认" in response.content.decode()
    assert not ComplainantFlag.objects.exists()


def test_a_flag_needs_a_basis(people, case):
    response = _post(people["specialist"], case, kind="other", note=" ")
    assert "请写明确认依据" in response.content.decode()
    assert not ComplainantFlag.objects.exists()


def test_confirmed_malicious_claims_reach_the_engine_for_later_complaints(people, case):
    _post(people["specialist"], case, kind="malicious_confirmed", note="经核实伪造了交易凭证")
    later = build_case(people["handler"], text="信用卡被扣了年费，要求退还，否则去监管投诉。")
    keys = [i["key"] for i in later.analysis["malicious"]["indicators"]]
    assert "prior_malicious" in keys
