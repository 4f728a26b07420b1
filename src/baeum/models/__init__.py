"""`baeum.models`: `Model` (subclassing and functional), `Sequential`, and the summary."""

from baeum.models.cloning import clone_model
from baeum.models.functional import Functional, InputLayer
from baeum.models.model import Model
from baeum.models.sequential import Sequential
from baeum.saving import load_model
from baeum.saving.json_config import model_from_json

__all__ = ["Model", "Functional", "InputLayer", "Sequential", "clone_model", "load_model",
           "model_from_json"]
