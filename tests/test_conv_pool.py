"""conv2d, max_pool2d and avg_pool2d: kernels against plain numpy references, gradcheck, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tensorgrad as tg
from tensorgrad._kernels import conv as conv_kernels
from tensorgrad._kernels import threads
from tensorgrad.autograd import grad, gradcheck
from tensorgrad.ops.conv import conv2d
from tensorgrad.ops.pool import avg_pool2d, max_pool2d

DTYPES = [np.float32, np.float64]
TOLS = {np.float32: dict(rtol=1e-4, atol=1e-4), np.float64: dict(rtol=1e-10, atol=1e-10)}


# ---- numpy references (direct sums over the window taps) -----------------------------------------


def _conv_padding(padding, kernel, dilation):
    """(top, bottom, left, right) as PyTorch pads: 'same' puts the odd extra on the right/bottom."""
    if padding == "valid":
        return 0, 0, 0, 0
    if padding == "same":
        th, tw = dilation[0] * (kernel[0] - 1), dilation[1] * (kernel[1] - 1)
        return th // 2, th - th // 2, tw // 2, tw - tw // 2
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    return ph, ph, pw, pw


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def conv2d_ref(x, w, b, stride=1, padding=0, dilation=1, groups=1, gy=None):
    """Forward, and with `gy` also (grad x, grad w, grad b), of conv2d by a loop over taps."""
    (sh, sw), (dh, dw) = _pair(stride), _pair(dilation)
    o_ch, cg, kh, kw = w.shape
    top, bottom, left, right = _conv_padding(padding, (kh, kw), (dh, dw))
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    oh = (xp.shape[2] - dh * (kh - 1) - 1) // sh + 1
    ow = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
    og = o_ch // groups
    y = np.zeros((x.shape[0], o_ch, oh, ow), dtype=np.float64)
    gxp = np.zeros(xp.shape)
    gw = np.zeros(w.shape)
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dh, i * dh + sh * (oh - 1) + 1, sh)
            cols = slice(j * dw, j * dw + sw * (ow - 1) + 1, sw)
            for g in range(groups):
                ci, co = slice(g * cg, (g + 1) * cg), slice(g * og, (g + 1) * og)
                patch = xp[:, ci, rows, cols]
                y[:, co] += np.einsum("ncyx,oc->noyx", patch, w[co, :, i, j])
                if gy is not None:
                    gxp[:, ci, rows, cols] += np.einsum("noyx,oc->ncyx", gy[:, co], w[co, :, i, j])
                    gw[co, :, i, j] = np.einsum("noyx,ncyx->oc", gy[:, co], patch)
    if b is not None:
        y += b[None, :, None, None]
    if gy is None:
        return y
    gx = gxp[:, :, top : top + x.shape[2], left : left + x.shape[3]]
    return y, gx, gw, gy.sum(axis=(0, 2, 3))


def _pool_windows(h, w, kernel, stride, padding, dilation, ceil_mode):
    """Yield (oy, ox, [(iy, ix) in the window, row-major], clipped window size for avg pooling)."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation

    def out_size(n, k, s, p, d):
        o = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
        return o - 1 if ceil_mode and (o - 1) * s >= n + p else o

    oh, ow = out_size(h, kh, sh, ph, dh), out_size(w, kw, sw, pw, dw)
    windows = []
    for oy in range(oh):
        for ox in range(ow):
            y0, x0 = oy * sh - ph, ox * sw - pw
            taps = [
                (y0 + i * dh, x0 + j * dw)
                for i in range(kh)
                for j in range(kw)
                if 0 <= y0 + i * dh < h and 0 <= x0 + j * dw < w
            ]
            padded = (min(y0 + kh, h + ph) - y0) * (min(x0 + kw, w + pw) - x0)
            windows.append((oy, ox, taps, padded))
    return (oh, ow), windows


def max_pool2d_ref(x, kernel, stride, padding, dilation, ceil_mode):
    """(values, flat indices) with PyTorch's rule: the first maximum wins; any NaN replaces it."""
    n, c, h, w = x.shape
    (oh, ow), windows = _pool_windows(h, w, kernel, stride, padding, dilation, ceil_mode)
    y = np.full((n, c, oh, ow), -np.inf)
    idx = np.full((n, c, oh, ow), -1, dtype=np.int64)
    for p in np.ndindex(n, c):
        for oy, ox, taps, _ in windows:
            for iy, ix in taps:
                v = x[p][iy, ix]
                if idx[p][oy, ox] < 0 or v > y[p][oy, ox] or np.isnan(v):
                    y[p][oy, ox] = v
                    idx[p][oy, ox] = iy * w + ix
    return y, idx


def avg_pool2d_ref(x, kernel, stride, padding, ceil_mode, count_include_pad, gy=None):
    n, c, h, w = x.shape
    (oh, ow), windows = _pool_windows(h, w, kernel, stride, padding, (1, 1), ceil_mode)
    y = np.zeros((n, c, oh, ow))
    gx = np.zeros(x.shape)
    for oy, ox, taps, padded in windows:
        divisor = padded if count_include_pad else len(taps)
        for iy, ix in taps:
            y[:, :, oy, ox] += x[:, :, iy, ix] / divisor
            if gy is not None:
                gx[:, :, iy, ix] += gy[:, :, oy, ox] / divisor
    return y if gy is None else (y, gx)


def _np(t):
    return t.detach().numpy()


def _param(rng, shape, dtype, requires_grad=True):
    return tg.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=requires_grad)


# ---- conv2d ---------------------------------------------------------------------------------------

CONV_CASES = [
    # (input shape, weight shape, kwargs)
    ((2, 3, 7, 6), (4, 3, 3, 3), {}),
    ((2, 3, 7, 6), (4, 3, 3, 2), dict(stride=2, padding=1)),
    ((2, 4, 9, 8), (6, 2, 3, 2), dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2)),
    ((3, 6, 8, 7), (6, 1, 3, 3), dict(padding=1, groups=6)),  # depthwise
    ((2, 3, 8, 8), (5, 3, 4, 2), dict(padding="same", dilation=2)),  # asymmetric 'same'
    ((2, 3, 8, 8), (5, 3, 3, 3), dict(padding="valid", stride=3)),
    ((1, 2, 5, 5), (3, 2, 5, 5), dict(padding=2)),  # kernel as large as the input
    ((64, 1, 28, 28), (8, 1, 3, 3), dict(padding=1)),  # W2's first layer: threads over the batch
    ((16, 8, 14, 14), (16, 8, 3, 3), dict(padding=1)),  # W2's second layer
    ((16, 8, 14, 14), (8, 4, 3, 3), dict(padding=1, groups=2)),  # groups, threads
    ((32, 4, 15, 15), (8, 4, 3, 3), dict(stride=2, padding=1)),  # strided, threads
    ((2, 16, 12, 12), (32, 16, 3, 3), dict(padding=1)),  # big per-sample gemm: OpenBLAS threads
    ((2, 2, 3, 2), (3, 2, 1, 2), dict(padding=(0, 3), dilation=(1, 6))),  # a tap sees only padding
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("xs, ws, kwargs", CONV_CASES)
def test_conv2d_matches_reference(xs, ws, kwargs, dtype):
    rng = np.random.default_rng(0)
    x, w, b = _param(rng, xs, dtype), _param(rng, ws, dtype), _param(rng, ws[0], dtype)
    y = conv2d(x, w, b, **kwargs)
    gy = rng.standard_normal(y.shape).astype(dtype)
    y.backward(tg.tensor(gy))
    ry, rgx, rgw, rgb = conv2d_ref(_np(x), _np(w), _np(b), gy=gy, **kwargs)
    assert y.dtype == dtype and x.grad.dtype == dtype and w.grad.dtype == dtype
    np.testing.assert_allclose(_np(y), ry, **TOLS[dtype])
    np.testing.assert_allclose(_np(x.grad), rgx, **TOLS[dtype])
    # the weight and bias grads sum over the whole batch
    scale = max(1.0, np.sqrt(gy.size / ws[0]))
    np.testing.assert_allclose(_np(w.grad), rgw, rtol=TOLS[dtype]["rtol"], atol=TOLS[dtype]["atol"] * scale)
    np.testing.assert_allclose(_np(b.grad), rgb, rtol=TOLS[dtype]["rtol"], atol=TOLS[dtype]["atol"] * scale)


@pytest.mark.parametrize(
    "ws, kwargs",
    [
        ((3, 2, 3, 3), {}),
        ((3, 2, 2, 3), dict(stride=(2, 1), padding=(1, 2))),
        ((3, 2, 2, 2), dict(dilation=2, padding=1)),
        ((4, 1, 3, 2), dict(groups=2, padding=(0, 1))),
        ((3, 2, 2, 3), dict(padding="same")),
    ],
)
@pytest.mark.parametrize("with_bias", [True, False])
def test_conv2d_gradcheck(ws, kwargs, with_bias):
    rng = np.random.default_rng(1)
    x, w = _param(rng, (2, 2, 5, 4), np.float64), _param(rng, ws, np.float64)
    b = _param(rng, ws[0], np.float64) if with_bias else None
    assert gradcheck(lambda x, w, b: conv2d(x, w, b, **kwargs), (x, w, b))


def test_conv2d_gradcheck_non_contiguous_input():
    rng = np.random.default_rng(2)
    base = _param(rng, (2, 3, 4, 5), np.float64)
    w = _param(rng, (2, 3, 2, 2), np.float64)
    assert not base.transpose(2, 3).is_contiguous()
    assert gradcheck(lambda base, w: conv2d(base.transpose(2, 3), w, padding=1), (base, w))


def test_conv2d_unbatched_input():
    rng = np.random.default_rng(3)
    x, w = _param(rng, (3, 6, 5), np.float64), _param(rng, (4, 3, 3, 3), np.float64)
    y = conv2d(x, w, padding=1)
    assert y.shape == (4, 6, 5)
    np.testing.assert_allclose(_np(y), conv2d_ref(_np(x)[None], _np(w), None, padding=1)[0])
    assert gradcheck(lambda x, w: conv2d(x, w, stride=2), (x, w))


def test_conv2d_computes_only_the_grads_needed():
    rng = np.random.default_rng(4)
    x = _param(rng, (2, 3, 6, 6), np.float64, requires_grad=False)
    w, b = _param(rng, (4, 3, 3, 3), np.float64), _param(rng, (4,), np.float64, requires_grad=False)
    conv2d(x, w, b).sum().backward()
    assert x.grad is None and b.grad is None
    _, _, rgw, _ = conv2d_ref(_np(x), _np(w), _np(b), gy=np.ones((2, 4, 4, 4)))
    np.testing.assert_allclose(_np(w.grad), rgw)


def test_conv2d_tap_in_padding_writes_nothing_past_the_grad_input():
    """Stride 1 with oW == W copies a tap's rows as one span; a tap that sees only padding once
    got a span shifted past the plane, and col2im added 0.0 there. The -0.0 after the buffer
    turns into +0.0 if anything is added to it (ASan reports the matching read in im2col)."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((1, 1, 3, 2))
    w = rng.standard_normal((1, 1, 1, 2))
    gy = rng.standard_normal((1, 1, 3, 2))
    backing = np.full(x.size + 8, -0.0)
    gx = backing[: x.size].reshape(x.shape)
    conv_kernels.conv2d_backward(gy, x, w, gx, None, None, 1, 1, 0, 3, 1, 6, 1)
    assert np.signbit(backing[x.size :]).all()
    np.testing.assert_allclose(gx, conv2d_ref(x, w, None, padding=(0, 3), dilation=(1, 6), gy=gy)[1])


def test_conv2d_empty_batch():
    x = tg.zeros((0, 3, 5, 5), requires_grad=True)
    w = tg.ones((2, 3, 3, 3), requires_grad=True)
    y = conv2d(x, w, padding=1)
    assert y.shape == (0, 2, 5, 5)
    y.sum().backward()
    assert x.grad.shape == (0, 3, 5, 5)
    np.testing.assert_array_equal(_np(w.grad), 0)


@pytest.mark.parametrize("pool", [False, True])
def test_threaded_kernels_match_one_thread(pool):
    rng = np.random.default_rng(14)
    x0 = rng.standard_normal((32, 8, 14, 14)).astype(np.float32)
    w0 = rng.standard_normal((16, 8, 3, 3)).astype(np.float32)
    gy = rng.standard_normal((32, 8, 7, 7) if pool else (32, 16, 14, 14)).astype(np.float32)
    results = []
    before = threads.get_num_threads()
    try:
        for n in (1, 2):
            threads.set_num_threads(n)
            x, w = tg.tensor(x0, requires_grad=True), tg.tensor(w0, requires_grad=True)
            y = max_pool2d(x, 2) if pool else conv2d(x, w, padding=1)
            y.backward(tg.tensor(gy))
            results.append((_np(y), _np(x.grad), None if pool else _np(w.grad)))
    finally:
        threads.set_num_threads(before)
    (y1, gx1, gw1), (y2, gx2, gw2) = results
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_array_equal(gx1, gx2)
    if not pool:  # per-thread partial sums change the order of the batch sum
        np.testing.assert_allclose(gw1, gw2, rtol=1e-4, atol=1e-3)


def test_conv2d_second_derivative_raises():
    rng = np.random.default_rng(5)
    x, w = _param(rng, (1, 2, 4, 4), np.float64), _param(rng, (2, 2, 3, 3), np.float64)
    y = conv2d(x, w)
    (gx,) = grad((y * y).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="once differentiable"):
        gx.sum().backward()


@pytest.mark.parametrize(
    "x_shape, w_shape, kwargs, error, match",
    [
        ((5, 5), (2, 1, 3, 3), {}, RuntimeError, r"Expected 3D \(unbatched\) or 4D \(batched\) input"),
        ((1, 1, 5, 5), (2, 1, 3), {}, RuntimeError, "expected weight to be 4-dimensional"),
        ((1, 3, 5, 5), (2, 2, 3, 3), {}, RuntimeError, r"to have 2 channels, but got 3 channels"),
        ((1, 4, 5, 5), (3, 2, 3, 3), dict(groups=2), RuntimeError, "divisible by 2 at dimension 0"),
        ((1, 1, 2, 2), (2, 1, 3, 3), {}, RuntimeError, "Kernel size can't be greater than actual input"),
        ((1, 1, 4, 4), (2, 1, 3, 3), dict(dilation=2), RuntimeError, r"Kernel size: \(5 x 5\)"),
        ((1, 1, 5, 5), (2, 1, 3, 3), dict(stride=0), RuntimeError, "non-positive stride"),
        ((1, 1, 5, 5), (2, 1, 3, 3), dict(padding=-1), RuntimeError, "negative padding"),
        ((1, 1, 5, 5), (2, 1, 3, 3), dict(dilation=(1, 0)), RuntimeError, "dilation should be greater"),
        ((1, 1, 5, 5), (2, 1, 3, 3), dict(groups=0), RuntimeError, "non-positive groups"),
        ((1, 1, 5, 5), (2, 1, 3, 3), dict(padding="same", stride=2), RuntimeError, "strided convolutions"),
        ((1, 1, 5, 5), (2, 1, 3, 3), dict(padding="full"), ValueError, "Invalid padding string 'full'"),
        ((1, 1, 5, 5), (2, 1, 3, 3), dict(stride=(1, 2, 3)), TypeError, "stride must be an int or a pair"),
        ((1, 1, 5, 5), (0, 1, 3, 3), {}, RuntimeError, "has no elements"),
    ],
)
def test_conv2d_errors(x_shape, w_shape, kwargs, error, match):
    x, w = tg.zeros(x_shape), tg.zeros(w_shape)
    with pytest.raises(error, match=match):
        conv2d(x, w, **kwargs)


def test_conv2d_dtype_errors():
    x, w = tg.zeros((1, 1, 5, 5)), tg.zeros((2, 1, 3, 3))
    with pytest.raises(RuntimeError, match=r"Input type \(float64\) and weight type \(float32\)"):
        conv2d(x.double(), w)
    with pytest.raises(RuntimeError, match="expected a floating point input"):
        conv2d(x.long(), w.long())
    with pytest.raises(RuntimeError, match="expected bias to be 1-dimensional with 2 elements"):
        conv2d(x, w, tg.zeros(3))
    with pytest.raises(RuntimeError, match=r"bias type \(float64\)"):
        conv2d(x, w, tg.zeros(2).double())
    with pytest.raises(TypeError, match="argument 'weight' must be a Tensor"):
        conv2d(x, [[1.0]])


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 3),
    groups=st.sampled_from([1, 2]),
    cg=st.integers(1, 3),
    og=st.integers(1, 3),
    h=st.integers(1, 8),
    w=st.integers(1, 8),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    padding=st.one_of(st.tuples(st.integers(0, 2), st.integers(0, 2)), st.sampled_from(["same", "valid"])),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
)
def test_conv2d_random_arguments_match_reference_or_raise(
    n, groups, cg, og, h, w, kh, kw, stride, padding, dilation
):
    rng = np.random.default_rng(6)
    x = tg.tensor(rng.standard_normal((n, groups * cg, h, w)), requires_grad=True)
    wt = tg.tensor(rng.standard_normal((groups * og, cg, kh, kw)), requires_grad=True)
    try:
        y = conv2d(x, wt, None, stride, padding, dilation, groups)
    except RuntimeError as e:
        assert "conv2d" in str(e)
        return
    gy = rng.standard_normal(y.shape)
    y.backward(tg.tensor(gy))
    ry, rgx, rgw, _ = conv2d_ref(_np(x), _np(wt), None, stride, padding, dilation, groups, gy=gy)
    np.testing.assert_allclose(_np(y), ry, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(_np(x.grad), rgx, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(_np(wt.grad), rgw, rtol=1e-10, atol=1e-10)


# ---- max_pool2d -----------------------------------------------------------------------------------

POOL_CASES = [
    # (input shape, kernel, stride, padding, dilation, ceil_mode)
    ((2, 3, 8, 8), (2, 2), (2, 2), (0, 0), (1, 1), False),
    ((2, 3, 7, 9), (3, 3), (2, 2), (1, 1), (1, 1), False),
    ((2, 3, 7, 9), (3, 2), (2, 1), (1, 1), (1, 2), True),
    ((1, 2, 9, 9), (3, 3), (2, 2), (1, 1), (2, 2), True),
    ((2, 2, 6, 5), (2, 3), (3, 2), (0, 1), (1, 1), True),
    ((64, 8, 28, 28), (2, 2), (2, 2), (0, 0), (1, 1), False),  # W2's pooling: threads over planes
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, kernel, stride, padding, dilation, ceil_mode", POOL_CASES)
def test_max_pool2d_matches_reference(shape, kernel, stride, padding, dilation, ceil_mode, dtype):
    rng = np.random.default_rng(7)
    x = _param(rng, shape, dtype)
    y, idx = max_pool2d(x, kernel, stride, padding, dilation, ceil_mode, return_indices=True)
    ry, ridx = max_pool2d_ref(_np(x), kernel, stride, padding, dilation, ceil_mode)
    np.testing.assert_array_equal(_np(y), ry.astype(dtype))
    np.testing.assert_array_equal(_np(idx), ridx)
    assert idx.dtype == np.int64 and not idx.requires_grad
    gy = rng.standard_normal(y.shape).astype(dtype)
    y.backward(tg.tensor(gy))
    rgx = np.zeros(shape)
    for p in np.ndindex(*shape[:2]):
        np.add.at(rgx[p].reshape(-1), ridx[p].reshape(-1), gy[p].reshape(-1))
    np.testing.assert_allclose(_np(x.grad), rgx, **TOLS[dtype])


def test_max_pool2d_first_maximum_wins_and_nan_propagates():
    # as PyTorch: of equal maxima the first (row-major) is the argmax; each NaN replaces the max
    x = tg.tensor([[[[1.0, 5.0, np.nan, 0.0], [5.0, np.nan, 2.0, 9.0]]]])
    y, idx = max_pool2d(x, 2, return_indices=True)
    assert np.isnan(_np(y)).all()
    np.testing.assert_array_equal(_np(idx), [[[[5, 2]]]])
    y, idx = max_pool2d(tg.tensor([[[[3.0, 7.0, 7.0, 7.0]]]]), (1, 4), return_indices=True)
    assert idx.item() == 1
    y, idx = max_pool2d(tg.tensor([[[[-np.inf, -np.inf]]]]), (1, 2), return_indices=True)
    assert y.item() == -np.inf and idx.item() == 0


def test_max_pool2d_window_outside_the_input():
    # a dilated window can miss the input entirely: -inf, and no gradient flows from it
    x = tg.tensor(np.arange(4.0).reshape(1, 1, 2, 2), requires_grad=True)
    y = max_pool2d(x, 2, stride=1, padding=1, dilation=3)
    assert y.shape == (1, 1, 1, 1) and y.item() == -np.inf
    y.sum().backward()
    np.testing.assert_array_equal(_np(x.grad), 0)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(kernel_size=2),
        dict(kernel_size=(3, 2), stride=(2, 1), padding=1),
        dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
        dict(kernel_size=2, dilation=2, ceil_mode=True),
    ],
)
def test_max_pool2d_gradcheck(kwargs):
    rng = np.random.default_rng(8)
    # distinct values, so no window has a tie that the finite differences would straddle
    x = tg.tensor(rng.permutation(2 * 2 * 7 * 6).reshape(2, 2, 7, 6) / 10.0, requires_grad=True)
    assert gradcheck(lambda x: max_pool2d(x, **kwargs), (x,))


def test_max_pool2d_unbatched_and_non_contiguous():
    rng = np.random.default_rng(9)
    base = _param(rng, (3, 6, 5), np.float64)
    y, idx = max_pool2d(base.transpose(1, 2), 2, return_indices=True)
    assert y.shape == (3, 2, 3) and idx.shape == (3, 2, 3)
    ry, ridx = max_pool2d_ref(_np(base).transpose(0, 2, 1)[None], (2, 2), (2, 2), (0, 0), (1, 1), False)
    np.testing.assert_array_equal(_np(y), ry[0])
    np.testing.assert_array_equal(_np(idx), ridx[0])
    assert gradcheck(lambda b: max_pool2d(b.transpose(1, 2), 2), (base,))


def test_max_pool2d_returned_indices_are_the_callers_own():
    x = tg.tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
    y, idx = max_pool2d(x, 2, return_indices=True)
    _np(idx)[...] = 10**9  # must not reach the backward's copy
    y.sum().backward()
    np.testing.assert_array_equal(_np(x.grad).reshape(-1).nonzero()[0], [5, 7, 13, 15])


# ---- avg_pool2d -----------------------------------------------------------------------------------

AVG_CASES = [
    # (input shape, kernel, stride, padding, ceil_mode)
    ((2, 3, 8, 8), (2, 2), (2, 2), (0, 0), False),
    ((2, 3, 7, 9), (3, 3), (2, 2), (1, 1), False),
    ((2, 3, 7, 9), (3, 2), (2, 1), (1, 1), True),
    ((1, 2, 6, 6), (4, 4), (3, 3), (2, 2), True),  # the last window runs past the padded border
    ((2, 2, 5, 6), (2, 3), (3, 2), (0, 1), True),
    ((64, 8, 28, 28), (2, 2), (2, 2), (0, 0), False),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("shape, kernel, stride, padding, ceil_mode", AVG_CASES)
def test_avg_pool2d_matches_reference(shape, kernel, stride, padding, ceil_mode, count_include_pad, dtype):
    rng = np.random.default_rng(10)
    x = _param(rng, shape, dtype)
    y = avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad)
    gy = rng.standard_normal(y.shape).astype(dtype)
    y.backward(tg.tensor(gy))
    ry, rgx = avg_pool2d_ref(_np(x), kernel, stride, padding, ceil_mode, count_include_pad, gy=gy)
    np.testing.assert_allclose(_np(y), ry, **TOLS[dtype])
    np.testing.assert_allclose(_np(x.grad), rgx, **TOLS[dtype])


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(kernel_size=2),
        dict(kernel_size=3, stride=2, padding=1),
        dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
        dict(kernel_size=(3, 2), stride=2, padding=1, ceil_mode=True),
        dict(kernel_size=(3, 2), stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    ],
)
def test_avg_pool2d_gradcheck(kwargs):
    rng = np.random.default_rng(11)
    x = _param(rng, (2, 2, 7, 6), np.float64)
    assert gradcheck(lambda x: avg_pool2d(x, **kwargs), (x,))


def test_avg_pool2d_unbatched_non_contiguous():
    rng = np.random.default_rng(12)
    base = _param(rng, (2, 5, 6), np.float64)
    y = avg_pool2d(base.transpose(1, 2), 3, stride=1, padding=1)
    assert y.shape == (2, 6, 5)
    ry = avg_pool2d_ref(_np(base).transpose(0, 2, 1)[None], (3, 3), (1, 1), (1, 1), False, True)
    np.testing.assert_allclose(_np(y), ry[0])
    assert gradcheck(lambda b: avg_pool2d(b.transpose(1, 2), 3, 2, 1, True, False), (base,))


# ---- pooling errors and second derivatives --------------------------------------------------------


@pytest.mark.parametrize("pool", [max_pool2d, avg_pool2d])
@pytest.mark.parametrize(
    "shape, args, match",
    [
        ((4, 4), (2,), "Expected 3D or 4D"),
        ((1, 0, 4, 4), (2,), "Expected 3D or 4D"),
        ((1, 1, 4, 4), (0,), "kernel size should be greater than zero"),
        ((1, 1, 4, 4), (2, 0), "stride should be greater than zero"),
        ((1, 1, 4, 4), (2, 2, 2), "pad should be smaller than or equal to half of kernel size"),
        ((1, 1, 4, 4), (2, 2, -1), "pad must be non-negative"),
        ((1, 1, 2, 2), (3,), r"Calculated output size: \(1x0x0\). Output size is too small"),
    ],
)
def test_pool_errors(pool, shape, args, match):
    with pytest.raises(RuntimeError, match=match):
        pool(tg.zeros(shape), *args)


@pytest.mark.parametrize("pool", [max_pool2d, avg_pool2d])
def test_pool_rejects_integer_input(pool):
    with pytest.raises(RuntimeError, match="expected a floating point input"):
        pool(tg.zeros((1, 1, 4, 4)).long(), 2)


def test_max_pool2d_dilation_error():
    with pytest.raises(RuntimeError, match="dilation should be greater than zero"):
        max_pool2d(tg.zeros((1, 1, 4, 4)), 2, dilation=0)


@pytest.mark.parametrize("pool", [max_pool2d, avg_pool2d])
def test_pool_second_derivative_raises(pool):
    x = _param(np.random.default_rng(13), (1, 1, 4, 4), np.float64)
    y = pool(x, 2)
    (gx,) = grad((y * y).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="once differentiable"):
        gx.sum().backward()
