"""Shared loader for the MNIST-format datasets (MNIST, Fashion-MNIST).

Both ship as the same four IDX files; only their names, mirrors and
checksums differ. This module finds the files, downloads them when asked,
reads them and checks that they form a consistent dataset.
"""

from pathlib import Path

from . import _download
from ._idx import read_idx

# split -> (images file, labels file), without the optional ".gz".
SPLITS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
FILES = tuple(f for pair in SPLITS.values() for f in pair)
NUM_CLASSES = 10
IMAGE_SHAPE = (28, 28)


def _find_file(folder, stem):
    """The file for `stem` in `folder`: the raw one if present (faster), else the .gz."""
    for name in (stem, stem + ".gz"):
        p = folder / name
        if p.is_file():
            return p
    return None


def _missing(folder):
    """Why `folder` cannot be used: None if it holds all four files, else a reason."""
    if folder.is_file():
        return "this is a file; expected a folder that holds the four IDX files"
    if not folder.is_dir():
        return "folder does not exist"
    missing = [f + "[.gz]" for f in FILES if _find_file(folder, f) is None]
    return f"missing {', '.join(missing)}" if missing else None


def load(name, title, path, download, mirrors, sha256, md5=None):
    """Find, optionally download, read and validate an MNIST-format dataset.

    `sha256` and `md5` map each file stem (e.g. "train-images-idx3-ubyte") to the
    digest of its .gz, checked on download only.

    Returns ``(x_train, y_train), (x_test, y_test)``: uint8 arrays,
    x of shape (N, 28, 28), y of shape (N,).
    """
    env_var = f"${_download.DATA_ENV}/{name}"
    if path is not None:
        # An explicit folder is authoritative: never silently load another copy instead.
        places = [(Path(path).expanduser(), "path argument")]
    else:
        places = [
            (_download.env_data_dir(name), env_var),
            (_download.cache_dir(name), "user cache"),
        ]

    looked = []
    for folder, label in places:
        if folder is None:
            looked.append(f"{env_var} ({_download.DATA_ENV} is not set)")
            continue
        reason = _missing(folder)
        if reason is None:
            return _read_folder(folder)
        looked.append(f"{folder} ({label}): {reason}")

    target = Path(path).expanduser() if path is not None else _download.cache_dir(name)
    if download:
        for stem in FILES:
            if _find_file(target, stem) is None:
                _download.download(
                    stem + ".gz",
                    mirrors,
                    target,
                    sha256=sha256.get(stem),
                    md5=(md5 or {}).get(stem),
                )
        return _read_folder(target)

    where = "\n".join(f"  - {line}" for line in looked)
    files = ", ".join(FILES)
    raise FileNotFoundError(
        f"{title} files not found. Looked in:\n{where}\n"
        f"Provide the four IDX files ({files}; each gzipped as .gz or not) in one of these ways:\n"
        f"  - set {_download.DATA_ENV} to a folder that contains {name}/ with the files,\n"
        f"  - pass path='folder/with/the/files' to load_data,\n"
        f"  - or call load_data(download=True) to download them into {target}."
    )


def _read_folder(folder):
    out = []
    for split, (images_stem, labels_stem) in SPLITS.items():
        images_path = _find_file(folder, images_stem)
        labels_path = _find_file(folder, labels_stem)
        x = read_idx(images_path, kind="images")
        y = read_idx(labels_path, kind="labels")
        if x.shape[1:] != IMAGE_SHAPE:
            raise ValueError(
                f"{images_path}: expected images of shape {IMAGE_SHAPE}, got {x.shape[1:]}"
            )
        if len(x) != len(y):
            raise ValueError(
                f"{split} split: image/label count mismatch: {images_path} has {len(x)} images "
                f"but {labels_path} has {len(y)} labels"
            )
        if len(y) and int(y.max()) >= NUM_CLASSES:
            raise ValueError(
                f"{labels_path}: labels must be in 0..{NUM_CLASSES - 1}, found {int(y.max())}"
            )
        out.append((x, y))
    return tuple(out)
