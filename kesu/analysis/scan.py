"""The shared scan: where the literal words of every lexicon occur in a text, found once.

Python's `re` tries the alternatives of a big alternation one after another at every position,
so scanning a complaint with a lexicon of hundreds of words costs tens of microseconds, and the
engine has some twenty lexicons. `LiteralIndex` instead collects the words of all lexicons that
read the same text (`NORM_INDEX`: `Doc.norm`) and finds, once per text, which of them occur and
where: a set of the text's characters and adjacent pairs (built in C) tells which words can
occur, and `str.find` confirms them. Each matcher then reads its own words from that index.

Regular-expression terms take part through their literal prefixes (`match_prefixes`): every
match of `退(?:还|回)?我` starts with 退还我, 退回我 or 退我, so the expression is tried only where one
of them occurs (docs/decisions/0005-engine-speed.md).
"""

from __future__ import annotations

import importlib
import re
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import compress
from typing import Any

_parser: Any = importlib.import_module("re._parser")
_ZERO_WIDTH = {"AT", "ASSERT", "ASSERT_NOT"}
_MAX_PREFIXES = 256  # more alternative prefixes than this: give up on the expression
_MAX_CLASS = 32  # a character class with more members is not spelled out

Occurrences = dict[str, list[int]]
# A trie node, built once and never changed: the word that ends here (or None), and the child of
# each next character (None at a leaf). A pair of fields read by one tuple unpacking, not a dict
# with a "" entry for the word: the walk does one look-up less per node, none at a leaf (most
# words are leaves of two characters), and the trie is fewer, smaller objects.
_Node = tuple[str | None, "dict[str, _Node] | None"]
_Roots = dict[tuple[str, str], _Node]  # the trie, entered by a word's first two characters
_Draft = dict[str, Any]  # the builder's mutable copy of a branch: next character → draft, "" → word


class Found:
    """One text's occurrences: `at[word]` = start positions (ascending), and the present words
    of each owner (the matcher that registered them)."""

    __slots__ = ("at", "by_owner")

    def __init__(self, at: Occurrences, by_owner: dict[int, list[str]]) -> None:
        self.at = at
        self.by_owner = by_owner

    def words(self, owner: int) -> list[str]:
        return self.by_owner.get(owner, [])


class LiteralIndex:
    """Words registered by many matchers; `find(text)` gives every occurrence of each present
    word (overlapping occurrences included), computed once per text."""

    def __init__(self) -> None:
        self._words: set[str] = set()
        self._owners: dict[str, list[int]] = {}
        self._pending: list[str] = []  # words registered since the last build
        self._version = 0
        # (version built, words of one character, trie), replaced in one assignment: a build
        # copies what it changes, so a scan running meanwhile reads one consistent trie.
        self._state: tuple[int, frozenset[str], _Roots] = (0, frozenset(), {})
        self._lock = threading.Lock()
        # The last text and its occurrences, replaced in one assignment (thread-safe).
        self._last: tuple[str, int, Found] = ("", -1, Found({}, {}))

    def add(self, words: Iterable[str]) -> int:
        """Register the words of one owner (a matcher's terms or prefixes); its owner number."""
        with self._lock:
            owner = self._version = self._version + 1
            for word in set(words):
                if word:
                    if word not in self._words:
                        self._words.add(word)
                        self._pending.append(word)
                    self._owners.setdefault(word, []).append(owner)
        return owner

    def _build(self) -> None:
        """A trie of the words of two characters or more, entered by their first two.

        Matchers register their words one after another as detectors first run, and the index
        is read in between, so it is built many times: each build adds only the words registered
        since the last, to drafts of the branches they enter (`_thaw`), and makes new nodes for
        those branches (the others are shared, never changed). The drafts are dropped after the
        build: keeping a mutable twin of the whole trie would cost as much memory again.
        """
        with self._lock:
            built, singles, trie = self._state
            if built == self._version:
                return
            pending, self._pending = self._pending, []
            drafts: dict[tuple[str, str], _Draft] = {}  # the branches that change
            for word in pending:
                if len(word) >= 2:
                    pair = (word[0], word[1])
                    draft = drafts.get(pair)
                    if draft is None:
                        draft = drafts[pair] = _thaw(trie.get(pair))
                    for ch in word[2:]:
                        draft = draft.setdefault(ch, {})
                    draft[""] = word
            if drafts:
                trie = dict(trie)
                for pair, draft in drafts.items():
                    trie[pair] = _freeze(draft)
            ones = [word for word in pending if len(word) == 1]
            if ones:
                singles = singles.union(ones)
            self._state = (self._version, singles, trie)

    def find(self, text: str) -> Found:
        """Every registered word present in `text` with all its start positions, ascending."""
        last_text, version, last = self._last
        if version == self._version and (last_text is text or last_text == text):
            return last
        if self._state[0] != self._version:
            self._build()
        built, singles, trie = self._state
        found: Occurrences = {}
        # The characters once, as objects: each is hashed once (a str caches its hash) for the
        # set tests, the pair keys and the trie walk, instead of a fresh string per use. A pair
        # key is a tuple of two of them: its hash combines theirs, and `zip` reuses one tuple
        # while `trie.get` does not keep it.
        chars = list(text)
        positions = range(len(chars))
        for i in compress(positions, map(singles.__contains__, chars)):
            found.setdefault(chars[i], []).append(i)
        # zip, not pairwise: zip reuses its tuple when the consumer drops it (3.11's pairwise does not)
        roots = list(map(trie.get, zip(chars, chars[1:], strict=False)))  # noqa: RUF007
        size = len(chars)
        for i in compress(positions, roots):
            node = roots[i]
            assert node is not None  # `compress` kept the pairs that enter the trie
            word, children = node
            if word is not None:
                found.setdefault(word, []).append(i)
            j = i + 2
            while children is not None and j < size:
                child = children.get(chars[j])
                if child is None:
                    break
                word, children = child
                if word is not None:
                    found.setdefault(word, []).append(i)
                j += 1
        owners = self._owners
        by_owner: dict[int, list[str]] = {}
        for word in found:
            for owner in owners[word]:
                by_owner.setdefault(owner, []).append(word)
        result = Found(found, by_owner)
        self._last = (text, built, result)
        return result


def _thaw(node: _Node | None) -> _Draft:
    """A mutable copy of a trie branch (none: an empty one), to add words to."""
    if node is None:
        return {}
    word, children = node
    draft: _Draft = {ch: _thaw(child) for ch, child in children.items()} if children else {}
    if word is not None:
        draft[""] = word
    return draft


def _freeze(draft: _Draft) -> _Node:
    """The trie node of a draft branch: new objects throughout, so the trie being read is left
    as it is."""
    children = {ch: _freeze(child) for ch, child in draft.items() if ch}
    return (draft.get(""), children or None)


NORM_INDEX = LiteralIndex()
"""The index of the words matched on `Doc.norm` (every detector's lexicon)."""


# ------------------------------------------------------------------ prefixes of expressions


@lru_cache(maxsize=1)
def parse(pattern: str) -> Any:
    """The standard library's parse tree of `pattern`, to read, not to change: the last one is
    kept, so asking about one expression several times in a row parses it once (rules tables
    ask for its literals, then for its width). `match_prefixes` and `required_literals` also
    take the tree itself, for a caller that asks about many expressions in turn."""
    return _parser.parse(pattern)


def match_prefixes(pattern: str | Any) -> frozenset[str] | None:
    """Non-empty literals one of which every match of `pattern` (text or `parse` tree) starts
    with; None when they cannot be told (a leading gap such as `[^,]{0,4}`, a big class, a flag)."""
    parsed = parse(pattern) if isinstance(pattern, str) else pattern
    if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    found = _starts(list(parsed), parsed.state)
    return None if found is None else frozenset(_minimal(found))


def _minimal(strings: set[str]) -> set[str]:
    """Drop members that start with another member: the shorter one occurs there too.

    In sorted order the strings that start with a member follow it directly, so a string has a
    proper prefix among the members exactly when it starts with the last one kept."""
    kept: list[str] = []
    for s in sorted(strings):
        if not kept or not s.startswith(kept[-1]):
            kept.append(s)
    return set(kept)


def _product(left: set[str], right: set[str]) -> set[str] | None:
    if len(left) * len(right) > _MAX_PREFIXES:
        return None
    return {a + b for a in left for b in right}


def _starts(items: list[Any], state: Any) -> set[str] | None:
    """Prefixes (non-empty) of every match of the sequence `items`, or None."""
    current = {""}  # what the items so far match, exactly
    for i, (op, av) in enumerate(items):
        name = str(op)
        if name in _ZERO_WIDTH:
            continue
        whole = _exact(op, av)
        combined = _product(current, whole) if whole is not None else None
        if combined is not None:
            current = combined
            continue
        head = _item_starts(op, av, state)
        if head is None:
            break
        result = _product(current, head)
        if result is None:
            break
        if _nullable(op, av, state):
            rest = _starts(items[i + 1 :], state)
            tail = _product(current, rest) if rest is not None else None
            if tail is None:
                break
            result |= tail
        current = result
        break
    if "" in current or not current:
        return None
    return current


def _item_starts(op: Any, av: Any, state: Any) -> set[str] | None:
    name = str(op)
    if name == "SUBPATTERN":
        if av[1] or av[2]:  # inline flags such as (?i:…)
            return None
        return _starts(list(av[-1]), state)
    if name == "BRANCH":
        out: set[str] = set()
        for branch in av[1]:
            found = _starts(list(branch), state)
            if found is None:
                return None
            out |= found
        return out
    if name in ("MAX_REPEAT", "MIN_REPEAT"):
        return _starts(list(av[2]), state)
    return _exact(op, av)


def _nullable(op: Any, av: Any, state: Any) -> bool:
    return bool(_parser.SubPattern(state, [(op, av)]).getwidth()[0] == 0)


def _exact(op: Any, av: Any) -> set[str] | None:
    """Every string the item can match, when that is a small finite set ('' if optional)."""
    name = str(op)
    if name == "LITERAL":
        return {chr(av)}
    if name == "IN":
        return _class(av)
    if name == "SUBPATTERN":
        if av[1] or av[2]:
            return None
        return _sequence(list(av[-1]))
    if name == "BRANCH":
        out: set[str] = set()
        for branch in av[1]:
            found = _sequence(list(branch))
            if found is None:
                return None
            out |= found
        return out if len(out) <= _MAX_PREFIXES else None
    if name in ("MAX_REPEAT", "MIN_REPEAT") and av[1] <= 1:
        inner = _sequence(list(av[2]))
        if inner is None:
            return None
        return inner | {""} if av[0] == 0 else inner
    return None


def _sequence(items: list[Any]) -> set[str] | None:
    out = {""}
    for op, av in items:
        if str(op) in _ZERO_WIDTH:
            return None  # a look-around inside a group: keep it simple
        part = _exact(op, av)
        if part is None:
            return None
        combined = _product(out, part)
        if combined is None:
            return None
        out = combined
    return out


def _class(items: list[Any]) -> set[str] | None:
    out: set[str] = set()
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            out.add(chr(av))
        elif name == "RANGE" and av[1] - av[0] < _MAX_CLASS:
            out.update(chr(c) for c in range(av[0], av[1] + 1))
        else:  # \d included: in `re` it matches digits of every script
            return None
    return out if len(out) <= _MAX_CLASS else None


# ------------------------------------------------------------------ literals a match contains
# Dozens of trigger expressions scanned over every complaint are slow in `re`; a plain substring
# test on the literals every match must contain skips almost all of them. The anchors are read
# from the parsed expression, so the data file needs no hand-kept keyword lists.

_MAX_SET = 8
_Parsed = Any  # a parsed expression (re._parser.SubPattern) or a list of its items
# Characters so frequent in complaints that an anchor starting with one is tried almost everywhere.
_COMMON_FIRST = frozenset("我的你一不个是人说就这要上了有在也都很还他她们那么什没给被把到对")


def _strings(seq: _Parsed) -> set[str] | None:
    """Every string `seq` can match, when that is a small finite set of literals, else None."""
    out = {""}
    for op, av in seq:
        name = str(op)
        if name == "LITERAL":
            part: set[str] | None = {chr(av)}
        elif name == "IN" and all(str(o) == "LITERAL" for o, _ in av):
            part = {chr(c) for _, c in av}
        elif name == "SUBPATTERN":
            part = _strings(av[-1])
        elif name == "BRANCH":
            part = _branch_strings(av[1], _MAX_SET // len(out))
        elif name == "MAX_REPEAT" and av[0] == 0 and av[1] == 1:
            inner = _strings(av[2])
            part = None if inner is None else inner | {""}
        else:
            return None
        if part is None or len(out) * len(part) > _MAX_SET:
            return None
        out = {a + b for a in out for b in part}
    return out


def _branch_strings(branches: list[_Parsed], limit: int) -> set[str] | None:
    """The union of `_strings` of the branches; None as soon as one gives None or the union
    grows past `limit` members (the caller would give up on it then)."""
    out: set[str] = set()
    for branch in branches:
        found = _strings(branch)
        if found is None:
            return None
        out |= found
        if len(out) > limit:
            return None
    return out


def _anchor_sets(seq: _Parsed) -> list[set[str]]:
    """Sets of literals such that every match of `seq` contains one member of each set."""
    found: list[set[str]] = []
    current = {""}
    for item in seq:
        whole = _strings([item])
        if whole is not None and "" not in whole:
            found.append(whole)  # a required piece on its own is an anchor set too
        if whole is not None and len(current) * len(whole) <= _MAX_SET:
            current = {a + b for a in current for b in whole}
            continue
        if "" not in current:
            found.append(current)
        current = whole if whole is not None else {""}
        if whole is None:
            found.extend(_inner_anchor_sets(item))
    if "" not in current:
        found.append(current)
    return found


def _inner_anchor_sets(item: tuple[Any, Any]) -> list[set[str]]:
    op, av = item
    name = str(op)
    if name == "SUBPATTERN":
        return _anchor_sets(av[-1])
    if name in ("MAX_REPEAT", "MIN_REPEAT") and av[0] >= 1:
        return _anchor_sets(av[2])
    if name == "BRANCH":
        out: set[str] = set()
        for branch in av[1]:
            sets = _anchor_sets(branch)
            if not sets:
                return []  # a branch without an anchor: the alternation has none
            out |= _best(sets)
        return [out]
    return []


def _contained_minimal(strings: set[str]) -> set[str]:
    """Drop members that contain another member: finding the shorter one is enough.

    By increasing length, a string contains another member exactly when it contains one kept
    so far: the shortest member it contains contains no other, so was kept."""
    if len(strings) < 2:
        return set(strings)
    kept: list[str] = []
    for s in sorted(strings, key=len):
        for k in kept:
            if k in s:
                break
        else:
            kept.append(s)
    return set(kept)


def _cost(anchors: set[str]) -> tuple[bool, bool, int, int]:
    """How good an anchor set is (the greater, the better): see `_best`."""
    shortest = min(map(len, anchors))
    return (shortest >= 2, not any(a[0] in _COMMON_FIRST for a in anchors), -len(anchors), shortest)


def _best(sets: list[set[str]]) -> set[str]:
    """The anchor set cheapest to look for: two characters or more, no very common first
    character, few members."""
    if len(sets) == 1:
        return _contained_minimal(sets[0])
    return max(map(_contained_minimal, sets), key=_cost)


def required_literals(pattern: str | Any) -> tuple[str, ...]:
    """Literals one of which every match of `pattern` (text or `parse` tree) contains; () when
    none can be told (nothing is read from look-arounds, and a case-insensitive pattern gives
    none)."""
    parsed = parse(pattern) if isinstance(pattern, str) else pattern
    if parsed.state.flags & re.IGNORECASE:
        return ()
    sets = _anchor_sets(list(parsed))
    return tuple(sorted(_best(sets), key=len, reverse=True)) if sets else ()


class LiteralGate:
    """For a list of expressions (texts or `parse` trees), the literals one of which every match
    of each contains (`required_literals`), registered in a shared index: `passes(i,
    present(text))` tells, with a set operation on that text's scan, whether expression `i` can
    match at all (hot loops write the same test inline)."""

    __slots__ = ("_index", "needs", "owner")

    def __init__(self, patterns: Iterable[str | Any], index: LiteralIndex) -> None:
        self.needs = [frozenset(required_literals(p)) for p in patterns]
        words = set().union(*self.needs)
        self._index = index
        # The literals' owner number in the index (0: none): `index.find(text).words(owner)`
        # lists those present, for a caller that already holds the text's scan.
        self.owner = index.add(words) if words else 0

    def present(self, text: str) -> set[str]:
        """The gate's literals that occur in `text` (from the shared scan)."""
        return set(self._index.find(text).words(self.owner)) if self.owner else set()

    def passes(self, i: int, present: set[str]) -> bool:
        """Whether expression `i` can match a text whose `present` literals are given."""
        needs = self.needs[i]
        return not needs or not present.isdisjoint(needs)


class LiteralDispatch:
    """Which of several items (expressions, or groups of them) can match a text, from the
    literals each needs: `needs[i]` holds the literals one of which every match of item `i`
    contains (empty: none known, the item is always asked). `candidates(found)` reads the text's
    shared scan once and names the items to ask, in order — the present literals (mostly none)
    point to their items, instead of a test of every item's literals on every text."""

    __slots__ = ("_always", "_by_literal", "owner")

    def __init__(self, needs: Iterable[frozenset[str]], owner: int) -> None:
        """`owner`: the owner number under which the literals are registered in the index
        (`LiteralGate.owner`, or `register`)."""
        by_literal: dict[str, list[int]] = {}
        always: list[int] = []
        for i, need in enumerate(needs):
            if not need:
                always.append(i)
            for word in need:
                by_literal.setdefault(word, []).append(i)
        self._always = tuple(always)
        self._by_literal = {word: tuple(ids) for word, ids in by_literal.items()}
        self.owner = owner

    @classmethod
    def register(cls, needs: Iterable[frozenset[str]], index: LiteralIndex) -> LiteralDispatch:
        """A dispatch whose literals are registered in `index` now."""
        listed = list(needs)
        return cls(listed, index.add(set().union(*listed)))

    def candidates(self, found: Found) -> list[int]:
        """The items that can match the text whose shared scan is `found`, ascending."""
        present = found.words(self.owner) if self.owner else []
        if not present:
            return list(self._always)
        ids = set(self._always)
        for word in present:
            ids.update(self._by_literal[word])
        return sorted(ids)


# Keyed by the pattern's id, kept alive by the entry: hashing a compiled pattern hashes its whole
# compiled code (`re.Pattern.__hash__`), thousands of instructions for one look-up.
_GATES: dict[int, tuple[re.Pattern[str], frozenset[str], Callable[[str], object]]] = {}


def _needs(pattern: re.Pattern[str]) -> frozenset[str]:
    """The literals one of which every match of `pattern` contains (none known: empty), cached."""
    return _gate(pattern)[1]


def _gate(pattern: re.Pattern[str]) -> tuple[re.Pattern[str], frozenset[str], Callable[[str], object]]:
    """`pattern` (kept alive), its `_needs`, and their `_any_in` test, cached."""
    entry = _GATES.get(id(pattern))
    if entry is None:
        needs = (
            frozenset() if pattern.flags & re.IGNORECASE else frozenset(required_literals(pattern.pattern))
        )
        entry = _GATES[id(pattern)] = (pattern, needs, _any_in(needs))
    return entry


def _any_in(literals: frozenset[str]) -> Callable[[str], object]:
    """A test whether one of `literals` occurs in a text (truthy if so): one search for their
    alternation, which `re` runs in a single pass that skips to where one of their first
    characters occurs. Testing them one by one costs a loop step and a substring search each (a
    dozen for the look-alike tuples, over windows of some 18 characters that mostly hold none);
    for a single literal the two cost the same."""
    return re.compile("|".join(map(re.escape, sorted(literals)))).search


def may_match_in(pattern: re.Pattern[str], window: str) -> bool:
    """False when no match of `pattern` can lie inside `window`: none of the literals every
    match contains occurs there. A substring test costs a fraction of a regex search, and most
    look-alike checks (气死我了 around 死) fail this way."""
    entry = _GATES.get(id(pattern)) or _gate(pattern)  # `_gate` inlined when cached: the hot path
    return not entry[1] or bool(entry[2](window))


# Per tuple of expressions (by id, the tuple kept alive by the entry): the `_any_in` test of the
# union of their literals, or None when one of them has none known (it may match anywhere).
_ANY_GATES: dict[int, tuple[tuple[re.Pattern[str], ...], Callable[[str], object] | None]] = {}


def may_any_match_in(patterns: tuple[re.Pattern[str], ...], window: str) -> bool:
    """`may_match_in` for a tuple of expressions at once: one test for all their literals
    instead of one call each (most look-alike windows hold none of them)."""
    entry = _ANY_GATES.get(id(patterns))
    if entry is None:
        literals: set[str] = set()
        union: Callable[[str], object] | None = None
        for pattern in patterns:
            needs = _needs(pattern)
            if not needs:
                break
            literals |= needs
        else:
            union = _any_in(frozenset(literals)) if literals else None
        entry = _ANY_GATES[id(patterns)] = (patterns, union)
    any_in = entry[1]
    if any_in is None:
        return bool(patterns)
    return bool(any_in(window))
