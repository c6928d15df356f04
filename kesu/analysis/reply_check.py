"""The reply check: reads a draft reply the way a senior handler would (contract.md, reply check).

STUB — owned by the reply-check work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Finding:
    rule: str
    evidence: str
    start: int
    end: int
    suggestion: str


@dataclass(frozen=True)
class ReplyCheck:
    id: str | None
    findings: list[Finding] = field(default_factory=list)
    score: float = 100.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "findings": [
                {
                    "rule": f.rule,
                    "evidence": f.evidence,
                    "start": f.start,
                    "end": f.end,
                    "suggestion": f.suggestion,
                }
                for f in self.findings
            ],
            "score": self.score,
        }


def check_reply(text: str, *, id: str | None = None) -> ReplyCheck:
    return ReplyCheck(id=id)
