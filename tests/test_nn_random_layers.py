"""The random layers: RReLU, Dropout1d/2d, AlphaDropout and gumbel_softmax. Train mode is checked
for structure and statistics (seeded through tensorgrad.manual_seed), eval mode against numpy,
gradients by gradcheck with the generator reseeded on every call."""

import math

import numpy as np
import pytest

import tensorgrad as tg
import tensorgrad.nn as nn
import tensorgrad.nn.functional as F
from tensorgrad.autograd import gradcheck

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def arr(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def t64(a, grad=True):
    return tg.tensor(np.asarray(a, dtype=np.float64), dtype=tg.float64, requires_grad=grad)


def seeded(fn, seed=0):
    """fn with the generator reseeded first, so that gradcheck sees one fixed random draw."""

    def call(*args):
        tg.manual_seed(seed)
        return fn(*args)

    return call


# ---- RReLU ---------------------------------------------------------------------------------------


def test_rrelu_eval_is_leaky_relu_with_the_mean_slope():
    x = arr(3, 4)
    layer = nn.RReLU(0.1, 0.3).eval()
    np.testing.assert_allclose(layer(t64(x, grad=False)).numpy(), np.where(x >= 0, x, 0.2 * x))
    np.testing.assert_allclose(
        F.rrelu(t64(x, grad=False)).numpy(), np.where(x >= 0, x, (1 / 8 + 1 / 3) / 2 * x)
    )
    assert gradcheck(lambda t: F.rrelu(t, 0.1, 0.3), (t64(x),))


def test_rrelu_training_draws_slopes_in_range():
    x = -np.abs(arr(50, 40)) - 0.1
    layer = nn.RReLU(0.1, 0.3)
    tg.manual_seed(3)
    out = layer(t64(x, grad=False)).numpy()
    slopes = out / x
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert abs(slopes.mean() - 0.2) < 0.01 and abs(slopes.std() - 0.2 / math.sqrt(12)) < 0.01
    tg.manual_seed(3)
    np.testing.assert_array_equal(layer(t64(x, grad=False)).numpy(), out)
    assert not np.array_equal(layer(t64(x, grad=False)).numpy(), out)
    positive = np.abs(x)
    np.testing.assert_array_equal(layer(t64(positive, grad=False)).numpy(), positive)


def test_rrelu_training_gradient_is_the_drawn_slope():
    x = arr(4, 5)
    assert gradcheck(seeded(lambda t: F.rrelu(t, 0.1, 0.4, training=True)), (t64(x),))
    t = t64(x)
    tg.manual_seed(1)
    out = F.rrelu(t, 0.1, 0.4, training=True)
    out.sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), out.detach().numpy() / x)


def test_rrelu_inplace_repr_and_errors():
    x = t64(arr(3, 3), grad=False)
    expected = np.where(x.numpy() >= 0, x.numpy(), 0.25 * x.numpy())
    assert F.rrelu(x, 0.2, 0.3, inplace=True) is x
    np.testing.assert_allclose(x.numpy(), expected)
    assert repr(nn.RReLU()) == "RReLU(lower=0.125, upper=0.3333333333333333)"
    assert repr(nn.RReLU(0.1, 0.2, inplace=True)) == "RReLU(lower=0.1, upper=0.2, inplace=True)"
    with pytest.raises(RuntimeError, match="Lower bound should be less than or equal to the upper bound"):
        F.rrelu(tg.randn(3), 0.5, 0.1)


# ---- channel dropout -----------------------------------------------------------------------------


def channel_factors(out, x, channel_axes):
    """out / x reduced to one factor per channel, asserting it is constant within each channel."""
    ratio = out / x
    reduce_axes = tuple(i for i in range(x.ndim) if i not in channel_axes)
    first = ratio.min(axis=reduce_axes)
    np.testing.assert_allclose(ratio.max(axis=reduce_axes), first)
    return first


@pytest.mark.parametrize(
    "make, shape, channel_axes",
    [
        (lambda p: nn.Dropout1d(p), (40, 30, 3), (0, 1)),
        (lambda p: nn.Dropout1d(p), (600, 3), (0,)),
        (lambda p: nn.Dropout2d(p), (30, 40, 2, 2), (0, 1)),
    ],
)
def test_channel_dropout_zeroes_whole_channels(make, shape, channel_axes):
    x = np.abs(arr(*shape)) + 0.5
    layer = make(0.3)
    tg.manual_seed(0)
    out = layer(t64(x, grad=False)).numpy()
    factors = channel_factors(out, x, channel_axes)
    assert set(np.round(np.unique(factors), 12)) == {0.0, round(1 / 0.7, 12)}
    assert abs((factors == 0).mean() - 0.3) < 0.05
    tg.manual_seed(0)
    np.testing.assert_array_equal(layer(t64(x, grad=False)).numpy(), out)
    np.testing.assert_array_equal(layer.eval()(t64(x, grad=False)).numpy(), x)


def test_channel_dropout_gradient_and_inplace():
    x = arr(2, 3, 4)
    assert gradcheck(seeded(lambda t: F.dropout1d(t, 0.5)), (t64(x),))
    assert gradcheck(seeded(lambda t: F.dropout2d(t[None], 0.4)), (t64(x),))
    y = t64(np.abs(x) + 1, grad=False)
    before = y.numpy().copy()
    assert F.dropout1d(y, 0.5, inplace=True) is y
    assert set(np.unique(np.round(y.numpy() / before, 12))) <= {0.0, 2.0}
    assert np.array_equal(F.dropout2d(y[None], 1.0).numpy(), np.zeros((1, *before.shape)))


def test_channel_dropout_errors_and_warnings():
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but received a 4D input"):
        F.dropout1d(tg.randn(1, 2, 3, 4))
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        nn.Dropout2d(1.5)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got -0.1"):
        F.dropout1d(tg.randn(2, 3), -0.1)
    with pytest.warns(UserWarning, match="dropout2d: Received a 3D input to dropout2d"):
        F.dropout2d(tg.randn(2, 3, 4))
    with pytest.warns(UserWarning, match="dropout2d: Received a 2-D input to dropout2d, which is deprecated"):
        F.dropout2d(tg.randn(2, 3))
    assert repr(nn.Dropout1d(0.2)) == "Dropout1d(p=0.2, inplace=False)"


# ---- alpha dropout -------------------------------------------------------------------------------


def test_alpha_dropout_keeps_zero_mean_and_unit_variance():
    x = arr(400, 500)
    tg.manual_seed(0)
    out = nn.AlphaDropout(0.2)(t64(x, grad=False)).numpy()
    assert abs(out.mean()) < 0.01 and abs(out.std() - 1) < 0.01
    np.testing.assert_array_equal(nn.AlphaDropout(0.2).eval()(t64(x, grad=False)).numpy(), x)
    np.testing.assert_array_equal(
        F.alpha_dropout(t64(x, grad=False), 0.2).numpy(), x
    )  # training=False default


def test_alpha_dropout_values_are_the_affine_of_kept_or_saturated_inputs():
    p = 0.3
    saturation = -SELU_SCALE * SELU_ALPHA  # SELU's value at -inf
    a = ((1 - p) * (1 + p * saturation**2)) ** -0.5
    b = -a * saturation * p
    x = arr(60, 50)
    t = t64(x)
    tg.manual_seed(5)
    out = F.alpha_dropout(t, p, training=True)
    values = out.detach().numpy()
    kept = np.isclose(values, a * x + b)
    dropped = np.isclose(values, a * saturation + b)
    assert (kept | dropped).all()
    assert abs(dropped.mean() - p) < 0.03
    out.sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), np.where(kept, a, 0.0))
    assert gradcheck(seeded(lambda t: F.alpha_dropout(t, 0.5, True)), (t64(arr(3, 4)),))


def test_alpha_dropout_edge_cases():
    x = t64(arr(3, 2), grad=False)
    assert np.array_equal(F.alpha_dropout(x, 1.0, True).numpy(), np.zeros((3, 2)))
    assert F.alpha_dropout(x, 0.0, True) is x
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 2"):
        F.alpha_dropout(x, 2, True)
    assert repr(nn.AlphaDropout()) == "AlphaDropout(p=0.5, inplace=False)"


# ---- gumbel softmax ------------------------------------------------------------------------------


def test_gumbel_softmax_samples_follow_the_softmax():
    logits = np.log(np.array([0.2, 0.5, 0.3]))
    tg.manual_seed(0)
    y = F.gumbel_softmax(tg.tensor(np.tile(logits, (20000, 1))), tau=0.5).numpy()
    assert (y > 0).all()
    np.testing.assert_allclose(y.sum(-1), 1.0, rtol=1e-5)
    frequencies = np.bincount(y.argmax(-1), minlength=3) / len(y)
    np.testing.assert_allclose(frequencies, [0.2, 0.5, 0.3], atol=0.015)


def test_gumbel_softmax_hard_is_one_hot_with_the_soft_gradient():
    logits = arr(4, 5)
    tg.manual_seed(7)
    soft = F.gumbel_softmax(t64(logits, grad=False), tau=0.7, dim=0).numpy()
    t = t64(logits)
    tg.manual_seed(7)
    hard = F.gumbel_softmax(t, tau=0.7, hard=True, dim=0)
    expected = np.zeros_like(soft)
    expected[soft.argmax(0), np.arange(5)] = 1
    np.testing.assert_allclose(hard.detach().numpy(), expected, atol=1e-12)
    weights = arr(4, 5, seed=1)
    (hard * t64(weights, grad=False)).sum().backward()
    s = t64(logits)
    tg.manual_seed(7)
    (F.gumbel_softmax(s, tau=0.7, dim=0) * t64(weights, grad=False)).sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), s.grad.numpy())
    assert gradcheck(seeded(lambda u: F.gumbel_softmax(u, tau=2.0)), (t64(arr(2, 3)),))


def test_gumbel_softmax_deprecated_eps():
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated and has no effect"):
        F.gumbel_softmax(tg.randn(2, 3), eps=1e-5)
