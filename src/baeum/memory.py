"""Keep the memory of freed arrays for the next batch instead of returning it to the OS.

glibc's malloc gives large blocks straight back to the operating system when they are
freed (blocks above its mmap threshold, and free memory at the top of the heap above its
trim threshold). A training step frees its activations and gradients and the next step
allocates them again, so every fresh array costs a page fault per 4 KiB before the math
starts: the MNIST CNN at batch 100 took 3,200 page faults and 17 ms of system time in a
57 ms step on this project's 2-core machine; with the thresholds below, 0.5 faults and
42 ms (the README, "Speed against PyTorch").

`keep_freed_memory()` raises both thresholds, once, when baeum is imported: arrays up to
64 MiB come from (and return to) the heap, and up to 512 MiB of freed heap stays with the
process. A process therefore keeps about the memory its largest step used, as PyTorch's
caching allocators do on the GPU. Set BAEUM_KEEP_FREED_MEMORY=0 before importing baeum to
leave malloc's defaults. On a C library without glibc's mallopt (macOS, musl) nothing
changes.
"""

import ctypes
import os
import sys

# mallopt parameter numbers from glibc's <malloc.h>
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

MMAP_THRESHOLD = 64 << 20
TRIM_THRESHOLD = 512 << 20

#: Whether keep_freed_memory() changed malloc's thresholds in this process.
kept = False


def keep_freed_memory():
    """Raise glibc's mmap and trim thresholds (see the module docstring); returns whether
    they were set. Does nothing when BAEUM_KEEP_FREED_MEMORY=0 or off glibc."""
    global kept
    if kept or os.environ.get("BAEUM_KEEP_FREED_MEMORY", "1") == "0":
        return kept
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    # mallopt returns 1 on success (musl's stub returns 0: nothing to tune there).
    kept = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and \
        bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return kept
