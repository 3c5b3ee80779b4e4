"""The README's first command, examples/train_digits.py, run for short trainings."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "train_digits.py"


@pytest.fixture(scope="module")
def demo():
    spec = importlib.util.spec_from_file_location("train_digits", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(demo, tmp_path, *args):
    ckpt = tmp_path / "run.ckpt"
    return demo.main(["--checkpoint", str(ckpt), "--plot", str(tmp_path / "curves.png"), *args])


@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_one_short_epoch_learns(demo, tmp_path, capsys, model):
    result = run(demo, tmp_path, "--model", model, "--epochs", "1")
    assert result["test_acc"] > 0.6  # chance is 0.1
    out = capsys.readouterr().out
    assert "epoch  1/1" in out and "test accuracy:" in out
    assert (tmp_path / "run.ckpt").is_file()


def weights(model):
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def test_resume_after_a_crash_continues_exactly_like_an_uninterrupted_run(
    demo, tmp_path, capsys, monkeypatch
):
    straight = run(demo, tmp_path / "a", "--epochs", "3", "--batch-size", "64")

    real_epoch = demo.train_one_epoch
    calls = []

    def crash_in_second_epoch(*args):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_epoch(*args)

    monkeypatch.setattr(demo, "train_one_epoch", crash_in_second_epoch)
    with pytest.raises(KeyboardInterrupt):
        run(demo, tmp_path / "b", "--epochs", "3", "--batch-size", "64")
    monkeypatch.undo()
    resumed = run(demo, tmp_path / "b", "--epochs", "3", "--batch-size", "64", "--resume")
    assert "resumed from" in capsys.readouterr().out
    assert resumed["history"]["test_acc"] == straight["history"]["test_acc"]
    a, b = weights(straight["model"]), weights(resumed["model"])
    assert a.keys() == b.keys()
    for k in a:
        assert np.array_equal(a[k], b[k]), k


def test_resume_refuses_a_checkpoint_of_another_model(demo, tmp_path):
    run(demo, tmp_path, "--epochs", "1")
    with pytest.raises(SystemExit, match="mlp model"):
        run(demo, tmp_path, "--model", "cnn", "--epochs", "1", "--resume")
