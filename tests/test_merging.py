"""Merging layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot and
their functional forms. Small tables by hand, values and gradients against torch, the
symbolic shapes against the computed ones, the errors, and two-branch models that train,
save and load."""

import json

import numpy as np
import pytest

import baeum
from baeum import layers
from baeum.layers import Dense, Input
from baeum.models import Model, load_model
from oracle import compare, requires_torch, torch

A = np.array([[1.0, 5.0], [3.0, -2.0]])
B = np.array([[4.0, 2.0], [3.0, 0.0]])
C = np.array([[0.5, 1.0], [-1.0, 8.0]])


@pytest.mark.parametrize("cls, inputs, expected", [
    (layers.Add, [A, B, C], [[5.5, 8.0], [5.0, 6.0]]),
    (layers.Subtract, [A, B], [[-3.0, 3.0], [0.0, -2.0]]),
    (layers.Multiply, [A, B, C], [[2.0, 10.0], [-9.0, 0.0]]),
    (layers.Average, [A, B], [[2.5, 3.5], [3.0, -1.0]]),
    (layers.Maximum, [A, B, C], [[4.0, 5.0], [3.0, 8.0]]),
    (layers.Minimum, [A, B, C], [[0.5, 1.0], [-1.0, -2.0]]),
])
def test_elementwise_merges_by_hand(cls, inputs, expected):
    out = cls()(inputs)
    assert out.data.tolist() == expected
    assert out.dtype == np.float32  # float64 arrays are cast to the layer's dtype


def test_functional_forms_are_the_layers():
    pairs = [(layers.add, layers.Add), (layers.subtract, layers.Subtract),
             (layers.multiply, layers.Multiply), (layers.average, layers.Average),
             (layers.maximum, layers.Maximum), (layers.minimum, layers.Minimum)]
    for fn, cls in pairs:
        np.testing.assert_array_equal(fn([A, B]).data, cls()([A, B]).data)
    np.testing.assert_array_equal(layers.concatenate([A, B], axis=0).data,
                                  np.concatenate([A, B], axis=0))
    np.testing.assert_array_equal(layers.dot([A, B], axes=1).data,
                                  (A * B).sum(axis=1, keepdims=True))


def test_concatenate_and_dot_by_hand():
    assert layers.Concatenate()([A, B]).data.tolist() == [[1, 5, 4, 2], [3, -2, 3, 0]]
    assert layers.Concatenate(axis=0)([A, B]).shape == (4, 2)
    # Row by row: 1*4 + 5*2 = 14 and 3*3 + (-2)*0 = 9.
    assert layers.Dot(axes=1)([A, B]).data.tolist() == [[14.0], [9.0]]
    # Cosine similarity: rows (1, 5) and (4, 2): 14 / (sqrt(26) sqrt(20)).
    cos = layers.Dot(axes=1, normalize=True)([A, B]).data
    np.testing.assert_allclose(cos[0, 0], 14 / np.sqrt(26 * 20), rtol=1e-6)
    np.testing.assert_allclose(cos[1, 0], 9 / (np.sqrt(13) * 3), rtol=1e-6)


def _merge_case(cls, **kwargs):
    def run(*xs):
        return cls(dtype="float64", **kwargs)(list(xs))
    return run


@requires_torch
@pytest.mark.parametrize("cls, torch_fn, shapes", [
    (layers.Add, lambda a, b, c: a + b + c, [(3, 4), (3, 4), (3, 4)]),
    (layers.Subtract, lambda a, b: a - b, [(3, 2, 4), (3, 1, 4)]),
    (layers.Multiply, lambda a, b, c: a * b * c, [(3, 2, 4), (3, 4), (3, 2, 1)]),
    (layers.Average, lambda a, b: (a + b) / 2, [(3, 5), (3, 5)]),
    (layers.Maximum, lambda a, b, c: torch.maximum(torch.maximum(a, b), c),
     [(3, 4), (3, 4), (3, 4)]),
    (layers.Minimum, lambda a, b: torch.minimum(a, b), [(3, 2, 4), (3, 2, 4)]),
])
def test_elementwise_merges_match_torch(cls, torch_fn, shapes, rng):
    # A lower-rank input gets unit axes right after the batch axis: (3, 4) -> (3, 1, 4).
    def torch_case(*ts):
        rank = max(t.ndim for t in ts)
        return torch_fn(*[t.reshape(t.shape[0], *(1,) * (rank - t.ndim), *t.shape[1:])
                          for t in ts])
    compare(_merge_case(cls), torch_case, [rng.standard_normal(s) for s in shapes])


@requires_torch
def test_concatenate_matches_torch(rng):
    xs = [rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4))]
    compare(_merge_case(layers.Concatenate, axis=1), lambda a, b: torch.cat([a, b], dim=1), xs)
    xs = [rng.standard_normal((2, 3)), rng.standard_normal((2, 1)), rng.standard_normal((2, 6))]
    compare(_merge_case(layers.Concatenate), lambda *ts: torch.cat(ts, dim=-1), xs)


@requires_torch
@pytest.mark.parametrize("axes, shapes, torch_fn", [
    (1, [(4, 5), (4, 5)], lambda a, b: (a * b).sum(1, keepdim=True)),
    (-1, [(4, 5), (4, 5)], lambda a, b: (a * b).sum(1, keepdim=True)),
    (2, [(4, 3, 5), (4, 6, 5)], lambda a, b: a @ b.transpose(1, 2)),
    ((1, 2), [(4, 3, 5), (4, 6, 3)], lambda a, b: a.transpose(1, 2) @ b.transpose(1, 2)),
    ((2, 1), [(4, 3, 5), (4, 5)], lambda a, b: (a @ b[:, :, None])[:, :, 0]),
    ((1, 1), [(4, 3), (4, 3, 6)], lambda a, b: (a[:, None, :] @ b)[:, 0, :]),
])
def test_dot_matches_torch(axes, shapes, torch_fn, rng):
    xs = [rng.standard_normal(s) for s in shapes]
    out = compare(_merge_case(layers.Dot, axes=axes), torch_fn, xs)
    assert out.shape == layers.Dot(axes=axes).compute_output_shape(shapes)


@requires_torch
def test_dot_normalize_is_cosine_similarity_like_torch(rng):
    xs = [rng.standard_normal((6, 4)), rng.standard_normal((6, 4))]
    compare(_merge_case(layers.Dot, axes=1, normalize=True),
            lambda a, b: torch.nn.functional.cosine_similarity(a, b, dim=1)[:, None], xs)


def test_maximum_tie_splits_the_gradient():
    a = baeum.tensor(np.array([[1.0, 2.0]]), requires_grad=True)
    b = baeum.tensor(np.array([[1.0, 0.0]]), requires_grad=True)
    layers.Maximum(dtype="float64")([a, b]).sum().backward()
    assert a.grad.data.tolist() == [[0.5, 1.0]] and b.grad.data.tolist() == [[0.5, 0.0]]


@pytest.mark.parametrize("layer, shapes", [
    (layers.Add(), [(None, 4), (None, 4)]),
    (layers.Multiply(), [(None, 2, 4), (None, 4), (None, 2, 1)]),
    (layers.Concatenate(), [(None, 3), (None, 5)]),
    (layers.Concatenate(axis=1), [(None, 2, 3), (None, 4, 3)]),
    (layers.Dot(axes=2), [(None, 3, 5), (None, 6, 5)]),
    (layers.Dot(axes=(1, 1)), [(None, 4), (None, 4, 2)]),
])
def test_symbolic_shapes_match_the_computed_ones(layer, shapes, rng):
    symbolic = type(layer).from_config(layer.get_config())(
        [Input(shape=s[1:]) for s in shapes])
    computed = layer([rng.standard_normal((3, *s[1:])) for s in shapes])
    assert symbolic.shape == (None, *computed.shape[1:])


def test_config_round_trip():
    for layer in [layers.Concatenate(axis=1, name="join"), layers.Dot(axes=(1, 2), normalize=True),
                  layers.Dot(axes=-1), layers.Add(name="plus"), layers.Subtract()]:
        config = layer.get_config()
        json.dumps(config)
        assert type(layer).from_config(config).get_config() == config
    assert layers.Dot(axes=(1, 2)).get_config()["axes"] == [1, 2]
    joined = layers.Concatenate()
    joined([A, B])
    assert joined.count_params() == 0 and joined.weights == []


@pytest.mark.parametrize("call, match", [
    (lambda: layers.Add()(np.ones((2, 3))), r"list of inputs.*single input of shape \(2, 3\)"),
    (lambda: layers.Add()(Input(shape=(3,))), r"list of inputs.*\(None, 3\)"),
    (lambda: layers.Add()([]), "at least 1 input"),
    (lambda: layers.Subtract()([A, B, C]), "exactly 2 inputs, got 3"),
    (lambda: layers.Dot(axes=1)([A]), "exactly 2 inputs, got 1"),
    (lambda: layers.Add()([np.ones((2, 3)), np.ones((2, 4))]),
     r"incompatible shapes \[\(2, 3\), \(2, 4\)\].*equal or 1"),
    (lambda: layers.Add()([Input(shape=(3,)), Input(shape=(4,))]), "incompatible shapes"),
    (lambda: layers.Multiply()([np.ones((2, 3)), np.ones((5, 3))]), "different batch sizes"),
    (lambda: layers.Concatenate()([np.ones((2, 3)), np.ones((2, 3, 1))]), "one rank"),
    (lambda: layers.Concatenate()([Input(shape=(2, 3)), Input(shape=(4, 5))]),
     "matching shapes except along the concatenation axis"),
    (lambda: layers.Concatenate(axis=3)([A, B]), "one rank with that axis"),
    (lambda: layers.Dot(axes=1)([np.ones((2, 3)), np.ones((2, 4))]),
     r"axis 1 of the first input \(3\) and axis 1 of the second \(4\)"),
    (lambda: layers.Dot(axes=0)([A, B]), "after the batch axis"),
    (lambda: layers.Dot(axes=(1, 5))([A, B]), "after the batch axis"),
    (lambda: layers.Dot(axes=1)([np.ones((2, 3)), np.ones((4, 3))]), "different batch sizes"),
    (lambda: layers.Dot(axes="last"), "integer or a pair"),
    (lambda: layers.Dot(axes=(1, 2, 3)), "integer or a pair"),
])
def test_errors_name_what_was_expected_and_given(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_concatenate_axis_must_be_an_integer():
    with pytest.raises(TypeError, match="axis must be an integer"):
        layers.Concatenate(axis="features")


def _two_branch_model():
    """Two inputs, concatenated, a residual add, and two heads."""
    left, right = Input(shape=(3,), name="left"), Input(shape=(2,), name="right")
    joined = layers.concatenate([Dense(8, activation="relu")(left),
                                 Dense(8, activation="relu")(right)])
    h = Dense(16, activation="relu")(joined)
    h = layers.add([h, Dense(16)(joined)])             # a skip connection
    label = Dense(2, activation="softmax", name="label")(h)
    score = layers.Dot(axes=1, name="score")([Dense(4)(left), Dense(4)(h)])
    return Model([left, right], [label, score])


def test_two_branch_model_learns_a_rule_that_needs_both_inputs(rng):
    # The class is 1 when the sum of the left features beats the right ones: neither
    # input alone can predict it.
    left, right = rng.standard_normal((400, 3)), 1.5 * rng.standard_normal((400, 2))
    y = (left.sum(1) > right.sum(1)).astype(np.int64)
    model = _two_branch_model()
    model.compile(baeum.optimizers.Adam(0.01),
                  loss=["sparse_categorical_crossentropy", "mse"], metrics=[["accuracy"], []])
    model.fit([left, right], [y, np.zeros((400, 1))], epochs=40, batch_size=32, verbose=0)
    logs = model.evaluate([left, right], [y, np.zeros((400, 1))], return_dict=True, verbose=0)
    assert logs["label_accuracy"] > 0.95, logs


def test_two_branch_model_saves_and_loads(tmp_path, rng):
    model = _two_branch_model()
    xs = [rng.standard_normal((5, 3)), rng.standard_normal((5, 2))]
    before = model.predict(xs)
    model.save(tmp_path / "two.baeum")
    loaded = load_model(tmp_path / "two.baeum")
    assert [type(layer).__name__ for layer in loaded.layers] == \
        [type(layer).__name__ for layer in model.layers]
    for a, b in zip(before, loaded.predict(xs)):
        np.testing.assert_array_equal(a, b)
    assert model.count_params() == loaded.count_params()
