"""The reply check: what a senior handler would flag in a draft reply before it is sent."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kesu.analysis import check_reply
from kesu.analysis.lexicon import entries
from kesu.analysis.reply_check import find_issues, rule_keys

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = [
    json.loads(line) for line in (ROOT / "tests/golden/replies.jsonl").read_text("utf-8").splitlines() if line
]
CONTRACT_RULES = {
    "absolute_command",
    "rule_citing",
    "blame_customer",
    "buck_passing",
    "empty_promise",
    "vague",
    "condescending",
    "rude",
    "denigrate_colleague",
    "compensation_wording",
    "admission_of_liability",
    "privacy_leak",
    "missing_apology",
    "missing_next_step",
}
CLEAN = "非常抱歉给您带来不便。经核实，多收的年费已为您退回原卡，预计3个工作日内到账。"


def rules_of(text: str) -> set[str]:
    return {f.rule for f in check_reply(text).findings}


def evidence_of(text: str, rule: str) -> list[str]:
    return [f.evidence for f in check_reply(text).findings if f.rule == rule]


# --- golden replies ------------------------------------------------------------------------------


def test_golden_set_is_broad() -> None:
    assert len(GOLDEN) >= 60
    assert len({g["id"] for g in GOLDEN}) == len(GOLDEN)
    assert sum(1 for g in GOLDEN if not g["expect"]) >= 15, "too few clean replies"
    assert {r for g in GOLDEN for r in g["expect"]} == CONTRACT_RULES, "every rule needs a golden case"


@pytest.mark.parametrize("case", GOLDEN, ids=[g["id"] for g in GOLDEN])
def test_golden_reply(case: dict[str, Any]) -> None:
    text = case["text"]
    result = check_reply(text, id=case["id"])
    assert {f.rule for f in result.findings} == set(case["expect"]), case["why"]
    for f in result.findings:
        assert text[f.start : f.end] == f.evidence
        assert f.suggestion.strip(), f.rule
    assert (result.score == 100.0) == (not case["expect"])


@pytest.mark.parametrize("case", GOLDEN, ids=[g["id"] for g in GOLDEN])
def test_prefilter_loses_nothing(case: dict[str, Any]) -> None:
    """The anchor pre-filter is only a speed-up: running every pattern finds the same."""
    assert find_issues(case["text"]) == find_issues(case["text"], prefilter=False)


# --- each rule fires on a typical example and not on its near-miss -------------------------------

RULE_CASES = [
    # (rule, fires on, near-miss that must not fire)
    ("absolute_command", "您必须本人来网点办理。", "我们必须先核实清楚再答复您。"),
    ("absolute_command", "你应该先去营业厅实名认证。", "您应该已经收到我们的短信了。"),
    ("absolute_command", "你得先把欠费交了。", "让您得到满意的处理是我们的责任。"),
    ("absolute_command", "您務必明天之前補交材料。", "請您務必妥善保管密碼。"),
    (
        "rule_citing",
        "这是公司规定，没办法。",
        "根据《银行业保险业消费投诉处理管理办法》第二十条规定，我们将在15日内答复。",
    ),
    ("rule_citing", "按照相关规定，不能给您退。", "按规定我们会在7日内为您退还。"),
    ("rule_citing", "这是我们行里的制度。", "我们正在完善相关制度，避免再次发生。"),
    ("blame_customer", "是您自己没看清合同。", "经核实，这并非您的原因。"),
    ("blame_customer", "您当时为什么不及时挂失？", "如您没有收到短信，请告诉我们。"),
    ("blame_customer", "这是您个人原因造成的。", "与您个人原因无关，是系统故障。"),
    ("buck_passing", "这不归我们管，您找别的部门。", "这件事由我负责跟进到底。"),
    ("buck_passing", "跟我们没有关系，是商户扣的款。", "跟您没有关系，是我们系统的问题。"),
    ("buck_passing", "我只是个客服，我也没办法。", "我是您的专属客服，我来处理。"),
    ("empty_promise", "我保证今天一定给您退。", "我们无法保证审核结果，但会尽力为您争取。"),
    ("empty_promise", "肯定能给您全额退款。", "不一定能全额退款，具体以审核为准。"),
    ("empty_promise", "我们一定会给您一个满意的答复。", "我们一定会认真核实。"),
    ("vague", "可能吧，大概是系统问题吧。", "经核实，是系统升级导致的延迟。"),
    ("vague", "这个我也不清楚。", "这个我暂时不清楚，正在帮您核实。"),
    ("vague", "说不好，到时候再说。", "我们会在11月25日前给您答复。"),
    ("condescending", "您听清楚了吗？", "也许我说得不够清楚，请允许我再解释一遍。"),
    ("condescending", "我已经说过很多遍了。", "我再为您梳理一下要点。"),
    ("condescending", "您理解错了。", "以免您误会，我再说明一下。"),
    ("condescending", "您先别激动。", "您先别着急，我帮您查一下。"),
    ("rude", "你有病吧。", "您有病史的话请告诉我们。"),
    ("rude", "爱投诉就投诉。", "如对处理结果不满意，您也可以向消费者协会投诉。"),
    ("rude", "滚。", "页面可以滚动到底部查看。"),
    ("rude", "你们这种人就是想占便宜。", "请谨防骗子冒充客服。"),
    ("denigrate_colleague", "那个业务员就是乱说的。", "您反映业务员乱说的情况，我们正在核实。"),
    ("denigrate_colleague", "销售是为了冲业绩才这么说的。", "我们的销售人员会在明天联系您。"),
    ("denigrate_colleague", "我们公司就是这样。", "我们公司会认真对待您的意见。"),
    ("compensation_wording", "我们会赔偿您500元。", "我们将依法赔偿您的直接损失。"),
    ("compensation_wording", "我们赔你200块钱。", "本次延误不属于赔偿范围。"),
    ("compensation_wording", "给您赔偿交通费。", "关于您提出的赔偿要求，我们正在评估。"),
    ("admission_of_liability", "我们承认全部责任。", "如经核实确属我行责任，我们将依法承担相应责任。"),
    ("admission_of_liability", "这完全是我们的错。", "这不是我们的错。"),
    ("admission_of_liability", "我们的客户经理确实存在误导销售。", "我行不存在违规收费。"),
    ("privacy_leak", "您的手机号13800001234已登记。", "您尾号1234的手机（138****1234）已登记。"),
    ("privacy_leak", "卡号6222020200001234567已挂失。", "尾号4567的卡已挂失。"),
    ("privacy_leak", "身份证号110101199003071234已核实。", "如有疑问请拨打我的工作电话010-66668888。"),
]


@pytest.mark.parametrize(
    ("rule", "bad", "near_miss"), RULE_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(RULE_CASES)]
)
def test_rule_fires_and_near_miss_does_not(rule: str, bad: str, near_miss: str) -> None:
    assert rule in rules_of(bad), bad
    assert rule not in rules_of(near_miss), near_miss


@pytest.mark.parametrize("text", [t for c in RULE_CASES for t in c[1:]])
def test_prefilter_loses_nothing_on_focused_cases(text: str) -> None:
    assert find_issues(text) == find_issues(text, prefilter=False)


def test_every_contract_rule_has_a_focused_case() -> None:
    assert {c[0] for c in RULE_CASES} | {"missing_apology", "missing_next_step"} == CONTRACT_RULES
    assert set(rule_keys()) == CONTRACT_RULES


MISSING_CASES = [
    ("missing_apology", "您好，经核实，您的退款已于11月20日退回原卡，预计3个工作日到账。", True),
    ("missing_apology", "您好，理解您着急的心情，您的退款已于11月20日退回原卡，预计3个工作日到账。", False),
    (
        "missing_apology",
        "您好，给您带来的不便敬请谅解，您的退款已于11月20日退回原卡，预计3个工作日到账。",
        False,
    ),
    ("missing_next_step", "非常抱歉给您带来不便，您的问题我们已经记录了，会尽快处理，请您耐心等待。", True),
    ("missing_next_step", "非常抱歉给您带来不便，您的问题我们已经记录了，将于3个工作日内给您回复。", False),
    ("missing_next_step", "非常抱歉给您带来不便，您的问题我们已经记录了，稍后由专员致电您说明情况。", False),
    ("missing_next_step", "非常抱歉给您带来不便，为核实情况，请您提供一下交易截图和订单编号。", False),
]


@pytest.mark.parametrize(("rule", "text", "fires"), MISSING_CASES)
def test_missing_rules(rule: str, text: str, fires: bool) -> None:
    assert (rule in rules_of(text)) == fires


@pytest.mark.parametrize("text", ["好的，稍等", "收到，马上帮您查。", "请问您的订单号是多少？", "好的"])
def test_short_chat_turns_get_no_missing_findings(text: str) -> None:
    assert check_reply(text).findings == []


def test_missing_findings_have_an_empty_span_at_zero_and_come_last() -> None:
    text = "是您自己没看清合同条款，合同里写得很清楚，年费是要收的。"
    findings = check_reply(text).findings
    assert [f.rule for f in findings] == ["blame_customer", "missing_apology", "missing_next_step"]
    for f in findings[1:]:
        assert (f.start, f.end, f.evidence) == (0, 0, "")


# --- normalised matching, spans in the original ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule", "evidence"),
    [
        ("您必須本人來辦理，這是公司規定。", "absolute_command", "必須"),
        ("您必須本人來辦理，這是公司規定。", "rule_citing", "公司規定"),
        ("這不歸我們管，您找別的部門吧。", "buck_passing", "不歸我們"),
        ("請致電您的號碼１３８００００１２３４。", "privacy_leak", "１３８００００１２３４"),
        ("ＯＫ，您聽清楚了嗎？", "condescending", "您聽清楚了嗎"),
    ],
)
def test_traditional_and_full_width_report_original_spans(text: str, rule: str, evidence: str) -> None:
    assert evidence in evidence_of(text, rule)


def test_spans_stay_right_after_a_letter_that_lower_cases_to_two() -> None:
    # "İ".lower() is two characters; normalisation must keep every offset in place.
    (finding,) = check_reply("İstanbul分行：您必须本人来。").findings
    assert (finding.rule, finding.evidence, finding.start) == ("absolute_command", "必须", 12)


def test_each_occurrence_is_its_own_finding_in_text_order() -> None:
    text = "您必须本人来。您必须带身份证。"
    findings = [f for f in check_reply(text).findings if f.rule == "absolute_command"]
    assert [(f.start, f.end) for f in findings] == [(1, 3), (8, 10)]


def test_privacy_suggestion_shows_the_masked_number() -> None:
    (finding,) = [
        f for f in check_reply("已登记您的手机号13800001234。").findings if f.rule == "privacy_leak"
    ]
    assert "138****1234" in finding.suggestion
    assert "13800001234" not in finding.suggestion


# --- score ---------------------------------------------------------------------------------------


def test_clean_reply_scores_100() -> None:
    result = check_reply(CLEAN)
    assert result.findings == []
    assert result.score == 100.0


def test_rude_and_privacy_cost_most() -> None:
    rude = check_reply(CLEAN + "你有病吧。").score
    leak = check_reply(CLEAN + "您的手机号13800001234。").score
    command = check_reply(CLEAN + "您必须本人来。").score
    assert rude <= 60 and leak <= 60
    assert rude < command < 100 and leak < command


def test_more_problems_score_lower_and_never_below_zero() -> None:
    one = check_reply("非常抱歉，这是公司规定，我们将于3个工作日内回复您。").score
    two = check_reply("非常抱歉，这是公司规定，您必须本人来，我们将于3个工作日内回复您。").score
    worst = check_reply(
        "你有病吧，滚，神经病，爱投诉就投诉，您必须本人来，这是公司规定，是您自己没看清，我保证一定退。"
    )
    assert 100 > one > two
    assert worst.score == 0.0


def test_weights_are_data() -> None:
    weights = {r["key"]: r["weight"] for r in entries("reply_rules", "rule")}
    assert weights["rude"] == max(weights.values()) == weights["privacy_leak"]


# --- output shape --------------------------------------------------------------------------------


def test_to_dict_has_the_contract_shape() -> None:
    d = check_reply("您必须本人来。", id="r-1").to_dict()
    assert set(d) == {"id", "findings", "score"}
    assert d["id"] == "r-1"
    assert set(d["findings"][0]) == {"rule", "evidence", "start", "end", "suggestion"}
    assert isinstance(d["score"], float)


def test_every_table_entry_documents_itself() -> None:
    for key in ("rule", "pattern", "pii", "marker"):
        assert entries("reply_rules", key)  # raises if a description is missing
    for p in entries("reply_rules", "pattern"):
        assert p["rule"] in CONTRACT_RULES
        assert p.get("terms") or p.get("anchors"), p["description"]


# --- command line --------------------------------------------------------------------------------


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kesu.cli", "check-reply", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_cli_text() -> None:
    proc = run_cli("--text", "您必须本人来，这是公司规定。")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert {f["rule"] for f in out["findings"]} == {"absolute_command", "rule_citing"}
    assert out["score"] < 100


def test_cli_json_lines_bad_line_in_the_middle() -> None:
    lines = [
        json.dumps({"id": "r1", "text": "您必须本人来。"}, ensure_ascii=False),
        "{这不是 JSON",
        json.dumps({"id": "r3", "text": CLEAN}, ensure_ascii=False),
    ]
    proc = run_cli(stdin="\n".join(lines) + "\n")
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == 3
    assert out[0]["id"] == "r1" and out[0]["findings"][0]["rule"] == "absolute_command"
    assert "error" in out[1] and "findings" not in out[1]
    assert out[2]["id"] == "r3" and out[2]["score"] == 100.0


def test_cli_nothing_readable_exits_non_zero() -> None:
    proc = run_cli(stdin="not json\n")
    assert proc.returncode != 0
    assert "error" in json.loads(proc.stdout.splitlines()[0])
