"""Lexicons and rule tables: TOML data files under `kesu/analysis/data/`, loaded once per process.

Every entry in a table carries a `description` (what it catches and why), so a reviewer reads the
rules like code. `TermMatcher` finds many terms at once in normalised text and tells which entry
each hit came from.
"""

from __future__ import annotations

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
    """Finds every occurrence of many patterns in one pass, longest first, without overlaps.

    `terms` pairs a pattern with a payload (usually the table entry it came from). Patterns are
    literal strings unless `regex=True`; a regex may use (?:…) groups but no capturing groups.
    """

    def __init__(self, terms: Iterable[tuple[str, T]], *, regex: bool = False) -> None:
        self._payloads: list[T] = []
        alternatives: list[str] = []
        pairs = list(terms)
        if not regex:
            pairs.sort(key=lambda p: len(p[0]), reverse=True)
        for i, (pattern, payload) in enumerate(pairs):
            self._payloads.append(payload)
            body = pattern if regex else re.escape(pattern)
            alternatives.append(f"(?P<t{i}>{body})")
        self._regex = re.compile("|".join(alternatives)) if alternatives else None

    def finditer(self, text: str) -> Iterator[Hit[T]]:
        if self._regex is None:
            return
        for m in self._regex.finditer(text):
            group = m.lastgroup
            if group is None:
                continue
            yield Hit(m.start(), m.end(), m.group(), self._payloads[int(group[1:])])

    def search(self, text: str) -> Hit[T] | None:
        return next(self.finditer(text), None)


def covered_by_any(text: str, start: int, end: int, patterns: Iterable[str], *, reach: int = 8) -> str | None:
    """The exclusion pattern (a look-alike such as 气死我了 for 死) that covers text[start:end], if any."""
    lo = max(0, start - reach)
    window = text[lo : end + reach]
    for pattern in patterns:
        for m in re.finditer(pattern, window):
            if m.start() + lo <= start and m.end() + lo >= end:
                return pattern
    return None
