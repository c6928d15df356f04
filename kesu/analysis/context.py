"""Who says what, and how: negation, hypotheticals, third parties, done versus threatened.

A lexicon hit is only a candidate. These functions read the words around it, inside its clause,
the way a handler hears 「我不会去曝光的」 (a negation), 「我朋友上次去了电视台」 (somebody else),
「如果再不退，我就去起诉」 (a conditional threat the speaker owns) or 「我已经打了12378」 (already
done). Besides those four, used by every detector: `conditional`, `question`, `withdrawn`
(本来想……后来算了, 开玩笑的), `narrated` (a handler's record: 客户携带横幅到营业部门口),
`quoted_other` (业务员说“有本事你去告啊”) and `staff_turn` (坐席：… in a transcript). Cue words
live in data/context.toml, each with a description. All positions are offsets into `doc.norm`,
which has the same length as the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kesu.analysis.doc import Doc
from kesu.analysis.lexicon import entries, trie_regex

_MASK = "\u25a1"  # a character no cue contains: masked words keep their length


@dataclass(frozen=True)
class Cues:
    negation: tuple[str, ...]
    negation_breakers: tuple[str, ...]
    negation_exempt: tuple[str, ...]
    hypothetical: tuple[str, ...]
    consequence: tuple[str, ...]
    third_party: tuple[str, ...]
    first_person: tuple[str, ...]
    done: tuple[str, ...]
    done_after: tuple[str, ...]
    future: tuple[str, ...]
    tense_exempt: tuple[str, ...]
    withdrawal: tuple[str, ...]
    question: tuple[str, ...]
    third_party_exempt: tuple[str, ...]
    narrator_subject: tuple[str, ...]
    speech_verb: tuple[str, ...]
    hearsay: tuple[str, ...]
    joke: tuple[str, ...]
    clause_threat: tuple[str, ...]
    object_marker: tuple[str, ...]
    companion: tuple[str, ...]
    third_party_inside: tuple[str, ...]
    staff_label: tuple[str, ...]
    customer_label: tuple[str, ...]


_KIND = {"negation_breakers": "negation_breaker"}  # field name → `kind` in context.toml


@cache
def cues() -> Cues:
    def words(kind: str) -> tuple[str, ...]:
        found = [w for e in entries("context", "cue") if e["kind"] == kind for w in e["terms"]]
        return tuple(sorted(set(found), key=len, reverse=True))

    return Cues(**{name: words(_KIND.get(name, name)) for name in Cues.__dataclass_fields__})


@cache
def _alternation(kind: str) -> re.Pattern[str]:
    """One regex for a cue list that prefers the longest word at each place, so 早就 wins over
    就: what a plain alternation of the words, longest first, finds. Spelt as a trie (`(?:早(?:就)?|就)`): `re` tries the
    branches of an alternation one after another at each place, and a list of a hundred words
    (third_party) cost some thousand steps per place; the trie tries one branch per character."""
    words: tuple[str, ...] = getattr(cues(), kind)
    return re.compile(trie_regex(list(words)) if words else "(?!)")


def _mask(window: str, kind: str) -> str:
    """Blank out look-alike words (不满, 要求…) without changing the window's length."""
    return _alternation(kind).sub(_masked, window)


def _masked(m: re.Match[str]) -> str:
    return _MASK * len(m.group())


def _last(window: str, kind: str) -> tuple[int, str] | None:
    """The cue of `kind` that ends last in `window` (position, word): the last match of
    `finditer` (`_last_in` over the whole window)."""
    return _last_in(window, 0, len(window), kind)


def _last_in(text: str, lo: int, hi: int, kind: str) -> tuple[int, str] | None:
    """`_last(text[lo:hi], kind)` with the position in `text`: `search` with bounds reads the
    same characters as on the slice (cue words are plain literals, no anchors or lookarounds),
    and spares making the slice, most often for a window that holds no cue. Asked some fifteen
    times per complaint, mostly of windows holding no cue: one `search` says so at half the
    cost of starting an iteration. Cue words are never empty (a test checks), so each search
    goes on where the last match ended, as `finditer` does."""
    search = _alternation(kind).search
    m = search(text, lo, hi)
    if m is None:
        return None
    while (following := search(text, m.end(), hi)) is not None:
        m = following
    return m.start(), m.group()


def negation(doc: Doc, start: int, *, width: int = 6) -> str | None:
    """The negating cue governing the hit at `start` (不会/不想/没有…), unless a conditional
    (不…就…) or another breaker stands between them. Look-alikes (不满, 没人管, 别逼我) are
    not negations."""
    # Masking only blanks characters (□ is in no cue), so a window whose last `width`
    # characters hold no negating cue holds none once masked: one search, no masking, settles
    # the usual case.
    lo = max(doc.clause_bounds(start)[0], start - width - 4)
    hi = min(start, len(doc.norm))  # where the slice ends, and so its last `width` characters
    if width > 0 and _alternation("negation").search(doc.norm, max(lo, hi - width), hi) is None:
        return None
    # Mask on a wider window so that a look-alike cut at the edge (是不|是) is still masked.
    window = _mask(doc.norm[lo:start], "negation_exempt")[-width:]
    found = _last(window, "negation")
    if found is None:
        return None
    tail = window[found[0] + len(found[1]) :]
    if _alternation("negation_breakers").search(tail):
        return None
    return found[1]


def _hypothetical_cue(doc: Doc, start: int, width: int) -> tuple[str | None, str | None]:
    """(hypothetical cue, consequence marker after it) before `start`."""
    norm = doc.norm
    cue = _last_in(norm, max(0, start - width), start, "hypothetical")
    if cue is None:
        return None, None
    found = _last_in(norm, cue[0] + len(cue[1]), start, "consequence")
    return cue[1], (found[1] if found else None)


def conditional(doc: Doc, start: int, *, width: int = 14) -> str | None:
    """The consequence marker of a conditional the speaker owns (「如果不退，我就去起诉」 → 就):
    a hypothetical cue followed, before the hit, by 就/我会/只能…"""
    return _hypothetical_cue(doc, start, width)[1]


_OWNED_CONDITION = re.compile(
    r"(?:不|没|再|如果|要是|若是|假如|除非)[^.!?;:。]{0,14}?((?:我|俺)?就)[^,.!?;:。]{0,3}$"
)


def owned_condition(doc: Doc, start: int) -> str | None:
    """The 就 of a condition the speaker attaches to their own act right before the hit, in the
    same sentence (「不给我就天天来闹」「再不退，我就天天来闹」): the act becomes a threat."""
    lo = doc.sentence_bounds(start)[0]
    found = _OWNED_CONDITION.search(doc.norm, lo, start)
    return found.group(1) if found else None


def hypothetical(doc: Doc, start: int, *, width: int = 12) -> str | None:
    """A hypothetical cue (如果/假如/万一…) earlier in the same clause or the one before, when the
    speaker only imagines it. A conditional the speaker commits to (如果…我就…) is not
    hypothetical: see `conditional`."""
    cue, then = _hypothetical_cue(doc, start, width)
    return None if then else cue


def _subject(window: str) -> str | None:
    """The third-party word that ends last in the (masked) clause window before a hit, unless
    a first-person word follows it, it is a possessive, or a companion marker precedes it."""
    other = _last(window, "third_party")
    if other is None:
        return None
    at, word = other
    if _last(window[at + len(word) :], "first_person"):
        return None
    # 我爸的遗像 (a possessive), 带着邻居们 (a companion): not the subject of the act
    if window.startswith("的", at + len(word)) or _alternation("companion").search(
        window[max(0, at - 2) : at]
    ):
        return None
    return word


def third_party(doc: Doc, start: int, *, width: int = 16, end: int | None = None) -> str | None:
    """A third-party subject (我朋友/别人/有人/他…) earlier in the clause, not overridden by 我;
    or hearsay (听说/新闻里…) earlier in the sentence. With `end`, a subject inside the hit
    itself counts too (「网上好多人都在骂」)."""
    norm = doc.norm
    if end is not None:
        inside = _last_in(norm, start, end, "third_party_inside")
        if inside and inside[0] > start:
            return inside[1]
    lo = max(doc.clause_bounds(start)[0], start - width)
    # Most windows hold no third-party word even before masking (masking only blanks
    # characters, and □ is in no cue): then one search settles it, without masking or slicing.
    if _alternation("third_party").search(norm, lo, start) is not None:
        subject = _subject(_mask(norm[lo:start], "third_party_exempt"))
        if subject is not None:
            return subject
    heard = _last_in(norm, doc.sentence_bounds(start)[0], start, "hearsay")
    return heard[1] if heard else None


_PERFECTIVE_AFTER = re.compile(r"^[^,。!?]{0,3}?[了过](?![吗么没])")
_PERFECTIVE_BEFORE = re.compile(r"[了过]$")
_PERFECTIVE_INSIDE = re.compile(r"[了过]")


def tense(doc: Doc, start: int, end: int, *, le_is_done: bool = True) -> str:
    """'done' when the clause says it already happened, 'threatened' when it says it will,
    otherwise 'unknown'.

    Cues before the hit come first, the one nearest the hit winning (「早就投诉了」 done,
    「我要去起诉了」 threatened); then cues just after it (「12378我已经打过了」 done,
    「法院我是一定要去的」 threatened). 了/过 right before, inside or right after the hit marks
    done; with `le_is_done=False` a 了 after the hit does not (「不想活了」 is a modal 了)."""
    before = _mask(doc.before(start, 16), "tense_exempt")
    clause_start = doc.norm[doc.clause_bounds(start)[0] : start]
    if _alternation("clause_threat").match(clause_start):
        return "threatened"
    future = _last(before, "future")
    done = _last(before, "done")
    if future and (done is None or future[0] + len(future[1]) > done[0] + len(done[1])):
        return "threatened"
    inside = _mask(doc.norm[start:end], "tense_exempt")
    inside = inside[1:] if le_is_done else inside[1:-1] + inside[-1:].replace("了", "")
    if (
        done
        or _PERFECTIVE_BEFORE.search(before)
        or _PERFECTIVE_INSIDE.search(inside)
        or _last(inside, "done")
    ):
        return "done"
    after = _mask(doc.after(end, 6), "tense_exempt")
    future_after = _alternation("future").search(after)
    done_after = _alternation("done").search(after)
    if done_after and (future_after is None or done_after.start() < future_after.start()):
        return "done"
    if future_after:
        return "threatened"
    perfective = _PERFECTIVE_AFTER.match(after)
    if perfective and (le_is_done or "过" in perfective.group()):
        return "done"
    return "unknown"


def narrated(doc: Doc, start: int) -> str | None:
    """The complainant as the subject of a handler's record (「客户携带横幅到营业部门口」), with no
    speech verb (称/表示/扬言) in between: the record states what the customer did. A speaker
    label (「客户：」) or the customer as an object (受客户委托) does not count."""
    lo = doc.sentence_bounds(start)[0]
    window = doc.norm[lo:start]
    subject = _last(window, "narrator_subject")
    if subject is None:
        return None
    at, word = subject
    after = window[at + len(word) :]
    if after.startswith(":") or _alternation("speech_verb").search(after):
        return None
    if _alternation("object_marker").search(window[max(0, at - 2) : at]):
        return None
    return word


@cache
def _speaker_label() -> re.Pattern[str]:
    """A dialogue label at the start of a turn (「坐席：」「客户：」) in a phone transcript."""
    words = cues().staff_label + cues().customer_label
    return re.compile(r"(?:^|[\s。!?])(" + trie_regex(list(words)) + r")\s?:")


def staff_turn(doc: Doc, start: int) -> str | None:
    """The staff label of the dialogue turn holding `start` (「坐席：您可以打12321举报」): what the
    staff member says is not the customer's signal."""
    if doc.norm.find(":", 0, start) < 0:
        return None  # no dialogue labels before the hit (the usual case): skip the scan
    label = None
    for m in _speaker_label().finditer(doc.norm, 0, start):
        label = m.group(1)
    return label if label in cues().staff_label else None


_OPEN_QUOTES = '“「『"'
_CLOSE_QUOTES = '”」』"'
# One bounded search for an opening quote: no slice of the sentence, no set of its characters.
_OPEN_QUOTE = re.compile("[" + re.escape(_OPEN_QUOTES) + "]")


def quoted_other(doc: Doc, start: int, *, width: int = 12) -> str | None:
    """The third party whose words are quoted around the hit (业务员说“有本事你去告啊”): the
    customer reports what somebody else said."""
    lo = doc.sentence_bounds(start)[0]
    if _OPEN_QUOTE.search(doc.text, lo, start) is None:
        return None
    opened = max(doc.text.rfind(q, lo, start) for q in _OPEN_QUOTES)
    if opened < 0 or any(q in doc.text[opened + 1 : start] for q in _CLOSE_QUOTES if q != '"'):
        return None
    window = _mask(doc.norm[max(lo, opened - width) : opened], "third_party_exempt")
    found = _last(window, "third_party")
    return found[1] if found else None


def withdrawn(doc: Doc, end: int, *, width: int = 12, joke_width: int = 60) -> str | None:
    """A withdrawal after the hit in the same sentence (「本来想打12315，后来算了」), or a joke
    cue soon after it (「不想活了……哈哈，开玩笑的」)."""
    norm = doc.norm
    sentence_end = doc.sentence_bounds(max(end - 1, 0))[1]
    # Bounded searches read what the slices held, without making them.
    found = _alternation("withdrawal").search(norm, end, min(sentence_end, end + width))
    if found is None:
        found = _alternation("joke").search(norm, end, end + joke_width)
    return found.group() if found else None


def question(doc: Doc, start: int, end: int, *, width: int = 10) -> str | None:
    """A question about the hit (「12315能管吗」「怎么起诉」): the speaker asks, does not announce."""
    lo, hi = doc.clause_bounds(start)
    sentence_hi = doc.sentence_bounds(start)[1]
    around = (
        doc.norm[max(lo, start - 4) : start] + _MASK + doc.norm[end : min(max(hi, sentence_hi), end + width)]
    )
    found = _alternation("question").search(around)
    return found.group() if found else None
