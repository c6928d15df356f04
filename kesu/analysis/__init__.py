"""kesu.analysis — the pure analysis engine (contract.md). No Django, no database, no network.

Pure Python; its hot modules also run compiled by mypyc from these same sources when a fresh
build exists (`make compile`, ADR 0010; `_native.py` decides, before anything else is imported).
"""

from kesu.analysis import _native

_native.activate(__path__)

# ruff: noqa: E402 — the compiled modules, when usable, must be on the path before these imports
from kesu.analysis.engine import ENGINE, VERSION, analyze, analyze_many
from kesu.analysis.inputs import complaint_from_dict
from kesu.analysis.reply_check import ReplyCheck, check_reply
from kesu.analysis.types import Analysis, Complaint, CustomerInfo, InputError

__all__ = [
    "ENGINE",
    "VERSION",
    "Analysis",
    "Complaint",
    "CustomerInfo",
    "InputError",
    "ReplyCheck",
    "analyze",
    "analyze_many",
    "check_reply",
    "complaint_from_dict",
]
