"""The quick scripts in examples/ run end to end, as a learner runs them, and print what
they promise. (The MNIST, GAN, DQN, char-rnn and word2vec scripts take minutes; the
recipes they restate are tested in test_recipes_*.py instead.)"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SRC = Path(__file__).resolve().parent.parent / "src"

# script -> a pattern its output must contain
QUICK = {
    "xor_lowlevel.py": r"accuracy: 100%",
    "xor_mlp.py": r"accuracy: 100%",
    "perceptron_gates.py": r"XOR is not linearly separable",
    "iris_mlp.py": r"test accuracy: (0\.9[3-9]\d|1\.000)",
    "hihello_lstm.py": r"prediction: ihello",
    "pue_regression.py": r"test MAPE: DNN 0\.\d+ %",
    "sine_rnn.py": r"\(ratio 0\.[0-4]\d\)",
}


@pytest.mark.parametrize("script", sorted(QUICK))
def test_quick_example_runs_and_prints_its_result(script, tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, str(EXAMPLES / script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.search(QUICK[script], done.stdout), done.stdout[-2000:]
