"""`kesu train`: fit, cross-validate and save a text classifier.

STUB — owned by the classifier work.
"""

from __future__ import annotations


def train_command(*, data: str, label_field: str, out: str, folds: int) -> int:
    raise NotImplementedError("训练功能尚未实现")
