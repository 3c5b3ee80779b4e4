"""3-D layers against plain-numpy loop references: conv3d / conv_transpose3d, max/avg/adaptive
pools, BatchNorm3d, InstanceNorm3d, Dropout3d and the 3-D padding modules; gradcheck in float64,
unbatched inputs, parameters, initialisation and errors."""

import math

import numpy as np
import pytest

import tensorgrad as tg
import tensorgrad.nn as nn
import tensorgrad.nn.functional as F
from tensorgrad.autograd import gradcheck


def arr(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def t64(a, grad=True):
    return tg.tensor(np.asarray(a, dtype=np.float64), dtype=tg.float64, requires_grad=grad)


def three(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v, v)


# ---- references ----------------------------------------------------------------------------------


def np_conv3d(x, w, b, stride, padding, dilation, groups):
    s, d = three(stride), three(dilation)
    k = w.shape[2:]
    if padding == "same":
        total = [d[i] * (k[i] - 1) for i in range(3)]
        widths = [(t // 2, t - t // 2) for t in total]
    else:
        widths = [(p, p) for p in three(0 if padding == "valid" else padding)]
    xp = np.pad(x, [(0, 0), (0, 0)] + widths)
    out_size = [(xp.shape[2 + i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(3)]
    n, o = x.shape[0], w.shape[0]
    cg, og = w.shape[1], o // groups
    out = np.zeros((n, o, *out_size))
    for j in range(o):
        g = j // og
        for pos in np.ndindex(*out_size):
            for tap in np.ndindex(*k):
                z, y, xx = (pos[i] * s[i] + tap[i] * d[i] for i in range(3))
                out[(slice(None), j) + pos] += (
                    xp[:, g * cg : (g + 1) * cg, z, y, xx] @ w[j, :, tap[0], tap[1], tap[2]]
                )
        if b is not None:
            out[:, j] += b[j]
    return out


def np_conv_transpose3d(x, w, b, stride, padding, output_padding, groups, dilation):
    s, p, op, d = three(stride), three(padding), three(output_padding), three(dilation)
    k = w.shape[2:]
    n, cin = x.shape[:2]
    cg = cin // groups
    cout = w.shape[1] * groups
    full = [(x.shape[2 + i] - 1) * s[i] + d[i] * (k[i] - 1) + 1 + op[i] for i in range(3)]
    out = np.zeros((n, cout, *full))
    for ci in range(cin):
        g = ci // cg
        for pos in np.ndindex(*x.shape[2:]):
            for tap in np.ndindex(*k):
                z, y, xx = (pos[i] * s[i] + tap[i] * d[i] for i in range(3))
                cols = slice(g * w.shape[1], (g + 1) * w.shape[1])
                out[:, cols, z, y, xx] += (
                    x[(slice(None), ci) + pos][:, None] * w[ci, :, tap[0], tap[1], tap[2]]
                )
    out = out[:, :, p[0] : full[0] - p[0], p[1] : full[1] - p[1], p[2] : full[2] - p[2]]
    return out if b is None else out + b[None, :, None, None, None]


def pool_out(n, k, s, p, d, ceil):
    span = n + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil else 0)) // s + 1
    if ceil and (out - 1) * s >= n + p:
        out -= 1
    return out


def np_max_pool3d(x, k, s, p, d, ceil):
    k, s, p, d = three(k), three(s), three(p), three(d)
    size = x.shape[2:]
    out_size = [pool_out(size[i], k[i], s[i], p[i], d[i], ceil) for i in range(3)]
    values = np.full(x.shape[:2] + tuple(out_size), -np.inf)
    index = np.zeros(values.shape, np.int64)
    for nc in np.ndindex(*x.shape[:2]):
        for pos in np.ndindex(*out_size):
            for tap in np.ndindex(*k):
                z, y, xx = (pos[i] * s[i] - p[i] + tap[i] * d[i] for i in range(3))
                if (
                    0 <= z < size[0]
                    and 0 <= y < size[1]
                    and 0 <= xx < size[2]
                    and x[nc + (z, y, xx)] > values[nc + pos]
                ):
                    values[nc + pos] = x[nc + (z, y, xx)]
                    index[nc + pos] = (z * size[1] + y) * size[2] + xx
    return values, index


def np_avg_pool3d(x, k, s, p, ceil, include_pad, divisor):
    k, s, p = three(k), three(s), three(p)
    size = x.shape[2:]
    out_size = [pool_out(size[i], k[i], s[i], p[i], 1, ceil) for i in range(3)]
    out = np.zeros(x.shape[:2] + tuple(out_size))
    for pos in np.ndindex(*out_size):
        start = [pos[i] * s[i] - p[i] for i in range(3)]
        end = [min(start[i] + k[i], size[i] + p[i]) for i in range(3)]
        lo = [max(v, 0) for v in start]
        hi = [min(end[i], size[i]) for i in range(3)]
        total = x[:, :, lo[0] : hi[0], lo[1] : hi[1], lo[2] : hi[2]].sum(axis=(2, 3, 4))
        if divisor is None:
            bounds = (start, end) if include_pad else (lo, hi)
            divisor_here = math.prod(bounds[1][i] - bounds[0][i] for i in range(3))
        else:
            divisor_here = divisor
        out[(slice(None), slice(None)) + pos] = total / divisor_here
    return out


def np_adaptive_avg_pool3d(x, size):
    out = np.zeros(x.shape[:2] + tuple(size))
    bounds = [[(i * n // m, -(-(i + 1) * n // m)) for i in range(m)] for n, m in zip(x.shape[2:], size)]
    for pos in np.ndindex(*size):
        (a, b), (c, d), (e, f) = (bounds[i][pos[i]] for i in range(3))
        out[(slice(None), slice(None)) + pos] = x[:, :, a:b, c:d, e:f].mean(axis=(2, 3, 4))
    return out


# ---- conv3d --------------------------------------------------------------------------------------

CONV_CASES = [
    # (input shape, weight shape, stride, padding, dilation, groups)
    ((2, 2, 4, 5, 4), (3, 2, 2, 3, 2), 1, 0, 1, 1),
    ((1, 4, 5, 4, 5), (4, 2, 3, 2, 3), (2, 1, 2), (1, 0, 1), (1, 2, 1), 2),
    ((2, 3, 4, 4, 4), (2, 3, 3, 3, 2), 1, "same", (2, 1, 1), 1),
    ((1, 2, 3, 4, 3), (2, 2, 2, 2, 2), 1, "valid", 1, 1),
    ((1, 2, 4, 3, 4), (2, 2, 2, 3, 2), 1, "same", 1, 1),  # odd total padding in depth and width
]


@pytest.mark.parametrize("xs, ws, stride, padding, dilation, groups", CONV_CASES)
def test_conv3d_matches_loops(xs, ws, stride, padding, dilation, groups):
    x, w, b = arr(*xs), arr(*ws, seed=1), arr(ws[0], seed=2)
    out = F.conv3d(t64(x, False), t64(w, False), t64(b, False), stride, padding, dilation, groups)
    expected = np_conv3d(x, w, b, stride, padding, dilation, groups)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-10)
    if padding == "same":
        assert out.shape[2:] == xs[2:]


def test_conv3d_gradcheck_and_unbatched():
    x, w, b = t64(arr(2, 4, 4, 3)), t64(arr(4, 1, 2, 2, 2, seed=1)), t64(arr(4, seed=2))
    assert gradcheck(lambda x, w, b: F.conv3d(x, w, b, (2, 1, 1), 1, (1, 2, 1), 2), (x, w, b))
    out = F.conv3d(x.detach(), w.detach(), b.detach(), padding="same", groups=2)
    expected = np_conv3d(x.detach().numpy()[None], w.detach().numpy(), b.detach().numpy(), 1, "same", 1, 2)
    np.testing.assert_allclose(out.numpy(), expected[0], atol=1e-10)


def test_conv3d_module_parameters_and_init():
    m = nn.Conv3d(4, 6, (2, 3, 1), stride=2, groups=2)
    assert m.weight.shape == (6, 2, 2, 3, 1) and m.bias.shape == (6,)
    bound = 1 / math.sqrt(2 * 2 * 3 * 1)  # kaiming_uniform_(a=sqrt(5)) and the bias share it
    assert np.abs(m.weight.detach().numpy()).max() <= bound and np.abs(m.bias.detach().numpy()).max() <= bound
    assert list(m.state_dict()) == ["weight", "bias"]
    assert m.kernel_size == (2, 3, 1) and m.stride == (2, 2, 2) and m.padding == (0, 0, 0)
    out = m(tg.randn(4, 5, 6, 3))
    assert out.shape == (6, 2, 2, 2)
    assert nn.Conv3d(2, 2, 3, bias=False).bias is None


def test_conv3d_errors():
    x, w = tg.randn(1, 2, 3, 3, 3), tg.randn(4, 2, 2, 2, 2)
    with pytest.raises(RuntimeError, match=r"conv3d: Expected 4D \(unbatched\) or 5D.*\[2, 3, 3\]"):
        F.conv3d(tg.randn(2, 3, 3), w)
    with pytest.raises(RuntimeError, match=r"conv3d: expected weight to be 5-dimensional.*\[4, 2, 2, 2\]"):
        F.conv3d(x, tg.randn(4, 2, 2, 2))
    with pytest.raises(
        RuntimeError, match=r"conv3d: Given groups=1, weight of size \[4, 3, 2, 2, 2\].*3 channels"
    ):
        F.conv3d(x, tg.randn(4, 3, 2, 2, 2))
    with pytest.raises(RuntimeError, match="conv3d: padding='same' is not supported for strided"):
        F.conv3d(x, w, stride=2, padding="same")
    with pytest.raises(
        RuntimeError, match=r"conv3d: Calculated padded input size.*\(3 x 3 x 3\).*\(5 x 3 x 3\)"
    ):
        F.conv3d(x, w, dilation=(4, 2, 2))
    with pytest.raises(TypeError, match="conv3d: stride must be an int or a tuple of 3 ints"):
        F.conv3d(x, w, stride=(1, 2))
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv3d(3, 4, 2, groups=2)


# ---- conv_transpose3d ----------------------------------------------------------------------------

TRANSPOSED_CASES = [
    # (input shape, weight shape, stride, padding, output_padding, groups, dilation)
    ((2, 2, 2, 3, 2), (2, 3, 2, 2, 3), 1, 0, 0, 1, 1),
    ((1, 4, 3, 2, 3), (4, 1, 3, 2, 2), (2, 1, 2), (1, 0, 1), (1, 0, 0), 2, (1, 2, 1)),
]


@pytest.mark.parametrize("xs, ws, stride, padding, output_padding, groups, dilation", TRANSPOSED_CASES)
def test_conv_transpose3d_matches_loops(xs, ws, stride, padding, output_padding, groups, dilation):
    x, w, b = arr(*xs), arr(*ws, seed=1), arr(ws[1] * groups, seed=2)
    out = F.conv_transpose3d(
        t64(x, False), t64(w, False), t64(b, False), stride, padding, output_padding, groups, dilation
    )
    expected = np_conv_transpose3d(x, w, b, stride, padding, output_padding, groups, dilation)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-10)


def test_conv_transpose3d_gradcheck_and_module():
    x, w, b = t64(arr(2, 2, 2, 2)), t64(arr(2, 2, 2, 2, 2, seed=1)), t64(arr(2, seed=2))
    assert gradcheck(lambda x, w, b: F.conv_transpose3d(x, w, b, 2, (1, 0, 0), 1), (x, w, b))
    m = nn.ConvTranspose3d(2, 4, 3, stride=2, padding=1)
    assert m.weight.shape == (2, 4, 3, 3, 3)
    assert m(tg.randn(1, 2, 3, 3, 3), output_size=[6, 6, 5]).shape == (1, 4, 6, 6, 5)
    with pytest.raises(RuntimeError, match="conv_transpose3d: output padding must be smaller"):
        F.conv_transpose3d(tg.randn(1, 2, 2, 2, 2), tg.randn(2, 1, 2, 2, 2), output_padding=1)


# ---- pools ---------------------------------------------------------------------------------------

MAX_CASES = [
    # (kernel_size, stride, padding, dilation, ceil_mode)
    (2, None, 0, 1, False),
    ((3, 2, 3), (2, 1, 2), 1, 1, True),
    ((2, 3, 2), (1, 2, 2), (1, 0, 1), (2, 1, 2), False),
    (3, 2, 1, 1, True),
]


@pytest.mark.parametrize("k, s, p, d, ceil", MAX_CASES)
def test_max_pool3d_matches_loops(k, s, p, d, ceil):
    x = arr(2, 2, 5, 6, 5)
    values, indices = F.max_pool3d(t64(x, False), k, s, p, d, ceil, return_indices=True)
    ref_values, ref_indices = np_max_pool3d(x, k, k if s is None else s, p, d, ceil)
    np.testing.assert_array_equal(values.numpy(), ref_values)
    np.testing.assert_array_equal(indices.numpy(), ref_indices)
    assert indices.dtype == tg.int64


def test_max_pool3d_gradcheck_unbatched_and_module():
    x = t64(arr(2, 4, 3, 4))
    assert gradcheck(lambda x: F.max_pool3d(x, 2, (1, 2, 1), 1, ceil_mode=True), (x,))
    m = nn.MaxPool3d(2, return_indices=True)
    out, idx = m(x.detach())
    ref_values, ref_indices = np_max_pool3d(x.detach().numpy()[None], 2, 2, 0, 1, False)
    np.testing.assert_array_equal(out.numpy(), ref_values[0])
    np.testing.assert_array_equal(idx.numpy(), ref_indices[0])


AVG_CASES = [
    # (kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)
    (2, None, 0, False, True, None),
    ((3, 2, 3), (2, 1, 2), 1, True, False, None),
    (3, 2, 1, True, True, None),
    ((3, 2, 2), 2, (1, 1, 0), False, False, 5),
]


@pytest.mark.parametrize("k, s, p, ceil, include, divisor", AVG_CASES)
def test_avg_pool3d_matches_loops(k, s, p, ceil, include, divisor):
    x = arr(2, 2, 5, 6, 5)
    out = F.avg_pool3d(t64(x, False), k, s, p, ceil, include, divisor)
    expected = np_avg_pool3d(x, k, k if s is None else s, p, ceil, include, divisor)
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-12)


def test_avg_and_adaptive_pool3d_gradcheck_and_modules():
    x = t64(arr(1, 2, 4, 3, 5))
    assert gradcheck(lambda x: F.avg_pool3d(x, 2, 1, 1, True, False), (x,))
    assert gradcheck(lambda x: F.avg_pool3d(x, 2, divisor_override=3), (x,))
    assert gradcheck(lambda x: F.adaptive_avg_pool3d(x, (3, 2, None)), (x,))
    m = nn.AvgPool3d((2, 1, 2), stride=1, padding=(1, 0, 1), count_include_pad=False, divisor_override=2)
    np.testing.assert_allclose(
        m(x.detach()[0]).numpy(),
        np_avg_pool3d(x.detach().numpy(), (2, 1, 2), 1, (1, 0, 1), False, False, 2)[0],
    )
    y = arr(2, 3, 5, 4, 7)
    for size in [(2, 3, 4), 1, (5, None, 3)]:
        out = nn.AdaptiveAvgPool3d(size)(t64(y, False))
        want = [n if o is None else o for o, n in zip(three(size), y.shape[2:])]
        np.testing.assert_allclose(out.numpy(), np_adaptive_avg_pool3d(y, want), atol=1e-12)


def test_pool3d_errors():
    x = tg.randn(1, 2, 3, 3, 3)
    with pytest.raises(RuntimeError, match=r"max_pool3d: Expected 4D or 5D.*\[2, 3, 3\]"):
        F.max_pool3d(tg.randn(2, 3, 3), 2)
    with pytest.raises(
        RuntimeError, match=r"avg_pool3d: pad should be.*padding=\(2, 2, 2\), kernel_size=\(2, 2, 2\)"
    ):
        F.avg_pool3d(x, 2, padding=2)
    with pytest.raises(RuntimeError, match=r"max_pool3d: Given input size: \(2x3x3x3\).*\(2x0x1x1\)"):
        F.max_pool3d(x, (4, 3, 3))
    with pytest.raises(RuntimeError, match="avg_pool3d: divisor must be not zero"):
        F.avg_pool3d(x, 2, divisor_override=0)
    with pytest.raises(RuntimeError, match=r"adaptive_avg_pool3d: output_size must be an int or 3 values"):
        F.adaptive_avg_pool3d(x, (2, 2))


# ---- normalisation, dropout, padding -------------------------------------------------------------


def test_batch_norm3d_and_instance_norm3d():
    x = arr(3, 2, 2, 3, 2)
    bn = nn.BatchNorm3d(2).double()
    out = bn(t64(x, False)).detach()
    mean = x.mean(axis=(0, 2, 3, 4), keepdims=True)
    var = x.var(axis=(0, 2, 3, 4), keepdims=True)
    np.testing.assert_allclose(out.numpy(), (x - mean) / np.sqrt(var + 1e-5), atol=1e-10)
    count = x.size // 2
    np.testing.assert_allclose(bn.running_var.numpy(), 0.9 + 0.1 * var.ravel() * count / (count - 1))
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    with pytest.raises(ValueError, match=r"BatchNorm3d: expected 5D input \(got 4D input\)"):
        bn(tg.randn(2, 2, 3, 3))
    inorm = nn.InstanceNorm3d(2, affine=True).double()
    out = inorm(t64(x[0], False)).detach()
    m, v = x[0].mean(axis=(1, 2, 3), keepdims=True), x[0].var(axis=(1, 2, 3), keepdims=True)
    np.testing.assert_allclose(out.numpy(), (x[0] - m) / np.sqrt(v + 1e-5), atol=1e-10)
    with pytest.raises(ValueError, match=r"InstanceNorm3d: expected 4D or 5D input \(got 3D input\)"):
        inorm(tg.randn(2, 3, 3))


def test_dropout3d_zeroes_whole_channels():
    tg.manual_seed(0)
    x = tg.ones(4, 6, 2, 3, 2)
    out = nn.Dropout3d(0.5)(x).numpy()
    per_channel = out.reshape(4, 6, -1)
    assert set(np.unique(per_channel)) <= {0.0, 2.0}
    assert (per_channel.min(axis=2) == per_channel.max(axis=2)).all()  # a channel is kept or dropped whole
    assert 0 < (per_channel[:, :, 0] == 0).sum() < 24
    unbatched = nn.Dropout3d(0.5)(tg.ones(8, 2, 2, 2)).numpy().reshape(8, -1)
    assert (unbatched.min(axis=1) == unbatched.max(axis=1)).all()
    m = nn.Dropout3d(0.5).eval()
    assert m(x) is x
    with pytest.warns(UserWarning, match="dropout3d: Received a 3-D input"):
        F.dropout3d(tg.ones(2, 3, 3))


def np_pad(x, padding, mode, value=0.0):
    widths = [(0, 0)] * x.ndim
    for i in range(len(padding) // 2):
        widths[x.ndim - 1 - i] = (padding[2 * i], padding[2 * i + 1])
    if mode == "constant":
        return np.pad(x, widths, constant_values=value)
    return np.pad(x, widths, mode=mode)


@pytest.mark.parametrize(
    "make, shape, padding, mode, value",
    [
        (lambda: nn.ZeroPad3d(1), (1, 2, 2, 3, 2), (1,) * 6, "constant", 0.0),
        (
            lambda: nn.ConstantPad3d((1, 0, 2, 1, 0, 2), 2.5),
            (2, 2, 3, 2),
            (1, 0, 2, 1, 0, 2),
            "constant",
            2.5,
        ),
        (
            lambda: nn.ReflectionPad3d((1, 2, 0, 1, 2, 1)),
            (1, 2, 3, 3, 3),
            (1, 2, 0, 1, 2, 1),
            "reflect",
            None,
        ),
        (lambda: nn.ReplicationPad3d(2), (2, 2, 3, 2), (2,) * 6, "edge", None),
        (lambda: nn.CircularPad3d((0, 2, 1, 1, 2, 0)), (1, 2, 3, 2, 3), (0, 2, 1, 1, 2, 0), "wrap", None),
    ],
)
def test_pad3d_modules(make, shape, padding, mode, value):
    x = arr(*shape)
    m = make()
    assert m.padding == padding
    np.testing.assert_array_equal(m(t64(x, False)).numpy(), np_pad(x, padding, mode, value))
    assert gradcheck(m, (t64(x),))


def test_pad3d_rejects_wrong_rank():
    with pytest.raises(
        NotImplementedError, match=r"ReflectionPad3d:.*needs a 4D or 5D input, got a 3D input"
    ):
        nn.ReflectionPad3d(1)(tg.randn(3, 3, 3))
    with pytest.raises(ValueError, match=r"CircularPad3d: expected 4D or 5D input \(got 3D input\)"):
        nn.CircularPad3d(1)(tg.randn(3, 3, 3))
