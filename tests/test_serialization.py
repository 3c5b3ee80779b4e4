"""tensorgrad.save / tensorgrad.load: round trips, rejection of foreign files, atomic writes."""

import io
import json
import math
import os
import pickle

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad import serialization


def nested():
    return {
        "weight": tg.randn(3, 4),
        "counts": tg.tensor([1, 2, 3]),
        "mask": tg.tensor([True, False]),
        "double": tg.zeros(2, dtype=tg.float64),
        "scalar": tg.tensor(2.5),
        "empty": tg.zeros(0, 5),
        "raw": np.arange(6, dtype=np.uint8).reshape(2, 3),
        "state": {0: {"step": 3, "lr": 0.1}, 1: None},
        "groups": [{"betas": (0.9, 0.999), "nesterov": True, "name": "héllo"}],
        "specials": [math.inf, -math.inf, 1e-320, -0.0, 2**70],
        (1, "a"): "tuple key",
        2.5: "float key",
        None: "none key",
        False: "bool key",
    }


def assert_same(a, b):
    assert type(a) is type(b), (a, b)
    if isinstance(a, tg.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert [(type(k), k) for k in a] == [(type(k), k) for k in b]
        for k in a:
            assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    elif isinstance(a, float):
        assert (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    else:
        assert a == b


def test_round_trip(tmp_path):
    obj = nested()
    path = tmp_path / "ckpt.pt"
    tg.save(obj, path)
    assert sorted(os.listdir(tmp_path)) == ["ckpt.pt"]  # exactly that name, no ".npz" appended
    assert_same(obj, tg.load(path))
    assert_same(obj, tg.load(str(path), map_location="cpu"))


def test_nan_and_requires_grad_survive(tmp_path):
    w = tg.randn(2, requires_grad=True)
    tg.save({"w": w, "nan": math.nan}, tmp_path / "a")
    out = tg.load(tmp_path / "a")
    assert math.isnan(out["nan"]) and out["w"].requires_grad and out["w"].is_leaf
    np.testing.assert_array_equal(out["w"].detach().numpy(), w.detach().numpy())


def test_top_level_objects_and_file_objects():
    for obj in [tg.ones(3), [1, 2], (tg.zeros(1),), "text", None, 7]:
        buf = io.BytesIO()
        tg.save(obj, buf)
        buf.seek(0)
        assert_same(obj, tg.load(buf))


def test_shared_tensors_are_stored_once_and_load_as_one_object(tmp_path):
    w = tg.randn(100)
    tg.save({"encoder": w, "decoder": w}, tmp_path / "tied")
    with np.load(tmp_path / "tied", allow_pickle=False) as f:
        assert len(f.files) == 2  # one array plus the header
    out = tg.load(tmp_path / "tied")
    assert out["encoder"] is out["decoder"]


def test_the_file_is_a_plain_npz_with_a_json_header(tmp_path):
    tg.save({"w": tg.ones(2)}, tmp_path / "c")
    with np.load(tmp_path / "c", allow_pickle=False) as f:
        header = json.loads(f["__tensorgrad__"].tobytes())
        assert header["format"] == "tensorgrad-checkpoint" and header["version"] == 1
        key = header["tree"]["items"][0][1]["key"]
        np.testing.assert_array_equal(f[key], [1.0, 1.0])


@pytest.mark.parametrize(
    "obj, error, match",
    [
        ({"f": object()}, TypeError, "cannot store an object of type object"),
        ({"f": lambda: 0}, TypeError, "function"),
        ({"a": np.array([object()])}, TypeError, "Python objects"),
        ({tg.ones(1): 1}, TypeError, "dict keys"),
        ({1, 2}, TypeError, "set"),
    ],
)
def test_save_rejects_what_a_checkpoint_cannot_hold(tmp_path, obj, error, match):
    with pytest.raises(error, match=match):
        tg.save(obj, tmp_path / "x")
    assert os.listdir(tmp_path) == []


def test_save_rejects_reference_cycles(tmp_path):
    a = []
    a.append(a)
    with pytest.raises(ValueError, match="cycle"):
        tg.save(a, tmp_path / "x")
    shared = [1]
    tg.save([shared, shared], tmp_path / "ok")  # a shared (not cyclic) container is fine
    assert tg.load(tmp_path / "ok") == [[1], [1]]


class Boom:
    """Unpickling this would run code; a checkpoint loader must never get that far."""

    ran = False

    def __reduce__(self):
        return (Boom._explode, ())

    @staticmethod
    def _explode():
        Boom.ran = True
        return "exploded"


def write_npz(path, **arrays):
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def header(tree, fmt="tensorgrad-checkpoint", version=1):
    text = json.dumps({"format": fmt, "version": version, "tree": tree})
    return np.frombuffer(text.encode(), dtype=np.uint8)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda p: write_npz(p, weight=np.ones(3)), "no '__tensorgrad__' entry"),
        (lambda p: write_npz(p, obj=np.array([Boom()], dtype=object)), "no '__tensorgrad__' entry"),
        (
            lambda p: write_npz(
                p,
                __tensorgrad__=header({"type": "ndarray", "key": "a0"}),
                a0=np.array([Boom()], dtype=object),
            ),
            "without pickle",
        ),
        (lambda p: p.write_bytes(pickle.dumps({"w": Boom()})), "not an .npz archive"),
        (lambda p: p.write_bytes(b"hello world"), "not an .npz archive"),
        (lambda p: p.write_text(""), "not an .npz archive"),
        (lambda p: np.save(open(p, "wb"), np.ones(3)), "single .npy array"),
        (lambda p: write_npz(p, __tensorgrad__=np.frombuffer(b"\xff\xfe", np.uint8)), "unreadable header"),
        (lambda p: write_npz(p, __tensorgrad__=header(1, fmt="other")), "does not describe"),
        (lambda p: write_npz(p, __tensorgrad__=header({"type": "tensor", "key": "a9"})), "lacks"),
        (lambda p: write_npz(p, __tensorgrad__=header({"type": "weird"})), "malformed"),
        (lambda p: write_npz(p, __tensorgrad__=header({"type": "dict", "items": 5})), "malformed"),
        (
            lambda p: write_npz(
                p, __tensorgrad__=header({"type": "tensor", "key": "a0"}), a0=np.ones(2, np.uint8)
            ),
            "unsupported dtype uint8",
        ),
        (lambda p: write_npz(p, __tensorgrad__=header(1, version=99)), "version 99"),
    ],
)
def test_load_rejects_files_that_are_not_checkpoints(tmp_path, make, match):
    path = tmp_path / "foreign"
    make(path)
    Boom.ran = False
    with pytest.raises(ValueError, match=match):
        tg.load(path)
    assert not Boom.ran


def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        tg.load(tmp_path / "nope")


def test_atomic_save_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "model.ckpt"
    tg.save({"version": 1, "w": tg.ones(1000)}, path)
    old = path.read_bytes()

    real_savez = np.savez

    def half_write(f, *args, **kwargs):
        real_savez(f, *args, **kwargs)
        f.truncate(100)
        raise OSError("disk full")

    monkeypatch.setattr(serialization.np, "savez", half_write)
    with pytest.raises(OSError, match="disk full"):
        tg.save({"version": 2, "w": tg.zeros(1000)}, path)
    monkeypatch.setattr(serialization.np, "savez", real_savez)

    def failing_fsync(fd):
        raise OSError("fsync failed")

    monkeypatch.setattr(serialization.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="fsync failed"):
        tg.save({"version": 3}, path)
    monkeypatch.undo()

    assert os.listdir(tmp_path) == ["model.ckpt"]  # no temporary files left behind
    assert path.read_bytes() == old
    assert tg.load(path)["version"] == 1


def test_save_replaces_an_existing_checkpoint(tmp_path):
    path = tmp_path / "c"
    tg.save({"v": 1}, path)
    tg.save({"v": 2}, path)
    assert tg.load(path) == {"v": 2}
    assert os.listdir(tmp_path) == ["c"]
