"""Reader for the IDX format of MNIST and Fashion-MNIST.

An IDX file is a 4-byte big-endian magic number, one big-endian uint32 per
dimension, then the data in row-major order:

    magic = 0x00 0x00 <type code> <number of dimensions>

    0x00000803  images: uint8, 3 dims (N, rows, cols)
    0x00000801  labels: uint8, 1 dim  (N,)

Files may be gzip-compressed; that is detected from the content (the gzip
magic bytes 1f 8b), not from the name, so a decompressed file that kept its
``.gz`` name still loads. Every malformed file raises ``ValueError`` naming
the file and the problem.

    >>> x = read_idx("t10k-images-idx3-ubyte.gz", kind="images")  # doctest: +SKIP
    >>> x.shape, x.dtype                                          # doctest: +SKIP
    ((10000, 28, 28), dtype('uint8'))
"""

import gzip
import os
import zlib

import numpy as np

# IDX type codes -> NumPy dtypes (multi-byte types are big-endian on disk).
_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

# What load_images / load_labels accept: magic number and a human name for it.
IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
_KINDS = {"images": IMAGES_MAGIC, "labels": LABELS_MAGIC}
_KNOWN_MAGICS = {IMAGES_MAGIC: "an images file", LABELS_MAGIC: "a labels file"}

_GZIP_MAGIC = b"\x1f\x8b"


def _describe_magic(magic):
    what = _KNOWN_MAGICS.get(magic)
    return f"{magic} (0x{magic:08X}{', ' + what if what else ''})"


def _open(path):
    """Open `path` for binary reading, transparently un-gzipping it."""
    with open(path, "rb") as f:
        head = f.read(2)
    if head == _GZIP_MAGIC:
        return gzip.open(path, "rb"), True
    return open(path, "rb"), False


def _read_exactly(stream, n):
    """Read up to `n` bytes into a fresh (writable) bytearray; returns (buffer, bytes read)."""
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = stream.readinto(view[got:])
        if not k:
            break
        got += k
    return buf, got


def read_idx(path, kind=None):
    """Read one IDX file (gzipped or not) into a NumPy array.

    Args:
        path: the file.
        kind: ``None`` to accept any IDX file, ``"images"`` to require magic
            0x00000803 (uint8, 3 dims) or ``"labels"`` to require 0x00000801
            (uint8, 1 dim).

    Returns:
        A writable array of shape ``dims`` from the header, in native byte
        order (``uint8`` for MNIST).

    Raises:
        FileNotFoundError: `path` does not exist.
        ValueError: bad magic number, wrong kind of file, truncated header or
            data, trailing bytes, or a corrupt gzip stream.
    """
    if kind is not None and kind not in _KINDS:
        raise ValueError(f"kind must be None, 'images' or 'labels', got {kind!r}")
    path = os.fspath(path)
    stream, gzipped = _open(path)
    what = "gzip-compressed IDX file" if gzipped else "IDX file"
    try:
        with stream:
            return _parse(stream, path, kind)
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        # A cut-off or damaged .gz surfaces here, while decompressing.
        raise ValueError(f"{path}: corrupt or truncated {what} ({type(e).__name__}: {e})") from None


def _parse(stream, path, kind):
    header = stream.read(4)
    if len(header) < 4:
        raise ValueError(
            f"{path}: truncated file: expected a 4-byte IDX magic number, got {len(header)} bytes"
        )
    magic = int.from_bytes(header, "big")
    zero, code, ndim = magic >> 16, (magic >> 8) & 0xFF, magic & 0xFF

    if kind is not None and magic != _KINDS[kind]:
        expected = _KINDS[kind]
        hint = ""
        if magic in _KNOWN_MAGICS:
            hint = f": this is {_KNOWN_MAGICS[magic]} where {kind} were expected"
        raise ValueError(
            f"{path}: bad magic number: expected {_describe_magic(expected)}, "
            f"got {_describe_magic(magic)}{hint}"
        )
    if zero != 0 or code not in _DTYPES or ndim == 0:
        raise ValueError(
            f"{path}: bad magic number: got 0x{magic:08X}, which is not an IDX header "
            f"(expected 0x0000TTNN with type code TT in "
            f"{', '.join(f'0x{c:02X}' for c in _DTYPES)} and NN >= 1 dimensions)"
        )

    dims_raw = stream.read(4 * ndim)
    if len(dims_raw) < 4 * ndim:
        raise ValueError(
            f"{path}: truncated file: header declares {ndim} dimensions "
            f"({4 * ndim} bytes), got {len(dims_raw)} bytes of them"
        )
    dims = tuple(int(d) for d in np.frombuffer(dims_raw, dtype=">u4"))

    dtype = _DTYPES[code]
    expected = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    buf, got = _read_exactly(stream, expected)
    if got < expected:
        raise ValueError(
            f"{path}: truncated file: header says shape {dims} of {dtype.name}, "
            f"so expected {expected} bytes of data, got {got}"
        )
    extra = len(stream.read(1 << 16))
    if extra:
        raise ValueError(
            f"{path}: expected {expected} bytes of data for shape {dims}, "
            f"but the file has {'at least ' if extra == 1 << 16 else ''}{extra} more bytes "
            "after them: not a valid IDX file"
        )

    array = np.frombuffer(buf, dtype=dtype).reshape(dims)
    if dtype.byteorder == ">":
        array = array.astype(dtype.newbyteorder("="))
    return array


def read_images(path):
    """Read an IDX images file: uint8 array of shape (N, rows, cols)."""
    return read_idx(path, kind="images")


def read_labels(path):
    """Read an IDX labels file: uint8 array of shape (N,)."""
    return read_idx(path, kind="labels")
