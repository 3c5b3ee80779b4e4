"""nn.utils.parametrize and the weight_norm / spectral_norm parametrizations (and the older
hook-based nn.utils.weight_norm / spectral_norm): values against numpy (g * v / ||v|| per dim,
the largest singular value after normalisation), gradients reaching the original parameters,
PyTorch's state_dict keys, removal, caching and errors."""

import warnings

import numpy as np
import pytest

import tensorgrad as tg
import tensorgrad.nn as nn
from tensorgrad.autograd import gradcheck
from tensorgrad.nn.utils import parametrizations, parametrize


def arr(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def np_weight_norm(g, v, dim):
    if dim is None:
        return g * v / np.linalg.norm(v)
    axes = tuple(i for i in range(v.ndim) if i != dim % v.ndim)
    return g * v / np.sqrt((v**2).sum(axis=axes, keepdims=True))


class Double(nn.Module):
    def forward(self, x):
        return x * 2

    def right_inverse(self, x):
        return x / 2


class Symmetric(nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).T


# ---- parametrize ---------------------------------------------------------------------------------


def test_register_parametrization_property_state_dict_and_gradient():
    m = nn.Linear(3, 3)
    w0 = m.weight.detach().numpy().copy()
    parametrize.register_parametrization(m, "weight", Symmetric())
    assert parametrize.is_parametrized(m) and parametrize.is_parametrized(m, "weight")
    assert not parametrize.is_parametrized(m, "bias")
    assert type(m).__name__ == "ParametrizedLinear" and isinstance(m, nn.Linear)
    np.testing.assert_allclose(m.weight.detach().numpy(), np.triu(w0) + np.triu(w0, 1).T)
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original"]
    assert [n for n, _ in m.named_parameters()] == ["bias", "parametrizations.weight.original"]
    m(tg.randn(2, 3)).sum().backward()
    assert m.parametrizations.weight.original.grad is not None
    assert type(nn.Linear(3, 3)).__name__ == "Linear"  # the original class is untouched


def test_right_inverse_on_registration_and_assignment_and_chaining():
    m = nn.Linear(2, 2)
    w0 = m.weight.detach().numpy().copy()
    original = m.weight
    parametrize.register_parametrization(m, "weight", Double())
    assert m.parametrizations.weight.original is original  # the same Parameter object, halved
    np.testing.assert_allclose(original.detach().numpy(), w0 / 2)
    np.testing.assert_allclose(m.weight.detach().numpy(), w0)
    m.weight = tg.ones(2, 2)
    np.testing.assert_allclose(original.detach().numpy(), np.full((2, 2), 0.5))
    parametrize.register_parametrization(m, "weight", Double())
    np.testing.assert_allclose(m.weight.detach().numpy(), np.full((2, 2), 2.0))
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original"]
    with pytest.raises(KeyError, match="attribute 'weight' already exists"):
        m.weight = nn.Parameter(tg.ones(2, 2))


def test_remove_parametrizations_leaves_plain_parameter():
    m = nn.Linear(3, 3)
    parametrize.register_parametrization(m, "weight", Symmetric())
    value = m.weight.detach().numpy().copy()
    parametrize.remove_parametrizations(m, "weight")
    assert type(m) is nn.Linear and not hasattr(m, "parametrizations")
    assert isinstance(m.weight, nn.Parameter)
    np.testing.assert_allclose(m.weight.detach().numpy(), value)
    assert list(m.state_dict()) == ["bias", "weight"]
    m2 = nn.Linear(2, 2)
    parametrize.register_parametrization(m2, "weight", Double())
    halved = m2.parametrizations.weight.original.detach().numpy().copy()
    parametrize.remove_parametrizations(m2, "weight", leave_parametrized=False)
    np.testing.assert_allclose(m2.weight.detach().numpy(), halved)


def test_cached_computes_once():
    calls = []

    class Counting(nn.Module):
        def forward(self, x):
            calls.append(1)
            return x + 0

    m = parametrize.register_parametrization(nn.Linear(2, 2), "weight", Counting())
    calls.clear()
    with parametrize.cached():
        first, second = m.weight, m.weight
    assert first is second and len(calls) == 1
    m.weight
    assert len(calls) == 2


def test_parametrize_errors():
    m = nn.Linear(2, 3)
    with pytest.raises(
        ValueError, match="does not have a parameter, a buffer, or a parametrized element with name 'w'"
    ):
        parametrize.register_parametrization(m, "w", Double())

    class Shrink(nn.Module):
        def forward(self, x):
            return x[0]

    with pytest.raises(ValueError, match=r"(?s)may not change the shape.*unparametrized shape: \(3, 2\)"):
        parametrize.register_parametrization(m, "weight", Shrink())
    with pytest.raises(ValueError, match="Module Linear does not have a parametrization on weight"):
        parametrize.remove_parametrizations(m, "weight")


# ---- weight_norm ---------------------------------------------------------------------------------


@pytest.mark.parametrize("dim", [0, 1, -2, None])
def test_weight_norm_value_keys_and_gradients(dim):
    conv = nn.Conv2d(2, 3, 2).double()
    w0 = conv.weight.detach().numpy().copy()
    parametrizations.weight_norm(conv, dim=dim)
    g = conv.parametrizations.weight.original0
    v = conv.parametrizations.weight.original1
    assert list(conv.state_dict()) == [
        "bias",
        "parametrizations.weight.original0",
        "parametrizations.weight.original1",
    ]
    np.testing.assert_allclose(conv.weight.detach().numpy(), w0)  # unchanged at registration
    expected_g_shape = () if dim is None else tuple(s if i == dim % 4 else 1 for i, s in enumerate(w0.shape))
    assert g.shape == expected_g_shape
    g.detach().numpy()[...] = arr(*expected_g_shape)
    np.testing.assert_allclose(
        conv.weight.detach().numpy(), np_weight_norm(g.detach().numpy(), v.detach().numpy(), dim)
    )
    conv(tg.randn(1, 2, 3, 3, dtype=tg.float64)).sum().backward()
    assert g.grad.shape == g.shape and v.grad.shape == v.shape


def test_weight_norm_gradcheck_and_remove():
    g = tg.tensor(arr(3, 1), requires_grad=True)
    v = tg.tensor(arr(3, 4, seed=1), requires_grad=True)
    wn = parametrizations._WeightNorm(0)
    assert gradcheck(lambda g, v: wn(g, v), (g, v))
    m = parametrizations.weight_norm(nn.Linear(4, 3))
    value = m.weight.detach().numpy().copy()
    parametrize.remove_parametrizations(m, "weight")
    assert isinstance(m.weight, nn.Parameter) and list(m.state_dict()) == ["bias", "weight"]
    np.testing.assert_allclose(m.weight.detach().numpy(), value, rtol=1e-6)


# ---- spectral_norm -------------------------------------------------------------------------------


def test_spectral_norm_unit_largest_singular_value_and_keys():
    tg.manual_seed(0)
    m = nn.Linear(5, 4).double()
    w0 = m.weight.detach().numpy().copy()
    parametrizations.spectral_norm(m, n_power_iterations=5)
    assert list(m.state_dict()) == [
        "bias",
        "parametrizations.weight.original",
        "parametrizations.weight.0._u",
        "parametrizations.weight.0._v",
    ]
    assert [n for n, _ in m.named_buffers()] == [
        "parametrizations.weight.0._u",
        "parametrizations.weight.0._v",
    ]
    for _ in range(3):
        weight = m.weight.detach().numpy()
    np.testing.assert_allclose(np.linalg.svd(weight, compute_uv=False)[0], 1.0, rtol=1e-6)
    np.testing.assert_allclose(weight, w0 / np.linalg.svd(w0, compute_uv=False)[0], rtol=1e-6)
    u = m.parametrizations.weight[0]._u.detach().numpy()
    np.testing.assert_allclose(np.abs(u), np.abs(np.linalg.svd(w0)[0][:, 0]), atol=1e-6)
    m(tg.randn(2, 5, dtype=tg.float64)).sum().backward()
    assert m.parametrizations.weight.original.grad.shape == (4, 5)


def test_spectral_norm_dims_eval_and_gradient():
    tg.manual_seed(1)
    conv = nn.ConvTranspose2d(3, 2, 2).double()  # dim 1 by default for transposed convolutions
    w0 = conv.weight.detach().numpy().copy()
    parametrizations.spectral_norm(conv)
    sigma = np.linalg.svd(w0.transpose(1, 0, 2, 3).reshape(2, -1), compute_uv=False)[0]
    np.testing.assert_allclose(conv.weight.detach().numpy(), w0 / sigma, rtol=1e-6)
    conv.eval()
    u = conv.parametrizations.weight[0]._u.detach().numpy().copy()
    conv.weight
    np.testing.assert_array_equal(
        conv.parametrizations.weight[0]._u.detach().numpy(), u
    )  # no iteration in eval
    sn = conv.parametrizations.weight[0]
    assert gradcheck(lambda w: sn(w), (tg.tensor(w0, requires_grad=True),))
    with pytest.raises(ValueError, match="Expected n_power_iterations to be positive"):
        parametrizations.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)
    with pytest.raises(
        IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\] but got 2\)"
    ):
        parametrizations.spectral_norm(nn.Linear(2, 2), dim=2)


# ---- the older hook-based API --------------------------------------------------------------------


def test_old_weight_norm_and_remove():
    m = nn.Linear(3, 2)
    w0 = m.weight.detach().numpy().copy()
    with pytest.warns(FutureWarning, match="weight_norm` is deprecated"):
        nn.utils.weight_norm(m)
    assert list(m.state_dict()) == ["bias", "weight_g", "weight_v"]
    np.testing.assert_allclose(
        m.weight_g.detach().numpy(), np.linalg.norm(w0, axis=1, keepdims=True), rtol=1e-6
    )
    m.weight_g.detach().numpy()[...] = 2.0
    m(tg.randn(4, 3)).sum().backward()
    expected = np_weight_norm(2.0, w0, 0)
    np.testing.assert_allclose(m.weight.detach().numpy(), expected, rtol=1e-6)
    assert m.weight_g.grad.shape == (2, 1) and m.weight_v.grad.shape == (2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with pytest.raises(
            RuntimeError, match="Cannot register two weight_norm hooks on the same parameter weight"
        ):
            nn.utils.weight_norm(m)
    nn.utils.remove_weight_norm(m)
    assert list(m.state_dict()) == ["bias", "weight"] and isinstance(m.weight, nn.Parameter)
    np.testing.assert_allclose(m.weight.detach().numpy(), expected, rtol=1e-6)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found in Linear"):
        nn.utils.remove_weight_norm(m)


def test_old_spectral_norm_and_remove():
    tg.manual_seed(2)
    m = nn.Linear(4, 3).double()
    w0 = m.weight.detach().numpy().copy()
    nn.utils.spectral_norm(m, n_power_iterations=30)
    assert list(m.state_dict()) == ["bias", "weight_orig", "weight_u", "weight_v"]
    m(tg.randn(2, 4, dtype=tg.float64)).sum().backward()
    np.testing.assert_allclose(np.linalg.svd(m.weight.detach().numpy(), compute_uv=False)[0], 1.0, rtol=1e-6)
    assert m.weight_orig.grad.shape == (3, 4)
    nn.utils.remove_spectral_norm(m)
    assert list(m.state_dict()) == ["bias", "weight"]
    np.testing.assert_allclose(
        m.weight.detach().numpy(), w0 / np.linalg.svd(w0, compute_uv=False)[0], rtol=1e-6
    )
