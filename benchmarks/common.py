"""Timing helpers shared by the benchmarks: interleaved runs, medians, a results table, and
the process PyTorch's cases run in."""

import multiprocessing
import statistics
import time


class TorchWorker:
    """PyTorch's cases, run in a process of their own that never imports baeum.

    Importing baeum changes process-wide state (glibc's malloc thresholds, see
    baeum/memory.py); torch timed in the same process would get it too, which a torch
    user's process does not (it halved torch's CNN inference time). The cases still take
    turns with baeum's, one at a time: the worker times `steps` steps when asked.

        worker = TorchWorker(threads=2)
        case = worker.case("mlp", x, y)      # torch_cases.mlp(torch, x, y) in the worker
        seconds = case.time(20)
    """

    def __init__(self, threads):
        # "spawn": a fresh interpreter, not a fork of this one with baeum already imported.
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self._process = context.Process(target=_worker_main, args=(child, threads),
                                        daemon=True)
        self._process.start()
        self.version = self._call("version")

    def _call(self, *message):
        self._pipe.send(message)
        status, value = self._pipe.recv()
        if status == "error":
            raise RuntimeError(f"torch worker: {value}")
        return value

    def case(self, builder, *args):
        """A case built in the worker by torch_cases.<builder>(torch, *args)."""
        return _RemoteCase(self, self._call("build", builder, args))

    def close(self):
        self._pipe.send(("quit",))
        self._process.join(timeout=10)


class _RemoteCase:
    def __init__(self, worker, key):
        self.worker, self.key = worker, key

    def time(self, steps):
        return self.worker._call("time", self.key, steps)


def _worker_main(pipe, threads):
    import os
    import sys

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import torch
    import torch_cases

    torch.set_num_threads(threads)
    steps_by_key = []
    while True:
        message = pipe.recv()
        try:
            if message[0] == "quit":
                return
            if message[0] == "version":
                result = torch.__version__
            elif message[0] == "build":
                _, builder, args = message
                steps_by_key.append(getattr(torch_cases, builder)(torch, *args))
                result = len(steps_by_key) - 1
            else:
                _, key, steps = message
                step = steps_by_key[key]
                t0 = time.perf_counter()
                for _ in range(steps):
                    step()
                result = time.perf_counter() - t0
            pipe.send(("ok", result))
        except Exception as e:  # report it to the benchmark instead of hanging it
            pipe.send(("error", f"{type(e).__name__}: {e}"))


def _timer(case):
    """seconds(steps) for a local step function or a _RemoteCase."""
    if isinstance(case, _RemoteCase):
        return case.time

    def seconds(steps):
        t0 = time.perf_counter()
        for _ in range(steps):
            case()
        return time.perf_counter() - t0

    return seconds


def interleaved(cases, steps, repeats):
    """Time each case `steps` steps per repeat, cases interleaved within a repeat (in a
    rotating order) so machine noise hits all of them alike. A case is a step function
    or a TorchWorker case. Returns {name: median seconds per step}."""
    timers = {name: _timer(case) for name, case in cases.items()}
    for timer in timers.values():  # warm-up: caches, lazy builds, BLAS threads
        timer(3)
    times = {name: [] for name in cases}
    names = list(cases)
    for r in range(repeats):
        # Rotate the order each repeat, and pause between cases: PyTorch's OpenMP threads
        # keep spinning for a while after it returns and would slow whoever runs next.
        for name in names[r % len(names):] + names[:r % len(names)]:
            time.sleep(0.3)
            times[name].append(timers[name](steps) / steps)
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
