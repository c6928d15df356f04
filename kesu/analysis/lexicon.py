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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Generic, TypeVar

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


@dataclass(frozen=True)
class Hit(Generic[T]):
    start: int
    end: int
    text: str
    payload: T


class TermMatcher(Generic[T]):
    """Finds every occurrence of many patterns in one pass, without overlaps.

    `terms` pairs a pattern with a payload (usually the table entry it came from). Literal terms
    (the default) prefer the longest at each position; with `regex=True` the earliest listed term
    that matches at the leftmost position wins. Regexes may use (?:…) groups, no capturing groups.

    Both scans use ONE regex without groups (hundreds of named alternatives make Python's `re`
    tens of times slower) behind a look-ahead on the characters a hit can start with, so most
    positions are skipped at once; only at a hit are regex terms tried one by one to tell which.
    """

    def __init__(self, terms: Iterable[tuple[str, T]], *, regex: bool = False) -> None:
        pairs = [(p, payload) for p, payload in terms if p]
        self._literal: dict[str, T] | None = None
        self._scan: re.Pattern[str] | None = None
        self._compiled: list[tuple[re.Pattern[str], T]] = []
        self._by_first: dict[str, list[int]] = {}
        self._any: list[int] = []
        if not pairs:
            return
        if not regex:
            self._literal = {}
            for pattern, payload in sorted(pairs, key=lambda p: len(p[0]), reverse=True):
                self._literal.setdefault(pattern, payload)
            self._scan = re.compile(trie_regex(list(self._literal)))
            return
        for i, (pattern, payload) in enumerate(pairs):
            self._compiled.append((re.compile(pattern), payload))
            firsts = first_chars(pattern)
            if firsts is None:
                self._any.append(i)
            for ch in firsts or ():
                self._by_first.setdefault(ch, []).append(i)
        body = "|".join(f"(?:{p})" for p, _ in pairs)
        self._scan = re.compile(first_char_gate([p for p, _ in pairs]) + f"(?:{body})")

    def finditer(self, text: str) -> Iterator[Hit[T]]:
        if self._scan is None:
            return
        if self._literal is not None:
            for m in self._scan.finditer(text):
                yield Hit(m.start(), m.end(), m.group(), self._literal[m.group()])
            return
        for m in self._scan.finditer(text):
            start = m.start()
            for i in sorted([*self._by_first.get(text[start], ()), *self._any]):
                pattern, payload = self._compiled[i]
                if pattern.match(text, start):
                    yield Hit(start, m.end(), m.group(), payload)
                    break

    def search(self, text: str) -> Hit[T] | None:
        return next(self.finditer(text), None)


_parser: Any = importlib.import_module("re._parser")  # the stdlib regex parser
_ZERO_WIDTH = {"AT", "ASSERT", "ASSERT_NOT"}


def parse_regex(pattern: str) -> Any:
    """The standard library's parse tree of `pattern` (to reason about what it can match)."""
    return _parser.parse(pattern)


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
