"""Timing helpers shared by the benchmarks: interleaved runs, medians, a results table."""

import statistics
import time


def interleaved(cases, steps, repeats):
    """Time each case's `step()` `steps` times per repeat, cases interleaved within a repeat
    (in a rotating order) so machine noise hits all of them alike.
    Returns {name: median seconds per step}."""
    times = {name: [] for name in cases}
    for step in cases.values():  # warm-up: caches, lazy builds, BLAS threads
        for _ in range(3):
            step()
    names = list(cases)
    for r in range(repeats):
        # Rotate the order each repeat, and pause between cases: PyTorch's OpenMP threads
        # keep spinning for a while after it returns and would slow whoever runs next.
        for name in names[r % len(names):] + names[:r % len(names)]:
            time.sleep(0.3)
            step = cases[name]
            t0 = time.perf_counter()
            for _ in range(steps):
                step()
            times[name].append((time.perf_counter() - t0) / steps)
    return {name: statistics.median(ts) for name, ts in times.items()}


def report(title, batch, per_step, baseline="torch"):
    """Print samples/s for each case and its ratio to the baseline (higher is faster)."""
    print(f"\n{title} (batch {batch}; median of repeats)")
    base = per_step[baseline]
    for name, t in per_step.items():
        ratio = base / t
        print(f"  {name:<22} {t * 1e3:8.3f} ms/step {batch / t:12,.0f} samples/s  "
              f"{ratio:5.2f}x {baseline}")
    return {name: base / t for name, t in per_step.items()}
