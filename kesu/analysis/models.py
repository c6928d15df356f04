"""Trained text classifiers: the model file format and a numpy-only predictor.

A model is a linear classifier over character n-gram TF-IDF features plus the engine's own cue
counts (`cue_features.py`), with sigmoid-calibrated confidence (see docs/decisions/0002-model-format.md
and 0007-tone-features.md: a model trained for a tone label also sees where its text starts and
ends and the n-grams of its final clause). It is stored as a plain `.npz` archive of
numeric arrays plus one JSON metadata block, loaded with `allow_pickle=False`: loading a model
never executes code from the file, and never imports scikit-learn (that would cost ~2 s of
start-up). `kesu.analysis.training` fits the model; this module owns the format and prediction.

numpy is imported lazily, so `kesu analyze` without `--model` does not pay for it.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from operator import add
from typing import TYPE_CHECKING, Any, Protocol

from kesu.analysis.cue_features import cue_matrix, feature_names
from kesu.analysis.types import Prediction

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

FORMAT = "kesu-text-model"
FORMAT_VERSION = 4
# Version 2 files (no text edges, no final-clause n-grams) and version 3 files (links and
# @mentions not masked) still load and predict exactly as they were trained.
READABLE_VERSIONS = (2, 3, 4)
_ARRAYS = ("idf", "coef", "dense_coef", "intercept", "cal_a", "cal_b")
_ZIP_MAGIC = b"PK\x03\x04"

# Full-width ASCII → half-width, ideographic space → space, every digit → 0 (amounts and phone
# numbers differ in every complaint; their digits only add noise), whitespace → one space, so the
# model sees one kind of blank.
_PREPARE = str.maketrans(
    {
        **{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)},
        **{chr(0xFF10 + d): "0" for d in range(10)},
        **{str(d): "0" for d in range(10)},
        "\u3000": " ",
        "\n": " ",
        "\r": " ",
        "\t": " ",
        "\x0b": " ",
        "\x0c": " ",
        "\ufffe": " ",  # reserved: separates texts in a batch
        **{chr(c): " " for c in range(0xFDD0, 0xFDF0)},  # reserved: the markers below
    }
)
# Characters beyond the Basic Multilingual Plane (emoji…) are folded into one, so that every
# character fits 16 bits and a 1–4-gram fits one 64-bit key.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_MAX_N = 4
_SEPARATOR = "\ufffe"
# Markers (Unicode noncharacters, which `prepare` blanks out of any text): the start and end of a
# text, framing it so that n-grams can tell 「太坑了」 at the end from the same words mid-text, and
# the tag of a final-clause n-gram (`final_clause`), so 「恶心」 as the last word is its own feature.
_START, _END, _ENDING = "\ufdd0", "\ufdd1", "\ufdd2"
MARKERS = frozenset((_START, _END, _ENDING))
# What ends a clause once a text is prepared (full-width punctuation is half-width by then).
_CLAUSE_BREAKS = frozenset(",.!?;:。…~ ")


class TextModel(Protocol):
    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """One prediction per text, in order, with calibrated confidence and band."""
        ...


# The characters `_PREPARE` changes, as one class (for a text `_fold` cannot encode).
_PREPARED_CHARS = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_PREPARE)) + "]")
_REPLACEMENT = {chr(c): chr(v) if isinstance(v, int) else str(v) for c, v in _PREPARE.items()}


def _replace(m: re.Match[str]) -> str:
    return _REPLACEMENT[m.group()]


@cache
def _fold_table() -> npt.NDArray[np.uint16]:
    """`_PREPARE` as a table from each UTF-16 code unit to its replacement (itself if none)."""
    import numpy as np

    table = np.arange(1 << 16, dtype=np.uint16)
    for char, replacement in _REPLACEMENT.items():
        table[ord(char)] = ord(replacement)
    return table


def _fold(text: str) -> tuple[str, bool]:
    """`text` with `_PREPARE` applied, and whether it may hold characters beyond 16 bits.

    Looked up in a table, all code units at once: a Chinese complaint has a dozen or more
    full-width 「，！？：」 and digits, and replacing them one by one (`re.sub` with a Python
    callback) cost 3× as much; `str.translate` with a dict is slower still (it raises and clears
    a KeyError for every character it does not change). A surrogate pair survives the table (no
    surrogate is replaced). A lone surrogate cannot be encoded without `surrogatepass`, which
    would join a lone pair into one character on the way back: such a text takes the regex."""
    import numpy as np

    try:
        units = text.encode("utf-16-le")
    except UnicodeEncodeError:
        return _PREPARED_CHARS.sub(_replace, text), True
    folded = _fold_table().take(np.frombuffer(units, dtype=np.uint16)).tobytes().decode("utf-16-le")
    return folded, len(units) != 2 * len(text)  # a character beyond 16 bits takes two units


# Web links and @mentions (微博/微信 posts: 「//@某某:」, 「@客服小王」) say who and where, not what
# the text says: each becomes one token, so user names and URL pieces do not become n-grams
# (ADR 0007, addendum: anger F1 +0.003, work-order macro-F1 +0.004 over ten splits).
_LINK = re.compile(r"https?://[!-~]+")
_MENTION = re.compile(r"@[^\s:：,，。!！?？/@]{1,30}")


def prepare(text: str, *, mask_links: bool = True) -> str:
    """The form of a text that features are taken from (same function at training and use).
    `mask_links=False` is the form of models saved before format version 4."""
    folded, astral = _fold(text)
    prepared = folded.lower()  # lowers no character below 16 bits to one beyond
    if astral:
        prepared = _ASTRAL.sub("\uffff", prepared)
    if mask_links:
        if "http" in prepared:
            prepared = _LINK.sub(" http ", prepared)
        if "@" in prepared:
            prepared = _MENTION.sub("@", prepared)
    return prepared


def ngram_key(gram: str) -> int:
    """The 64-bit key of a 1–4-character n-gram: its UTF-16 code units, 16 bits each."""
    key = 0
    for ch in gram:
        key = (key << 16) | ord(ch)
    return key


def char_ngrams(text: str, max_n: int = _MAX_N) -> list[str]:
    """All character 1…max_n-grams of `prepare(text)`, with repeats (they are term counts)."""
    return _grams(prepare(text), max_n)


def text_grams(
    text: str, max_n: int = _MAX_N, *, edges: bool = False, ending_chars: int = 0, ending_n: int = 2
) -> list[str]:
    """The terms a model sees in `text` (training's analyzer; the predictor finds the same keys).

    The 1…max_n-grams of `prepare(text)`, framed by start and end markers with `edges`; with
    `ending_chars`, also the 1…ending_n-grams of its final clause (`final_clause`), each tagged.
    """
    s = prepare(text)
    grams = _grams(_START + s + _END if edges else s, max_n)
    if ending_chars:
        grams += [_ENDING + g for g in _grams(final_clause(s, ending_chars), ending_n)]
    return grams


def final_clause(prepared: str, limit: int) -> str:
    """The last clause of a prepared text (after its last 「，。！？」…, trailing ones ignored), at
    most its last `limit` characters: where a post usually gives its verdict (…，太坑了！)."""
    start, end = _final_span(prepared, limit)
    return prepared[start:end]


def _final_span(prepared: str, limit: int) -> tuple[int, int]:
    end = len(prepared)
    while end and prepared[end - 1] in _CLAUSE_BREAKS:
        end -= 1
    start, floor = end, max(0, end - limit)
    while start > floor and prepared[start - 1] not in _CLAUSE_BREAKS:
        start -= 1
    return start, end


def _grams(s: str, max_n: int) -> list[str]:
    grams = list(s)
    longer: Sequence[str] = s
    for n in range(2, max_n + 1):
        # Extend each (n-1)-gram by the character n-1 places on: faster than slicing.
        longer = list(map(add, longer, s[n - 1 :]))
        grams.extend(longer)
    return grams


def band_for(confidence: float, bands: Mapping[str, Any], label: str | None = None) -> str:
    """`high` / `medium` / `low` from the thresholds recorded in the model.

    A label with its own thresholds (`bands["per_label"]`) uses them: a rare label's confidence
    means less than the common one's, so one global threshold would overstate it.
    """
    own = bands.get("per_label", {}).get(label) if label is not None else None
    chosen = own or bands
    if confidence >= chosen["high"]:
        return "high"
    if confidence >= chosen["medium"]:
        return "medium"
    return "low"


@dataclass
class LinearTextModel:
    """A loaded model: TF-IDF weights, one linear scorer per label, sigmoid calibration.

    With two labels there is one scorer (for `labels[1]`); otherwise one per label. Each scorer
    weighs the n-grams (`coef`) and the cue features named in `meta["dense_features"]`
    (`dense_coef`, applied to the features times `meta["dense_scale"]`). With
    `meta["text_edges"]` the n-grams are taken from the text between start and end markers, and
    with `meta["ending_chars"]` the tagged final-clause n-grams are added (`text_grams`).
    """

    meta: dict[str, Any]
    keys: npt.NDArray[np.uint64]  # sorted n-gram keys; column j of idf/coef belongs to keys[j]
    idf: npt.NDArray[np.float64]
    coef: npt.NDArray[np.float64]
    dense_coef: npt.NDArray[np.float64]  # (scorers, number of cue features)
    intercept: npt.NDArray[np.float64]
    cal_a: npt.NDArray[np.float64]
    cal_b: npt.NDArray[np.float64]
    _cal: list[tuple[float, float]] = field(init=False, repr=False)
    _edges: bool = field(init=False, repr=False)
    _mask_links: bool = field(init=False, repr=False)
    _ending: tuple[int, int] = field(init=False, repr=False)
    _tags: list[Any] = field(init=False, repr=False)
    _unigrams: npt.NDArray[np.int32] = field(init=False, repr=False)
    _max_n: int = field(init=False, repr=False)
    _shifts: npt.NDArray[np.uint64] = field(init=False, repr=False)
    _padded_keys: npt.NDArray[np.uint64] = field(init=False, repr=False)
    _coef_rows: npt.NDArray[np.float64] = field(init=False, repr=False)
    _padding_unseen: bool = field(init=False, repr=False)
    _made: tuple[Any, dict[tuple[int, float], Prediction]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        import numpy as np

        self._cal = list(zip(self.cal_a.tolist(), self.cal_b.tolist(), strict=True))
        # Absent from version-2 files: plain n-grams only.
        self._edges = bool(self.meta.get("text_edges", False))
        # Absent before version 4: links and @mentions were read as plain text.
        self._mask_links = bool(self.meta.get("mask_links", False))
        self._ending = (int(self.meta.get("ending_chars", 0)), int(self.meta.get("ending_n", 0)))
        # What the ending tag adds to the key of a 1-, 2-… gram.
        self._tags = [np.uint64(ord(_ENDING) << (16 * n)) for n in range(1, self._ending[1] + 1)]
        self._made = (None, {})
        self.coef = np.ascontiguousarray(self.coef)  # one scorer's weights in one run (np.take)
        # Feature number of each 1-gram, by its character (-1: not in the vocabulary): a 1-gram's
        # key is its character, so the third of all keys that are 1-grams need no binary search.
        self._unigrams = np.full(1 << 16, -1, dtype=np.int32)
        single = int(self.keys.searchsorted(np.uint64(1 << 16)))
        self._unigrams[self.keys[:single].astype(np.intp)] = np.arange(single, dtype=np.int32)
        # For one text (`_single_scores`): the longest n-gram any feature needs, as the right
        # shift that leaves an n-gram's key of 4 code units (`_gram_matrix`)…
        self._max_n = int(self.meta["max_n"])
        rows = max(self._max_n, self._ending[1])
        self._shifts = np.array([[16 * (_MAX_N - n)] for n in range(1, rows + 1)], dtype=np.uint64)
        # …the keys with their last repeated, so that the insertion point of a key beyond them all
        # can be read like any other (and is no match)…
        self._padded_keys = np.append(self.keys, self.keys[-1:])
        # …and the weights one feature per row: the scorers' weights of a text's features come
        # out as `coef[:, features]` always did, column by column (Fortran order), which keeps
        # the matrix-vector product's sums, bit for bit; `np.take` of rows is 2-3× as fast.
        self._coef_rows = np.ascontiguousarray(self.coef.T)
        # An n-gram that runs past the end of the text ends in a separator (`_gram_matrix`): no
        # key of a trained model does, and then such n-grams are never found.
        self._padding_unseen = not bool(np.any(self.keys & np.uint64(0xFFFF) == ord(_SEPARATOR)))

    @property
    def labels(self) -> list[str]:
        return list(self.meta["labels"])

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Label = highest raw score; confidence = its calibrated probability; band by threshold."""
        if not texts:
            return []
        labels = self.meta["labels"]
        bands = self.meta["bands"]
        if self._made[0] is not bands:  # thresholds replaced (`training.train` sets them last)
            self._made = (bands, {})
        made = self._made[1]
        binary = len(labels) == 2
        out = []
        if len(texts) == 1:  # `analyze()`: no 2-D array to make and take apart
            prepared = [prepare(texts[0], mask_links=self._mask_links)]
            rows = [self._single_scores(texts, prepared).tolist()]
        else:
            rows = self.scores(texts).tolist()
        for row in rows:
            proba = self.calibrate(row)
            # The class-weighted scores decide the label (better recall on rare labels than the
            # calibrated argmax); the calibrated probability says how far to trust it.
            k = int(row[0] > 0) if binary else row.index(max(row))
            confidence = round(proba[k], 3)
            # A prediction is immutable and takes one of ~1,000 values per label: made once each.
            prediction = made.get((k, confidence))
            if prediction is None:
                band = band_for(confidence, bands, labels[k])
                prediction = made[k, confidence] = Prediction(
                    label=labels[k], confidence=confidence, band=band
                )
            out.append(prediction)
        return out

    def scores(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Raw linear scores, shape (len(texts), number of scorers).

        Vectorised over the whole batch: the texts are joined with a separator that no n-gram of
        the vocabulary contains, every n-gram becomes a 64-bit key (`ngram_key`), and keys are
        found in the sorted vocabulary by binary search. Python work per text is one `prepare()`
        (and one `final_clause` for a model with final-clause features).
        """
        import numpy as np

        prepared = [prepare(t, mask_links=self._mask_links) for t in texts]
        if len(texts) == 1:
            return self._single_scores(texts, prepared)[np.newaxis, :]
        result = self._dense(texts, prepared)
        self._add_ngram_scores(result, prepared)
        return result

    def _add_ngram_scores(self, result: npt.NDArray[np.float64], prepared: Sequence[str]) -> None:
        """Add the n-grams' share of the scores of some texts to their rows of `result`."""
        import numpy as np

        doc, feat = self._hits(prepared)
        if self._ending[0]:
            tail_doc, tail_feat = self._ending_hits(prepared)
            doc, feat = np.concatenate((doc, tail_doc)), np.concatenate((feat, tail_feat))
        # Term frequency = how often each (text, feature) pair occurs; pairs ordered by text, then
        # feature (the order the sums below have always been taken in).
        doc, feat, counts = _distinct_pairs(doc, feat, len(prepared), len(self.idf))
        if not len(doc):
            return
        # Sublinear tf × idf, (1 + log count) · idf, computed in place: fewer fresh arrays.
        values = np.log(counts)
        values += 1.0
        values *= self.idf[feat]
        norms = np.sqrt(np.bincount(doc, weights=values * values, minlength=len(prepared)))
        values /= norms[doc]
        per_text = np.bincount(doc, minlength=len(prepared))
        rows = np.flatnonzero(per_text)
        starts = np.cumsum(per_text[rows]) - per_text[rows]
        weighted = np.take(self.coef, feat, axis=1)
        weighted *= values
        result[rows] += np.add.reduceat(weighted, starts, axis=1).T

    def _single_scores(self, texts: Sequence[str], prepared: Sequence[str]) -> npt.NDArray[np.float64]:
        """The row of `scores` of one text (how `analyze()` calls it).

        The text's features, in ascending order, with their term counts (`_count_features`), give
        the same sums in the same order as the batch path. Every n-gram is made and looked up
        with a few numpy calls over the whole text: with a few hundred n-grams per text, the
        cost is in the number of calls, not in the work each does.
        """
        import numpy as np

        text = _START + prepared[0] + _END if self._edges else prepared[0]
        grams = _gram_matrix(text, self._shifts)
        max_n, length = self._max_n, grams.shape[1]
        keys = grams[:max_n].ravel()
        limit = self._ending[0]
        if limit:
            # The final clause's n-grams, tagged: a slice of each row of `grams`.
            start, end = _final_span(prepared[0], limit)
            start, end = start + self._edges, end + self._edges  # past the start marker
            tagged = [grams[n, start : max(start, end - n)] | tag for n, tag in enumerate(self._tags)]
            keys = np.concatenate((keys, *tagged))
        pos = self.keys.searchsorted(keys)
        found = self._padded_keys.take(pos) == keys
        if not self._padding_unseen:
            plain = found[: max_n * length].reshape(max_n, length)
            for n in range(1, max_n):
                plain[n, max(0, length - n) :] = False  # an (n + 1)-gram that runs into the padding
        feat, counts = _count_features(pos, found)
        # Sublinear tf × idf, (1 + log count) · idf, L2-normalised; in place: fewer fresh arrays.
        values = np.log(counts)
        values += 1.0
        values *= self.idf.take(feat)
        values /= math.sqrt(values @ values) or 1.0
        score: npt.NDArray[np.float64] = self._coef_rows.take(feat, axis=0).T @ values
        if not self.dense_coef.shape[1]:
            return self.intercept + score  # `_dense` would only have copied the intercept
        result: npt.NDArray[np.float64] = self._dense(texts, prepared)[0]
        result += score
        return result

    def _dense(self, texts: Sequence[str], prepared: Sequence[str]) -> npt.NDArray[np.float64]:
        """Intercept plus the cue features' share of the scores, shape (len(texts), scorers)."""
        import numpy as np

        if self.dense_coef.shape[1]:
            dense = np.array(cue_matrix(texts, prepared), dtype=np.float64) * float(self.meta["dense_scale"])
            result: npt.NDArray[np.float64] = dense @ self.dense_coef.T
            result += self.intercept
            return result
        return np.repeat(self.intercept[np.newaxis, :], len(texts), axis=0)

    def _hits(self, prepared: Sequence[str]) -> tuple[npt.NDArray[Any], npt.NDArray[np.intp]]:
        """(text number, feature number) of every n-gram occurrence found in the vocabulary."""
        if self._edges:
            joined = _SEPARATOR.join(_START + p + _END for p in prepared)
        else:
            joined = _SEPARATOR.join(prepared)
        chars, parts = _gram_parts(joined, int(self.meta["max_n"]))
        return self._lookup(parts, chars, len(prepared), unigrams=True)

    def _ending_hits(self, prepared: Sequence[str]) -> tuple[npt.NDArray[Any], npt.NDArray[np.intp]]:
        """(text number, feature number) of every tagged final-clause n-gram found."""
        limit, max_n = self._ending
        joined = _SEPARATOR.join(final_clause(p, limit) for p in prepared)
        chars, parts = _gram_parts(joined, max_n)
        return self._lookup(
            [keys | tag for keys, tag in zip(parts, self._tags, strict=True)], chars, len(prepared)
        )

    def _lookup(
        self, parts: list[Any], chars: Any, n_texts: int, *, unigrams: bool = False
    ) -> tuple[npt.NDArray[Any], npt.NDArray[np.intp]]:
        """Keys of a separator-joined batch, by n-gram length (`_gram_parts`) → (text number,
        feature number) of those found; with `unigrams`, parts[0] are plain 1-grams."""
        import numpy as np

        # Separators up to each position = the text number of an n-gram starting there.
        breaks = np.cumsum(chars == ord(_SEPARATOR), dtype=np.uint16 if n_texts <= 1 << 16 else np.int64)
        docs, feats = [], []
        for n, keys in enumerate(parts):
            if n == 0 and unigrams:
                pos = self._unigrams[keys]
                found = pos >= 0
            else:
                pos = self.keys.searchsorted(keys)
                np.minimum(pos, len(self.keys) - 1, out=pos)
                found = self.keys[pos] == keys
            docs.append(breaks[: len(keys)][found])
            feats.append(pos[found])
        return np.concatenate(docs), np.concatenate(feats).astype(np.intp, copy=False)

    def calibrate(self, row: Sequence[float]) -> list[float]:
        """Calibrated probability of every label (in `labels` order) from one row of scores.

        Platt scaling per scorer, p = 1 / (1 + exp(a·s + b)); with more than two labels the
        probabilities are normalised to sum to 1, as scikit-learn's CalibratedClassifierCV does.
        """
        exp = math.exp
        p = []
        for (a, b), s in zip(self._cal, row, strict=True):
            z = a * s + b
            # min(500, max(-500, z)) without two calls of builtins (NaN → -500 as there).
            p.append(1.0 / (1.0 + exp(500.0 if z > 500.0 else z if z > -500.0 else -500.0)))
        if len(p) == 1:
            return [1.0 - p[0], p[0]]
        total = sum(p)
        return [x / total for x in p] if total > 0 else [1.0 / len(p)] * len(p)


def _distinct_pairs(doc: Any, feat: Any, n_texts: int, n_feats: int) -> tuple[Any, Any, Any]:
    """Each distinct (text number, feature number) pair of a batch's hits once, ordered by text
    and then feature, with the number of hits it had (its term count)."""
    import numpy as np

    if n_texts > 1 << 16 or n_feats > 1 << 32:
        pair = np.sort(doc.astype(np.int64) * n_feats + feat)
        first = np.flatnonzero(pair[1:] != pair[:-1]) + 1
        first = np.concatenate((np.zeros(min(len(pair), 1), dtype=np.int64), first))
        doc, feat = np.divmod(pair[first], n_feats)
        return doc, feat, np.diff(np.append(first, len(pair)))
    # Least significant digit first: numpy's stable sort of ≤ 16-bit integers is a radix sort,
    # a few ns per element where sorting the pairs as int64 numbers costs ~40.
    digits = [feat] if n_feats <= 1 << 16 else [feat & 0xFFFF, feat >> 16]
    digits.append(doc)
    order = None
    for digit in digits:
        small = (digit if order is None else digit[order]).astype(np.uint16, copy=False)
        step = np.argsort(small, kind="stable")
        order = step if order is None else order[step]
    doc, feat = doc[order], feat[order]
    new = np.empty(len(doc), dtype=bool)
    new[:1] = True
    np.not_equal(doc[1:], doc[:-1], out=new[1:])
    new[1:] |= feat[1:] != feat[:-1]
    first = np.flatnonzero(new)
    return doc[first], feat[first], np.diff(first, append=len(doc))


def _gram_parts(text: str, max_n: int) -> tuple[Any, list[Any]]:
    """The characters of `text` and the `ngram_key`s of its 1-grams (the characters themselves),
    its 2-grams…, its max_n-grams: one array per length, n-grams in the order they start."""
    import numpy as np

    chars = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16).astype(np.uint64)
    parts = [chars]
    for n in range(2, max_n + 1):
        parts.append((parts[-1][:-1] << np.uint64(16)) | chars[n - 1 :])
    return chars, parts


# Three separators after a text: every position then starts four code units (`_gram_matrix`).
_PADDING = _SEPARATOR * (_MAX_N - 1)


def _gram_matrix(text: str, shifts: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """Row n − 1: the `ngram_key` of the n-gram starting at each code unit of `text`, for the n
    whose right shift is `shifts[n - 1]` (16 · (4 − n)).

    Four UTF-16 code units read as one big-endian 64-bit number are the key of the 4-gram they
    spell; shifting off the last 4 − n units leaves the key of the n-gram. The n-grams that run
    past the end of `text` read separators, which no key of a vocabulary contains."""
    import numpy as np

    units = (text + _PADDING).encode("utf-16-be", "surrogatepass")
    starts = len(units) // 2 - len(_PADDING)
    windows = np.ndarray((starts,), dtype=">u8", buffer=units, strides=(2,))  # overlapping
    grams: npt.NDArray[np.uint64] = np.right_shift(windows, shifts)
    return grams


def _count_features(pos: Any, found: Any) -> tuple[Any, Any]:
    """The distinct features (ascending) of a text's n-grams and how many n-grams had each, from
    each n-gram's feature number `pos` where `found` says it is in the vocabulary.

    Sorting the n-grams found, as feature numbers, leaves the vocabulary out of the cost:
    counting them in a table as long as the vocabulary was slower even at 3,500 features."""
    import numpy as np

    hits = pos[found]
    hits.sort()
    n = len(hits)
    bounds = np.empty(n + 1, dtype=bool)  # where a run of equal features starts, and the end
    bounds[0] = True
    bounds[n] = True
    np.not_equal(hits[1:], hits[:-1], out=bounds[1:n])
    first = bounds.nonzero()[0]
    starts = first[:-1]
    return hits.take(starts), first[1:] - starts


def save_model(path: str, meta: Mapping[str, Any], arrays: Mapping[str, Any]) -> None:
    """Write a model atomically: numeric arrays + JSON metadata, nothing executable."""
    import numpy as np

    data: dict[str, Any] = {
        "meta": np.frombuffer(json.dumps(dict(meta), ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
        "keys": np.asarray(arrays["keys"], dtype=np.uint64),
        **{name: np.asarray(arrays[name], dtype=np.float32) for name in _ARRAYS},
    }
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".kesu-model-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; a model is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def load_model(path: str) -> LinearTextModel:
    """Load a model written by `kesu train`; ValueError (in Chinese) if it is not one we can use."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except FileNotFoundError as exc:
        raise ValueError("找不到模型文件；请先用 kesu train 训练，或检查路径") from exc
    except IsADirectoryError as exc:
        raise ValueError("这是一个目录，不是模型文件") from exc
    except PermissionError as exc:
        raise ValueError("没有读取模型文件的权限") from exc
    if head != _ZIP_MAGIC:
        raise ValueError("不是 kesu 模型文件（应为 kesu train 生成的 .npz 文件）")
    try:
        return _read_model(path)
    except ValueError:
        raise
    except Exception as exc:  # zipfile, numpy and JSON errors all mean the same thing here
        raise ValueError(
            f"模型文件已损坏，无法读取（{type(exc).__name__}）；请用 kesu train 重新训练"
        ) from exc


def _read_model(path: str) -> LinearTextModel:
    import numpy as np

    with np.load(path, allow_pickle=False) as archive:
        meta = json.loads(archive["meta"].tobytes().decode("utf-8"))
        _check_meta(meta)
        keys = archive["keys"]
        arrays = {name: archive[name].astype(np.float64) for name in _ARRAYS}
    model = LinearTextModel(meta=meta, keys=keys, **arrays)
    _check_shapes(model)
    return model


def _check_meta(meta: Any) -> None:
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError("不是 kesu 模型文件（缺少格式标记）")
    version = meta.get("format_version")
    if version not in READABLE_VERSIONS:
        readable = "、".join(str(v) for v in READABLE_VERSIONS)
        raise ValueError(f"模型格式版本为 {version}，本程序只能读取版本 {readable}；请用 kesu train 重新训练")
    labels = meta.get("labels")
    if not isinstance(labels, list) or len(labels) < 2:
        raise ValueError("模型文件已损坏：标签列表缺失")
    bands = meta.get("bands")
    if not isinstance(bands, dict) or not {"high", "medium"} <= bands.keys():
        raise ValueError("模型文件已损坏：置信度分档阈值缺失")
    per_label = bands.get("per_label", {})
    if not isinstance(per_label, dict) or not all(
        isinstance(v, dict) and {"high", "medium"} <= v.keys() for v in per_label.values()
    ):
        raise ValueError("模型文件已损坏：各标签的置信度分档阈值无效")
    if meta.get("max_n") not in range(1, _MAX_N + 1):
        raise ValueError("模型文件已损坏：n-gram 长度无效")
    dense = meta.get("dense_features")
    if dense and dense != feature_names():
        raise ValueError("模型训练时所用的线索词表与当前引擎不一致；请用 kesu train 重新训练")
    if not isinstance(dense, list) or not isinstance(meta.get("dense_scale"), int | float):
        raise ValueError("模型文件已损坏：线索特征说明缺失")
    if version >= 3:
        ending, ending_n = meta.get("ending_chars"), meta.get("ending_n")
        if (
            not isinstance(meta.get("text_edges"), bool)
            or not isinstance(ending, int)
            or ending < 0
            or (ending and ending_n not in range(1, _MAX_N))  # tag + n-gram must fit 64 bits
        ):
            raise ValueError("模型文件已损坏：首尾与末句特征说明无效")


def _check_shapes(model: LinearTextModel) -> None:
    import numpy as np

    n_terms = len(model.keys)
    scorers = 1 if len(model.labels) == 2 else len(model.labels)
    ok = (
        n_terms > 0
        and model.keys.dtype == np.uint64
        and model.keys.shape == (n_terms,)
        and bool(np.all(model.keys[1:] > model.keys[:-1]))
        and model.idf.shape == (n_terms,)
        and model.coef.shape == (scorers, n_terms)
        and model.dense_coef.shape == (scorers, len(model.meta["dense_features"]))
        and model.intercept.shape == (scorers,)
        and model.cal_a.shape == (scorers,)
        and model.cal_b.shape == (scorers,)
    )
    if not ok:
        raise ValueError("模型文件已损坏：各数组的维度或顺序不一致；请用 kesu train 重新训练")
