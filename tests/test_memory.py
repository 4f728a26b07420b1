"""baeum.memory: importing baeum keeps freed arrays' memory for the next allocation, so a
training step's fresh arrays cost no page faults (BAEUM_KEEP_FREED_MEMORY=0 opts out)."""

import os
import subprocess
import sys

import pytest

# Allocate, free and allocate again a 10 MB array (a CNN activation), counting the page
# faults of the second allocation alone: a page is faulted in when first written.
PROBE = """
import resource, numpy as np
import baeum
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
a = np.ones(2_500_000, np.float32); del a
before = faults()
b = np.ones(2_500_000, np.float32)
print(baeum.memory.kept, faults() - before)
"""

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")


def _probe(**env):
    out = subprocess.run([sys.executable, "-c", PROBE], env={**os.environ, **env},
                         capture_output=True, text=True, check=True).stdout.split()
    return out[0] == "True", int(out[1])


@linux
def test_freed_arrays_are_reused_without_page_faults():
    kept, faults = _probe()
    assert kept
    assert faults < 50           # 10 MB is 2,441 pages: all of them reused


@linux
def test_opting_out_leaves_malloc_alone():
    kept, faults = _probe(BAEUM_KEEP_FREED_MEMORY="0")
    assert not kept
    # glibc unmapped the first block; the second comes from fresh memory (seen: 363-870
    # faults here, the rest of its 2,441 pages arriving without one fault each)
    assert faults > 100


def test_keep_freed_memory_is_idempotent():
    import baeum

    assert baeum.memory.keep_freed_memory() is baeum.memory.kept
