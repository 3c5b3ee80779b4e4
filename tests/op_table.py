"""The op table: one declarative entry per differentiable core op (PyTorch's OpInfo, cut down).

An `OpInfo` names the op, calls it through the public API (`op`), gives a numpy reference of the
same formula (`ref`), and a sample maker. test_op_table.py runs every entry and sample through
gradcheck (float64), gradgradcheck (when twice differentiable), a forward comparison with the
reference in float32 and float64, and a backward that must give each input a gradient of its
own shape and dtype. A new op needs exactly one entry here.

Sample arguments: a positional ndarray becomes a Tensor (float ones in the dtype under test and
requiring grad; int and bool ones as they are); everything else, and every keyword argument,
goes unchanged to both `op` and `ref`. A non-contiguous ndarray becomes a non-contiguous Tensor.

Values avoid the points where an op is not differentiable (relu/abs at 0, ties in max, clamp
bounds), so the finite differences of gradcheck are meaningful. The runner (`OpInfo`, `Sample`
and the `check_*` functions) lives in tensorgrad.testing, where the public `check_op` runs the
same checks on a user's op.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

import tensorgrad as tg

# The runner is tensorgrad.testing's (the same code behind the public check_op); re-exported so
# that every table (this one, test_nn_functional's) imports it from here.
from tensorgrad.testing import (  # noqa: F401
    OpInfo,
    Sample,
    check_backward,
    check_forward,
    check_grad,
    check_gradgrad,
    flat_outputs,
    make_inputs,
    noncontiguous,
)

# ---- value makers (float64; the runner converts) ---------------------------------------------------


def randn(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return np.asarray(rng.standard_normal(shape))


def positive(rng: np.random.Generator, *shape: int, low: float = 0.5, high: float = 2.0) -> np.ndarray:
    return np.asarray(rng.uniform(low, high, shape))


def nonzero(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Values at least 0.2 away from 0 (relu, abs, divisors)."""
    return np.asarray(rng.choice([-1.0, 1.0], shape) * rng.uniform(0.2, 2.0, shape))


def distinct(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Values at least 0.25 apart from each other (no ties for max/min)."""
    n = math.prod(shape)
    return np.asarray((rng.permutation(n).reshape(shape) - n / 2) * 0.25 + rng.uniform(-0.05, 0.05, shape))


def on_grid(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return np.asarray(0.5 * rng.integers(-4, 5, shape), dtype=np.float64)


def off_grid(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Values 0.25 away from every on_grid value: no ties against them."""
    return np.asarray(on_grid(rng, *shape) + 0.25)


def mask(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return np.asarray(rng.random(shape) < 0.5)


# ---- sample makers ---------------------------------------------------------------------------------

UNARY_SHAPES = [(), (5,), (2, 3), (2, 0, 3), (1, 3, 1)]
BINARY_SHAPES = [
    ((2, 3), (2, 3)),
    ((2, 3), (3,)),
    ((2, 1), (1, 3)),
    ((3,), ()),
    ((), (2, 3)),
    ((2, 1, 3), (4, 1)),
    ((1,), (2, 3)),
    ((2, 0, 3), (3,)),
]


def unary(values: Callable = randn, shapes: list = UNARY_SHAPES, **kwargs: Any) -> Callable:
    def make(rng: np.random.Generator) -> list[Sample]:
        samples = [Sample((values(rng, *s),), dict(kwargs), f"{s}") for s in shapes]
        samples.append(Sample((noncontiguous(values(rng, 3, 4)),), dict(kwargs), "noncontig"))
        return samples

    return make


def binary(first: Callable = randn, second: Callable = randn) -> Callable:
    def make(rng: np.random.Generator) -> list[Sample]:
        samples = [Sample((first(rng, *a), second(rng, *b)), {}, f"{a}-{b}") for a, b in BINARY_SHAPES]
        samples.append(
            Sample((noncontiguous(first(rng, 3, 4)), second(rng, 3, 1)), {}, "noncontig-broadcast")
        )
        return samples

    return make


def with_scalars(values: Callable, scalars: tuple) -> Callable:
    def make(rng: np.random.Generator) -> list[Sample]:
        samples = []
        for c in scalars:
            samples.append(Sample((values(rng, 2, 3), c), {}, f"{c!r}"))
            samples.append(Sample((values(rng, 0, 2), c), {}, f"empty-{c!r}"))
        samples.append(Sample((noncontiguous(values(rng, 2, 3)), scalars[0]), {}, "noncontig"))
        return samples

    return make


def reduction(values: Callable = randn, dims: tuple = (None, 0, -1, (0, 2), (-1, 1)), empty: bool = True):
    """dim/keepdim over a 3-D input, a 0-d input, a size-1 dim and (optionally) a size-0 dim."""

    def make(rng: np.random.Generator) -> list[Sample]:
        samples = []
        for dim in dims:
            for keepdim in (False, True):
                samples.append(
                    Sample((values(rng, 2, 3, 4),), {"dim": dim, "keepdim": keepdim}, f"{dim}-{keepdim}")
                )
        samples.append(Sample((values(rng, 3, 1, 2),), {"dim": 1, "keepdim": False}, "size1-dim"))
        samples.append(Sample((noncontiguous(values(rng, 3, 4)),), {"dim": 1, "keepdim": False}, "noncontig"))
        if empty:
            samples.append(Sample((values(rng, 2, 0, 3),), {"dim": 2, "keepdim": True}, "size0-kept"))
            samples.append(Sample((values(rng, 2, 0, 3),), {"dim": 1, "keepdim": False}, "size0-reduced"))
        else:
            samples.append(Sample((values(rng, 0, 3),), {"dim": 1, "keepdim": False}, "size0-kept"))
        return samples

    return make


def along_dim(values: Callable = randn) -> Callable:
    """One `dim` (softmax-like ops): every dim of a 3-D input, negative dims, size-0 and size-1."""

    def make(rng: np.random.Generator) -> list[Sample]:
        samples = [Sample((values(rng, 2, 3, 4),), {"dim": d}, f"dim{d}") for d in (0, 1, 2, -1, -3)]
        samples.append(Sample((values(rng, 1, 5),), {"dim": 0}, "size1"))
        samples.append(Sample((values(rng, 0, 3),), {"dim": 1}, "size0"))
        samples.append(Sample((values(rng, 4),), {"dim": 0}, "1d"))
        samples.append(Sample((noncontiguous(values(rng, 3, 4)),), {"dim": -1}, "noncontig"))
        return samples

    return make


def shaped(*cases: tuple) -> Callable:
    """Samples from (shape, kwargs) pairs on random values; a shape prefixed "nc" is non-contiguous."""

    def make(rng: np.random.Generator) -> list[Sample]:
        samples = []
        for shape, kwargs in cases:
            nc = bool(shape) and shape[0] == "nc"
            dims = shape[1:] if nc else shape
            x = randn(rng, *dims)
            samples.append(Sample((noncontiguous(x) if nc else x,), kwargs, f"{shape}-{kwargs}"))
        return samples

    return make


def pairs(*cases: tuple, values: Callable = randn) -> Callable:
    """Samples of two random tensors of the given shapes."""

    def make(rng: np.random.Generator) -> list[Sample]:
        return [Sample((values(rng, *a), values(rng, *b)), {}, f"{a}@{b}") for a, b in cases]

    return make


# ---- numpy references that numpy does not spell the way PyTorch does -----------------------------


def np_cdist(x: np.ndarray, y: np.ndarray, p: float = 2) -> np.ndarray:
    diff = x[..., :, None, :] - y[..., None, :, :]
    return np.sum(np.abs(diff) ** p, axis=-1) ** (1 / p)


def np_var(x: np.ndarray, dim: Any = None, keepdim: bool = False, correction: float = 1) -> np.ndarray:
    return np.var(x, axis=dim, ddof=correction, keepdims=keepdim)


def np_std(x: np.ndarray, dim: Any = None, keepdim: bool = False, correction: float = 1) -> np.ndarray:
    return np.sqrt(np_var(x, dim, keepdim, correction))


def np_logsumexp(x: np.ndarray, dim: Any, keepdim: bool = False) -> np.ndarray:
    m = np.max(x, axis=dim, keepdims=True) if x.size else np.zeros((1,) * x.ndim, x.dtype)
    out = np.log(np.sum(np.exp(x - m), axis=dim, keepdims=True)) + m
    return out if keepdim else np.squeeze(out, axis=dim)


def np_softmax(x: np.ndarray, dim: int) -> np.ndarray:
    e = np.exp(x - (np.max(x, axis=dim, keepdims=True) if x.size else 0))
    return e / np.sum(e, axis=dim, keepdims=True)


def np_log_softmax(x: np.ndarray, dim: int) -> np.ndarray:
    return x - np_logsumexp(x, dim, keepdim=True)


def np_extremum_dim(fn: Callable, arg: Callable) -> Callable:
    def ref(x: np.ndarray, dim: int, keepdim: bool = False) -> tuple:
        return fn(x, axis=dim, keepdims=keepdim), arg(x, axis=dim, keepdims=keepdim).astype(np.int64)

    return ref


def np_squeeze(x: np.ndarray, dim: Any = None) -> np.ndarray:
    if dim is None:
        return np.squeeze(x)
    dims = dim if isinstance(dim, tuple) else (dim,)
    axes = tuple(d % x.ndim for d in dims if x.shape[d] == 1)
    return np.squeeze(x, axis=axes)


def np_expand(x: np.ndarray, sizes: tuple) -> np.ndarray:
    lead = len(sizes) - x.ndim
    shape = tuple(x.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
    return np.broadcast_to(x, shape)


def np_flatten(x: np.ndarray, start_dim: int = 0, end_dim: int = -1) -> np.ndarray:
    if x.ndim == 0:
        return x.reshape(1)
    s, e = start_dim % x.ndim, end_dim % x.ndim
    return x.reshape(x.shape[:s] + (math.prod(x.shape[s : e + 1]),) + x.shape[e + 1 :])


def np_split(x: np.ndarray, split_size_or_sections: Any, dim: int = 0) -> list:
    n = x.shape[dim]
    size = split_size_or_sections
    sizes = [min(size, n - s) for s in range(0, n, size)] or [0] if isinstance(size, int) else list(size)
    return np.split(x, np.cumsum(sizes)[:-1], axis=dim)


def np_chunk(x: np.ndarray, chunks: int, dim: int = 0) -> list:
    return np_split(x, max(1, -(-x.shape[dim] // chunks)), dim)


def np_narrow(x: np.ndarray, dim: int, start: int, length: int) -> np.ndarray:
    return x[(slice(None),) * (dim % x.ndim) + (slice(start, start + length),)]


def np_gather(x: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    region = tuple(slice(None) if i == dim % x.ndim else slice(0, s) for i, s in enumerate(index.shape))
    return np.take_along_axis(x[region], index, axis=dim)


def np_clamp(x: np.ndarray, min: Any = None, max: Any = None) -> np.ndarray:
    out = x if min is None else np.maximum(x, min)
    return out if max is None else np.minimum(out, max)


def np_setitem(x: np.ndarray, value: np.ndarray, index: Any) -> np.ndarray:
    out = x.copy()
    out[index] = value
    return out


def np_cast_roundtrip(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float32).astype(np.float64)


# ---- tensorgrad calls that need a line of plumbing ------------------------------------------------


def tensor_index(index: Any) -> Any:
    """The index with every ndarray part turned into a tensorgrad tensor."""
    parts = index if isinstance(index, tuple) else (index,)
    out = tuple(tg.from_numpy(p) if isinstance(p, np.ndarray) else p for p in parts)
    return out if isinstance(index, tuple) else out[0]


def tg_setitem(x: tg.Tensor, value: tg.Tensor, index: Any) -> tg.Tensor:
    out = x.clone()
    out[tensor_index(index)] = value
    return out


def tg_write_through_views(x: tg.Tensor, v: tg.Tensor) -> tg.Tensor:
    """In-place writes through views of a non-leaf: each must rebase the base's history."""
    y = x * 1.0
    y[0][1] = v[0]  # chained indexing
    y.T[2].mul_(v[1])  # a transposed view
    y.view(-1)[:2].add_(v)  # a reshaped view
    y.unsqueeze(0)[0, -1].zero_()  # the last row: no gradient to x there
    return y


def np_write_through_views(x: np.ndarray, v: np.ndarray) -> np.ndarray:
    y = x.copy()
    y[0, 1] = v[0]
    y[:, 2] *= v[1]
    y.reshape(-1)[:2] += v
    y[-1] = 0
    return y


def tg_gather(x: tg.Tensor, dim: int, index: np.ndarray) -> tg.Tensor:
    return tg.gather(x, dim, tg.from_numpy(index))


# ---- sample makers for the shape and indexing families ---------------------------------------------

INDEXES = [
    (1,),
    (-1,),
    (1, 2, 0),  # a single element: still a (0-d) array, not a numpy scalar
    (slice(1, 3),),
    (slice(None, None, 2),),
    (slice(None), None, 1),
    (Ellipsis, 1),
    (None, Ellipsis, -2),
    (np.array([0, 2, 0, 0]),),  # repeats accumulate
    ([1, 1, 0],),
    (slice(None), np.array([[0, 3], [3, 3]])),
    (np.array([0, 2]), slice(1, 3), np.array([1, 0])),
    (slice(1, None), np.array([0, 3]), np.array([1, 1])),
    (np.array([True, False, True]),),
    (np.array([], dtype=np.int64),),
    (slice(5, 7),),  # an empty slice
]


def index_samples(rng: np.random.Generator) -> list[Sample]:
    samples = []
    for index in INDEXES:
        samples.append(Sample((randn(rng, 3, 4, 2),), {"index": index}, repr(index)))
    samples.append(Sample((randn(rng, 3, 4, 2),), {"index": mask(rng, 3, 4, 2)}, "full-mask"))
    samples.append(Sample((randn(rng, 3, 4, 2),), {"index": mask(rng, 3, 4)}, "prefix-mask"))
    samples.append(
        Sample((noncontiguous(randn(rng, 3, 4)),), {"index": (np.array([2, 0, 2]), 1)}, "noncontig")
    )
    samples.append(Sample((randn(rng),), {"index": None}, "0d-None"))
    return samples


def setitem_samples(rng: np.random.Generator) -> list[Sample]:
    cases = [
        ((3, 4), (1,), (4,)),
        ((3, 4), (1, -2), ()),
        ((3, 4), (slice(None), 2), (3,)),
        ((3, 4), (slice(0, 2),), (4,)),  # value broadcast over the rows
        ((3, 4), (slice(0, 2),), ()),
        ((3, 4), (np.array([2, 0]),), (2, 4)),
        ((3, 4), (np.array([True, False, True]),), (1, 4)),
        ((3, 4), (Ellipsis, np.array([3, 1])), (3, 2)),
        ((3, 4), (slice(3, 3),), (4,)),  # writes nothing
    ]
    samples = [Sample((randn(rng, *s), randn(rng, *v)), {"index": i}, f"{s}{i}") for s, i, v in cases]
    samples.append(Sample((noncontiguous(randn(rng, 3, 4)), randn(rng, 4)), {"index": 0}, "noncontig"))
    x = randn(rng, 3, 4)
    samples.append(Sample((x, randn(rng, int((x > 0).sum()))), {"index": x > 0}, "value-mask"))
    return samples


def gather_samples(rng: np.random.Generator) -> list[Sample]:
    cases = [
        ((3, 4), 0, np.array([[0, 1, 2, 0], [2, 2, 1, 0]])),
        ((3, 4), 1, np.array([[3, 3], [0, 1], [2, 0]])),
        ((3, 4), -1, np.array([[1], [0]])),  # smaller than the input along dim 0
        ((2, 3, 2), 1, np.array([[[0, 2], [1, 1], [2, 0], [0, 0]]] * 2)),
        ((3, 4), 1, np.zeros((3, 0), dtype=np.int64)),
    ]
    return [Sample((randn(rng, *s),), {"dim": d, "index": i}, f"{s}-dim{d}-{i.shape}") for s, d, i in cases]


def many(shapes: list, **kwargs: Any) -> Callable:
    """Several tensors in one call (cat, stack)."""

    def make(rng: np.random.Generator) -> list[Sample]:
        return [
            Sample(tuple(randn(rng, *s) for s in group), dict(kw), f"{group}-{kw}") for group, kw in shapes
        ]

    return make


def masked_fill_samples(rng: np.random.Generator) -> list[Sample]:
    return [
        Sample((randn(rng, 2, 3), mask(rng, 2, 3)), {"value": 2.5}, "scalar"),
        Sample((randn(rng, 2, 3), mask(rng, 3)), {"value": -1.0}, "broadcast-mask"),
        Sample((randn(rng, 0, 3), mask(rng, 3)), {"value": 1.0}, "empty"),
        Sample((noncontiguous(randn(rng, 2, 3)), mask(rng, 2, 1)), {"value": 0.5}, "noncontig"),
    ]


def masked_fill_tensor_samples(rng: np.random.Generator) -> list[Sample]:
    return [
        Sample((randn(rng, 2, 3), mask(rng, 2, 3), randn(rng)), {}, "0d-value"),
        Sample((randn(rng, 4), np.array([True, False, True, True]), randn(rng)), {}, "1d"),
    ]


def where_samples(rng: np.random.Generator) -> list[Sample]:
    cases = [((2, 3), (2, 3), (2, 3)), ((2, 3), (3,), (2, 1)), ((3,), (2, 3), ()), ((1, 3), (0, 3), (3,))]
    samples = [Sample((mask(rng, *c), randn(rng, *a), randn(rng, *b)), {}, f"{c}{a}{b}") for c, a, b in cases]
    samples.append(Sample((mask(rng, 3, 4), noncontiguous(randn(rng, 3, 4)), randn(rng, 4)), {}, "noncontig"))
    return samples


def clamp_samples(rng: np.random.Generator) -> list[Sample]:
    samples = []
    for lo, hi in ((-0.5, 0.5), (0.0, None), (None, 0.5), (1.0, -1.0)):
        samples.append(Sample((off_grid(rng, 3, 4),), {"min": lo, "max": hi}, f"{lo}-{hi}"))
    samples.append(Sample((off_grid(rng, 0, 4),), {"min": 0.0, "max": 1.0}, "empty"))
    samples.append(Sample((noncontiguous(off_grid(rng, 3, 4)),), {"min": -1.0, "max": 1.0}, "noncontig"))
    return samples


def clamp_tensor_samples(rng: np.random.Generator) -> list[Sample]:
    return [
        Sample(
            (off_grid(rng, 3, 4), on_grid(rng, 3, 4) - 1, on_grid(rng, 4) + 1.125), {}, "broadcast-bounds"
        ),
        Sample((off_grid(rng, 2, 3), on_grid(rng), on_grid(rng, 2, 1) + 0.125), {}, "0d-min"),
    ]


def cast_samples(rng: np.random.Generator) -> list[Sample]:
    return [Sample((randn(rng, *s),), {}, f"{s}") for s in ((2, 3), (), (0, 2))]


def inplace(method: str) -> Callable:
    """`x.clone().<method>(*rest)`: the in-place op as a differentiable function of its inputs."""

    def op(x: tg.Tensor, *rest: Any, **kwargs: Any) -> tg.Tensor:
        return getattr(x.clone(), method)(*rest, **kwargs)

    op.__name__ = method
    return op


# ---- the table --------------------------------------------------------------------------------------

NONEMPTY_SHAPES = [(), (5,), (2, 3), (1, 3, 1)]
# float32 round-trips lose precision below 1e-7, so finite differences need a wide step; the
# casts are linear, which makes a wide step exact.
_CAST_CHECK = {"eps": 1e-2, "atol": 1e-4, "rtol": 1e-3}
_CAST_TOLS = {"float32": (0, 0), "float64": (1e-6, 1e-6)}


def _matmul_samples(rng: np.random.Generator) -> list[Sample]:
    cases = [
        ((3,), (3,)),
        ((3,), (3, 2)),
        ((2, 3), (3,)),
        ((2, 3), (3, 4)),
        ((2, 2, 3), (2, 3, 4)),
        ((2, 1, 2, 3), (3, 3, 2)),  # batch dims broadcast
        ((2, 2, 3), (3,)),
        ((3,), (2, 3, 2)),
        ((2, 2, 3), (3, 2)),
        ((2, 3), (2, 3, 1)),
        ((2, 0), (0, 3)),  # empty inner dim: zeros
        ((0, 3), (3, 2)),
        ((2, 3), (3, 0)),
    ]
    samples = pairs(*cases)(rng)
    samples.append(Sample((noncontiguous(randn(rng, 2, 3)), randn(rng, 3, 2)), {}, "noncontig-a"))
    samples.append(Sample((randn(rng, 2, 3), noncontiguous(randn(rng, 2, 3, 2))), {}, "noncontig-b"))
    return samples


def _extremum_dim_samples(rng: np.random.Generator) -> list[Sample]:
    samples = []
    for dim in (0, 1, -1):
        for keepdim in (False, True):
            samples.append(
                Sample((distinct(rng, 2, 3, 4),), {"dim": dim, "keepdim": keepdim}, f"{dim}-{keepdim}")
            )
    samples.append(Sample((distinct(rng, 4),), {"dim": 0}, "1d"))
    samples.append(Sample((distinct(rng, 3, 1),), {"dim": 1}, "size1"))
    samples.append(Sample((np.zeros((0, 3)),), {"dim": 1}, "size0-kept"))
    samples.append(Sample((noncontiguous(distinct(rng, 3, 4)),), {"dim": -1, "keepdim": True}, "noncontig"))
    return samples


def _var_samples(rng: np.random.Generator) -> list[Sample]:
    samples = reduction(dims=(None, 0, -1, (0, 2)), empty=False)(rng)
    samples = [s for s in samples if s.desc != "size1-dim"]  # var of one value divides by zero
    x = randn(rng, 3, 4)
    samples.append(Sample((x,), {"dim": 1, "correction": 0}, "correction0"))
    samples.append(Sample((x,), {"dim": 0, "correction": 2, "keepdim": True}, "correction2"))
    return samples


OPS: list[OpInfo] = [
    # -- binary arithmetic: tensor with tensor, broadcasting --
    OpInfo("add", lambda a, b: a + b, lambda a, b: a + b, binary()),
    OpInfo("add_alpha", lambda a, b: tg.add(a, b, alpha=2), lambda a, b: a + 2 * b, binary()),
    OpInfo("sub", lambda a, b: a - b, lambda a, b: a - b, binary()),
    OpInfo("mul", lambda a, b: a * b, lambda a, b: a * b, binary()),
    OpInfo("div", lambda a, b: a / b, lambda a, b: a / b, binary(second=nonzero)),
    OpInfo("pow", lambda a, b: a**b, lambda a, b: a**b, binary(first=positive)),
    OpInfo("maximum", tg.maximum, np.maximum, binary(off_grid, on_grid)),
    OpInfo("minimum", tg.minimum, np.minimum, binary(on_grid, off_grid)),
    # -- mixed float dtypes: float32 tests promote to float64, gradients come back as float32 --
    OpInfo("add_mixed", lambda a, b: a + b.double(), lambda a, b: a + b.astype(np.float64), binary()),
    OpInfo("mul_mixed", lambda a, b: a.double() * b, lambda a, b: a.astype(np.float64) * b, binary()),
    OpInfo(
        "div_mixed",
        lambda a, b: a / b.double(),
        lambda a, b: a / b.astype(np.float64),
        binary(second=nonzero),
    ),
    OpInfo(
        "pow_mixed",
        lambda a, b: a ** b.double(),
        lambda a, b: a ** b.astype(np.float64),
        binary(first=positive),
    ),
    OpInfo(
        "maximum_mixed",
        lambda a, b: tg.maximum(a, b.double()),
        lambda a, b: np.maximum(a, b.astype(np.float64)),
        binary(off_grid, on_grid),
    ),
    OpInfo(
        "where_mixed",
        lambda c, a, b: tg.where(c, a.double(), b),
        lambda c, a, b: np.where(c, a.astype(np.float64), b),
        where_samples,
    ),
    # -- with Python scalars, and the reflected forms --
    OpInfo("add_scalar", lambda a, c: a + c, lambda a, c: a + c, with_scalars(randn, (2.5, -1, 0))),
    OpInfo("radd_scalar", lambda a, c: c + a, lambda a, c: c + a, with_scalars(randn, (2.5, 3))),
    OpInfo("sub_scalar", lambda a, c: a - c, lambda a, c: a - c, with_scalars(randn, (2.5, 1))),
    OpInfo("rsub_scalar", lambda a, c: c - a, lambda a, c: c - a, with_scalars(randn, (2.5, 1))),
    OpInfo("mul_scalar", lambda a, c: a * c, lambda a, c: a * c, with_scalars(randn, (2.5, -3, 0))),
    OpInfo("rmul_scalar", lambda a, c: c * a, lambda a, c: c * a, with_scalars(randn, (0.5, 2))),
    OpInfo("div_scalar", lambda a, c: a / c, lambda a, c: a / c, with_scalars(randn, (2.5, -4))),
    OpInfo("rdiv_scalar", lambda a, c: c / a, lambda a, c: c / a, with_scalars(nonzero, (2.5, 1))),
    OpInfo(
        "pow_scalar", lambda a, c: a**c, lambda a, c: a**c, with_scalars(positive, (2, 3, 0.5, -1.5, 0, 1))
    ),
    OpInfo(
        "pow_scalar_negative_base", lambda a, c: a**c, lambda a, c: a**c, with_scalars(nonzero, (2, 3, -2))
    ),
    OpInfo("rpow_scalar", lambda a, c: c**a, lambda a, c: c**a, with_scalars(randn, (2.0, 0.5))),
    OpInfo("pow_scalar_base", lambda a, c: tg.pow(c, a), lambda a, c: c**a, with_scalars(randn, (3.0,))),
    OpInfo("neg", lambda a: -a, lambda a: -a, unary()),
    # -- unary maths and activations --
    OpInfo("exp", tg.exp, np.exp, unary()),
    OpInfo("log", tg.log, np.log, unary(positive)),
    OpInfo("sqrt", tg.sqrt, np.sqrt, unary(positive)),
    OpInfo("rsqrt", tg.rsqrt, lambda x: 1 / np.sqrt(x), unary(positive)),
    OpInfo("tanh", tg.tanh, np.tanh, unary()),
    OpInfo("sigmoid", tg.sigmoid, lambda x: 1 / (1 + np.exp(-x)), unary()),
    OpInfo("relu", tg.relu, lambda x: np.maximum(x, 0), unary(nonzero)),
    OpInfo("abs", tg.abs, np.abs, unary(nonzero)),
    OpInfo("sin", tg.sin, np.sin, unary()),
    OpInfo("cos", tg.cos, np.cos, unary()),
    OpInfo("square", tg.square, np.square, unary()),
    OpInfo("clamp", tg.clamp, np_clamp, clamp_samples),
    OpInfo("clamp_tensor_bounds", tg.clamp, np_clamp, clamp_tensor_samples),
    OpInfo("where", tg.where, np.where, where_samples),
    OpInfo(
        "masked_fill",
        tg.masked_fill,
        lambda x, m, value: np.where(m, value, x).astype(x.dtype),
        masked_fill_samples,
    ),
    OpInfo(
        "masked_fill_tensor_value",
        tg.masked_fill,
        lambda x, m, v: np.where(m, v, x),
        masked_fill_tensor_samples,
    ),
    OpInfo(
        "cast_roundtrip",
        lambda x: x.float().double(),
        np_cast_roundtrip,
        cast_samples,
        True,
        _CAST_CHECK,
        _CAST_TOLS,
    ),
    OpInfo(
        "cast_to",
        lambda x: x.to(tg.float32) * 2,
        lambda x: x.astype(np.float32) * 2,
        cast_samples,
        True,
        _CAST_CHECK,
        _CAST_TOLS,
    ),
    # -- reductions --
    OpInfo("sum", tg.sum, lambda x, dim, keepdim: np.sum(x, axis=dim, keepdims=keepdim), reduction()),
    OpInfo("sum_all", lambda x: x.sum(), np.sum, unary()),
    OpInfo(
        "mean",
        tg.mean,
        lambda x, dim, keepdim: np.mean(x, axis=dim, keepdims=keepdim),
        reduction(empty=False),
    ),
    OpInfo("mean_all", lambda x: x.mean(), np.mean, unary(shapes=NONEMPTY_SHAPES)),
    OpInfo("max_all", lambda x: x.max(), np.max, unary(distinct, NONEMPTY_SHAPES)),
    OpInfo("min_all", tg.min, np.min, unary(distinct, NONEMPTY_SHAPES)),
    OpInfo("max_dim", tg.max, np_extremum_dim(np.max, np.argmax), _extremum_dim_samples),
    OpInfo("min_dim", lambda x, **kw: x.min(**kw), np_extremum_dim(np.min, np.argmin), _extremum_dim_samples),
    OpInfo(
        "amax",
        tg.amax,
        lambda x, dim, keepdim: np.amax(x, axis=dim, keepdims=keepdim),
        reduction(distinct, empty=False),
    ),
    OpInfo(
        "amin",
        tg.amin,
        lambda x, dim, keepdim: np.amin(x, axis=dim, keepdims=keepdim),
        reduction(distinct, empty=False),
    ),
    OpInfo("var", tg.var, np_var, _var_samples),
    OpInfo("std", lambda x, **kw: x.std(**kw), np_std, _var_samples),
    OpInfo("logsumexp", tg.logsumexp, np_logsumexp, reduction(dims=(0, -1, (0, 2), (-1, 1)), empty=False)),
    OpInfo("softmax", tg.softmax, np_softmax, along_dim()),
    OpInfo("log_softmax", tg.log_softmax, np_log_softmax, along_dim()),
    # -- matmul --
    OpInfo("matmul", lambda a, b: a @ b, np.matmul, _matmul_samples),
    OpInfo(
        "matmul_transposed",
        lambda a, b: a.mT @ b,
        lambda a, b: np.swapaxes(a, -1, -2) @ b,
        pairs(((3, 2), (3, 4)), ((2, 3, 2), (2, 3, 1))),
    ),
    # -- shape --
    OpInfo(
        "reshape",
        lambda x, shape: x.reshape(shape),
        np.reshape,
        shaped(
            ((2, 3, 4), {"shape": (6, 4)}),
            ((2, 3, 4), {"shape": (-1,)}),
            ((2, 3, 4), {"shape": (4, -1, 2)}),
            ((), {"shape": (1, 1)}),
            ((0, 3), {"shape": (3, 0)}),
            (("nc", 3, 4), {"shape": (2, 6)}),
        ),
    ),
    OpInfo(
        "view",
        lambda x, shape: x.view(*shape),
        np.reshape,
        shaped(
            ((2, 3, 4), {"shape": (6, 4)}),
            ((2, 3, 4), {"shape": (2, -1)}),
            ((4,), {"shape": (2, 1, 2)}),
            ((0, 3), {"shape": (3, 0, 1)}),
        ),
    ),
    OpInfo(
        "transpose",
        tg.transpose,
        lambda x, dim0, dim1: np.swapaxes(x, dim0, dim1),
        shaped(
            ((2, 3, 4), {"dim0": 0, "dim1": 2}),
            ((2, 3), {"dim0": -1, "dim1": -2}),
            ((2, 0, 3), {"dim0": 1, "dim1": 0}),
            (("nc", 3, 4), {"dim0": 0, "dim1": 1}),
        ),
    ),
    OpInfo(
        "permute",
        lambda x, dims: x.permute(*dims),
        lambda x, dims: np.transpose(x, dims),
        shaped(
            ((2, 3, 4), {"dims": (2, 0, 1)}),
            ((2, 3, 4), {"dims": (-1, 0, -2)}),
            ((1, 0, 2), {"dims": (1, 2, 0)}),
            (("nc", 3, 4), {"dims": (1, 0)}),
        ),
    ),
    OpInfo("T", lambda x: x.T, lambda x: x.T, shaped(((2, 3), {}), ((4,), {}), (("nc", 3, 4), {}))),
    OpInfo(
        "flatten",
        tg.flatten,
        np_flatten,
        shaped(
            ((2, 3, 4), {}),
            ((2, 3, 4), {"start_dim": 1}),
            ((2, 3, 4, 2), {"start_dim": 1, "end_dim": -2}),
            ((), {}),
            ((2, 0, 3), {"start_dim": 0, "end_dim": 1}),
            (("nc", 3, 4), {}),
        ),
    ),
    OpInfo(
        "squeeze",
        tg.squeeze,
        np_squeeze,
        shaped(
            ((1, 3, 1), {}),
            ((1, 3, 1), {"dim": -1}),
            ((1, 3, 1), {"dim": 1}),
            ((1, 3, 1), {"dim": (0, 2)}),
            ((1, 0), {"dim": 0}),
            ((), {}),
        ),
    ),
    OpInfo(
        "unsqueeze",
        tg.unsqueeze,
        lambda x, dim: np.expand_dims(x, dim),
        shaped(
            ((2, 3), {"dim": 0}),
            ((2, 3), {"dim": -1}),
            ((2, 3), {"dim": 1}),
            ((), {"dim": 0}),
            ((0,), {"dim": -1}),
        ),
    ),
    OpInfo(
        "expand",
        lambda x, sizes: x.expand(*sizes),
        np_expand,
        shaped(
            ((3, 1), {"sizes": (3, 4)}),
            ((1,), {"sizes": (2, 3, 5)}),
            ((3, 1), {"sizes": (2, -1, 2)}),
            ((), {"sizes": (2, 2)}),
            ((2, 1), {"sizes": (2, 0)}),
            (("nc", 3, 1), {"sizes": (3, 4)}),
        ),
    ),
    OpInfo(
        "cat",
        lambda *xs, dim: tg.cat(list(xs), dim=dim),
        lambda *xs, dim: np.concatenate(xs, axis=dim),
        many(
            [
                (((2, 3), (1, 3), (0, 3)), {"dim": 0}),
                (((2, 3), (2, 1)), {"dim": -1}),
                (((3,), (2,)), {"dim": 0}),
                (((2, 3),), {"dim": 1}),
            ]
        ),
    ),
    OpInfo(
        "stack",
        lambda *xs, dim: tg.stack(xs, dim=dim),
        lambda *xs, dim: np.stack(xs, axis=dim),
        many(
            [
                (((2, 3), (2, 3)), {"dim": 0}),
                (((2, 3), (2, 3), (2, 3)), {"dim": -1}),
                (((0, 2), (0, 2)), {"dim": 1}),
                (((), ()), {"dim": 0}),
            ]
        ),
    ),
    OpInfo(
        "split",
        tg.split,
        np_split,
        shaped(
            ((5, 3), {"split_size_or_sections": 2}),
            ((5, 3), {"split_size_or_sections": [1, 2], "dim": -1}),
            ((4, 2), {"split_size_or_sections": 4}),
            ((0, 2), {"split_size_or_sections": 2}),
            (("nc", 2, 4), {"split_size_or_sections": 3, "dim": 1}),
        ),
    ),
    OpInfo(
        "chunk",
        tg.chunk,
        np_chunk,
        shaped(
            ((5, 3), {"chunks": 2}),
            ((5, 3), {"chunks": 3, "dim": -1}),
            ((2, 2), {"chunks": 5}),
        ),
    ),
    OpInfo(
        "narrow",
        tg.narrow,
        np_narrow,
        shaped(
            ((4, 3), {"dim": 0, "start": 1, "length": 2}),
            ((4, 3), {"dim": -1, "start": 0, "length": 0}),
            (("nc", 3, 4), {"dim": 1, "start": 2, "length": 2}),
        ),
    ),
    OpInfo(
        "triu",
        tg.triu,
        lambda x, diagonal: np.triu(x, diagonal),
        shaped(
            ((3, 4), {"diagonal": 0}),
            ((3, 4), {"diagonal": 1}),
            ((2, 3, 3), {"diagonal": -1}),
            ((0, 3), {"diagonal": 0}),
            (("nc", 3, 3), {"diagonal": 0}),
        ),
    ),
    OpInfo(
        "tril",
        tg.tril,
        lambda x, diagonal: np.tril(x, diagonal),
        shaped(
            ((3, 4), {"diagonal": 0}),
            ((4, 3), {"diagonal": -2}),
            ((2, 3, 3), {"diagonal": 1}),
        ),
    ),
    OpInfo(
        "contiguous", lambda x: x.contiguous(), np.ascontiguousarray, shaped(((2, 3), {}), (("nc", 3, 4), {}))
    ),
    OpInfo(
        "contiguous_of_transpose",
        lambda x: x.T.contiguous(),
        lambda x: np.ascontiguousarray(x.T),
        shaped(((2, 3), {}), ((2, 0), {})),
    ),
    # -- indexing --
    OpInfo("index", lambda x, index: x[index], lambda x, index: x[index], index_samples),
    OpInfo(
        "index_with_tensors",
        lambda x, index: x[tensor_index(index)],
        lambda x, index: x[index],
        index_samples,
    ),
    OpInfo("setitem", tg_setitem, np_setitem, setitem_samples),
    OpInfo("gather", tg_gather, np_gather, gather_samples),
    OpInfo("write_through_views", tg_write_through_views, np_write_through_views, pairs(((3, 4), (2,)))),
    # -- in-place ops, differentiated through a clone --
    OpInfo(
        "add_", inplace("add_"), lambda a, b: a + b, pairs(((2, 3), (2, 3)), ((2, 3), (2, 1)), ((2, 3), ()))
    ),
    OpInfo(
        "sub_", inplace("sub_"), lambda a, b: a - b, pairs(((2, 3), (2, 3)), ((2, 3), (3,)), ((0, 3), (1, 3)))
    ),
    OpInfo("mul_", inplace("mul_"), lambda a, b: a * b, pairs(((2, 3), (2, 3)), ((2, 3), (2, 1)), ((), ()))),
    OpInfo(
        "div_", inplace("div_"), lambda a, b: a / b, pairs(((2, 3), (2, 3)), ((2, 3), (3,)), values=nonzero)
    ),
    OpInfo("clamp_", inplace("clamp_"), np_clamp, clamp_samples),
    OpInfo(
        "copy_",
        inplace("copy_"),
        lambda a, b: np.broadcast_to(b, a.shape).copy(),
        pairs(((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 3), ())),
    ),
    OpInfo("zero_", inplace("zero_"), np.zeros_like, unary(shapes=[(2, 3), (0,)])),
    OpInfo(
        "fill_",
        lambda x, v: x.clone().fill_(v),
        lambda x, v: np.full_like(x, v),
        pairs(((2, 3), ()), ((0,), ())),
    ),
]

OPS_BY_NAME = {info.name: info for info in OPS}
assert len(OPS_BY_NAME) == len(OPS), "op names must be unique"

# ---- activations with fused kernels (docs/extending.md walks silu through) ------------------------


def np_softplus(x: np.ndarray, beta: float = 1.0, threshold: float = 20.0) -> np.ndarray:
    bx = x * beta
    return np.where(bx > threshold, x, np.logaddexp(0, bx) / beta).astype(x.dtype)


def softplus_samples(rng: np.random.Generator) -> list[Sample]:
    """Default beta/threshold, then a small threshold so both regions are hit (off_grid values keep
    beta * x 0.5 away from it) and a beta below 1."""
    samples = unary()(rng)
    samples.append(Sample((off_grid(rng, 3, 4),), {"beta": 2.0, "threshold": 1.0}, "linear-region"))
    samples.append(Sample((randn(rng, 2, 3) * 4,), {"beta": 0.5}, "beta0.5"))
    return samples


OPS += [
    OpInfo("softplus", tg.nn.functional.softplus, np_softplus, softplus_samples),
    OpInfo("silu", tg.nn.functional.silu, lambda x: x / (1 + np.exp(-x)), unary()),
]
OPS_BY_NAME = {info.name: info for info in OPS}
assert len(OPS_BY_NAME) == len(OPS), "op names must be unique"

# ---- sorting, scans, rearranging, norms and more unary maths --------------------------------------


def np_norm(x: np.ndarray, p: Any, dim: Any, keepdim: bool) -> np.ndarray:
    a = np.abs(x)
    if p == math.inf:
        return np.amax(a, axis=dim, keepdims=keepdim)
    return np.sum(a**p, axis=dim, keepdims=keepdim) ** (1.0 / p)


def index_samples(rng: np.random.Generator) -> list[Sample]:
    cases = [((3, 4), 1, [2, 0, 2]), ((3, 4), 0, [1]), ((3, 4), 1, [])]
    samples = [
        Sample((randn(rng, *s),), {"dim": d, "index": np.array(i, np.int64)}, f"{s}-{d}-{i}")
        for s, d, i in cases
    ]
    samples.append(
        Sample((noncontiguous(randn(rng, 3, 4)),), {"dim": -1, "index": np.array([3, 3])}, "noncontig")
    )
    return samples


OPS += [
    OpInfo(
        "sort",
        lambda a, dim: tg.sort(a, dim).values,
        lambda x, dim: np.sort(x, axis=dim),
        along_dim(distinct),
    ),
    OpInfo(
        "sort_descending",
        lambda a, dim: a.sort(dim, descending=True)[0],
        lambda x, dim: np.flip(np.sort(x, axis=dim), axis=dim),
        along_dim(distinct),
    ),
    OpInfo(
        "topk",
        lambda a, k, dim, largest: tg.topk(a, k, dim, largest).values,
        lambda x, k, dim, largest: (
            np.take(np.sort(-x if largest else x, axis=dim), np.arange(k), axis=dim) * (-1 if largest else 1)
        ),
        shaped(
            ((3, 4), {"k": 2, "dim": 1, "largest": True}),
            ((4, 3), {"k": 3, "dim": 0, "largest": False}),
            (("nc", 3, 4), {"k": 1, "dim": -1, "largest": True}),
            ((5,), {"k": 0, "dim": 0, "largest": True}),
        ),
    ),
    OpInfo("cumsum", lambda a, dim: tg.cumsum(a, dim), lambda x, dim: np.cumsum(x, axis=dim), along_dim()),
    OpInfo(
        "flip",
        lambda a, dims: a.flip(dims),
        lambda x, dims: np.flip(x, axis=dims),
        shaped(
            ((2, 3, 4), {"dims": (0, 2)}),
            ((3,), {"dims": 0}),
            (("nc", 3, 4), {"dims": (1,)}),
            ((2, 0, 3), {"dims": (1,)}),
        ),
    ),
    OpInfo(
        "repeat",
        lambda a, sizes: a.repeat(*sizes),
        lambda x, sizes: np.tile(x, sizes),
        shaped(
            ((2, 3), {"sizes": (2, 1)}),
            ((3,), {"sizes": (2, 2)}),
            (("nc", 3, 4), {"sizes": (1, 3)}),
            ((2, 3), {"sizes": (0, 2)}),
            ((), {"sizes": (3,)}),
        ),
    ),
    OpInfo(
        "tile",
        lambda a, dims: tg.tile(a, dims),
        lambda x, dims: np.tile(x, dims),
        shaped(((2, 3), {"dims": (2,)}), ((2, 3), {"dims": (2, 1, 2)})),
    ),
    OpInfo(
        "unbind",
        lambda a, dim: tg.unbind(a, dim),
        lambda x, dim: tuple(np.moveaxis(x, dim, 0)),
        shaped(((2, 3), {"dim": 0}), ((2, 3), {"dim": 1}), (("nc", 3, 4), {"dim": -1})),
    ),
    OpInfo(
        "index_select",
        lambda a, dim, index: tg.index_select(a, dim, tg.tensor(index)),
        lambda x, dim, index: np.take(x, index, axis=dim),
        index_samples,
    ),
    OpInfo(
        "norm",
        lambda a, p, dim, keepdim: tg.norm(a, p, dim, keepdim),
        np_norm,
        shaped(
            ((2, 3, 4), {"p": 2, "dim": None, "keepdim": False}),
            ((2, 3, 4), {"p": 2, "dim": (0, 2), "keepdim": True}),
            (("nc", 3, 4), {"p": 1, "dim": 1, "keepdim": False}),
            ((3, 4), {"p": math.inf, "dim": 1, "keepdim": False}),
            ((3, 4), {"p": 3, "dim": 0, "keepdim": False}),
        ),
    ),
    OpInfo("log1p", tg.log1p, np.log1p, unary(positive)),
    OpInfo("expm1", tg.expm1, np.expm1, unary()),
    OpInfo("nan_to_num", tg.nan_to_num, np.nan_to_num, unary()),
    OpInfo("clamp_min", tg.clamp_min, np.maximum, with_scalars(on_grid, (0.25,))),
    OpInfo("outer", tg.outer, np.outer, pairs(((3,), (4,)), ((0,), (2,)), ((1,), (1,)))),
]
OPS_BY_NAME = {info.name: info for info in OPS}
assert len(OPS_BY_NAME) == len(OPS), "op names must be unique"

# ---- products, composites and rearrangements ------------------------------------------------------


def with_zeros(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Random values with about a third of them exactly 0 (prod's gradient at zeros)."""
    x = randn(rng, *shape)
    return np.where(rng.random(shape) < 0.33, 0.0, x)


def prod_samples(rng: np.random.Generator) -> list[Sample]:
    samples = reduction(dims=(None, 0, -1))(rng)
    samples = [s for s in samples if not isinstance(s.kwargs.get("dim"), tuple)]
    samples.append(Sample((with_zeros(rng, 3, 4),), {"dim": 1, "keepdim": False}, "zeros"))
    samples.append(
        Sample((np.array([[0.0, 2.0, 0.0], [1.0, 0.0, 3.0]]),), {"dim": 1, "keepdim": True}, "one-two-zeros")
    )
    return samples


OPS += [
    OpInfo("dot", tg.dot, np.dot, pairs(((3,), (3,)), ((0,), (0,)))),
    OpInfo("mv", tg.mv, lambda a, v: a @ v, pairs(((2, 3), (3,)), ((0, 3), (3,)))),
    OpInfo(
        "addmm",
        lambda c, a, b: tg.addmm(c, a, b, beta=0.5, alpha=2.0),
        lambda c, a, b: 0.5 * c + 2.0 * (a @ b),
        lambda rng: [
            Sample((randn(rng, 2, 4), randn(rng, 2, 3), randn(rng, 3, 4)), {}, "full"),
            Sample((randn(rng, 4), randn(rng, 2, 3), randn(rng, 3, 4)), {}, "broadcast-bias"),
        ],
    ),
    OpInfo(
        "prod",
        lambda a, dim, keepdim: tg.prod(a, dim, keepdim) if dim is not None else tg.prod(a),
        lambda x, dim, keepdim: np.prod(x, axis=dim, keepdims=keepdim) if dim is not None else np.prod(x),
        prod_samples,
        twice_differentiable=False,
    ),
    OpInfo("lerp", lambda a, b: tg.lerp(a, b, 0.3), lambda a, b: a + 0.3 * (b - a), binary()),
    OpInfo(
        "lerp_tensor_weight",
        lambda a, b, w: a.lerp(b, w),
        lambda a, b, w: a + w * (b - a),
        lambda rng: [Sample((randn(rng, 2, 3), randn(rng, 3), randn(rng, 2, 1)), {}, "broadcast")],
    ),
    OpInfo(
        "addcmul",
        lambda a, b, c: tg.addcmul(a, b, c, value=0.5),
        lambda a, b, c: a + 0.5 * b * c,
        lambda rng: [Sample((randn(rng, 2, 3), randn(rng, 2, 3), randn(rng, 3)), {}, "broadcast")],
    ),
    OpInfo(
        "addcdiv",
        lambda a, b, c: a.addcdiv(b, c, value=-2),
        lambda a, b, c: a - 2 * b / c,
        lambda rng: [Sample((randn(rng, 2, 3), randn(rng, 2, 3), nonzero(rng, 2, 3)), {}, "same")],
    ),
    OpInfo("log2", tg.log2, np.log2, unary(positive)),
    OpInfo("log10", tg.log10, np.log10, unary(positive)),
    OpInfo("exp2", tg.exp2, np.exp2, unary()),
    OpInfo("tan", tg.tan, np.tan, unary(lambda rng, *s: rng.uniform(-1.2, 1.2, s))),
    OpInfo("sinh", tg.sinh, np.sinh, unary()),
    OpInfo("cosh", tg.cosh, np.cosh, unary()),
    OpInfo(
        "roll",
        lambda a, shifts, dims: tg.roll(a, shifts, dims),
        lambda x, shifts, dims: np.roll(x, shifts, axis=dims),
        shaped(
            ((3, 4), {"shifts": 1, "dims": 1}),
            ((3, 4), {"shifts": (-1, 5), "dims": (0, 1)}),
            ((3, 4), {"shifts": 2, "dims": None}),
            (("nc", 3, 4), {"shifts": 3, "dims": 0}),
            ((0, 3), {"shifts": 1, "dims": 0}),
        ),
    ),
    OpInfo(
        "repeat_interleave",
        lambda a, repeats, dim: tg.repeat_interleave(a, repeats, dim),
        lambda x, repeats, dim: np.repeat(x, repeats, axis=dim),
        shaped(
            ((2, 3), {"repeats": 2, "dim": 1}),
            ((2, 3), {"repeats": [1, 0, 3], "dim": 1}),
            ((2, 3), {"repeats": 2, "dim": None}),
            (("nc", 3, 4), {"repeats": 3, "dim": 0}),
        ),
    ),
    OpInfo(
        "diag",
        lambda a, diagonal: tg.diag(a, diagonal),
        lambda x, diagonal: np.diag(x, diagonal),
        shaped(
            ((3,), {"diagonal": 0}),
            ((3,), {"diagonal": 2}),
            ((2,), {"diagonal": -1}),
            ((3, 4), {"diagonal": 0}),
            ((3, 4), {"diagonal": 1}),
            ((4, 3), {"diagonal": -2}),
        ),
    ),
    OpInfo(
        "meshgrid",
        lambda a, b: tg.meshgrid(a, b, indexing="ij"),
        lambda a, b: tuple(np.meshgrid(a, b, indexing="ij")),
        pairs(((3,), (4,)), ((1,), (2,))),
    ),
    OpInfo(
        "meshgrid_xy",
        lambda a, b: tg.meshgrid(a, b, indexing="xy"),
        lambda a, b: tuple(np.meshgrid(a, b, indexing="xy")),
        pairs(((3,), (4,))),
    ),
    OpInfo(
        "select",
        lambda a, dim, index: a.select(dim, index),
        lambda x, dim, index: np.take(x, index, axis=dim),
        shaped(
            ((3, 4), {"dim": 1, "index": 2}),
            ((3, 4), {"dim": 0, "index": -1}),
            (("nc", 3, 4), {"dim": 1, "index": 0}),
        ),
    ),
]
OPS_BY_NAME = {info.name: info for info in OPS}
assert len(OPS_BY_NAME) == len(OPS), "op names must be unique"


def einsum_samples(rng: np.random.Generator) -> list[Sample]:
    cases = [
        ("ij,jk->ik", (2, 3), (3, 4)),
        ("bij,bjk->bik", (2, 2, 3), (2, 3, 4)),
        ("ij,jk", (2, 3), (3, 2)),  # implicit output: ik
        ("ij->i", (3, 4)),  # a letter only the operand has: its gradient broadcasts back
        ("ij->ji", (2, 3)),
        ("i,j->ij", (3,), (4,)),
        ("...ij,...jk->...ik", (1, 2, 3), (4, 3, 2)),  # broadcast batch: summed back to size 1
        ("ij,jk,kl->il", (2, 3), (3, 4), (4, 2)),
        ("bhqd,bhkd->bhqk", (1, 2, 3, 4), (1, 2, 5, 4)),  # attention scores
    ]
    samples = [Sample(tuple(randn(rng, *s) for s in shapes), {"equation": eq}, eq) for eq, *shapes in cases]
    samples.append(
        Sample((noncontiguous(randn(rng, 3, 4)), randn(rng, 3)), {"equation": "ji,j->i"}, "noncontig")
    )
    return samples


OPS += [
    OpInfo(
        "einsum",
        lambda *tensors, equation: tg.einsum(equation, *tensors),
        lambda *arrays, equation: np.einsum(equation, *arrays),
        einsum_samples,
    ),
]
OPS_BY_NAME = {info.name: info for info in OPS}
assert len(OPS_BY_NAME) == len(OPS), "op names must be unique"


def np_scatter(x: np.ndarray, src: np.ndarray, dim: int, index: np.ndarray, add: bool) -> np.ndarray:
    out = x.copy()
    full = list(np.indices(index.shape, sparse=True))
    full[dim] = index
    part = src[tuple(slice(0, s) for s in index.shape)]
    if add:
        np.add.at(out, tuple(full), part)
    else:
        out[tuple(full)] = part
    return out


def scatter_samples(unique: bool) -> Callable:
    def make(rng: np.random.Generator) -> list[Sample]:
        if unique:  # a permutation per column: every position written at most once
            index0 = np.stack([rng.permutation(3)[:2] for _ in range(4)], 1)
        else:
            index0 = rng.integers(0, 3, (2, 4))
        index1 = (
            rng.integers(0, 4, (3, 2)) if not unique else np.stack([rng.permutation(4)[:2] for _ in range(3)])
        )
        return [
            Sample((randn(rng, 3, 4), randn(rng, 2, 4)), {"dim": 0, "index": index0}, "dim0"),
            Sample((randn(rng, 3, 4), randn(rng, 3, 3)), {"dim": 1, "index": index1}, "dim1-src-larger"),
            Sample(
                (noncontiguous(randn(rng, 3, 4)), randn(rng, 2, 4)), {"dim": -2, "index": index0}, "noncontig"
            ),
        ]

    return make


OPS += [
    OpInfo(
        "scatter_add",
        lambda a, s, dim, index: a.scatter_add(dim, tg.tensor(index), s),
        lambda x, s, dim, index: np_scatter(x, s, dim, index, add=True),
        scatter_samples(unique=False),
    ),
    OpInfo(
        "scatter",
        lambda a, s, dim, index: tg.scatter(a, dim, tg.tensor(index), s),
        lambda x, s, dim, index: np_scatter(x, s, dim, index, add=False),
        scatter_samples(unique=True),
    ),
]
OPS_BY_NAME = {info.name: info for info in OPS}
assert len(OPS_BY_NAME) == len(OPS), "op names must be unique"

# ---- nn.functional composites ------------------------------------------------------------------


def np_elu(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def np_softplus1(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0, x)


def wide_off_grid(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """off_grid spread over [-8, 8]: no value on the kinks of hardsigmoid/hardswish at -3 and 3."""
    return np.asarray(off_grid(rng, *shape) * 2)


def unit_interval(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return np.asarray(rng.uniform(0.05, 0.95, shape))


def np_losses(kind: str) -> Callable:
    def ref(x: np.ndarray, t: np.ndarray, **kw: Any) -> np.ndarray:
        d = np.abs(x - t)
        if kind == "smooth_l1":
            beta = kw.get("beta", 1.0)
            out = np.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta)
        elif kind == "huber":
            delta = kw.get("delta", 1.0)
            out = np.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta))
        elif kind == "bce":
            out = -(t * np.log(x) + (1 - t) * np.log(1 - x))
        else:  # kl_div, input log-probabilities
            out = np.where(t > 0, t * (np.log(np.where(t > 0, t, 1)) - x), 0.0)
        return np.asarray(np.mean(out), dtype=x.dtype)

    return ref


def loss_samples(first: Callable = randn, second: Callable = randn, **kwargs: Any) -> Callable:
    def make(rng: np.random.Generator) -> list[Sample]:
        return [
            Sample((first(rng, 3, 4), second(rng, 3, 4)), dict(kwargs), "3x4"),
            Sample((noncontiguous(first(rng, 3, 4)), second(rng, 3, 4)), dict(kwargs), "noncontig"),
        ]

    return make


F = tg.nn.functional
OPS += [
    OpInfo("elu", lambda a: F.elu(a, 0.7), lambda x: np_elu(x, 0.7), unary(nonzero)),
    OpInfo("selu", F.selu, lambda x: 1.0507009873554805 * np_elu(x, 1.6732632423543772), unary(nonzero)),
    OpInfo("relu6", F.relu6, lambda x: np.clip(x, 0, 6), unary(off_grid)),
    OpInfo("hardtanh", lambda a: F.hardtanh(a, -1.0, 1.0), lambda x: np.clip(x, -1, 1), unary(off_grid)),
    OpInfo(
        "hardsigmoid",
        F.hardsigmoid,
        lambda x: np.clip(x + 3, 0, 6) / 6,
        unary(wide_off_grid),
    ),
    OpInfo(
        "hardswish",
        F.hardswish,
        lambda x: x * np.clip(x + 3, 0, 6) / 6,
        unary(wide_off_grid),
    ),
    OpInfo("mish", F.mish, lambda x: x * np.tanh(np_softplus1(x)), unary()),
    OpInfo("logsigmoid", F.logsigmoid, lambda x: -np_softplus1(-x), unary()),
    OpInfo("softsign", F.softsign, lambda x: x / (1 + np.abs(x)), unary(nonzero)),
    OpInfo("tanhshrink", F.tanhshrink, lambda x: x - np.tanh(x), unary()),
    OpInfo(
        "threshold",
        lambda a: F.threshold(a, 0.1, 20.0),
        lambda x: np.where(x > 0.1, x, 20.0),
        unary(off_grid),
    ),
    OpInfo(
        "glu",
        lambda a, dim: F.glu(a, dim),
        lambda x, dim: np.split(x, 2, dim)[0] / (1 + np.exp(-np.split(x, 2, dim)[1])),
        shaped(((2, 4), {"dim": -1}), ((4, 3), {"dim": 0}), (("nc", 4, 4), {"dim": 1})),
    ),
    OpInfo(
        "prelu",
        F.prelu,
        lambda x, w: np.where(
            x >= 0, x, (w.reshape((-1,) + (1,) * (x.ndim - 2)) if x.ndim > 1 and w.size > 1 else w) * x
        ),
        pairs(((2, 3, 4), (3,)), ((2, 3), (1,)), ((2, 3), (3,)), values=nonzero),
    ),
    OpInfo("smooth_l1_loss", F.smooth_l1_loss, np_losses("smooth_l1"), loss_samples()),
    OpInfo(
        "smooth_l1_loss_beta",
        lambda a, b: F.smooth_l1_loss(a, b, beta=0.5),
        lambda x, t: np_losses("smooth_l1")(x, t, beta=0.5),
        loss_samples(),
    ),
    OpInfo(
        "huber_loss",
        lambda a, b: F.huber_loss(a, b, delta=0.7),
        lambda x, t: np_losses("huber")(x, t, delta=0.7),
        loss_samples(),
    ),
    OpInfo(
        "binary_cross_entropy",
        F.binary_cross_entropy,
        np_losses("bce"),
        loss_samples(unit_interval, unit_interval),
    ),
    OpInfo(
        "kl_div",
        F.kl_div,
        np_losses("kl"),
        # target > 0 here (at 0, t log t has an infinite slope); test_more_api checks zeros
        loss_samples(lambda r, *s: np.log(unit_interval(r, *s)), unit_interval),
    ),
    OpInfo(
        "normalize",
        lambda a: F.normalize(a, dim=-1),
        lambda x: x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12),
        unary(shapes=[(3, 4), (5,)]),
    ),
    OpInfo(
        "cosine_similarity",
        lambda a, b: F.cosine_similarity(a, b, dim=-1),
        lambda x, y: (
            np.sum(x * y, -1) / np.maximum(np.linalg.norm(x, axis=-1) * np.linalg.norm(y, axis=-1), 1e-8)
        ),
        pairs(((3, 4), (3, 4)), ((3, 4), (4,))),
    ),
    OpInfo(
        "pairwise_distance",
        F.pairwise_distance,
        lambda x, y: np.linalg.norm(x - y + 1e-6, axis=-1),
        pairs(((3, 4), (3, 4)), ((2, 5), (5,))),
    ),
]
OPS_BY_NAME = {info.name: info for info in OPS}
assert len(OPS_BY_NAME) == len(OPS), "op names must be unique"


def np_group_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, num_groups: int) -> np.ndarray:
    g = x.reshape(x.shape[0], num_groups, -1)
    normed = ((g - g.mean(-1, keepdims=True)) / np.sqrt(g.var(-1, keepdims=True) + 1e-5)).reshape(x.shape)
    shape = (-1,) + (1,) * (x.ndim - 2)
    return normed * w.reshape(shape) + b.reshape(shape)


def np_adaptive_avg_pool2d(x: np.ndarray, output_size: Any) -> np.ndarray:
    oh, ow = (output_size, output_size) if isinstance(output_size, int) else output_size
    h, w = x.shape[-2:]
    out = np.zeros(x.shape[:-2] + (oh, ow), x.dtype)
    for i in range(oh):
        for j in range(ow):
            rows = slice(i * h // oh, -(-(i + 1) * h // oh))
            cols = slice(j * w // ow, -(-(j + 1) * w // ow))
            out[..., i, j] = x[..., rows, cols].mean(axis=(-2, -1))
    return out


OPS += [
    OpInfo(
        "group_norm",
        lambda x, w, b, num_groups: F.group_norm(x, num_groups, w, b),
        np_group_norm,
        lambda rng: [
            Sample((randn(rng, 2, 4, 3), randn(rng, 4), randn(rng, 4)), {"num_groups": 2}, "3d"),
            Sample((randn(rng, 2, 6, 2, 2), randn(rng, 6), randn(rng, 6)), {"num_groups": 3}, "4d"),
        ],
        twice_differentiable=False,  # layer_norm's kernel backward is once differentiable
    ),
    OpInfo(
        "adaptive_avg_pool2d",
        F.adaptive_avg_pool2d,
        np_adaptive_avg_pool2d,
        lambda rng: [
            Sample((randn(rng, 2, 3, 5, 7),), {"output_size": (2, 3)}, "uneven"),
            Sample((randn(rng, 2, 3, 4, 4),), {"output_size": 1}, "global"),
            Sample((randn(rng, 3, 6, 4),), {"output_size": (3, 4)}, "unbatched"),
            Sample((noncontiguous(randn(rng, 1, 2, 3, 5)),), {"output_size": 2}, "noncontig"),
        ],
    ),
]
OPS_BY_NAME = {info.name: info for info in OPS}
assert len(OPS_BY_NAME) == len(OPS), "op names must be unique"


def np_conv1d(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0, dilation: int = 1
) -> np.ndarray:
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding)))
    k = w.shape[2]
    length = (xp.shape[2] - dilation * (k - 1) - 1) // stride + 1
    taps = np.stack(
        [xp[:, :, j * dilation : j * dilation + stride * (length - 1) + 1 : stride] for j in range(k)], -1
    )
    return np.einsum("nclk,ock->nol", taps, w) + b[None, :, None]


def np_pool1d(x: np.ndarray, kernel_size: int, stride: int, take_max: bool) -> np.ndarray:
    length = (x.shape[-1] - kernel_size) // stride + 1
    windows = np.stack([x[..., i * stride : i * stride + kernel_size] for i in range(length)], -2)
    return windows.max(-1) if take_max else windows.mean(-1)


OPS += [
    OpInfo(
        "conv1d",
        lambda x, w, b, **kw: F.conv1d(x, w, b, **kw),
        np_conv1d,
        lambda rng: [
            Sample((randn(rng, 2, 3, 7), randn(rng, 4, 3, 3), randn(rng, 4)), {}, "plain"),
            Sample(
                (randn(rng, 1, 2, 9), randn(rng, 3, 2, 2), randn(rng, 3)),
                {"stride": 2, "padding": 1, "dilation": 2},
                "strided",
            ),
            Sample(
                (noncontiguous(randn(rng, 2, 3, 6)), randn(rng, 2, 3, 3), randn(rng, 2)),
                {"padding": 2},
                "noncontig",
            ),
        ],
        twice_differentiable=False,  # the conv kernels' backward is once differentiable
    ),
    OpInfo(
        "max_pool1d",
        lambda x: F.max_pool1d(x, 2),
        lambda x: np_pool1d(x, 2, 2, True),
        lambda rng: [
            Sample((distinct(rng, 2, 3, 8),), {}, "3d"),
            Sample((distinct(rng, 3, 7),), {}, "unbatched"),
        ],
        twice_differentiable=False,
    ),
    OpInfo(
        "avg_pool1d",
        lambda x: F.avg_pool1d(x, 3, 2),
        lambda x: np_pool1d(x, 3, 2, False),
        lambda rng: [
            Sample((randn(rng, 2, 3, 9),), {}, "3d"),
            Sample((noncontiguous(randn(rng, 3, 8)),), {}, "noncontig"),
        ],
        twice_differentiable=False,
    ),
]
OPS_BY_NAME = {info.name: info for info in OPS}
assert len(OPS_BY_NAME) == len(OPS), "op names must be unique"


OPS += [
    OpInfo("asin", tg.asin, np.arcsin, unary(lambda r, *s: np.asarray(r.uniform(-0.9, 0.9, s)))),
    OpInfo("acos", tg.acos, np.arccos, unary(lambda r, *s: np.asarray(r.uniform(-0.9, 0.9, s)))),
    OpInfo("atan", tg.atan, np.arctan, unary()),
    OpInfo("atan2", tg.atan2, np.arctan2, binary(nonzero, nonzero)),
    OpInfo("cdist", tg.cdist, np_cdist, pairs(((3, 4), (5, 4)), ((2, 3, 2), (1, 4, 2)), ((0, 3), (2, 3)))),
    OpInfo(
        "cdist_p1",
        lambda a, b: tg.cdist(a, b, 1.0),
        lambda x, y: np_cdist(x, y, 1),
        pairs(((3, 4), (2, 4))),
    ),
    OpInfo(  # distinct values: each is as frequent as the others, so the mode is the smallest
        "mode",
        lambda a, dim: tg.mode(a, dim).values,
        lambda x, dim: np.min(x, axis=dim),
        shaped(((3, 4), {"dim": 1}), (("nc", 4, 3), {"dim": 0}), ((5,), {"dim": -1})),
    ),
    OpInfo(
        "kthvalue",
        lambda a, k, dim, keepdim: tg.kthvalue(a, k, dim, keepdim).values,
        lambda x, k, dim, keepdim: (
            np.take(np.sort(x, axis=dim), [k - 1], axis=dim)
            if keepdim
            else np.take(np.sort(x, axis=dim), k - 1, axis=dim)
        ),
        lambda rng: [
            Sample((distinct(rng, 3, 5),), {"k": 2, "dim": 1, "keepdim": False}, "dim1"),
            Sample((distinct(rng, 4, 3),), {"k": 4, "dim": 0, "keepdim": True}, "dim0-keep"),
            Sample((noncontiguous(distinct(rng, 3, 4)),), {"k": 1, "dim": -1, "keepdim": False}, "noncontig"),
        ],
    ),
    OpInfo(
        "median",
        lambda a, dim: tg.median(a) if dim is None else tg.median(a, dim).values,
        lambda x, dim: (
            np.sort(x.reshape(-1))[(x.size - 1) // 2]
            if dim is None
            else np.take(np.sort(x, axis=dim), (x.shape[dim] - 1) // 2, axis=dim)
        ),
        lambda rng: [
            Sample((distinct(rng, 3, 4),), {"dim": None}, "all-even"),
            Sample((distinct(rng, 3, 5),), {"dim": 1}, "dim1-odd"),
            Sample((distinct(rng, 4, 3),), {"dim": 0}, "dim0-even"),
        ],
    ),
]
OPS_BY_NAME = {info.name: info for info in OPS}
assert len(OPS_BY_NAME) == len(OPS), "op names must be unique"

# ---- more torch functions: special and pointwise maths, nan-reductions, scans, matrix/shape
# ---- functions and indexing (tensorgrad/ops/special.py, pointwise.py, nanreduce.py, scan.py,
# ---- more_shape.py, more_index.py)


def np_erf(x: np.ndarray) -> np.ndarray:
    return np.vectorize(math.erf, otypes=[x.dtype])(x)


def np_erfinv(x: np.ndarray) -> np.ndarray:
    from statistics import NormalDist  # erfinv(p) = Phi^-1((p + 1) / 2) / sqrt(2)

    inverse = NormalDist().inv_cdf
    return np.vectorize(lambda p: inverse((p + 1) / 2) / math.sqrt(2), otypes=[x.dtype])(x)


def np_digamma(x: np.ndarray, n: int = 0) -> np.ndarray:
    """digamma (n = 0) or its derivative trigamma (n = 1) of positive x: the recurrence up to
    x >= 20, then the asymptotic series."""
    dtype = np.asarray(x).dtype
    x = np.array(x, dtype=np.float64)
    out = np.zeros_like(x)
    while (x < 20).any():
        small = x < 20
        out = np.where(small, out - 1 / x if n == 0 else out + 1 / x**2, out)
        x = np.where(small, x + 1, x)
    if n == 0:
        series = [(-1 / 2, 1), (-1 / 12, 2), (1 / 120, 4), (-1 / 252, 6), (1 / 240, 8)]
        out = out + np.log(x)
    else:
        series = [(1, 1), (1 / 2, 2), (1 / 6, 3), (-1 / 30, 5), (1 / 42, 7), (-1 / 30, 9)]
    for coefficient, power in series:
        out = out + coefficient / x**power
    return out.astype(dtype)


def np_logit(x: np.ndarray, eps: float | None = None) -> np.ndarray:
    z = x if eps is None else np.clip(x, eps, 1 - eps)
    return np.log(z / (1 - z))


def np_xlogy(x: Any, y: Any) -> np.ndarray:
    y = np.asarray(y, dtype=np.result_type(x, y))  # a number takes the tensor's dtype
    return np.where(np.asarray(x) == 0, 0.0, x * np.log(y))


def with_nans(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Random values with NaN at the first entry of every other slice along the last dim (so no
    slice of any of the sampled reductions is NaN only)."""
    x = randn(rng, *shape)
    x.reshape(-1, shape[-1])[::2, 0] = np.nan
    return x


def nan_reduction_samples(rng: np.random.Generator) -> list[Sample]:
    samples = []
    for dim in (None, 0, -1, (0, 2)):
        for keepdim in (False, True):
            samples.append(Sample((with_nans(rng, 2, 3, 4),), {"dim": dim, "keepdim": keepdim}, f"{dim}"))
    samples.append(Sample((noncontiguous(with_nans(rng, 3, 4)),), {"dim": 1, "keepdim": False}, "noncontig"))
    return samples


def np_cumulative_extremum(take_max: bool) -> Callable:
    """(values, indices) by looking at every prefix (distinct values: no ties)."""

    def ref(x: np.ndarray, dim: int) -> tuple:
        m = np.moveaxis(x, dim, -1)
        pick = np.argmax if take_max else np.argmin
        idx = np.zeros(m.shape, np.int64)
        for k in range(m.shape[-1]):
            idx[..., k] = pick(m[..., : k + 1], axis=-1)
        values = np.take_along_axis(m, idx, -1)
        return np.moveaxis(values, -1, dim), np.moveaxis(idx, -1, dim)

    return ref


def cumprod_samples(rng: np.random.Generator) -> list[Sample]:
    samples = along_dim()(rng)
    samples.append(Sample((with_zeros(rng, 3, 5),), {"dim": 1}, "zeros"))
    two_zeros = np.array([[0.0, 2.0, 0.0, 3.0], [1.5, 0.0, 2.0, -0.5]])
    samples.append(Sample((two_zeros,), {"dim": 1}, "two-zeros"))
    return samples


def np_diag_embed(x: np.ndarray, offset: int = 0, dim1: int = -2, dim2: int = -1) -> np.ndarray:
    m = x.shape[-1]
    n = m + abs(offset)
    out = np.zeros(x.shape[:-1] + (n, n), x.dtype)
    for i in range(m):
        out[..., i + max(-offset, 0), i + max(offset, 0)] = x[..., i]
    return np.moveaxis(out, (-2, -1), (dim1, dim2))


def np_cross(a: np.ndarray, b: np.ndarray, dim: int | None = None) -> np.ndarray:
    return np.cross(a, b, axis=a.shape.index(3) if dim is None else dim)


def np_cartesian_prod(*arrays: np.ndarray) -> np.ndarray:
    import itertools

    if len(arrays) == 1:
        return arrays[0]
    return np.array(list(itertools.product(*arrays)), dtype=arrays[0].dtype).reshape(-1, len(arrays))


def np_block_diag(*arrays: np.ndarray) -> np.ndarray:
    from scipy.linalg import block_diag

    return block_diag(*arrays)


def np_masked_select(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    shape = np.broadcast_shapes(x.shape, mask.shape)
    return np.broadcast_to(x, shape)[np.broadcast_to(mask, shape)]


def np_index_add(x: np.ndarray, src: np.ndarray, dim: int, index: np.ndarray, alpha: float = 1) -> np.ndarray:
    out = np.moveaxis(x.copy(), dim, 0)
    np.add.at(out, index, np.moveaxis(src, dim, 0) * alpha)
    return np.moveaxis(out, 0, dim)


def np_index_fill(x: np.ndarray, value: Any, dim: int, index: np.ndarray) -> np.ndarray:
    out = x.copy()
    np.moveaxis(out, dim, 0)[index] = value
    return out


def np_index_copy(x: np.ndarray, src: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    out = x.copy()
    np.moveaxis(out, dim, 0)[index] = np.moveaxis(src, dim, 0)
    return out


def index_op_samples(rng: np.random.Generator) -> list[Sample]:
    """(input, source) with an index along dim: repeats only where the op adds them up."""
    return [
        Sample((randn(rng, 3, 4), randn(rng, 3, 3)), {"dim": 1, "index": np.array([2, 0, 3])}, "dim1"),
        Sample((randn(rng, 4, 2), randn(rng, 2, 2)), {"dim": 0, "index": np.array([3, 1])}, "dim0"),
        Sample(
            (noncontiguous(randn(rng, 3, 4)), randn(rng, 1, 4)), {"dim": -2, "index": np.array([1])}, "nc"
        ),
        Sample((randn(rng, 2, 3), randn(rng, 2, 0)), {"dim": 1, "index": np.zeros(0, np.int64)}, "empty"),
    ]


OPS += [
    OpInfo("reciprocal", tg.reciprocal, lambda x: 1 / x, unary(nonzero)),
    OpInfo("frac", tg.frac, lambda x: np.modf(x)[0], unary(off_grid)),
    OpInfo("fmod", tg.fmod, np.fmod, binary(randn, nonzero)),
    OpInfo("fmod_scalar", tg.fmod, np.fmod, with_scalars(randn, (0.7, -1.5))),
    OpInfo(
        "xlogy",
        tg.xlogy,
        np_xlogy,
        lambda rng: [
            *binary(with_zeros, positive)(rng),
            Sample((2.5, positive(rng, 3)), {}, "scalar-self"),
            Sample((with_zeros(rng, 2, 3), 0.5), {}, "scalar-other"),
        ],
    ),
    OpInfo(
        "logit",
        tg.logit,
        np_logit,
        lambda rng: [
            *unary(unit_interval)(rng),
            Sample((np.array([0.05, 0.3, 0.5, 0.9, 0.7]),), {"eps": 0.2}, "eps"),
        ],
    ),
    OpInfo("erf", tg.erf, np_erf, unary()),
    OpInfo("erfc", tg.erfc, lambda x: 1 - np_erf(x), unary()),
    OpInfo("erfinv", tg.erfinv, np_erfinv, unary(lambda r, *s: np.asarray(r.uniform(-0.9, 0.9, s)))),
    OpInfo("lgamma", tg.lgamma, lambda x: np.vectorize(math.lgamma, otypes=[x.dtype])(x), unary(positive)),
    OpInfo("digamma", tg.digamma, np_digamma, unary(positive)),
    OpInfo(
        "polygamma",
        lambda a, n: tg.polygamma(n, a),
        np_digamma,
        lambda rng: [Sample((positive(rng, 2, 3),), {"n": 1}, "n=1")],
    ),
    OpInfo("logaddexp", tg.logaddexp, lambda a, b: np.log(np.exp(a) + np.exp(b)), binary()),
    OpInfo("logaddexp2", tg.logaddexp2, lambda a, b: np.log2(2**a + 2**b), binary()),
    OpInfo("hypot", tg.hypot, lambda a, b: np.sqrt(a * a + b * b), binary()),
    OpInfo("deg2rad", tg.deg2rad, lambda x: x * (np.pi / 180), unary()),
    OpInfo("rad2deg", tg.rad2deg, lambda x: x * (180 / np.pi), unary()),
    OpInfo(
        "nansum",
        lambda a, dim, keepdim: tg.nansum(a, dim, keepdim),
        lambda x, dim, keepdim: np.nansum(x, axis=dim, keepdims=keepdim),
        nan_reduction_samples,
    ),
    OpInfo(
        "nanmean",
        lambda a, dim, keepdim: tg.nanmean(a, dim, keepdim),
        lambda x, dim, keepdim: np.nanmean(x, axis=dim, keepdims=keepdim),
        nan_reduction_samples,
    ),
    OpInfo("cumprod", lambda a, dim: tg.cumprod(a, dim), lambda x, dim: np.cumprod(x, dim), cumprod_samples),
    OpInfo("cummax", lambda a, dim: tg.cummax(a, dim), np_cumulative_extremum(True), along_dim(distinct)),
    OpInfo("cummin", lambda a, dim: tg.cummin(a, dim), np_cumulative_extremum(False), along_dim(distinct)),
    OpInfo(
        "logcumsumexp",
        lambda a, dim: tg.logcumsumexp(a, dim),
        lambda x, dim: np.log(np.cumsum(np.exp(x), axis=dim)),
        along_dim(),
    ),
    OpInfo(
        "diff",
        lambda a, n, dim: tg.diff(a, n, dim),
        lambda x, n, dim: np.diff(x, n, axis=dim),
        shaped(
            ((3, 5), {"n": 1, "dim": -1}),
            ((4, 3), {"n": 2, "dim": 0}),
            (("nc", 3, 4), {"n": 1, "dim": 1}),
            ((2, 3), {"n": 4, "dim": 1}),  # more differences than entries: empty
        ),
    ),
    OpInfo(
        "diff_prepend_append",
        lambda a, p, q, n, dim: tg.diff(a, n, dim, p, q),
        lambda x, p, q, n, dim: np.diff(x, n, axis=dim, prepend=p, append=q),
        lambda rng: [
            Sample((randn(rng, 2, 3), randn(rng, 2, 1), randn(rng, 2, 2)), {"n": 2, "dim": 1}, "2d")
        ],
    ),
    OpInfo(
        "diagonal",
        lambda a, offset, dim1, dim2: tg.diagonal(a, offset, dim1, dim2),
        lambda x, offset, dim1, dim2: np.diagonal(x, offset, dim1, dim2),
        shaped(
            ((3, 4), {"offset": 0, "dim1": 0, "dim2": 1}),
            ((3, 4), {"offset": -2, "dim1": 0, "dim2": 1}),
            ((2, 3, 4), {"offset": 1, "dim1": 2, "dim2": 0}),
            (("nc", 3, 4), {"offset": 1, "dim1": -1, "dim2": -2}),
            ((3, 4), {"offset": 5, "dim1": 0, "dim2": 1}),  # past the corner: empty
        ),
    ),
    OpInfo("trace", tg.trace, np.trace, shaped(((3, 4), {}), ((4, 3), {}), (("nc", 3, 3), {}), ((0, 2), {}))),
    OpInfo(
        "diag_embed",
        tg.diag_embed,
        np_diag_embed,
        shaped(
            ((3,), {}),
            ((2, 3), {"offset": 1}),
            ((2, 3), {"offset": -1, "dim1": 0, "dim2": 2}),
            (("nc", 2, 3), {"dim1": -1, "dim2": 0}),
        ),
    ),
    OpInfo(
        "cross",
        tg.cross,
        np_cross,
        lambda rng: [
            Sample((randn(rng, 3), randn(rng, 3)), {}, "vectors"),
            Sample((randn(rng, 2, 3), randn(rng, 1, 3)), {"dim": -1}, "broadcast"),
            Sample((randn(rng, 2, 3, 2), randn(rng, 1, 3, 1)), {}, "first-dim-of-3"),
            Sample((noncontiguous(randn(rng, 2, 3)), randn(rng, 2, 3)), {"dim": 1}, "noncontig"),
        ],
    ),
    OpInfo(
        "rot90",
        tg.rot90,
        lambda x, k=1, dims=(0, 1): np.rot90(x, k, axes=dims),
        shaped(
            ((3, 4), {}),
            ((2, 3, 4), {"k": -1, "dims": (2, 0)}),
            ((3, 4), {"k": 2}),
            (("nc", 3, 4), {"k": 3, "dims": [1, 0]}),
            ((3, 4), {"k": 4}),
        ),
    ),
    OpInfo("fliplr", tg.fliplr, np.fliplr, shaped(((3, 4), {}), (("nc", 2, 3), {}))),
    OpInfo("flipud", tg.flipud, np.flipud, shaped(((3,), {}), ((3, 4), {}))),
    OpInfo(
        "tensor_split",
        lambda a, sections, dim: tg.tensor_split(a, sections, dim),
        lambda x, sections, dim: np.array_split(x, sections, axis=dim),
        shaped(
            ((7,), {"sections": 3, "dim": 0}),
            ((3, 7), {"sections": [1, 4], "dim": 1}),
            ((5, 2), {"sections": [4, 2, 9], "dim": 0}),  # out of order and past the end: empty parts
            (("nc", 3, 4), {"sections": 5, "dim": -1}),
        ),
    ),
    OpInfo(
        "block_diag",
        tg.block_diag,
        np_block_diag,
        many([(((2, 3), (1, 2), (3,)), {}), (((2, 2),), {}), (((0, 2), (2, 0), (1, 1)), {})]),
    ),
    OpInfo(
        "cartesian_prod",
        tg.cartesian_prod,
        np_cartesian_prod,
        many([(((2,), (3,)), {}), (((2,), (1,), (3,)), {})]),
    ),
    OpInfo(
        "movedim",
        tg.movedim,
        np.moveaxis,
        shaped(
            ((2, 3, 4), {"source": 0, "destination": -1}),
            ((2, 3, 4), {"source": (0, 1), "destination": (2, 0)}),
            (("nc", 3, 4), {"source": [1], "destination": [0]}),
        ),
    ),
    OpInfo(
        "masked_select",
        tg.masked_select,
        np_masked_select,
        lambda rng: [
            Sample((randn(rng, 3, 4), mask(rng, 3, 4)), {}, "same"),
            Sample((randn(rng, 3, 1), mask(rng, 4)), {}, "broadcast-both"),
            Sample((noncontiguous(randn(rng, 3, 4)), mask(rng, 1, 4)), {}, "noncontig"),
        ],
    ),
    OpInfo(
        "take",
        lambda a, index: tg.take(a, tg.tensor(index)),
        lambda x, index: np.take(x, index),
        lambda rng: [
            Sample((randn(rng, 3, 4),), {"index": np.array([[0, -1], [5, 5]])}, "2d-index"),
            Sample((noncontiguous(randn(rng, 3, 4)),), {"index": np.array(7)}, "0d-index"),
            Sample((randn(rng, 2, 3),), {"index": np.zeros(0, np.int64)}, "empty"),
        ],
    ),
    OpInfo(
        "index_add",
        lambda a, s, dim, index: tg.index_add(a, dim, tg.tensor(index), s, alpha=-2),
        lambda x, s, dim, index: np_index_add(x, s, dim, index, -2),
        lambda rng: [
            *index_op_samples(rng),
            Sample((randn(rng, 3, 4), randn(rng, 3, 3)), {"dim": 1, "index": np.array([2, 2, 0])}, "repeats"),
        ],
    ),
    OpInfo(
        "index_fill",
        lambda a, v, dim, index: tg.index_fill(a, dim, tg.tensor(index), v),
        np_index_fill,
        lambda rng: [
            Sample((randn(rng, 3, 4), randn(rng)), {"dim": 1, "index": np.array([2, 0, 2])}, "tensor-value"),
            Sample((noncontiguous(randn(rng, 3, 4)), 1.5), {"dim": 0, "index": np.array([-1])}, "number"),
        ],
    ),
    OpInfo(
        "index_copy",
        lambda a, s, dim, index: tg.index_copy(a, dim, tg.tensor(index), s),
        np_index_copy,
        index_op_samples,
    ),
]
OPS_BY_NAME = {info.name: info for info in OPS}
assert len(OPS_BY_NAME) == len(OPS), "op names must be unique"
# ---- stacking, products and statistics (ops/stacking.py, statistics.py, more_math.py) -------------


def np_quantile(x: np.ndarray, q: Any, dim: Any = None, keepdim: bool = False) -> np.ndarray:
    return np.quantile(x, q, axis=dim, keepdims=keepdim)


def np_renorm(x: np.ndarray, p: float, dim: int, maxnorm: float) -> np.ndarray:
    axes = tuple(i for i in range(x.ndim) if i != dim)
    norms = np.sum(np.abs(x) ** p, axis=axes, keepdims=True) ** (1 / p)
    return x * np.where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)


def np_var_mean(x: np.ndarray, dim: Any = None, keepdim: bool = False, correction: float = 1) -> tuple:
    return np_var(x, dim, keepdim, correction), np.mean(x, dim, keepdims=keepdim)


def np_std_mean(x: np.ndarray, dim: Any = None, keepdim: bool = False) -> tuple:
    return np_std(x, dim, keepdim), np.mean(x, dim, keepdims=keepdim)


def np_aminmax(x: np.ndarray, dim: Any = None, keepdim: bool = False) -> tuple:
    return np.amin(x, dim, keepdims=keepdim), np.amax(x, dim, keepdims=keepdim)


OPS += [
    OpInfo(
        "hstack",
        lambda *ts: tg.hstack(ts),
        lambda *xs: np.hstack(xs),
        many([(((2,), (3,)), {}), (((2, 1), (2, 3)), {})]),
    ),
    OpInfo("vstack", lambda *ts: tg.vstack(ts), lambda *xs: np.vstack(xs), many([(((3,), (2, 3)), {})])),
    OpInfo("dstack", lambda *ts: tg.dstack(ts), lambda *xs: np.dstack(xs), many([(((2, 3), (2, 3, 2)), {})])),
    OpInfo(
        "column_stack",
        lambda *ts: tg.column_stack(ts),
        lambda *xs: np.column_stack(xs),
        many([(((3,), (3, 2)), {})]),
    ),
    OpInfo(
        "adjoint", tg.adjoint, lambda x: np.swapaxes(x, -2, -1), shaped(((2, 3, 4), {}), (("nc", 3, 4), {}))
    ),
    OpInfo("kron", tg.kron, np.kron, pairs(((2, 3), (3, 2)), ((2,), (2, 1, 3)), ((0, 2), (2,)))),
    OpInfo(
        "tensordot",
        lambda a, b, dims: tg.tensordot(a, b, dims),
        lambda x, y, dims: np.tensordot(x, y, dims),
        lambda rng: [
            Sample((randn(rng, 2, 3, 4), randn(rng, 3, 4, 2)), {"dims": 2}, "int"),
            Sample((randn(rng, 2, 3, 4), randn(rng, 4, 2, 3)), {"dims": ([1, 2], [2, 0])}, "lists"),
            Sample((randn(rng, 2, 3), randn(rng, 4)), {"dims": 0}, "outer"),
        ],
    ),
    OpInfo("inner", tg.inner, np.inner, pairs(((2, 3), (4, 3)), ((3,), (3,)), ((), (2, 3)))),
    OpInfo(
        "diagflat",
        tg.diagflat,
        lambda x, offset=0: np.diagflat(x, offset),
        shaped(((2, 2), {}), ((3,), {"offset": -1})),
    ),
    OpInfo(
        "vander",
        tg.vander,
        lambda x, **kw: np.vander(x, **kw).astype(x.dtype),
        shaped(((3,), {}), ((4,), {"N": 2, "increasing": True})),
    ),
    OpInfo(
        "var_mean",
        tg.var_mean,
        np_var_mean,
        shaped(((2, 3), {"dim": 1}), ((2, 3, 4), {"dim": (0, 2), "keepdim": True, "correction": 0})),
    ),
    OpInfo("std_mean", tg.std_mean, np_std_mean, shaped(((2, 3), {"dim": 0}), ((4,), {}))),
    OpInfo(
        "aminmax",
        tg.aminmax,
        np_aminmax,
        lambda rng: [
            Sample((distinct(rng, 2, 3),), {"dim": 1}, "dim"),
            Sample((distinct(rng, 2, 3),), {}, "all"),
        ],
    ),
    OpInfo(
        "quantile",
        tg.quantile,
        np_quantile,
        lambda rng: [
            Sample((distinct(rng, 3, 5),), {"q": 0.3, "dim": 1}, "scalar-q"),
            Sample((distinct(rng, 2, 4),), {"q": 0.6, "dim": 0, "keepdim": True}, "keepdim"),
            Sample((distinct(rng, 7),), {"q": 0.45}, "all"),
        ],
    ),
    OpInfo(
        "trapezoid",
        lambda y, dim: tg.trapezoid(y, dim=dim),
        lambda y, dim: np.trapezoid(y, axis=dim),
        shaped(((2, 3), {"dim": 1}), ((4, 2), {"dim": 0}), ((2, 0), {"dim": 0})),
    ),
    OpInfo(
        "cov",
        lambda x, correction: tg.cov(x, correction=correction),
        lambda x, correction: np.cov(x, ddof=correction).astype(x.dtype),
        shaped(((3, 5), {"correction": 1}), ((2, 4), {"correction": 0}), ((4,), {"correction": 1})),
    ),
    OpInfo("corrcoef", tg.corrcoef, lambda x: np.corrcoef(x).astype(x.dtype), shaped(((3, 5), {}))),
    OpInfo("float_power", tg.float_power, np.float_power, binary(positive, randn)),
    OpInfo("copysign", tg.copysign, np.copysign, binary(nonzero, nonzero)),
    OpInfo("ldexp", tg.ldexp, lambda x, y: x * 2.0**y, binary(randn, randn)),
    OpInfo(
        "renorm",
        tg.renorm,
        np_renorm,
        shaped(((3, 4), {"p": 2, "dim": 0, "maxnorm": 1.0}), ((2, 3, 2), {"p": 1, "dim": 1, "maxnorm": 1.5})),
    ),
]
OPS_BY_NAME = {info.name: info for info in OPS}
assert len(OPS_BY_NAME) == len(OPS), "op names must be unique"
