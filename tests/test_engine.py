"""Semantics of the graph engine: accumulation, retain_graph, no_grad, versions, long chains."""

import numpy as np
import pytest

import tensorgrad as tg


def test_gradient_accumulates_across_backward_calls():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 6.0])


def test_tensor_used_twice_sums_both_paths():
    x = tg.tensor([1.0, -2.0], requires_grad=True)
    (x * x + x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.array([1.0, -2.0]) + 1)


def test_second_backward_without_retain_graph_raises():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp()).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp().sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp([1.0, 2.0]), rtol=1e-6)


def test_no_grad_records_nothing():
    x = tg.tensor([1.0], requires_grad=True)
    with tg.no_grad():
        y = x * 2
    assert y.grad_fn is None and not y.requires_grad


def test_detach_cuts_the_graph():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x.detach() * x).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 2.0])


def test_non_scalar_backward_needs_and_uses_gradient():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        y.backward()
    y.backward(tg.tensor([1.0, 0.0, 2.0]))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 0.0, 12.0])


def test_inplace_change_of_saved_tensor_raises_at_backward():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    a = x * 1
    y = a * a
    a.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_chain_of_100000_ops_backpropagates_without_recursion():
    x = tg.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_inputs_that_do_not_require_grad_get_no_gradient():
    x = tg.tensor([[1.0, 2.0]])
    w = tg.tensor([[3.0], [4.0]], requires_grad=True)
    (x @ w).sum().backward()
    assert x.grad is None
    np.testing.assert_allclose(w.grad.numpy(), [[1.0], [2.0]])


def test_autograd_grad_does_not_touch_dot_grad_and_supports_second_order():
    x = tg.tensor([2.0], requires_grad=True)
    (g,) = tg.autograd.grad((x**3).sum(), x, create_graph=True)
    assert x.grad is None
    np.testing.assert_allclose(g.detach().numpy(), [12.0])
    (gg,) = tg.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), [12.0])


def test_saved_tensors_are_freed_after_backward():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    fn = y.grad_fn
    y.sum().backward()
    with pytest.raises(RuntimeError, match="after they have already been freed"):
        fn.saved_tensors


def test_data_shares_storage_outside_the_graph():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    d = w.data
    assert not d.requires_grad and d.grad_fn is None
    d.mul_(2)
    np.testing.assert_allclose(w.detach().numpy(), [2.0, 4.0])
    w.data = tg.tensor([5.0])
    assert w.shape == (1,)
    with pytest.raises(TypeError, match="data must be set to a Tensor"):
        w.data = [1.0]


def test_a_root_gradient_of_another_dtype_is_cast_to_the_output_dtype():
    """As in PyTorch, backward(gradient) runs in the output's dtype whatever the gradient's dtype
    (a float32 gradient once reached a float64 gemm and failed inside the kernel)."""
    w = tg.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=tg.float64, requires_grad=True)
    x = tg.tensor([[1.0, -1.0]], dtype=tg.float64, requires_grad=True)
    y = tg.nn.functional.linear(x, w)
    y.backward(tg.tensor([[1.0, 0.5]]))  # float32
    assert x.grad.dtype == tg.float64 and w.grad.dtype == tg.float64
    np.testing.assert_allclose(x.grad.numpy(), [[1.0 + 0.5 * 3.0, 2.0 + 0.5 * 4.0]])
    z = x * 3
    z.backward(tg.tensor([[2, 1]]))  # int64
    np.testing.assert_allclose(x.grad.numpy(), [[2.5 + 6.0, 4.0 + 3.0]])
