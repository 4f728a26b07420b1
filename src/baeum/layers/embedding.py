"""Embedding: integer ids -> rows of a trainable table (word vectors)."""

import numpy as np

from baeum import constraints, initializers, regularizers
from baeum import functional as F
from baeum.autograd.tensor import Tensor
from baeum.layers.layer import Layer


class Embedding(Layer):
    """ids (batch, ...) integers in [0, input_dim) -> (batch, ..., output_dim).

    The table `embeddings` has shape (input_dim, output_dim): input_dim*output_dim
    parameters. Float ids holding whole numbers (as a model's float32 Input gives)
    are cast to integers; other floats are an error.

    >>> import baeum, numpy as np
    >>> layer = baeum.layers.Embedding(1000, 64)
    >>> layer(np.array([[4, 20, 7]])).shape
    (1, 3, 64)
    >>> layer.count_params()
    64000
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, activity_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, input_length=None, **kwargs):
        # input_length is Keras 2's; Keras 3 ignores it and so do we (kept out of the config).
        super().__init__(**kwargs)
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Embedding {arg} must be a positive integer, got {value!r}")
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        # mask_zero: id 0 is padding. The output then carries a mask (ids != 0) that
        # recurrent layers and GlobalAveragePooling1D use to skip the padded steps.
        self.mask_zero = bool(mask_zero)

    def build(self, input_shape):
        self.embeddings = self.add_weight(
            "embeddings", (self.input_dim, self.output_dim), self.embeddings_initializer,
            regularizer=self.embeddings_regularizer, constraint=self.embeddings_constraint,
        )

    makes_mask = True

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return self._integer_ids(inputs) != 0

    def call(self, inputs):
        ids = self._integer_ids(inputs)
        try:
            return F.embedding(ids, self.embeddings)
        except IndexError as e:
            raise IndexError(
                f"Embedding '{self.name}' has input_dim={self.input_dim}, so ids must be in "
                f"[0, {self.input_dim}): {e}. Is input_dim the size of the vocabulary "
                "(largest id + 1)?"
            ) from None

    def _integer_ids(self, inputs):
        ids = inputs.data if isinstance(inputs, Tensor) else np.asarray(inputs)
        if ids.dtype.kind in "iu":
            return ids
        if ids.dtype.kind == "f":
            as_int = ids.astype(np.int64)
            if np.array_equal(as_int, ids):
                return as_int
            raise TypeError(
                f"Embedding '{self.name}' expects integer ids, got float values that are not "
                f"whole numbers (e.g. {ids[ids != as_int].flat[0]!r}); pass token ids, not "
                "features"
            )
        raise TypeError(f"Embedding '{self.name}' expects integer ids, got dtype {ids.dtype}")

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)

    def get_config(self):
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
        }

