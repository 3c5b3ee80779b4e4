"""Numerical gradient checks with PyTorch's signatures: `gradcheck`, `gradgradcheck`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


class GradcheckError(RuntimeError):
    """Raised when analytical and numerical gradients disagree."""


def _tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (list, tuple)) else (x,)


def _outputs(fn: Callable, inputs: tuple) -> tuple:
    out = _tuple(fn(*inputs))
    return tuple(o for o in out if isinstance(o, Tensor) and o._data.dtype.kind == "f")


def _numerical_jacobians(fn: Callable, inputs: tuple, eps: float) -> list:
    """J[i][o] with shape (inputs[i].numel(), outputs[o].numel()), by central differences."""
    with no_grad():
        outs = _outputs(fn, inputs)
        jac = []
        for t in inputs:
            if not (isinstance(t, Tensor) and t._requires_grad):
                jac.append(None)
                continue
            per_out = [np.zeros((t._data.size, o._data.size)) for o in outs]
            for j, pos in enumerate(np.ndindex(t._data.shape)):
                orig = t._data[pos].item()
                t._data[pos] = orig + eps
                plus = [o._data.astype(np.float64).copy() for o in _outputs(fn, inputs)]
                t._data[pos] = orig - eps
                minus = [o._data.astype(np.float64).copy() for o in _outputs(fn, inputs)]
                t._data[pos] = orig
                for k in range(len(outs)):
                    per_out[k][j] = ((plus[k] - minus[k]) / (2 * eps)).reshape(-1)
            jac.append(per_out)
    return jac


def _analytical_jacobians(fn: Callable, inputs: tuple) -> list:
    diff_inputs = [t for t in inputs if isinstance(t, Tensor) and t._requires_grad]
    with enable_grad():
        outs = _outputs(fn, inputs)
    jac = {id(t): [np.zeros((t._data.size, o._data.size)) for o in outs] for t in diff_inputs}
    for k, o in enumerate(outs):
        if not o._requires_grad:
            continue
        for m in range(o._data.size):
            seed = np.zeros(o._data.size, dtype=o._data.dtype)
            seed[m] = 1
            grads = grad(
                o,
                diff_inputs,
                _wrap(seed.reshape(o._data.shape)),
                retain_graph=True,
                allow_unused=True,
            )
            for t, g in zip(diff_inputs, grads):
                if g is not None:
                    jac[id(t)][k][:, m] = g._data.astype(np.float64).reshape(-1)
    return [jac.get(id(t)) if isinstance(t, Tensor) and t._requires_grad else None for t in inputs]


def gradcheck(
    fn: Callable,
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Compare backward's gradients with central finite differences for every input element.

    Use float64 inputs; a mismatch raises GradcheckError naming the input and output, the
    element, and both values (or returns False with raise_exception=False).
    """
    inputs = _tuple(inputs)
    for i, t in enumerate(inputs):
        if isinstance(t, Tensor) and t._requires_grad and t._data.dtype != np.float64:
            raise GradcheckError(
                f"gradcheck: input {i} has dtype {t._data.dtype}; gradcheck needs float64 inputs "
                "to be meaningful"
            )
    numerical = _numerical_jacobians(fn, inputs, eps)
    analytical = _analytical_jacobians(fn, inputs)
    for i, (num, ana) in enumerate(zip(numerical, analytical)):
        if num is None:
            continue
        for k, (n, a) in enumerate(zip(num, ana)):
            bad = ~np.isclose(a, n, rtol=rtol, atol=atol, equal_nan=True)
            if bad.any():
                j, m = np.argwhere(bad)[0]
                msg = (
                    f"Jacobian mismatch for output {k} with respect to input {i}: at input "
                    f"element {j}, output element {m}, numerical {n[j, m]!r} vs analytical "
                    f"{a[j, m]!r} ({int(bad.sum())} of {bad.size} entries differ)"
                )
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(
    fn: Callable,
    inputs: Any,
    grad_outputs: Any = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """gradcheck of the first derivatives (computed with create_graph=True): checks second order."""
    inputs = _tuple(inputs)
    outs = _outputs(fn, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(_wrap(rng.standard_normal(o._data.shape)).requires_grad_() for o in outs)
    grad_outputs = _tuple(grad_outputs)
    n_in = len(inputs)

    def first_derivatives(*args: Any) -> tuple:
        ins, gos = args[:n_in], args[n_in:]
        diff = [t for t in ins if isinstance(t, Tensor) and t._requires_grad]
        with enable_grad():
            outputs = _outputs(fn, ins)
            grads = grad(outputs, diff, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivatives, inputs + grad_outputs, eps, atol, rtol, raise_exception)


from ..tensor import Tensor, _wrap  # noqa: E402
from . import grad  # noqa: E402
from .grad_mode import enable_grad, no_grad  # noqa: E402
