"""The handling plan: what a complaint handler sees for typical complaints (docs/handling-plan.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kesu.analysis import Complaint, analyze, check_reply, complaint_from_dict
from kesu.analysis.lexicon import entries as analysis_entries
from kesu.knowledge import HandlingPlan, build_plan
from kesu.knowledge.compensation import data_table
from kesu.knowledge.plan import facts_from, match

STEP_NAMES = ["致歉为先", "耐心倾听", "移情认同", "提出方案", "迅速行动", "跟进实施"]


def from_text(text: str, industry: str | None = None) -> HandlingPlan:
    return build_plan(analyze(Complaint(text=text, industry=industry)).to_dict())


def minimal(
    customer_type: str = "problem_solving",
    signals: tuple[tuple[str, str], ...] = (),
    demands: tuple[tuple[str, float | None], ...] = (),
    **extra: Any,
) -> dict[str, Any]:
    """A hand-written analysis dict with only the keys the plan reads."""
    return {
        "customer_type": {"label": customer_type},
        "risk": {
            "level": extra.pop("level", "routine"),
            "signals": [{"type": t, "status": s, "evidence": ""} for t, s in signals],
        },
        "demands": [{"type": t, "amount": a, "evidence": ""} for t, a in demands],
        **extra,
    }


def step(plan: HandlingPlan, key: str) -> Any:
    return next(s for s in plan.steps if s.key == key)


VENTING = [
    from_text("你们这破银行，气死我了！！什么玩意儿，骗子！"),
    build_plan(minimal("venting", emotion={"label": "anger", "intensity": 0.9})),
]


@pytest.mark.parametrize("plan", VENTING)
def test_venting_customer_is_let_vent_first(plan: HandlingPlan) -> None:
    assert "发泄" in plan.opening.text and "不打断" in plan.opening.text
    first = step(plan, "apologize").actions[0]
    assert "不打断" in first.text and "情绪发泄型" in first.reason
    assert any("我在听" in s.text for s in step(plan, "listen").scripts)
    assert {"condescending", "absolute_command"} <= {a.rule for a in plan.avoid}


SELF_HARM = [
    from_text("再不解决我就不想活了，从你们楼上跳下去"),
    build_plan(minimal(signals=(("self_harm", "threatened"),), level="crisis")),
]


@pytest.mark.parametrize("plan", SELF_HARM)
def test_self_harm_escalates_immediately_with_a_safety_step(plan: HandlingPlan) -> None:
    esc = plan.escalation
    assert esc.escalate and esc.urgency == "immediate"
    assert any("110" in a.text or "12356" in a.text for a in esc.actions)
    assert "安全" in plan.opening.text
    # The routine "go straight to the problem" apology is wrong when someone may hurt themselves.
    assert all("直接进入问题" not in a.text for a in step(plan, "apologize").actions)


@pytest.mark.parametrize(
    ("plan", "route"),
    [
        (from_text("不给退款我就打12378向金融监管局投诉", "banking"), "消保部门"),
        (build_plan(minimal(signals=(("regulator_complaint", "threatened"),))), "消保部门"),
        (build_plan(minimal(signals=(("regulator_complaint", "done"),))), "法律合规部门"),
        (build_plan(minimal(signals=(("litigation", "threatened"),))), "法律合规部门"),
        (build_plan(minimal(signals=(("media_exposure", "threatened"),))), "品牌宣传部门"),
    ],
)
def test_external_threats_route_to_consumer_protection_legal_or_pr(plan: HandlingPlan, route: str) -> None:
    assert plan.escalation.escalate
    assert plan.escalation.urgency == "same_day"
    assert route in plan.escalation.to
    assert "尊重" in plan.opening.text


@pytest.mark.parametrize(
    "plan",
    [
        from_text("信用卡年费300元没有告知就扣了，请退还年费。", "banking"),
        from_text("宽带这两天晚上老掉线，麻烦安排师傅上门看看。", "telecom"),
        build_plan(minimal(demands=(("explanation", None),))),
        build_plan({}),
    ],
)
def test_routine_complaint_is_not_escalated(plan: HandlingPlan) -> None:
    assert not plan.escalation.escalate
    assert plan.escalation.tier == "front_desk" and plan.escalation.to == []
    assert "不升级" in plan.escalation.reasons[0]


def test_a_mere_mention_of_the_regulator_does_not_escalate() -> None:
    plan = build_plan(minimal(signals=(("regulator_complaint", "mention"),)))
    assert not plan.escalation.escalate


def test_group_complaint_gets_crisis_plan_and_five_representatives() -> None:
    plan = build_plan(minimal(signals=(("group", "done"),), level="major"))
    esc = plan.escalation
    assert esc.escalate and esc.urgency == "immediate" and esc.tier == "head_office"
    assert any("5名" in a.text for a in esc.actions)
    assert any("统一" in a.text for a in esc.actions)


@pytest.mark.parametrize(
    ("signal", "route"),
    [("special_identity", "品牌宣传部门"), ("vulnerable", "资深投诉专员"), ("repeat", "资深投诉专员")],
)
def test_special_identity_vulnerable_and_repeat_are_escalated(signal: str, route: str) -> None:
    plan = build_plan(minimal(signals=((signal, "done"),)))
    assert plan.escalation.escalate and route in plan.escalation.to


def test_difficult_customer_gets_point_by_point_answers_with_basis() -> None:
    plan = build_plan(minimal("difficult"))
    assert "逐条" in step(plan, "propose").actions[0].text
    assert "依据" in step(plan, "propose").actions[0].text
    assert "rule_citing" in {a.rule for a in plan.avoid}


def test_suspected_malicious_claim_verifies_facts_and_presumes_good_faith() -> None:
    analysis = minimal(
        "malicious_claim",
        demands=(("compensation", 50000.0),),
        malicious={"score": 0.7, "indicators": [{"key": "excessive_demand", "description": "…"}]},
    )
    plan = build_plan(analysis)
    assert "核实" in plan.opening.text and "善意" in plan.opening.text
    assert {"admission_of_liability", "compensation_wording", "empty_promise"} <= {a.rule for a in plan.avoid}
    assert any("签字" in e.text for e in plan.evidence)
    assert "法律合规部门" in plan.escalation.to
    assert any("不让步" in a.text for a in step(plan, "propose").actions)


def test_problem_solver_goes_straight_to_the_fix_and_timeline() -> None:
    plan = from_text("信用卡年费300元没有告知就扣了，请退还年费。", "banking")
    assert "解决办法和完成时间" in step(plan, "propose").actions[0].text
    assert "个工作日" in step(plan, "propose").scripts[0].text


@pytest.mark.parametrize("ctype", ["problem_solving", "venting", "difficult", "malicious_claim"])
def test_six_steps_in_order_each_with_one_to_three_scripts(ctype: str) -> None:
    plan = build_plan(minimal(ctype))
    assert [s.name for s in plan.steps] == STEP_NAMES
    assert all(1 <= len(s.scripts) <= 3 for s in plan.steps)
    assert [s.name for s in plan.stages] == ["情", "理", "法"]


def test_fa_stage_cites_the_articles_of_the_analysis_rights() -> None:
    rights = [
        {
            "key": "information",
            "law": "消费者权益保护法",
            "article": 8,
            "related": ["民法典 第496条：格式条款"],
        }
    ]
    fa = build_plan(minimal(rights=rights)).stages[2]
    assert fa.laws == ["消费者权益保护法 第8条（知悉真情权）", "民法典 第496条：格式条款"]
    compensation = [{"key": "compensation", "law": "消费者权益保护法", "article": 11}]
    assert build_plan(minimal(rights=compensation)).stages[2].laws == [
        "消费者权益保护法 第11条（依法求偿权）"
    ]


@pytest.mark.parametrize(
    ("industry", "days", "verify"),
    [
        ("banking", 15, False),
        ("insurance", 15, False),
        ("telecom", 30, False),
        ("ecommerce", 7, False),
        ("securities", 0, True),
    ],
)
def test_deadline_hint_by_industry(industry: str, days: int, verify: bool) -> None:
    hint = build_plan(minimal(industry=industry)).deadline_hint
    assert hint is not None and hint.days == days and hint.verify is verify
    assert hint.source and "参考" in hint.note and hint.reason.startswith("依据：行业")


@pytest.mark.parametrize(
    ("industry", "word"),
    [("banking", "双录"), ("insurance", "回访录音"), ("telecom", "计费详单"), ("ecommerce", "聊天记录")],
)
def test_evidence_to_keep_depends_on_industry(industry: str, word: str) -> None:
    assert any(word in e.text for e in build_plan(minimal(industry=industry)).evidence)


def test_compensation_above_authority_goes_to_a_supervisor() -> None:
    plan = build_plan(minimal(demands=(("compensation", 20000.0),)))
    assert plan.escalation.escalate and "当班主管" in plan.escalation.to


def _walk(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value, *[d for v in value.values() for d in _walk(v)]]
    if isinstance(value, list):
        return [d for v in value for d in _walk(v)]
    return []


PLANS = [*VENTING, *SELF_HARM, build_plan(minimal("malicious_claim", signals=(("group", "done"),)))]


@pytest.mark.parametrize("plan", PLANS)
def test_every_item_says_why_and_the_plan_is_json(plan: HandlingPlan) -> None:
    data = plan.to_dict()
    json.dumps(data, ensure_ascii=False)
    items = [d for d in _walk(data) if "reason" in d]
    assert items and all(str(d["reason"]).strip() for d in items)


@pytest.mark.parametrize("plan", PLANS)
def test_plan_never_suggests_tactics_against_the_consumer(plan: HandlingPlan) -> None:
    text = json.dumps(plan.to_dict(), ensure_ascii=False)
    for tactic in ("友好媒体", "保密协议", "拖延", "程序障碍", "定性为恶意", "暗示对方"):
        assert tactic not in text


def test_avoid_rules_are_reply_check_rules() -> None:
    known = {row["key"] for row in analysis_entries("reply_rules", "rule")}
    assert {row["rule"] for row in data_table("plan_rules")["avoid"]} <= known


def test_every_rule_uses_known_facets_and_steps() -> None:
    facts = facts_from({})
    tables = data_table("plan_rules")
    rows = [*data_table("scripts")["script"]]
    for name in ("opening", "step_action", "stage_action", "avoid", "evidence", "escalation"):
        rows += tables[name]
    for row in rows:
        match(row, facts)  # raises on an unknown facet
    steps = {s["key"] for s in tables["step"]}
    assert {r["step"] for r in data_table("scripts")["script"]} == steps
    assert {r["step"] for r in tables["step_action"]} <= steps


# The reply check is the senior handler's eye: our own scripts must pass it on these rules.
TABOO_RULES = {"rude", "blame_customer", "absolute_command", "empty_promise"}


@pytest.mark.parametrize("script", data_table("scripts")["script"], ids=lambda s: s["text"][:12])
def test_scripts_contain_no_taboo_phrases(script: dict[str, Any]) -> None:
    findings = check_reply(script["text"]).findings
    assert [(f.rule, f.evidence) for f in findings if f.rule in TABOO_RULES] == []


def test_complaint_about_a_staff_member_is_handled_by_someone_else() -> None:
    plan = from_text("你们的客服态度太差了，我问个问题她居然骂我，要求处理这个员工并且给我道歉", "telecom")
    assert any("回避" in a.text for a in step(plan, "propose").actions)
    assert plan.escalation.escalate and "当班主管" in plan.escalation.to
    assert "denigrate_colleague" in {a.rule for a in plan.avoid}


def test_promised_reply_date_is_kept_even_without_a_result() -> None:
    plan = build_plan(minimal())
    assert any("答复日期" in a.text and "没有结果" in a.text for a in step(plan, "follow_up").actions)


def test_building_a_plan_does_not_load_django() -> None:
    # The CLI uses the plan without the workbench: no Django import may sneak in.
    code = "import sys, kesu.knowledge; kesu.knowledge.build_plan({}); print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_one_weak_indicator_does_not_make_an_honest_customer_a_suspect() -> None:
    weak = {"score": 0.2, "indicators": [{"key": "refuse_negotiation", "description": "…"}]}
    plan = build_plan(minimal(malicious=weak))
    assert not plan.escalation.escalate
    assert "善意" not in plan.opening.text
    assert "admission_of_liability" not in {a.rule for a in plan.avoid}


GOLDEN = Path(__file__).parents[1] / "golden" / "complaints.jsonl"


@pytest.mark.skipif(not GOLDEN.exists(), reason="golden complaints not present")
def test_every_golden_complaint_gets_a_complete_plan() -> None:
    # Smoke test over many real-looking complaints: the plan never breaks and stays consistent
    # with the analysis (a crisis is always escalated, immediately).
    for line in GOLDEN.read_text(encoding="utf-8").splitlines():
        analysis = analyze(complaint_from_dict(json.loads(line))).to_dict()
        plan = build_plan(analysis)
        assert [s.name for s in plan.steps] == STEP_NAMES
        assert all(1 <= len(s.scripts) <= 3 for s in plan.steps)
        if analysis["risk"]["level"] == "crisis":
            assert plan.escalation.urgency == "immediate", analysis["id"]
