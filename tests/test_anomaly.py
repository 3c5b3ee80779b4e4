"""set_detect_anomaly / detect_anomaly: PyTorch's message for a NaN gradient, and no trace when off."""

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad.autograd import detect_anomaly, engine, function, is_anomaly_enabled, set_detect_anomaly


def nan_grad_graph():
    """sqrt(x) * 0 at x = 0: the forward is finite, sqrt's backward gives inf * 0 = nan."""
    x = tg.tensor([0.0, 4.0], requires_grad=True)
    return x, (tg.sqrt(x) * 0.0).sum()  # SQRT-NAN-LINE


def test_nan_gradient_raises_pytorchs_message_naming_the_node_and_forward_op():
    with detect_anomaly():
        x, y = nan_grad_graph()
        with pytest.raises(
            RuntimeError, match=r"Function 'SqrtBackward' returned nan values in its 0th output\."
        ) as info:
            y.backward()
    assert "forward op Sqrt" in str(info.value) and "SQRT-NAN-LINE" in str(info.value)
    assert not is_anomaly_enabled() and engine._backward_hook is None


def test_set_detect_anomaly_switches_globally_and_as_a_context_manager():
    assert not is_anomaly_enabled()
    set_detect_anomaly(True)
    try:
        assert is_anomaly_enabled() and engine._backward_hook is not None
        with set_detect_anomaly(False):
            assert not is_anomaly_enabled() and engine._backward_hook is None
        assert is_anomaly_enabled()
        x, y = nan_grad_graph()
        with pytest.raises(RuntimeError, match="SqrtBackward' returned nan"):
            y.backward()
    finally:
        set_detect_anomaly(False)
    assert engine._backward_hook is None and function._forward_hook is None


def test_off_nothing_is_checked_and_the_gradient_is_plain():
    x, y = nan_grad_graph()
    y.backward()
    assert np.isnan(x.grad.numpy()[0]) and x.grad.numpy()[1] == 0.0
    with set_detect_anomaly(True, check_nan=False):
        x, y = nan_grad_graph()
        y.backward()  # stacks recorded, values not checked
    assert np.isnan(x.grad.numpy()[0])
    assert not is_anomaly_enabled()
