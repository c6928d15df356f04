"""Trainable text classifiers for any label field (`kesu train`, `kesu analyze --model`).

STUB — owned by the classifier work. The engine only relies on `TextModel.predict`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from kesu.analysis.types import Prediction


class TextModel(Protocol):
    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """One prediction per text, in order, with calibrated confidence and band."""
        ...


def load_model(path: str) -> TextModel:
    raise NotImplementedError("模型功能尚未实现")
