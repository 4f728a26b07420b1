"""Mistakes a user can make with the core, and what the error says about them."""

import numpy as np
import pytest

import baeum
import baeum.functional as F
from baeum import losses


# --- shapes -----------------------------------------------------------------------------
def test_matmul_mismatch_names_the_op_and_both_shapes():
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(4, 5\) do not fit"):
        baeum.ones(2, 3) @ baeum.ones(4, 5)
    with pytest.raises(ValueError, match=r"matmul: shapes \(3,\) and \(4,\)"):
        baeum.matmul(baeum.ones(3), baeum.ones(4))


def test_batched_matmul_mismatch_names_the_op_and_both_shapes():
    with pytest.raises(ValueError, match=r"MatMul.*\(2, 3, 4\) and \(5, 4, 6\)"):
        baeum.ones(2, 3, 4) @ baeum.ones(5, 4, 6)


@pytest.mark.parametrize(
    "op, name",
    [(lambda a, b: a + b, "Add"), (lambda a, b: a - b, "Sub"), (lambda a, b: a * b, "Mul"),
     (lambda a, b: a / b, "Div"), (lambda a, b: a**b, "Pow"), (baeum.maximum, "Maximum")],
)
def test_broadcast_mismatch_names_the_op_and_both_shapes(op, name):
    with pytest.raises(ValueError, match=rf"{name}: cannot broadcast shapes \(2, 3\) and \(4,\)"):
        op(baeum.ones(2, 3), baeum.ones(4))


def test_linear_mismatch():
    with pytest.raises(ValueError, match=r"last dimension 3 \(shape \(2, 3\)\).*\(4, 5\)"):
        F.linear(baeum.ones(2, 3), baeum.ones(4, 5))
    with pytest.raises(ValueError, match=r"weight must be 2-D"):
        F.linear(baeum.ones(2, 3), baeum.ones(3))


def test_reshape_concatenate_stack_split_mismatches():
    with pytest.raises(ValueError, match=r"shape \(3,\) \(3 elements\) into \(2, 2\)"):
        baeum.ones(3).reshape(2, 2)
    with pytest.raises(ValueError, match=r"except on axis 0, got \[\(2, 3\), \(2, 4\)\]"):
        baeum.concatenate([baeum.ones(2, 3), baeum.ones(2, 4)])
    with pytest.raises(ValueError, match=r"one shape, got \[\(2, 3\), \(2, 4\)\]"):
        baeum.stack([baeum.ones(2, 3), baeum.ones(2, 4)])
    with pytest.raises(ValueError, match=r"size 5 does not divide into 2 parts"):
        baeum.split(baeum.ones(5), 2)


def test_axis_out_of_range():
    with pytest.raises(ValueError, match=r"axis 1 is out of range for a tensor with 1 dim"):
        baeum.ones(3).sum(axis=1)
    with pytest.raises(ValueError, match=r"repeats an axis"):
        baeum.ones(3, 4).mean(axis=(0, -2))


def test_backward_grad_of_the_wrong_shape():
    x = baeum.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match=r"gradient of shape \(2,\), got \(2, 1\)"):
        (x * 2).backward(np.ones((2, 1)))


# --- dtypes and data ------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float33", "complex64", "str"])
def test_unknown_dtype_lists_the_valid_ones(dtype):
    with pytest.raises(TypeError, match=rf"unknown dtype '{dtype}'; expected one of .*float32"):
        baeum.tensor([1.0], dtype=dtype)


def test_unsupported_numpy_dtype():
    with pytest.raises(TypeError, match="unsupported dtype complex64"):
        baeum.zeros(2, dtype=np.complex64)
    with pytest.raises(TypeError, match="unknown dtype"):
        baeum.ones(2).astype("bfloat16")


@pytest.mark.parametrize(
    "data, shown",
    [("abc", "str 'abc'"), ({"a": 1}, r"dict \{'a': 1\}"), (None, "NoneType None"),
     ([1j, 2j], "list"), (object(), "object")],
)
def test_non_numeric_data_is_refused(data, shown):
    with pytest.raises(TypeError, match=rf"a tensor holds numbers .*got {shown}"):
        baeum.tensor(data)


def test_ragged_list_is_refused():
    with pytest.raises(TypeError, match="cannot make a tensor from list.*inhomogeneous"):
        baeum.tensor([[1.0, 2.0], [3.0]])


def test_non_numeric_operand_is_refused():
    with pytest.raises(TypeError, match="got str 'a'"):
        baeum.ones(3) + "a"
    with pytest.raises(TypeError, match="got dict"):
        baeum.ones(3) * {"w": 2}


# --- gradients ---------------------------------------------------------------------------
def test_backward_on_a_tensor_that_does_not_require_grad():
    x = baeum.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="does not require grad.*requires_grad=True"):
        (x * 2).sum().backward()


def test_requires_grad_on_an_int_tensor():
    with pytest.raises(TypeError, match="only floating-point .* gradients, got dtype int64"):
        baeum.tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError, match="only floating-point .* gradients, got dtype int32"):
        baeum.tensor(np.array([1, 2], np.int32)).requires_grad_()
    with pytest.raises(TypeError, match="got dtype bool"):
        baeum.tensor([True], requires_grad=True)


def test_item_on_a_non_scalar():
    with pytest.raises(ValueError, match=r"exactly one element, got shape \(2, 3\)"):
        baeum.ones(2, 3).item()
    with pytest.raises(ValueError, match=r"ambiguous"):
        bool(baeum.ones(3))


# --- functional and losses ---------------------------------------------------------------
def test_functional_argument_errors():
    with pytest.raises(ValueError, match=r"dropout rate must be in \[0, 1\), got 1.0"):
        F.dropout(baeum.ones(3), 1.0)
    with pytest.raises(ValueError, match="'none' or 'tanh', got 'fast'"):
        F.gelu(baeum.ones(3), approximate="fast")
    with pytest.raises(ValueError, match="at least one of lo and hi"):
        baeum.clip(baeum.ones(3))


def test_embedding_id_errors():
    with pytest.raises(IndexError, match=r"in \[0, 3\) for a table of 3 rows, got .* to 5"):
        F.embedding(np.array([0, 5]), baeum.ones(3, 2))
    with pytest.raises(TypeError, match="ids must be integers, got dtype float64"):
        F.embedding(np.array([0.5]), baeum.ones(3, 2))


def test_loss_label_errors():
    with pytest.raises(ValueError, match=r"class ids in \[0, 3\) .* from 0 to 3"):
        losses.sparse_categorical_crossentropy(np.array([0, 3]), baeum.ones(2, 3))
    with pytest.raises(ValueError, match="look one-hot: use categorical_crossentropy"):
        losses.sparse_categorical_crossentropy(np.eye(3)[[0, 1]], baeum.ones(2, 3))
    with pytest.raises(ValueError, match="look like integer class ids"):
        losses.categorical_crossentropy(np.array([0, 1]), baeum.ones(2, 3))
    with pytest.raises(ValueError, match=r"y_true \(2, 3\) and y_pred \(2, 4\)"):
        losses.mean_squared_error(np.ones((2, 3)), baeum.ones(2, 4))


def test_seed_must_be_a_non_negative_int():
    with pytest.raises(ValueError, match="non-negative integer, got -1"):
        baeum.random.seed(-1)
    with pytest.raises(ValueError, match="got 1.5"):
        baeum.random.seed(1.5)


@pytest.mark.parametrize("module, name, advice", [
    ("callbacks", "TensorBoard", r"CSVLogger\('log.csv'\)"),
    ("callbacks", "BackupAndRestore", r"ModelCheckpoint"),
    ("layers", "TFSMLayer", r"load_model"),
    ("utils", "plot_model", r"model.summary\(\)"),
])
def test_keras_names_baeum_lacks_say_what_to_use_instead(module, name, advice):
    with pytest.raises(AttributeError, match=rf"baeum.{module} has no {name} \(Keras's\): "
                                             rf".*{advice}"):
        getattr(getattr(baeum, module), name)
    with pytest.raises(AttributeError, match=rf"module 'baeum.{module}' has no attribute "
                                             r"'NoSuchThing'"):
        _ = getattr(baeum, module).NoSuchThing


def test_kerass_config_and_session_helpers():
    assert baeum.config.floatx() == "float32" and baeum.config.backend() == "numpy"
    assert baeum.config.image_data_format() == "channels_last"
    assert baeum.config.epsilon() == losses.EPSILON
    baeum.config.set_floatx("float64")
    try:
        assert baeum.layers.Dense(2)(np.ones((1, 3))).dtype == np.float64
    finally:
        baeum.config.set_floatx("float32")
    with pytest.raises(ValueError, match=r"channels-last \(N, H, W, C\) only, got "
                                         r"'channels_first'"):
        baeum.config.set_image_data_format("channels_first")
    baeum.layers.Dense(2)
    baeum.backend.clear_session()                   # as keras.backend.clear_session()
    assert baeum.layers.Dense(2).name == "dense"
    baeum.utils.clear_session()
    assert baeum.Layer is baeum.layers.Layer and baeum.KerasTensor is baeum.layers.KerasTensor
