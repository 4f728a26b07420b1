"""Where dataset files live, and the one explicit download step.

Nothing here runs at import time and nothing downloads unless a loader is
called with ``download=True``. A download streams into a temporary file in the
target folder, is checked against the known checksums, and only then is moved
into place with ``os.replace`` (atomic), so an interrupted or corrupt download
never leaves a file that looks complete.

    >>> cache_dir("mnist")  # doctest: +SKIP
    PosixPath('/home/me/.cache/baeum/mnist')
"""

import hashlib
import os
import sys
import tempfile
from pathlib import Path

DATA_ENV = "BAEUM_DATA"
_CHUNK = 1 << 20


def env_data_dir(name):
    """``$BAEUM_DATA/<name>``, or None when BAEUM_DATA is not set."""
    root = os.environ.get(DATA_ENV)
    return Path(root).expanduser() / name if root else None


def cache_dir(name):
    """The user cache folder for a dataset: ``$XDG_CACHE_HOME/baeum/<name>``
    (``~/.cache/baeum/<name>`` when XDG_CACHE_HOME is unset)."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root) / "baeum" / name


def download(filename, mirrors, folder, sha256=None, md5=None, timeout=60.0):
    """Download `filename` from the first mirror that serves it with the right checksum.

    Args:
        filename: the file's name; the URL is ``mirror + filename``.
        mirrors: base URLs ending in ``/``, tried in order.
        folder: where the file goes (created if needed).
        sha256, md5: expected hex digests; at least one is required, and every
            one given must match.
        timeout: seconds for each network operation.

    Returns:
        The path of the verified file, ``folder / filename``.

    Raises:
        OSError: no mirror gave a file with the expected checksums; the
            message lists every URL tried and why it failed.
    """
    if not sha256 and not md5:
        # A download we cannot verify could be anything: refuse rather than guess.
        raise ValueError(f"download of {filename}: no checksum given (sha256 or md5 required)")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / filename
    failures = []
    for mirror in mirrors:
        url = mirror + filename
        print(f"baeum: downloading {url} -> {target}", file=sys.stderr)
        fd, tmp = tempfile.mkstemp(prefix=f".{filename}.", suffix=".part", dir=folder)
        try:
            digests = _fetch(url, fd, timeout)
            problem = _check(digests, sha256=sha256, md5=md5)
            if problem is None:
                os.replace(tmp, target)
                return target
            failures.append(f"{url}: {problem}")
        except OSError as e:  # URLError, HTTPError, timeouts and disk errors are all OSErrors
            failures.append(f"{url}: {type(e).__name__}: {e}")
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
    tried = "\n".join(f"  - {f}" for f in failures)
    raise OSError(f"could not download {filename}; tried:\n{tried}")


def _fetch(url, fd, timeout):
    """Stream `url` into the open file descriptor `fd`, hashing on the way."""
    import urllib.request  # only needed when downloading; keeps `import baeum` light

    sha, md = hashlib.sha256(), hashlib.md5()
    with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
        while chunk := response.read(_CHUNK):
            out.write(chunk)
            sha.update(chunk)
            md.update(chunk)
    return {"sha256": sha.hexdigest(), "md5": md.hexdigest()}


def _check(digests, **expected):
    for algo, want in expected.items():
        if want and digests[algo] != want.lower():
            return f"{algo} mismatch: expected {want}, got {digests[algo]}"
    return None


def file_sha256(path):
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()
