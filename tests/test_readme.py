"""The README's Python examples run as written, in order, in one namespace (as a newcomer
pastes them). The MNIST example trains on the first 2,000 images here (the unit tier's
time budget); everything else is the README's text unchanged."""

import re
from pathlib import Path

import pytest

import baeum

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_the_readme_has_its_examples():
    assert len(BLOCKS) >= 4


def test_the_readme_examples_run(data_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BAEUM_DATA", str(data_dir))
    monkeypatch.chdir(tmp_path)                         # model.save("mnist.baeum") lands here
    load = baeum.datasets.mnist.load_data

    def first_images(*args, **kwargs):
        (x, y), (xt, yt) = load(*args, **kwargs)
        return (x[:2000], y[:2000]), (xt[:500], yt[:500])

    monkeypatch.setattr(baeum.datasets.mnist, "load_data", first_images)
    namespace = {}
    for i, block in enumerate(BLOCKS, 1):
        try:
            exec(compile(block, f"README.md python block {i}", "exec"), namespace)
        except Exception as e:  # say which block, with the error
            pytest.fail(f"README python block {i} failed: {type(e).__name__}: {e}")
    assert (tmp_path / "mnist.baeum").exists()
    assert "Total params" in capsys.readouterr().out      # model.summary() printed
