"""The sequence and word-vector recipes: hihello-lstm, sine-rnn, char-rnn, word2vec.

Unit tier: a smoke run of each through the CLI (run folder contents, and `baeum
evaluate RUN_DIR` reproducing the headline from the saved model), the hihello
textbook result at default settings, and the data helpers. Slow tier: every recipe
with its default settings reaches its target.
"""

import csv
import json

import numpy as np
import pytest

from baeum import cli
from baeum.recipes import char_rnn, word2vec

COMMON_FILES = {"config.json", "history.csv", "curves.png", "result.json"}
RECIPE_FILES = {
    "hihello-lstm": {"model.baeum"},
    "sine-rnn": {"model.baeum", "forecast.png"},
    "char-rnn": {"model.baeum", "samples.txt", "perplexity.png"},
    "word2vec": {"embeddings.npy", "vocab.txt", "text_embeddings.npy", "text_vocab.txt",
                 "neighbours.txt", "embeddings_pca.png"},
}
HISTORY_COLUMNS = {
    "hihello-lstm": {"loss", "accuracy"},
    "sine-rnn": {"loss", "val_loss"},
    "char-rnn": {"loss", "val_loss", "perplexity", "val_perplexity"},
    "word2vec": {"two_topic_loss", "two_topic_same_topic_nn", "novel_loss"},
}


@pytest.fixture
def data_env(data_dir, monkeypatch):
    monkeypatch.setenv("BAEUM_DATA", str(data_dir))
    return data_dir


def train(name, run_dir, *extra):
    assert cli.main(["train", name, "--out", str(run_dir), "--verbose", "0", *extra]) == 0
    return json.loads((run_dir / "result.json").read_text())


def check_char_rnn_samples(run_dir):
    samples = (run_dir / "samples.txt").read_text()
    for t in char_rnn.TEMPERATURES:
        assert f"temperature {t}:\n{char_rnn.SEED_TEXT}" in samples
    assert len(samples) > 2 * (len(char_rnn.SEED_TEXT) + 60)  # 60 new characters each


def check_word2vec_tables(run_dir):
    lines = (run_dir / "neighbours.txt").read_text().splitlines()
    assert lines[0].startswith("word")
    words = (run_dir / "text_vocab.txt").read_text().split()
    listed = [line.split()[0] for line in lines[1:]]
    assert listed and set(listed) <= set(word2vec.QUERY_WORDS) & set(words)
    assert all(len(line.split(",")) == 5 for line in lines[1:])  # 5 neighbours per word
    vectors = np.load(run_dir / "text_embeddings.npy")
    assert vectors.shape == (len(words), 100) and vectors.dtype == np.float32


EXTRA_CHECKS = {"char-rnn": check_char_rnn_samples, "word2vec": check_word2vec_tables}


@pytest.mark.parametrize("name", list(RECIPE_FILES))
def test_smoke_run_writes_the_run_folder_and_evaluates(name, data_env, tmp_path, capsys):
    run_dir = tmp_path / name
    result = train(name, run_dir, "--smoke")
    assert COMMON_FILES | RECIPE_FILES[name] <= {p.name for p in run_dir.iterdir()}
    assert result["recipe"] == name and np.isfinite(result["target"])
    with open(run_dir / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert rows and HISTORY_COLUMNS[name] <= set(rows[0])
    assert json.loads((run_dir / "config.json").read_text())["smoke"] is True
    EXTRA_CHECKS.get(name, lambda run_dir: None)(run_dir)

    # `baeum evaluate` reloads the run (model.baeum, or the saved tables) and must
    # report the same headline the training run did.
    capsys.readouterr()
    assert cli.main(["evaluate", str(run_dir)]) == 0
    out = capsys.readouterr().out
    assert f"{result['metric']}: {result['value']:.4f}" in out


def test_hihello_reaches_ihello_within_50_steps(tmp_path):
    """The textbook result, at default settings (a few seconds: unit tier)."""
    result = train("hihello-lstm", tmp_path / "run")
    assert result["reached"] and result["value"] <= 50
    assert result["extra"]["final_prediction"] == "ihello"


def test_skipgram_pairs_stay_inside_sentences():
    centers, contexts = word2vec.skipgram_pairs([np.array([1, 2, 3]), np.array([4, 5])], 2)
    pairs = sorted(zip(centers.tolist(), contexts.tolist()))
    assert pairs == sorted([(1, 2), (2, 1), (2, 3), (3, 2), (1, 3), (3, 1), (4, 5), (5, 4)])


def test_same_topic_fraction_counts_nearest_neighbours():
    words = ["cat", "dog", "car", "bus"]
    separated = np.array([[1, 0.1], [1, -0.1], [0.1, 1], [-0.1, 1]], np.float32)
    assert word2vec.same_topic_fraction(separated, words) == 1.0
    mixed = np.array([[1, 0], [0, 1], [1, 0.1], [0.1, 1]], np.float32)  # cat~car, dog~bus
    assert word2vec.same_topic_fraction(mixed, words) == 0.0


def test_char_rnn_targets_are_the_inputs_shifted_by_one():
    ids = np.arange(200)
    x, y = char_rnn.sequences(ids)
    assert x.shape == y.shape == (3, 64)
    np.testing.assert_array_equal(y, x + 1)
    np.testing.assert_array_equal(x.ravel(), ids[:192])


@pytest.mark.slow
@pytest.mark.parametrize("name", list(RECIPE_FILES))
def test_default_settings_reach_the_target(name, data_env, tmp_path):
    result = train(name, tmp_path / name)
    assert result["reached"], result
