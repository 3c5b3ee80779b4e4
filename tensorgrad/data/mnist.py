"""MNIST-format IDX files (MNIST, Fashion-MNIST, ...) read from a directory the user provides."""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from ..tensor import _wrap
from .dataset import TensorDataset


def load_mnist(directory: Any, train: bool = True, flatten: bool = False) -> TensorDataset:
    """The training (`train-*`) or test (`t10k-*`) split of an MNIST-format dataset in `directory`.

    Reads `{prefix}-images-idx3-ubyte` and `{prefix}-labels-idx1-ubyte` (or the `.idx3-ubyte`
    spelling), each optionally gzipped (`.gz`). Returns TensorDataset(images, labels): images
    float32 in [0, 1] shaped (N, 1, H, W), or (N, H*W) with `flatten=True`; labels int64.
    """
    prefix = "train" if train else "t10k"
    images = read_idx(_find(Path(directory), prefix, "images", 3))
    labels = read_idx(_find(Path(directory), prefix, "labels", 1))
    if images.ndim != 3 or labels.ndim != 1:
        raise ValueError(
            f"load_mnist: expected 3-d images and 1-d labels, got shapes {images.shape} and {labels.shape}"
        )
    if len(images) != len(labels):
        raise ValueError(f"load_mnist: {len(images)} images but {len(labels)} labels in {directory}")
    n, h, w = images.shape
    x = images.astype(np.float32) / np.float32(255.0)
    x = x.reshape(n, h * w) if flatten else x.reshape(n, 1, h, w)
    return TensorDataset(_wrap(x), _wrap(labels.astype(np.int64)))


def _find(directory: Path, prefix: str, kind: str, ndim: int) -> Path:
    names = [f"{prefix}-{kind}-idx{ndim}-ubyte", f"{prefix}-{kind}.idx{ndim}-ubyte"]
    for name in names:
        for candidate in (directory / name, directory / (name + ".gz")):
            if candidate.is_file():
                return candidate
    raise FileNotFoundError(
        f"load_mnist: no {kind} file in {directory}; expected {names[0]} (or {names[1]}), optionally "
        "gzipped (.gz), as distributed with MNIST and Fashion-MNIST"
    )


def read_idx(path: Any) -> np.ndarray:
    """An IDX file of unsigned bytes (type code 0x08) as a uint8 array of the shape its header gives."""
    path = Path(path)
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as f:
                data = f.read()
        else:
            data = path.read_bytes()
    except (OSError, EOFError, zlib.error) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise ValueError(f"read_idx: cannot read {path}: {e}") from None
    if len(data) < 4:
        raise ValueError(f"read_idx: {path} is too short ({len(data)} bytes) to hold an IDX header")
    magic = struct.unpack(">I", data[:4])[0]
    type_code, ndim = data[2], data[3]
    if data[0] != 0 or data[1] != 0 or ndim == 0:
        raise ValueError(f"read_idx: {path} has magic number 0x{magic:08x}, which is not an IDX header")
    if type_code != 0x08:
        raise ValueError(
            f"read_idx: {path} holds elements of IDX type 0x{type_code:02x}; only unsigned bytes "
            "(0x08) are supported"
        )
    start = 4 + 4 * ndim
    if len(data) < start:
        raise ValueError(f"read_idx: {path} is truncated inside its header")
    shape = struct.unpack(f">{ndim}I", data[4:start])
    expected = int(np.prod(shape, dtype=np.int64))
    if len(data) - start != expected:
        raise ValueError(
            f"read_idx: {path} holds {len(data) - start} bytes of data, but its header promises "
            f"{expected} for shape {shape} (truncated or corrupt file)"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=start).reshape(shape)
