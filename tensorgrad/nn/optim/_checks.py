"""Helpers shared by the optimizers added after SGD/Adam/RMSprop: PyTorch's hyperparameter
messages, and loading state entries that are not tensors of the parameter's shape."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from ...tensor import Tensor, _wrap
from .optimizer import Optimizer


def is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check(optimizer: str, ok: bool, message: str) -> None:
    """ValueError "<optimizer>: <message>" unless `ok` (PyTorch's messages, prefixed by the name)."""
    if not ok:
        raise ValueError(f"{optimizer}: {message}")


def check_at_least(optimizer: str, what: str, value: Any, low: float = 0.0) -> None:
    """PyTorch's "Invalid learning rate: -1" unless low <= value (nan and non-numbers fail too)."""
    check(optimizer, is_real(value) and low <= value, f"Invalid {what}: {value}")


def check_betas(optimizer: str, betas: Any) -> None:
    check(
        optimizer,
        isinstance(betas, (tuple, list)) and len(betas) == 2,
        f"Invalid betas value: {betas} (expected a pair)",
    )
    for i, beta in enumerate(betas):
        check(optimizer, is_real(beta) and 0.0 <= beta < 1.0, f"Invalid beta parameter at index {i}: {beta}")


def scalar_state(value: float) -> Tensor:
    """A per-parameter scalar that PyTorch keeps as a 0-d float32 tensor (its default scalar dtype)."""
    return _wrap(np.array(value, dtype=np.float32))


def own_scalar(optimizer: str, name: str, value: Any) -> Tensor:
    """A private 0-d float32 copy of a loaded scalar state entry."""
    arr = value._data if isinstance(value, Tensor) else np.asarray(value)
    if arr.size != 1 or arr.dtype.kind not in "iuf":
        raise ValueError(f"{optimizer}.load_state_dict: state '{name}' must be one number, got {value!r}")
    return scalar_state(arr.reshape(()))


def load_state_dict_with_extras(
    opt: Optimizer,
    state_dict: dict[str, Any],
    extras: tuple[str, ...],
    own: Callable[[str, Any], Any],
    required: bool = True,
) -> None:
    """`Optimizer.load_state_dict` for an optimizer whose per-parameter state also holds entries
    that are not tensors of the parameter's shape (NAdam's mu_product, ASGD's eta and mu, LBFGS's
    history): those named in `extras` are set aside, checked and copied by `own(name, value)`
    (which raises ValueError), the rest is loaded by the base class, then they are put back.
    With `required`, a parameter's non-empty state must hold every extra. Nothing changes if
    anything fails."""
    if not isinstance(state_dict, dict) or not isinstance(state_dict.get("state"), dict):
        Optimizer.load_state_dict(opt, state_dict)  # raises its own message
        return
    rest: dict[Any, Any] = {}
    kept: dict[Any, dict[str, Any]] = {}
    for key, param_state in state_dict["state"].items():
        if isinstance(param_state, dict):
            kept[key] = {k: own(k, v) for k, v in param_state.items() if k in extras}
            missing = [k for k in extras if k not in kept[key]]
            if required and param_state and missing:
                raise ValueError(
                    f"{type(opt).__name__}.load_state_dict: state for parameter {key} lacks {missing}"
                )
            param_state = {k: v for k, v in param_state.items() if k not in extras}
        rest[key] = param_state
    Optimizer.load_state_dict(opt, {"state": rest, "param_groups": state_dict["param_groups"]})
    by_index = {}
    for saved, group in zip(state_dict["param_groups"], opt.param_groups):
        for i, p in zip(saved["params"], group["params"]):
            by_index[int(i)] = p
    for key, values in kept.items():
        opt.state[by_index[int(key)]].update(values)
