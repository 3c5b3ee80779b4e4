"""Tensor factories (PyTorch's names and dtype rules) and the seeded random generator."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .. import dtypes
from ..device import check_device
from ..random import initial_seed, manual_seed, numpy_rng  # noqa: F401  (re-exported)
from ..tensor import Tensor, _wrap


def generator() -> np.random.Generator:
    """The numpy Generator of the default generator (the one `manual_seed` reseeds)."""
    return numpy_rng(None, "generator")


def _array_from(data: Any, dtype: np.dtype | None) -> np.ndarray:
    if isinstance(data, Tensor):
        arr = data._data
    elif isinstance(data, np.ndarray):
        arr = data
    elif isinstance(data, np.generic):
        arr = np.asarray(data)  # a numpy scalar keeps its dtype, as in PyTorch
    else:
        try:
            arr = np.array(data)
        except ValueError as e:
            raise ValueError(f"tensor: could not build a tensor from the data ({e})") from None
        if arr.dtype == np.float64 and dtype is None:
            arr = arr.astype(dtypes.default_float)  # Python floats get the default dtype
    if dtype is not None:
        return np.array(arr, dtype=dtype, copy=True)
    return _supported(arr, "tensor")


def _supported(arr: np.ndarray, op: str) -> np.ndarray:
    """Map an array onto the supported dtypes: other ints -> int64, float16 -> float32."""
    kind = arr.dtype.kind
    if arr.dtype in dtypes.SUPPORTED:
        return arr
    if kind in "iu":
        return arr.astype(np.int64)
    if kind == "f" and arr.dtype.itemsize < 4:
        return arr.astype(np.float32)
    raise TypeError(
        f"{op}: can't convert an array of dtype {arr.dtype}; supported dtypes are float32, "
        "float64, int64 and bool"
    )


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """Construct a tensor by copying `data` (nested lists, scalars, ndarray or Tensor)."""
    check_device(device, "tensor")
    d = None if dtype is None else dtypes.canonical(dtype, "tensor")
    arr = _array_from(data, d)
    if arr is data or (isinstance(data, Tensor) and arr is data._data):
        arr = arr.copy()
    t = _wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def as_tensor(data: Any, dtype: Any = None) -> Tensor:
    """Like `tensor`, but shares memory with an ndarray or Tensor of the right dtype."""
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == dtype):
        return _wrap(_supported(data, "as_tensor"))
    return tensor(data, dtype=dtype)


def as_tensor_like(value: Any, like: Tensor) -> Tensor:
    if isinstance(value, Tensor):
        return value
    return tensor(value)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares memory with `array` (which must have a supported dtype)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray, got {type(array).__name__}")
    if array.dtype not in dtypes.SUPPORTED:
        raise TypeError(
            f"from_numpy: can't convert np.ndarray of type {array.dtype}; supported types are "
            "float32, float64, int64 and bool"
        )
    return _wrap(array)


def _size(size: tuple, op: str) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"{op}: size must be a sequence of ints, got {size!r}")
        if s < 0:
            raise RuntimeError(f"{op}: Trying to create tensor with negative dimension {s}: {list(size)}")
    return tuple(int(s) for s in size)


def _float_dtype(dtype: Any, op: str) -> np.dtype:
    return dtypes.default_float if dtype is None else dtypes.canonical(dtype, op)


def _random_dtype(dtype: Any, op: str) -> np.dtype:
    d = _float_dtype(dtype, op)
    if d.kind != "f":
        raise RuntimeError(f"{op}: dtype must be a floating point type, got {d}")
    return d


def _like(t: Any, dtype: Any, op: str) -> tuple:
    """(shape, dtype) for a *_like factory; `t` must be a Tensor."""
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: argument 'input' must be a Tensor, not {type(t).__name__}")
    return t._data.shape, t._data.dtype if dtype is None else dtypes.canonical(dtype, op)


def _finish(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = _wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    check_device(device, "zeros")
    return _finish(np.zeros(_size(size, "zeros"), _float_dtype(dtype, "zeros")), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    check_device(device, "ones")
    return _finish(np.ones(_size(size, "ones"), _float_dtype(dtype, "ones")), requires_grad)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    check_device(device, "empty")
    return _finish(np.empty(_size(size, "empty"), _float_dtype(dtype, "empty")), requires_grad)


def full(
    size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    check_device(device, "full")
    if not isinstance(fill_value, (int, float, np.number, np.bool_)):
        raise TypeError(f"full: fill_value must be a number, got {type(fill_value).__name__}")
    if dtype is None:
        if isinstance(fill_value, bool):
            dtype = dtypes.bool_
        elif isinstance(fill_value, (int, np.integer)):
            dtype = dtypes.int64
        else:
            dtype = dtypes.default_float
    shape = _size((size,) if not isinstance(size, (int, np.integer)) else (size,), "full")
    arr = np.full(shape, fill_value, dtypes.canonical(dtype, "full"))
    return _finish(arr, requires_grad)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.zeros(*_like(t, dtype, "zeros_like")), requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.ones(*_like(t, dtype, "ones_like")), requires_grad)


def full_like(t: Tensor, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    if not isinstance(fill_value, (int, float, np.number, np.bool_)):
        raise TypeError(f"full_like: fill_value must be a number, got {type(fill_value).__name__}")
    shape, d = _like(t, dtype, "full_like")
    return _finish(np.full(shape, fill_value, d), requires_grad)


def empty_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.empty(*_like(t, dtype, "empty_like")), requires_grad)


def rand(
    *size: Any, generator: Any = None, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """Uniform samples on [0, 1)."""
    check_device(device, "rand")
    d = _random_dtype(dtype, "rand")
    return _finish(numpy_rng(generator, "rand").random(_size(size, "rand"), dtype=d), requires_grad)


def randn(
    *size: Any, generator: Any = None, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """Standard normal samples."""
    check_device(device, "randn")
    d = _random_dtype(dtype, "randn")
    rng = numpy_rng(generator, "randn")
    return _finish(rng.standard_normal(_size(size, "randn"), dtype=d), requires_grad)


def rand_like(t: Tensor, dtype: Any = None) -> Tensor:
    return rand(t.shape, dtype=t.dtype if dtype is None else dtype)


def randn_like(t: Tensor, dtype: Any = None) -> Tensor:
    return randn(t.shape, dtype=t.dtype if dtype is None else dtype)


def randint(
    low: int,
    high: Any = None,
    size: Any = None,
    *,
    generator: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Integers drawn uniformly from [low, high); `randint(high, size)` means low = 0."""
    check_device(device, "randint")
    if size is None:
        if high is None or not isinstance(high, (tuple, list)):
            raise TypeError("randint: missing the size argument, e.g. randint(0, 10, (3,))")
        low, high, size = 0, low, high
    if high is None:
        raise TypeError("randint: missing the high argument")
    if high <= low:
        raise RuntimeError(f"randint: expected low < high, got low={low}, high={high}")
    shape = _size((size,), "randint")
    d = dtypes.int64 if dtype is None else dtypes.canonical(dtype, "randint")
    return _finish(
        numpy_rng(generator, "randint").integers(low, high, shape).astype(d, copy=False), requires_grad
    )


def bernoulli(input: Tensor, *, generator: Any = None) -> Tensor:
    """1 with probability input (each entry in [0, 1]), else 0, in input's dtype."""
    p = input._data
    if p.dtype.kind != "f":
        raise RuntimeError(f"bernoulli: expected a floating point tensor of probabilities, got {p.dtype}")
    if p.size and not ((p >= 0) & (p <= 1)).all():
        raise RuntimeError("bernoulli: expected all probabilities in [0, 1]")
    return _wrap((numpy_rng(generator, "bernoulli").random(p.shape) < p).astype(p.dtype))


def multinomial(
    input: Tensor, num_samples: int, replacement: bool = False, *, generator: Any = None
) -> Tensor:
    """num_samples class indices per row of non-negative weights (1-D or 2-D), int64."""
    w = np.asarray(input._data, dtype=np.float64)
    if w.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {list(w.shape)}")
    rows = w.reshape(-1, w.shape[-1])
    if (rows < 0).any() or not np.isfinite(rows).all():
        raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` or element < 0")
    totals = rows.sum(axis=1)
    if (totals <= 0).any():
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and num_samples > (rows > 0).sum(axis=1).min():
        raise RuntimeError(
            "multinomial: cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    rng = numpy_rng(generator, "multinomial")
    picks = [rng.choice(rows.shape[1], num_samples, replace=replacement, p=r / r.sum()) for r in rows]
    out = np.asarray(picks, dtype=np.int64).reshape(w.shape[:-1] + (num_samples,))
    return _wrap(out)


def randperm(
    n: int, *, generator: Any = None, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    check_device(device, "randperm")
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"randperm: n must be an int, got {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"randperm: n must be non-negative, got {n}")
    d = dtypes.int64 if dtype is None else dtypes.canonical(dtype, "randperm")
    return _finish(numpy_rng(generator, "randperm").permutation(n).astype(d), requires_grad)


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    check_device(device, "arange")
    if end is None:
        start, end = 0, start
    for name, v in (("start", start), ("end", end), ("step", step)):
        if not isinstance(v, (int, float, np.integer, np.floating)) or isinstance(v, bool):
            raise TypeError(f"arange: {name} must be a number, got {type(v).__name__}")
        if not np.isfinite(v):
            raise RuntimeError(f"arange: unsupported range: {start} -> {end} with step {step}")
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(
            f"arange: upper bound and larger bound inconsistent with step sign ({start} -> {end}, "
            f"step {step})"
        )
    if dtype is None:
        all_int = builtins.all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = dtypes.int64 if all_int else dtypes.default_float
    return _finish(np.arange(start, end, step, dtype=dtypes.canonical(dtype, "arange")), requires_grad)


def linspace(
    start: float, end: float, steps: int, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    check_device(device, "linspace")
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise RuntimeError(f"linspace: number of steps must be a non-negative int, got {steps!r}")
    d = _float_dtype(dtype, "linspace")
    return _finish(np.linspace(start, end, steps, dtype=d), requires_grad)


def eye(
    n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    check_device(device, "eye")
    shape = _size((n,) if m is None else (n, m), "eye")
    return _finish(np.eye(shape[0], shape[-1], dtype=_float_dtype(dtype, "eye")), requires_grad)


def normal_(t: Tensor, mean: float, std: float, generator: Any = None) -> Tensor:
    """Fill `t` in place with normal samples (no graph is recorded)."""
    from .inplace import write_inplace

    sample = numpy_rng(generator, "normal_").normal(mean, std, t.shape).astype(t.dtype)
    return write_inplace(t, sample, "normal_")


def uniform_(t: Tensor, a: float, b: float, generator: Any = None) -> Tensor:
    """Fill `t` in place with uniform samples from [a, b) (no graph is recorded)."""
    from .inplace import write_inplace

    sample = numpy_rng(generator, "uniform_").uniform(a, b, t.shape).astype(t.dtype)
    return write_inplace(t, sample, "uniform_")
