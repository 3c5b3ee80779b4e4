"""autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp against closed-form derivatives (numpy)."""

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad.autograd import functional as AF
from tensorgrad.autograd import gradcheck

RNG = np.random.default_rng(0)
X = RNG.standard_normal(3)
A = RNG.standard_normal((2, 3))


def t(a, requires_grad=False):
    return tg.tensor(np.array(a, dtype=np.float64), requires_grad=requires_grad)


def sin_sq(x):
    return tg.sin(x) * x**2


def sin_sq_jac(x):  # d/dx sin(x) x^2 = cos(x) x^2 + 2 x sin(x), elementwise
    return np.diag(np.cos(x) * x**2 + 2 * x * np.sin(x))


def two_in_two_out(a, b):
    return a @ b, (b**2).sum()


def cubic(x):  # sum x^3 + x0 x1
    return (x**3).sum() + x[0] * x[1]


def cubic_hess(x):
    h = np.diag(6 * x)
    h[0, 1] += 1
    h[1, 0] += 1
    return h


def test_jacobian_single_tensor_returns_a_tensor():
    jac = AF.jacobian(sin_sq, t(X))
    assert isinstance(jac, tg.Tensor) and not jac.requires_grad
    np.testing.assert_allclose(jac.numpy(), sin_sq_jac(X), rtol=1e-12)


def test_jacobian_tuple_inputs_and_outputs_are_nested_output_then_input():
    jac = AF.jacobian(two_in_two_out, (t(A), t(X)))
    assert isinstance(jac, tuple) and len(jac) == 2 and all(len(row) == 2 for row in jac)
    d_ab_da = np.zeros((2, 2, 3))
    for i in range(2):
        d_ab_da[i, i, :] = X
    np.testing.assert_allclose(jac[0][0].numpy(), d_ab_da)
    np.testing.assert_allclose(jac[0][1].numpy(), A)
    np.testing.assert_array_equal(jac[1][0].numpy(), np.zeros((2, 3)))  # independent: zeros
    np.testing.assert_allclose(jac[1][1].numpy(), 2 * X)


def test_jacobian_structure_for_single_output_tuple_input_and_vectorize_strategies():
    jac = AF.jacobian(lambda a, b: a * b, (t(X), t(X[::-1].copy())))
    assert isinstance(jac, tuple) and isinstance(jac[0], tg.Tensor)
    np.testing.assert_allclose(jac[0].numpy(), np.diag(X[::-1]))
    for strategy in ("reverse-mode", "forward-mode"):
        jac = AF.jacobian(sin_sq, t(X), vectorize=True, strategy=strategy)
        np.testing.assert_allclose(jac.numpy(), sin_sq_jac(X), rtol=1e-12)


def test_jacobian_create_graph_is_differentiable():
    x = t(X, requires_grad=True)
    jac = AF.jacobian(lambda a: a**3, x, create_graph=True)
    assert jac.requires_grad
    jac.sum().backward()  # sum of diag(3 x^2) -> 6x
    np.testing.assert_allclose(x.grad.numpy(), 6 * X)
    assert gradcheck(lambda a: AF.jacobian(sin_sq, a, create_graph=True), (t(X, True),))


def test_hessian_single_and_tuple_inputs():
    hess = AF.hessian(cubic, t(X))
    assert isinstance(hess, tg.Tensor)
    np.testing.assert_allclose(hess.numpy(), cubic_hess(X))
    y = RNG.standard_normal(3)
    h = AF.hessian(lambda a, b: (a**2 * b).sum(), (t(X), t(y)))
    np.testing.assert_allclose(h[0][0].numpy(), np.diag(2 * y))
    np.testing.assert_allclose(h[0][1].numpy(), np.diag(2 * X))
    np.testing.assert_allclose(h[1][0].numpy(), np.diag(2 * X))
    np.testing.assert_array_equal(h[1][1].numpy(), np.zeros((3, 3)))


def test_hessian_of_a_linear_function_is_zero_and_strict_refuses_it():
    lin = lambda a: (a * 2.0).sum()  # noqa: E731
    np.testing.assert_array_equal(AF.hessian(lin, t(X)).numpy(), np.zeros((3, 3)))
    with pytest.raises(RuntimeError, match="jacobian of the user-provided function with respect to input 0"):
        AF.hessian(lin, t(X), strict=True)
    with pytest.raises(RuntimeError, match="should return a single Tensor"):
        AF.hessian(lambda a: (a.sum(), a.sum()), t(X))
    with pytest.raises(RuntimeError, match="should contain a single element"):
        AF.hessian(lambda a: a * a, t(X))


def test_vjp_and_jvp_match_jacobian_products():
    v_out = RNG.standard_normal(2)
    v_in = (RNG.standard_normal((2, 3)), RNG.standard_normal(3))
    jac_ab_a = np.zeros((2, 2, 3))
    for i in range(2):
        jac_ab_a[i, i, :] = X
    f = lambda a, b: a @ b  # noqa: E731
    out, (va, vb) = AF.vjp(f, (t(A), t(X)), t(v_out))
    np.testing.assert_allclose(out.numpy(), A @ X)
    np.testing.assert_allclose(va.numpy(), np.einsum("i,ijk->jk", v_out, jac_ab_a))
    np.testing.assert_allclose(vb.numpy(), v_out @ A)
    out, jv = AF.jvp(f, (t(A), t(X)), (t(v_in[0]), t(v_in[1])))
    assert isinstance(jv, tg.Tensor)
    np.testing.assert_allclose(jv.numpy(), np.einsum("ijk,jk->i", jac_ab_a, v_in[0]) + A @ v_in[1])
    _, jv = AF.jvp(sin_sq, t(X), t(v_in[1]))
    np.testing.assert_allclose(jv.numpy(), sin_sq_jac(X) @ v_in[1])
    _, g = AF.vjp(cubic, t(X))  # v=None for a scalar output: the gradient
    np.testing.assert_allclose(g.numpy(), 3 * X**2 + np.array([X[1], X[0], 0.0]))


def test_hvp_and_vhp_match_the_hessian():
    v = RNG.standard_normal(3)
    for fn in (AF.hvp, AF.vhp):
        value, hv = fn(cubic, t(X), t(v))
        np.testing.assert_allclose(value.numpy(), (X**3).sum() + X[0] * X[1])
        np.testing.assert_allclose(hv.numpy(), cubic_hess(X) @ v)
    y = RNG.standard_normal(3)
    _, (hx, hy) = AF.hvp(lambda a, b: (a**2 * b).sum(), (t(X), t(y)), (t(v), t(v)))
    np.testing.assert_allclose(hx.numpy(), 2 * y * v + 2 * X * v)
    np.testing.assert_allclose(hy.numpy(), 2 * X * v)


def test_create_graph_products_stay_connected_to_the_inputs():
    x = t(X, requires_grad=True)
    v = RNG.standard_normal(3)
    _, hv = AF.hvp(cubic, x, t(v), create_graph=True)
    hv.sum().backward()  # d/dx sum(H v) = 6 v (only the diagonal depends on x)
    np.testing.assert_allclose(x.grad.numpy(), 6 * v)
    _, g = AF.vjp(cubic, t(X))
    assert not g.requires_grad


def test_strict_mode_errors_for_independent_outputs():
    f = lambda a, b: a * 2.0  # noqa: E731
    ins = (t(X), t(X))
    v = t(np.ones(3))
    _, (ga, gb) = AF.vjp(f, ins, v)
    np.testing.assert_array_equal(gb.numpy(), np.zeros(3))
    with pytest.raises(RuntimeError, match="independent of input 1. This is not allowed in strict mode"):
        AF.vjp(f, ins, v, strict=True)
    with pytest.raises(
        RuntimeError, match=("Output 0 of the user-provided function is independent of input 1")
    ):
        AF.jacobian(f, ins, strict=True)
    with pytest.raises(
        RuntimeError, match=("The output of the user-provided function is independent of input 1")
    ):
        AF.jvp(f, ins, (v, v), strict=True)
    with pytest.raises(
        RuntimeError, match=("Output 0 of the user-provided function does not require gradients")
    ):
        AF.jacobian(lambda a: tg.ones(3), t(X), strict=True)
    np.testing.assert_array_equal(AF.jacobian(lambda a: tg.ones(3), t(X)).numpy(), np.zeros((3, 3)))
    with pytest.raises(RuntimeError, match="`strict=True` and `vectorized=True`"):
        AF.jacobian(sin_sq, t(X), strict=True, vectorize=True)


def test_bad_arguments_are_named():
    with pytest.raises(RuntimeError, match=r"v has invalid size: should be \[3\] but got \[2\]"):
        AF.vjp(sin_sq, t(X), t(np.ones(2)))
    with pytest.raises(RuntimeError, match=r"Entry 1 in v has invalid size"):
        AF.jvp(lambda a, b: a * b, (t(X), t(X)), (t(X), t(np.ones(2))))
    with pytest.raises(RuntimeError, match="v is a tuple of invalid length: should be 2 but got 1"):
        AF.jvp(lambda a, b: a * b, (t(X), t(X)), (t(X),))
    with pytest.raises(
        RuntimeError, match=("v can only be None if the user-provided function returns a single")
    ):
        AF.vjp(sin_sq, t(X))
    with pytest.raises(RuntimeError, match="v can only be None if the input"):
        AF.hvp(cubic, t(X))
    with pytest.raises(TypeError, match="inputs given to jacobian must be either a Tensor or a tuple"):
        AF.jacobian(sin_sq, X)
    with pytest.raises(ValueError, match='Expected strategy to be either "forward-mode" or "reverse-mode"'):
        AF.jacobian(sin_sq, t(X), strategy="sideways")
    with pytest.raises(NotImplementedError, match="only implemented for `vectorize=True`"):
        AF.jacobian(sin_sq, t(X), strategy="forward-mode")
