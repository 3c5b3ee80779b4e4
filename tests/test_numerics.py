"""Numerics at the edges: stable formulations give finite, correct values and gradients for extreme
inputs (references in float64 numpy), and `autograd.detect_anomaly` finds the op that makes a
NaN or an infinity."""

import numpy as np
import pytest

import tensorgrad as tg
import tensorgrad.nn.functional as F
from tensorgrad import profiler
from tensorgrad.autograd import Function, detect_anomaly, engine, function

DTYPES = [np.float32, np.float64]
BIG = [1e4, -1e4]


def leaf(values, dtype):
    return tg.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def ref_logsumexp(x, axis):
    m = np.max(x, axis=axis, keepdims=True)
    return (m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))).squeeze(axis)


def ref_softmax(x, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def assert_finite_close(actual, expected, dtype, magnitude=1.0):
    """Finite and within a few rounding errors of `magnitude` (a result derived from values of
    size 1e4 inherits their absolute rounding error, about 1e4 * eps)."""
    actual = np.asarray(actual, dtype=np.float64)
    assert np.isfinite(actual).all(), actual
    tol = 8 * np.finfo(dtype).eps * max(1.0, magnitude)
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol)


# ---- log-sum-exp, softmax, log_softmax, cross-entropy with logits of +-1e4 ------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("big", BIG)
def test_logsumexp_of_huge_logits(dtype, big):
    x64 = np.array([[big, big - 1.0, big - 30.0], [big, big, big]])
    x = leaf(x64, dtype)
    y = tg.logsumexp(x, dim=1)
    assert_finite_close(y.detach().numpy(), ref_logsumexp(x64, 1), dtype, abs(big))
    y.sum().backward()
    assert_finite_close(x.grad.numpy(), ref_softmax(x64, 1), dtype, abs(big))


def test_logsumexp_of_all_minus_inf_row_is_minus_inf_not_nan():
    y = tg.logsumexp(tg.tensor([[-np.inf, -np.inf], [0.0, -np.inf]]), dim=1)
    np.testing.assert_array_equal(y.numpy(), [-np.inf, 0.0])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("big", BIG)
def test_softmax_and_log_softmax_of_huge_logits(dtype, big):
    x64 = np.array([[big, 0.0, -big], [big, big, 1.0]])
    x = leaf(x64, dtype)
    p = tg.softmax(x, dim=1)
    assert_finite_close(p.detach().numpy(), ref_softmax(x64, 1), dtype)
    logp = tg.log_softmax(x, dim=1)
    expected = x64 - ref_logsumexp(x64, 1)[:, None]
    assert_finite_close(logp.detach().numpy(), expected, dtype, abs(big))
    w = np.arange(6.0).reshape(2, 3)
    (logp * tg.tensor(w, dtype=dtype)).sum().backward()
    # d/dx sum(w * log_softmax(x)) = w - softmax(x) * sum(w)
    ref_grad = w - ref_softmax(x64, 1) * w.sum(axis=1, keepdims=True)
    assert_finite_close(x.grad.numpy(), ref_grad, dtype, abs(big))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("big", BIG)
def test_cross_entropy_with_huge_logits(dtype, big):
    x64 = np.array([[big, 0.0, -big], [0.0, big, 0.0], [-big, -big, big]])
    target = np.array([1, 1, 0])
    x = leaf(x64, dtype)
    loss = F.cross_entropy(x, tg.tensor(target))
    logp = x64 - ref_logsumexp(x64, 1)[:, None]
    expected = -logp[np.arange(3), target].mean()
    assert_finite_close(loss.item(), expected, dtype, abs(big))
    loss.backward()
    onehot = np.eye(3)[target]
    assert_finite_close(x.grad.numpy(), (ref_softmax(x64, 1) - onehot) / 3, dtype, abs(big))


# ---- sigmoid and BCE-with-logits at |x| = 1e3 ---------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_saturates_without_nan(dtype):
    x = leaf([-1e3, -50.0, 0.0, 50.0, 1e3], dtype)
    y = tg.sigmoid(x)
    expected = np.array([0.0, 1 / (1 + np.exp(50.0)), 0.5, 1 / (1 + np.exp(-50.0)), 1.0])
    np.testing.assert_allclose(y.detach().numpy(), expected, rtol=1e-6, atol=0)
    y.sum().backward()
    assert np.isfinite(x.grad.numpy()).all()
    np.testing.assert_allclose(x.grad.numpy(), expected * (1 - expected), rtol=1e-5, atol=1e-30)


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_with_logits_for_large_magnitudes(dtype):
    x64 = np.array([-1e3, -1e3, 1e3, 1e3, 0.0])
    t64 = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    x = leaf(x64, dtype)
    loss = F.binary_cross_entropy_with_logits(x, tg.tensor(t64, dtype=dtype), reduction="none")
    # log(1 + exp(x)) - t x, written stably
    expected = np.maximum(x64, 0) - t64 * x64 + np.log1p(np.exp(-np.abs(x64)))
    assert_finite_close(loss.detach().numpy(), expected, dtype)
    loss.sum().backward()
    sig = np.array([0.0, 0.0, 1.0, 1.0, 0.5])
    assert_finite_close(x.grad.numpy(), sig - t64, dtype)


# ---- var, clamp + log, exp overflow, division ---------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("value", [1e-3, 1.0, 1e4, 3e7])
def test_var_and_std_of_a_constant_input_are_zero(dtype, value):
    """Zero up to the rounding of the mean (never negative, never E[x^2] - E[x]^2 garbage)."""
    x = leaf(np.full((4, 1000), value), dtype)
    limit = (8 * np.finfo(dtype).eps * value) ** 2
    v = tg.var(x, dim=1)
    assert ((v.detach().numpy() >= 0) & (v.detach().numpy() <= limit)).all(), v
    v.sum().backward()
    assert np.abs(x.grad.numpy()).max() <= 8 * np.finfo(dtype).eps * value
    assert 0 <= tg.var(x).item() <= limit
    s = tg.std(x, dim=0).detach().numpy()
    assert ((s >= 0) & (s <= np.sqrt(limit))).all()


@pytest.mark.parametrize("dtype", DTYPES)
def test_var_of_large_offset_data_is_accurate(dtype):
    base = 1e4 if dtype == np.float32 else 1e8
    x64 = base + np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    # naive E[x^2] - E[x]^2 loses every digit here; the true variance is 2.5
    np.testing.assert_allclose(tg.var(tg.tensor(x64, dtype=dtype)).item(), 2.5, rtol=1e-5)


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_of_zero_under_clamp_is_finite(dtype):
    p = leaf([0.0, 1e-45, 0.5, 1.0], dtype)
    eps = 1e-7
    y = tg.log(tg.clamp(p, min=eps))
    expected = np.log(np.maximum(np.array([0.0, 1e-45, 0.5, 1.0]).astype(dtype), dtype(eps)))
    np.testing.assert_allclose(y.detach().numpy(), expected, rtol=1e-6)
    y.sum().backward()
    g = x_grad = p.grad.numpy()
    assert np.isfinite(x_grad).all()
    np.testing.assert_allclose(g, [0.0, 0.0, 2.0, 1.0], rtol=1e-6)


def test_log_of_zero_without_clamp_is_minus_inf():
    np.testing.assert_array_equal(tg.log(tg.tensor([0.0, 1.0])).numpy(), [-np.inf, 0.0])


@pytest.mark.parametrize("dtype", DTYPES)
def test_exp_overflow_gives_inf_not_nan(dtype):
    big = 100.0 if dtype == np.float32 else 1000.0
    x = leaf([big, 0.0, -big], dtype)
    y = tg.exp(x)
    out = y.detach().numpy()
    assert out[0] == np.inf and out[1] == 1.0 and 0.0 <= out[2] < 1e-40
    assert not np.isnan(out).any()
    y.sum().backward()
    g = x.grad.numpy()
    assert g[0] == np.inf and not np.isnan(g).any()


def test_int_and_float_division_by_zero_follows_ieee():
    out = (tg.tensor([1.0, -1.0, 0.0]) / 0.0).numpy()
    assert out[0] == np.inf and out[1] == -np.inf and np.isnan(out[2])


@pytest.mark.parametrize("dtype", DTYPES)
def test_sqrt_at_zero_has_inf_gradient_not_nan(dtype):
    x = leaf([0.0, 4.0], dtype)
    tg.sqrt(x).sum().backward()
    assert x.grad.numpy()[0] == np.inf and x.grad.numpy()[1] == 0.25


@pytest.mark.parametrize("dtype", DTYPES)
def test_tanh_of_huge_values_saturates_with_zero_gradient(dtype):
    x = leaf([-1e4, 1e4], dtype)
    y = tg.tanh(x)
    np.testing.assert_array_equal(y.detach().numpy(), [-1.0, 1.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])


@pytest.mark.parametrize("dtype", DTYPES)
def test_layer_norm_of_constant_rows_is_finite(dtype):
    x = leaf(np.full((3, 8), 5.0), dtype)
    y = F.layer_norm(x, (8,))
    np.testing.assert_array_equal(y.detach().numpy(), np.zeros((3, 8)))
    y.sum().backward()
    assert np.isfinite(x.grad.numpy()).all()


# ---- detect_anomaly -------------------------------------------------------------------------------


def assert_not_instrumented():
    assert function._forward_hook is None
    assert engine._backward_hook is None
    assert not tg.autograd.is_anomaly_enabled()


def test_forward_anomaly_names_the_op_the_shapes_and_the_user_line():
    x = tg.tensor([[1.0, 1.5], [2.0, 3.0]], requires_grad=True)
    with detect_anomaly():
        y = x * 2.0
        with pytest.raises(RuntimeError) as info:
            tg.log(y - 2.0)  # LOG-LINE
    message = str(info.value)
    assert "Log" in message and "inf" in message and "[2, 2]" in message
    assert "test_numerics.py" in message and "LOG-LINE" in message
    assert_not_instrumented()


def test_backward_anomaly_names_the_backward_op_and_its_forward_line():
    x = tg.tensor([0.0, 4.0], requires_grad=True)
    with detect_anomaly():
        y = tg.sqrt(x)  # SQRT-LINE
        with pytest.raises(RuntimeError) as info:
            y.sum().backward()
    message = str(info.value)
    assert "SqrtBackward" in message and "inf" in message and "SQRT-LINE" in message
    assert_not_instrumented()


def test_nan_in_backward_of_a_user_function_is_caught():
    class Bad(Function):
        @staticmethod
        def forward(ctx, a):
            return a.detach() * 1.0

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")

    x = tg.ones(3, requires_grad=True)
    with detect_anomaly():
        y = Bad.apply(x)
        with pytest.raises(RuntimeError, match="BadBackward.*nan"):
            y.sum().backward()


def test_non_finite_inputs_do_not_blame_the_op_and_finite_runs_are_unchanged():
    x = tg.tensor([np.inf, 1.0], requires_grad=True)
    with detect_anomaly():
        y = (x * 2.0).sum()  # inf in, inf out: not this op's doing
    assert y.item() == np.inf
    a = tg.tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)
    (tg.tanh(a) * a).sum().backward()
    expected = a.grad.numpy().copy()
    a.grad = None
    with detect_anomaly():
        (tg.tanh(a) * a).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), expected)
    assert_not_instrumented()


def test_other_errors_in_backward_carry_the_forward_stack():
    x = tg.ones(2, requires_grad=True)
    with detect_anomaly():
        y = tg.tanh(x).sum()
        y.backward()
        with pytest.raises(RuntimeError, match="second time") as info:
            y.backward()  # tanh's saved output is already freed
    if hasattr(info.value, "add_note"):
        notes = "".join(info.value.__notes__)
        assert "TanhBackward" in notes and "test_numerics.py" in notes


def test_check_nan_false_only_records():
    with detect_anomaly(check_nan=False):
        y = tg.log(tg.tensor([0.0], requires_grad=True))
    assert y.detach().numpy()[0] == -np.inf


@pytest.mark.parametrize("profile_outside", [True, False])
def test_anomaly_composes_with_the_profiler(profile_outside):
    x = tg.tensor([1.0, 0.0], requires_grad=True)
    outer, inner = (profiler.profile(), detect_anomaly())
    if not profile_outside:
        outer, inner = inner, outer
    with outer:
        with inner as entered:
            prof = entered if profile_outside is False else None
            y = (x * 3.0).sum()
            y.backward()
            with pytest.raises(RuntimeError, match="Log"):
                tg.log(x)
        if prof is None:
            prof = outer
    names = {row.name for row in prof.key_averages()}
    assert {"MulScalar", "Sum", "Log"} <= names
    assert x.grad.numpy().tolist() == [3.0, 3.0]
    assert_not_instrumented()
    assert profiler._patches == []


def test_anomaly_mode_restores_everything_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with detect_anomaly():
            with detect_anomaly():
                raise ZeroDivisionError
    assert_not_instrumented()
