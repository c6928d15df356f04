"""kesu.analysis — the pure analysis engine (contract.md). No Django, no database, no network."""

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
