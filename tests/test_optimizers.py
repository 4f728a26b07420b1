"""baeum.optimizers: update formulas (vs torch.optim and vs NumPy transcriptions of
Keras 3's formulas), clipping, weight decay, schedules, both usage styles, state, config."""

import math

import numpy as np
import pytest

import baeum
from baeum import optimizers
from baeum.optimizers import schedules
from oracle import requires_torch, torch

SHAPES = [(3, 4), (5,)]
STEPS = 20


def make_problem(seed=0, dtype=np.float64):
    """Initial weights and a fixed sequence of gradients (one list per step)."""
    r = np.random.default_rng(seed)
    w0 = [r.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [[r.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(STEPS)]
    return w0, grads


def run_baeum(opt, w0, grads):
    ws = [baeum.tensor(w.copy()) for w in w0]
    for g in grads:
        opt.apply(g, ws)
    return [w.data for w in ws]


def run_torch(make_opt, w0, grads):
    ps = [torch.tensor(w.copy(), requires_grad=True) for w in w0]
    opt = make_opt(ps)
    for g in grads:
        for p, gi in zip(ps, g):
            p.grad = torch.from_numpy(gi.copy())
        opt.step()
    return [p.detach().numpy() for p in ps]


def assert_weights_close(got, want, rtol=1e-6, atol=1e-12):
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"weight {i}")


# --- vs torch.optim where torch's formula is Keras's ---------------------------------------
# Adam/AdamW/RMSprop/Adagrad put epsilon elsewhere than torch: compared here at epsilon=0
# (where the formulas coincide) and with epsilon below, against the NumPy transcriptions.
TORCH_CASES = {
    "sgd": (lambda: optimizers.SGD(learning_rate=0.1),
            lambda p: torch.optim.SGD(p, lr=0.1)),
    "sgd_momentum": (lambda: optimizers.SGD(0.05, momentum=0.9),
                     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    "sgd_nesterov": (lambda: optimizers.SGD(0.05, momentum=0.8, nesterov=True),
                     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True)),
    "adam": (lambda: optimizers.Adam(0.01, epsilon=0.0),
             lambda p: torch.optim.Adam(p, lr=0.01, eps=0.0)),
    "adam_amsgrad": (lambda: optimizers.Adam(0.02, beta_1=0.8, beta_2=0.99, epsilon=0.0,
                                             amsgrad=True),
                     lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=0.0,
                                                amsgrad=True)),
    "adamw": (lambda: optimizers.AdamW(0.01, weight_decay=0.1, epsilon=0.0),
              lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1, eps=0.0)),
    "rmsprop": (lambda: optimizers.RMSprop(0.01, epsilon=0.0),
                lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0)),
    "rmsprop_centered": (lambda: optimizers.RMSprop(0.01, rho=0.8, epsilon=0.0, centered=True),
                         lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.8, eps=0.0,
                                                       centered=True)),
    "rmsprop_momentum": (lambda: optimizers.RMSprop(0.01, momentum=0.7, epsilon=0.0),
                         lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0,
                                                       momentum=0.7)),
    "rmsprop_centered_momentum": (
        lambda: optimizers.RMSprop(0.01, momentum=0.5, epsilon=0.0, centered=True),
        lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0, momentum=0.5,
                                      centered=True)),
    "adagrad": (lambda: optimizers.Adagrad(0.1, epsilon=0.0),
                lambda p: torch.optim.Adagrad(p, lr=0.1, initial_accumulator_value=0.1,
                                              eps=0.0)),
    "adadelta": (lambda: optimizers.Adadelta(1.0, rho=0.9, epsilon=1e-6),
                 lambda p: torch.optim.Adadelta(p, lr=1.0, rho=0.9, eps=1e-6)),
    "adadelta_defaults": (lambda: optimizers.Adadelta(),
                          lambda p: torch.optim.Adadelta(p, lr=0.001, rho=0.95, eps=1e-7)),
    "nadam": (lambda: optimizers.Nadam(0.01),
              lambda p: torch.optim.NAdam(p, lr=0.01, eps=1e-7, momentum_decay=1.0)),
    "nadam_betas": (lambda: optimizers.Nadam(0.05, beta_1=0.8, beta_2=0.9, epsilon=1e-3),
                    lambda p: torch.optim.NAdam(p, lr=0.05, betas=(0.8, 0.9), eps=1e-3,
                                                momentum_decay=1.0)),
    # Adamax: torch's eps is inside the max, Keras's added after it: equal at epsilon=0.
    "adamax": (lambda: optimizers.Adamax(0.02, epsilon=0.0),
               lambda p: torch.optim.Adamax(p, lr=0.02, eps=0.0)),
    "adamax_betas": (lambda: optimizers.Adamax(0.05, beta_1=0.7, beta_2=0.8, epsilon=0.0),
                     lambda p: torch.optim.Adamax(p, lr=0.05, betas=(0.7, 0.8), eps=0.0)),
}


@requires_torch
@pytest.mark.parametrize("case", sorted(TORCH_CASES))
def test_matches_torch_over_20_steps(case):
    make_ours, make_torch = TORCH_CASES[case]
    w0, grads = make_problem()
    assert_weights_close(run_baeum(make_ours(), w0, grads), run_torch(make_torch, w0, grads))


@requires_torch
@pytest.mark.parametrize("case", ["sgd", "sgd_momentum", "sgd_nesterov", "adam", "adamw",
                                  "adam_amsgrad", "adamax"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_large_weights_match_torch(case, dtype):
    # Weights above baeum.blas.MIN_SIZE elements update through BLAS's axpy.
    make_ours, make_torch = TORCH_CASES[case]
    r = np.random.default_rng(1)
    w0 = [r.standard_normal((64, 80)).astype(dtype)]
    grads = [[r.standard_normal((64, 80)).astype(dtype)] for _ in range(STEPS)]
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {}
    assert_weights_close(run_baeum(make_ours(), w0, grads), run_torch(make_torch, w0, grads),
                         **tol)


# --- vs NumPy transcriptions of Keras 3's formulas (no torch needed) ------------------------
# Written out plainly (new arrays, no in-place tricks) from keras/src/optimizers/*.py.
def keras_sgd(w0, grads, lrs, momentum=0.0, nesterov=False, weight_decay=None):
    ws = [w.copy() for w in w0]
    vel = [np.zeros_like(w) for w in w0]
    for lr, gs in zip(lrs, grads):
        for i, g in enumerate(gs):
            if weight_decay is not None:
                ws[i] = ws[i] - ws[i] * weight_decay * lr
            if momentum == 0:
                ws[i] = ws[i] - lr * g
                continue
            vel[i] = momentum * vel[i] - lr * g
            ws[i] = ws[i] + (momentum * vel[i] - lr * g if nesterov else vel[i])
    return ws


def keras_adagrad(w0, grads, lrs, initial=0.1, eps=1e-7):
    ws = [w.copy() for w in w0]
    acc = [np.full_like(w, initial) for w in w0]
    for lr, gs in zip(lrs, grads):
        for i, g in enumerate(gs):
            acc[i] = acc[i] + g**2
            ws[i] = ws[i] - lr * g / np.sqrt(acc[i] + eps)
    return ws


def keras_adadelta(w0, grads, lrs, rho=0.95, eps=1e-7):
    ws = [w.copy() for w in w0]
    ag = [np.zeros_like(w) for w in w0]
    ad = [np.zeros_like(w) for w in w0]
    for lr, gs in zip(lrs, grads):
        for i, g in enumerate(gs):
            ag[i] = rho * ag[i] + (1 - rho) * g**2
            delta = -np.sqrt(ad[i] + eps) * g / np.sqrt(ag[i] + eps)
            ad[i] = rho * ad[i] + (1 - rho) * delta**2
            ws[i] = ws[i] + lr * delta
    return ws


def keras_rmsprop(w0, grads, lrs, rho=0.9, momentum=0.0, eps=1e-7, centered=False):
    ws = [w.copy() for w in w0]
    vel = [np.zeros_like(w) for w in w0]
    avg = [np.zeros_like(w) for w in w0]
    mom = [np.zeros_like(w) for w in w0]
    for lr, gs in zip(lrs, grads):
        for i, g in enumerate(gs):
            vel[i] = rho * vel[i] + (1 - rho) * g**2
            if centered:
                avg[i] = rho * avg[i] + (1 - rho) * g
                denominator = vel[i] - avg[i] ** 2 + eps
            else:
                denominator = vel[i] + eps
            increment = lr * g / np.sqrt(denominator)
            if momentum > 0:
                mom[i] = momentum * mom[i] + increment
                ws[i] = ws[i] - mom[i]
            else:
                ws[i] = ws[i] - increment
    return ws


def keras_adam(w0, grads, lrs, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False, weight_decay=None):
    ws = [w.copy() for w in w0]
    m = [np.zeros_like(w) for w in w0]
    v = [np.zeros_like(w) for w in w0]
    vh = [np.zeros_like(w) for w in w0]
    for step, (lr, gs) in enumerate(zip(lrs, grads)):
        t = step + 1
        alpha = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        for i, g in enumerate(gs):
            if weight_decay is not None:
                ws[i] = ws[i] - ws[i] * weight_decay * lr
            m[i] = m[i] + (g - m[i]) * (1 - b1)
            v[i] = v[i] + (g**2 - v[i]) * (1 - b2)
            vv = v[i]
            if amsgrad:
                vh[i] = np.maximum(vh[i], v[i])
                vv = vh[i]
            ws[i] = ws[i] - m[i] * alpha / (np.sqrt(vv) + eps)
    return ws


def keras_adamax(w0, grads, lrs, b1=0.9, b2=0.999, eps=1e-7, weight_decay=None):
    ws = [w.copy() for w in w0]
    m = [np.zeros_like(w) for w in w0]
    u = [np.zeros_like(w) for w in w0]
    for step, (lr, gs) in enumerate(zip(lrs, grads)):
        t = step + 1
        for i, g in enumerate(gs):
            if weight_decay is not None:
                ws[i] = ws[i] - ws[i] * weight_decay * lr
            m[i] = m[i] + (g - m[i]) * (1 - b1)
            u[i] = np.maximum(b2 * u[i], np.abs(g))
            ws[i] = ws[i] - lr * m[i] / ((1 - b1**t) * (u[i] + eps))
    return ws


def keras_nadam(w0, grads, lrs, b1=0.9, b2=0.999, eps=1e-7):
    ws = [w.copy() for w in w0]
    m = [np.zeros_like(w) for w in w0]
    v = [np.zeros_like(w) for w in w0]
    u_product = 1.0
    for step, (lr, gs) in enumerate(zip(lrs, grads)):
        t = step + 1
        u_t = b1 * (1 - 0.5 * 0.96**t)
        u_t1 = b1 * (1 - 0.5 * 0.96 ** (t + 1))
        u_product = u_product * u_t
        for i, g in enumerate(gs):
            m[i] = m[i] + (g - m[i]) * (1 - b1)
            v[i] = v[i] + (g**2 - v[i]) * (1 - b2)
            m_hat = u_t1 * m[i] / (1 - u_product * u_t1) + (1 - u_t) * g / (1 - u_product)
            v_hat = v[i] / (1 - b2**t)
            ws[i] = ws[i] - m_hat * lr / (np.sqrt(v_hat) + eps)
    return ws


DECAY = schedules.ExponentialDecay(0.05, decay_steps=4, decay_rate=0.5)
CONST = [0.05] * STEPS
DECAYING = [DECAY(k) for k in range(STEPS)]

REFERENCE_CASES = {
    # Keras's velocity holds lr: differs from torch once the rate changes.
    "sgd_momentum_schedule": (
        lambda: optimizers.SGD(DECAY, momentum=0.9),
        lambda w0, g: keras_sgd(w0, g, DECAYING, momentum=0.9)),
    "sgd_nesterov_schedule": (
        lambda: optimizers.SGD(DECAY, momentum=0.9, nesterov=True),
        lambda w0, g: keras_sgd(w0, g, DECAYING, momentum=0.9, nesterov=True)),
    "sgd_weight_decay": (
        lambda: optimizers.SGD(0.05, weight_decay=0.3),
        lambda w0, g: keras_sgd(w0, g, CONST, weight_decay=0.3)),
    "adagrad": (lambda: optimizers.Adagrad(0.05),
                lambda w0, g: keras_adagrad(w0, g, CONST)),
    "adagrad_big_eps": (lambda: optimizers.Adagrad(0.05, initial_accumulator_value=0.0,
                                                   epsilon=0.5),
                        lambda w0, g: keras_adagrad(w0, g, CONST, initial=0.0, eps=0.5)),
    "adadelta": (lambda: optimizers.Adadelta(1.0, epsilon=1e-3),
                 lambda w0, g: keras_adadelta(w0, g, [1.0] * STEPS, eps=1e-3)),
    "rmsprop": (lambda: optimizers.RMSprop(0.05, epsilon=0.1),
                lambda w0, g: keras_rmsprop(w0, g, CONST, eps=0.1)),
    "rmsprop_centered_momentum_schedule": (
        lambda: optimizers.RMSprop(DECAY, momentum=0.6, epsilon=0.1, centered=True),
        lambda w0, g: keras_rmsprop(w0, g, DECAYING, momentum=0.6, eps=0.1, centered=True)),
    "adam": (lambda: optimizers.Adam(0.05, epsilon=0.1),
             lambda w0, g: keras_adam(w0, g, CONST, eps=0.1)),
    "adam_amsgrad_schedule": (
        lambda: optimizers.Adam(DECAY, epsilon=1e-2, amsgrad=True),
        lambda w0, g: keras_adam(w0, g, DECAYING, eps=1e-2, amsgrad=True)),
    "adamw": (lambda: optimizers.AdamW(0.05, epsilon=0.1),
              lambda w0, g: keras_adam(w0, g, CONST, eps=0.1, weight_decay=0.004)),
    "nadam": (lambda: optimizers.Nadam(0.05, epsilon=0.1),
              lambda w0, g: keras_nadam(w0, g, CONST, eps=0.1)),
    "adamax": (lambda: optimizers.Adamax(0.05, epsilon=0.1),
               lambda w0, g: keras_adamax(w0, g, CONST, eps=0.1)),
    "adamax_defaults": (lambda: optimizers.Adamax(),
                        lambda w0, g: keras_adamax(w0, g, [0.001] * STEPS)),
    "adamax_schedule_weight_decay": (
        lambda: optimizers.Adamax(DECAY, beta_1=0.8, beta_2=0.9, epsilon=1e-2,
                                  weight_decay=0.1),
        lambda w0, g: keras_adamax(w0, g, DECAYING, b1=0.8, b2=0.9, eps=1e-2,
                                   weight_decay=0.1)),
}


def assert_matches_reference(make_ours, reference):
    """20 steps of the optimizer `make_ours()` give the weights `reference(w0, grads)` gives."""
    w0, grads = make_problem(seed=1)
    assert_weights_close(run_baeum(make_ours(), w0, grads), reference(w0, grads))


@pytest.mark.parametrize("case", sorted(REFERENCE_CASES))
def test_matches_keras_formula_over_20_steps(case):
    assert_matches_reference(*REFERENCE_CASES[case])


@requires_torch
def test_keras_epsilon_placement_differs_from_torch_adam():
    # Sanity check of the claim in Adam's docstring: with eps > 0 the two really differ.
    w0, grads = make_problem()
    ours = run_baeum(optimizers.Adam(0.01, epsilon=1e-3), w0, grads)
    theirs = run_torch(lambda p: torch.optim.Adam(p, lr=0.01, eps=1e-3), w0, grads)
    assert not np.allclose(ours[0], theirs[0], rtol=1e-6, atol=0)


@requires_torch
def test_keras_epsilon_placement_differs_from_torch_adamax():
    # Keras: m / (max(beta_2 u, |g|) + eps); torch: m / max(beta_2 u, |g| + eps).
    w0, grads = make_problem()
    ours = run_baeum(optimizers.Adamax(0.01, epsilon=0.5), w0, grads)
    theirs = run_torch(lambda p: torch.optim.Adamax(p, lr=0.01, eps=0.5), w0, grads)
    assert not np.allclose(ours[0], theirs[0], rtol=1e-6, atol=0)


# --- clipping and weight decay ---------------------------------------------------------
def sgd_deltas(opt, grads, w0=None):
    """Run one update of plain SGD with lr=1 and return the weight changes."""
    w0 = w0 or [np.ones(g.shape) for g in grads]
    ws = [baeum.tensor(w.copy()) for w in w0]
    opt.apply(grads, ws)
    return [w.data - w_ for w, w_ in zip(ws, w0)]


def test_clipnorm_clips_each_gradient_to_the_norm():
    big = np.array([3.0, 4.0])          # norm 5
    small = np.array([0.3, 0.4])        # norm 0.5
    d_big, d_small = sgd_deltas(optimizers.SGD(1.0, clipnorm=1.0), [big, small])
    np.testing.assert_allclose(d_big, -big / 5.0, rtol=1e-12)
    np.testing.assert_allclose(d_small, -small, rtol=1e-12)


def test_global_clipnorm_scales_all_gradients_together():
    g1, g2 = np.array([3.0, 0.0]), np.array([[0.0], [4.0]])  # joint norm 5
    d1, d2 = sgd_deltas(optimizers.SGD(1.0, global_clipnorm=2.5), [g1, g2])
    np.testing.assert_allclose(d1, -g1 / 2, rtol=1e-12)
    np.testing.assert_allclose(d2, -g2 / 2, rtol=1e-12)
    d1, d2 = sgd_deltas(optimizers.SGD(1.0, global_clipnorm=10.0), [g1, g2])
    np.testing.assert_allclose(d1, -g1, rtol=1e-12)


def test_global_clipnorm_makes_a_nonfinite_gradient_visible():
    d1, d2 = sgd_deltas(optimizers.SGD(1.0, global_clipnorm=1.0),
                        [np.array([np.inf, 0.0]), np.array([1.0])])
    assert np.isnan(d1).all() and np.isnan(d2).all()


def test_clipvalue_clips_elementwise():
    g = np.array([-2.0, -0.1, 0.3, 5.0])
    (d,) = sgd_deltas(optimizers.SGD(1.0, clipvalue=0.5), [g])
    np.testing.assert_allclose(d, -np.array([-0.5, -0.1, 0.3, 0.5]), rtol=1e-12)


def test_only_one_clipping_argument():
    with pytest.raises(ValueError, match="at most one of clipnorm"):
        optimizers.Adam(clipnorm=1.0, clipvalue=0.5)
    with pytest.raises(ValueError, match="clipnorm"):
        optimizers.Adam(clipnorm=-1.0)


def test_weight_decay_is_decoupled_and_can_exclude_weights():
    kernel = baeum.tensor(np.full((2, 2), 2.0))
    kernel.name = "dense/kernel"
    bias = baeum.tensor(np.full(2, 2.0))
    bias.name = "dense/bias"
    opt = optimizers.SGD(0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.apply([np.ones((2, 2)), np.ones(2)], [kernel, bias])
    np.testing.assert_allclose(kernel.data, 2.0 - 0.1 * 0.5 * 2.0 - 0.1)
    np.testing.assert_allclose(bias.data, 2.0 - 0.1)


@pytest.mark.parametrize("name", ["sgd", "adagrad", "adadelta", "rmsprop", "adam", "adamw",
                                  "adamax", "nadam"])
def test_gradient_arrays_are_never_modified(name):
    opt = optimizers.get(name)
    opt.clipvalue = 0.1  # the clipping path too
    w0, grads = make_problem()
    copies = [[g.copy() for g in gs] for gs in grads]
    run_baeum(opt, w0, grads[:3])
    for gs, cs in zip(grads[:3], copies):
        for g, c in zip(gs, cs):
            np.testing.assert_array_equal(g, c)


# --- schedules ------------------------------------------------------------------------
STEPS_TO_CHECK = [0, 1, 2, 5, 9, 10, 11, 29, 30, 100, 1000]


def test_schedule_formulas():
    e = schedules.ExponentialDecay(0.1, 10, 0.5)
    es = schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True)
    inv = schedules.InverseTimeDecay(0.1, 10, 0.5)
    invs = schedules.InverseTimeDecay(0.1, 10, 0.5, staircase=True)
    cos = schedules.CosineDecay(0.1, 30, alpha=0.2)
    pw = schedules.PiecewiseConstantDecay([10, 30], [1.0, 0.5, 0.1])
    for s in STEPS_TO_CHECK:
        assert e(s) == pytest.approx(0.1 * 0.5 ** (s / 10), rel=1e-12)
        assert es(s) == pytest.approx(0.1 * 0.5 ** (s // 10), rel=1e-12)
        assert inv(s) == pytest.approx(0.1 / (1 + 0.5 * s / 10), rel=1e-12)
        assert invs(s) == pytest.approx(0.1 / (1 + 0.5 * (s // 10)), rel=1e-12)
        c = min(s, 30)
        want = 0.1 * (0.8 * 0.5 * (1 + math.cos(math.pi * c / 30)) + 0.2)
        assert cos(s) == pytest.approx(want, rel=1e-12)
        assert pw(s) == (1.0 if s <= 10 else 0.5 if s <= 30 else 0.1)


def test_cosine_decay_warmup():
    sched = schedules.CosineDecay(0.0, 20, warmup_target=0.1, warmup_steps=10)
    assert sched(0) == 0.0
    assert sched(5) == pytest.approx(0.05)
    assert sched(10) == pytest.approx(0.1)
    assert sched(20) == pytest.approx(0.05)
    assert sched(30) == pytest.approx(0.0, abs=1e-15)
    assert sched(99) == pytest.approx(0.0, abs=1e-15)


def torch_lrs(make_scheduler, n, lr0=0.1):
    """The learning rates torch's scheduler `make_scheduler(opt)` gives SGD(lr=lr0) at its
    first n steps."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr0)
    sched = make_scheduler(opt)
    out = []
    for _ in range(n):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


@requires_torch
def test_schedules_match_torch_lr_schedulers():
    lrs = torch.optim.lr_scheduler
    cases = [
        (schedules.ExponentialDecay(0.1, 1, 0.9), lambda o: lrs.ExponentialLR(o, gamma=0.9)),
        (schedules.ExponentialDecay(0.1, 3, 0.5, staircase=True),
         lambda o: lrs.StepLR(o, step_size=3, gamma=0.5)),
        (schedules.CosineDecay(0.1, 20, alpha=0.1),
         lambda o: lrs.CosineAnnealingLR(o, T_max=20, eta_min=0.01)),
        # Keras switches after the boundary step (step > b), torch at the milestone.
        (schedules.PiecewiseConstantDecay([4, 9], [0.1, 0.05, 0.025]),
         lambda o: lrs.MultiStepLR(o, milestones=[5, 10], gamma=0.5)),
        (schedules.InverseTimeDecay(0.1, 2, 0.3),
         lambda o: lrs.LambdaLR(o, lambda k: 1 / (1 + 0.3 * k / 2))),
    ]
    for ours, make in cases:
        np.testing.assert_allclose([ours(k) for k in range(21)], torch_lrs(make, 21),
                                   rtol=1e-9, err_msg=type(ours).__name__)


def test_schedule_config_round_trip():
    for sched in [schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True),
                  schedules.PiecewiseConstantDecay([3, 7], [0.3, 0.2, 0.1]),
                  schedules.CosineDecay(0.0, 20, alpha=0.1, warmup_target=0.1,
                                        warmup_steps=5),
                  schedules.InverseTimeDecay(0.1, 4, 2.0)]:
        again = schedules.deserialize(schedules.serialize(sched))
        assert type(again) is type(sched)
        assert again.get_config() == sched.get_config()
        assert [again(k) for k in range(40)] == [sched(k) for k in range(40)]


def test_schedule_argument_errors():
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="one more value"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="strictly increasing"):
        schedules.PiecewiseConstantDecay([5, 2], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="unknown learning rate schedule"):
        schedules.deserialize({"class_name": "Nope", "config": {}})


def test_optimizer_uses_schedule_of_iterations():
    sched = schedules.PiecewiseConstantDecay([1, 2], [1.0, 0.5, 0.25])
    opt = optimizers.SGD(sched)
    w = baeum.tensor(np.zeros(1))
    changes = []
    for _ in range(4):
        assert opt.learning_rate == sched(opt.iterations)
        before = w.data.copy()
        opt.apply([np.ones(1)], [w])
        changes.append(float(before[0] - w.data[0]))
    assert changes == [1.0, 1.0, 0.5, 0.25]  # steps 0, 1, 2, 3
    assert opt.iterations == 4


def test_learning_rate_is_settable():
    opt = optimizers.SGD(0.1)
    w = baeum.tensor(np.zeros(1))
    opt.learning_rate = 0.5                       # what ReduceLROnPlateau does
    opt.apply([np.ones(1)], [w])
    assert w.data[0] == -0.5
    opt.learning_rate = schedules.ExponentialDecay(1.0, 1, 0.5)
    assert opt.learning_rate == 0.5               # iterations == 1
    opt.learning_rate = lambda: 0.25
    assert opt.learning_rate == 0.25
    for bad in [-1.0, float("nan"), "fast"]:
        with pytest.raises(ValueError, match="learning_rate"):
            opt.learning_rate = bad


# --- the two usage styles ------------------------------------------------------------------
def tiny_regression(seed=3):
    r = np.random.default_rng(seed)
    x, y = r.standard_normal((8, 3)), r.standard_normal((8, 2))
    weights = [baeum.tensor(r.standard_normal((3, 2)), requires_grad=True),
               baeum.tensor(np.zeros(2), requires_grad=True)]

    def loss_fn(W, b):
        return ((baeum.tensor(x) @ W + b - baeum.tensor(y)) ** 2).mean()

    return weights, loss_fn


def test_keras_and_pytorch_styles_give_identical_weights():
    (Wk, bk), loss_fn = tiny_regression()
    (Wt, bt), _ = tiny_regression()
    (Wz, bz), _ = tiny_regression()
    keras_opt = optimizers.Adam(learning_rate=0.05)
    torch_style = optimizers.Adam([Wt, bt], learning_rate=0.05)
    zip_opt = optimizers.Adam(0.05)
    for _ in range(10):
        loss_fn(Wk, bk).backward()
        keras_opt.apply([Wk.grad, bk.grad], [Wk, bk])
        Wk.grad = bk.grad = None

        torch_style.zero_grad()
        loss_fn(Wt, bt).backward()
        torch_style.step()

        loss_fn(Wz, bz).backward()
        zip_opt.apply_gradients(zip([Wz.grad.data, bz.grad.data], [Wz, bz]))
        Wz.grad = bz.grad = None
    for a, b, c in [(Wk, Wt, Wz), (bk, bt, bz)]:
        np.testing.assert_array_equal(a.data, b.data)
        np.testing.assert_array_equal(a.data, c.data)
    assert keras_opt.iterations == torch_style.iterations == zip_opt.iterations == 10


def test_first_positional_argument_is_learning_rate_or_params():
    w, b = baeum.zeros(2, requires_grad=True), baeum.zeros(1, requires_grad=True)
    assert optimizers.SGD(0.3).learning_rate == 0.3
    sgd = optimizers.SGD(0.1, 0.9)                       # Keras order: lr, momentum
    assert (sgd.learning_rate, sgd.momentum) == (0.1, 0.9)
    sgd = optimizers.SGD([w, b], 0.1, 0.9)               # torch order: params, lr, momentum
    assert (sgd.learning_rate, sgd.momentum) == (0.1, 0.9)
    assert optimizers.Adam((p for p in [w, b]), learning_rate=0.2).learning_rate == 0.2
    assert optimizers.Adam(params=[w, b]).learning_rate == 0.001
    assert optimizers.RMSprop(w).variables[1].shape == (2,)   # a single Tensor is fine
    with pytest.raises(TypeError, match="twice"):
        optimizers.Adam([w], params=[b])
    with pytest.raises(TypeError, match="item 1 is a ndarray"):
        optimizers.Adam([w, np.zeros(2)])
    with pytest.raises(TypeError, match="parameter groups"):
        optimizers.Adam([{"params": [w]}])
    with pytest.raises(ValueError, match="more than once"):
        optimizers.Adam([w, w])


def test_zero_grad_and_step_skip_params_without_grad():
    w = baeum.tensor(np.ones(2), requires_grad=True)
    b = baeum.tensor(np.ones(1), requires_grad=True)
    opt = optimizers.SGD([w, b], learning_rate=0.5)
    (w * 3.0).sum().backward()
    assert b.grad is None
    opt.step()
    np.testing.assert_allclose(w.data, [-0.5, -0.5])
    np.testing.assert_allclose(b.data, [1.0])
    opt.zero_grad()
    assert w.grad is None and b.grad is None
    with pytest.raises(ValueError, match="call loss.backward"):
        opt.step()
    with pytest.raises(ValueError, match="needs the parameters"):
        optimizers.SGD().step()
    with pytest.raises(ValueError, match="needs the parameters"):
        optimizers.SGD().zero_grad()


def test_apply_errors_and_missing_gradient_warning():
    w, v = baeum.zeros(2), baeum.zeros(3)
    opt = optimizers.Adam()
    with pytest.raises(ValueError, match="2 gradients for 1 weights"):
        opt.apply([np.ones(2), np.ones(2)], [w])
    with pytest.raises(ValueError, match=r"shape \(3,\) does not match"):
        opt.apply([np.ones(3)], [w])
    with pytest.raises(ValueError, match="no gradients"):
        opt.apply([None], [w])
    with pytest.warns(UserWarning, match="gradients do not exist"):
        opt.apply([np.ones(2), None], [w, v])
    np.testing.assert_array_equal(v.data, 0.0)


def test_hyperparameter_validation():
    with pytest.raises(ValueError, match="momentum"):
        optimizers.SGD(momentum=1.5)
    with pytest.raises(ValueError, match="beta_1"):
        optimizers.Adam(beta_1=1.0)
    with pytest.raises(ValueError, match="rho"):
        optimizers.RMSprop(rho=-0.1)
    with pytest.raises(ValueError, match="weight_decay"):
        optimizers.AdamW(weight_decay=None)
    with pytest.raises(ValueError, match="learning_rate"):
        optimizers.Adam(learning_rate="0.01")


# --- state and config ------------------------------------------------------------------------
STATEFUL = {
    "sgd": lambda: optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    "adagrad": lambda: optimizers.Adagrad(0.05),
    "adadelta": lambda: optimizers.Adadelta(1.0),
    "rmsprop": lambda: optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    "adam": lambda: optimizers.Adam(DECAY, amsgrad=True),
    "adamw": lambda: optimizers.AdamW(0.01),
    "nadam": lambda: optimizers.Nadam(0.01),
    "adamax": lambda: optimizers.Adamax(DECAY, epsilon=1e-3),
}


def assert_state_round_trip_continues_identically(make):
    """A fresh `make()` given another's get_state() after 5 steps continues as it does."""
    w0, grads = make_problem(seed=2)
    first = make()
    ws = [baeum.tensor(w.copy()) for w in w0]
    for g in grads[:5]:
        first.apply(g, ws)
    state = first.get_state()
    second = make()
    ws2 = [baeum.tensor(w.data.copy()) for w in ws]
    second.build(ws2)
    second.set_state(state)
    assert second.iterations == 5
    for g in grads[5:]:
        first.apply(g, ws)
        second.apply(g, ws2)
    for a, b in zip(ws, ws2):
        np.testing.assert_array_equal(a.data, b.data)


@pytest.mark.parametrize("name", sorted(STATEFUL))
def test_state_round_trip_continues_identically(name):
    assert_state_round_trip_continues_identically(STATEFUL[name])


def test_state_keys_are_stable_and_ordered():
    w, b = baeum.zeros(2, 3), baeum.zeros(3)
    opt = optimizers.Adam([w, b], amsgrad=True)
    assert list(opt.get_state()) == [
        "adam/iterations", "adam/m/0", "adam/m/1", "adam/v/0", "adam/v/1",
        "adam/v_hat/0", "adam/v_hat/1",
    ]
    assert [a.shape for a in opt.variables] == [(), (2, 3), (3,), (2, 3), (3,), (2, 3), (3,)]
    # get_state is a snapshot, not the live arrays
    opt.get_state()["adam/m/0"][...] = 7.0
    assert not opt.variables[1].any()


def test_set_state_errors():
    w = baeum.zeros(2)
    state = optimizers.Adam([w]).get_state()
    with pytest.raises(ValueError, match=r"call optimizer.build\(weights\) first"):
        optimizers.Adam().set_state(state)
    with pytest.raises(ValueError, match="expected"):
        optimizers.Adam([baeum.zeros(3)]).set_state(state)
    with pytest.raises(ValueError, match="missing"):
        optimizers.Adam([w], amsgrad=True).set_state(state)


def assert_config_round_trips(make):
    """`make()`'s optimizer (with clipnorm set) comes back equal from its config, by
    from_config and by optimizers.get(serialize(...))."""
    opt = make()
    opt.clipnorm = 2.0
    again = type(opt).from_config(opt.get_config())
    assert again.get_config() == opt.get_config()
    via_get = optimizers.get(optimizers.serialize(opt))
    assert type(via_get) is type(opt) and via_get.get_config() == opt.get_config()


@pytest.mark.parametrize("name", sorted(STATEFUL))
def test_config_round_trip(name):
    assert_config_round_trips(STATEFUL[name])


def test_get_resolves_names_dicts_and_instances():
    for alias, cls in [("sgd", optimizers.SGD), ("Adam", optimizers.Adam),
                       ("RMSPROP", optimizers.RMSprop), ("adagrad", optimizers.Adagrad),
                       ("adadelta", optimizers.Adadelta), ("AdamW", optimizers.AdamW),
                       ("nadam", optimizers.Nadam), ("adamax", optimizers.Adamax),
                       ("Adamax", optimizers.Adamax)]:
        assert type(optimizers.get(alias)) is cls
    opt = optimizers.Nadam()
    assert optimizers.get(opt) is opt
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'.*'adadelta'.*'sgd'"):
        optimizers.get("adamm")
    with pytest.raises(ValueError, match="could not interpret"):
        optimizers.get(3)


def test_keras_defaults():
    assert optimizers.SGD().get_config()["learning_rate"] == 0.01
    assert optimizers.Adagrad().initial_accumulator_value == 0.1
    assert optimizers.Adadelta().rho == 0.95
    rms = optimizers.RMSprop()
    assert (rms.learning_rate, rms.rho, rms.epsilon, rms.centered) == (0.001, 0.9, 1e-7, False)
    adam = optimizers.Adam()
    assert (adam.beta_1, adam.beta_2, adam.epsilon, adam.amsgrad) == (0.9, 0.999, 1e-7, False)
    assert optimizers.AdamW().weight_decay == 0.004
    assert optimizers.Nadam().epsilon == 1e-7
    adamax = optimizers.Adamax()
    assert (adamax.learning_rate, adamax.beta_1, adamax.beta_2, adamax.epsilon) == \
        (0.001, 0.9, 0.999, 1e-7)
    assert list(optimizers.Adamax([baeum.zeros(2)]).get_state()) == [
        "adamax/iterations", "adamax/m/0", "adamax/u/0"]


# --- dtype and convergence --------------------------------------------------------------------
def assert_float32_stays_float32(opt):
    """float32 weights, given float32 and float64 gradients with global clipping on, are
    updated in place and stay float32, and so does the optimizer's state."""
    opt.global_clipnorm = 10.0
    w0, grads = make_problem(dtype=np.float32)
    ws = [baeum.tensor(w.copy()) for w in w0]
    arrays = [w.data for w in ws]
    for k, g in enumerate(grads[:4]):
        opt.apply(g if k % 2 else [gi.astype(np.float64) for gi in g], ws)
    for w, a in zip(ws, arrays):
        assert w.data is a and a.dtype == np.float32      # updated in place, still float32
    assert all(v.dtype == np.float32 for v in opt.variables[1:] if v.ndim)


@pytest.mark.parametrize("name", sorted(STATEFUL))
def test_float32_stays_float32(name):
    opt = STATEFUL[name]()
    opt.weight_decay = 0.01
    assert_float32_stays_float32(opt)


QUADRATIC = {
    "sgd": lambda p: optimizers.SGD(p, learning_rate=0.1),
    "sgd_momentum": lambda p: optimizers.SGD(p, learning_rate=0.02, momentum=0.9),
    "adagrad": lambda p: optimizers.Adagrad(p, learning_rate=0.5),
    "adadelta": lambda p: optimizers.Adadelta(p, learning_rate=1.0, epsilon=1e-2),
    "rmsprop": lambda p: optimizers.RMSprop(p, learning_rate=0.02),
    "adam": lambda p: optimizers.Adam(p, learning_rate=0.05),
    "adamw": lambda p: optimizers.AdamW(p, learning_rate=0.05),
    "nadam": lambda p: optimizers.Nadam(p, learning_rate=0.05),
    "adamax": lambda p: optimizers.Adamax(p, learning_rate=0.05),
}


def assert_minimises_a_quadratic(make, steps):
    """`steps` PyTorch-style steps (zero_grad, backward, step) of `make([w])` bring a scaled
    quadratic in w below a thousandth of its starting value."""
    target = np.array([1.0, -2.0, 0.5], dtype=np.float32)
    scale = baeum.tensor(np.array([1.0, 3.0, 0.5], dtype=np.float32))
    w = baeum.zeros(3, requires_grad=True)
    opt = make([w])

    def loss():
        return (scale * (w - baeum.tensor(target)) ** 2).sum()

    start = loss().item()
    for _ in range(steps):
        opt.zero_grad()
        loss().backward()
        opt.step()
    assert loss().item() < 1e-3 * start


@pytest.mark.parametrize("name", sorted(QUADRATIC))
def test_minimises_a_quadratic(name):
    assert_minimises_a_quadratic(QUADRATIC[name], steps=300)


# --- small weights updated as one flat array ---------------------------------------------------
def assert_flat_update_equals_weight_by_weight(make, monkeypatch, gradless_step=None):
    """`make()` updating the small weights joined in one flat array gives the weights and
    state of updating them one by one. At step `gradless_step` (if given) the first weight
    has no gradient: the rest update as a new group."""
    w0, grads = make_problem(seed=3)
    results = []
    for flat_max in (optimizers.Optimizer._FLAT_MAX_SIZE, 0):  # joined, then one by one
        monkeypatch.setattr(optimizers.Optimizer, "_FLAT_MAX_SIZE", flat_max)
        opt = make()
        ws = [baeum.tensor(w.copy()) for w in w0]
        for step, g in enumerate(grads):
            if step == gradless_step:
                with pytest.warns(UserWarning, match="do not exist"):
                    opt.apply([None] + list(g[1:]), ws)
            else:
                opt.apply(g, ws)
        assert (opt._flat is not None) == (flat_max > 0)
        results.append(([w.data.copy() for w in ws], opt.get_state()))
    (joined, joined_state), (single, single_state) = results
    for a, b in zip(joined, single):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    for key in single_state:
        np.testing.assert_allclose(joined_state[key], single_state[key], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(STATEFUL))
def test_flat_update_of_small_weights_equals_weight_by_weight(name, monkeypatch):
    assert_flat_update_equals_weight_by_weight(STATEFUL[name], monkeypatch, gradless_step=7)


def test_flat_state_slots_stay_the_per_weight_state(monkeypatch):
    # set_state writes through each weight's slot views into the flat buffers.
    w0, grads = make_problem(seed=4)
    ws = [baeum.tensor(w.copy()) for w in w0]
    opt = optimizers.Adam(0.01)
    opt.apply(grads[0], ws)
    state = {k: np.zeros_like(v) for k, v in opt.get_state().items()}
    opt.set_state(state)
    assert all(not flat.any() for flat in opt._flat[1])
