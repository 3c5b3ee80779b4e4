"""More nn layers against plain-numpy references: padding, pixel/channel shuffle, unfold/fold
(with the adjoint identity), CELU/Softmin/Softmax2d/Hardshrink/Softshrink, Bilinear,
InstanceNorm, LocalResponseNorm, the 1-d and max adaptive pools and pdist; gradcheck in
float64, unbatched inputs, parameters and errors."""

import math
import warnings

import numpy as np
import pytest

import tensorgrad as tg
import tensorgrad.nn as nn
import tensorgrad.nn.functional as F
from tensorgrad.autograd import gradcheck, gradgradcheck


def arr(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def t64(a, grad=True):
    return tg.tensor(np.asarray(a, dtype=np.float64), dtype=tg.float64, requires_grad=grad)


def check_module(module, *arrays):
    """gradcheck of module(*inputs) in float64 with respect to the inputs and every parameter."""
    module.double()
    inputs = tuple(t64(a) for a in arrays)
    params = tuple(module.parameters())
    n = len(inputs)
    assert gradcheck(lambda *args: module(*args[:n]), inputs + params)


# ---- padding -------------------------------------------------------------------------------------


def np_pad(x, padding, mode, value=0.0):
    """PyTorch's padding tuple (last dim first) as np.pad."""
    widths = [(0, 0)] * x.ndim
    for i in range(len(padding) // 2):
        widths[x.ndim - 1 - i] = (padding[2 * i], padding[2 * i + 1])
    if mode == "constant":
        return np.pad(x, widths, constant_values=value)
    return np.pad(x, widths, mode=mode)


PADS = [
    (lambda: nn.ZeroPad1d(2), (2, 3, 4), (2, 2), "constant", 0.0),
    (lambda: nn.ZeroPad1d((0, 3)), (3, 4), (0, 3), "constant", 0.0),
    (lambda: nn.ZeroPad2d((1, 0, 2, 1)), (2, 3, 4), (1, 0, 2, 1), "constant", 0.0),
    (lambda: nn.ConstantPad1d((1, 2), 3.5), (2, 3, 4), (1, 2), "constant", 3.5),
    (lambda: nn.ConstantPad2d(1, -1.0), (1, 2, 3, 3), (1, 1, 1, 1), "constant", -1.0),
    (lambda: nn.ReflectionPad1d((3, 1)), (2, 2, 4), (3, 1), "reflect", None),
    (lambda: nn.ReflectionPad1d(2), (3, 5), (2, 2), "reflect", None),
    (lambda: nn.ReflectionPad2d((1, 2, 2, 0)), (1, 2, 3, 4), (1, 2, 2, 0), "reflect", None),
    (lambda: nn.ReplicationPad1d((2, 3)), (2, 3, 4), (2, 3), "edge", None),
    (lambda: nn.ReplicationPad2d(2), (2, 3, 3), (2, 2, 2, 2), "edge", None),
    (lambda: nn.CircularPad1d((1, 3)), (2, 3, 4), (1, 3), "wrap", None),
    (lambda: nn.CircularPad2d((2, 1, 0, 2)), (3, 3, 4), (2, 1, 0, 2), "wrap", None),
]


@pytest.mark.parametrize("make, shape, padding, mode, value", PADS)
def test_padding_modules_match_numpy_and_gradcheck(make, shape, padding, mode, value):
    layer = make()
    assert layer.padding == padding
    x = arr(*shape)
    out = layer(t64(x, grad=False))
    np.testing.assert_allclose(out.numpy(), np_pad(x, padding, mode, value))
    check_module(layer, x)


def test_padding_reprs_are_pytorchs():
    assert repr(nn.ZeroPad2d(1)) == "ZeroPad2d((1, 1, 1, 1))"
    assert repr(nn.ConstantPad1d(2, 0.5)) == "ConstantPad1d(padding=(2, 2), value=0.5)"
    assert repr(nn.ReflectionPad1d((1, 2))) == "ReflectionPad1d((1, 2))"
    assert repr(nn.CircularPad2d(1)) == "CircularPad2d((1, 1, 1, 1))"


def test_padding_errors():
    with pytest.raises(
        NotImplementedError, match=r"ReflectionPad1d: only 2D.*needs a 2D or 3D input, got a 1D"
    ):
        nn.ReflectionPad1d(1)(tg.randn(5))
    with pytest.raises(NotImplementedError, match=r"ReplicationPad2d: .*needs a 3D or 4D input, got a 2D"):
        nn.ReplicationPad2d(1)(tg.randn(3, 3))
    with pytest.raises(ValueError, match=r"CircularPad2d: expected 3D or 4D input \(got 2D input\)"):
        nn.CircularPad2d(1)(tg.randn(3, 3))
    with pytest.raises(RuntimeError, match=r"reflect padding \(3, 3\) of dim 2 must be at most 2"):
        nn.ReflectionPad1d(3)(tg.randn(1, 2, 3))


# ---- pixel shuffle, channel shuffle --------------------------------------------------------------


def np_pixel_shuffle(x, r):
    *batch, c, h, w = x.shape
    out = np.empty((*batch, c // (r * r), h * r, w * r))
    for ch in range(c // (r * r)):
        for i in range(r):
            for j in range(r):
                out[..., ch, i::r, j::r] = x[..., ch * r * r + i * r + j, :, :]
    return out


@pytest.mark.parametrize("shape, r", [((2, 8, 2, 3), 2), ((9, 1, 2), 3), ((2, 1, 4, 2, 2), 2)])
def test_pixel_shuffle_and_unshuffle(shape, r):
    x = arr(*shape)
    shuffled = nn.PixelShuffle(r)(t64(x, grad=False))
    np.testing.assert_allclose(shuffled.numpy(), np_pixel_shuffle(x, r))
    back = nn.PixelUnshuffle(r)(shuffled)
    np.testing.assert_array_equal(back.numpy(), x)
    check_module(nn.PixelShuffle(r), x)
    check_module(nn.PixelUnshuffle(r), np_pixel_shuffle(x, r))
    assert repr(nn.PixelShuffle(r)) == f"PixelShuffle(upscale_factor={r})"
    assert repr(nn.PixelUnshuffle(r)) == f"PixelUnshuffle(downscale_factor={r})"


def test_channel_shuffle():
    x = arr(2, 6, 2, 1)
    out = nn.ChannelShuffle(3)(t64(x, grad=False)).numpy()
    per_group = 6 // 3
    for k in range(6):
        np.testing.assert_array_equal(out[:, k], x[:, (k % 3) * per_group + k // 3])
    check_module(nn.ChannelShuffle(2), arr(1, 4, 3))
    assert repr(nn.ChannelShuffle(3)) == "ChannelShuffle(groups=3)"


def test_shuffle_errors():
    with pytest.raises(
        RuntimeError, match=r"pixel_shuffle expects .* input.size\(-3\)=6 is not divisible by 4"
    ):
        F.pixel_shuffle(tg.randn(1, 6, 2, 2), 2)
    with pytest.raises(RuntimeError, match="pixel_shuffle expects input to have at least 3 dimensions, but"):
        F.pixel_shuffle(tg.randn(4, 2), 2)
    with pytest.raises(RuntimeError, match="pixel_unshuffle expects a positive downscale_factor, but got 0"):
        F.pixel_unshuffle(tg.randn(1, 4, 4), 0)
    with pytest.raises(
        RuntimeError, match=r"pixel_unshuffle expects width .* input.size\(-1\)=5 is not divisible"
    ):
        F.pixel_unshuffle(tg.randn(1, 4, 5), 2)
    with pytest.raises(
        RuntimeError, match="Number of channels must be divisible by groups. Got 5 channels and 2"
    ):
        F.channel_shuffle(tg.randn(1, 5, 2), 2)
    with pytest.raises(RuntimeError, match="channel_shuffle expects input to have at least 3 dimensions"):
        F.channel_shuffle(tg.randn(2, 4), 2)


# ---- unfold and fold -----------------------------------------------------------------------------


def blocks(size, k, d, p, s):
    return [(size[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in (0, 1)]


def np_unfold(x, k, d, p, s):
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    oh, ow = blocks((h, w), k, d, p, s)
    out = np.zeros((n, c * k[0] * k[1], oh * ow))
    for ch in range(c):
        for ki in range(k[0]):
            for kj in range(k[1]):
                row = ch * k[0] * k[1] + ki * k[1] + kj
                for bi in range(oh):
                    for bj in range(ow):
                        out[:, row, bi * ow + bj] = xp[:, ch, bi * s[0] + ki * d[0], bj * s[1] + kj * d[1]]
    return out


def np_fold(cols, size, k, d, p, s):
    n, ck, _ = cols.shape
    c = ck // (k[0] * k[1])
    out = np.zeros((n, c, size[0] + 2 * p[0], size[1] + 2 * p[1]))
    oh, ow = blocks(size, k, d, p, s)
    for ch in range(c):
        for ki in range(k[0]):
            for kj in range(k[1]):
                row = ch * k[0] * k[1] + ki * k[1] + kj
                for bi in range(oh):
                    for bj in range(ow):
                        out[:, ch, bi * s[0] + ki * d[0], bj * s[1] + kj * d[1]] += cols[:, row, bi * ow + bj]
    return out[:, :, p[0] : p[0] + size[0], p[1] : p[1] + size[1]]


FOLD_CASES = [
    ((2, 2, 4, 5), (2, 3), (1, 1), (0, 0), (1, 1)),
    ((1, 3, 5, 5), (3, 3), (1, 1), (1, 1), (2, 2)),
    ((2, 1, 6, 5), (2, 2), (2, 1), (1, 0), (1, 2)),
]


@pytest.mark.parametrize("shape, k, d, p, s", FOLD_CASES)
def test_unfold_fold_match_numpy_and_are_adjoint(shape, k, d, p, s):
    x = arr(*shape)
    unfold = nn.Unfold(k, dilation=d, padding=p, stride=s)
    cols = unfold(t64(x, grad=False)).numpy()
    np.testing.assert_allclose(cols, np_unfold(x, k, d, p, s))
    y = arr(*cols.shape, seed=1)
    fold = nn.Fold(shape[-2:], k, dilation=d, padding=p, stride=s)
    folded = fold(t64(y, grad=False)).numpy()
    np.testing.assert_allclose(folded, np_fold(y, shape[-2:], k, d, p, s))
    # <unfold(x), y> == <x, fold(y)>
    np.testing.assert_allclose(np.sum(cols * y), np.sum(x * folded))
    check_module(unfold, x[:1])
    check_module(fold, y[:1])


def test_unfold_fold_unbatched_and_repr():
    x = arr(2, 3, 4)
    cols = F.unfold(t64(x, grad=False), 2)
    np.testing.assert_allclose(cols.numpy(), np_unfold(x[None], (2, 2), (1, 1), (0, 0), (1, 1))[0])
    image = F.fold(cols, (3, 4), 2)
    assert image.shape == (2, 3, 4)
    counts = F.fold(F.unfold(tg.ones(1, 1, 3, 4), 2), (3, 4), 2).numpy()[0, 0]
    np.testing.assert_array_equal(counts, [[1, 2, 2, 1], [2, 4, 4, 2], [1, 2, 2, 1]])
    assert repr(nn.Unfold(2, padding=1)) == "Unfold(kernel_size=2, dilation=1, padding=1, stride=1)"
    assert (
        repr(nn.Fold((3, 4), 2)) == "Fold(output_size=(3, 4), kernel_size=2, dilation=1, padding=0, stride=1)"
    )


def test_unfold_fold_errors():
    with pytest.raises(RuntimeError, match=r"unfold: Expected 3D or 4D .* but got: \[2, 3\]"):
        F.unfold(tg.randn(2, 3), 2)
    with pytest.raises(
        RuntimeError, match=r"unfold: .*calculated shape of the array of sliding blocks as \(0, 2\)"
    ):
        F.unfold(tg.randn(1, 1, 2, 3), (3, 2))
    with pytest.raises(RuntimeError, match="unfold: stride should be greater than zero"):
        F.unfold(tg.randn(1, 1, 3, 3), 2, stride=0)
    divisible = r"fold: Expected size of input's dimension 1 to be divisible by the product of kernel_size"
    with pytest.raises(RuntimeError, match=divisible + r", but got input.size\(1\)=5"):
        F.fold(tg.randn(1, 5, 4), (3, 3), 2)
    with pytest.raises(RuntimeError, match=r"fold: .*sliding blocks 2 \* 2 = 4, but got input.size\(2\)=3"):
        F.fold(tg.randn(1, 4, 3), (3, 3), 2)
    with pytest.raises(RuntimeError, match=r"fold: Expected 2D or 3D .* but got: \[4\]"):
        F.fold(tg.randn(4), (3, 3), 2)


# ---- activations ---------------------------------------------------------------------------------


def test_celu():
    x = arr(3, 4)
    for alpha in (1.0, 0.5, 2.0):
        out = nn.CELU(alpha)(t64(x, grad=False)).numpy()
        np.testing.assert_allclose(out, np.where(x > 0, x, alpha * (np.exp(x / alpha) - 1)))
        check_module(nn.CELU(alpha), x)
    y = t64(x, grad=False)
    assert F.celu(y, 2.0, inplace=True) is y
    np.testing.assert_allclose(y.numpy(), np.where(x > 0, x, 2.0 * (np.exp(x / 2.0) - 1)))
    assert repr(nn.CELU(0.5, inplace=True)) == "CELU(alpha=0.5, inplace=True)"
    with pytest.raises(RuntimeError, match="celu: ZeroDivisionError: alpha cannot be 0 for CELU"):
        F.celu(tg.randn(2), 0.0)


def test_softmin_and_softmax2d():
    x = arr(2, 3, 2, 2)
    e = np.exp(-x)
    np.testing.assert_allclose(nn.Softmin(1)(t64(x, grad=False)).numpy(), e / e.sum(1, keepdims=True))
    check_module(nn.Softmin(-1), arr(3, 4))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        F.softmin(tg.randn(2, 3))
    e = np.exp(x)
    np.testing.assert_allclose(nn.Softmax2d()(t64(x, grad=False)).numpy(), e / e.sum(1, keepdims=True))
    np.testing.assert_allclose(
        nn.Softmax2d()(t64(x[0], grad=False)).numpy(), e[0] / e[0].sum(0, keepdims=True)
    )
    check_module(nn.Softmax2d(), arr(3, 2, 2))
    assert repr(nn.Softmin(1)) == "Softmin(dim=1)" and repr(nn.Softmax2d()) == "Softmax2d()"
    with pytest.raises(ValueError, match="Softmax2d: expected input to be 3D or 4D, got 2D instead"):
        nn.Softmax2d()(tg.randn(2, 3))


def test_hardshrink_and_softshrink():
    x = arr(4, 5)
    for lambd in (0.5, 0.8):
        np.testing.assert_allclose(
            nn.Hardshrink(lambd)(t64(x, grad=False)).numpy(), np.where(np.abs(x) > lambd, x, 0.0)
        )
        expected = np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0.0))
        np.testing.assert_allclose(nn.Softshrink(lambd)(t64(x, grad=False)).numpy(), expected)
        check_module(nn.Hardshrink(lambd), x)
        check_module(nn.Softshrink(lambd), x)
    assert repr(nn.Hardshrink()) == "Hardshrink(0.5)" and repr(nn.Softshrink(0.3)) == "Softshrink(0.3)"
    with pytest.raises(
        RuntimeError, match="softshrink: lambda must be greater or equal to 0, but found to be -1"
    ):
        F.softshrink(tg.randn(2), -1.0)


# ---- bilinear ------------------------------------------------------------------------------------


def test_bilinear_matches_numpy_and_gradchecks():
    layer = nn.Bilinear(3, 4, 2).double()
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    x1, x2 = arr(2, 5, 3), arr(2, 5, 4, seed=1)
    out = layer(t64(x1, grad=False), t64(x2, grad=False))
    np.testing.assert_allclose(out.detach().numpy(), np.einsum("...i,oij,...j->...o", x1, w, x2) + b)
    unbatched = layer(t64(x1[0, 0], grad=False), t64(x2[0, 0], grad=False))
    np.testing.assert_allclose(
        unbatched.detach().numpy(), w.reshape(2, -1) @ np.outer(x1[0, 0], x2[0, 0]).ravel() + b
    )
    check_module(nn.Bilinear(3, 4, 2), x1[0, :2], x2[0, :2])
    check_module(nn.Bilinear(2, 3, 2, bias=False), arr(2), arr(3))


def test_bilinear_parameters_and_init():
    layer = nn.Bilinear(16, 3, 40)
    assert list(layer.state_dict()) == ["weight", "bias"]
    assert layer.weight.shape == (40, 16, 3) and layer.bias.shape == (40,)
    bound = 1 / math.sqrt(16)
    for p in (layer.weight.detach().numpy(), layer.bias.detach().numpy()):
        assert np.abs(p).max() <= bound and np.abs(p).max() > 0.8 * bound
    assert list(nn.Bilinear(2, 2, 2, bias=False).state_dict()) == ["weight"]
    assert repr(layer) == "Bilinear(in1_features=16, in2_features=3, out_features=40, bias=True)"


def test_bilinear_errors():
    w = tg.randn(2, 3, 4)
    with pytest.raises(RuntimeError, match="bilinear\\(\\): input dimensions do not match: got 2 and 1"):
        F.bilinear(tg.randn(5, 3), tg.randn(4), w)
    with pytest.raises(RuntimeError, match="input batch dimensions do not match: got \\[5\\] and \\[6\\]"):
        F.bilinear(tg.randn(5, 3), tg.randn(6, 4), w)
    with pytest.raises(RuntimeError, match="input2 size does not match weight size: got 5 but expected 4"):
        F.bilinear(tg.randn(5, 3), tg.randn(5, 5), w)
    with pytest.raises(
        RuntimeError, match="bias size does not match weight size: got \\[3\\] but expected \\[2\\]"
    ):
        F.bilinear(tg.randn(5, 3), tg.randn(5, 4), w, tg.randn(3))


# ---- instance norm, local response norm ----------------------------------------------------------


def np_instance_norm(x, eps=1e-5):
    axes = tuple(range(2, x.ndim))
    mean = x.mean(axes, keepdims=True)
    return (x - mean) / np.sqrt(x.var(axes, keepdims=True) + eps)


def test_instance_norm_forward_and_gradcheck():
    x = arr(2, 3, 5)
    np.testing.assert_allclose(
        nn.InstanceNorm1d(3)(t64(x, grad=False)).numpy(), np_instance_norm(x), atol=1e-12
    )
    np.testing.assert_allclose(
        nn.InstanceNorm1d(3)(t64(x[0], grad=False)).numpy(), np_instance_norm(x[:1])[0], atol=1e-12
    )
    layer = nn.InstanceNorm2d(2, affine=True).double()
    with tg.no_grad():
        layer.weight.copy_(tg.tensor([1.5, -0.5], dtype=tg.float64))
        layer.bias.copy_(tg.tensor([0.2, 0.1], dtype=tg.float64))
    x = arr(2, 2, 3, 2)
    expected = (
        np_instance_norm(x) * np.array([1.5, -0.5])[:, None, None] + np.array([0.2, 0.1])[:, None, None]
    )
    np.testing.assert_allclose(layer(t64(x, grad=False)).detach().numpy(), expected, atol=1e-12)
    check_module(layer, x)
    check_module(nn.InstanceNorm2d(2), x[0])


def test_instance_norm_running_stats():
    layer = nn.InstanceNorm1d(2, momentum=0.2, track_running_stats=True).double()
    assert list(layer.state_dict()) == ["running_mean", "running_var", "num_batches_tracked"]
    x = arr(3, 2, 4)
    layer(t64(x, grad=False))
    mean = x.mean(2).mean(0)
    var = x.var(2, ddof=1).mean(0)
    np.testing.assert_allclose(layer.running_mean.numpy(), 0.2 * mean)
    np.testing.assert_allclose(layer.running_var.numpy(), 0.8 + 0.2 * var)
    layer.eval()
    y = arr(2, 2, 3, seed=1)
    rm, rv = layer.running_mean.numpy(), layer.running_var.numpy()
    expected = (y - rm[:, None]) / np.sqrt(rv[:, None] + 1e-5)
    np.testing.assert_allclose(layer(t64(y, grad=False)).numpy(), expected)
    assert list(nn.InstanceNorm2d(3).state_dict()) == []
    assert repr(nn.InstanceNorm2d(3)) == (
        "InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)"
    )
    affine = nn.InstanceNorm1d(4, affine=True)
    assert list(affine.state_dict()) == ["weight", "bias"]
    np.testing.assert_array_equal(affine.weight.detach().numpy(), np.ones(4))


def test_instance_norm_errors():
    with pytest.raises(ValueError, match=r"InstanceNorm2d: expected 3D or 4D input \(got 2D input\)"):
        nn.InstanceNorm2d(3)(tg.randn(3, 4))
    with pytest.raises(
        ValueError, match=r"expected input's size at dim=1 to match num_features \(3\), but got: 2"
    ):
        nn.InstanceNorm1d(3, affine=True)(tg.randn(4, 2, 5))
    with pytest.warns(UserWarning, match="input's size at dim=0 does not match num_features"):
        nn.InstanceNorm1d(3)(tg.randn(2, 5))
    with pytest.raises(
        ValueError, match="Expected more than 1 spatial element when training, got input size"
    ):
        nn.InstanceNorm1d(2)(tg.randn(3, 2, 1))


def np_lrn(x, size, alpha, beta, k):
    c = x.shape[1]
    out = np.empty_like(x)
    for ch in range(c):
        lo, hi = max(0, ch - size // 2), min(c, ch + (size - 1) // 2 + 1)
        energy = (x[:, lo:hi] ** 2).sum(1)
        out[:, ch] = x[:, ch] / (k + alpha / size * energy) ** beta
    return out


@pytest.mark.parametrize("shape, size", [((2, 5, 3), 3), ((1, 4, 2, 3), 2), ((2, 3, 2, 2, 1), 5)])
def test_local_response_norm(shape, size):
    x = arr(*shape)
    layer = nn.LocalResponseNorm(size, alpha=0.5, beta=0.6, k=1.5)
    np.testing.assert_allclose(layer(t64(x, grad=False)).numpy(), np_lrn(x, size, 0.5, 0.6, 1.5))
    check_module(layer, x)


def test_local_response_norm_defaults_and_errors():
    x = arr(1, 6, 4) * 30
    np.testing.assert_allclose(
        nn.LocalResponseNorm(2)(t64(x, grad=False)).numpy(), np_lrn(x, 2, 1e-4, 0.75, 1.0)
    )
    assert repr(nn.LocalResponseNorm(2)) == "LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)"
    with pytest.raises(ValueError, match=r"Expected 3D or higher dimensionality input \(got 2 dimensions\)"):
        F.local_response_norm(tg.randn(2, 3), 2)


# ---- adaptive pools ------------------------------------------------------------------------------


def cells(n, m):
    return [(math.floor(i * n / m), math.ceil((i + 1) * n / m)) for i in range(m)]


def np_adaptive_max_1d(x, m):
    values = np.stack([x[..., a:b].max(-1) for a, b in cells(x.shape[-1], m)], -1)
    indices = np.stack([a + x[..., a:b].argmax(-1) for a, b in cells(x.shape[-1], m)], -1)
    return values, indices


def np_adaptive_max_2d(x, oh, ow):
    *lead, h, w = x.shape
    values = np.empty((*lead, oh, ow))
    indices = np.empty((*lead, oh, ow), np.int64)
    for i, (r0, r1) in enumerate(cells(h, oh)):
        for j, (c0, c1) in enumerate(cells(w, ow)):
            window = x[..., r0:r1, c0:c1].reshape(*lead, -1)
            pos = window.argmax(-1)
            values[..., i, j] = window.max(-1)
            indices[..., i, j] = (r0 + pos // (c1 - c0)) * w + c0 + pos % (c1 - c0)
    return values, indices


@pytest.mark.parametrize("shape, m", [((2, 3, 7), 3), ((3, 5), 5), ((1, 2, 4), 6), ((2, 1, 9), 1)])
def test_adaptive_pools_1d(shape, m):
    x = arr(*shape)
    values, indices = nn.AdaptiveMaxPool1d(m, return_indices=True)(t64(x, grad=False))
    want_values, want_indices = np_adaptive_max_1d(x, m)
    np.testing.assert_array_equal(values.numpy(), want_values)
    np.testing.assert_array_equal(indices.numpy(), want_indices)
    assert indices.dtype == tg.int64
    avg = np.stack([x[..., a:b].mean(-1) for a, b in cells(shape[-1], m)], -1)
    np.testing.assert_allclose(nn.AdaptiveAvgPool1d(m)(t64(x, grad=False)).numpy(), avg)
    check_module(nn.AdaptiveMaxPool1d(m), x)
    check_module(nn.AdaptiveAvgPool1d((m,)), x)


@pytest.mark.parametrize("shape, size", [((2, 2, 5, 7), (3, 4)), ((3, 4, 4), 2), ((1, 1, 3, 5), (None, 2))])
def test_adaptive_max_pool_2d(shape, size):
    x = arr(*shape)
    oh, ow = (size, size) if isinstance(size, int) else size
    oh = shape[-2] if oh is None else oh
    values, indices = F.adaptive_max_pool2d(t64(x, grad=False), size, return_indices=True)
    want_values, want_indices = np_adaptive_max_2d(x, oh, ow)
    np.testing.assert_array_equal(values.numpy(), want_values)
    np.testing.assert_array_equal(indices.numpy(), want_indices)
    check_module(nn.AdaptiveMaxPool2d(size), x)


def test_adaptive_max_pool_first_maximum_and_repr():
    x = tg.tensor([[[1.0, 3.0, 3.0, 0.0, 3.0]]])
    values, indices = F.adaptive_max_pool1d(x, 2, return_indices=True)
    np.testing.assert_array_equal(indices.numpy(), [[[1, 2]]])  # cells [0, 3) and [2, 5) overlap
    np.testing.assert_array_equal(values.numpy(), [[[3.0, 3.0]]])
    assert repr(nn.AdaptiveMaxPool2d((2, 3))) == "AdaptiveMaxPool2d(output_size=(2, 3))"
    assert repr(nn.AdaptiveAvgPool1d(4)) == "AdaptiveAvgPool1d(output_size=4)"


def test_adaptive_pool_errors():
    with pytest.raises(RuntimeError, match=r"adaptive_max_pool2d: expected a 3-D .* got shape \[2, 5\]"):
        F.adaptive_max_pool2d(tg.randn(2, 5), 2)
    with pytest.raises(
        RuntimeError, match=r"adaptive_avg_pool1d: expected a 2-D .* got shape \[1, 2, 3, 4\]"
    ):
        F.adaptive_avg_pool1d(tg.randn(1, 2, 3, 4), 2)
    with pytest.raises(RuntimeError, match="adaptive_max_pool1d: output_size must be positive, got 0"):
        F.adaptive_max_pool1d(tg.randn(2, 5), 0)
    with pytest.raises(RuntimeError, match=r"adaptive_max_pool2d: output_size must be an int or 2 values"):
        F.adaptive_max_pool2d(tg.randn(1, 3, 3), (1, 2, 3))
    with pytest.raises(RuntimeError, match="adaptive_max_pool1d: expected a floating point tensor"):
        F.adaptive_max_pool1d(tg.tensor([[1, 2, 3]]), 2)


# ---- pdist ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [2, 1, 3.0, math.inf])
def test_pdist(p):
    x = arr(5, 3)
    expected = [np.linalg.norm(x[i] - x[j], ord=p) for i in range(5) for j in range(i + 1, 5)]
    np.testing.assert_allclose(F.pdist(t64(x, grad=False), p).numpy(), expected)
    assert gradcheck(lambda t: F.pdist(t, p), (t64(x[:4]),))


def test_pdist_edge_cases_and_errors():
    assert F.pdist(tg.randn(1, 3)).shape == (0,)
    x = t64([[1.0, 2.0], [1.0, 2.0], [0.0, 0.0]])
    F.pdist(x).sum().backward()
    assert np.isfinite(x.grad.numpy()).all()  # a zero distance has gradient 0, as in PyTorch
    with pytest.raises(RuntimeError, match="pdist only supports 2D tensors, got: 3D"):
        F.pdist(tg.randn(2, 3, 4))
    with pytest.raises(RuntimeError, match="pdist only supports non-negative p values"):
        F.pdist(tg.randn(3, 2), -1.0)


def test_new_layers_are_exported():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ("pdist", "gumbel_softmax", "unfold", "fold", "instance_norm", "rrelu", "dropout1d"):
            assert name in F.__all__ and callable(getattr(F, name))


@pytest.mark.parametrize(
    "fn, shapes",
    [
        (lambda x: F.unfold(x, 2, padding=1, stride=2), [(1, 2, 3, 3)]),
        (lambda x: F.fold(x, (3, 3), 2, padding=1), [(1, 4, 16)]),
        (lambda x: F.pixel_shuffle(x, 2), [(1, 4, 1, 2)]),
        (lambda x: F.celu(x, 0.7), [(2, 3)]),
        (lambda x: F.local_response_norm(x, 3, alpha=0.5), [(1, 4, 2)]),
        (lambda a, b, w: F.bilinear(a, b, w), [(2, 2), (2, 3), (2, 2, 3)]),
        (lambda x: F.adaptive_max_pool2d(x, 2), [(1, 3, 3)]),
        (lambda x: F.pdist(x), [(3, 2)]),
    ],
)
def test_composed_layers_are_twice_differentiable(fn, shapes):
    inputs = tuple(t64(arr(*s, seed=i)) for i, s in enumerate(shapes))
    assert gradgradcheck(fn, inputs)
