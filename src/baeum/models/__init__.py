"""`baeum.models`: `Model` (subclassing and functional), `Sequential`, and the summary."""

from baeum.models.functional import Functional, InputLayer
from baeum.models.model import Model
from baeum.models.sequential import Sequential
from baeum.saving import load_model

__all__ = ["Model", "Functional", "InputLayer", "Sequential", "load_model"]
