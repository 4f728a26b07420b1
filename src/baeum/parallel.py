"""Using every core for inference: a large batch runs as one slice per core, in threads.

Why: in a forward pass only the matrix products (BLAS) use several cores; NumPy runs the
rest (im2col copies, bias adds, ReLU, pooling) on one. NumPy releases the GIL inside
those loops, so threads that each take a slice of the batch run them side by side. Each
thread then gets a single-threaded BLAS (through threadpoolctl), so that the threads do
not fight BLAS's own threads for the same cores. On 2 cores this makes the MNIST CNN's
predict at batch 1000 about 1.4x faster (benchmarks/bench_keras.py, cnn-infer).

How many threads: as many as BLAS uses (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS, or
threadpoolctl's limits), unless `set_num_threads(n)` says otherwise. With one, nothing
changes: the batch runs whole, in the calling thread.
"""

import os
from concurrent.futures import ThreadPoolExecutor

from threadpoolctl import ThreadpoolController

#: Each thread gets at least this many samples: below it, starting threads costs more
#: than it saves (a small model's forward pass on 128 samples takes tens of microseconds).
MIN_ROWS_PER_THREAD = 128

_num_threads = None       # None: follow BLAS
_controller = None        # threadpoolctl's view of the loaded BLAS, found on first use
_pool = None
_pool_size = 0


def set_num_threads(n):
    """Use at most `n` threads for inference (None: as many as BLAS uses)."""
    global _num_threads
    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 1):
        raise ValueError(f"set_num_threads expects a positive int or None, got {n!r}")
    _num_threads = n


def get_num_threads():
    """How many threads inference uses: set_num_threads's value, else BLAS's thread count."""
    if _num_threads is not None:
        return _num_threads
    blas = _blas().select(user_api="blas").lib_controllers
    if not blas:                                   # no BLAS that threadpoolctl knows
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return max(c.num_threads for c in blas)


def _blas():
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()    # scans the loaded libraries, once
    return _controller


def slices(n_rows, n_threads=None):
    """The row ranges [(start, stop), ...] to run side by side: one per thread, each of at
    least MIN_ROWS_PER_THREAD rows; [(0, n_rows)] when one thread is all it deserves."""
    if n_rows < 2 * MIN_ROWS_PER_THREAD:        # decided before asking BLAS: predict on
        return [(0, n_rows)]                    # one sample (DQN) must stay cheap
    n_threads = get_num_threads() if n_threads is None else n_threads
    parts = max(1, min(n_threads, n_rows // MIN_ROWS_PER_THREAD))
    bounds = [n_rows * k // parts for k in range(parts + 1)]
    return list(zip(bounds[:-1], bounds[1:]))


def map_in_threads(fn, items):
    """[fn(item) for item in items], the items in threads of their own, BLAS single-threaded."""
    global _pool, _pool_size
    if _pool is None or _pool_size < len(items):
        if _pool is not None:
            _pool.shutdown(wait=False)
        _pool, _pool_size = ThreadPoolExecutor(len(items), thread_name_prefix="baeum"), len(items)
    with _blas().limit(limits=1, user_api="blas"):
        return list(_pool.map(fn, items))
