"""Every kernel of tensorgrad._kernels.elementwise against a plain numpy reference of its formula.

Each kernel runs in float32 and float64 on same-shape contiguous operands (the flat loop), on
broadcasting shapes, size-0 and size-1 dims, non-contiguous, reversed and stride-0 views (the
strided loop), on arrays large enough to be split over threads, on inf/nan, and into a
preallocated (also non-contiguous, also in-place) `out`. Bad arguments raise Python exceptions.
The fused backward ops built on the kernels (TanhBackward, ...) are gradchecked here too, which
is what keeps every activation twice differentiable.
"""

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad._kernels import elementwise as k
from tensorgrad._kernels import threads
from tensorgrad.autograd import gradcheck
from tensorgrad.ops import elementwise as ops

DTYPES = [np.float32, np.float64]


def share_max(a, b):
    return np.where(a < b, 0.0, np.where(a == b, 0.5, 1.0))


def share_min(a, b):
    return np.where(a > b, 0.0, np.where(a == b, 0.5, 1.0))


BINARY = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": np.divide,
    "maximum": np.maximum,
    "minimum": np.minimum,
    "power": np.power,
    "maximum_share": share_max,
    "minimum_share": share_min,
}

# kernel(x, c) for a Python scalar c
SCALAR = {
    "add_scalar": lambda x, c: x + c,
    "mul_scalar": lambda x, c: x * c,
    "rsub_scalar": lambda x, c: c - x,
    "rdiv_scalar": lambda x, c: c / x,
    "rpow_scalar": lambda x, c: c**x,
    "pow_scalar_forward": lambda x, c: x**c,
}

UNARY = {
    "neg_forward": np.negative,
    "exp_forward": np.exp,
    "log_forward": np.log,
    "sqrt_forward": np.sqrt,
    "tanh_forward": np.tanh,
    "sigmoid_forward": lambda x: 1 / (1 + np.exp(-x)),
    "relu_forward": lambda x: np.where(x <= 0, 0, x),  # NaN passes through
    "abs_forward": np.abs,
    "sin_forward": np.sin,
    "cos_forward": np.cos,
}

# kernel(g, s): the gradient from the upstream g and the activation's output y or input x
GRAD = {
    "sqrt_backward": lambda g, y: g / (2 * y),
    "tanh_backward": lambda g, y: g * (1 - y * y),
    "sigmoid_backward": lambda g, y: g * y * (1 - y),
    "relu_backward": lambda g, y: np.where(y <= 0, 0, g),
    "abs_backward": lambda g, x: np.where(x > 0, g, np.where(x < 0, -g, 0)),  # 0 at 0 and NaN
    "sin_backward": lambda g, x: g * np.cos(x),
    "cos_backward": lambda g, x: -g * np.sin(x),
}

# kernel(g, x, *params) / kernel(x, *params) with scalar parameters
PARAM = {
    "clamp_forward": (lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi), 1, (-0.5, 0.75)),
    "clamp_backward": (lambda g, x, lo, hi: np.where((x >= lo) & (x <= hi), g, 0), 2, (-0.5, 0.75)),
    "pow_scalar_backward": (lambda g, x, c: g * c * x ** (c - 1), 2, (3.0,)),
}

SAME_SHAPES = [(), (1,), (7,), (3, 5), (2, 3, 4), (0,), (4, 0, 3)]
BROADCAST_PAIRS = [
    ((3, 4), (4,)),
    ((3, 1), (1, 4)),
    ((2, 3, 4), (3, 1)),
    ((), (3, 2)),
    ((5,), ()),
    ((1,), (6,)),
    ((2, 1, 3), (2, 4, 1)),
    ((4, 1, 1, 5), (3, 1)),
    ((0, 3), (3,)),
    ((2, 0), (1, 1)),
    ((1, 1, 1), (1,)),
]


def tol(dtype):
    """Vectorised libm (libmvec) and fused formulas differ from numpy by a few ulps."""
    return {"rtol": 2e-6, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-13}


def values(rng, shape, dtype, positive=False):
    x = rng.uniform(0.2, 2.0, shape) if positive else rng.standard_normal(shape)
    return x.astype(dtype)


def reference(fn, *args):
    with np.errstate(all="ignore"):
        return fn(*args)


def check(got, want, dtype, what=""):
    assert got.dtype == dtype and got.flags.c_contiguous, what
    want = np.asarray(want)
    assert got.shape == want.shape, what
    np.testing.assert_allclose(got, want.astype(dtype), equal_nan=True, err_msg=what, **tol(dtype))


def positive_for(name):
    return name in ("power", "log_forward", "sqrt_forward", "sqrt_backward", "pow_scalar_backward")


# ---- layouts: the same values as C-contiguous, transposed, sliced, reversed and stride-0 views ----


def layouts(x):
    """(description, array equal to x) in several memory layouts."""
    out = [("contiguous", x)]
    if x.ndim >= 2:
        out.append(("transposed", np.ascontiguousarray(np.swapaxes(x, -1, -2)).swapaxes(-1, -2)))
    if x.ndim >= 1 and x.size:
        wide = np.zeros(x.shape[:-1] + (2 * x.shape[-1],), x.dtype)
        wide[..., ::2] = x
        out.append(("strided", wide[..., ::2]))
        out.append(("reversed", np.ascontiguousarray(x[..., ::-1])[..., ::-1]))
    if x.ndim >= 1 and x.size:
        out.append(("stride0", np.broadcast_to(x.reshape(-1)[:1].reshape((1,) * x.ndim), x.shape)))
    return out


# ---- binary kernels --------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_same_shape(name, dtype):
    rng = np.random.default_rng(0)
    for shape in SAME_SHAPES:
        a = values(rng, shape, dtype, positive_for(name))
        b = values(rng, shape, dtype, positive_for(name))
        if name.endswith("share") and a.size:
            b.reshape(-1)[::3] = a.reshape(-1)[::3]  # ties get half
        check(getattr(k, name)(a, b), reference(BINARY[name], a, b), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_broadcasting(name, dtype):
    rng = np.random.default_rng(1)
    for sa, sb in BROADCAST_PAIRS:
        a = values(rng, sa, dtype, positive_for(name))
        b = values(rng, sb, dtype, positive_for(name))
        check(getattr(k, name)(a, b), reference(BINARY[name], a, b), dtype)
        check(getattr(k, name)(b, a), reference(BINARY[name], b, a), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_non_contiguous(name, dtype):
    rng = np.random.default_rng(2)
    a0 = values(rng, (3, 4, 5), dtype, positive_for(name))
    b0 = values(rng, (3, 4, 5), dtype, positive_for(name))
    for da, a in layouts(a0):
        for db, b in layouts(b0):
            check(getattr(k, name)(a, b), reference(BINARY[name], a, b), dtype, f"{da} op {db}")
    row = values(rng, (5,), dtype, positive_for(name))[::-1]
    for da, a in layouts(a0):
        check(getattr(k, name)(a, row), reference(BINARY[name], a, row), dtype, f"{da} op row")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["add", "mul", "div", "maximum", "power"])
def test_binary_special_values(name, dtype):
    special = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 2.5, 1e-30, 1e30], dtype)
    a, b = np.meshgrid(special, special)
    check(getattr(k, name)(a, b), reference(BINARY[name], a, b), dtype)


# ---- scalar-operand, unary and fused-backward kernels --------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(SCALAR))
def test_scalar_operand(name, dtype):
    rng = np.random.default_rng(3)
    for c in (2.5, -3.0, 0.5, 0.0, 1):
        positive = name == "pow_scalar_forward" or (name == "rpow_scalar" and c < 0)
        for shape in SAME_SHAPES:
            x = values(rng, shape, dtype, positive)
            for layout, view in layouts(x):
                want = reference(SCALAR[name], view, dtype(c))
                check(getattr(k, name)(view, c), want, dtype, f"{layout} {shape} c={c}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name, dtype):
    rng = np.random.default_rng(4)
    for shape in SAME_SHAPES + [(6, 7, 3)]:
        x = values(rng, shape, dtype, positive_for(name))
        for layout, view in layouts(x):
            check(getattr(k, name)(view), reference(UNARY[name], view), dtype, f"{layout} {shape}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_special_values(name, dtype):
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-30, -1e-30, 50.0, -50.0, 100.0, -100.0], dtype)
    check(getattr(k, name)(x), reference(UNARY[name], x), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(GRAD))
def test_fused_backward(name, dtype):
    rng = np.random.default_rng(5)
    for shape in SAME_SHAPES + [(6, 7, 3)]:
        g = values(rng, shape, dtype)
        s = values(rng, shape, dtype, positive_for(name))
        for lg, gv in layouts(g):  # includes the stride-0 gradient that sum's backward passes down
            for ls, sv in layouts(s)[:2]:
                check(getattr(k, name)(gv, sv), reference(GRAD[name], gv, sv), dtype, f"{lg} {ls} {shape}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(GRAD))
def test_fused_backward_special_values(name, dtype):
    special = np.array([np.nan, np.inf, -np.inf, 0.0, 1.0, -1.0, 0.5, 1e30], dtype)
    g, s = np.meshgrid(special, special)
    check(getattr(k, name)(g, s), reference(GRAD[name], g, s), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(PARAM))
def test_kernels_with_parameters(name, dtype):
    fn, arity, params = PARAM[name]
    rng = np.random.default_rng(6)
    for shape in SAME_SHAPES:
        arrays = [values(rng, shape, dtype, positive_for(name)) for _ in range(arity)]
        for layout, view in layouts(arrays[-1]):
            args = arrays[:-1] + [view]
            check(getattr(k, name)(*args, *params), reference(fn, *args, *params), dtype, layout)


@pytest.mark.parametrize("dtype", DTYPES)
def test_clamp_bounds_nan_and_infinite(dtype):
    x = np.array([np.nan, -np.inf, -2.0, 0.0, 2.0, np.inf], dtype)
    check(k.clamp_forward(x, -np.inf, 1.0), np.minimum(x, 1.0), dtype)
    check(k.clamp_forward(x, -1.0, np.inf), np.maximum(x, -1.0), dtype)
    check(k.clamp_forward(x, np.nan, 1.0), np.full_like(x, np.nan), dtype)  # NaN bound: NaN, as numpy
    check(k.clamp_forward(x, 1.0, -1.0), np.minimum(np.maximum(x, 1.0), -1.0), dtype)  # lo > hi: hi
    g = np.ones_like(x)
    check(k.clamp_backward(g, x, -1.0, 1.0), [0, 0, 0, 1, 0, 0], dtype)


# ---- large arrays: the threaded paths give the serial answer ---------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_threaded_loops_match_serial(dtype):
    rng = np.random.default_rng(7)
    x = values(rng, (4200, 257), dtype)  # over both thresholds (parallel.pxd); chunks start mid-row
    row = values(rng, (257,), dtype)
    g = np.broadcast_to(dtype(1.5), x.shape)
    cases = [
        lambda: k.add(x, row),
        lambda: k.mul(x.T, x.T),
        lambda: k.tanh_forward(x),
        lambda: k.tanh_backward(g, x),
        lambda: k.sigmoid_forward(x[:, ::2]),
        lambda: k.mul_scalar(x, 3.0),
    ]
    before = threads.get_num_threads()
    try:
        threads.set_num_threads(1)
        serial = [f() for f in cases]
        threads.set_num_threads(2)
        parallel = [f() for f in cases]
    finally:
        threads.set_num_threads(before)
    for s, p in zip(serial, parallel):
        np.testing.assert_array_equal(s, p)
    check(serial[0], x + row, dtype)
    check(serial[3], 1.5 * (1 - x * x), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_results_do_not_depend_on_layout_or_position(dtype):
    """Every element goes through the same vector loop (no scalar remainder), so a strided view,
    a shifted start or a different length gives bit-identical values."""
    rng = np.random.default_rng(11)
    x = values(rng, (37, 41), dtype) * 4
    for name in ("tanh_forward", "exp_forward", "sigmoid_forward", "sin_forward"):
        fn = getattr(k, name)
        want = fn(np.ascontiguousarray(x.T))
        np.testing.assert_array_equal(fn(x.T), want)
        np.testing.assert_array_equal(fn(x.T[:, ::-1]), want[:, ::-1])
        flat = x.reshape(-1)
        np.testing.assert_array_equal(fn(flat[3:20]), fn(flat)[3:20])


@pytest.mark.parametrize("dtype", DTYPES)
def test_streaming_stores_give_the_same_values(dtype):
    """Big outputs of memory-bound ops skip the cache (streaming stores, from a 16-byte boundary
    on); forced here on small arrays at every start offset, through the flat and strided paths."""
    rng = np.random.default_rng(12)
    x = values(rng, (3000,), dtype)
    row = values(rng, (3, 1000), dtype)
    g = np.broadcast_to(dtype(0.5), x.shape)
    cases = [
        lambda v: k.mul(v, v),
        lambda v: k.tanh_forward(v),
        lambda v: k.tanh_backward(g[: v.size], v),
        lambda v: k.add_scalar(v, 1.0),
    ]
    plain = [[f(x[i:]) for i in range(4)] for f in cases]
    before = k.set_stream_min_bytes(0)
    try:
        streamed = [[f(x[i:]) for i in range(4)] for f in cases]
        out = np.empty((5, 3, 1000), dtype)[1:4]
        k.add(row, x[:1000], out[0])
        k.mul(row.T, row.T, out[1].T)
    finally:
        k.set_stream_min_bytes(before)
    for p_row, s_row in zip(plain, streamed):
        for p, s in zip(p_row, s_row):
            np.testing.assert_array_equal(p, s)
    check(np.ascontiguousarray(out[0]), row + x[:1000], dtype)
    check(np.ascontiguousarray(out[1]), row * row, dtype)


def test_big_outputs_reuse_pooled_buffers_but_never_a_live_one():
    k.release_pool()
    x = np.ones(400_000, np.float32)  # 1.6 MB: over the pool's minimum
    a = k.mul_scalar(x, 2.0)
    b = k.mul_scalar(x, 3.0)
    assert not np.shares_memory(a, b)
    address = a.ctypes.data
    del a
    c = k.mul_scalar(x, 4.0)
    assert c.ctypes.data == address  # the freed buffer came back
    view = c[10:]
    del c
    d = k.mul_scalar(x, 5.0)  # the view keeps c's buffer alive
    assert not np.shares_memory(view, d) and not np.shares_memory(b, d)
    np.testing.assert_array_equal(view, 4.0)
    np.testing.assert_array_equal(b, 3.0)
    np.testing.assert_array_equal(d, 5.0)
    d[:] = 1.0  # writeable, like any output
    del view, d
    k.release_pool()
    np.testing.assert_array_equal(k.add(b, b), 6.0)


def test_pool_makes_room_for_new_sizes():
    """Buffers of sizes no longer asked for are dropped first, so a new size gets reused too."""

    def pages(n):  # a float32 output's buffer: whole 4 KiB pages
        return -(-4 * n // 4096) * 4096

    k.release_pool()
    sizes = [300_000 + 4096 * i for i in range(12)]  # more sizes than the pool has slots
    for n in sizes:
        k.mul_scalar(np.ones(n, np.float32), 2.0)  # each output is freed at once
    assert k.pool_stats() == (8, sum(pages(n) for n in sizes[-8:]))
    k.mul_scalar(np.ones(500_000, np.float32), 2.0)  # a new size takes the oldest one's place
    assert k.pool_stats() == (8, sum(pages(n) for n in sizes[-7:]) + pages(500_000))
    k.release_pool()
    assert k.pool_stats() == (0, 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_empty_gives_pooled_buffers_for_big_float_outputs(dtype):
    k.release_pool()
    shape = (512, 1024)  # 2 or 4 MB
    a = k.empty(shape, dtype)
    assert a.shape == shape and a.dtype == dtype and a.flags.c_contiguous and a.flags.writeable
    address = a.ctypes.data
    del a
    b = k.empty(shape, dtype)
    assert b.ctypes.data == address  # the freed buffer came back
    c = k.empty(shape, dtype)
    assert not np.shares_memory(b, c)
    small = k.empty((3, 4), dtype)
    assert small.shape == (3, 4) and small.dtype == dtype
    del b, c, small
    k.release_pool()


def test_empty_leaves_other_dtypes_to_numpy_and_refuses_negative_sizes():
    x = k.empty((1024, 1024), np.int64)
    assert x.dtype == np.int64 and x.shape == (1024, 1024)
    assert k.empty((), np.float32).shape == ()
    with pytest.raises(ValueError, match="negative dimension"):
        k.empty((4, -1), np.float32)


# ---- out=, in place, and what the driver refuses ----------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_out_preallocated_in_place_and_non_contiguous(dtype):
    rng = np.random.default_rng(8)
    a = values(rng, (4, 6), dtype)
    b = values(rng, (6,), dtype)
    out = np.empty((4, 6), dtype)
    assert k.add(a, b, out) is out
    np.testing.assert_allclose(out, a + b, **tol(dtype))
    c = a.copy()
    k.mul(c, b, c)  # in place
    np.testing.assert_allclose(c, a * b, **tol(dtype))
    wide = np.zeros((4, 12), dtype)
    k.tanh_forward(a, wide[:, ::2])
    np.testing.assert_allclose(wide[:, ::2], np.tanh(a), **tol(dtype))
    assert not wide[:, 1::2].any()
    big = np.empty((3, 4, 6), dtype)  # out may be bigger than both operands' broadcast shape
    k.sub(a, b, big)
    np.testing.assert_allclose(big, np.broadcast_to(a - b, big.shape), **tol(dtype))


def test_numpy_scalars_are_accepted_as_operands():
    x = np.arange(3, dtype=np.float64)
    np.testing.assert_array_equal(k.mul(x, np.float64(2.0)), [0.0, 2.0, 4.0])
    assert k.exp_forward(np.float64(0.0)).shape == ()


def test_bad_arguments_raise():
    f32 = np.ones((2, 3), np.float32)
    f64 = np.ones((2, 3), np.float64)
    with pytest.raises(TypeError, match="float32 or float64"):
        k.add(f32, f64)
    with pytest.raises(TypeError, match="float32 or float64"):
        k.tanh_forward(np.ones(3, np.int64))
    with pytest.raises(ValueError, match="cannot be broadcast"):
        k.add(f32, np.ones((4,), np.float32))
    with pytest.raises(ValueError, match="does not broadcast"):
        k.add(f32, f32, np.empty((3, 2), np.float32))
    with pytest.raises(ValueError, match="does not broadcast"):
        k.add(np.ones((0, 3), np.float32), np.ones((0, 3), np.float32), np.empty((0, 2), np.float32))
    with pytest.raises(TypeError, match="out has dtype"):
        k.add(f32, f32, np.empty((2, 3), np.float64))
    with pytest.raises(ValueError, match="writeable"):
        k.add(f32, f32, np.broadcast_to(np.float32(0), (2, 3)))
    with pytest.raises(ValueError, match="native byte order"):
        k.add(f32.astype(">f4"), f32.astype(">f4"))


# ---- the fused backward rules are ops with their own (tested) backward -------------------------------


FUSED_OPS = [
    (ops.TanhBackward, lambda s: s.tanh()),
    (ops.SigmoidBackward, lambda s: s.sigmoid()),
    (ops.SqrtBackward, lambda s: s.abs() + 0.5),
    (ops.ReluBackward, lambda s: s),
    (ops.AbsBackward, lambda s: s),
    (ops.SinBackward, lambda s: s),
    (ops.CosBackward, lambda s: s),
]


@pytest.mark.parametrize("op, saved", FUSED_OPS, ids=lambda v: getattr(v, "__name__", ""))
def test_fused_backward_ops_have_correct_gradients(op, saved):
    rng = np.random.default_rng(9)
    g = tg.tensor(rng.standard_normal((3, 4)), dtype=tg.float64, requires_grad=True)
    s = tg.tensor(rng.standard_normal((3, 4)) + 0.1, dtype=tg.float64, requires_grad=True)
    assert gradcheck(lambda g, s: op.apply(g, saved(s)), (g, s))


def test_parametrised_fused_backward_ops_have_correct_gradients():
    rng = np.random.default_rng(10)
    g = tg.tensor(rng.standard_normal(5), dtype=tg.float64, requires_grad=True)
    x = tg.tensor(rng.uniform(0.5, 2.0, 5), dtype=tg.float64, requires_grad=True)
    for c in (3.0, 2, 0.5, -1.5):
        assert gradcheck(lambda g, x, c=c: ops.PowScalarBackward.apply(g, x, c), (g, x))
    x2 = tg.tensor([-2.0, -0.7, 0.3, 0.9, 2.0], dtype=tg.float64, requires_grad=True)
    assert gradcheck(lambda g, x: ops.ClampBackward.apply(g, x, -1.0, 1.0), (g, x2))
