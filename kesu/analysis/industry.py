"""Industry and product detection (banking, insurance, securities, telecom, e-commerce).

The declared `complaint.industry` always wins; otherwise each industry scores the weighted words
of data/industries.toml found in the title and text, and the best one wins when it reaches the
threshold, else `general`. Ambiguous words (基金, 营业厅, 开户) are moved to another industry when
a deciding word stands in the same sentence. Products are canonical names (白金卡 → 信用卡) in text
order, after the declared product.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from kesu.analysis.doc import Doc, normalize
from kesu.analysis.lexicon import TermMatcher, entries, load_table
from kesu.analysis.scan import NORM_INDEX

TABLE = "industries"


@dataclass(frozen=True)
class _Vote:
    industry: str
    weight: float
    exclude: tuple[str, ...] = ()  # longer look-alikes that cancel this vote
    exclude_owner: int = 0  # their owner number in the shared scan (`NORM_INDEX`), 0 without


@dataclass(frozen=True)
class _Reassign:
    near_any: tuple[str, ...]
    to: str


@dataclass(frozen=True)
class _Vocabulary:
    matcher: TermMatcher[str]  # every term, longest first at each position
    votes: dict[str, tuple[_Vote, ...]]
    reassign: dict[str, _Reassign]
    labels: dict[str, str]
    min_score: float
    repeat_bonus: float
    repeat_cap: int


@dataclass
class _Tally:
    """Per industry: which words were seen, how often, with which weight, and where first."""

    counts: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    weights: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    first: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, industry: str, term: str, weight: float, order: int) -> None:
        self.counts[industry][term] = self.counts[industry].get(term, 0) + 1
        self.weights[industry][term] = max(weight, self.weights[industry].get(term, 0.0))
        self.first.setdefault(industry, order)


@cache
def _vocabulary() -> _Vocabulary:
    votes: dict[str, list[_Vote]] = defaultdict(list)
    owners: dict[tuple[str, ...], int] = {}
    for row in entries(TABLE, "term"):
        vote_exclude = tuple(row.get("exclude", []))
        if vote_exclude and vote_exclude not in owners:
            owners[vote_exclude] = NORM_INDEX.add(vote_exclude)
        owner = owners.get(vote_exclude, 0)
        for term in row["terms"]:
            votes[term].append(_Vote(row["industry"], float(row["weight"]), vote_exclude, owner))
    reassign = {r["term"]: _Reassign(tuple(r["near_any"]), r["to"]) for r in entries(TABLE, "reassign")}
    settings: dict[str, Any] = load_table(TABLE)["settings"]
    return _Vocabulary(
        matcher=TermMatcher(((t, t) for t in votes), index=NORM_INDEX),
        votes={t: tuple(v) for t, v in votes.items()},
        reassign=reassign,
        labels={row["key"]: row["label"] for row in entries(TABLE, "industry")},
        min_score=float(settings["min_score"]),
        repeat_bonus=float(settings["repeat_bonus"]),
        repeat_cap=int(settings["repeat_cap"]),
    )


def industry_label(key: str) -> str:
    """The Chinese display label of an industry key (银行, 保险…)."""
    return _vocabulary().labels.get(key, key)


def _sentence(norm: str, start: int, end: int) -> str:
    lo = max(norm.rfind(ch, 0, start) for ch in "。!?\n;")
    hi_candidates = [i for i in (norm.find(ch, end) for ch in "。!?\n;") if i >= 0]
    return norm[lo + 1 : min(hi_candidates) if hi_candidates else len(norm)]


def _votes_for(vocab: _Vocabulary, term: str, start: int, norm: str, tally: _Tally) -> tuple[_Vote, ...]:
    votes = vocab.votes[term]
    rule = vocab.reassign.get(term)
    if rule is None:
        return votes
    sentence = _sentence(norm, start, start + len(term))
    near = next((w for w in rule.near_any if w in sentence), None)
    if near is None:
        return votes
    note = f"「{term}」与「{near}」同句，按{industry_label(rule.to)}计"
    if note not in tally.notes:
        tally.notes.append(note)
    return (_Vote(rule.to, max(v.weight for v in votes)),)


def _covered(norm: str, start: int, end: int, exclude: tuple[str, ...]) -> bool:
    """Whether a look-alike (电信诈骗 for 电信) spans the hit at start:end. Each word is looked
    for on its own, so overlapping look-alikes (视频会员年费) are all seen."""
    for word in exclude:
        i = norm.find(word, max(0, end - len(word)), start + len(word))
        if 0 <= i <= start:
            return True
    return False


def _inside_number(norm: str, start: int, end: int) -> bool:
    """A hotline number such as 10086 inside a longer number (100860元) is not a hotline."""
    before = norm[start - 1 : start] if start else ""
    after = norm[end : end + 1]
    return norm[start].isdigit() and (before.isdigit() or after.isdigit())


def _scan(norm: str, tally: _Tally, offset: int) -> None:
    vocab = _vocabulary()
    hits = vocab.matcher.finditer(norm)
    if not hits:
        return
    # The shared scan the matcher has just read (cached for this text): a vote whose look-alikes
    # occur nowhere in it (most: 电信诈骗 is rare beside 电信) skips `_covered` and its window.
    found = NORM_INDEX.find(norm)
    for hit in hits:
        term, start, end = hit.text, hit.start, hit.end
        if term[0].isdigit() and _inside_number(norm, start, end):
            continue
        for vote in _votes_for(vocab, term, start, norm, tally):
            if vote.exclude and found.words(vote.exclude_owner) and _covered(norm, start, end, vote.exclude):
                continue
            tally.add(vote.industry, term, vote.weight, offset + start)


def _scores(tally: _Tally) -> dict[str, float]:
    vocab = _vocabulary()
    scores: dict[str, float] = {}
    for industry, counts in tally.counts.items():
        total = 0.0
        for term, n in counts.items():
            bonus = 1.0 + vocab.repeat_bonus * min(n - 1, vocab.repeat_cap)
            total += tally.weights[industry][term] * bonus
        scores[industry] = round(total, 2)
    return scores


def industry_scores(doc: Doc) -> tuple[dict[str, float], _Tally]:
    """Each industry's score from the title and text, and the tally of words behind it."""
    tally = _Tally()
    title = doc.complaint.title
    if title:
        _scan(normalize(title), tally, offset=-len(title) - 1)
    _scan(doc.norm, tally, offset=0)
    return _scores(tally), tally


def _words(tally: _Tally, industry: str, limit: int = 5) -> str:
    weights = tally.weights[industry]
    ranked = sorted(weights, key=lambda t: (-weights[t], -tally.counts[industry][t]))
    return "、".join(f"「{t}」" for t in ranked[:limit])


def _ranked(scores: dict[str, float], tally: _Tally) -> list[str]:
    # Highest score first; a tie goes to the industry named earliest in the text.
    return sorted(scores, key=lambda k: (-scores[k], tally.first.get(k, 0)))


def detect_industry(doc: Doc) -> tuple[str, list[str]]:
    """The industry (declared, else detected) and the Chinese reasons for it."""
    scores, tally = industry_scores(doc)
    ranked = [k for k in _ranked(scores, tally) if scores[k] >= _vocabulary().min_score]
    declared = doc.complaint.industry
    if declared:
        reasons = [f"投诉单已标注行业：{industry_label(declared)}"]
        if ranked and ranked[0] != declared and declared != "general":
            reasons.append(f"提示：文本用词更像{industry_label(ranked[0])}（{_words(tally, ranked[0])}）")
        return declared, reasons
    if not ranked:
        weak = [k for k in _ranked(scores, tally)]
        if weak:
            words = "、".join(_words(tally, k, 3) for k in weak[:2])
            return "general", [f"行业用词不足以判定（仅见{words}），归为通用消费"]
        return "general", ["未出现能判定行业的用词，归为通用消费"]
    best = ranked[0]
    reasons = [f"判为{industry_label(best)}：命中{_words(tally, best)}（得分 {scores[best]:g}）"]
    if len(ranked) > 1:
        other = ranked[1]
        reasons.append(
            f"也涉及{industry_label(other)}：{_words(tally, other, 3)}（得分 {scores[other]:g}），以得分高者为准"
        )
    return best, reasons + tally.notes


# ------------------------------------------------------------------------------------ products


@dataclass(frozen=True)
class _Product:
    name: str
    industry: str
    exclude: tuple[str, ...]
    only_in: tuple[str, ...]
    generic: bool


@cache
def _product_matcher() -> TermMatcher[_Product]:
    terms: dict[str, _Product] = {}
    for row in entries(TABLE, "product"):
        product = _Product(
            name=row["name"],
            industry=row["industry"],
            exclude=tuple(row.get("exclude", [])),
            only_in=tuple(row.get("only_in", [])),
            generic=bool(row.get("generic", False)),
        )
        for alias in row["aliases"]:
            terms.setdefault(alias, product)
    return TermMatcher(terms.items())


@cache
def _alias_to_name() -> dict[str, str]:
    return {alias: row["name"] for row in entries(TABLE, "product") for alias in row["aliases"]}


def canonical_product(name: str) -> str:
    """The canonical product name of an alias (白金卡 → 信用卡); anything else unchanged."""
    cleaned = name.strip()
    return _alias_to_name().get(normalize(cleaned), cleaned)


def detect_products(doc: Doc) -> list[str]:
    """Products named in the text, canonical, deduplicated, in text order; the declared
    `complaint.product` comes first. Words limited to one industry (套餐) count only when
    `doc.industry` is that industry, so call `detect_industry` first."""
    found: list[_Product] = []
    for hit in _product_matcher().finditer(doc.norm):
        product = hit.payload
        if product.only_in and doc.industry not in product.only_in:
            continue
        if product.exclude and _covered(doc.norm, hit.start, hit.end, product.exclude):
            continue
        if product not in found:
            found.append(product)
    specific = {p.industry for p in found if not p.generic}
    names = [p.name for p in found if not (p.generic and p.industry in specific)]
    declared = doc.complaint.product
    if declared and declared.strip():
        names.insert(0, canonical_product(declared))
    return list(dict.fromkeys(names))
