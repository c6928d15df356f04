"""Industry and product detection (banking, insurance, securities, telecom, e-commerce).

STUB — owned by the law-and-industry work; returns the declared industry and no products.
"""

from __future__ import annotations

from kesu.analysis.doc import Doc


def detect_industry(doc: Doc) -> tuple[str, list[str]]:
    """The industry (declared, else detected) and the reasons for it."""
    return (doc.complaint.industry or "general", [])


def detect_products(doc: Doc) -> list[str]:
    """Products named in the text (信用卡, 重疾险, 宽带…), normalised to their canonical name."""
    return [doc.complaint.product] if doc.complaint.product else []
