"""`save` / `load`: checkpoints as plain .npz archives, never pickle.

A checkpoint holds one array per tensor (or numpy array) and a JSON description of the object
around them, stored as UTF-8 bytes under the key `__tensorgrad__`:

    {"format": "tensorgrad-checkpoint", "version": 1, "tree": <node>}

A node is a JSON scalar (None, bool, int, float, str) or a tagged object:
{"type": "dict", "items": [[key node, value node], ...]} (keys keep their types, so an
optimizer's integer parameter indices come back as ints), {"type": "list"|"tuple", "items": [...]},
{"type": "tensor", "key": "a0", "requires_grad": bool}, {"type": "ndarray", "key": "a1"} and
{"type": "float", "value": "nan"|"inf"|"-inf"}. A tensor stored twice (tied weights) is written
once and loads as one object. Files are written atomically: a temporary file in the same
directory, fsync, then os.replace, so a crash never leaves a half-written checkpoint.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import zipfile
from typing import Any

import numpy as np

from . import dtypes
from .tensor import Tensor, _wrap

FORMAT = "tensorgrad-checkpoint"
VERSION = 1
HEADER_KEY = "__tensorgrad__"

_SCALARS = (type(None), bool, int, str)
_MAX_EXPANSION = 100  # compressed members may expand at most this much ...
_BOMB_FLOOR = 16 << 20  # ... once they are larger than this (bytes)
_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def save(obj: Any, f: Any) -> None:
    """Save `obj` (nested dicts/lists/tuples of tensors, numpy arrays, numbers, strings, None,
    bools; e.g. a model's or optimizer's `state_dict()`) to the path or binary file `f`."""
    arrays: dict[str, np.ndarray] = {}
    tree = _Encoder(arrays).encode(obj)
    header = json.dumps({"format": FORMAT, "version": VERSION, "tree": tree}, allow_nan=False)
    arrays[HEADER_KEY] = np.frombuffer(header.encode("utf-8"), dtype=np.uint8)
    if hasattr(f, "write"):
        np.savez(f, allow_pickle=False, **arrays)
    else:
        _write_atomically(os.fspath(f), arrays)


def load(f: Any, map_location: Any = None, weights_only: Any = None) -> Any:
    """Load an object written by `save` from a path or binary file.

    `map_location` and `weights_only` are accepted for PyTorch compatibility: everything loads
    on the CPU, and no code is ever executed (arrays are read with allow_pickle=False).
    """
    name = f if isinstance(f, (str, os.PathLike)) else getattr(f, "name", "the file")
    try:
        archive = np.load(f, allow_pickle=False)
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
        raise ValueError(f"load: {name} is not a tensorgrad checkpoint (not an .npz archive: {e})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"load: {name} is not a tensorgrad checkpoint (a single .npy array, not an .npz)")
    with archive:
        return _Decoder(archive, name).decode_file()


class _Encoder:
    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays
        self.keys: dict[int, str] = {}  # id(tensor or array) -> its key, to store shared ones once
        self.open: set[int] = set()  # containers on the current path, to detect cycles

    def encode(self, obj: Any) -> Any:
        if isinstance(obj, _SCALARS):
            return obj
        if isinstance(obj, float):
            return obj if math.isfinite(obj) else {"type": "float", "value": repr(obj)}
        if isinstance(obj, np.generic) and not isinstance(obj, np.object_):
            return self.encode(obj.item())
        if isinstance(obj, Tensor):
            return {"type": "tensor", "key": self._store(obj, obj._data), "requires_grad": obj.requires_grad}
        if isinstance(obj, np.ndarray):
            return {"type": "ndarray", "key": self._store(obj, obj)}
        if isinstance(obj, (dict, list, tuple)):
            if id(obj) in self.open:
                raise ValueError("save: the object contains a reference cycle")
            self.open.add(id(obj))
            if isinstance(obj, dict):
                node = {"type": "dict", "items": [[self._key(k), self.encode(v)] for k, v in obj.items()]}
            else:
                kind = "tuple" if isinstance(obj, tuple) else "list"
                node = {"type": kind, "items": [self.encode(v) for v in obj]}
            self.open.discard(id(obj))
            return node
        raise TypeError(
            f"save: cannot store an object of type {type(obj).__name__}; a checkpoint holds tensors, "
            "numpy arrays, numbers, strings, None, bools and dicts/lists/tuples of them"
        )

    def _key(self, key: Any) -> Any:
        if isinstance(key, (Tensor, np.ndarray)):
            raise TypeError(
                f"save: dict keys must be numbers, strings, None or tuples, got {type(key).__name__}"
            )
        return self.encode(key)

    def _store(self, owner: Any, arr: np.ndarray) -> str:
        key = self.keys.get(id(owner))
        if key is None:
            if arr.dtype.hasobject:
                raise TypeError("save: arrays of Python objects cannot be stored (they would need pickle)")
            key = self.keys[id(owner)] = f"a{len(self.keys)}"
            self.arrays[key] = arr
        return key


class _Decoder:
    def __init__(self, archive: np.lib.npyio.NpzFile, name: Any) -> None:
        self.archive = archive
        self.name = name
        self.loaded: dict[tuple[str, str], Any] = {}

    def fail(self, why: str) -> ValueError:
        return ValueError(f"load: {self.name} is not a tensorgrad checkpoint ({why})")

    def decode_file(self) -> Any:
        if HEADER_KEY not in self.archive.files:
            raise self.fail(f"no '{HEADER_KEY}' entry; the archive holds {sorted(self.archive.files)[:5]}")
        raw = self.read_member(HEADER_KEY)
        try:
            header = json.loads(raw.tobytes().decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            raise self.fail(f"unreadable header: {e}") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT or "tree" not in header:
            raise self.fail("the header does not describe a tensorgrad checkpoint")
        version = header.get("version")
        if not isinstance(version, int) or version > VERSION:
            raise ValueError(
                f"load: {self.name} has checkpoint format version {version!r}; this tensorgrad reads "
                f"versions up to {VERSION}"
            )
        try:
            return self.decode(header["tree"])
        except (KeyError, TypeError, AttributeError, RecursionError) as e:
            raise self.fail(f"malformed description: {type(e).__name__}: {e}") from None

    def decode(self, node: Any) -> Any:
        if isinstance(node, _SCALARS) or isinstance(node, float):
            return node
        kind = node.get("type") if isinstance(node, dict) else None
        if kind == "dict":
            return {self.decode(k): self.decode(v) for k, v in node["items"]}
        if kind == "list":
            return [self.decode(v) for v in node["items"]]
        if kind == "tuple":
            return tuple(self.decode(v) for v in node["items"])
        if kind == "float" and node.get("value") in _NONFINITE:
            return _NONFINITE[node["value"]]
        if kind == "tensor" or kind == "ndarray":
            return self._array(kind, node)
        raise self.fail(f"malformed description node {str(node)[:80]}")

    def read_member(self, key: str) -> np.ndarray:
        """One array of the archive, after checking that reading it cannot exhaust memory: its
        .npy header must describe exactly the bytes the member holds, and a compressed member
        may not expand beyond _MAX_EXPANSION times its size (a zip bomb; save never compresses)."""
        try:
            info = self.archive.zip.getinfo(key + ".npy")
            if (
                info.compress_type != zipfile.ZIP_STORED
                and info.file_size > _BOMB_FLOOR
                and info.file_size > _MAX_EXPANSION * info.compress_size
            ):
                raise self.fail(
                    f"array '{key}' expands from {info.compress_size} to {info.file_size} bytes; "
                    "refusing a possible zip bomb"
                )
            with self.archive.zip.open(info) as member:
                version = np.lib.format.read_magic(member)
                if version == (1, 0):
                    shape, _, dtype = np.lib.format.read_array_header_1_0(member)
                elif version == (2, 0):
                    shape, _, dtype = np.lib.format.read_array_header_2_0(member)
                else:
                    raise self.fail(f"array '{key}' has unsupported .npy format version {version}")
                data_bytes = info.file_size - member.tell()
            if dtype.hasobject:
                raise self.fail(f"array '{key}' holds Python objects and cannot be read without pickle")
            if any(d < 0 for d in shape) or math.prod(shape) * dtype.itemsize != data_bytes:
                raise self.fail(
                    f"array '{key}' claims shape {shape} of {dtype} but holds {data_bytes} bytes of data"
                )
            return self.archive[key]
        except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as e:
            if isinstance(e, ValueError) and str(e).startswith("load: "):
                raise
            raise self.fail(f"array '{key}' is unreadable: {type(e).__name__}: {e}") from None

    def _array(self, kind: str, node: dict) -> Any:
        key = node.get("key")
        done = self.loaded.get((kind, key))
        if done is not None:
            return done
        if key not in self.archive.files:
            raise self.fail(f"the description names an array '{key}' that the archive lacks")
        arr = self.read_member(key)
        if kind == "tensor":
            if arr.dtype not in dtypes.SUPPORTED:
                raise self.fail(f"tensor '{key}' has unsupported dtype {arr.dtype}")
            out = _wrap(arr)
            if node.get("requires_grad"):
                out.requires_grad_(True)
        else:
            out = arr
        self.loaded[(kind, key)] = out
        return out


def _write_atomically(path: str, arrays: dict[str, np.ndarray]) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies, as for open()
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, allow_pickle=False, **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: str) -> None:
    """Make the rename durable; some filesystems cannot fsync a directory, which is fine."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
