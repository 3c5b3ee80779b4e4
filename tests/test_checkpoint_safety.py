"""Checkpoint files as an attack surface: `load` never runs code or exhausts memory on a crafted file,
every bad file or mismatched state raises a clear error and leaves the model and the optimizer
exactly as they were, and `save` is atomic."""

import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad import nn, serialization


class Payload:
    """Unpickling this would run code (it records that it did)."""

    ran = False

    def __reduce__(self):
        return (Payload.run, ())

    @staticmethod
    def run():
        Payload.ran = True
        return "ran"


@pytest.fixture(autouse=True)
def pickle_forbidden(monkeypatch):
    """Any unpickling during a test fails it: load must never reach pickle."""

    def forbidden(*args, **kwargs):
        raise AssertionError("pickle was used")

    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "Unpickler", forbidden)
    Payload.ran = False
    yield
    assert not Payload.ran


def trained():
    """A small model and an Adam optimizer with state, after two steps."""
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 3))
    opt = tg.optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
    x = tg.randn(8, 4)
    y = tg.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    for _ in range(2):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return model, opt


def snapshot(model, opt):
    """Copies of every parameter, buffer, optimizer option and state value."""
    state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    sd = opt.state_dict()
    state["param_groups"] = json.dumps(sd["param_groups"], sort_keys=True, default=repr)
    for i, s in sd["state"].items():
        for name, value in s.items():
            state[f"opt.{i}.{name}"] = np.array(value.numpy() if isinstance(value, tg.Tensor) else value)
    return state


def assert_unchanged(before, after):
    assert before.keys() == after.keys()
    for key in before:
        if isinstance(before[key], str):
            assert before[key] == after[key], key
        else:
            assert before[key].dtype == after[key].dtype and before[key].tobytes() == after[key].tobytes(), (
                key
            )


def checkpoint(model, opt):
    return {"model": model.state_dict(), "optim": opt.state_dict(), "epoch": 3}


def restore(path, model, opt):
    """What a user does with a checkpoint file."""
    ckpt = tg.load(path)
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["optim"])


# ---- crafted archives ---------------------------------------------------------------------------


def header(tree):
    text = json.dumps({"format": "tensorgrad-checkpoint", "version": 1, "tree": tree})
    return np.frombuffer(text.encode(), dtype=np.uint8)


def npy_bytes(array):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, allow_pickle=True)
    return buf.getvalue()


def npy_claiming(shape, dtype, data):
    """An .npy member whose header claims `shape` but which holds only `data` bytes."""
    meta = {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)), "fortran_order": False, "shape": shape}
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, meta)
    return buf.getvalue() + data


def write_zip(path, members, compress=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compress) as z:
        for name, data in members.items():
            z.writestr(name, data)


def one_tensor_header():
    return npy_bytes(header({"type": "tensor", "key": "a0", "requires_grad": False}))


def zip_bomb(path, size):
    """A deflated member of `size` zero bytes whose .npy header honestly says so (ratio ~1000:1)."""
    meta = npy_claiming((size // 4,), np.float32, b"")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("__tensorgrad__.npy", one_tensor_header())
        with z.open("a0.npy", "w", force_zip64=True) as member:
            member.write(meta)
            chunk = bytes(1 << 24)
            for _ in range(size // len(chunk)):
                member.write(chunk)


def corrupted_deflate(path):
    """A compressed member whose deflate stream has a flipped byte in the middle."""
    data = np.random.default_rng(0).standard_normal(1000).astype(np.float32)
    write_zip(
        path, {"__tensorgrad__.npy": one_tensor_header(), "a0.npy": npy_bytes(data)}, zipfile.ZIP_DEFLATED
    )
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("a0.npy")
    raw = bytearray(path.read_bytes())
    raw[info.header_offset + 30 + len("a0.npy") + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(raw))


CRAFTED = {
    "pickled object array": lambda p: write_zip(
        p,
        {
            "__tensorgrad__.npy": npy_bytes(
                header({"type": "dict", "items": [["w", {"type": "ndarray", "key": "a0"}]]})
            ),
            "a0.npy": npy_bytes(np.array([Payload()], dtype=object)),
        },
    ),
    "pickled header": lambda p: write_zip(
        p, {"__tensorgrad__.npy": npy_bytes(np.array([Payload()], dtype=object))}
    ),
    "raw pickle file": lambda p: p.write_bytes(pickle.dumps({"model": Payload()})),
    "header claims 4 TiB": lambda p: write_zip(
        p,
        {"__tensorgrad__.npy": one_tensor_header(), "a0.npy": npy_claiming((2**40,), np.float32, bytes(16))},
    ),
    "header claims more than the member holds": lambda p: write_zip(
        p, {"__tensorgrad__.npy": one_tensor_header(), "a0.npy": npy_claiming((1000,), np.float32, bytes(16))}
    ),
    "zip bomb (256 MiB from 256 KiB)": lambda p: zip_bomb(p, 1 << 28),
    "negative dimension": lambda p: write_zip(
        p, {"__tensorgrad__.npy": one_tensor_header(), "a0.npy": npy_claiming((-5,), np.float32, b"")}
    ),
    "corrupted deflate stream": lambda p: corrupted_deflate(p),
    "not a zip": lambda p: p.write_bytes(b"\x93NUMPY garbage" * 10),
    "header nested 100000 deep": lambda p: write_zip(
        p, {"__tensorgrad__.npy": npy_bytes(np.frombuffer(b'{"tree": ' + b"[" * 100_000, np.uint8))}
    ),
}


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_crafted_files_raise_a_clear_error_and_change_nothing(tmp_path, name):
    model, opt = trained()
    before = snapshot(model, opt)
    path = tmp_path / "evil.ckpt"
    CRAFTED[name](path)
    with pytest.raises(ValueError, match="load: .*evil.ckpt"):
        restore(path, model, opt)
    assert_unchanged(before, snapshot(model, opt))


@pytest.mark.parametrize("keep", [0.0, 0.1, 0.5, 0.9, 0.999])
def test_truncated_checkpoints_raise_and_change_nothing(tmp_path, keep):
    model, opt = trained()
    path = tmp_path / "ckpt"
    tg.save(checkpoint(model, opt), path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    before = snapshot(model, opt)
    with pytest.raises(ValueError, match="not a tensorgrad checkpoint"):
        restore(path, model, opt)
    assert_unchanged(before, snapshot(model, opt))


def test_flipped_bytes_in_array_data_are_detected(tmp_path):
    """Stored members carry a CRC: silently corrupted weights are refused, not loaded."""
    model, opt = trained()
    path = tmp_path / "ckpt"
    tg.save({"w": tg.ones(1000)}, path)
    data = bytearray(path.read_bytes())
    marker = np.ones(4, np.float32).tobytes()
    at = bytes(data).index(marker)
    data[at + 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="not a tensorgrad checkpoint"):
        tg.load(path)


# ---- well-formed files that do not fit the model ------------------------------------------------


def mutate(name):
    """Checkpoints that are valid files but wrong for the model or the optimizer."""

    def wrong_shape(ck):
        ck["model"]["0.weight"] = tg.zeros(6, 5)

    def wrong_dtype(ck):
        ck["model"]["0.weight"] = np.zeros((6, 4), np.complex64)

    def string_values(ck):
        ck["model"]["0.bias"] = np.array(["a"] * 6)

    def missing_key(ck):
        del ck["model"]["3.bias"]

    def extra_key(ck):
        ck["model"]["4.weight"] = tg.zeros(1)

    def other_model(ck):
        ck["model"] = nn.Sequential(nn.Linear(4, 3)).state_dict()

    def other_optimizer(ck):
        other = nn.Linear(4, 3)
        o = tg.optim.Adam(other.parameters())
        other(tg.ones(1, 4)).sum().backward()
        o.step()
        ck["optim"] = o.state_dict()

    def state_shape(ck):
        ck["optim"]["state"][0]["exp_avg"] = tg.zeros(3)

    def state_step_shape(ck):
        ck["optim"]["state"][0]["step"] = tg.zeros(5)

    def state_missing_entry(ck):
        del ck["optim"]["state"][1]["exp_avg_sq"]

    def state_not_a_tensor(ck):
        ck["optim"]["state"][2]["exp_avg"] = "zeros"

    def bad_lr(ck):
        ck["optim"]["param_groups"][0]["lr"] = -1.0

    def bad_betas(ck):
        ck["optim"]["param_groups"][0]["betas"] = [0.9]

    def unknown_param_index(ck):
        ck["optim"]["state"][99] = ck["optim"]["state"][0]

    def string_param_index(ck):
        ck["optim"]["state"]["x"] = ck["optim"]["state"].pop(0)

    def model_not_a_dict(ck):
        ck["model"] = [1, 2, 3]

    def optim_not_a_dict(ck):
        ck["optim"] = "adam"

    return locals()[name]


MUTATIONS = [
    "wrong_shape",
    "wrong_dtype",
    "string_values",
    "missing_key",
    "extra_key",
    "other_model",
    "other_optimizer",
    "state_shape",
    "state_step_shape",
    "state_missing_entry",
    "state_not_a_tensor",
    "bad_lr",
    "bad_betas",
    "unknown_param_index",
    "string_param_index",
    "model_not_a_dict",
    "optim_not_a_dict",
]


@pytest.mark.parametrize("name", MUTATIONS)
def test_mismatched_checkpoints_raise_and_change_nothing(tmp_path, name):
    model, opt = trained()
    ck = checkpoint(model, opt)
    mutate(name)(ck)
    path = tmp_path / "ckpt"
    tg.save(ck, path)
    loaded = tg.load(path)
    before = snapshot(model, opt)
    failed = 0
    for target, part in ((model, "model"), (opt, "optim")):
        try:
            target.load_state_dict(loaded[part])
        except (ValueError, TypeError, RuntimeError) as e:
            failed += 1
            assert any(w in str(e) for w in ("state_dict", "Adam")), f"unclear error: {e}"
    assert failed, f"{name}: a mismatched checkpoint loaded without an error"
    # The checkpoint was taken from this very model and optimizer, so a part that loaded changed
    # nothing either: everything must be exactly as before.
    assert_unchanged(before, snapshot(model, opt))
    check_step_is_safe(model, opt)


def check_step_is_safe(model, opt):
    """A step after a (rejected) load either works or raises before changing any parameter."""
    before = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    x = tg.ones(8, 4)
    opt.zero_grad()
    model(x).sum().backward()
    try:
        opt.step()
    except (ValueError, TypeError, RuntimeError, KeyError):
        after = {k: v.detach().numpy() for k, v in model.state_dict().items()}
        for k in before:
            if k.endswith("weight") or k.endswith("bias"):
                assert before[k].tobytes() == after[k].tobytes(), f"{k} changed by a failed step"


# ---- atomic save ------------------------------------------------------------------------------


def test_save_is_atomic_when_the_final_rename_fails(tmp_path, monkeypatch):
    model, opt = trained()
    path = tmp_path / "model.ckpt"
    tg.save(checkpoint(model, opt), path)
    old = path.read_bytes()
    written = []
    real_replace = os.replace

    def failing_replace(src, dst):
        written.append(os.path.getsize(src))  # the temporary file was complete
        raise OSError("rename failed")

    monkeypatch.setattr(serialization.os, "replace", failing_replace)
    opt.step()
    with pytest.raises(OSError, match="rename failed"):
        tg.save(checkpoint(model, opt), path)
    monkeypatch.setattr(serialization.os, "replace", real_replace)
    assert written and written[0] > 0
    assert os.listdir(tmp_path) == ["model.ckpt"]
    assert path.read_bytes() == old
    fresh_model, fresh_opt = trained()
    restore(path, fresh_model, fresh_opt)


def test_save_is_atomic_when_interrupted_while_writing(tmp_path, monkeypatch):
    path = tmp_path / "model.ckpt"
    tg.save({"w": tg.ones(10_000)}, path)
    old = path.read_bytes()
    real_write_array = np.lib.format.write_array

    def interrupted(fp, array, *args, **kwargs):
        fp.write(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(np.lib.format, "write_array", interrupted)
    with pytest.raises(KeyboardInterrupt):
        tg.save({"w": tg.zeros(10_000)}, path)
    monkeypatch.setattr(np.lib.format, "write_array", real_write_array)
    assert os.listdir(tmp_path) == ["model.ckpt"]
    assert path.read_bytes() == old
    np.testing.assert_array_equal(tg.load(path)["w"].numpy(), np.ones(10_000, np.float32))


def test_save_into_a_missing_directory_fails_cleanly(tmp_path):
    with pytest.raises(FileNotFoundError):
        tg.save({"a": 1}, tmp_path / "no" / "such" / "dir.ckpt")
    assert os.listdir(tmp_path) == []
