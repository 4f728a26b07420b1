"""The mnist-gan and cartpole-dqn recipes.

Unit tier: `baeum train NAME --smoke` writes a complete run folder, `baeum evaluate`
reloads it and reprints the same result; the pieces (replay buffer, DQN update, the
GAN's headline rule) on their own. Slow tier (`pytest -m slow`): the default settings
reach the course's results.
"""

import json
import sys

import numpy as np
import pytest

from baeum import cli, losses, optimizers
from baeum.models import load_model
from baeum.recipes.run import Run, Settings
from oracle import requires_torch, torch

RUN_FILES = {
    "mnist-gan": ("history.csv", "curves.png", "model.baeum", "classifier.baeum",
                  "samples_epoch_01.png", "interpolation.png", "scored_samples.png"),
    "cartpole-dqn": ("history.csv", "curves.png", "model.baeum", "return_curve.png"),
}


def train(name, out, *extra):
    return cli.main(["train", name, "--out", str(out), "--verbose", "0", *extra])


def last_line(text):
    return text.strip().splitlines()[-1]


def check_run_folder(name, out, trained_line):
    for file in ("config.json", "result.json", *RUN_FILES[name]):
        assert (out / file).is_file(), f"{name}: {file} missing from the run folder"
        assert (out / file).stat().st_size > 0, f"{name}: {file} is empty"
    config = json.loads((out / "config.json").read_text())
    assert config["recipe"] == name and config["smoke"] is True and config["seed"] == 0
    result = json.loads((out / "result.json").read_text())
    assert result["recipe"] == name and result["metric"] in trained_line
    return config, result


# ---------------------------------------------------------------- mnist-gan


def test_mnist_gan_smoke_run_folder_and_evaluate(tmp_path, data_dir, monkeypatch, capsys):
    monkeypatch.setenv("BAEUM_DATA", str(data_dir))
    out = tmp_path / "mnist-gan"
    assert train("mnist-gan", out, "--smoke") == 0
    trained = last_line(capsys.readouterr().out)
    config, result = check_run_folder("mnist-gan", out, trained)

    header, *rows = (out / "history.csv").read_text().strip().splitlines()
    assert header.split(",")[:3] == ["epoch", "loss_D", "loss_G"]
    assert len(rows) == config["epochs"] == 1
    assert all(np.isfinite(float(v)) for v in rows[0].split(","))
    assert 0 <= result["value"] <= 1
    histogram = result["extra"]["digit_histogram"]
    assert len(histogram) == 10 and all(n >= 0 for n in histogram)

    # The saved generator draws 28x28 images in tanh's range from 128-d noise.
    generator = load_model(str(out / "model.baeum"))
    images = generator.predict(np.zeros((3, 128), np.float32))
    assert images.shape == (3, 28, 28, 1) and np.abs(images).max() <= 1

    # evaluate regenerates the digits from the saved generator and re-scores them with
    # the saved classifier: the same number.
    assert cli.main(["evaluate", str(out)]) == 0
    evaluated = last_line(capsys.readouterr().out)
    assert trained.startswith(evaluated), (trained, evaluated)


class _FixedReader:
    """A stand-in classifier that reads every image as `digits[i]` with `confidence[i]`."""

    def __init__(self, digits, confidence):
        self.digits, self.confidence = digits, confidence

    def predict(self, images, batch_size=None):
        n = len(images)
        p = np.full((n, 10), 0.0, np.float32)
        p[np.arange(n), self.digits[:n]] = self.confidence[:n]
        return p


@pytest.mark.parametrize("digits, confidence, expected", [
    # 90% confident, all ten digits among them: the headline is the fraction.
    (np.arange(100) % 10, np.where(np.arange(100) < 90, 0.95, 0.5), 0.9),
    # 95% confident but no 7 drawn confidently (mode collapse): the headline is 0.
    (np.where(np.arange(100) % 10 == 7, 3, np.arange(100) % 10),
     np.where(np.arange(100) < 95, 0.99, 0.3), 0.0),
])
def test_mnist_gan_headline_needs_all_ten_digits(tmp_path, digits, confidence, expected):
    from baeum.recipes import mnist_gan

    settings = Settings(out=str(tmp_path), smoke=True, verbose=0)  # smoke: 100 digits
    run = Run("mnist-gan", settings)
    result = mnist_gan.report(mnist_gan.build_generator(), _FixedReader(digits, confidence),
                              settings, run)
    assert result.value == pytest.approx(expected)
    assert result.reached == (expected >= 0.8)
    assert sum(result.extra["digit_histogram"]) == int(np.sum(confidence >= 0.9))
    assert (tmp_path / "scored_samples.png").is_file()


def test_mnist_gan_train_step_updates_both_networks():
    from baeum.recipes import mnist_gan

    generator, discriminator = mnist_gan.build_generator(), mnist_gan.build_discriminator()
    g_opt = optimizers.Adam(generator.trainable_weights, learning_rate=2e-4, beta_1=0.5)
    d_opt = optimizers.Adam(discriminator.trainable_weights, learning_rate=2e-4, beta_1=0.5)
    g_before, d_before = generator.get_weights(), discriminator.get_weights()
    real = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1)).astype(np.float32)
    loss_d, loss_g, d_real, d_fake = mnist_gan.train_step(
        generator, discriminator, g_opt, d_opt, losses.BinaryCrossentropy(from_logits=True),
        real, np.random.default_rng(1))
    # At the start D cannot tell: its mean output is about 1/2 on real and fake images.
    # (Each logit still spreads around 0, BatchNorm giving D's last layer unit-variance
    # features, so the BCE losses lie above log 2 = 0.69 per term, by Jensen's inequality.)
    assert 0.3 < d_real < 0.7 and 0.3 < d_fake < 0.7
    assert 2 * np.log(2) - 0.05 < loss_d < 3.0 and np.log(2) - 0.05 < loss_g < 3.0
    assert g_opt.iterations == d_opt.iterations == 1
    for before, model in ((g_before, generator), (d_before, discriminator)):
        changed = [not np.array_equal(a, b) for a, b in zip(before, model.get_weights())]
        assert any(changed)


# ---------------------------------------------------------------- cartpole-dqn


def test_cartpole_dqn_smoke_run_folder_and_evaluate(tmp_path, capsys):
    pytest.importorskip("gymnasium")
    out = tmp_path / "cartpole-dqn"
    assert train("cartpole-dqn", out, "--smoke") == 0
    trained = last_line(capsys.readouterr().out)
    config, result = check_run_folder("cartpole-dqn", out, trained)

    header, *rows = (out / "history.csv").read_text().strip().splitlines()
    assert header == "epoch,return,epsilon,loss"
    assert len(rows) == config["max_episodes"]          # smoke: 3 episodes
    returns = [float(row.split(",")[1]) for row in rows]
    assert all(r >= 1 for r in returns)                  # CartPole pays 1 per step
    assert 1 <= result["value"] <= 500

    q_network = load_model(str(out / "model.baeum"))
    assert q_network.predict(np.zeros((5, 4), np.float32)).shape == (5, 2)

    # evaluate replays the same seeded greedy episodes: the same mean return.
    assert cli.main(["evaluate", str(out)]) == 0
    evaluated = last_line(capsys.readouterr().out)
    assert trained.startswith(evaluated), (trained, evaluated)


def test_cartpole_dqn_same_seed_same_run(tmp_path, capsys):
    pytest.importorskip("gymnasium")
    histories = []
    for name in ("a", "b"):
        assert train("cartpole-dqn", tmp_path / name, "--smoke", "--seed", "3") == 0
        histories.append((tmp_path / name / "history.csv").read_text())
    assert histories[0] == histories[1]


def test_cartpole_dqn_without_gymnasium_says_how_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "gymnasium", None)  # makes `import gymnasium` fail
    assert train("cartpole-dqn", tmp_path / "run", "--smoke") == 2
    err = capsys.readouterr().err
    assert "needs gymnasium" in err and "pip install gymnasium" in err


def test_replay_buffer_keeps_the_last_transitions():
    from baeum.recipes.cartpole_dqn import ReplayBuffer

    buffer = ReplayBuffer(capacity=4, state_dim=2)
    for t in range(6):  # 6 transitions into 4 slots: 0 and 1 are overwritten
        buffer.add([t, t], t % 2, float(t), [t + 1, t + 1], t == 5)
    assert buffer.size == 4
    assert sorted(buffer.rewards.tolist()) == [2.0, 3.0, 4.0, 5.0]
    states, actions, rewards, next_states, terminated = buffer.sample(
        64, np.random.default_rng(0))
    assert states.shape == next_states.shape == (64, 2) and states.dtype == np.float32
    assert set(rewards.tolist()) <= {2.0, 3.0, 4.0, 5.0}
    np.testing.assert_array_equal(next_states[:, 0], states[:, 0] + 1)
    np.testing.assert_array_equal(actions, rewards.astype(int) % 2)
    np.testing.assert_array_equal(terminated, rewards == 5.0)


def test_epsilon_decays_linearly_then_stays():
    from baeum.recipes import cartpole_dqn as dqn

    assert dqn.epsilon_at(0) == dqn.EPSILON_START
    halfway = dqn.epsilon_at(dqn.EPSILON_DECAY_STEPS // 2)
    assert halfway == pytest.approx((dqn.EPSILON_START + dqn.EPSILON_END) / 2)
    assert dqn.epsilon_at(dqn.EPSILON_DECAY_STEPS) == pytest.approx(dqn.EPSILON_END)
    assert dqn.epsilon_at(10 * dqn.EPSILON_DECAY_STEPS) == pytest.approx(dqn.EPSILON_END)


def test_moving_average_over_a_growing_then_full_window():
    from baeum.recipes.cartpole_dqn import moving_average

    np.testing.assert_allclose(moving_average([2, 4, 6, 8], 2), [2, 3, 5, 7])


@requires_torch
def test_dqn_train_step_matches_torch():
    """The loss and every gradient of one DQN update, against the same update in torch."""
    from baeum.recipes import cartpole_dqn as dqn

    rng = np.random.default_rng(0)
    q_network = dqn.build_q_network(units=16)
    target_network = dqn.build_q_network(units=16)
    n = 32
    batch = (rng.standard_normal((n, 4)).astype(np.float32), rng.integers(0, 2, n),
             rng.uniform(0, 2, n).astype(np.float32),
             rng.standard_normal((n, 4)).astype(np.float32),
             (rng.random(n) < 0.3).astype(np.float32))
    optimizer = optimizers.SGD(q_network.trainable_weights, learning_rate=0.0)  # keep weights
    loss = dqn.train_step(q_network, target_network, optimizer, losses.Huber(), batch)

    def mlp(x, weights):
        w1, b1, w2, b2, w3, b3 = weights
        h = torch.relu(x @ w1 + b1)
        return torch.relu(h @ w2 + b2) @ w3 + b3

    states, actions, rewards, next_states, terminated = map(torch.tensor, batch)
    weights = [torch.tensor(w.data, requires_grad=True) for w in q_network.trainable_weights]
    target_weights = [torch.tensor(w.data) for w in target_network.trainable_weights]
    with torch.no_grad():
        y = rewards + dqn.GAMMA * (1 - terminated) * mlp(next_states, target_weights).amax(1)
    q_taken = mlp(states, weights)[torch.arange(n), actions]
    torch_loss = torch.nn.functional.huber_loss(q_taken, y)
    torch_loss.backward()

    assert loss == pytest.approx(torch_loss.item(), rel=1e-5)
    for w, tw in zip(q_network.trainable_weights, weights):
        np.testing.assert_allclose(w.grad.data, tw.grad.numpy(), rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------- the default runs


@pytest.mark.slow
def test_mnist_gan_default_settings_reach_the_target(tmp_path, data_dir, monkeypatch, capsys):
    monkeypatch.setenv("BAEUM_DATA", str(data_dir))
    out = tmp_path / "mnist-gan"
    assert train("mnist-gan", out) == 0
    result = json.loads((out / "result.json").read_text())
    assert result["extra"]["classifier_test_accuracy"] >= 0.98
    assert result["extra"]["all_ten_digits"]
    assert result["reached"], last_line(capsys.readouterr().out)


@pytest.mark.slow
def test_cartpole_dqn_default_settings_reach_the_target(tmp_path, capsys):
    pytest.importorskip("gymnasium")
    out = tmp_path / "cartpole-dqn"
    assert train("cartpole-dqn", out) == 0
    result = json.loads((out / "result.json").read_text())
    assert result["reached"], last_line(capsys.readouterr().out)
