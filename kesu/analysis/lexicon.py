"""Lexicons and rule tables: TOML data files under `kesu/analysis/data/`, loaded once per process.

Every entry in a table carries a `description` (what it catches and why), so a reviewer reads the
rules like code. `TermMatcher` finds many terms at once in normalised text and tells which entry
each hit came from.
"""

from __future__ import annotations

import importlib
import re
import threading
import tomllib
from collections.abc import Callable, Iterable
from functools import cache
from importlib import resources
from typing import Any, Generic, TypeVar

from kesu.analysis.scan import NORM_INDEX, Found, LiteralGate, LiteralIndex, match_prefixes, parse

T = TypeVar("T")
_lock = threading.Lock()


@cache
def load_table(name: str) -> dict[str, Any]:
    """Parse `data/<name>.toml`. Cached: tables are read once per process."""
    with _lock:
        ref = resources.files("kesu.analysis").joinpath("data", f"{name}.toml")
        with ref.open("rb") as fh:
            return tomllib.load(fh)


def entries(name: str, key: str) -> list[dict[str, Any]]:
    """The list `[[key]]` of table `name`, checking that every entry documents itself."""
    rows: list[dict[str, Any]] = load_table(name).get(key, [])
    for row in rows:
        if not str(row.get("description", "")).strip():
            raise ValueError(f"data/{name}.toml: an entry of [[{key}]] has no description: {row}")
    return rows


class Hit(Generic[T]):
    """One occurrence of a term: where, as found, and the term's payload. A plain class, not a
    frozen dataclass: matchers make tens of these per complaint, and this is three times cheaper."""

    __slots__ = ("end", "payload", "start", "text")

    def __init__(self, start: int, end: int, text: str, payload: T) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.payload = payload

    def __repr__(self) -> str:
        return f"Hit({self.start}, {self.end}, {self.text!r}, {self.payload!r})"


class TermMatcher(Generic[T]):
    """Finds every occurrence of many patterns, without overlaps, leftmost first.

    `terms` pairs a pattern with a payload (usually the table entry it came from). Literal terms
    (the default) prefer the longest at each position; with `regex=True` the earliest listed term
    that matches at the leftmost position wins. Regexes may use (?:…) groups, no capturing groups.

    The words come from the shared scan (`scan.LiteralIndex`, one per kind of text): a literal
    term is looked up there, a regex term is tried only where one of its literal prefixes
    occurs. A regex term without a usable prefix (a leading digit class) is tried where one look-ahead
    scan for it says it matches; and a regex term is tried only when one of the literals every
    match of it contains occurs in the text (`scan.LiteralGate`). A regex term is compiled the
    first time it is tried: most never are, and compiling them all was most of a build.
    """

    def __init__(
        self, terms: Iterable[tuple[str, T]], *, regex: bool = False, index: LiteralIndex = NORM_INDEX
    ) -> None:
        pairs = [(p, payload) for p, payload in terms if p]
        self._index = index
        self._owner = 0
        self._literal: dict[str, T] | None = None
        self._patterns: list[str] = []  # regex terms, in the order listed
        self._payloads: list[T] = []
        self._match: list[_Match] = []  # each term's `re.Pattern.match`, compiled when first tried
        # Each literal prefix → the terms it starts (ascending) and how to gate them: see `_gating`.
        self._by_prefix: dict[str, tuple[tuple[int, ...], frozenset[str], bool]] = {}
        self._starts: list[tuple[int, re.Pattern[str]]] = []  # terms without prefixes
        self._gate: LiteralGate | None = None  # regex terms: tried only when they can match
        if not pairs:
            return
        if not regex:
            self._literal = {}
            for pattern, payload in sorted(pairs, key=lambda p: len(p[0]), reverse=True):
                self._literal.setdefault(pattern, payload)
            self._owner = index.add(self._literal)
            return
        self._patterns = [pattern for pattern, _ in pairs]
        self._payloads = [payload for _, payload in pairs]
        # Compiling is the dearest part of a build, and complaints try few of the terms (82 of
        # 532 over 3,000 benchmark complaints): each is compiled the first time it is tried. The
        # parse below checks the syntax; test_startup_build compiles every term of the tables.
        self._match.extend(_lazy_match(self._match, i, pattern) for i, pattern in enumerate(self._patterns))
        trees = [parse(pattern) for pattern in self._patterns]  # read twice: parsed once
        by_prefix: dict[str, list[int]] = {}
        for i, (pattern, _) in enumerate(pairs):
            found = match_prefixes(trees[i])
            if found is None:
                # Zero-width matches at every position where the term matches.
                self._starts.append((i, re.compile(first_char_gate([pattern]) + f"(?=(?:{pattern}))")))
            for prefix in found or ():
                by_prefix.setdefault(prefix, []).append(i)
        self._owner = index.add(by_prefix)
        self._gate = LiteralGate(trees, index)
        needs = self._gate.needs
        self._by_prefix = {p: _gating(p, tuple(ids), needs) for p, ids in by_prefix.items()}

    @property
    def term_needs(self) -> list[frozenset[str]]:
        """For each regex term in order, the literals one of which every match of it contains
        (empty: none known, it may match anywhere); [] for a matcher of literal words."""
        return self._gate.needs if self._gate is not None else []

    @property
    def _compiled(self) -> list[tuple[re.Pattern[str], T]]:
        """The regex terms compiled, with their payloads (to inspect; matching compiles lazily)."""
        return [(re.compile(p), payload) for p, payload in zip(self._patterns, self._payloads, strict=True)]

    def may_match(self, text: str) -> bool:
        """False when no term can occur in `text` (a cheap look at the shared scan)."""
        # `by_owner` lists only the owners with a word present (`Found.words`, inlined).
        return bool(self._starts) or self._owner in self._index.find(text).by_owner

    def finditer(self, text: str) -> list[Hit[T]]:
        """Every hit in text order. A list, not a generator: matchers are called some hundred
        times per complaint, mostly with few hits, and two generator layers cost more than
        the hits. The scan is read here, so a matcher none of whose words occurs returns at once."""
        found = self._index.find(text)
        present = found.by_owner.get(self._owner)  # `Found.words`, inlined: None if none occurs
        if self._literal is not None:
            return self._literal_hits(found, present) if present else []
        if self._patterns and (present or self._starts):
            return self._regex_hits(text, found, present or ())
        return []

    def _literal_hits(self, found: Found, present: list[str]) -> list[Hit[T]]:
        """Leftmost, then longest: what one alternation of all the words finds."""
        literal = self._literal
        assert literal is not None
        at_ = found.at
        hits: list[Hit[T]] = []
        if len(present) == 1:
            word = present[0]
            size, payload, end = len(word), literal[word], 0
            for at in at_[word]:
                if at >= end:
                    end = at + size
                    hits.append(Hit(at, end, word, payload))
            return hits
        # The longest word at each start: longer words claim their starts first (words of one
        # length never share a start), one `setdefault` per occurrence instead of a comparison.
        longest: dict[int, str] = {}
        claim = longest.setdefault
        for word in sorted(present, key=len, reverse=True):
            for at in at_[word]:
                claim(at, word)
        end = 0
        for at in sorted(longest):
            if at >= end:
                word = longest[at]
                end = at + len(word)
                hits.append(Hit(at, end, word, literal[word]))
        return hits

    def _regex_hits(self, text: str, found: Found, present: Iterable[str]) -> list[Hit[T]]:
        """What one alternation of all the terms finds: at the leftmost position where one
        matches, the first listed. Each term is tried only where one of its `present` prefixes
        occurs (or its look-ahead scan says it matches), and only if its gate lets it."""
        gate = self._gate
        assert gate is not None
        # The gate's literals present (`LiteralGate.present`, read from the scan already at
        # hand, and kept a list: a term passes when its needs are not disjoint from it).
        anchors, needs = found.by_owner.get(gate.owner, ()), gate.needs
        by_prefix, at_ = self._by_prefix, found.at
        # Start → the terms to try there, ascending. Tuples, shared with `_by_prefix`: most starts
        # have one prefix, so nothing is copied; the rare second one makes a new sorted tuple.
        candidates: dict[int, tuple[int, ...]] = {}
        for prefix in present:
            ids, need, sift = by_prefix[prefix]
            if need and need.isdisjoint(anchors):
                continue  # none of its terms can match (`LiteralGate.passes`, inlined)
            if sift:
                ids = tuple([i for i in ids if not needs[i] or not needs[i].isdisjoint(anchors)])
            for at in at_[prefix]:
                listed = candidates.get(at)
                # disjoint: a term's prefixes never nest
                candidates[at] = ids if listed is None else tuple(sorted(listed + ids))
        for i, starts in self._starts:
            need = needs[i]
            if need and need.isdisjoint(anchors):
                continue
            for opening in starts.finditer(text):
                at = opening.start()
                listed = candidates.get(at)
                candidates[at] = (i,) if listed is None else tuple(sorted((*listed, i)))
        end = 0
        match, payloads = self._match, self._payloads
        hits: list[Hit[T]] = []
        for at in sorted(candidates):
            if at < end:
                continue
            for i in candidates[at]:
                m = match[i](text, at)
                if m is not None:
                    end = m.end()
                    hits.append(Hit(at, end, m.group(), payloads[i]))
                    break
        return hits

    def search(self, text: str) -> Hit[T] | None:
        hits = self.finditer(text)
        return hits[0] if hits else None


_Match = Callable[[str, int], re.Match[str] | None]


def _gating(
    prefix: str, ids: tuple[int, ...], needs: list[frozenset[str]]
) -> tuple[tuple[int, ...], frozenset[str], bool]:
    """How the terms `ids` that start with `prefix` are gated (`LiteralGate.passes`) where it
    occurs: `ids`, the literals one of which must be present for any of them to match (empty:
    no test), and whether to test each term on its own.

    A term passes wherever `prefix` occurs when it has no gate literals or one of them lies
    within `prefix` (投诉 for 投诉(?:了)?): the scan finds that one too. Most terms are such, and
    skip the test; the others' prefix is skipped as a whole when none of their literals is present.
    """
    tested = [i for i in ids if needs[i] and not any(literal in prefix for literal in needs[i])]
    if not tested:
        return ids, frozenset(), False
    if len(tested) < len(ids):  # some always pass: the prefix cannot be skipped as a whole
        return ids, frozenset(), True
    return ids, frozenset().union(*(needs[i] for i in ids)), len(ids) > 1


def _lazy_match(matchers: list[_Match], i: int, pattern: str) -> _Match:
    """A stand-in for `re.compile(pattern).match` that compiles on its first call and puts the
    real one in its place, `matchers[i]` (two threads at once both compile: harmless)."""

    def first(text: str, at: int) -> re.Match[str] | None:
        match = re.compile(pattern).match
        matchers[i] = match
        return match(text, at)

    return first


_parser: Any = importlib.import_module("re._parser")  # the stdlib regex parser
_ZERO_WIDTH = {"AT", "ASSERT", "ASSERT_NOT"}


def parse_regex(pattern: str) -> Any:
    """The standard library's parse tree of `pattern` (to reason about what it can match, not
    to change: it is `scan.parse`, which hands the last tree out again for the same pattern)."""
    return parse(pattern)


def first_chars(pattern: str) -> set[str] | None:
    """The characters a match of `pattern` can start with; None when any could (or unknown)."""
    found, nullable = _first_of(list(_parser.parse(pattern)))
    return None if nullable else found


def _class_chars(items: list[Any]) -> set[str] | None:
    """The characters of a small class such as [1-9] or [六七八九]; None for big or negated ones."""
    out: set[str] = set()
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            out.add(chr(av))
        elif name == "RANGE" and av[1] - av[0] < 64:
            out.update(chr(c) for c in range(av[0], av[1] + 1))
        elif name == "CATEGORY" and str(av) == "CATEGORY_DIGIT":
            out.update("0123456789")
        else:
            return None
    return out


def _first_of(items: list[Any]) -> tuple[set[str] | None, bool]:
    out: set[str] = set()
    for op, av in items:
        name = str(op)
        if name in _ZERO_WIDTH:
            continue
        if name == "LITERAL":
            return out | {chr(av)}, False
        if name == "SUBPATTERN":
            found, nullable = _first_of(list(av[-1]))
        elif name == "BRANCH":
            parts = [_first_of(list(b)) for b in av[1]]
            if any(f is None for f, _ in parts):
                return None, False
            found, nullable = set().union(*(f or set() for f, _ in parts)), any(n for _, n in parts)
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            found, nullable = _first_of(list(av[2]))
            nullable = nullable or av[0] == 0
        elif name == "IN":
            found, nullable = _class_chars(av), False
        else:  # character ranges, categories, "any": give up, scan everywhere
            return None, False
        if found is None:
            return None, False
        out |= found
        if not nullable:
            return out, False
    return out, True


def first_char_gate(patterns: list[str]) -> str:
    """A look-ahead `(?=[…])` listing every character a hit can start with, so a scan skips the
    other positions at once; empty when some pattern may start with any character."""
    chars: set[str] = set()
    for pattern in patterns:
        found = first_chars(pattern)
        if found is None:
            return ""
        chars |= found
    return "(?=[" + "".join(re.escape(c) for c in sorted(chars)) + "])" if chars else ""


def trie_regex(words: list[str]) -> str:
    """A regex matching any of `words`, preferring the longest at each position."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)


def covered_by_any(text: str, start: int, end: int, patterns: Iterable[str], *, reach: int = 8) -> str | None:
    """The exclusion pattern (a look-alike such as 气死我了 for 死) that covers text[start:end], if any."""
    lo = max(0, start - reach)
    window = text[lo : end + reach]
    for pattern in patterns:
        for m in re.finditer(pattern, window):
            if m.start() + lo <= start and m.end() + lo >= end:
                return pattern
    return None
