"""The engine keeps to contract.md: schema-valid output, offsets into the original text, purity."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kesu.analysis import Complaint, InputError, analyze, complaint_from_dict
from kesu.analysis.pii import mask_in_place

from .conftest import SCHEMA_PATH, run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "complaints.jsonl"
SHARED_SCHEMA = ROOT.parent / "shared" / "design" / "analysis.schema.json"


def example_texts() -> list[str]:
    return [
        json.loads(line)["text"] for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


@pytest.mark.parametrize("text", example_texts())
def test_output_validates_against_the_contract_schema(text, schema_validator):
    result = run(text, id="x", channel="phone")
    errors = sorted(schema_validator.iter_errors(result), key=str)
    assert not errors, errors[0].message if errors else ""


@pytest.mark.parametrize("text", example_texts())
def test_every_span_points_into_the_original_text(text):
    result = run(text)
    for signal in result["risk"]["signals"]:
        assert text[signal["start"] : signal["end"]] == signal["evidence"]
    for span in result["emotion"]["spans"]:
        assert text[span["start"] : span["end"]] == span["evidence"]


PII_TEXTS = [
    "我的卡6222020012345678901被盗刷了，要求退款，不处理我就打12378，我电话13800001234",
    "我叫张三，身份证11010119800101001X，电话138 0000 1234，你们把我信息泄露了，我要去法院起诉你们！！",
    "客户来电：手机号１３８００００１２３４，卡号 6222 0000 0000 1234 扣了300元年费，要求退还，否则找记者曝光",
]
RAW_NUMBERS = [
    "6222020012345678901",
    "13800001234",
    "11010119800101001X",
    "138 0000 1234",
    "１３８００００１２３４",
    "6222 0000 0000 1234",
    "00001234",
    "0000 1234",
]


@pytest.mark.parametrize("text", PII_TEXTS)
def test_no_phone_id_or_card_number_appears_unmasked_anywhere_in_the_output(text):
    dumped = json.dumps(run(text), ensure_ascii=False)
    leaked = [n for n in RAW_NUMBERS if n in text and n in dumped]
    assert leaked == []


@pytest.mark.parametrize("text", PII_TEXTS)
def test_evidence_offsets_stay_valid_with_personal_numbers_masked(text):
    result = run(text)
    safe = mask_in_place(text)
    assert len(safe) == len(text)
    spans = [*result["risk"]["signals"], *result["emotion"]["spans"]]
    spans += [d for d in result["demands"] if "start" in d]
    assert spans, "these texts carry signals and demands"
    for s in spans:
        assert safe[s["start"] : s["end"]] == s["evidence"]


def test_traditional_chinese_keeps_offsets_of_the_original():
    text = "我的信用卡被亂扣年費，銀行說是規定，我要投訴到12378！"
    result = run(text)
    for signal in result["risk"]["signals"]:
        assert text[signal["start"] : signal["end"]] == signal["evidence"]


@pytest.mark.skipif(not SHARED_SCHEMA.exists(), reason="../shared not present")
def test_schema_copy_matches_the_design_document():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == SHARED_SCHEMA.read_text(encoding="utf-8")


def test_no_module_of_the_engine_imports_django():
    offenders = []
    for path in (ROOT / "kesu" / "analysis").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in {"django", "ninja"}]
    assert offenders == []


def test_importing_the_engine_does_not_load_django():
    code = "import sys, kesu.analysis; kesu.analysis.analyze(kesu.analysis.Complaint(text='退款')); print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "text"),
        ({"text": "   "}, "为空"),
        ({"text": 42}, "text"),
        ({"text": "x" * 100_000}, "过长"),
        ({"text": "\x00\x01\x02\x03binary"}, "二进制"),
        ({"text": "投诉", "channel": "fax"}, "渠道"),
        ({"text": "投诉", "industry": "mining"}, "行业"),
        ("not an object", "JSON 对象"),
    ],
)
def test_bad_input_gets_a_specific_chinese_error(data, message):
    with pytest.raises(InputError, match=message):
        complaint_from_dict(data)


def test_analyze_rejects_empty_text_directly():
    with pytest.raises(InputError):
        analyze(Complaint(text=""))


def _cli(args, stdin=""):
    return subprocess.run(
        [sys.executable, "-m", "kesu.cli", *args], input=stdin, capture_output=True, text=True
    )


def test_cli_keeps_order_and_reports_each_bad_line():
    lines = [
        json.dumps({"id": "a", "text": "信用卡年费乱扣，要求退款"}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "c", "text": ""}),
        json.dumps({"id": "d", "text": "x" * 100_000}),
        "\x00\x01\x02garbage\x03",
        json.dumps({"id": "f", "text": "宽带断网三天了"}, ensure_ascii=False),
    ]
    out = _cli(["analyze"], "\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r.get("id") for r in rows] == ["a", None, "c", "d", None, "f"]
    assert "engine" in rows[0] and "engine" in rows[5]
    assert "JSON" in rows[1]["error"]
    assert "为空" in rows[2]["error"]
    assert "过长" in rows[3]["error"]
    assert "error" in rows[4]


def test_cli_exits_non_zero_when_nothing_could_be_read():
    out = _cli(["analyze"], "{broken\n\n")
    assert out.returncode != 0
    assert "没有读到" in out.stderr


def test_cli_single_text_prints_pretty_json():
    out = _cli(["analyze", "--text", "我要投诉你们乱收费"])
    assert out.returncode == 0
    assert out.stdout.startswith("{\n")
    assert json.loads(out.stdout)["engine"].startswith("kesu-analysis/")


def test_cli_writes_utf8_json_lines_and_echoes_any_input_id():
    """Chinese goes out as UTF-8, never as \\u escapes, one object per line; an id the fast
    encoder cannot write (an integer beyond 64 bits) is still echoed in its error object."""
    huge = 123456789012345678901234567890
    lines = [
        json.dumps({"id": huge, "text": ""}),
        json.dumps({"id": 7, "text": "乱扣年费三千元，要求退款"}, ensure_ascii=False),
    ]
    out = subprocess.run(
        [sys.executable, "-m", "kesu.cli", "analyze"],
        input=("\n".join(lines) + "\n").encode("utf-8"),
        capture_output=True,
    )
    assert out.returncode == 0, out.stderr
    raw = out.stdout.split(b"\n")
    assert raw[-1] == b"" and len(raw) == 3
    first, second = json.loads(raw[0]), json.loads(raw[1].decode("utf-8"))
    assert first["id"] == huge and "为空" in first["error"]
    assert second["id"] == "7" and second["demands"][0]["amount"] == 3000
    assert "乱扣年费".encode() in raw[1] and b"\\u" not in raw[1]


def test_masked_personal_numbers_do_not_read_as_shouting():
    result = run("我的电话是13800001234，卡号6222000000001234，请回电。")
    assert result["emotion"]["label"] == "calm"
    assert result["emotion"]["spans"] == []
