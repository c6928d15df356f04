"""The reply check: reads a draft reply the way a senior handler would (contract.md, reply check).

`check_reply(text)` returns a `ReplyCheck`: findings (rule, evidence, start, end, suggestion) and
a score from 0 to 100 (100 = nothing to fix). The rules and all their words live in
`data/reply_rules.toml`; this module only applies them.

Contract details decided here (contract.md is silent on them):

* Matching runs on `doc.normalize(text)` (same length as `text`), so Traditional and full-width
  drafts are checked too; `start`/`end` are offsets into the ORIGINAL text and
  `text[start:end] == evidence` always holds.
* `missing_apology` and `missing_next_step` have no natural span: they carry `start = end = 0`
  and `evidence = ""` (so the invariant above still holds) and come after all spanned findings,
  which are in text order.
* Very short drafts are chat turns, not replies to a complaint: the missing_* rules are only
  checked from 20 content characters (Chinese characters, letters, digits) on (settings in the
  TOML). 「好的，稍等」 and 「请问您的订单号是多少？」 get no finding at all.
  Asking the customer for information (请问您…/请您提供…) counts as a next step.
* `compensation_wording`: the checker cannot know whether liability has been established, so it
  reads the sentence: 赔偿 is accepted when the sentence gives a legal or contractual basis
  (依法、根据《…》、第X条、合同约定、判决), when it is negated (不予赔偿、不属于赔偿范围), when it
  restates the customer's demand (您提出的赔偿要求) and in 理赔. Otherwise it is flagged: use 补偿.
* `rule_citing`: citing a named law or article (《…》、第X条) is not hiding behind rules; 「公司规定」、
  「这是规定」、「按相关规定不能…」 are.
* `absolute_command`: 必须/应该 only counts when aimed at the customer — the last subject named
  before it in the sentence is the customer or nobody (an imperative); 「我们必须先核实」 is about us.
* `privacy_leak`: every unmasked ID or card number; phone numbers too, except the organisation's
  own line right after 「请拨打/致电/客服热线/我的工作电话」 when the clause does not name the customer.
* `admission_of_liability`: legal-sounding written admissions (全部责任、负全责、是我们的过错、
  存在违规/误导销售) need legal review (seed 004); a service apology such as 「由于我们的工作疏忽」
  is not flagged.
* Score: each rule costs its weight once, each further finding of the same rule half as much,
  at most twice the weight; the score never goes below 0.
* Speed: one scan finds every anchor word; a pattern's regex then only runs over the sentences
  holding one of its anchors (`find_issues(text, prefilter=False)` is the slow reference).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from kesu.analysis.doc import normalize
from kesu.analysis.lexicon import entries, load_table, trie_regex
from kesu.analysis.pii import find_pii

_TABLE = "reply_rules"
_MARKERS = ("apology", "next_step")
_SENTENCE_SPLIT = re.compile(r"[。!?\n\r]")
_CLAUSE_SPLIT = re.compile(r"[,!?;。、…\n\r]")
# Content characters: Chinese characters, letters and digits (after normalisation).
_CONTENT, _NOT_CONTENT = r"[\u3400-\u9fff0-9a-z]", r"[^\u3400-\u9fff0-9a-z]"
# Every phone, ID and card number has at least ten digits, at most one separator between two.
_MAYBE_PII = re.compile(r"\d(?:[ \-]?\d){9}")
_SUBJECT_WINDOW = 15
_EXCLUDE_REACH = 12


@dataclass(frozen=True)
class Finding:
    rule: str
    evidence: str
    start: int
    end: int
    suggestion: str


@dataclass(frozen=True)
class ReplyCheck:
    id: str | None
    findings: list[Finding] = field(default_factory=list)
    score: float = 100.0

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON object: {"id", "findings": [{"rule", "evidence", "start", "end",
        "suggestion"}], "score"}."""
        return {"id": self.id, "findings": [dict(vars(f)) for f in self.findings], "score": self.score}


@dataclass(frozen=True)
class _Pattern:
    rule: str
    regex: re.Pattern[str]
    suggestion: str
    exclude: re.Pattern[str] | None  # all exclusions of the pattern as one alternation
    not_before: re.Pattern[str] | None
    not_after: re.Pattern[str] | None
    not_in_sentence: re.Pattern[str] | None
    customer_subject: bool


@dataclass(frozen=True)
class _PiiRule:
    suggestion: str
    not_before: re.Pattern[str] | None
    customer_before: re.Pattern[str] | None


@dataclass(frozen=True)
class _Rules:
    patterns: tuple[_Pattern, ...]
    weights: dict[str, float]
    order: dict[str, int]
    suggestions: dict[str, str]
    scanner: re.Pattern[str]  # every anchor of two or more characters
    words: dict[str, tuple[int, ...]]  # anchor → the patterns of every anchor inside it
    straddlers: frozenset[str]  # anchors whose tail can begin another anchor
    single: re.Pattern[str] | None  # a character class of the one-character anchors
    by_char: dict[str, tuple[int, ...]]  # one-character anchor → patterns
    markers: dict[str, tuple[re.Pattern[str], ...]]  # kind → its terms as one regex, then its regexes
    pii: dict[str, _PiiRule]
    customer: re.Pattern[str]
    other: re.Pattern[str]
    long_for_apology: re.Pattern[str]  # matches texts with enough content for missing_apology
    long_for_next_step: re.Pattern[str]


def _opt(entry: dict[str, Any], key: str) -> re.Pattern[str] | None:
    return re.compile(entry[key]) if entry.get(key) else None


def _pattern(entry: dict[str, Any], default_suggestion: str) -> tuple[_Pattern, tuple[str, ...]]:
    """A compiled pattern and its anchors (the literal words that pre-filter it)."""
    terms = tuple(entry.get("terms", ()))
    if terms:
        regex = trie_regex(sorted(terms, key=len, reverse=True))
        anchors = terms
    else:
        regex, anchors = entry["regex"], tuple(entry.get("anchors", ()))
    if not anchors:
        raise ValueError(f"data/{_TABLE}.toml: pattern without anchors: {entry['description']}")
    compiled = _Pattern(
        rule=entry["rule"],
        regex=re.compile(regex),
        suggestion=entry.get("suggestion") or default_suggestion,
        exclude=re.compile("|".join(f"(?:{x})" for x in entry["exclude"])) if entry.get("exclude") else None,
        not_before=_opt(entry, "not_before"),
        not_after=_opt(entry, "not_after"),
        not_in_sentence=_opt(entry, "not_in_sentence"),
        customer_subject=entry.get("subject") == "customer",
    )
    return compiled, anchors


def _markers(kind: str) -> tuple[re.Pattern[str], ...]:
    """All literal terms of the marker kind as one regex, then its own regexes."""
    rows = [m for m in entries(_TABLE, "marker") if m["kind"] == kind]
    terms = sorted({t for m in rows for t in m.get("terms", ())}, key=len, reverse=True)
    return tuple(re.compile(r) for r in (trie_regex(terms), *(m["regex"] for m in rows if m.get("regex"))))


def _word_index(by_anchor: dict[str, list[int]]) -> tuple[dict[str, tuple[int, ...]], frozenset[str]]:
    """For each anchor of 2+ characters, the patterns of every anchor inside it; and the anchors
    whose tail can begin another anchor (the scan looks inside those)."""
    words = {a for a in by_anchor if len(a) > 1}
    index = {}
    for w in words:
        inner = {w[i:j] for i in range(len(w)) for j in range(i + 1, len(w) + 1)} & words
        index[w] = tuple(sorted({i for a in inner for i in by_anchor[a]}))
    heads = {w[:k] for w in words for k in range(1, len(w))}
    straddlers = frozenset(w for w in words if any(w[i:] in heads for i in range(1, len(w))))
    return index, straddlers


def _at_least(n: int) -> re.Pattern[str]:
    """A regex that matches (from the start) any text with at least n content characters."""
    return re.compile(f"(?:{_NOT_CONTENT}*{_CONTENT}){{{n}}}")


@cache
def _rules() -> _Rules:
    """Everything from data/reply_rules.toml, compiled once per process."""
    rules = entries(_TABLE, "rule")
    suggestions = {r["key"]: r["suggestion"] for r in rules}
    patterns: list[_Pattern] = []
    by_anchor: dict[str, list[int]] = {}
    for i, entry in enumerate(entries(_TABLE, "pattern")):
        if entry["rule"] not in suggestions:
            raise ValueError(f"data/{_TABLE}.toml: unknown rule {entry['rule']!r}")
        compiled, anchors = _pattern(entry, suggestions[entry["rule"]])
        patterns.append(compiled)
        for a in anchors:
            by_anchor.setdefault(a, []).append(i)
    words, straddlers = _word_index(by_anchor)
    settings = load_table(_TABLE)["settings"]
    singles = "".join(re.escape(a) for a in by_anchor if len(a) == 1)
    return _Rules(
        patterns=tuple(patterns),
        weights={r["key"]: float(r["weight"]) for r in rules},
        order={r["key"]: i for i, r in enumerate(rules)},
        suggestions=suggestions,
        scanner=re.compile(trie_regex(sorted(words, key=len, reverse=True))),
        words=words,
        straddlers=straddlers,
        single=re.compile(f"[{singles}]") if singles else None,
        by_char={a: tuple(ix) for a, ix in by_anchor.items() if len(a) == 1},
        markers={kind: _markers(kind) for kind in _MARKERS},
        pii={
            p["kind"]: _PiiRule(p["suggestion"], _opt(p, "not_before"), _opt(p, "customer_before"))
            for p in entries(_TABLE, "pii")
        },
        customer=re.compile(settings["customer_subjects"]),
        other=re.compile(settings["other_subjects"]),
        long_for_apology=_at_least(int(settings["min_chars_missing_apology"])),
        long_for_next_step=_at_least(int(settings["min_chars_missing_next_step"])),
    )


def _scan(norm: str, sentences: list[int], rules: _Rules) -> dict[int, set[int]]:
    """Pattern index → the sentences (indices into `sentences`) holding one of its anchors.

    One non-overlapping scan finds the longest anchor at each match; the anchors inside it count
    too, and where an anchor's tail may begin another one the inner positions are tried as well.
    One-character anchors come from a character-class scan."""
    out: dict[int, set[int]] = {}

    def add(pids: tuple[int, ...], pos: int) -> None:
        sentence = bisect.bisect_right(sentences, pos)
        for i in pids:
            out.setdefault(i, set()).add(sentence)

    match, words = rules.scanner.match, rules.words
    for m in rules.scanner.finditer(norm):
        add(words[m.group()], m.start())
        if m.group() in rules.straddlers:
            for i in range(m.start() + 1, m.end()):
                if (inner := match(norm, i)) is not None and inner.end() > m.end():
                    add(words[inner.group()], i)
    if rules.single is not None:
        for m in rules.single.finditer(norm):
            add(rules.by_char[m.group()], m.start())
    return out


class _Text:
    """The normalised reply with its clause and sentence breaks (found once, looked up by bisect)."""

    def __init__(self, norm: str) -> None:
        self.norm = norm
        self.sentence_breaks = [m.start() for m in _SENTENCE_SPLIT.finditer(norm)]
        self._clause_breaks: list[int] | None = None

    def _bounds(self, breaks: list[int], start: int, end: int) -> tuple[int, int]:
        i = bisect.bisect_left(breaks, start)
        j = bisect.bisect_left(breaks, end)
        return (breaks[i - 1] + 1 if i else 0), (breaks[j] if j < len(breaks) else len(self.norm))

    def clause(self, start: int, end: int) -> tuple[int, int]:
        """Start and end of the clause (between , ! ? ; 。 、) around norm[start:end]."""
        if self._clause_breaks is None:
            self._clause_breaks = [m.start() for m in _CLAUSE_SPLIT.finditer(self.norm)]
        return self._bounds(self._clause_breaks, start, end)

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        """Start and end of the sentence (between 。 ! ? and line breaks) around norm[start:end]."""
        return self._bounds(self.sentence_breaks, start, end)


def _covered(exclude: re.Pattern[str], norm: str, start: int, end: int) -> bool:
    """Whether a match of `exclude` near the hit covers all of norm[start:end]."""
    lo = max(0, start - _EXCLUDE_REACH)
    window = norm[lo : end + _EXCLUDE_REACH]
    return any(m.start() + lo <= start and m.end() + lo >= end for m in exclude.finditer(window))


def _aimed_at_us(before: str, rules: _Rules) -> bool:
    """True when the last subject named in `before` is us or a third party, not the customer."""
    last_other = max((m.end() for m in rules.other.finditer(before)), default=-1)
    last_customer = max((m.end() for m in rules.customer.finditer(before)), default=-1)
    return last_other > last_customer


def _accepted(p: _Pattern, text: _Text, start: int, end: int, rules: _Rules) -> bool:
    """Whether the hit norm[start:end] survives the pattern's exclusions and context checks."""
    norm = text.norm
    if p.exclude and _covered(p.exclude, norm, start, end):
        return False
    if p.not_before or p.not_after:
        cs, ce = text.clause(start, end)
        if p.not_before and p.not_before.search(norm[cs:start]):
            return False
        if p.not_after and p.not_after.search(norm[end:ce]):
            return False
    if p.not_in_sentence or p.customer_subject:
        ss, se = text.sentence(start, end)
        if p.customer_subject and _aimed_at_us(norm[max(ss, start - _SUBJECT_WINDOW) : start], rules):
            return False
        if p.not_in_sentence and p.not_in_sentence.search(norm[ss:se]):
            return False
    return True


def _pattern_hits(
    text: _Text, candidates: dict[int, set[int]] | None, rules: _Rules
) -> list[tuple[str, int, int, str]]:
    """(rule, start, end, suggestion) for every accepted pattern hit.

    With candidates (from `_scan`) a pattern only runs over the sentences holding one of its
    anchors; without them every pattern runs over the whole text (the reference for the tests)."""
    norm, windows = text.norm, {}
    if candidates is not None:
        breaks = text.sentence_breaks
        bounds = [0, *(b + 1 for b in breaks)]
        ends = [*(b + 1 for b in breaks), len(norm)]
        windows = {i: [(bounds[k], ends[k]) for k in sorted(ks)] for i, ks in candidates.items()}
    else:
        windows = {i: [(0, len(norm))] for i in range(len(rules.patterns))}
    hits = []
    for i in sorted(windows):
        p = rules.patterns[i]
        for lo, hi in windows[i]:
            for m in p.regex.finditer(norm, lo, hi):
                if m.end() > m.start() and _accepted(p, text, m.start(), m.end(), rules):
                    hits.append((p.rule, m.start(), m.end(), p.suggestion))
    return hits


def _pii_hits(text: _Text, rules: _Rules) -> list[tuple[str, int, int, str]]:
    if not _MAYBE_PII.search(text.norm):
        return []
    hits = []
    for match in find_pii(text.norm):
        rule = rules.pii[match.kind]
        before = text.norm[text.clause(match.start, match.end)[0] : match.start]
        ours = rule.not_before is not None and rule.not_before.search(before) is not None
        if ours and not (rule.customer_before and rule.customer_before.search(before)):
            continue  # the organisation's own service line
        hits.append(("privacy_leak", match.start, match.end, f"改为「{match.masked}」。{rule.suggestion}"))
    return hits


def _dedupe(hits: list[tuple[str, int, int, str]], rules: _Rules) -> list[tuple[str, int, int, str]]:
    """Text order; of overlapping hits of the same rule only the first (longest) is kept."""
    kept: list[tuple[str, int, int, str]] = []
    reach: dict[str, int] = {}  # rule → furthest end of its kept hits (hits come in start order)
    for hit in sorted(hits, key=lambda h: (h[1], -h[2], rules.order[h[0]])):
        if reach.get(hit[0], -1) <= hit[1]:
            kept.append(hit)
            reach[hit[0]] = max(reach.get(hit[0], -1), hit[2])
    return kept


def _missing(norm: str, rules: _Rules) -> list[str]:
    """The missing_* rules that apply: long enough, and no marker of the kind anywhere."""
    missing = []
    for kind, long_enough in (("apology", rules.long_for_apology), ("next_step", rules.long_for_next_step)):
        if long_enough.match(norm) and not any(r.search(norm) for r in rules.markers[kind]):
            missing.append(f"missing_{kind}")
    return missing


def score(findings: list[Finding]) -> float:
    """100 minus each rule's weight (further findings of a rule: half, capped at twice the weight)."""
    weights, counts = _rules().weights, dict.fromkeys((f.rule for f in findings), 0)
    for f in findings:
        counts[f.rule] += 1
    penalty = sum(weights[rule] * min(2.0, 1 + 0.5 * (n - 1)) for rule, n in counts.items())
    return max(0.0, round(100.0 - penalty, 1))


def find_issues(text: str, *, prefilter: bool = True) -> list[Finding]:
    """Every finding for `text`: spanned ones in text order, then the missing_* ones.

    `prefilter=False` runs every pattern regardless of its anchors (tests use it to prove the
    anchors lose nothing)."""
    rules = _rules()
    norm = normalize(text)
    reply = _Text(norm)
    candidates = _scan(norm, reply.sentence_breaks, rules) if prefilter else None
    hits = _pattern_hits(reply, candidates, rules) + _pii_hits(reply, rules)
    findings = [Finding(rule, text[s:e], s, e, sug) for rule, s, e, sug in _dedupe(hits, rules)]
    findings += [Finding(rule, "", 0, 0, rules.suggestions[rule]) for rule in _missing(norm, rules)]
    return findings


def check_reply(text: str, *, id: str | None = None) -> ReplyCheck:
    """Read a draft reply before it goes to the customer: findings to look at, and a score."""
    findings = find_issues(text)
    return ReplyCheck(id=id, findings=findings, score=score(findings))


def rule_keys() -> tuple[str, ...]:
    """The rule keys in table order (contract.md's reply-check table)."""
    return tuple(_rules().order)
