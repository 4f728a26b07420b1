"""`baeum.callbacks`: hooks into fit/evaluate/predict, with Keras's names.

`Callback` is the base class; `History` is what `fit` returns; `ProgbarLogger`
draws the progress bar; `CallbackList` calls a hook on each of them.
"""

from baeum import not_in_baeum as _not_in_baeum
from baeum.callbacks.callback import Callback
from baeum.callbacks.callback_list import CallbackList
from baeum.callbacks.csv_logger import CSVLogger
from baeum.callbacks.early_stopping import EarlyStopping
from baeum.callbacks.history import History
from baeum.callbacks.lambda_callback import LambdaCallback
from baeum.callbacks.lr_scheduler import LearningRateScheduler
from baeum.callbacks.model_checkpoint import ModelCheckpoint
from baeum.callbacks.progbar_logger import ProgbarLogger
from baeum.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from baeum.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger", "CSVLogger", "EarlyStopping",
           "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint", "ReduceLROnPlateau",
           "TerminateOnNaN"]

# Keras names baeum does not have: the error says what to use instead.
__getattr__ = _not_in_baeum.module_getattr(__name__)

