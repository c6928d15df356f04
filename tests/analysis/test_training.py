"""`kesu train` and `kesu analyze --model`: a handler's own categories, learnt from examples.

The tests write a small invented training set (信用卡 / 保险 / 宽带 complaints composed from
fragments), train on it, and check what a complaint handler relies on: the cross-validation
report, the obvious label with a band on new complaints, the label showing up in every output
line, and plain Chinese errors for every kind of bad input.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kesu.analysis import Complaint, analyze, models
from kesu.analysis.models import FORMAT_VERSION, load_model, prepare
from kesu.analysis.training import Recipe, TrainingError, fit, read_dataset, train, train_command

TOPICS = {
    "信用卡": (
        ["我的信用卡", "名下那张白金卡", "刚办的联名信用卡", "副卡"],
        ["被扣了年费", "账单多出一笔分期手续费", "额度突然被降", "还款后仍显示逾期", "被盗刷了两笔"],
        ["客服只说走流程", "催收电话一天打十几次", "网点让我找发卡中心"],
    ),
    "保险": (
        ["去年买的重疾险", "家里的车险", "这份医疗保险", "业务员推销的分红险"],
        ["理赔被拒", "退保只退一小部分保费", "续保时保费翻倍", "免责条款当初没讲", "赔付拖了三个月"],
        ["保险公司让我等通知", "代理人电话打不通", "理赔员说材料不全"],
    ),
    "宽带": (
        ["家里的光纤宽带", "办的融合套餐宽带", "新装的宽带", "小区宽带"],
        ["晚上网速慢到打不开网页", "经常断网", "装机师傅迟迟不上门", "销户后还在扣月租", "光猫坏了没人修"],
        ["报修工单一直没人处理", "营业厅说是线路问题", "客服让我重启路由器"],
    ),
}
NEW_TEXTS = {
    "信用卡": "信用卡年费被扣了，还说我逾期，客服只说走流程",
    "保险": "重疾险理赔被拒，保险公司说免责条款，代理人也不接电话",
    "宽带": "宽带天天断网，报修工单没人处理，网速慢得打不开网页",
}


def _texts(label: str, n: int, rng: random.Random) -> list[str]:
    subjects, problems, replies = TOPICS[label]
    return [
        f"{rng.choice(subjects)}{rng.choice(problems)}，{rng.choice(replies)}，{rng.choice(['太气人了', '希望尽快解决', '请给个说法'])}。"
        for _ in range(n)
    ]


def _write(path: Path, rows: list[Any]) -> Path:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n"
    )
    return path


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = random.Random(7)
    rows = [{"text": t, "category": label} for label in TOPICS for t in _texts(label, 30, rng)]
    rng.shuffle(rows)
    return _write(tmp_path_factory.mktemp("train") / "train.jsonl", rows)


@pytest.fixture(scope="module")
def trained(dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("model") / "category.npz"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kesu.cli",
            "train",
            "--data",
            str(dataset),
            "--label-field",
            "category",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return out, json.loads(result.stdout)


def test_report_has_cross_validated_metrics_for_every_label(trained: tuple[Path, dict[str, Any]]) -> None:
    _, report = trained
    assert set(report["labels"]) == set(TOPICS)
    for metrics in report["labels"].values():
        assert {"precision", "recall", "f1", "support"} <= metrics.keys()
        assert metrics["support"] == 30
    assert report["macro"]["f1"] > 0.9  # the three topics share no vocabulary: near-perfect
    assert {"precision", "recall", "f1"} <= report["micro"].keys()
    assert report["training_size"] == 90


@pytest.mark.parametrize("label", list(NEW_TEXTS))
def test_model_predicts_the_obvious_label_with_a_band(
    trained: tuple[Path, dict[str, Any]], label: str
) -> None:
    model = load_model(str(trained[0]))
    [prediction] = model.predict([NEW_TEXTS[label]])
    assert prediction.label == label
    assert 0.0 <= prediction.confidence <= 1.0
    assert prediction.band in {"high", "medium", "low"}


def test_batch_and_single_predictions_agree(trained: tuple[Path, dict[str, Any]]) -> None:
    model = load_model(str(trained[0]))
    texts = [*NEW_TEXTS.values(), "？", "😀 全角１２３ ＡＢＣ"]
    assert model.predict(texts) == [model.predict([t])[0] for t in texts]


@pytest.mark.parametrize(
    ("tone", "max_n"),
    [(True, 3), (False, 3), (True, 1)],
    # unigrams: the final clause's bigrams are not among the text's n-grams (another code path)
    ids=["tone-features", "n-grams-only", "tone-unigrams"],
)
def test_exported_predictor_matches_scikit_learn(dataset: Path, tone: bool, max_n: int) -> None:
    """The numpy-only predictor must give scikit-learn's own calibrated probabilities, one text at
    a time and in a batch, with the tone features (markers, final clause, cues) and without."""
    from functools import partial

    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    from kesu.analysis.models import char_ngrams, text_grams
    from kesu.analysis.training import Recipe, cue_array, fit, with_cues

    texts, labels = read_dataset(str(dataset), "category")
    recipe = Recipe(cue_scales=(2.0,) if tone else (0.0,), max_n=max_n)  # forced either way
    ours = fit(texts, labels, recipe)
    assert ours.meta["text_edges"] is tone
    assert ours.meta["ending_chars"] == (recipe.ending_chars if tone else 0)
    if tone:
        analyzer = partial(
            text_grams,
            max_n=recipe.max_n,
            edges=True,
            ending_chars=recipe.ending_chars,
            ending_n=recipe.ending_n,
        )
    else:
        analyzer = partial(char_ngrams, max_n=recipe.max_n)
    vec = TfidfVectorizer(analyzer=analyzer, min_df=recipe.min_df, sublinear_tf=True)
    svm = LinearSVC(C=recipe.c, class_weight="balanced", random_state=0)
    cal = CalibratedClassifierCV(svm, method="sigmoid", cv=recipe.calibration_folds, ensemble=False)
    scale = ours.meta["dense_scale"]
    cal.fit(with_cues(vec.fit_transform(texts), cue_array(texts), scale), labels)
    # final clauses the training texts also end with (their tagged n-grams are in the vocabulary)
    # (the last: an 11-character final clause, whose 10-character cap starts at 希)
    endings = ["额度突然被降，太气人了", "经常断网，请给个说法。", "理赔被拒了，我希望尽快解决了吧好吗"]
    new = [*NEW_TEXTS.values(), *endings, "宽带断网。客服让我重启路由器！！", "？", "信用卡，，"]
    expected = cal.predict_proba(with_cues(vec.transform(new), cue_array(new), scale))
    batch = ours.scores(new)
    single = np.vstack([ours.scores([t]) for t in new])
    assert np.allclose(batch, single, atol=1e-9)
    got = np.array([ours.calibrate(row) for row in batch.tolist()])
    assert np.allclose(got, expected, atol=1e-6)


def test_model_file_records_its_provenance(trained: tuple[Path, dict[str, Any]]) -> None:
    model = load_model(str(trained[0]))
    meta = model.meta
    assert meta["format_version"] == FORMAT_VERSION
    assert meta["engine"].startswith("kesu-analysis/")
    assert meta["label_field"] == "category"
    assert sorted(meta["labels"]) == sorted(TOPICS)
    assert meta["training_size"] == 90
    assert meta["cv"]["macro"]["f1"] == trained[1]["macro"]["f1"]
    assert meta["trained_at"][:2] == "20"
    with zipfile.ZipFile(trained[0]) as archive:  # plain arrays only: nothing to unpickle
        assert all(name.endswith(".npy") for name in archive.namelist())


def test_analyze_with_model_adds_prediction_to_every_line(trained: tuple[Path, dict[str, Any]]) -> None:
    lines = [
        json.dumps({"id": f"c{i}", "text": t}, ensure_ascii=False) for i, t in enumerate(NEW_TEXTS.values())
    ]
    lines.insert(1, "{broken json")
    result = subprocess.run(
        [sys.executable, "-m", "kesu.cli", "analyze", "--model", f"cat={trained[0]}"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 4 and "error" in out[1]
    good = [o for o in out if "error" not in o]
    assert [o["predictions"]["cat"]["label"] for o in good] == list(NEW_TEXTS)
    assert all(o["predictions"]["cat"]["band"] in {"high", "medium", "low"} for o in good)


def test_in_process_analyze_with_model(trained: tuple[Path, dict[str, Any]]) -> None:
    model = load_model(str(trained[0]))
    result = analyze(Complaint(text=NEW_TEXTS["宽带"]), {"cat": model}).to_dict()
    assert result["predictions"]["cat"]["label"] == "宽带"


def _train_error(tmp_path: Path, rows: list[Any], folds: int = 5, field: str = "category") -> str:
    data = _write(tmp_path / "bad.jsonl", rows)
    with pytest.raises(TrainingError) as info:
        texts, labels = read_dataset(str(data), field)
        train(texts, labels, folds=folds, label_field=field)
    return str(info.value)


def _ok(label: str, n: int) -> list[dict[str, str]]:
    return [{"text": t, "category": label} for t in _texts(label, n, random.Random(n))]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([*_ok("信用卡", 10), "{oops", *_ok("保险", 10), "[1, 2"], ["第 11 行", "第 22 行", "未训练"]),
        ([*_ok("信用卡", 10), {"text": "没有标签"}, *_ok("保险", 10)], ["第 11 行", "缺少标签字段 category"]),
        ([*_ok("信用卡", 10), {"category": "保险"}, *_ok("保险", 10)], ["第 11 行", "缺少 text"]),
        (
            [*_ok("信用卡", 10), {"text": "  ", "category": "保险"}, *_ok("保险", 10)],
            ["第 11 行", "text 为空"],
        ),
        (_ok("信用卡", 20), ["只有一种", "信用卡", "至少需要 2 种"]),
        ([*_ok("信用卡", 10), *_ok("保险", 10), *_ok("宽带", 3)], ["宽带（3 条）", "至少 5 条"]),
    ],
    ids=["bad-json-lines", "missing-label", "missing-text", "empty-text", "one-label", "too-few"],
)
def test_bad_training_data_is_refused_with_the_reason(
    tmp_path: Path, rows: list[Any], expected: list[str]
) -> None:
    message = _train_error(tmp_path, rows)
    for part in expected:
        assert part in message


def test_too_few_examples_for_more_folds(tmp_path: Path) -> None:
    message = _train_error(tmp_path, [*_ok("信用卡", 12), *_ok("保险", 8)], folds=10)
    assert "保险（8 条）" in message and "10 折" in message and "信用卡" not in message.split("：")[-1]


def test_train_command_missing_file_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "m.npz"
    code = train_command(data=str(tmp_path / "nope.jsonl"), label_field="category", out=str(out), folds=5)
    assert code != 0
    assert "找不到训练数据文件" in capsys.readouterr().err
    assert not out.exists()


def test_bad_data_trains_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _write(tmp_path / "d.jsonl", [*_ok("信用卡", 10), "{", *_ok("保险", 10)])
    out = tmp_path / "m.npz"
    assert train_command(data=str(data), label_field="category", out=str(out), folds=5) != 0
    assert "第 11 行" in capsys.readouterr().err
    assert not out.exists()


_META_EDITS: dict[str, dict[str, Any]] = {
    "old-version": {"format_version": 99},
    # a version-1 model has no cue features: retrained, never silently mis-scored
    "version-1": {"format_version": 1},
    # trained with another engine's cue tables: its cue weights would point at the wrong cues
    "foreign-cues": {"dense_features": ["emotion:anger:骂人词", "length"]},
    "no-cue-list": {"dense_features": None},
    # a tagged 4-gram would not fit a 64-bit key
    "bad-ending": {"ending_chars": 10, "ending_n": 4},
    "no-edge-flag": {"text_edges": None},
}


def _corrupt(model: Path, tmp_path: Path, how: str) -> Path:
    bad = tmp_path / f"{how}.npz"
    raw = model.read_bytes()
    if how == "truncated":
        bad.write_bytes(raw[: len(raw) // 2])
    elif how == "pickle":
        bad.write_bytes(b"\x80\x04\x95" + raw[:50])
    elif how == "garbage-zip":
        bad.write_bytes(b"PK\x03\x04" + bytes(200))
    elif how in _META_EDITS:
        with np.load(model, allow_pickle=False) as archive:
            arrays = {k: archive[k] for k in archive.files}
        meta = json.loads(arrays["meta"].tobytes())
        meta.update(_META_EDITS[how])
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        with open(bad, "wb") as fh:
            np.savez(fh, **arrays)
    return bad


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ("truncated", "已损坏"),
        ("pickle", "不是 kesu 模型"),
        ("garbage-zip", "已损坏"),
        ("old-version", "版本为 99"),
        ("version-1", "版本为 1，"),
        ("foreign-cues", "线索词表与当前引擎不一致"),
        ("no-cue-list", "线索特征说明缺失"),
        ("bad-ending", "首尾与末句特征说明无效"),
        ("no-edge-flag", "首尾与末句特征说明无效"),
    ],
)
def test_corrupt_or_foreign_model_is_refused(
    trained: tuple[Path, dict[str, Any]], tmp_path: Path, how: str, expected: str
) -> None:
    bad = _corrupt(trained[0], tmp_path, how)
    with pytest.raises(ValueError, match=expected):
        load_model(str(bad))
    result = subprocess.run(
        [sys.executable, "-m", "kesu.cli", "analyze", "--model", f"cat={bad}"],
        input='{"text": "宽带断网"}\n',
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "无法加载模型" in result.stderr and expected in result.stderr


@pytest.mark.parametrize(
    ("correct", "confidence", "high", "medium"),
    [
        # right at 0.95 and 0.9, wrong at 0.8 → ≥90 % only down to 0.9
        ([True, True, False, False, False], [0.95, 0.9, 0.8, 0.7, 0.6], 0.9, 0.9),
        # ≥70 % holds down to the least confident seen (3 of 4): CV says nothing lower → default
        ([True, True, False, True], [0.95, 0.9, 0.8, 0.7], 0.9, 0.6),
        # always wrong: neither promise can be kept, so neither band is ever given
        ([False, False], [0.9, 0.8], 1.01, 1.01),
        # always right down to 0.95: CV says nothing lower, the calibrated defaults apply
        ([True] * 5, [0.99, 0.98, 0.97, 0.96, 0.95], 0.85, 0.6),
    ],
)
def test_band_thresholds_keep_their_precision_promise(
    correct: list[bool], confidence: list[float], high: float, medium: float
) -> None:
    from kesu.analysis.training import band_thresholds

    assert band_thresholds(correct, confidence) == {"high": high, "medium": medium}


def test_missing_model_file_is_named_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="找不到模型文件"):
        load_model(str(tmp_path / "nope.npz"))


def test_missing_output_folder_is_refused_before_training(
    dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "no-such-dir" / "m.npz"
    assert train_command(data=str(dataset), label_field="category", out=str(out), folds=5) != 0
    assert "模型保存目录不存在" in capsys.readouterr().err


def test_a_rare_unreliable_label_gets_its_own_stricter_bands() -> None:
    """A label that was usually wrong in cross-validation must not borrow the common label's band."""
    from kesu.analysis.models import band_for
    from kesu.analysis.training import cv_bands

    predicted = ["信用卡"] * 40 + ["保险"] * 25
    truth = ["信用卡"] * 40 + ["保险"] * 10 + ["信用卡"] * 15
    confidence = [0.9] * 40 + [0.6] * 25
    bands = cv_bands(truth, predicted, confidence)
    assert band_for(0.6, bands) == "medium"  # overall, 50 of 65 right
    assert band_for(0.6, bands, "保险") == "low"  # but 保险 was right 10 times in 25
    assert band_for(0.9, bands, "信用卡") == "high"


@pytest.mark.parametrize(
    ("text", "feature", "counted"),
    [
        ("你们这是什么破银行，太过分了", "emotion:anger:贬损词", True),
        ("你们这是什么破银行，太过分了", "emotion:anger:愤怒词", True),
        ("我一点也不生气，慢慢来", "emotion:anger:愤怒词", False),  # negated: 不生气
        ("手机每天收到垃圾短信", "emotion:anger:贬损词", False),  # look-alike: 垃圾短信
        ("还钱了还说我逾期？！", "punct:质问标点（？！）", True),  # full-width ？！ counts too
        ("非常感谢客服小王的耐心帮助", "complaint:praise", True),
        ("服务态度很差，我要投诉", "complaint:complaint_word", True),
    ],
)
def test_cue_features_count_what_the_engine_knows(text: str, feature: str, counted: bool) -> None:
    from kesu.analysis.cue_features import cue_features, feature_names
    from kesu.analysis.models import prepare

    value = cue_features(text, prepare(text))[feature_names().index(feature)]
    assert (value > 0) is counted


def test_cue_weight_is_chosen_and_recorded(trained: tuple[Path, dict[str, Any]]) -> None:
    from kesu.analysis.cue_features import feature_names

    model = load_model(str(trained[0]))
    chosen = model.meta["dense_scale"]
    assert chosen in Recipe().cue_scales
    names = feature_names() if chosen else []
    assert model.meta["dense_features"] == names
    assert model.dense_coef.shape == (len(model.labels), len(names))
    # the other tone features come with the cues and only with them
    assert model.meta["text_edges"] is bool(chosen)
    assert model.meta["ending_chars"] == (Recipe().ending_chars if chosen else 0)


def test_topic_labels_get_plain_n_grams_only(trained: tuple[Path, dict[str, Any]]) -> None:
    """Three topics told apart by their words: inner CV leaves out the tone features, so the model
    holds no marked n-gram and costs at prediction what a model without them cost."""
    from kesu.analysis.models import MARKERS

    model = load_model(str(trained[0]))
    assert model.meta["dense_scale"] == 0 and not model.meta["text_edges"]
    assert model.meta["ending_chars"] == 0
    chars = {(int(k) >> shift) & 0xFFFF for k in model.keys.tolist() for shift in (0, 16, 32, 48)}
    assert not chars & {ord(m) for m in MARKERS}


@pytest.mark.parametrize(
    ("text", "limit", "clause"),
    [
        ("建设银行提额很慢的，恶心！！", 10, "恶心"),
        ("问了客服。说要等通知…", 10, "说要等通知"),
        ("一句没有任何标点而且很长很长的话", 5, "很长很长的话"[-5:]),
        ("网点排队两小时 服务太差", 10, "服务太差"),
        ("！！？", 10, ""),
        ("", 10, ""),
    ],
)
def test_final_clause_is_the_last_clause_capped(text: str, limit: int, clause: str) -> None:
    from kesu.analysis.models import final_clause, prepare

    assert final_clause(prepare(text), limit) == clause


def test_text_grams_frame_the_text_and_tag_its_final_clause() -> None:
    from kesu.analysis.models import MARKERS, char_ngrams, text_grams

    plain = char_ngrams("太慢了，恶心", 3)
    grams = text_grams("太慢了，恶心", 3, edges=True, ending_chars=10, ending_n=2)
    # the plain n-grams are all still there, with the same counts
    assert sorted(g for g in grams if not MARKERS.intersection(g)) == sorted(plain)
    start, end, tag = sorted(MARKERS)
    assert f"{start}太慢" in grams and f"恶心{end}" in grams
    assert sorted(g[1:] for g in grams if g.startswith(tag)) == sorted(["恶", "心", "恶心"])
    assert text_grams("太慢了，恶心", 3) == plain


def _ending_set(n: int) -> tuple[list[str], list[str]]:
    """Posts naming two verdicts, a passing one and a final one; only the final one is the label.
    Every verdict word turns up as often in both places, followed by the same particles."""
    rng = random.Random(5)
    topics = ["信用卡额度", "房贷审批", "理财到期", "网点排队", "手机银行", "分期手续费", "储蓄卡"]
    words, bad = ["慢", "难", "贵", "快", "好", "省"], {"慢", "难", "贵"}
    fillers = ["后来问了客服", "又去了一趟网点", "朋友说都这样", "上周打了电话", "看了一下账单"]
    particles = ["啊", "呀", "了", "", "哈"]
    texts, labels = [], []
    for _ in range(n):
        first, last = rng.choice(words), rng.choice(words)
        texts.append(
            f"{rng.choice(topics)}真{first}{rng.choice(particles)}，{rng.choice(fillers)}，"
            f"真{last}{rng.choice(particles)}{rng.choice(['', '！', '。'])}"
        )
        labels.append("negative" if last in bad else "other")
    return texts, labels


def test_final_clause_features_learn_a_verdict_given_at_the_end() -> None:
    from kesu.analysis.training import cross_validate, metrics

    texts, labels = _ending_set(100)
    assert fit(texts, labels).meta["ending_chars"] == Recipe().ending_chars  # chosen by inner CV
    f1 = {}
    for name, recipe in [("ending", Recipe()), ("no ending", Recipe(ending_chars=0))]:
        predicted, _ = cross_validate(texts, labels, 5, recipe)
        f1[name] = metrics(labels, predicted)["labels"]["negative"]["f1"]
    assert f1["ending"] >= f1["no ending"] + 0.05, f1


def test_version_2_model_still_loads_and_predicts_the_same(
    trained: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """A model saved before the tone features (format version 2) needs no retraining."""
    with np.load(trained[0], allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    meta = json.loads(arrays["meta"].tobytes())
    assert not meta["text_edges"]  # a topic model: what a version-2 file held
    for key in ("text_edges", "ending_chars", "ending_n"):
        del meta[key]
    meta["format_version"] = 2
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    old = tmp_path / "v2.npz"
    with open(old, "wb") as fh:
        np.savez(fh, **arrays)
    texts = list(NEW_TEXTS.values())
    assert load_model(str(old)).predict(texts) == load_model(str(trained[0])).predict(texts)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("//@财经小王:信用卡年费乱扣，太坑了", "//@路人甲乙丙:信用卡年费乱扣，太坑了"),
        ("@客服小李 宽带又断网了", "＠某运营商官方客服 宽带又断网了"),
        ("看这里 https://example.com/a?b=1 理赔被拒", "看这里 HTTP://t.cn/XyZ123 理赔被拒"),
    ],
)
def test_links_and_mentions_are_one_token_whoever_and_wherever(first: str, second: str) -> None:
    """A post's user names and links say who and where, not what: they must not become n-grams."""
    assert prepare(first) == prepare(second)
    assert prepare(first, mask_links=False) != prepare(second, mask_links=False)
    assert "信用卡" in prepare("//@财经小王:信用卡") and "小王" not in prepare("//@财经小王:信用卡")
    assert prepare("邮件 a@b.com") == "邮件 a@"


def test_a_version_3_model_reads_links_and_mentions_as_it_was_trained(
    trained: tuple[Path, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Masking came with format version 4; older files keep the text form they were trained on."""
    with np.load(trained[0], allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    meta = json.loads(arrays["meta"].tobytes())
    assert meta["format_version"] == 4 and meta["mask_links"] is True
    del meta["mask_links"]
    meta["format_version"] = 3
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    old = tmp_path / "v3.npz"
    with open(old, "wb") as fh:
        np.savez(fh, **arrays)
    seen: list[bool] = []
    real = models.prepare

    def spy(text: str, *, mask_links: bool = True) -> str:
        seen.append(mask_links)
        return real(text, mask_links=mask_links)

    monkeypatch.setattr(models, "prepare", spy)
    texts = ["@客服小李 信用卡年费被扣了", "宽带断网 https://example.com/x"]
    load_model(str(old)).predict(texts)
    assert seen == [False, False]
    seen.clear()
    new = load_model(str(trained[0]))
    assert new.predict(["@客服小李 信用卡年费被扣了"]) == new.predict(["@另一个人 信用卡年费被扣了"])
    assert seen == [True, True]


def _mood_set(n: int) -> tuple[list[str], list[str]]:
    """Angry vs calm posts that share their topic words: only the mood words tell them apart."""
    rng = random.Random(3)
    topics = ["信用卡额度", "宽带网速", "理赔进度", "快递派送", "话费账单", "贷款审批", "退款到账"]
    angry = ["什么破银行！！", "垃圾服务，气死我了", "凭什么？？", "太过分了！", "骗子公司，恶心"]
    calm = ["想咨询一下", "请问怎么办理", "麻烦帮忙看看", "谢谢客服", "有空回个电话"]
    texts, labels = [], []
    for i in range(n):
        mood, words = ("angry", angry) if i % 2 else ("calm", calm)
        texts.append(f"{rng.choice(topics)}{rng.choice(words)}")
        labels.append(mood)
    return texts, labels


def test_cue_features_carry_weight_when_forced_in() -> None:
    from kesu.analysis.cue_features import feature_names

    texts, labels = _mood_set(60)
    model = fit(texts, labels, Recipe(cue_scales=(2.0,)))
    anger = [i for i, name in enumerate(feature_names()) if name.startswith("emotion:anger")]
    assert model.labels == ["angry", "calm"]  # one scorer, for "calm": anger cues must push it down
    assert model.dense_coef[0, anger].min() < 0
    assert [p.label for p in model.predict(["理赔进度什么破公司，恶心！！", "理赔进度想咨询一下"])] == [
        "angry",
        "calm",
    ]
