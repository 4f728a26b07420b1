"""`baeum.layers`: every layer, with Keras names, arguments and defaults."""

from baeum.layers.core import Activation, Dense, Dropout, Flatten, Reshape
from baeum.layers.input_spec import InputSpec
from baeum.layers.layer import Layer, clear_session
from baeum.layers.symbolic import Input, KerasTensor
