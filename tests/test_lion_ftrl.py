"""Lion and Ftrl: 20 steps against NumPy transcriptions of Keras 3's update_step
(keras/src/optimizers/lion.py, ftrl.py) and of the papers' algorithms, then state, config,
names, dtype, the flat small-weights path, and training a model that is saved and resumed."""

import math

import numpy as np
import pytest

import baeum
from baeum import optimizers
from baeum.layers import Dense, Input
from baeum.optimizers import schedules
from test_optimizers import (
    CONST,
    DECAY,
    DECAYING,
    assert_config_round_trips,
    assert_flat_update_equals_weight_by_weight,
    assert_float32_stays_float32,
    assert_matches_reference,
    assert_minimises_a_quadratic,
    assert_state_round_trip_continues_identically,
    assert_weights_close,
    make_problem,
    run_baeum,
)
from test_saving import fit_save_load

# --- transcriptions ---------------------------------------------------------------------------


def keras_lion(w0, grads, lrs, b1=0.9, b2=0.99, weight_decay=None):
    """Keras's update_step, with its base class's decoupled weight decay before it."""
    ws = [w.copy() for w in w0]
    m = [np.zeros_like(w) for w in w0]
    for lr, gs in zip(lrs, grads):
        for i, g in enumerate(gs):
            if weight_decay is not None:
                ws[i] = ws[i] - ws[i] * weight_decay * lr
            ws[i] = ws[i] - lr * np.sign(m[i] * b1 + g * (1.0 - b1))
            m[i] = m[i] * b2 + g * (1.0 - b2)
    return ws


def paper_lion(w0, grads, lrs, b1=0.9, b2=0.99, weight_decay=0.0):
    """Chen et al. 2023, Algorithm 2 (Lion with decoupled weight decay lambda):
    c = b1 m + (1 - b1) g;  w = w - lr (sign(c) + lambda w);  m = b2 m + (1 - b2) g."""
    ws = [w.copy() for w in w0]
    m = [np.zeros_like(w) for w in w0]
    for lr, gs in zip(lrs, grads):
        for i, g in enumerate(gs):
            c = b1 * m[i] + (1 - b1) * g
            ws[i] = ws[i] - lr * (np.sign(c) + weight_decay * ws[i])
            m[i] = b2 * m[i] + (1 - b2) * g
    return ws


def keras_ftrl(w0, grads, lrs, lr_power=-0.5, initial=0.1, l1=0.0, l2=0.0, l2_shrinkage=0.0,
               beta=0.0, weight_decay=None):
    ws = [w.copy() for w in w0]
    accum = [np.full_like(w, initial) for w in w0]
    linear = [np.zeros_like(w) for w in w0]
    for lr, gs in zip(lrs, grads):
        for i, g in enumerate(gs):
            if weight_decay is not None:
                ws[i] = ws[i] - ws[i] * weight_decay * lr
            l2_reg = l2 + beta / (2.0 * lr)
            grad_to_use = g + 2 * l2_shrinkage * ws[i]
            new_accum = accum[i] + g**2
            linear[i] = linear[i] + (
                grad_to_use - (new_accum ** -lr_power - accum[i] ** -lr_power) / lr * ws[i])
            quadratic = new_accum ** -lr_power / lr + 2 * l2_reg
            ws[i] = (np.clip(linear[i], -l1, l1) - linear[i]) / quadratic
            accum[i] = new_accum
    return ws


def paper_ftrl(w0, grads, alpha, beta=0.0, lambda_1=0.0, lambda_2=0.0):
    """McMahan et al. 2013, Algorithm 1 (FTRL-Proximal, per coordinate), n and z from 0:
        w = 0 if |z| <= lambda_1 else -(z - sgn(z) lambda_1) / ((beta + sqrt(n)) / alpha
                                                               + lambda_2)
        g observed;  sigma = (sqrt(n + g^2) - sqrt(n)) / alpha;  z += g - sigma w;  n += g^2
    The weights are computed from z and n before each gradient; starting from w0 means
    z = -w0 * (beta / alpha + lambda_2) is not 0: we start from w = 0 instead."""
    shapes = [w.shape for w in w0]
    z = [np.zeros(s) for s in shapes]
    n = [np.zeros(s) for s in shapes]

    def weights():  # (the 0 / 0 of the unused branch where n = 0 is ignored)
        with np.errstate(invalid="ignore", divide="ignore"):
            return [np.where(np.abs(zi) <= lambda_1, 0.0,
                             -(zi - np.sign(zi) * lambda_1) / ((beta + np.sqrt(ni)) / alpha
                                                               + lambda_2))
                    for zi, ni in zip(z, n)]

    for gs in grads:
        w = weights()
        for i, g in enumerate(gs):
            sigma = (np.sqrt(n[i] + g**2) - np.sqrt(n[i])) / alpha
            z[i] = z[i] + g - sigma * w[i]
            n[i] = n[i] + g**2
    return weights()


REFERENCE_CASES = {
    "lion_defaults": (lambda: optimizers.Lion(), lambda w0, g: keras_lion(w0, g, [0.001] * 20)),
    "lion": (lambda: optimizers.Lion(0.05, beta_1=0.8, beta_2=0.95),
             lambda w0, g: keras_lion(w0, g, CONST, b1=0.8, b2=0.95)),
    "lion_beta_1_is_1": (lambda: optimizers.Lion(0.05, beta_1=1.0),   # sign of the momentum
                         lambda w0, g: keras_lion(w0, g, CONST, b1=1.0)),
    "lion_schedule_weight_decay": (
        lambda: optimizers.Lion(DECAY, weight_decay=0.5),
        lambda w0, g: keras_lion(w0, g, DECAYING, weight_decay=0.5)),
    "ftrl_defaults": (lambda: optimizers.Ftrl(), lambda w0, g: keras_ftrl(w0, g, [0.001] * 20)),
    "ftrl": (lambda: optimizers.Ftrl(0.05), lambda w0, g: keras_ftrl(w0, g, CONST)),
    "ftrl_l1_l2_beta": (
        lambda: optimizers.Ftrl(0.1, l1_regularization_strength=0.3,
                                l2_regularization_strength=0.2, beta=0.5),
        lambda w0, g: keras_ftrl(w0, g, [0.1] * 20, l1=0.3, l2=0.2, beta=0.5)),
    "ftrl_power_shrinkage": (
        lambda: optimizers.Ftrl(0.05, learning_rate_power=-0.7, initial_accumulator_value=0.5,
                                l2_shrinkage_regularization_strength=0.1),
        lambda w0, g: keras_ftrl(w0, g, CONST, lr_power=-0.7, initial=0.5, l2_shrinkage=0.1)),
    "ftrl_fixed_rate": (
        lambda: optimizers.Ftrl(0.05, learning_rate_power=0.0, l1_regularization_strength=0.1),
        lambda w0, g: keras_ftrl(w0, g, CONST, lr_power=0.0, l1=0.1)),
    "ftrl_schedule_weight_decay": (
        lambda: optimizers.Ftrl(DECAY, l1_regularization_strength=0.05, weight_decay=0.3),
        lambda w0, g: keras_ftrl(w0, g, DECAYING, l1=0.05, weight_decay=0.3)),
}


@pytest.mark.parametrize("case", sorted(REFERENCE_CASES))
def test_matches_keras_formula_over_20_steps(case):
    assert_matches_reference(*REFERENCE_CASES[case])


@pytest.mark.parametrize("b1, b2, weight_decay", [(0.9, 0.99, 0.0), (0.95, 0.98, 1.0),
                                                  (0.5, 0.9, 0.1)])
def test_lion_matches_the_papers_algorithm(b1, b2, weight_decay):
    w0, grads = make_problem(seed=5)
    opt = optimizers.Lion(DECAY, beta_1=b1, beta_2=b2, weight_decay=weight_decay or None)
    assert_weights_close(run_baeum(opt, w0, grads),
                         paper_lion(w0, grads, DECAYING, b1, b2, weight_decay))


@pytest.mark.parametrize("alpha, beta, l1, l2", [(0.1, 0.0, 0.0, 0.0), (0.5, 1.0, 0.2, 0.4),
                                                 (0.05, 0.1, 1.0, 0.0)])
def test_ftrl_matches_the_papers_algorithm(alpha, beta, l1, l2):
    # The paper's lambda_2 is 2 * l2_regularization_strength; its n starts at 0.
    w0, grads = make_problem(seed=6)
    w0 = [np.zeros_like(w) for w in w0]
    opt = optimizers.Ftrl(alpha, initial_accumulator_value=0.0, l1_regularization_strength=l1,
                          l2_regularization_strength=l2 / 2, beta=beta)
    assert_weights_close(run_baeum(opt, w0, grads), paper_ftrl(w0, grads, alpha, beta, l1, l2),
                         rtol=1e-9, atol=1e-12)


def test_lion_moves_every_element_by_exactly_lr():
    w = baeum.tensor(np.array([0.0, 0.0, 0.0, 0.0]))
    opt = optimizers.Lion(0.1)
    opt.apply([np.array([3.0, -1e-6, 0.0, 100.0])], [w])
    np.testing.assert_array_equal(w.data, [-0.1, 0.1, 0.0, -0.1])
    # next step: c = 0.9 m + 0.1 g with m = 0.01 * g_1 = [0.03, ...]; a small opposite
    # gradient does not flip the sign (the momentum dominates) ...
    opt.apply([np.array([-0.2, 0.0, 0.0, 0.0])], [w])
    np.testing.assert_allclose(w.data, [-0.2, 0.2, 0.0, -0.2])


def test_ftrl_l1_gives_exact_zeros():
    r = np.random.default_rng(0)
    w = baeum.tensor(np.zeros(200))
    opt = optimizers.Ftrl(0.5, l1_regularization_strength=3.0)
    signal = np.zeros(200)
    signal[:10] = 1.0                                  # only 10 features matter
    for _ in range(50):
        opt.apply([signal + 0.1 * r.standard_normal(200)], [w])
    assert (w.data[:10] < 0).all()                     # pushed against the gradient
    assert (w.data[10:] == 0).all()                    # the noise features are exactly 0


# --- state, config, names ------------------------------------------------------------------------

STATEFUL = {
    "lion": lambda: optimizers.Lion(DECAY, beta_1=0.8, weight_decay=0.1),
    "ftrl": lambda: optimizers.Ftrl(0.05, l1_regularization_strength=0.01,
                                    l2_shrinkage_regularization_strength=0.1),
}


@pytest.mark.parametrize("name", sorted(STATEFUL))
def test_state_round_trip_continues_identically(name):
    assert_state_round_trip_continues_identically(STATEFUL[name])


def test_state_keys_and_initial_state():
    w, b = baeum.zeros(2, 3), baeum.zeros(3)
    assert list(optimizers.Lion([w, b]).get_state()) == [
        "lion/iterations", "lion/momentum/0", "lion/momentum/1"]
    ftrl = optimizers.Ftrl([w, b], initial_accumulator_value=0.25)
    state = ftrl.get_state()
    assert list(state) == ["ftrl/iterations", "ftrl/accumulator/0", "ftrl/accumulator/1",
                           "ftrl/linear/0", "ftrl/linear/1"]
    assert (state["ftrl/accumulator/0"] == 0.25).all() and not state["ftrl/linear/1"].any()


@pytest.mark.parametrize("name", sorted(STATEFUL))
def test_config_round_trip(name):
    assert_config_round_trips(STATEFUL[name])


def test_keras_names_and_defaults():
    for alias, cls in [("lion", optimizers.Lion), ("Lion", optimizers.Lion),
                       ("ftrl", optimizers.Ftrl), ("FTRL", optimizers.Ftrl)]:
        assert type(optimizers.get(alias)) is cls
    lion = optimizers.Lion()
    assert (lion.learning_rate, lion.beta_1, lion.beta_2, lion.name) == (0.001, 0.9, 0.99,
                                                                         "lion")
    assert lion.get_config() == {"name": "lion", "learning_rate": 0.001, "weight_decay": None,
                                 "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
                                 "beta_1": 0.9, "beta_2": 0.99}
    ftrl = optimizers.Ftrl()
    assert ftrl.get_config() == {
        "name": "ftrl", "learning_rate": 0.001, "weight_decay": None, "clipnorm": None,
        "global_clipnorm": None, "clipvalue": None, "learning_rate_power": -0.5,
        "initial_accumulator_value": 0.1, "l1_regularization_strength": 0.0,
        "l2_regularization_strength": 0.0, "l2_shrinkage_regularization_strength": 0.0,
        "beta": 0.0}
    assert {"Lion", "Ftrl"} <= set(optimizers.ALL_OPTIMIZERS) and \
        {"Lion", "Ftrl"} <= set(optimizers.__all__)


def test_hyperparameter_validation():
    with pytest.raises(ValueError, match=r"`beta_1` must be a number in \(0, 1\].*signSGD"):
        optimizers.Lion(beta_1=0.0)
    with pytest.raises(ValueError, match="beta_1"):
        optimizers.Lion(beta_1=1.5)
    with pytest.raises(ValueError, match="beta_2"):
        optimizers.Lion(beta_2=-0.1)
    with pytest.raises(ValueError, match="learning_rate_power"):
        optimizers.Ftrl(learning_rate_power=0.5)
    for arg in ("initial_accumulator_value", "l1_regularization_strength",
                "l2_regularization_strength", "l2_shrinkage_regularization_strength"):
        with pytest.raises(ValueError, match=arg):
            optimizers.Ftrl(**{arg: -1.0})
    opt = optimizers.Ftrl(schedules.PolynomialDecay(0.1, 2, end_learning_rate=0.0))
    w = baeum.tensor(np.ones(2))
    opt.apply([np.ones(2)], [w])
    opt.apply([np.ones(2)], [w])
    with pytest.raises(ValueError, match="Ftrl needs a learning rate > 0, got 0.0 at update 2"):
        opt.apply([np.ones(2)], [w])


# --- dtype, the flat path, convergence, training --------------------------------------------------


@pytest.mark.parametrize("name", sorted(STATEFUL))
def test_float32_stays_float32(name):
    assert_float32_stays_float32(STATEFUL[name]())


@pytest.mark.parametrize("name", sorted(STATEFUL))
def test_flat_update_of_small_weights_equals_weight_by_weight(name, monkeypatch):
    assert_flat_update_equals_weight_by_weight(STATEFUL[name], monkeypatch)


@pytest.mark.parametrize("make", [
    # Lion moves each element by lr whatever the gradient's size, and its momentum
    # (beta_2 = 0.99) lags: on a fixed quadratic it circles the minimum unless lr decays.
    lambda p: optimizers.Lion(p, learning_rate=schedules.PolynomialDecay(
        0.03, 400, end_learning_rate=0.0)),
    lambda p: optimizers.Ftrl(p, learning_rate=1.0)], ids=["lion", "ftrl"])
def test_minimises_a_quadratic_pytorch_style(make):
    assert_minimises_a_quadratic(make, steps=400)


@pytest.mark.parametrize("optimizer", ["lion", "ftrl"])
def test_training_resumes_identically_after_save(tmp_path, rng, optimizer):
    x = rng.standard_normal((48, 4)).astype(np.float32)
    y = np.argmax(x[:, :3], axis=1)

    def make():
        baeum.random.seed(7)
        model = baeum.Sequential([Input(shape=(4,)), Dense(8, activation="relu"), Dense(3)])
        opt = optimizers.Lion(3e-3, weight_decay=0.01) if optimizer == "lion" \
            else optimizers.Ftrl(0.5, l1_regularization_strength=1e-3)
        model.compile(opt, loss=baeum.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=["accuracy"])
        return model

    # 6 epochs straight; 3 epochs, saved and loaded
    straight, loaded = fit_save_load(make, x, y, tmp_path / "m.baeum", epochs=3, batch_size=12)
    losses = straight.history.history["loss"]
    assert len(losses) == 6 and losses[-1] < losses[0]
    assert type(loaded.optimizer) is type(straight.optimizer)
    assert loaded.optimizer.get_config() == straight.optimizer.get_config()
    assert loaded.optimizer.iterations == 12
    loaded.fit(x, y, epochs=3, batch_size=12, shuffle=False, verbose=0)
    for a, b in zip(straight.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert math.isfinite(loaded.evaluate(x, y, verbose=0)[0])
