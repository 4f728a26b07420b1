"""PolynomialDecay, CosineDecayRestarts and CosineDecay's warmup: values against a line-by-line
transcription of Keras 3's formulas (keras/src/optimizers/schedules/learning_rate_schedule.py)
at many steps and against torch's schedulers, config round trips, and use as an
optimizer's learning rate (saved with the model)."""

import math

import numpy as np
import pytest

import baeum
from baeum import optimizers
from baeum.layers import Dense, Input
from baeum.optimizers import schedules
from oracle import requires_torch, torch
from test_optimizers import torch_lrs
from test_saving import fit_save_load

STEPS = list(range(0, 400)) + [999, 1000, 1001, 5000, 123456]

# --- transcriptions of Keras's __call__ (plain floats instead of backend ops) -------------------


def keras_polynomial(initial, decay_steps, end, power, cycle, step):
    global_step, steps = float(step), float(decay_steps)
    if cycle:
        multiplier = 1.0 if global_step == 0 else math.ceil(global_step / decay_steps)
        steps = steps * multiplier
    else:
        global_step = min(global_step, steps)
    p = global_step / steps
    return (initial - end) * (1 - p) ** power + end


def keras_cosine_restarts(initial, first_decay_steps, t_mul, m_mul, alpha, step):
    completed_fraction = float(step) / first_decay_steps
    if t_mul == 1.0:
        i_restart = math.floor(completed_fraction)
        completed_fraction -= i_restart
    else:
        i_restart = math.floor(math.log(1.0 - completed_fraction * (1.0 - t_mul))
                               / math.log(t_mul))
        sum_r = (1.0 - t_mul**i_restart) / (1.0 - t_mul)
        completed_fraction = (completed_fraction - sum_r) / t_mul**i_restart
    m_fac = m_mul**i_restart
    cosine_decayed = 0.5 * m_fac * (1.0 + math.cos(math.pi * completed_fraction))
    return initial * ((1 - alpha) * cosine_decayed + alpha)


def keras_cosine(initial, decay_steps, alpha, warmup_target, warmup_steps, step):
    def decay(step, decay_from):
        fraction = step / decay_steps
        return decay_from * ((1 - alpha) * 0.5 * (1.0 + math.cos(math.pi * fraction)) + alpha)

    step = float(step)
    if warmup_target is None:
        return decay(min(step, decay_steps), initial)
    step = min(step, decay_steps + warmup_steps)
    if step < warmup_steps:
        return (warmup_target - initial) * (step / warmup_steps) + initial
    return decay(step - warmup_steps, warmup_target)


# --- PolynomialDecay ---------------------------------------------------------------------------


@pytest.mark.parametrize("decay_steps, end, power, cycle", [
    (100, 0.0001, 1.0, False),     # Keras's defaults
    (100, 0.01, 0.5, False),       # Keras's docstring: sqrt decay to 0.01
    (37, 0.0, 2.0, False),
    (50, 0.001, 1.0, True),
    (13, 0.02, 3.0, True),
    (7.5, 0.0, 0.7, True),         # decay_steps need not be an integer
])
def test_polynomial_decay_matches_keras_formula(decay_steps, end, power, cycle):
    sched = schedules.PolynomialDecay(0.1, decay_steps, end_learning_rate=end, power=power,
                                      cycle=cycle)
    for step in STEPS:
        assert sched(step) == pytest.approx(
            keras_polynomial(0.1, decay_steps, end, power, cycle, step), rel=1e-13, abs=1e-16)


def test_polynomial_decay_by_hand():
    lin = schedules.PolynomialDecay(1.0, 10, end_learning_rate=0.0)
    assert [lin(k) for k in (0, 1, 5, 10, 11, 1000)] == pytest.approx(
        [1.0, 0.9, 0.5, 0.0, 0.0, 0.0])
    sq = schedules.PolynomialDecay(1.0, 10, end_learning_rate=0.2, power=2.0)
    assert sq(5) == pytest.approx(0.8 * 0.25 + 0.2)
    cyc = schedules.PolynomialDecay(1.0, 10, end_learning_rate=0.0, cycle=True)
    # step 10 ends the first period (the multiple of 10 at or above it is 10); step 15 is in
    # [10, 20): decay_steps 20, so 1 - 15/20
    assert [cyc(0), cyc(5), cyc(10), cyc(15), cyc(20), cyc(30)] == pytest.approx(
        [1.0, 0.5, 0.0, 0.25, 0.0, 0.0])
    assert cyc(11) == pytest.approx(1 - 11 / 20)


@requires_torch
@pytest.mark.parametrize("total, power", [(10, 1.0), (25, 2.0), (8, 0.5)])
def test_polynomial_decay_matches_torch_polynomial_lr(total, power):
    lrs = torch_lrs(lambda o: torch.optim.lr_scheduler.PolynomialLR(o, total_iters=total,
                                                                   power=power), 40)
    ours = schedules.PolynomialDecay(0.1, total, end_learning_rate=0.0, power=power)
    np.testing.assert_allclose([ours(k) for k in range(40)], lrs, rtol=1e-9, atol=1e-15)


# --- CosineDecayRestarts -----------------------------------------------------------------------

RESTART_CASES = [
    # first_decay_steps, t_mul, m_mul, alpha
    (10, 2.0, 1.0, 0.0),           # Keras's defaults
    (10, 1.0, 1.0, 0.0),           # fixed periods
    (7, 1.0, 0.8, 0.1),
    (13, 1.5, 0.5, 0.05),
    (5, 3.0, 0.9, 0.2),
    (20, 2.0, 0.5, 0.0),
    (3, 10.0, 1.0, 0.1),
]


def _period_starts(first, t_mul, last):
    """The steps where a period starts (step / first = 1 + t_mul + ... + t_mul^(i-1))."""
    starts, i, fraction = {}, 1, 1.0
    while fraction * first <= last:
        starts[round(fraction * first, 9)] = i
        fraction += t_mul**i
        i += 1
    return starts


@pytest.mark.parametrize("first, t_mul, m_mul, alpha", RESTART_CASES)
def test_cosine_decay_restarts_matches_keras_formula(first, t_mul, m_mul, alpha):
    sched = schedules.CosineDecayRestarts(0.1, first, t_mul=t_mul, m_mul=m_mul, alpha=alpha)
    starts = _period_starts(first, t_mul, STEPS[-1])
    for step in STEPS:
        ours, keras = sched(step), keras_cosine_restarts(0.1, first, t_mul, m_mul, alpha, step)
        if ours != pytest.approx(keras, rel=1e-9, abs=1e-15):
            # Only where Keras's floor(log(...) / log(t_mul)) rounds just below a period's
            # first step (log(1000) / log(10) = 2.9999999999999996) and so reports the end
            # of the previous period; here the period starts, at its full height.
            i = starts[step]
            assert keras == pytest.approx(0.1 * alpha, rel=1e-6)
            assert ours == pytest.approx(0.1 * ((1 - alpha) * m_mul**i + alpha), rel=1e-12)


def test_keras_rounding_at_a_restart_is_what_the_special_case_is_about():
    # The case handled above really occurs (t_mul=10: period 3 starts at 111 * 3 = 333).
    sched = schedules.CosineDecayRestarts(0.1, 3, t_mul=10.0, alpha=0.1)
    assert keras_cosine_restarts(0.1, 3, 10.0, 1.0, 0.1, 333) == pytest.approx(0.01)
    assert sched(333) == pytest.approx(0.1)
    assert sched(332) == pytest.approx(keras_cosine_restarts(0.1, 3, 10.0, 1.0, 0.1, 332))


def test_cosine_decay_restarts_by_hand():
    sched = schedules.CosineDecayRestarts(1.0, 10, t_mul=2.0, m_mul=0.5, alpha=0.0)
    # periods [0, 10), [10, 30), [30, 70): starting at heights 1, 0.5, 0.25
    assert sched(0) == 1.0
    assert sched(5) == pytest.approx(0.5)
    assert sched(10) == pytest.approx(0.5)
    assert sched(20) == pytest.approx(0.25)      # half way through the 20-step period
    assert sched(30) == pytest.approx(0.25)
    assert sched(50) == pytest.approx(0.125)
    fixed = schedules.CosineDecayRestarts(1.0, 4, t_mul=1.0, alpha=0.5)
    assert [fixed(k) for k in range(9)] == pytest.approx(
        [1.0, 0.5 + 0.25 * (1 + math.cos(math.pi / 4)), 0.75,
         0.5 + 0.25 * (1 + math.cos(3 * math.pi / 4)), 1.0,
         0.5 + 0.25 * (1 + math.cos(math.pi / 4)), 0.75,
         0.5 + 0.25 * (1 + math.cos(3 * math.pi / 4)), 1.0])


@requires_torch
@pytest.mark.parametrize("first, t_mul, alpha", [(10, 1, 0.0), (5, 2, 0.1), (7, 3, 0.05)])
def test_cosine_decay_restarts_matches_torch_warm_restarts(first, t_mul, alpha):
    # torch's CosineAnnealingWarmRestarts: integer T_mult, no m_mul, eta_min = alpha * lr0
    lrs = torch_lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        o, T_0=first, T_mult=t_mul, eta_min=0.1 * alpha), 200)
    ours = schedules.CosineDecayRestarts(0.1, first, t_mul=float(t_mul), alpha=alpha)
    np.testing.assert_allclose([ours(k) for k in range(200)], lrs, rtol=1e-9, atol=1e-15)


# --- CosineDecay with Keras 3's warmup -----------------------------------------------------------


@pytest.mark.parametrize("initial, decay_steps, alpha, warmup_target, warmup_steps", [
    (0.1, 100, 0.0, None, 0),
    (0.1, 100, 0.1, None, 50),          # warmup_steps without a target: no warmup (Keras)
    (0.0, 100, 0.0, 0.1, 50),           # Keras's docstring: warm up from 0 to 0.1
    (0.01, 37, 0.2, 0.5, 13),
    (0.05, 10, 0.0, 0.02, 0),           # a target without warmup steps: decay from it
    (0.2, 80, 0.05, 0.1, 120),          # "warm up" downwards
])
def test_cosine_decay_with_warmup_matches_keras_formula(initial, decay_steps, alpha,
                                                       warmup_target, warmup_steps):
    sched = schedules.CosineDecay(initial, decay_steps, alpha=alpha,
                                  warmup_target=warmup_target, warmup_steps=warmup_steps)
    for step in STEPS:
        assert sched(step) == pytest.approx(
            keras_cosine(initial, decay_steps, alpha, warmup_target, warmup_steps, step),
            rel=1e-12, abs=1e-16)


# --- config, optimizers, saving ------------------------------------------------------------------

NEW_SCHEDULES = [
    schedules.PolynomialDecay(0.1, 30, end_learning_rate=0.01, power=0.5, cycle=True,
                              name="poly"),
    schedules.CosineDecayRestarts(0.05, 8, t_mul=1.5, m_mul=0.7, alpha=0.1),
    schedules.CosineDecay(0.0, 20, alpha=0.1, warmup_target=0.1, warmup_steps=5),
]


@pytest.mark.parametrize("sched", NEW_SCHEDULES, ids=lambda s: type(s).__name__)
def test_config_round_trip(sched):
    config = schedules.serialize(sched)
    assert config["class_name"] == type(sched).__name__
    again = schedules.deserialize(config)
    assert type(again) is type(sched) and again.get_config() == sched.get_config()
    assert [again(k) for k in range(100)] == [sched(k) for k in range(100)]
    assert repr(again).startswith(type(sched).__name__ + "(")


def test_keras_defaults_and_config_keys():
    p = schedules.PolynomialDecay(0.1, 10)
    assert p.get_config() == {"initial_learning_rate": 0.1, "decay_steps": 10,
                              "end_learning_rate": 0.0001, "power": 1.0, "cycle": False,
                              "name": "PolynomialDecay"}
    r = schedules.CosineDecayRestarts(0.1, 10)
    assert r.get_config() == {"initial_learning_rate": 0.1, "first_decay_steps": 10,
                              "t_mul": 2.0, "m_mul": 1.0, "alpha": 0.0, "name": "SGDRDecay"}
    # Keras's deserialize example
    again = schedules.deserialize({"class_name": "PolynomialDecay", "config": {
        "cycle": False, "decay_steps": 10000, "end_learning_rate": 0.01,
        "initial_learning_rate": 0.1, "name": None, "power": 0.5}})
    assert again(2500) == pytest.approx(0.09 * 0.75**0.5 + 0.01)


def test_argument_errors():
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.PolynomialDecay(0.1, 0)
    with pytest.raises(ValueError, match="first_decay_steps"):
        schedules.CosineDecayRestarts(0.1, -5)
    with pytest.raises(ValueError, match="t_mul"):
        schedules.CosineDecayRestarts(0.1, 5, t_mul=0.0)


@pytest.mark.parametrize("sched", NEW_SCHEDULES[:2], ids=lambda s: type(s).__name__)
def test_optimizer_uses_the_schedule_at_each_iteration(sched):
    w = baeum.tensor(np.zeros(3))
    opt = optimizers.SGD(sched)
    for k in range(25):
        assert opt.learning_rate == sched(k)
        before = w.data.copy()
        opt.apply([np.ones(3)], [w])
        np.testing.assert_allclose(before - w.data, sched(k), rtol=1e-12)
    assert optimizers.get(optimizers.serialize(opt)).get_config() == opt.get_config()


@pytest.mark.parametrize("sched", NEW_SCHEDULES[:2], ids=lambda s: type(s).__name__)
def test_saved_model_keeps_the_schedule_and_resumes_identically(tmp_path, rng, sched):
    x = rng.standard_normal((48, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-1.0], [2.0]])).astype(np.float32)

    def make():
        baeum.random.seed(3)
        model = baeum.Sequential([Input(shape=(3,)), Dense(1)])
        model.compile(optimizers.Adam(schedules.deserialize(schedules.serialize(sched))),
                      loss="mse")
        return model

    # 24 steps straight; 12 steps, saved and loaded
    straight, loaded = fit_save_load(make, x, y, tmp_path / "m.baeum", epochs=2, batch_size=8)
    assert type(loaded.optimizer._learning_rate) is type(sched)
    assert loaded.optimizer._learning_rate.get_config() == sched.get_config()
    assert loaded.optimizer.iterations == 12
    assert loaded.optimizer.learning_rate == sched(12)
    loaded.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(straight.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
