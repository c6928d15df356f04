"""Doc: clause and sentence bounds, and the width folding of `normalize`, against their plain forms."""

from __future__ import annotations

import random

from kesu.analysis.doc import _bounds, _bounds_table, _width_fold, make_doc, normalize
from kesu.analysis.types import Complaint


def test_bounds_table_gives_the_bisection_result_at_every_position() -> None:
    rnd = random.Random(7)
    for _ in range(3000):
        length = rnd.randrange(0, 40)
        breaks = sorted(rnd.sample(range(length), rnd.randrange(0, length + 1)))
        table = _bounds_table(breaks, length)
        assert [_bounds(breaks, pos, length) for pos in range(length + 1)] == table


def test_clause_and_sentence_bounds_of_a_complaint() -> None:
    doc = make_doc(Complaint(text="我要投诉，你们乱扣费！还不退。"))
    assert doc.clause("我要投诉，你们乱扣费！还不退。".index("乱")) == "你们乱扣费"
    start, end = doc.sentence_bounds(doc.text.index("还"))
    assert doc.text[start:end] == "还不退"
    # a position past the end (a hit ending the text) still has bounds
    assert doc.clause_bounds(len(doc.text) + 3) == (len(doc.text), len(doc.text))


def test_width_folding_is_the_character_by_character_fold() -> None:
    rnd = random.Random(11)
    alphabet = "投诉ＡＢｚ０９，！？：（）\u3000 abc,!?" + "".join(map(chr, range(0xFF01, 0xFF5F, 7)))
    for _ in range(2000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(0, 30)))
        expected = "".join(_width_fold(c) for c in text).lower()
        assert normalize(text) == expected
