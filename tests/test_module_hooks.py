"""Hooks as in PyTorch: Module forward pre-hooks, forward hooks, full backward hooks, and
Tensor.register_hook; each replaces what it may replace and goes away with handle.remove()."""

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad import nn
from tensorgrad.nn.modules.module import Module


def _linear(seed: int = 0, in_features: int = 3, out_features: int = 2) -> nn.Linear:
    tg.manual_seed(seed)
    return nn.Linear(in_features, out_features).double()


def _x(*shape: int) -> tg.Tensor:
    return tg.from_numpy(np.random.default_rng(1).standard_normal(shape)).requires_grad_()


def _numpy_linear_grad(lin: nn.Linear, seed: np.ndarray) -> np.ndarray:
    """d(sum(seed * lin(x)))/dx."""
    return seed @ lin.weight.detach().numpy()


# ---- forward pre-hooks ------------------------------------------------------------------------------


def test_forward_pre_hook_sees_the_args_and_can_replace_them():
    lin = _linear()
    x = _x(4, 3)
    calls = []

    def double_input(module, args):
        calls.append((module, args))
        return (args[0] * 2,)

    handle = lin.register_forward_pre_hook(double_input)
    out = lin(x)
    assert calls[0][0] is lin and calls[0][1][0] is x
    want = 2 * x.detach().numpy() @ lin.weight.detach().numpy().T + lin.bias.detach().numpy()
    np.testing.assert_allclose(out.detach().numpy(), want)
    handle.remove()
    np.testing.assert_allclose(
        lin(x).detach().numpy(), want - x.detach().numpy() @ lin.weight.detach().numpy().T
    )
    assert len(calls) == 1


def test_forward_pre_hook_single_value_is_wrapped_and_none_keeps_args():
    lin = _linear()
    x = _x(2, 3)
    lin.register_forward_pre_hook(lambda m, args: None)
    lin.register_forward_pre_hook(lambda m, args: args[0] * 0)  # not a tuple: becomes (value,)
    np.testing.assert_allclose(lin(x).detach().numpy(), np.broadcast_to(lin.bias.detach().numpy(), (2, 2)))


def test_forward_pre_hook_with_kwargs():
    class Scale(Module):
        def forward(self, x, factor=1.0):
            return x * factor

    m = Scale()
    m.register_forward_pre_hook(
        lambda mod, args, kwargs: (args, {"factor": kwargs["factor"] * 10}), with_kwargs=True
    )
    assert m(tg.ones(2), factor=2.0).tolist() == [20.0, 20.0]
    m.register_forward_pre_hook(lambda mod, args, kwargs: "bad", with_kwargs=True)
    with pytest.raises(RuntimeError, match="tuple of \\(new_args, new_kwargs\\)"):
        m(tg.ones(2), factor=2.0)


# ---- forward hooks -------------------------------------------------------------------------------


def test_forward_hook_sees_args_and_output_and_can_replace_the_output():
    lin = _linear()
    x = _x(4, 3)
    seen = []

    def record_and_shift(module, args, output):
        seen.append((module, args[0], output))
        return output + 1

    handle = lin.register_forward_hook(record_and_shift)
    out = lin(x)
    module, arg, original = seen[0]
    assert module is lin and arg is x
    np.testing.assert_allclose(out.detach().numpy(), original.detach().numpy() + 1)
    out.sum().backward()  # the replacement is part of the graph
    np.testing.assert_allclose(x.grad.numpy(), _numpy_linear_grad(lin, np.ones((4, 2))))
    handle.remove()
    np.testing.assert_allclose(lin(x).detach().numpy(), original.detach().numpy())
    assert len(seen) == 1


def test_forward_hook_with_kwargs_and_hooks_run_in_order_prepend_first():
    class Scale(Module):
        def forward(self, x, factor=1.0):
            return x * factor

    m = Scale()
    order = []
    m.register_forward_hook(lambda mod, args, out: order.append("first"))
    m.register_forward_hook(lambda mod, args, kwargs, out: order.append(kwargs["factor"]), with_kwargs=True)
    m.register_forward_hook(lambda mod, args, out: order.append("prepended"), prepend=True)
    m(tg.ones(1), factor=3.0)
    assert order == ["prepended", "first", 3.0]


def test_hooks_on_children_of_a_sequential_run_in_the_model_call():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    shapes = []
    handles = [m.register_forward_hook(lambda mod, args, out: shapes.append(out.shape)) for m in model]
    model(tg.randn(5, 3))
    assert shapes == [(5, 4), (5, 4), (5, 2)]
    for h in handles:
        h.remove()
    model(tg.randn(5, 3))
    assert len(shapes) == 3


# ---- full backward hooks ------------------------------------------------------------------------


def test_full_backward_hook_receives_grad_input_and_grad_output():
    lin = _linear()
    x = _x(4, 3)
    seed = np.random.default_rng(2).standard_normal((4, 2))
    seen = []
    lin.register_full_backward_hook(lambda m, gi, go: seen.append((m, gi, go)))
    lin(x).backward(tg.from_numpy(seed))
    ((module, grad_input, grad_output),) = seen
    assert module is lin
    assert len(grad_input) == 1 and len(grad_output) == 1
    np.testing.assert_allclose(grad_output[0].numpy(), seed)
    np.testing.assert_allclose(grad_input[0].numpy(), _numpy_linear_grad(lin, seed))
    np.testing.assert_allclose(x.grad.numpy(), _numpy_linear_grad(lin, seed))


def test_full_backward_hook_can_replace_grad_input_and_parameters_are_untouched():
    lin = _linear()
    x = _x(4, 3)
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0] * 10,))
    lin(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 10 * _numpy_linear_grad(lin, np.ones((4, 2))))
    np.testing.assert_allclose(lin.weight.grad.numpy(), np.ones((2, 4)) @ x.detach().numpy())


def test_full_backward_hook_wrong_number_of_grads_raises():
    lin = _linear()
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="invalid number of grad_input, got 2, but expected 1"):
        lin(_x(2, 3)).sum().backward()


def test_full_backward_hook_with_several_inputs_and_a_non_tensor_argument():
    class Blend(Module):
        def forward(self, a, b, weight, c):
            return a * weight + b * b, c * 2

    m = Blend()
    a, b = _x(3), _x(3)
    c = tg.ones(3)  # does not require grad
    seen = []
    m.register_full_backward_hook(lambda mod, gi, go: seen.append((gi, go)))
    first, second = m(a, b, 0.5, c)
    assert not second.requires_grad
    first.sum().backward()
    grad_input, grad_output = seen[0]
    assert len(grad_input) == 4 and grad_input[2] is None and grad_input[3] is None
    np.testing.assert_allclose(grad_input[0].numpy(), np.full(3, 0.5))
    np.testing.assert_allclose(grad_input[1].numpy(), 2 * b.detach().numpy())
    assert len(grad_output) == 2 and grad_output[1] is None
    np.testing.assert_allclose(grad_output[0].numpy(), np.ones(3))


def test_full_backward_hook_when_no_input_requires_grad_gets_none_grad_input():
    lin = _linear()
    seen = []
    lin.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))
    lin(tg.ones(2, 3, dtype=tg.float64)).sum().backward()
    ((grad_input, grad_output),) = seen
    assert grad_input == (None,)
    np.testing.assert_allclose(grad_output[0].numpy(), np.ones((2, 2)))
    assert lin.weight.grad is not None


def test_full_backward_hook_runs_once_per_backward_and_not_under_no_grad():
    lin = _linear()
    calls = []
    lin.register_full_backward_hook(lambda m, gi, go: calls.append(1))
    x = _x(2, 3)
    out = lin(x) * 1
    out.sum().backward(retain_graph=True)
    out.sum().backward()
    assert len(calls) == 2
    with tg.no_grad():
        assert lin(x).grad_fn is None


def test_full_backward_hook_keeps_second_derivatives():
    class Cube(Module):
        def forward(self, x):
            return x * x * x

    m = Cube()
    calls = []
    m.register_full_backward_hook(lambda mod, gi, go: calls.append(1))
    x = _x(3)
    (g,) = tg.autograd.grad(m(x).sum(), x, create_graph=True)
    (gg,) = tg.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), 6 * x.detach().numpy())
    assert calls == [1]


def test_full_backward_hook_removal():
    lin = _linear()
    calls = []
    handle = lin.register_full_backward_hook(lambda m, gi, go: calls.append(1))
    lin(_x(2, 3)).sum().backward()
    handle.remove()
    x = _x(2, 3)
    out = lin(x)
    assert out.grad_fn.name() != "_ModuleOutputsBackward"  # no identity node any more
    out.sum().backward()
    assert calls == [1]


# ---- handles and the unhooked path ---------------------------------------------------------------


def test_handles_remove_twice_and_as_context_manager():
    lin = _linear()
    calls = []
    with lin.register_forward_hook(lambda m, a, o: calls.append(1)) as handle:
        lin(_x(1, 3))
    lin(_x(1, 3))
    handle.remove()  # a second remove does nothing
    assert calls == [1]


def test_removing_every_hook_restores_the_plain_call():
    lin = _linear()
    assert "_has_hooks" not in lin.__dict__ and not lin._has_hooks
    handles = [
        lin.register_forward_pre_hook(lambda m, a: None),
        lin.register_forward_hook(lambda m, a, o: None),
        lin.register_full_backward_hook(lambda m, gi, go: None),
    ]
    assert lin._has_hooks
    for i, h in enumerate(handles):
        h.remove()
        assert lin._has_hooks == (i < 2)


def test_hooks_stay_out_of_state_dict_and_children():
    lin = _linear()
    lin.register_forward_hook(lambda m, a, o: None)
    assert list(lin.state_dict()) == ["weight", "bias"]
    assert list(lin.children()) == []


# ---- Tensor.register_hook -------------------------------------------------------------------------


def test_tensor_hook_on_a_leaf_sees_and_replaces_the_gradient():
    x = _x(3)
    seen = []

    def double(grad):
        seen.append(grad.numpy().copy())
        return grad * 2

    handle = x.register_hook(double)
    (x * 3).sum().backward()
    np.testing.assert_allclose(seen[0], np.full(3, 3.0))
    np.testing.assert_allclose(x.grad.numpy(), np.full(3, 6.0))
    handle.remove()
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full(3, 3.0))
    assert len(seen) == 1


def test_tensor_hook_on_a_non_leaf_replaces_the_gradient_flowing_on():
    x = _x(3)
    y = x * x
    handle = y.register_hook(lambda g: g * 0 + 1)
    y.backward(tg.from_numpy(np.full(3, 5.0)))
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.detach().numpy())  # 1 instead of 5 upstream
    handle.remove()
    x.grad = None
    y = x * x
    y.backward(tg.from_numpy(np.full(3, 5.0)))
    np.testing.assert_allclose(x.grad.numpy(), 10 * x.detach().numpy())


def test_tensor_hook_returning_none_observes_only_and_needs_requires_grad():
    x = _x(2)
    seen = []
    x.register_hook(lambda g: seen.append(g.shape))
    (x * 2).sum().backward()
    assert seen == [(2,)] and x.grad.tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        tg.ones(2).register_hook(lambda g: g)


def test_full_backward_pre_hook_sees_and_can_replace_grad_output():
    lin = _linear()
    x = _x(4, 3)
    seen = []

    def pre_hook(module, grad_output):
        seen.append(("pre", module, grad_output[0].numpy().copy()))
        return (grad_output[0] * 10,)

    lin.register_full_backward_pre_hook(pre_hook)
    lin.register_full_backward_hook(lambda m, gi, go: seen.append(("full", gi[0].numpy(), go[0].numpy())))
    upstream = np.arange(8.0, dtype=np.float32).reshape(4, 2)
    lin(x).backward(tg.tensor(upstream))
    (pre, module, g_pre), (full, gi, go) = seen
    assert (pre, full) == ("pre", "full") and module is lin
    np.testing.assert_array_equal(g_pre, upstream)
    # the module is differentiated with the replaced grad_output, and the full hook sees it
    np.testing.assert_allclose(go, upstream * 10)
    np.testing.assert_allclose(x.grad.numpy(), _numpy_linear_grad(lin, upstream * 10), rtol=1e-6)
    np.testing.assert_allclose(gi, x.grad.numpy())
    np.testing.assert_allclose(lin.weight.grad.numpy(), (upstream * 10).T @ x.detach().numpy(), rtol=1e-5)


def test_full_backward_pre_hook_runs_when_no_input_requires_grad_and_can_be_removed():
    lin = _linear()
    calls = []
    handle = lin.register_full_backward_pre_hook(lambda m, go: calls.append(go[0].shape))
    lin(tg.ones(2, 3, dtype=tg.float64)).sum().backward()
    assert calls == [(2, 2)] and lin.weight.grad is not None
    handle.remove()
    lin(tg.ones(2, 3, dtype=tg.float64)).sum().backward()
    assert calls == [(2, 2)]


def test_full_backward_pre_hook_returning_the_wrong_count_raises():
    lin = _linear()
    lin.register_full_backward_pre_hook(lambda m, go: (go[0], go[0]))
    with pytest.raises(
        RuntimeError, match="Backward pre hook returned an invalid number of grad_output, got 2"
    ):
        lin(_x(2, 3)).sum().backward()
