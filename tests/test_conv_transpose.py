"""conv_transpose2d / conv_transpose1d and nn.ConvTranspose2d / nn.ConvTranspose1d: against a plain
numpy scatter-add definition, the adjoint identity with conv2d, gradcheck, modules, errors."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tensorgrad as tg
import tensorgrad.nn.functional as F
from tensorgrad import nn
from tensorgrad._kernels import threads
from tensorgrad.autograd import grad, gradcheck

TOLS = {np.float32: dict(rtol=1e-4, atol=1e-4), np.float64: dict(rtol=1e-10, atol=1e-10)}


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def conv_transpose2d_ref(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1, gy=None):
    """Forward, and with `gy` also (grad x, grad w), of a transposed convolution by its definition:
    input pixel (iy, ix) adds x * w[..., ky, kx] at output (iy*s + ky*d - p, ix*s + kx*d - p).

    Every contribution lands on an uncropped canvas; the output is the canvas without `padding`
    on each side (the canvas also holds the output_padding rows/columns, which receive nothing
    beyond what the geometry gives them)."""
    (sh, sw), (ph, pw), (oph, opw), (dh, dw) = map(_pair, (stride, padding, output_padding, dilation))
    n, c_in, h, wd = x.shape
    _, og, kh, kw = w.shape
    cg = c_in // groups
    canvas = np.zeros(
        (n, og * groups, (h - 1) * sh + dh * (kh - 1) + 1 + oph, (wd - 1) * sw + dw * (kw - 1) + 1 + opw)
    )
    oh, ow = canvas.shape[2] - 2 * ph, canvas.shape[3] - 2 * pw
    gcanvas = np.zeros(canvas.shape)
    if gy is not None:
        gcanvas[:, :, ph : ph + oh, pw : pw + ow] = gy
    gx, gw = np.zeros(x.shape), np.zeros(w.shape)
    for ky in range(kh):
        for kx in range(kw):
            rows = slice(ky * dh, ky * dh + sh * (h - 1) + 1, sh)
            cols = slice(kx * dw, kx * dw + sw * (wd - 1) + 1, sw)
            for g in range(groups):
                ci, co = slice(g * cg, (g + 1) * cg), slice(g * og, (g + 1) * og)
                tap = w[ci, :, ky, kx]  # (cg, og)
                canvas[:, co, rows, cols] += np.einsum("ncyx,co->noyx", x[:, ci], tap)
                gx[:, ci] += np.einsum("noyx,co->ncyx", gcanvas[:, co, rows, cols], tap)
                gw[ci, :, ky, kx] = np.einsum("ncyx,noyx->co", x[:, ci], gcanvas[:, co, rows, cols])
    y = canvas[:, :, ph : ph + oh, pw : pw + ow]
    if b is not None:
        y = y + b[None, :, None, None]
    return y if gy is None else (y, gx, gw)


def _np(t):
    return t.detach().numpy()


# (input shape, weight shape, kwargs)
CASES = [
    ((2, 3, 4, 5), (3, 2, 3, 3), {}),
    ((2, 4, 3, 4), (4, 3, 3, 2), dict(stride=2, padding=1, output_padding=1, groups=2)),
    ((1, 2, 4, 3), (2, 3, 2, 3), dict(stride=(3, 2), padding=(0, 1), output_padding=(2, 1))),
    ((2, 2, 3, 3), (2, 2, 3, 2), dict(dilation=(2, 3), padding=(2, 1))),
    # stride 1, output_padding < dilation: the output is as wide as the input, and its last row
    # and column get only what the dilated taps reach
    ((1, 2, 4, 4), (2, 2, 2, 2), dict(padding=2, output_padding=1, dilation=3)),
    # padding beyond the kernel's reach: border input pixels contribute nothing
    ((2, 1, 4, 4), (1, 2, 1, 1), dict(stride=2, padding=1)),
    ((2, 6, 3, 3), (6, 1, 3, 3), dict(stride=2, groups=6, output_padding=(0, 1))),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("with_bias", [False, True], ids=["nobias", "bias"])
@pytest.mark.parametrize("xs, ws, kwargs", CASES)
def test_conv_transpose2d_matches_scatter_add_definition(xs, ws, kwargs, with_bias, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(xs).astype(dtype)
    w = rng.standard_normal(ws).astype(dtype)
    groups = kwargs.get("groups", 1)
    b = rng.standard_normal(ws[1] * groups).astype(dtype) if with_bias else None
    y = F.conv_transpose2d(tg.tensor(x), tg.tensor(w), None if b is None else tg.tensor(b), **kwargs)
    want = conv_transpose2d_ref(x.astype(np.float64), w.astype(np.float64), b, **kwargs)
    assert y.dtype == dtype and y.shape == want.shape
    np.testing.assert_allclose(y.numpy(), want, **TOLS[dtype])


def test_conv_transpose2d_output_size_formula():
    x = tg.zeros(1, 2, 5, 7)
    w = tg.zeros(2, 3, 3, 4)
    y = F.conv_transpose2d(x, w, stride=(2, 3), padding=(1, 2), output_padding=(1, 2), dilation=(2, 1))
    # (H - 1)*stride - 2*padding + dilation*(k - 1) + output_padding + 1
    assert y.shape == (1, 3, (5 - 1) * 2 - 2 + 2 * 2 + 1 + 1, (7 - 1) * 3 - 4 + 1 * 3 + 2 + 1)


@pytest.mark.parametrize("xs, ws, kwargs", CASES)
def test_adjoint_of_conv2d(xs, ws, kwargs):
    """<conv2d(z, w), y> == <z, conv_transpose2d(y, w)> for every z of the transposed output's size."""
    rng = np.random.default_rng(1)
    w = tg.tensor(rng.standard_normal(ws))
    y = tg.tensor(rng.standard_normal(xs))
    t = F.conv_transpose2d(y, w, **kwargs)
    z = tg.tensor(rng.standard_normal(t.shape))
    conv_kwargs = {k: v for k, v in kwargs.items() if k != "output_padding"}
    c = F.conv2d(z, w, **conv_kwargs)
    # with output_padding >= stride (allowed below the dilation) conv2d's output is longer: the
    # transposed op is the adjoint of its first rows/columns
    c = c[:, :, : xs[2], : xs[3]]
    assert c.shape == y.shape
    np.testing.assert_allclose((c * y).sum().item(), (z * t).sum().item(), rtol=1e-10)


@pytest.mark.parametrize("with_bias", [False, True], ids=["nobias", "bias"])
@pytest.mark.parametrize("xs, ws, kwargs", CASES[:5])
def test_conv_transpose2d_gradcheck(xs, ws, kwargs, with_bias):
    rng = np.random.default_rng(2)
    x = tg.tensor(rng.standard_normal(xs), requires_grad=True)
    w = tg.tensor(rng.standard_normal(ws), requires_grad=True)
    args = (x, w)
    if with_bias:
        args += (tg.tensor(rng.standard_normal(ws[1] * kwargs.get("groups", 1)), requires_grad=True),)
    assert gradcheck(lambda *a: F.conv_transpose2d(*a, **kwargs), args)


@pytest.mark.parametrize("xs, ws, kwargs", CASES)
def test_conv_transpose2d_gradients_match_reference(xs, ws, kwargs):
    rng = np.random.default_rng(3)
    x = tg.tensor(rng.standard_normal(xs), requires_grad=True)
    w = tg.tensor(rng.standard_normal(ws), requires_grad=True)
    y = F.conv_transpose2d(x, w, **kwargs)
    gy = rng.standard_normal(y.shape)
    y.backward(tg.tensor(gy))
    _, rgx, rgw = conv_transpose2d_ref(_np(x), _np(w), None, **kwargs, gy=gy)
    np.testing.assert_allclose(_np(x.grad), rgx, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(_np(w.grad), rgw, rtol=1e-10, atol=1e-10)


def test_conv_transpose2d_unbatched_and_non_contiguous():
    rng = np.random.default_rng(4)
    x0 = rng.standard_normal((3, 4, 8))
    w0, b0 = rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(2)
    x = tg.tensor(x0)[:, :, ::2].requires_grad_()  # (3, 4, 4), not contiguous
    assert not _np(x).flags.c_contiguous
    w, b = tg.tensor(w0, requires_grad=True), tg.tensor(b0, requires_grad=True)
    y = F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1)
    want = conv_transpose2d_ref(x0[None, :, :, ::2], w0, b0, stride=2, padding=1, output_padding=1)[0]
    assert y.shape == want.shape == (2, 8, 8)
    np.testing.assert_allclose(_np(y), want, rtol=1e-10, atol=1e-10)
    assert gradcheck(
        lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1), (x, w, b)
    )


def test_conv_transpose2d_computes_only_the_grads_needed():
    rng = np.random.default_rng(5)
    x = tg.tensor(rng.standard_normal((2, 3, 4, 4)))
    w = tg.tensor(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
    F.conv_transpose2d(x, w, stride=2).sum().backward()
    assert x.grad is None
    _, _, rgw = conv_transpose2d_ref(_np(x), _np(w), stride=2, gy=np.ones((2, 2, 9, 9)))
    np.testing.assert_allclose(_np(w.grad), rgw, rtol=1e-10)


def test_conv_transpose2d_empty_batch():
    x = tg.zeros((0, 3, 4, 4), requires_grad=True)
    w = tg.ones((3, 2, 3, 3), requires_grad=True)
    y = F.conv_transpose2d(x, w, stride=2)
    assert y.shape == (0, 2, 9, 9)
    y.sum().backward()
    assert x.grad.shape == (0, 3, 4, 4)
    np.testing.assert_array_equal(_np(w.grad), 0)


def test_threaded_kernels_match_one_thread():
    rng = np.random.default_rng(6)
    x0 = rng.standard_normal((16, 8, 8, 8)).astype(np.float32)
    w0 = rng.standard_normal((8, 8, 3, 3)).astype(np.float32)
    gy = rng.standard_normal((16, 8, 16, 16)).astype(np.float32)
    results = []
    before = threads.get_num_threads()
    try:
        for n in (1, 2):
            threads.set_num_threads(n)
            x, w = tg.tensor(x0, requires_grad=True), tg.tensor(w0, requires_grad=True)
            y = F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1)
            y.backward(tg.tensor(gy))
            results.append((_np(y), _np(x.grad), _np(w.grad)))
    finally:
        threads.set_num_threads(before)
    (y1, gx1, gw1), (y2, gx2, gw2) = results
    want, rgx, rgw = conv_transpose2d_ref(x0, w0, stride=2, padding=1, output_padding=1, gy=gy)
    np.testing.assert_allclose(y1, want, rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_array_equal(gx1, gx2)
    np.testing.assert_allclose(gw1, gw2, rtol=1e-4, atol=1e-3)  # per-thread partial sums
    np.testing.assert_allclose(gx1, rgx, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(gw1, rgw, rtol=1e-4, atol=1e-3)


def test_conv_transpose2d_second_derivative_raises():
    rng = np.random.default_rng(7)
    x = tg.tensor(rng.standard_normal((1, 2, 3, 3)), requires_grad=True)
    w = tg.tensor(rng.standard_normal((2, 2, 2, 2)), requires_grad=True)
    y = F.conv_transpose2d(x, w, stride=2)
    (gx,) = grad((y * y).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="once differentiable"):
        gx.sum().backward()


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 2),
    groups=st.sampled_from([1, 2]),
    cg=st.integers(1, 2),
    og=st.integers(1, 2),
    size=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    padding=st.tuples(st.integers(0, 3), st.integers(0, 3)),
    output_padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    dilation=st.tuples(st.integers(1, 3), st.integers(1, 3)),
)
def test_random_arguments_match_reference_or_raise(
    n, groups, cg, og, size, kernel, stride, padding, output_padding, dilation
):
    rng = np.random.default_rng(8)
    x = tg.tensor(rng.standard_normal((n, groups * cg, *size)), requires_grad=True)
    w = tg.tensor(rng.standard_normal((groups * cg, og, *kernel)), requires_grad=True)
    out = [
        (size[i] - 1) * stride[i] - 2 * padding[i] + dilation[i] * (kernel[i] - 1) + output_padding[i] + 1
        for i in (0, 1)
    ]
    valid = all(output_padding[i] < max(stride[i], dilation[i]) and out[i] > 0 for i in (0, 1))
    kwargs = dict(
        stride=stride, padding=padding, output_padding=output_padding, groups=groups, dilation=dilation
    )
    if not valid:
        with pytest.raises(RuntimeError, match="conv_transpose2d: (output padding|Given input size)"):
            F.conv_transpose2d(x, w, **kwargs)
        return
    y = F.conv_transpose2d(x, w, **kwargs)
    gy = rng.standard_normal(y.shape)
    y.backward(tg.tensor(gy))
    ry, rgx, rgw = conv_transpose2d_ref(_np(x), _np(w), None, **kwargs, gy=gy)
    assert y.shape == ry.shape == (n, groups * og, *out)
    np.testing.assert_allclose(_np(y), ry, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(_np(x.grad), rgx, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(_np(w.grad), rgw, rtol=1e-10, atol=1e-10)


# ---- conv_transpose1d --------------------------------------------------------------------------------


def conv_transpose1d_ref(x, w, b, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """The 1-d definition, element by element: x[n, ci, i] * w[ci, o, k] lands at i*s + k*d - p."""
    n, c_in, length = x.shape
    og, k = w.shape[1], w.shape[2]
    cg = c_in // groups
    out_len = (length - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1
    y = np.zeros((n, og * groups, out_len)) + b[None, :, None]
    for ci in range(c_in):
        g = ci // cg
        for i in range(length):
            for o in range(og):
                for j in range(k):
                    pos = i * stride + j * dilation - padding
                    if 0 <= pos < out_len:
                        y[:, g * og + o, pos] += x[:, ci, i] * w[ci, o, j]
    return y


@pytest.mark.parametrize(
    "kwargs",
    [{}, dict(stride=2, padding=1, output_padding=1), dict(stride=3, dilation=2, groups=2, output_padding=2)],
)
def test_conv_transpose1d_matches_definition_and_gradcheck(kwargs):
    rng = np.random.default_rng(9)
    x = tg.tensor(rng.standard_normal((2, 4, 5)), requires_grad=True)
    w = tg.tensor(rng.standard_normal((4, 3, 3)), requires_grad=True)
    b = tg.tensor(rng.standard_normal(3 * kwargs.get("groups", 1)), requires_grad=True)
    y = F.conv_transpose1d(x, w, b, **kwargs)
    np.testing.assert_allclose(
        _np(y), conv_transpose1d_ref(_np(x), _np(w), _np(b), **kwargs), rtol=1e-10, atol=1e-10
    )
    assert gradcheck(lambda x, w, b: F.conv_transpose1d(x, w, b, **kwargs), (x, w, b))


def test_conv_transpose1d_unbatched():
    rng = np.random.default_rng(10)
    x, w, b = rng.standard_normal((2, 6)), rng.standard_normal((2, 3, 2)), rng.standard_normal(3)
    y = F.conv_transpose1d(tg.tensor(x), tg.tensor(w), tg.tensor(b), stride=2)
    assert y.shape == (3, 12)
    np.testing.assert_allclose(y.numpy(), conv_transpose1d_ref(x[None], w, b, stride=2)[0], rtol=1e-10)


# ---- modules -----------------------------------------------------------------------------------------


def test_conv_transpose2d_module_parameters_and_forward():
    m = nn.ConvTranspose2d(4, 6, (3, 2), stride=2, padding=1, output_padding=1, groups=2, dilation=(1, 2))
    assert list(m.state_dict()) == ["weight", "bias"]
    assert m.weight.shape == (4, 3, 3, 2) and m.bias.shape == (6,)
    assert (m.kernel_size, m.stride, m.padding, m.output_padding, m.dilation) == (
        (3, 2),
        (2, 2),
        (1, 1),
        (1, 1),
        (1, 2),
    )
    assert repr(m) == (
        "ConvTranspose2d(4, 6, kernel_size=(3, 2), stride=(2, 2), padding=(1, 1), dilation=(1, 2), "
        "output_padding=(1, 1), groups=2)"
    )
    x = tg.randn(2, 4, 3, 5)
    want = conv_transpose2d_ref(
        x.numpy().astype(np.float64), _np(m.weight).astype(np.float64), _np(m.bias).astype(np.float64),
        stride=2, padding=1, output_padding=1, groups=2, dilation=(1, 2),
    )  # fmt: skip
    np.testing.assert_allclose(_np(m(x)), want, rtol=1e-4, atol=1e-5)
    assert nn.ConvTranspose2d(2, 3, 2, bias=False).bias is None
    assert list(nn.ConvTranspose2d(2, 3, 2, bias=False).state_dict()) == ["weight"]


def test_conv_transpose_default_init_bounds():
    """kaiming_uniform_(a=sqrt(5)) and the bias bound use fan_in = weight.size(1) * k...: the
    out_channels // groups side of the weight, not in_channels."""
    tg.manual_seed(0)
    m = nn.ConvTranspose2d(40, 6, 3, groups=2)
    bound = 1 / math.sqrt(3 * 9)
    w = _np(m.weight)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    np.testing.assert_allclose(w.std(), bound / math.sqrt(3), rtol=0.1)
    m = nn.ConvTranspose1d(2, 400, 1)
    bias = _np(m.bias)
    assert np.abs(bias).max() <= 1 / math.sqrt(400) and np.abs(bias).max() > 0.9 / math.sqrt(400)


def test_conv_transpose2d_module_output_size():
    m = nn.ConvTranspose2d(2, 3, 3, stride=3, padding=1)
    x = tg.randn(1, 2, 4, 4)
    assert m(x).shape == (1, 3, 10, 10)
    for size in ([11, 12], (1, 3, 11, 12)):
        y = m(x, output_size=size)
        assert y.shape == (1, 3, 11, 12)
        want = F.conv_transpose2d(x, m.weight, m.bias, stride=3, padding=1, output_padding=(1, 2))
        np.testing.assert_array_equal(_np(y), _np(want))
    assert m(x[0], output_size=[12, 10]).shape == (3, 12, 10)
    with pytest.raises(
        ValueError,
        match=r"requested an output size of \[13, 10\], but valid sizes range from \[10, 10\] to \[12, 12\]",
    ):
        m(x, output_size=[13, 10])
    with pytest.raises(ValueError, match="output_size must have 2 or 4 elements"):
        m(x, output_size=[10])


def test_conv_transpose1d_module():
    m = nn.ConvTranspose1d(4, 6, 3, stride=2, padding=1, groups=2)
    assert m.weight.shape == (4, 3, 3) and list(m.state_dict()) == ["weight", "bias"]
    assert repr(m) == "ConvTranspose1d(4, 6, kernel_size=(3,), stride=(2,), padding=(1,), groups=2)"
    x = tg.randn(2, 4, 5).double()
    m = m.double()
    want = conv_transpose1d_ref(_np(x), _np(m.weight), _np(m.bias), stride=2, padding=1, groups=2)
    np.testing.assert_allclose(_np(m(x)), want, rtol=1e-10, atol=1e-10)
    assert m(x, output_size=[10]).shape == (2, 6, 10)


# ---- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "x_shape, w_shape, kwargs, match",
    [
        ((3, 4), (3, 2, 3, 3), {}, r"Expected 3D \(unbatched\) or 4D \(batched\) input .* size: \[3, 4\]"),
        ((1, 1, 3, 3, 3), (1, 2, 3, 3), {}, r"conv_transpose2d: Expected 3D .* size: \[1, 1, 3, 3, 3\]"),
        ((1, 3, 4, 4), (3, 2, 3), {}, r"expected weight to be 4-dimensional .* \[3, 2, 3\]"),
        ((1, 4, 4, 4), (3, 2, 3, 3), {}, r"expected input\[1, 4, 4, 4\] to have 3 channels, but got 4"),
        ((1, 3, 4, 4), (3, 2, 3, 3), dict(groups=2), r"expected weight to be divisible by 2 at dimension 0"),
        ((1, 3, 4, 4), (3, 2, 3, 3), dict(output_padding=1),
         r"output padding must be smaller than either stride or dilation, but got output_padding_height: 1"),
        ((1, 3, 4, 4), (3, 2, 3, 3), dict(stride=2, output_padding=(1, 2)),
         r"output_padding_width: 2 stride_height: 2 stride_width: 2 dilation_height: 1"),
        ((1, 3, 4, 4), (3, 2, 3, 3), dict(output_padding=-1), "negative output_padding"),
        ((1, 3, 4, 4), (3, 2, 3, 3), dict(padding=-1), "negative padding"),
        ((1, 3, 4, 4), (3, 2, 3, 3), dict(stride=0), "non-positive stride"),
        ((1, 3, 4, 4), (3, 2, 3, 3), dict(dilation=0), "dilation should be greater than zero"),
        ((1, 3, 4, 4), (3, 2, 3, 3), dict(groups=0), "non-positive groups"),
        ((1, 3, 1, 1), (3, 2, 1, 1), dict(padding=1),
         r"size per channel: \(1 x 1\). Calculated output size per channel: \(-1 x -1\). Output size"),
        ((1, 3, 0, 4), (3, 2, 3, 3), {}, r"non-zero channels, height and width, but got .* \[1, 3, 0, 4\]"),
        ((1, 3, 4, 4), (3, 0, 3, 3), {}, r"weight of size \[3, 0, 3, 3\] has no elements"),
    ],
)  # fmt: skip
def test_conv_transpose2d_errors(x_shape, w_shape, kwargs, match):
    with pytest.raises(RuntimeError, match=match):
        F.conv_transpose2d(tg.zeros(x_shape), tg.zeros(w_shape), **kwargs)


def test_conv_transpose2d_argument_errors():
    x, w = tg.zeros(1, 3, 4, 4), tg.zeros(3, 2, 3, 3)
    with pytest.raises(
        RuntimeError, match=r"expected bias to be 1-dimensional with 4 elements, but got bias of size \[2\]"
    ):
        F.conv_transpose2d(tg.zeros(1, 4, 4, 4), tg.zeros(4, 2, 3, 3), tg.zeros(2), groups=2)
    with pytest.raises(RuntimeError, match=r"Input type \(float32\) and weight type \(float64\)"):
        F.conv_transpose2d(x, w.double())
    with pytest.raises(RuntimeError, match=r"Input type \(float32\) and bias type \(float64\)"):
        F.conv_transpose2d(x, w, tg.zeros(2).double())
    with pytest.raises(RuntimeError, match="expected a floating point input .* got dtype int64"):
        F.conv_transpose2d(tg.zeros(1, 3, 4, 4, dtype=tg.int64), w)
    with pytest.raises(TypeError, match="conv_transpose2d: argument 'weight' must be a Tensor"):
        F.conv_transpose2d(x, [[1.0]])
    with pytest.raises(
        TypeError, match="conv_transpose2d: padding must be an int or a pair of ints, got 'same'"
    ):
        F.conv_transpose2d(x, w, padding="same")
    with pytest.raises(
        RuntimeError, match=r"conv_transpose1d: expected a 2-D \(unbatched\) or 3-D \(batched\) input"
    ):
        F.conv_transpose1d(tg.zeros(1, 3, 4, 4), tg.zeros(3, 2, 3))
    with pytest.raises(RuntimeError, match=r"conv_transpose1d: expected a 3-D weight .* got \[3, 2, 3, 3\]"):
        F.conv_transpose1d(tg.zeros(1, 3, 4), w)
    with pytest.raises(TypeError, match="conv_transpose1d: padding must be an int or a 1-tuple, got 'same'"):
        F.conv_transpose1d(tg.zeros(1, 3, 4), tg.zeros(3, 2, 3), padding="same")


def test_conv_transpose_module_errors():
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.ConvTranspose2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="out_channels must be divisible by groups"):
        nn.ConvTranspose1d(4, 3, 3, groups=2)
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported for ConvTranspose2d'):
        nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect")
    with pytest.raises(
        ValueError, match="ConvTranspose1d: padding must be an int or a tuple of ints, got 'same'"
    ):
        nn.ConvTranspose1d(2, 2, 3, padding="same")
    with pytest.raises(RuntimeError, match=r"expected input\[2, 3, 5, 5\] to have 2 channels"):
        nn.ConvTranspose2d(2, 2, 3)(tg.zeros(2, 3, 5, 5))
