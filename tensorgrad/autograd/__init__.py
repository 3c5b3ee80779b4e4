"""Automatic differentiation: Function, backward, grad, grad mode and gradient checking."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .function import Function, once_differentiable
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled

__all__ = [
    "Function",
    "once_differentiable",
    "backward",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "detect_anomaly",
    "is_anomaly_enabled",
    "set_detect_anomaly",
    "functional",
]


def __getattr__(name: str) -> Any:
    """`autograd.functional` loads on first use: it needs the ops, which import this package."""
    if name == "functional":
        import importlib

        return importlib.import_module(".functional", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _as_tuple(x: Any) -> tuple:
    if x is None:
        return ()
    if isinstance(x, (list, tuple)):
        return tuple(x)
    return (x,)


def _initial_grads(outputs: tuple, grad_outputs: tuple, op: str) -> list:
    grads = []
    for i, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            raise TypeError(f"{op}: expected Tensors as outputs, got {type(out).__name__}")
        if not out._requires_grad:
            raise RuntimeError(
                f"{op}: element {i} of tensors does not require grad and does not have a grad_fn"
            )
        g = grad_outputs[i] if i < len(grad_outputs) else None
        if g is None:
            if out._data.size != 1:
                raise RuntimeError(
                    f"{op}: grad can be implicitly created only for scalar outputs (output {i} has "
                    f"shape {list(out.shape)}); pass a gradient of that shape"
                )
            g = _wrap(np.ones(out._data.shape, dtype=out._data.dtype))
        elif not isinstance(g, Tensor):
            g = tensor(g, dtype=out._data.dtype)
        if g._data.shape != out._data.shape:
            raise RuntimeError(
                f"{op}: Mismatch in shape: grad_output[{i}] has a shape of {list(g.shape)} and "
                f"output[{i}] has a shape of {list(out.shape)}."
            )
        if g._data.dtype != out._data.dtype:
            g = g.to(out._data.dtype)  # as PyTorch: backward runs in the output's dtype
        grads.append(g)
    return grads


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Sequence[Tensor] | None = None,
) -> None:
    """Accumulate gradients of `tensors` into the `.grad` of graph leaves (or of `inputs`)."""
    outputs = _as_tuple(tensors)
    grads = _initial_grads(outputs, _as_tuple(grad_tensors), "backward")
    retain = create_graph if retain_graph is None else retain_graph
    if inputs is None:
        run_backward(outputs, grads, retain, create_graph)
        return
    targets = _as_tuple(inputs)
    results = run_backward(outputs, grads, retain, create_graph, targets)
    for t, g in zip(targets, results):
        if g is not None:
            t._grad = g if t._grad is None else t._grad + g


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple:
    """The gradients of `outputs` with respect to `inputs`, without touching any `.grad`."""
    outs = _as_tuple(outputs)
    ins = _as_tuple(inputs)
    for i, t in enumerate(ins):
        if not isinstance(t, Tensor) or not t._requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    grads = _initial_grads(outs, _as_tuple(grad_outputs), "grad")
    retain = create_graph if retain_graph is None else retain_graph
    results = run_backward(outs, grads, retain, create_graph, ins)
    for i, g in enumerate(results):
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: one of the differentiated Tensors (input {i}) appears to not have been "
                "used in the graph. Set allow_unused=True if this is the desired behavior."
            )
    return tuple(results)


from ..ops.creation import tensor  # noqa: E402
from ..tensor import Tensor, _wrap  # noqa: E402
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly  # noqa: E402
from .engine import run_backward  # noqa: E402
from .gradcheck import gradcheck, gradgradcheck  # noqa: E402
