"""The one-sentence summary reads naturally in a supervisor's list."""

from __future__ import annotations

import pytest

from .conftest import run


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        (
            "上个月底发现信用卡被扣了300元年费，我今年七十多岁了，跑不动了。",
            ["300元年费", "属弱势群体"],
            ["已弱势", "底发现"],
        ),
        ("信用卡乱收年费300元，要求退还，不退我就打12378投诉。", ["要求退款", "扬言向监管投诉"], []),
        ("请问信用卡年费怎么收？", ["非投诉"], ["扬言"]),
    ],
)
def test_summary_wording(text, wanted, unwanted):
    summary = run(text)["summary"]
    assert summary.endswith("。")
    for w in wanted:
        assert w in summary, summary
    for w in unwanted:
        assert w not in summary, summary
