"""Shared test setup: the PyTorch oracle, the dataset folder, a fixed seed per test."""

import os
from pathlib import Path

import numpy as np
import pytest

import baeum

IN_CI = os.environ.get("CI") == "true"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def pytest_configure(config):
    # The oracle tier must run in CI: a missing torch there is a failure, not a skip.
    if IN_CI:
        try:
            import torch  # noqa: F401
        except ImportError as e:
            raise pytest.UsageError(f"CI=true but PyTorch is not importable ({e})") from None


@pytest.fixture(autouse=True)
def _seed():
    baeum.random.seed(0)
    yield


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture
def data_dir():
    """The shared datasets folder (MNIST, text); CI must have it, elsewhere we may skip."""
    root = Path(os.environ.get("BAEUM_TEST_DATA", SHARED_DATA))
    if not (root / "mnist").is_dir():
        if IN_CI:
            pytest.fail(f"datasets folder not found at {root} (needed in CI)")
        pytest.skip(f"datasets folder not found at {root}")
    return root
