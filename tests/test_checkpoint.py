"""utils.checkpoint: recomputing in backward gives exactly the gradients of the plain computation."""

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad import nn
from tensorgrad.utils.checkpoint import checkpoint, checkpoint_sequential


def mlp():
    tg.manual_seed(1)
    return nn.Sequential(
        nn.Linear(4, 8), nn.Tanh(), nn.Dropout(0.5), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2)
    ).double()


def grads(model, run, x_requires_grad=True):
    """(output, d loss/d x, d loss/d each parameter) with the dropout generator seeded."""
    model.zero_grad()
    x = tg.tensor(np.linspace(-1.0, 1.0, 12).reshape(3, 4), dtype=tg.float64, requires_grad=x_requires_grad)
    tg.manual_seed(7)
    out = run(model, x)
    (out * out).sum().backward()
    x_grad = None if x.grad is None else x.grad.numpy().copy()
    return out.detach().numpy(), x_grad, [p.grad.numpy().copy() for p in model.parameters()]


def assert_same(a, b):
    np.testing.assert_allclose(a[0], b[0], rtol=1e-12)
    if a[1] is not None or b[1] is not None:
        np.testing.assert_allclose(a[1], b[1], rtol=1e-12)
    for ga, gb in zip(a[2], b[2], strict=True):
        np.testing.assert_allclose(ga, gb, rtol=1e-12)


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_checkpointed_mlp_with_dropout_has_the_plain_gradients(use_reentrant):
    model = mlp()
    plain = grads(model, lambda m, x: m(x))
    state_after_plain = tg.ops.creation.generator().bit_generator.state
    ckpt = grads(model, lambda m, x: checkpoint(m, x, use_reentrant=use_reentrant))
    assert_same(plain, ckpt)
    # recomputation replays the saved generator state and then puts the current one back
    assert tg.ops.creation.generator().bit_generator.state == state_after_plain


def test_without_preserved_rng_state_the_mask_differs():
    model = mlp()
    plain = grads(model, lambda m, x: m(x))
    ckpt = grads(model, lambda m, x: checkpoint(m, x, use_reentrant=False, preserve_rng_state=False))
    assert not np.allclose(plain[2][0], ckpt[2][0])


def test_non_reentrant_reaches_parameters_when_no_input_requires_grad():
    model = mlp()
    plain = grads(model, lambda m, x: m(x), x_requires_grad=False)
    ckpt = grads(model, lambda m, x: checkpoint(m, x, use_reentrant=False), x_requires_grad=False)
    assert_same(plain, ckpt)


def test_tuple_outputs_non_tensor_args_and_kwargs():
    a = tg.tensor([0.5, -1.0, 2.0], dtype=tg.float64, requires_grad=True)

    def block(x, power, scale=1.0):
        return x**power * scale, tg.sin(x)

    y, s = checkpoint(block, a, 3, scale=2.0, use_reentrant=False)
    (y.sum() + s.sum()).backward()
    np.testing.assert_allclose(a.grad.numpy(), 6 * a.detach().numpy() ** 2 + np.cos(a.detach().numpy()))
    with pytest.raises(ValueError, match="Unexpected keyword arguments: scale"):
        checkpoint(block, a, 3, scale=2.0, use_reentrant=True)
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
        checkpoint(block, a, 3)


def test_gradcheck_through_a_checkpoint():
    w = tg.tensor(np.arange(6.0).reshape(2, 3) / 7, dtype=tg.float64, requires_grad=True)
    fn = lambda x, w: checkpoint(lambda a, b: tg.tanh(a @ b), x, w, use_reentrant=False)  # noqa: E731
    x = tg.tensor(np.linspace(-1, 1, 4).reshape(2, 2), dtype=tg.float64, requires_grad=True)
    assert tg.autograd.gradcheck(fn, (x, w))


@pytest.mark.parametrize("segments", [1, 2, 3])
def test_checkpoint_sequential_matches_the_plain_sequential(segments):
    model = mlp()
    plain = grads(model, lambda m, x: m(x))
    ckpt = grads(model, lambda m, x: checkpoint_sequential(m, segments, x, use_reentrant=False))
    assert_same(plain, ckpt)
    ckpt = grads(model, lambda m, x: checkpoint_sequential(list(m), segments, x, use_reentrant=True))
    assert_same(plain, ckpt)
