"""Keras 3's guide "Understanding masking & padding", on baeum: pad_sequences, the masks
Embedding(mask_zero=True) and Masking attach, passing a mask by hand, a layer whose
compute_mask splits it, a custom embedding that makes one, supports_masking set in
__init__, and a layer whose call takes the mask (also while a functional model is built)."""

import numpy as np

import baeum
from baeum import layers, ops

RAW = [[711, 632, 71], [73, 8, 3215, 55, 927], [83, 91, 1, 645, 1253, 927]]
PADDED = baeum.utils.pad_sequences(RAW, padding="post")
REAL = PADDED != 0


def test_pad_sequences_and_the_masks_embedding_and_masking_attach():
    assert PADDED.tolist() == [[711, 632, 71, 0, 0, 0], [73, 8, 3215, 55, 927, 0],
                               [83, 91, 1, 645, 1253, 927]]
    embedding = layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True)
    np.testing.assert_array_equal(embedding(PADDED)._keras_mask, REAL)
    unmasked = ops.cast(ops.tile(ops.expand_dims(PADDED, axis=-1), [1, 1, 10]), "float32")
    np.testing.assert_array_equal(layers.Masking()(unmasked)._keras_mask, REAL)


def test_a_mask_passed_by_hand_is_the_implicit_one():
    class MyLayer(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.embedding = layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True)
            self.lstm = layers.LSTM(32)

        def call(self, inputs):
            x = self.embedding(inputs)
            return self.lstm(x, mask=self.embedding.compute_mask(inputs))

    layer = MyLayer()
    by_hand = layer(PADDED).data
    implicit = layer.lstm(layer.embedding(PADDED)).data
    np.testing.assert_allclose(by_hand, implicit, rtol=1e-6)
    # the padding changes nothing: the first sequence alone gives its row
    np.testing.assert_allclose(layer(np.array([RAW[0]])).data[0], by_hand[0], rtol=1e-5,
                               atol=1e-6)


def test_compute_mask_can_split_the_mask_with_the_outputs():
    class TemporalSplit(layers.Layer):
        def call(self, inputs):
            return ops.split(inputs, 2, axis=1)

        def compute_mask(self, inputs, mask=None):
            return None if mask is None else ops.split(mask, 2, axis=1)

    embedded = layers.Embedding(input_dim=10, output_dim=3, mask_zero=True)(
        np.array([[1, 2, 3, 4, 5, 6, 0, 0]]))
    first_half, second_half = TemporalSplit()(embedded)
    assert first_half._keras_mask.tolist() == [[True, True, True, True]]
    assert second_half._keras_mask.tolist() == [[True, True, False, False]]


def test_a_custom_embedding_makes_a_mask_the_lstm_uses():
    class CustomEmbedding(layers.Layer):
        def __init__(self, input_dim, output_dim, mask_zero=False, **kwargs):
            super().__init__(**kwargs)
            self.input_dim, self.output_dim, self.mask_zero = input_dim, output_dim, mask_zero

        def build(self, input_shape):
            self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                              initializer="random_normal", dtype="float32")

        def call(self, inputs):
            return ops.take(self.embeddings, ops.cast(inputs, "int32"), axis=0)

        def compute_mask(self, inputs, mask=None):
            return ops.not_equal(inputs, 0) if self.mask_zero else None

    layer = CustomEmbedding(5000, 32, mask_zero=True)
    np.testing.assert_array_equal(layer(PADDED)._keras_mask, REAL)
    inputs = baeum.Input(shape=(None,), dtype="int32")
    model = baeum.Model(inputs, layers.LSTM(8)(layer(inputs)))
    padded_more = np.pad(PADDED, ((0, 0), (0, 4)))                  # more padding: same answer
    np.testing.assert_allclose(model.predict(padded_more, verbose=0),
                               model.predict(PADDED, verbose=0), rtol=1e-5, atol=1e-6)


def test_supports_masking_set_in_init_passes_the_mask_on():
    class MyActivation(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True

        def call(self, inputs):
            return ops.relu(inputs)

    inputs = baeum.Input(shape=(None,), dtype="int32")
    x = MyActivation()(layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True)(inputs))
    model = baeum.Model(inputs, layers.LSTM(32)(x))
    np.testing.assert_allclose(model.predict(np.pad(PADDED, ((0, 0), (0, 3))), verbose=0),
                               model.predict(PADDED, verbose=0), rtol=1e-5, atol=1e-6)


def test_a_layer_whose_call_takes_the_mask_gets_it_while_the_model_is_built_too():
    class TemporalSoftmax(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True

        def call(self, inputs, mask=None):
            assert mask is not None
            broadcast_float_mask = ops.expand_dims(ops.cast(mask, "float32"), -1)
            inputs_exp = ops.exp(inputs) * broadcast_float_mask
            # (over the steps, axis 1: the guide's axis=-1 sums a single feature)
            inputs_sum = ops.sum(inputs_exp * broadcast_float_mask, axis=1, keepdims=True)
            return inputs_exp / inputs_sum

    inputs = baeum.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(input_dim=10, output_dim=32, mask_zero=True)(inputs)
    x = layers.Dense(1)(x)
    model = baeum.Model(inputs, TemporalSoftmax()(x))
    y = model(np.array([[1, 2, 3, 0, 0]])).data[0, :, 0]
    np.testing.assert_array_equal(y[3:], 0)                    # padded steps get nothing
    assert abs(y[:3].sum() - 1) < 1e-6                          # a softmax over real steps
