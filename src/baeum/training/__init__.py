"""The Keras training loop behind `Model.compile/fit/evaluate/predict` (see trainer.py)."""

from baeum.training.trainer import Trainer

__all__ = ["Trainer"]
