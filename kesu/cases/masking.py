"""Masking personal data for display: every page, API response and export uses these."""

from __future__ import annotations

from kesu.analysis.pii import mask_digits, mask_text

__all__ = ["mask_id_number", "mask_name", "mask_phone", "mask_text", "masked_person"]


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳明华 → 欧**华; organisation names (long) keep head and tail."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    if len(name) <= 4:
        return name[0] + "*" * (len(name) - 2) + name[-1]
    return name[:2] + "*" * (len(name) - 4) + name[-2:]


def mask_phone(phone: str) -> str:
    """13800001234 → 138****1234; landlines keep their area code and last four digits."""
    digits = "".join(c for c in phone or "" if c.isdigit())
    if not digits:
        return ""
    if len(digits) < 7:
        return "*" * len(digits)
    return mask_digits(phone, 3, 4)


def mask_id_number(id_number: str) -> str:
    """110101199001011234 → 110***********1234."""
    if not (id_number or "").strip():
        return ""
    if len(id_number.strip()) < 8:
        return "*" * len(id_number.strip())
    return mask_digits(id_number, 3, 4)


def masked_person(name: str, phone: str, id_number: str) -> str:
    """One line naming a person with everything masked: 王*明 138****1234 110***********1234."""
    return " ".join(p for p in (mask_name(name), mask_phone(phone), mask_id_number(id_number)) if p)
