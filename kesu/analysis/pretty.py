"""Render analysis JSON Lines as a short human-readable report (used by `make demo`)."""

from __future__ import annotations

import json
import sys
from typing import Any

from kesu.analysis.summary import SIGNAL_WORDS, STATUS_WORDS

CUSTOMER = {
    "problem_solving": "问题解决型",
    "venting": "情绪发泄型",
    "difficult": "理性刁难型",
    "malicious_claim": "恶意索赔型(疑似)",
}
EMOTION = {
    "anger": "愤怒",
    "anxiety": "焦虑",
    "disappointment": "失望",
    "sadness": "委屈/悲伤",
    "calm": "平静",
}
LEVEL = {"routine": "一般", "elevated": "关注", "major": "重大", "crisis": "危机"}


def render(result: dict[str, Any]) -> str:
    if "error" in result:
        return f"[{result.get('id')}] 错误：{result['error']}"
    ct, emo, risk = result["customer_type"], result["emotion"], result["risk"]
    lines = [
        f"[{result.get('id')}] {result['summary']}",
        f"  是否投诉：{'是' if result['is_complaint'] else '否'}（{result['complaint_score']:.2f}）"
        f"  客户类型：{CUSTOMER[ct['label']]}  情绪：{EMOTION[emo['label']]}（强度 {emo['intensity']:.2f}）",
        f"  风险：{LEVEL[risk['level']]}（{risk['score']:.0f} 分）"
        + "".join(
            f"\n    · {STATUS_WORDS[s['status']]}{SIGNAL_WORDS[s['type']]}：「{s['evidence']}」"
            for s in risk["signals"]
        ),
    ]
    if result["demands"]:
        lines.append("  诉求：" + "；".join(d["evidence"] for d in result["demands"]))
    if result["rights"]:
        lines.append("  涉及权利：" + "；".join(f"{r['law']}第{r['article']}条" for r in result["rights"]))
    return "\n".join(lines)


def main() -> None:
    for line in sys.stdin:
        if line.strip():
            print(render(json.loads(line)))
            print()


if __name__ == "__main__":
    main()
