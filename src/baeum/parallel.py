"""Fast inference on large batches: the batch runs in cache-sized slices, side by side in
threads.

Two effects, both measured on the MNIST CNN's predict at batch 1000 on 2 cores
(benchmarks/bench_keras.py, cnn-infer):

- Cache: a layer's output for 1,000 images (conv1: 100 MB) falls out of the CPU's cache
  before the next layer reads it. Slices of about SLICE_BYTES per layer output stay in
  cache from layer to layer: one thread ran 1.26x faster in slices of 50 images.
  Only the outputs inference holds count (Model.inference_tensors): a Conv2D that runs
  as one step with its MaxPooling2D never holds its own output, and those steps work
  in cache-sized chunks of their own. Sized by conv1's output, the CNN ran in 26 slices;
  by pool1's, in 6, which take 70-82 ms against 78-98 (slices cost GIL handovers).
- Cores: only the matrix products (BLAS) use several cores; NumPy runs the rest (im2col
  copies, bias adds, ReLU, pooling) on one. NumPy releases the GIL inside those loops,
  so threads that each take slices run them at the same time. BLAS is meanwhile limited
  to one thread (through threadpoolctl), so that the threads do not fight BLAS's own
  threads for the same cores. Slices of 50 on 2 threads: 1.77x torch, against 1.41x
  with one slice of 500 per thread (torch timed in baeum's process then, where it ran
  slower than in its own: see the README's speed section for today's ratio).

How many threads: as many as BLAS uses (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS, or
threadpoolctl's limits), unless `set_num_threads(n)` says otherwise. With one, the
slices run in order in the calling thread.
"""

import math
import os
from concurrent.futures import ThreadPoolExecutor

from threadpoolctl import ThreadpoolController

#: Rows per slice: enough that the slice's largest layer output is about this many bytes.
SLICE_BYTES = 4 << 20
#: Below this many bytes of the largest layer output for the whole batch, the batch runs
#: whole, in this thread: threads and slices would cost more than they save.
MIN_PARALLEL_BYTES = 1 << 20
#: When the layer outputs' sizes are unknown (subclassed models): one slice per thread,
#: each of at least this many rows.
MIN_ROWS_PER_THREAD = 128

_num_threads = None       # None: follow BLAS
_controller = None        # threadpoolctl's view of the loaded BLAS, found on first use
_blas_libraries = None    # its BLAS libraries
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
    threads = blas_threads()
    if threads is None:                            # no BLAS that threadpoolctl knows
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return threads


def blas_threads():
    """How many threads BLAS uses now, within any threadpoolctl limit (predict's slices run
    with 1), or None when threadpoolctl finds no BLAS. About 1 us."""
    global _blas_libraries
    if _blas_libraries is None:
        _blas_libraries = _blas().select(user_api="blas").lib_controllers
    return max((c.num_threads for c in _blas_libraries), default=None)


def _blas():
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()    # scans the loaded libraries, once
    return _controller


def plan(n_rows, sample_bytes=None, n_threads=None):
    """How to run a batch of n_rows: (row ranges [(start, stop), ...], number of threads).

    sample_bytes: the size of one sample's largest layer output (None when unknown).
    A single range [(0, n_rows)] means: run the batch whole, in this thread.
    """
    whole = [(0, n_rows)], 1
    if sample_bytes is None:
        if n_rows < 2 * MIN_ROWS_PER_THREAD:
            return whole
        n_threads = get_num_threads() if n_threads is None else n_threads
        parts = max(1, min(n_threads, n_rows // MIN_ROWS_PER_THREAD))
    else:
        if n_rows < 2 or n_rows * sample_bytes < MIN_PARALLEL_BYTES:
            return whole        # decided before asking BLAS: predict on one sample stays cheap
        n_threads = get_num_threads() if n_threads is None else n_threads
        rows = max(1, min(SLICE_BYTES // sample_bytes, math.ceil(n_rows / n_threads)))
        # a multiple of the thread count, up to one slice a row: the threads end together
        parts = min(n_rows, -(-math.ceil(n_rows / rows) // n_threads) * n_threads)
    if parts == 1:
        return whole
    bounds = [n_rows * k // parts for k in range(parts + 1)]
    return list(zip(bounds[:-1], bounds[1:])), min(n_threads, parts)


def map_slices(fn, ranges, n_threads):
    """[fn(r) for r in ranges], in order; on n_threads threads (BLAS single-threaded
    meanwhile) when n_threads > 1."""
    if n_threads == 1:
        return [fn(r) for r in ranges]
    global _pool, _pool_size
    if _pool is None or _pool_size != n_threads:
        if _pool is not None:
            _pool.shutdown(wait=False)
        _pool = ThreadPoolExecutor(n_threads, thread_name_prefix="baeum")
        _pool_size = n_threads
    with _blas().limit(limits=1, user_api="blas"):
        return list(_pool.map(fn, ranges))
