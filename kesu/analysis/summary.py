"""A one-sentence summary a supervisor can read in a list: who, why, what they want, what risk."""

from __future__ import annotations

from kesu.analysis.types import Demand, Dimensions, Risk

DEMAND_WORDS = {
    "refund": "退款",
    "compensation": "赔偿",
    "apology": "道歉",
    "explanation": "解释说明",
    "fix": "解决问题",
    "cancel": "解约/销户",
    "punish_staff": "处理相关人员",
    "see_leader": "见领导",
    "written_reply": "书面答复",
    "other": "其他诉求",
}
SIGNAL_WORDS = {
    "media_exposure": "媒体曝光",
    "online_exposure": "网络曝光",
    "regulator_complaint": "向监管投诉",
    "litigation": "诉讼",
    "self_harm": "自伤",
    "violence": "暴力",
    "group": "群体维权",
    "petition": "聚集/拉横幅",
    "leader_demand": "找领导",
    "repeat": "重复投诉",
    "special_identity": "特殊身份",
    "vulnerable": "弱势群体",
    "professional_claimant": "代理维权",
    "excessive_demand": "过高索赔",
}
STATUS_WORDS = {"threatened": "扬言", "done": "已", "mention": "提及"}
# Signals that state a fact about the customer rather than an act: no 扬言/已 in front.
STATE_WORDS = {
    "vulnerable": "属弱势群体",
    "special_identity": "自称特殊身份",
    "repeat": "系重复投诉",
    "professional_claimant": "疑似代理维权",
    "excessive_demand": "索赔明显过高",
}


def _demand_phrase(demands: list[Demand]) -> str:
    parts: list[str] = []
    for d in demands:
        word = DEMAND_WORDS.get(d.type, d.type)
        if d.amount:
            word += f"{d.amount:g}元"
        if word not in parts:
            parts.append(word)
    return "、".join(parts[:3])


def _risk_phrase(risk: Risk) -> str:
    parts: list[str] = []
    for s in risk.signals:
        if s.status == "mention":
            continue
        phrase = STATE_WORDS.get(s.type) or STATUS_WORDS[s.status] + SIGNAL_WORDS.get(s.type, s.type)
        if phrase not in parts:
            parts.append(phrase)
    return "、".join(parts[:3])


def summarize(
    *, is_complaint: bool, product: str | None, dimensions: Dimensions, demands: list[Demand], risk: Risk
) -> str:
    if not is_complaint:
        return "非投诉：咨询、建议或表扬类来电来信，按一般业务处理。"
    subject = f"客户就{product}" if product else "客户"
    event = dimensions.event.strip(" ，。,.!！?？")
    text = f"{subject}投诉{event}" if event else f"{subject}提出投诉"
    if demand := _demand_phrase(demands):
        text += f"，要求{demand}"
    if risk_words := _risk_phrase(risk):
        text += f"，{risk_words}"
    return text + "。"
