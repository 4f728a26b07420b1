"""The classic recipes (perceptron, MLPs, MNIST, PUE regression, digits CNN) through the CLI.

Unit tier: `baeum train NAME --smoke` writes a complete run folder and `baeum evaluate`
reloads it and reprints the same result. Slow tier (`pytest -m slow`): the default
settings reach the result the course reports.
"""

import json

import pytest

from baeum import cli

MNIST = ("mnist-softmax", "mnist-mlp", "mnist-cnn", "mnist-cnn-dropout")
CLASSIFIER_FIGURES = ("confusion_matrix.png", "misclassified.png")

# recipe -> the files its run folder must hold besides config.json and result.json
RUN_FILES = {
    # The perceptron is plain arrays (no model.baeum): `evaluate` retrains it.
    "perceptron-gates": ("history.csv", "curves.png", "decision_boundary.png"),
    "xor-mlp": ("history.csv", "curves.png", "model.baeum", "decision_boundary.png"),
    "iris-mlp": ("history.csv", "curves.png", "model.baeum", *CLASSIFIER_FIGURES),
    **{name: ("history.csv", "curves.png", "model.baeum", *CLASSIFIER_FIGURES)
       for name in MNIST},
    "pue-regression": ("history.csv", "curves.png", "model.baeum", "predicted_vs_true.png"),
    "digits-cnn": ("history.csv", "curves.png", "model.baeum", *CLASSIFIER_FIGURES),
}


@pytest.fixture
def data_env(request, monkeypatch):
    """Point BAEUM_DATA at the shared datasets for the MNIST recipes."""
    def use_for(name):
        if name in MNIST:
            monkeypatch.setenv("BAEUM_DATA", str(request.getfixturevalue("data_dir")))
    return use_for


def train(name, out, *extra):
    return cli.main(["train", name, "--out", str(out), "--verbose", "0", *extra])


def last_line(text):
    return text.strip().splitlines()[-1]


@pytest.mark.parametrize("name", list(RUN_FILES))
def test_smoke_run_folder_and_evaluate(name, tmp_path, data_env, capsys):
    data_env(name)
    out = tmp_path / name
    assert train(name, out, "--smoke") == 0
    trained = last_line(capsys.readouterr().out)

    for file in ("config.json", "result.json", *RUN_FILES[name]):
        assert (out / file).is_file(), f"{name}: {file} missing from the run folder"
        assert (out / file).stat().st_size > 0, f"{name}: {file} is empty"
    config = json.loads((out / "config.json").read_text())
    assert config["recipe"] == name and config["smoke"] is True
    result = json.loads((out / "result.json").read_text())
    assert result["recipe"] == name and result["metric"] in trained
    header, *rows = (out / "history.csv").read_text().strip().splitlines()
    assert header.startswith("epoch,") and len(rows) == config["epochs"]

    # evaluate reloads the model (or retrains the perceptron) and reprints the same line.
    assert cli.main(["evaluate", str(out)]) == 0
    evaluated = last_line(capsys.readouterr().out)
    assert trained.startswith(evaluated), (trained, evaluated)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(RUN_FILES))
def test_default_settings_reach_the_target(name, tmp_path, data_env, capsys):
    data_env(name)
    out = tmp_path / name
    assert train(name, out) == 0
    result = json.loads((out / "result.json").read_text())
    assert result["reached"], f"{name}: {capsys.readouterr().out.strip().splitlines()[-1]}"
    if name == "perceptron-gates":
        assert result["extra"]["learned"] == {"and": True, "or": True, "xor": False}
    if name == "pue-regression":
        assert result["value"] < result["extra"]["linear_regression_mape"]


def test_unknown_recipe_lists_the_valid_ones(tmp_path, capsys):
    assert train("mnist-cnnn", tmp_path / "run") == 2
    err = capsys.readouterr().err
    assert "unknown recipe 'mnist-cnnn'" in err
    for name in RUN_FILES:
        assert name in err


def test_mnist_without_files_says_where_to_put_them(tmp_path, capsys):
    empty = tmp_path / "data"
    empty.mkdir()
    assert train("mnist-mlp", tmp_path / "run", "--smoke", "--data-dir", str(empty)) == 2
    err = capsys.readouterr().err
    assert "MNIST files not found" in err
    assert str(empty / "mnist") in err
    assert "train-images-idx3-ubyte" in err and "--data-dir" in err


def test_evaluate_needs_a_run_folder(tmp_path, capsys):
    assert cli.main(["evaluate", str(tmp_path)]) == 2
    assert "no config.json" in capsys.readouterr().err
