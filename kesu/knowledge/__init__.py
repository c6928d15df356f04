"""kesu.knowledge — handling knowledge as pure Python: the handling plan and compensation guidance.

No Django import: the engine's CLI and the workbench both use it (docs/handling-plan.md).
"""

from kesu.knowledge.compensation import CompensationGuidance, Item, Punitive, guidance, punitive_amount
from kesu.knowledge.plan import Avoid, DeadlineHint, Escalation, HandlingPlan, Stage, Step, build_plan

__all__ = [
    "Avoid",
    "CompensationGuidance",
    "DeadlineHint",
    "Escalation",
    "HandlingPlan",
    "Item",
    "Punitive",
    "Stage",
    "Step",
    "build_plan",
    "guidance",
    "punitive_amount",
]
