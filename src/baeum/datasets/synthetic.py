"""Small synthetic datasets made on the fly: logic gates, a noisy sine, a data-centre
PUE simulator and a two-topic corpus. Pure NumPy, seeded, nothing to download.

    >>> from baeum.datasets import synthetic
    >>> x, y = synthetic.logic_gates("xor")
    >>> x.tolist(), y.tolist()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0.0, 1.0, 1.0, 0.0])
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

# ---------------------------------------------------------------- logic gates

_GATES = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "xor": (0, 1, 1, 0),
    "nand": (1, 1, 1, 0),
    "nor": (1, 0, 0, 0),
    "xnor": (1, 0, 0, 1),
}


def logic_gates(kind):
    """The truth table of a two-input logic gate.

    Args:
        kind: one of "and", "or", "xor", "nand", "nor", "xnor" (any case).

    Returns:
        x: float32 (4, 2), the inputs (0,0), (0,1), (1,0), (1,1).
        y: float32 (4,), the gate's output for each row (0 or 1).
    """
    key = kind.lower() if isinstance(kind, str) else kind
    if key not in _GATES:
        raise ValueError(f"unknown logic gate {kind!r}; expected one of {', '.join(_GATES)}")
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    return x, np.array(_GATES[key], dtype=np.float32)


# ------------------------------------------------------------- sequences


def noisy_sine(n_steps=1000, noise=0.1, seed=0, period=50.0):
    """A sine wave plus Gaussian noise, for sequence prediction.

    ``series[t] = sin(2*pi*t / period) + noise * N(0, 1)`` for t = 0..n_steps-1.

    Returns:
        float32 (n_steps,).
    """
    if n_steps < 1:
        raise ValueError(f"n_steps must be >= 1, got {n_steps}")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    rng = np.random.default_rng(seed)
    t = np.arange(n_steps)
    series = np.sin(2 * np.pi * t / period) + noise * rng.standard_normal(n_steps)
    return series.astype(np.float32)


def make_windows(series, window):
    """Cut a series into (past `window` values -> next value) pairs.

    ``x[i] = series[i : i + window]`` and ``y[i] = series[i + window]``.

    Args:
        series: array (T,) (or (T, 1)).
        window: number of past steps per sample, 1 <= window < T.

    Returns:
        x: (T - window, window, 1), the RNN input layout (batch, time, features).
        y: (T - window, 1).

    >>> x, y = make_windows(np.arange(5.0), 3)
    >>> x[:, :, 0].tolist(), y[:, 0].tolist()
    ([[0.0, 1.0, 2.0], [1.0, 2.0, 3.0]], [3.0, 4.0])
    """
    series = np.asarray(series)
    if series.ndim == 2 and series.shape[1] == 1:
        series = series[:, 0]
    if series.ndim != 1:
        raise ValueError(f"series must have shape (T,) or (T, 1), got {series.shape}")
    if not isinstance(window, (int, np.integer)) or not 1 <= window < len(series):
        raise ValueError(
            f"window must be an integer in 1..{len(series) - 1} for a series of length "
            f"{len(series)}, got {window!r}"
        )
    x = sliding_window_view(series[:-1], window)  # (T - window, window), a view
    y = series[window:]
    return np.ascontiguousarray(x)[:, :, None], y[:, None].copy()


# ------------------------------------------------------ data-centre PUE

# The 19 sensor readings of `datacenter_pue`, in column order, with their units.
PUE_FEATURES = (
    "it_load_kw",  # servers' power draw, 300-1400
    "network_room_load_kw",  # core network room, 20-60 (also IT load)
    "outside_dry_bulb_c",  # -5-35
    "outside_relative_humidity_pct",  # 20-95
    "outside_wet_bulb_c",  # from dry bulb and humidity (Stull, 2011)
    "outside_enthalpy_kj_per_kg",  # moist-air enthalpy from the two above
    "wind_speed_m_s",  # 0-12, helps the cooling towers a little
    "chillers_running",  # 1-4 chillers of 500 kW each, enough for the load
    "chilled_water_setpoint_c",  # 7-13
    "chilled_water_pumps_running",  # 1-3
    "chilled_water_pump_speed_pct",  # 40-100
    "condenser_water_pumps_running",  # 1-3
    "condenser_water_pump_speed_pct",  # 40-100
    "cooling_towers_running",  # 1-4
    "cooling_tower_fan_speed_pct",  # 30-100
    "cooling_tower_setpoint_c",  # leaving-water setpoint, 3-8 K above wet bulb
    "heat_exchanger_approach_c",  # free-cooling heat exchanger, 1-4 K
    "crah_fan_speed_pct",  # computer-room air handlers, 40-100
    "supply_air_setpoint_c",  # 18-27
)


def _wet_bulb(t, rh):
    """Wet-bulb temperature (degC) from dry bulb (degC) and relative humidity (%), Stull 2011."""
    return (
        t * np.arctan(0.151977 * np.sqrt(rh + 8.313659))
        + np.arctan(t + rh)
        - np.arctan(rh - 1.676331)
        + 0.00391838 * rh**1.5 * np.arctan(0.023101 * rh)
        - 4.686035
    )


def _enthalpy(t, rh):
    """Moist-air enthalpy (kJ/kg dry air) at sea level."""
    p_sat = 0.61094 * np.exp(17.625 * t / (t + 243.04))  # kPa, Magnus formula
    p_w = rh / 100 * p_sat
    w = 0.622 * p_w / (101.325 - p_w)  # humidity ratio, kg water / kg dry air
    return 1.006 * t + w * (2501 + 1.86 * t)


def _softplus(z):
    return np.logaddexp(0.0, z)


def _sigmoid(z):
    return 0.5 * (1 + np.tanh(z / 2))


def _pue(f):
    """PUE = total facility power / IT power, from a dict of the PUE_FEATURES columns.

    Each overhead is a textbook shape, so the whole is smooth but far from linear:
    chillers follow a Carnot-like COP with a convex part-load penalty, pumps and fans
    the cube law of fan affinity, free cooling switches in along a sigmoid, and UPS and
    transformer losses have a fixed part (so their share falls as 1 / IT load).
    """
    it = f["it_load_kw"] + f["network_room_load_kw"]

    # Cooling towers cannot cool water below wet bulb + approach; the approach shrinks
    # with fan speed and wind. softplus = a smooth max(setpoint, what the towers can do).
    tower_approach = (
        2.0 + 5.0 * (1 - f["cooling_tower_fan_speed_pct"] / 100) - 0.1 * f["wind_speed_m_s"]
    )
    floor = f["outside_wet_bulb_c"] + tower_approach
    t_cond = f["cooling_tower_setpoint_c"] + _softplus(floor - f["cooling_tower_setpoint_c"])

    # Free cooling: when tower water (through the heat exchanger) is colder than the
    # chilled-water setpoint, the chillers can rest.
    free = _sigmoid((f["chilled_water_setpoint_c"] - f["heat_exchanger_approach_c"] - t_cond) / 1.5)
    chiller_load = (1 - free) * 1.05 * it  # kW of heat the chillers must move

    lift = t_cond + 2.0 - f["chilled_water_setpoint_c"]
    cop = 0.5 * (f["chilled_water_setpoint_c"] + 273.15) / (lift + 5.0)
    plr = chiller_load / (f["chillers_running"] * 500.0)  # part-load ratio
    chillers = chiller_load / cop * (1 + 0.6 * (plr - 0.8) ** 2)

    cube = lambda pct: (pct / 100) ** 3  # noqa: E731  (fan/pump affinity law)
    chw_pumps = 30.0 * f["chilled_water_pumps_running"] * cube(f["chilled_water_pump_speed_pct"])
    cw_pumps = 35.0 * f["condenser_water_pumps_running"] * cube(f["condenser_water_pump_speed_pct"])
    towers = 20.0 * f["cooling_towers_running"] * cube(f["cooling_tower_fan_speed_pct"])
    # Colder supply air needs the air handlers to work harder for the same heat.
    crah = (
        0.08 * it * cube(f["crah_fan_speed_pct"]) * (1 + 0.03 * (24.0 - f["supply_air_setpoint_c"]))
    )
    electrical = 20.0 + 0.03 * it + 0.02 * it * (it / 1400.0) ** 2
    lighting = 12.0

    return 1.0 + (chillers + chw_pumps + cw_pumps + towers + crah + electrical + lighting) / it


def datacenter_pue(n_samples=5000, seed=0, noise=0.003):
    """A data-centre simulator: 19 sensor readings -> power usage effectiveness (PUE).

    In the spirit of Google's DeepMind PUE model (Gao, 2014): operating states
    are drawn at random within realistic ranges (see ``PUE_FEATURES``), and the
    PUE is computed from a physics-flavoured model of the cooling plant and
    power chain (see ``_pue``). 98 % of PUE values fall between 1.14 and
    1.62 (low-load states reach about 1.8).

    The map is smooth but clearly nonlinear (ratios, cubes, a sigmoid, a
    convex part-load term), so a small MLP can reach a mean absolute
    percentage error (MAPE) below 1 %, while linear regression stays above
    it. The target carries multiplicative Gaussian noise of `noise` (0.3 %),
    a MAPE floor of about 0.24 %.

    Args:
        n_samples: number of rows.
        seed: seed of the draw; the same seed gives the same data.
        noise: relative standard deviation of the noise on PUE.

    Returns:
        x: float32 (n_samples, 19), columns in ``PUE_FEATURES`` order, raw units
            (standardise before training).
        y: float32 (n_samples,), the PUE.
    """
    if n_samples < 1:
        raise ValueError(f"n_samples must be >= 1, got {n_samples}")
    rng = np.random.default_rng(seed)
    n = n_samples
    u = lambda lo, hi: rng.uniform(lo, hi, n)  # noqa: E731
    count = lambda lo, hi: rng.integers(lo, hi + 1, n).astype(np.float64)  # noqa: E731

    f = {}
    f["it_load_kw"] = u(300, 1400)
    f["network_room_load_kw"] = u(20, 60)
    f["outside_dry_bulb_c"] = u(-5, 35)
    f["outside_relative_humidity_pct"] = u(20, 95)
    f["outside_wet_bulb_c"] = _wet_bulb(f["outside_dry_bulb_c"], f["outside_relative_humidity_pct"])
    f["outside_enthalpy_kj_per_kg"] = _enthalpy(
        f["outside_dry_bulb_c"], f["outside_relative_humidity_pct"]
    )
    f["wind_speed_m_s"] = u(0, 12)
    # Enough 500 kW chillers for the heat load, sometimes one spare, at most 4.
    needed = np.ceil(1.05 * (f["it_load_kw"] + f["network_room_load_kw"]) / 500.0)
    f["chillers_running"] = np.minimum(needed + count(0, 1), 4.0)
    f["chilled_water_setpoint_c"] = u(7, 13)
    f["chilled_water_pumps_running"] = count(1, 3)
    f["chilled_water_pump_speed_pct"] = u(40, 100)
    f["condenser_water_pumps_running"] = count(1, 3)
    f["condenser_water_pump_speed_pct"] = u(40, 100)
    f["cooling_towers_running"] = count(1, 4)
    f["cooling_tower_fan_speed_pct"] = u(30, 100)
    # Operators set the towers a few kelvin above wet bulb, within the plant's limits.
    f["cooling_tower_setpoint_c"] = np.clip(f["outside_wet_bulb_c"] + u(3, 8), 10, 30)
    f["heat_exchanger_approach_c"] = u(1, 4)
    f["crah_fan_speed_pct"] = u(40, 100)
    f["supply_air_setpoint_c"] = u(18, 27)
    assert tuple(f) == PUE_FEATURES

    pue = _pue(f) * (1 + noise * rng.standard_normal(n))
    x = np.stack([f[name] for name in PUE_FEATURES], axis=1)
    return x.astype(np.float32), pue.astype(np.float32)


# ---------------------------------------------------------- text corpus

ANIMALS = (
    "cat", "dog", "horse", "cow", "sheep", "goat", "pig", "rabbit", "mouse", "tiger",
    "lion", "bear", "wolf", "fox", "deer", "monkey", "zebra", "camel", "otter", "owl",
)  # fmt: skip
VEHICLES = (
    "car", "bus", "truck", "train", "tram", "bicycle", "motorbike", "scooter", "van", "taxi",
    "tractor", "lorry", "jeep", "boat", "ferry", "yacht", "plane", "jet", "helicopter", "rocket",
)  # fmt: skip


def two_topic_corpus(n_sentences=1000, seed=0, min_length=5, max_length=10):
    """A corpus of sentences drawn from one of two disjoint topics (animals, vehicles).

    Each sentence picks a topic at random, then `min_length`..`max_length`
    words from that topic's 20 words (``ANIMALS`` or ``VEHICLES``). Words of
    one topic only ever share a context with each other, so word2vec should
    place each topic in its own region of the embedding space.

    Returns:
        list of `n_sentences` sentences, each a list of str. ``" ".join`` a
        sentence for plain text.

    >>> two_topic_corpus(2, seed=0)[0][:3]  # doctest: +SKIP
    ['truck', 'van', 'car']
    """
    if not 1 <= min_length <= max_length:
        raise ValueError(f"need 1 <= min_length <= max_length, got {min_length}, {max_length}")
    rng = np.random.default_rng(seed)
    topics = (ANIMALS, VEHICLES)
    sentences = []
    for _ in range(n_sentences):
        words = topics[rng.integers(2)]
        length = rng.integers(min_length, max_length + 1)
        sentences.append([words[i] for i in rng.integers(len(words), size=length)])
    return sentences
