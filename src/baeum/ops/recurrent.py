"""Recurrent ops: SimpleRNN, LSTM and GRU over a whole sequence, each one fused op.

Each op runs every time step in its forward and backpropagates through time (BPTT) in
its backward, so a sequence costs one graph node, not dozens per step. Weights use the
Keras layouts, so a layer passes its weights straight in:

    x (N, T, D)          batch, timesteps, features (batch first, as in Keras)
    kernel (D, G*U)      input weights, the G gates side by side in columns
    recurrent_kernel (U, G*U)
    h0, c0 (N, U)        initial states (None: zeros); their gradients are returned too
    mask (N, T)          optional booleans, False on padding: there a sample keeps its
                         states (and repeats its output), as Keras's masking does

    simple_rnn -> (outputs (N, T, U), h_last (N, U))          h = act(x K + h R + b)
    lstm       -> (outputs, h_last, c_last)                   gates i, f, c, o  (G = 4)
    gru        -> (outputs, h_last)                           gates z, r, h     (G = 3)

`outputs[:, t]` is h after step t; `return_sequences=False` is `outputs[:, -1]` (== h_last).

LSTM (Keras LSTMCell): a = x K + h R + b; i, f, o = sigmoid(a_i, a_f, a_o); g = tanh(a_c);
c' = f c + i g; h' = o tanh(c').

GRU (Keras GRUCell), reset_after=True (Keras 3 default), bias (2, 3U) = (input, recurrent):
    z, r = sigmoid(x K_zr + b_in_zr + h R_zr + b_rec_zr)
    hh = tanh(x K_h + b_in_h + r * (h R_h + b_rec_h))
    h' = z * h + (1 - z) * hh
reset_after=False, bias (3U,): hh = tanh(x K_h + b_h + (r * h) R_h), no recurrent bias.

Mapping to torch.nn.RNN / LSTM / GRU (batch_first=True, one layer), used by the tests:
    weight_ih_l0 = kernel.T, weight_hh_l0 = recurrent_kernel.T (rows = gates stacked).
    RNN:  two biases; b_ih + b_hh = Keras bias.
    LSTM: torch stacks (i, f, g, o), the same order as Keras; b_ih + b_hh = Keras bias.
    GRU:  torch stacks (r, z, n) where Keras has (z, r, h): permute the column blocks
          [U:2U, 0:U, 2U:3U]. b_ih = bias[0], b_hh = bias[1] (permuted the same way).
          torch's h' = (1 - z) n + z h and n = tanh(W_in x + b_in + r (W_hn h + b_hn)) are
          Keras's reset_after=True formulas. torch has no reset_after=False variant.

Speed (small models are decided by per-call overhead): x K for all steps is one
(N*T, D) @ (D, G*U) matmul before the loop; each step is one (N, U) @ (U, G*U) matmul
into a preallocated gate array; the sigmoid gates use sigmoid(a) = 0.5 + 0.5 tanh(a / 2)
with the halving folded into the weights up front, so one tanh covers all of a step's
gates. Per-step values BPTT needs live in preallocated (T, N, ...) arrays, time-major.
Backward precomputes every chain-rule factor that does not depend on the incoming
gradient for all steps at once, and forms the weight gradients after the loop with one
matmul each over the stacked steps: (U, T*N) @ (T*N, G*U).

>>> import numpy as np, baeum
>>> from baeum.ops.recurrent import lstm
>>> x = baeum.tensor(np.ones((2, 3, 4), np.float32))
>>> k, rk = baeum.zeros((4, 8)), baeum.zeros((2, 8))
>>> out, h, c = lstm(x, k, rk, baeum.zeros(8))
>>> out.shape, h.shape, c.shape, out.dtype
((2, 3, 2), (2, 2), (2, 2), dtype('float32'))
"""

import functools

import numpy as np

from baeum.autograd.function import Function
from baeum.autograd.tensor import Tensor

_RNN_ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")


# --- SimpleRNN ------------------------------------------------------------------------
class SimpleRNN(Function):
    """h_t = act(x_t K + h_{t-1} R + b) for every t. Returns (outputs, h_last)."""

    n_outputs = 2

    def forward(self, x, kernel, recurrent_kernel, bias, h0, activation="tanh", mask=None):
        N, T, D, U, dtype = _check("simple_rnn", 1, x, kernel, recurrent_kernel, h0)
        _check_bias("simple_rnn", bias, (U,), "(units,)")
        self.keep, skipped = _step_mask(mask, N, T, dtype)
        x_tm, xw = _project_inputs(x, kernel, bias)
        hs = _states(T, N, U, h0, dtype)
        for t in range(T):
            h = hs[t + 1]
            hs[t].dot(recurrent_kernel, out=h)  # ndarray.dot skips np.matmul's dispatch cost
            h += xw[t]
            _activate(h, activation)
            if skipped is not None:  # masked samples keep their state
                np.copyto(h, hs[t], where=skipped[t])
        self.x_tm, self.kernel, self.recurrent_kernel = x_tm, kernel, recurrent_kernel
        self.hs, self.activation, self.x_shape = hs, activation, x.shape
        return hs[1:].transpose(1, 0, 2), hs[T]

    def backward(self, grads):
        g_out, g_h = grads
        hs, rk = self.hs, self.recurrent_kernel
        T = hs.shape[0] - 1
        act_grad = _activation_grad(hs[1:], self.activation)  # (T, N, U) or None (linear)
        d_pre = np.empty_like(hs[1:])  # gradient of x K + h R + b, per step
        g_out = g_out.transpose(1, 0, 2)
        rk_t = rk.T
        keep = self.keep
        dh_next, passed = g_h, None
        for t in range(T - 1, -1, -1):
            dh = g_out[t] + dh_next
            if keep is not None:  # a masked step passes its gradient straight back
                dh, passed = _split_by_mask(dh, keep[t])
            if act_grad is None:
                d_pre[t] = dh
            else:
                np.multiply(dh, act_grad[t], out=d_pre[t])
            if t:
                dh_next = d_pre[t].dot(rk_t)
                if passed is not None:
                    dh_next += passed
        return _common_grads(self, d_pre, rk_t, passed)


# --- LSTM -----------------------------------------------------------------------------
class LSTM(Function):
    """Keras LSTM (tanh, recurrent sigmoid), gates (i, f, c, o). Returns (outputs, h, c)."""

    n_outputs = 3

    def forward(self, x, kernel, recurrent_kernel, bias, h0, c0, mask=None):
        N, T, D, U, dtype = _check("lstm", 4, x, kernel, recurrent_kernel, h0, c0)
        _check_bias("lstm", bias, (4 * U,), "(4 * units,)")
        self.keep, skipped = _step_mask(mask, N, T, dtype)
        # 0.5 on the sigmoid gates' columns: sigmoid(a) = 0.5 + 0.5 tanh(a / 2).
        half = _per_gate(N, U, (0.5, 0.5, 1.0, 0.5), dtype)
        offset = _per_gate(N, U, (0.5, 0.5, 0.0, 0.5), dtype)
        x_tm, xw = _project_inputs(x, kernel, bias, scale=half[0])
        rk_half = recurrent_kernel * half[0]
        hs = _states(T, N, U, h0, dtype)
        cs = _states(T, N, U, c0, dtype)
        gates = np.empty((T, N, 4 * U), dtype)  # activated i, f, g, o
        i, f, g, o = _split_gates(gates, 4)
        tanh_c = np.empty((T, N, U), dtype)
        for t in range(T):
            a = gates[t]
            hs[t].dot(rk_half, out=a)
            a += xw[t]
            np.tanh(a, out=a)
            a *= half
            a += offset
            c = cs[t + 1]
            np.multiply(f[t], cs[t], out=c)
            c += i[t] * g[t]
            np.tanh(c, out=tanh_c[t])
            np.multiply(o[t], tanh_c[t], out=hs[t + 1])
            if skipped is not None:  # masked samples keep both states
                np.copyto(c, cs[t], where=skipped[t])
                np.copyto(hs[t + 1], hs[t], where=skipped[t])
        self.x_tm, self.kernel, self.recurrent_kernel = x_tm, kernel, recurrent_kernel
        self.hs, self.cs, self.gates, self.tanh_c, self.x_shape = hs, cs, gates, tanh_c, x.shape
        return hs[1:].transpose(1, 0, 2), hs[T], cs[T]

    def backward(self, grads):
        g_out, g_h, g_c = grads
        cs, gates, tanh_c = self.cs, self.gates, self.tanh_c
        T, N, U = tanh_c.shape
        i, f, g, o = _split_gates(gates, 4)
        # Chain-rule factors that do not depend on the incoming gradient, all steps at once.
        sig_grad = gates * (1 - gates)  # s (1 - s), valid on the i, f, o columns
        dc_per_dh = o * (1 - tanh_c * tanh_c)
        dao_per_dh = tanh_c * sig_grad[..., 3 * U :]
        difg_per_dc = np.empty((T, N, 3, U), gates.dtype)  # d a_i, d a_f, d a_c per dc
        np.multiply(g, sig_grad[..., :U], out=difg_per_dc[:, :, 0])
        np.multiply(cs[:-1], sig_grad[..., U : 2 * U], out=difg_per_dc[:, :, 1])
        np.multiply(i, 1 - g * g, out=difg_per_dc[:, :, 2])

        d_pre = np.empty_like(gates)  # gradient of a = x K + h R + b, per step
        d_pre4 = d_pre.reshape(T, N, 4, U)
        d_ifg, d_o = d_pre4[:, :, :3], d_pre4[:, :, 3]
        g_out = g_out.transpose(1, 0, 2)
        rk_t = self.recurrent_kernel.T
        keep = self.keep
        dh_next, dc_next = g_h, g_c
        passed_h = passed_c = None
        for t in range(T - 1, -1, -1):
            dh = g_out[t] + dh_next
            if keep is not None:  # a masked step passes both gradients straight back
                dh, passed_h = _split_by_mask(dh, keep[t])
                dc_next, passed_c = _split_by_mask(dc_next, keep[t])
            dc = dh * dc_per_dh[t]
            dc += dc_next
            np.multiply(dc[:, None, :], difg_per_dc[t], out=d_ifg[t])
            np.multiply(dh, dao_per_dh[t], out=d_o[t])
            if t or self.needs_input_grad[5]:
                dc_next = dc * f[t]
                if passed_c is not None:
                    dc_next += passed_c
            if t:
                dh_next = d_pre[t].dot(rk_t)
                if passed_h is not None:
                    dh_next += passed_h
        gx, gk, grk, gb, gh0 = _common_grads(self, d_pre, rk_t, passed_h)
        gc0 = dc_next if self.needs_input_grad[5] else None
        return gx, gk, grk, gb, gh0, gc0


# --- GRU ------------------------------------------------------------------------------
class GRU(Function):
    """Keras GRU (tanh, recurrent sigmoid), gates (z, r, h). Returns (outputs, h_last)."""

    n_outputs = 2

    def forward(self, x, kernel, recurrent_kernel, bias, h0, reset_after=True, mask=None):
        N, T, D, U, dtype = _check("gru", 3, x, kernel, recurrent_kernel, h0)
        self.keep, skipped = _step_mask(mask, N, T, dtype)
        if reset_after:
            _check_bias("gru", bias, (2, 3 * U), "(2, 3 * units) with reset_after=True")
            b_in, b_rec = (None, None) if bias is None else (bias[0], bias[1])
        else:
            _check_bias("gru", bias, (3 * U,), "(3 * units,) with reset_after=False")
            b_in, b_rec = bias, None
        # sigmoid(a) = 0.5 + 0.5 tanh(a / 2), the halving folded into the weights.
        half = _per_gate(N, U, (0.5, 0.5, 1.0), dtype)
        half_zr = half[:, : 2 * U]
        x_tm, xw = _project_inputs(x, kernel, b_in, scale=half[0])
        hs = _states(T, N, U, h0, dtype)
        gates = np.empty((T, N, 3 * U), dtype)  # activated z, r, hh
        zr, hh = gates[..., : 2 * U], gates[..., 2 * U :]
        z, r, _ = _split_gates(gates, 3)
        xw_zr, xw_h = xw[..., : 2 * U], xw[..., 2 * U :]
        if reset_after:
            # rec = h R + b_rec, all three blocks in one matmul; r multiplies rec_h.
            rk_half = recurrent_kernel * half[0]
            b_rec_half = None if b_rec is None else b_rec * half
            rec = np.empty((T, N, 3 * U), dtype)
            rec_zr, rec_h = rec[..., : 2 * U], rec[..., 2 * U :]
            for t in range(T):
                m = rec[t]
                hs[t].dot(rk_half, out=m)
                if b_rec_half is not None:
                    m += b_rec_half
                a = zr[t]
                np.add(xw_zr[t], rec_zr[t], out=a)
                np.tanh(a, out=a)
                a *= half_zr
                a += half_zr
                c = hh[t]
                np.multiply(r[t], rec_h[t], out=c)
                c += xw_h[t]
                np.tanh(c, out=c)
                h = hs[t + 1]
                np.subtract(hs[t], c, out=h)
                h *= z[t]
                h += c
                if skipped is not None:  # masked samples keep their state
                    np.copyto(h, hs[t], where=skipped[t])
            self.rec_h = rec_h
        else:
            # r multiplies h before the candidate's matmul, so that matmul is separate.
            rk_zr_half = recurrent_kernel[:, : 2 * U] * half_zr[0]
            rk_h = recurrent_kernel[:, 2 * U :]
            r_h = np.empty((T, N, U), dtype)
            for t in range(T):
                a = np.add(hs[t].dot(rk_zr_half), xw_zr[t], out=zr[t])
                np.tanh(a, out=a)
                a *= half_zr
                a += half_zr
                np.multiply(r[t], hs[t], out=r_h[t])
                c = np.add(r_h[t].dot(rk_h), xw_h[t], out=hh[t])
                np.tanh(c, out=c)
                h = hs[t + 1]
                np.subtract(hs[t], c, out=h)
                h *= z[t]
                h += c
                if skipped is not None:  # masked samples keep their state
                    np.copyto(h, hs[t], where=skipped[t])
            self.r_h = r_h
        self.x_tm, self.kernel, self.recurrent_kernel = x_tm, kernel, recurrent_kernel
        self.hs, self.gates, self.reset_after, self.x_shape = hs, gates, reset_after, x.shape
        return hs[1:].transpose(1, 0, 2), hs[T]

    def backward(self, grads):
        g_out, g_h = grads
        hs, gates, rk = self.hs, self.gates, self.recurrent_kernel
        T, N, U3 = gates.shape
        U = U3 // 3
        z, r, hh = _split_gates(gates, 3)
        # Chain-rule factors that do not depend on the incoming gradient, all steps at once.
        daz_per_dh = (hs[:-1] - hh) * z * (1 - z)
        dah_per_dh = (1 - z) * (1 - hh * hh)
        r_grad = r * (1 - r)
        g_out = g_out.transpose(1, 0, 2)
        d_pre = np.empty_like(gates)  # gradient of the input projection x K + b_in, per step
        dh_next = g_h
        if self.reset_after:
            dar_per_dah = self.rec_h * r_grad
            d_rec = np.empty_like(gates)  # gradient of rec = h R + b_rec, per step
            d_rec_z, d_rec_r, d_rec_h = _split_gates(d_rec, 3)
            d_pre_h = d_pre[..., 2 * U :]
            rk_t = rk.T
            for t in range(T - 1, -1, -1):
                dh = g_out[t] + dh_next
                if self.keep is not None:  # a masked step passes its gradient straight back
                    dh, passed = _split_by_mask(dh, self.keep[t])
                np.multiply(dh, daz_per_dh[t], out=d_rec_z[t])
                dah = np.multiply(dh, dah_per_dh[t], out=d_pre_h[t])
                np.multiply(dah, dar_per_dah[t], out=d_rec_r[t])
                np.multiply(dah, r[t], out=d_rec_h[t])
                if t or self.needs_input_grad[4]:
                    dh_next = d_rec[t].dot(rk_t)
                    dh_next += dh * z[t]
                    if self.keep is not None:
                        dh_next += passed
            d_pre[..., : 2 * U] = d_rec[..., : 2 * U]  # z, r pre-activations: same gradient
            return self._grads(d_pre, d_rec, dh_next)
        dar_per_drh = hs[:-1] * r_grad
        rk_zr_t, rk_h_t = rk[:, : 2 * U].T, rk[:, 2 * U :].T
        d_z, d_r, d_h = _split_gates(d_pre, 3)
        d_zr = d_pre[..., : 2 * U]
        for t in range(T - 1, -1, -1):
            dh = g_out[t] + dh_next
            if self.keep is not None:
                dh, passed = _split_by_mask(dh, self.keep[t])
            np.multiply(dh, daz_per_dh[t], out=d_z[t])
            dah = np.multiply(dh, dah_per_dh[t], out=d_h[t])
            d_rh = dah.dot(rk_h_t)  # gradient of r * h
            np.multiply(d_rh, dar_per_drh[t], out=d_r[t])
            if t or self.needs_input_grad[4]:
                dh_next = d_zr[t].dot(rk_zr_t)
                dh_next += dh * z[t]
                dh_next += d_rh * r[t]
                if self.keep is not None:
                    dh_next += passed
        return self._grads(d_pre, None, dh_next)

    def _grads(self, d_pre, d_rec, dh0):
        """d_pre: gradient of x K + b_in; d_rec (reset_after only): of h R + b_rec."""
        need_x, need_k, need_rk, need_b, need_h0 = self.needs_input_grad
        T, N, U3 = d_pre.shape
        U = U3 // 3
        d_pre2 = d_pre.reshape(T * N, U3)
        gx = _input_grad(d_pre2, self.kernel, self.x_shape) if need_x else None
        gk = self.x_tm.T @ d_pre2 if need_k else None
        h_prev = self.hs[:-1].reshape(T * N, U)
        grk = gb = None
        if d_rec is not None:
            d_rec2 = d_rec.reshape(T * N, U3)
            if need_rk:
                grk = h_prev.T @ d_rec2
            if need_b:
                gb = np.stack([d_pre2.sum(axis=0), d_rec2.sum(axis=0)])
        else:
            if need_rk:  # R_zr met h, R_h met r * h
                r_h = self.r_h.reshape(T * N, U)
                grk = np.concatenate(
                    [h_prev.T @ d_pre2[:, : 2 * U], r_h.T @ d_pre2[:, 2 * U :]], axis=1
                )
            if need_b:
                gb = d_pre2.sum(axis=0)
        return gx, gk, grk, gb, dh0 if need_h0 else None


# --- shared pieces --------------------------------------------------------------------
def _check(op, n_gates, x, kernel, recurrent_kernel, *states):
    """Validate shapes; return N, T, D, U and the compute dtype."""
    if np.ndim(x) != 3:
        raise ValueError(
            f"{op}: x must be 3-D (batch, timesteps, features), got shape {np.shape(x)}"
        )
    N, T, D = x.shape
    if T == 0:
        raise ValueError(f"{op}: x needs at least one timestep, got shape {x.shape}")
    rk_shape = np.shape(recurrent_kernel)
    if len(rk_shape) != 2 or rk_shape[1] != n_gates * rk_shape[0]:
        gates = f"{n_gates} * units" if n_gates > 1 else "units"
        raise ValueError(
            f"{op}: recurrent_kernel must have shape (units, {gates}), got {rk_shape}"
        )
    U = rk_shape[0]
    if np.shape(kernel) != (D, n_gates * U):
        raise ValueError(
            f"{op}: kernel must have shape (features, {n_gates} * units) = "
            f"({D}, {n_gates * U}) for x of shape {x.shape} and {U} units, "
            f"got {np.shape(kernel)}"
        )
    for name, s in zip(("h0", "c0"), states):
        if s is not None and np.shape(s) != (N, U):
            raise ValueError(
                f"{op}: initial state {name} must have shape (batch, units) = ({N}, {U}), "
                f"got {np.shape(s)}"
            )
    dtype = x.dtype
    if not dtype == kernel.dtype == recurrent_kernel.dtype:
        dtype = np.result_type(x.dtype, kernel.dtype, recurrent_kernel.dtype)
    if dtype.kind != "f":
        raise TypeError(f"{op}: expects floating-point inputs and weights, got dtype {dtype}")
    return N, T, D, U, dtype


def _check_bias(op, bias, shape, described):
    if bias is not None and np.shape(bias) != shape:
        raise ValueError(f"{op}: bias must have shape {described} = {shape}, got {np.shape(bias)}")


def _project_inputs(x, kernel, bias, scale=None):
    """x K + b for every step in one matmul. Returns x time-major (T*N, D) and (T, N, G*U)."""
    N, T, D = x.shape
    x_tm = x.transpose(1, 0, 2).reshape(T * N, D)  # a copy only when N > 1
    xw = x_tm @ kernel
    if bias is not None:
        xw += bias
    if scale is not None:
        xw *= scale
    return x_tm, xw.reshape(T, N, -1)


def _states(T, N, U, s0, dtype):
    """(T + 1, N, U) array of states, time-major; [0] holds the initial state."""
    s = np.empty((T + 1, N, U), dtype)
    if s0 is None:
        s[0] = 0
    else:
        s[0] = s0
    return s


@functools.lru_cache(maxsize=64)
def _per_gate(N, U, per_gate, dtype):
    """Read-only (N, G*U) array holding per_gate[k] in gate k's columns (cached: the same
    few shapes recur every batch). Full-shape on purpose: a same-shape in-place ufunc is
    cheaper than one that broadcasts a row."""
    row = np.repeat(np.asarray(per_gate, dtype), U)
    out = np.broadcast_to(row, (N, row.size)).copy()
    out.flags.writeable = False
    return out


def _split_gates(a, n_gates):
    """Views of each gate's columns of a (..., G*U) array, taken once outside the loop."""
    U = a.shape[-1] // n_gates
    return [a[..., k * U : (k + 1) * U] for k in range(n_gates)]


def _activate(h, activation):
    """Apply the SimpleRNN activation in place."""
    if activation == "tanh":
        np.tanh(h, out=h)
    elif activation == "relu":
        np.maximum(h, 0, out=h)
    elif activation == "sigmoid":
        h *= 0.5
        np.tanh(h, out=h)
        h *= 0.5
        h += 0.5


def _activation_grad(y, activation):
    """d act / d pre-activation, from the activation's output y (None for linear)."""
    if activation == "tanh":
        return 1 - y * y
    if activation == "relu":
        return (y > 0).astype(y.dtype)
    if activation == "sigmoid":
        return y * (1 - y)
    return None


def _input_grad(d_pre2, kernel, x_shape):
    N, T, D = x_shape
    return (d_pre2 @ kernel.T).reshape(T, N, D).transpose(1, 0, 2)


def _common_grads(fn, d_pre, rk_t, passed_h0=None):
    """Gradients of x, kernel, recurrent_kernel, bias and h0 from d_pre (T, N, G*U), the
    gradient of a = x K + h R + b at every step (SimpleRNN and LSTM). passed_h0: the part
    of h0's gradient that skipped a masked first step."""
    need_x, need_k, need_rk, need_b, need_h0 = fn.needs_input_grad[:5]
    T, N, GU = d_pre.shape
    d_pre2 = d_pre.reshape(T * N, GU)
    gx = _input_grad(d_pre2, fn.kernel, fn.x_shape) if need_x else None
    gk = fn.x_tm.T @ d_pre2 if need_k else None
    grk = fn.hs[:-1].reshape(T * N, -1).T @ d_pre2 if need_rk else None
    gb = d_pre2.sum(axis=0) if need_b else None
    gh0 = d_pre[0] @ rk_t if need_h0 else None
    if gh0 is not None and passed_h0 is not None:
        gh0 += passed_h0
    return gx, gk, grk, gb, gh0


def _step_mask(mask, N, T, dtype):
    """A (N, T) mask (True: a real step) as time-major factors: keep (T, N, 1), 1.0 on real
    steps, and skipped (T, N, 1), True on masked ones; (None, None) without a mask.

    Keras's masking: on a masked step a sample's states stay as they were, so its output
    repeats the previous one, and the gradient passes that step untouched."""
    if mask is None:
        return None, None
    mask = np.asarray(mask)
    if mask.shape != (N, T):
        raise ValueError(f"the mask must have shape (batch, timesteps) = ({N}, {T}), got "
                         f"{mask.shape}")
    real = mask.astype(bool).T[:, :, None]
    return real.astype(dtype), ~real


def _split_by_mask(grad, keep):
    """(the gradient of the step's new state, the gradient passed by masked samples)."""
    return grad * keep, grad * (1 - keep)


# --- the functions users call ---------------------------------------------------------
def simple_rnn(x, kernel, recurrent_kernel, bias=None, h0=None, activation="tanh", mask=None):
    """Keras SimpleRNN over a whole sequence: h_t = act(x_t K + h_{t-1} R + b).

    x (N, T, D), kernel (D, U), recurrent_kernel (U, U), bias (U,) or None, h0 (N, U) or
    None (zeros). activation: "tanh", "relu", "sigmoid" or "linear" (None).
    mask: (N, T) booleans or None; on a False step a sample keeps its state (Keras's masking).
    Returns (outputs (N, T, U), h_last (N, U)).
    """
    if activation is None:
        activation = "linear"
    if activation not in _RNN_ACTIVATIONS:
        raise ValueError(
            f"simple_rnn activation must be one of {list(_RNN_ACTIVATIONS)}, got {activation!r}"
        )
    return SimpleRNN.apply(
        _as_input(x), _as_input(kernel), _as_input(recurrent_kernel), _as_input(bias),
        _as_input(h0), activation=activation, mask=mask,
    )


def lstm(x, kernel, recurrent_kernel, bias=None, h0=None, c0=None, mask=None):
    """Keras LSTM over a whole sequence (activation tanh, recurrent_activation sigmoid).

    x (N, T, D), kernel (D, 4U), recurrent_kernel (U, 4U), bias (4U,) or None, gates in
    Keras order (i, f, c, o); h0, c0 (N, U) or None (zeros). mask: as simple_rnn's.
    Returns (outputs (N, T, U), h_last (N, U), c_last (N, U)).
    """
    return LSTM.apply(
        _as_input(x), _as_input(kernel), _as_input(recurrent_kernel), _as_input(bias),
        _as_input(h0), _as_input(c0), mask=mask,
    )


def gru(x, kernel, recurrent_kernel, bias=None, h0=None, reset_after=True, mask=None):
    """Keras GRU over a whole sequence (activation tanh, recurrent_activation sigmoid).

    x (N, T, D), kernel (D, 3U), recurrent_kernel (U, 3U), gates in Keras order
    (z, r, h); bias (2, 3U) (input and recurrent bias) when reset_after=True, (3U,) when
    False, or None; h0 (N, U) or None (zeros). h_t = z h_{t-1} + (1 - z) hh. mask: as
    simple_rnn's.
    Returns (outputs (N, T, U), h_last (N, U)).
    """
    return GRU.apply(
        _as_input(x), _as_input(kernel), _as_input(recurrent_kernel), _as_input(bias),
        _as_input(h0), reset_after=bool(reset_after), mask=mask,
    )


def _as_input(a):
    if a is None or isinstance(a, (Tensor, np.ndarray)):
        return a
    return Tensor(a)
