"""`Optimizer`: parameter groups, per-parameter state, zero_grad and PyTorch's state_dict layout.

Subclasses implement `step` as one fused in-place kernel call per parameter (kernels/optim.pyx)
and `_check_group` to validate their hyperparameters. Updates write straight into the
parameter buffers and record no autograd graph.
"""

from __future__ import annotations

import numbers
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ...autograd import enable_grad
from ...tensor import Tensor, _wrap


class _Required:
    def __repr__(self) -> str:
        return "<required parameter>"


required = _Required()  # a default that each parameter group must set itself

_SET_MESSAGE = (
    "optimizer parameters need to be organized in ordered collections, but the ordering of tensors "
    "in sets will change between runs. Please use a list instead."
)


class Optimizer:
    """Base class of all optimizers (PyTorch's `torch.optim.Optimizer`).

    `params` is an iterable of tensors, or of dicts that each define a parameter group with
    a "params" entry and per-group options that override `defaults`.
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, "
                "but got a Tensor"
            )
        if isinstance(params, (set, frozenset)):
            raise TypeError(_SET_MESSAGE)
        self._check_group(defaults)
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def _check_group(self, group: dict[str, Any]) -> None:
        """Raise ValueError naming the first invalid hyperparameter in `group`."""

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        """The state entries that `step` needs for a parameter of `group` once it has state."""
        return ()

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (missing ones come from `defaults`)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError("param_group must have a 'params' entry")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(_SET_MESSAGE)
        else:
            params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p)}")
            if p.grad_fn is not None:
                raise ValueError("can't optimize a non-leaf Tensor")
            if p._data.dtype != np.float32 and p._data.dtype != np.float64:
                raise TypeError(
                    f"optimizer can only optimize float32 or float64 Tensors, got one of dtype {p.dtype}"
                )
        group = dict(param_group)
        group["params"] = params
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(
                    f"parameter group didn't specify a value of required optimization parameter {name}"
                )
            group.setdefault(name, default)
        self._check_group(group)
        if len(set(params)) != len(params):
            raise ValueError("optimizer contains a parameter group with duplicate parameters")
        for other in self.param_groups:
            if not set(other["params"]).isdisjoint(params):
                raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized tensors: to None (default), or to zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                elif g._data.flags.writeable and g.grad_fn is None:
                    g._data.fill(0)
                    g._vc[0] += 1
                else:  # a read-only (broadcast) or graph-attached gradient: replace it
                    p._grad = _wrap(np.zeros_like(p._data))

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; `closure` re-evaluates the model and returns the loss."""
        raise NotImplementedError

    def _eval_closure(self, closure: Callable[[], Any] | None) -> Any:
        if closure is None:
            return None
        with enable_grad():
            return closure()

    # ---- checkpoints ---------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """{"state": {index: {name: value}}, "param_groups": [{option: value, "params": [index]}]}.

        Parameters are numbered in the order of the groups, as in PyTorch; the state tensors
        are the optimizer's own (not copies), so save the dict before training further.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            ids = []
            for p in group["params"]:
                i = index.setdefault(id(p), len(index))
                ids.append(i)
            packed["params"] = ids
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p in self.state:
                    state[index[id(p)]] = dict(self.state[p])
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore options and state from `state_dict()`; the optimizer is unchanged if this fails."""
        if not isinstance(state_dict, dict) or "state" not in state_dict or "param_groups" not in state_dict:
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: expected a dict with 'state' and 'param_groups'"
            )
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: loaded state dict has {len(saved_groups)} "
                f"parameter groups, the optimizer has {len(self.param_groups)}"
            )
        by_index: dict[int, Tensor] = {}
        group_of: dict[int, dict[str, Any]] = {}
        new_groups = []
        for gi, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"{type(self).__name__}.load_state_dict: loaded parameter group {gi} has "
                    f"{len(saved['params'])} parameters, the optimizer's has {len(group['params'])}"
                )
            for i, p in zip(saved["params"], group["params"]):
                by_index[int(i)] = p
                group_of[int(i)] = saved
            new_group = {k: v for k, v in saved.items() if k != "params"}
            for name, default in self.defaults.items():
                new_group.setdefault(name, default)
            self._check_group(new_group)
            new_group["params"] = group["params"]
            new_groups.append(new_group)
        new_state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        name = type(self).__name__
        for key, param_state in state_dict["state"].items():
            try:
                index = int(key)
            except (TypeError, ValueError):
                index = None
            p = by_index.get(index)
            if p is None or not isinstance(param_state, dict):
                raise ValueError(
                    f"{name}.load_state_dict: state for parameter {key!r}, which no parameter group "
                    "lists (or which is not a dict)"
                )
            new_state[p] = {k: _own_state_value(name, k, v, p) for k, v in param_state.items()}
            missing = [k for k in self._state_names(group_of[index]) if new_state[p].get(k) is None]
            if missing:
                raise ValueError(f"{name}.load_state_dict: state for parameter {key} lacks {missing}")
        self.param_groups = new_groups
        self.state = new_state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


def _own_state_value(optimizer: str, name: str, value: Any, p: Tensor) -> Any:
    """A private, contiguous copy of a loaded state tensor in the parameter's dtype."""
    if isinstance(value, np.ndarray):
        value = _wrap(value)
    if name == "step":
        step = value._data if isinstance(value, Tensor) else np.asarray(value)
        if step.size != 1 or step.dtype.kind not in "iuf":
            raise ValueError(f"{optimizer}.load_state_dict: state 'step' must be one number, got {value!r}")
        return _wrap(np.array(step.reshape(()), dtype=np.float32))
    if value is None:
        return value
    if not isinstance(value, Tensor) or value._data.dtype.kind not in "iuf":
        raise ValueError(
            f"{optimizer}.load_state_dict: state '{name}' must be a tensor of numbers, got "
            f"{type(value).__name__} {getattr(value, 'dtype', '')}"
        )
    if value._data.shape != p._data.shape:
        raise ValueError(
            f"{optimizer}.load_state_dict: state '{name}' has shape {list(value.shape)}, but its "
            f"parameter has shape {list(p.shape)}"
        )
    return _wrap(np.array(value._data, dtype=p._data.dtype, order="C"))


def new_step_counter() -> Tensor:
    """PyTorch keeps the step count of Adam/RMSprop as a float32 scalar tensor."""
    return _wrap(np.zeros((), dtype=np.float32))


def update_buffers(p: Tensor, g: Tensor) -> tuple[np.ndarray, np.ndarray]:
    """The arrays a fused update kernel may use for parameter `p` and its gradient `g`.

    The parameter array is written in place, so it must be C-contiguous, aligned and writeable:
    otherwise a contiguous copy is returned, which `finish_update` copies back. The gradient is
    made contiguous and cast to the parameter's dtype when needed.
    """
    parr = p._data
    garr = g._data
    if garr.shape != parr.shape:
        raise RuntimeError(
            f"optimizer step: gradient of shape {list(garr.shape)} for a parameter of shape "
            f"{list(parr.shape)}"
        )
    if not parr.flags.carray:
        if not parr.flags.writeable:
            raise RuntimeError("optimizer step: parameter is backed by a read-only array")
        parr = np.ascontiguousarray(parr)
    if garr.dtype != parr.dtype or not garr.flags.c_contiguous:
        garr = np.ascontiguousarray(garr, dtype=parr.dtype)
    return parr, garr


def finish_update(p: Tensor, parr: np.ndarray) -> None:
    """Publish an in-place update: copy back from a contiguous stand-in, bump the version."""
    if parr is not p._data:
        p._data[...] = parr
    p._vc[0] += 1


def state_array(state: dict[str, Any], name: str, parr: np.ndarray, optimizer: str) -> np.ndarray:
    """The array of state tensor `name`, which a kernel updates in place next to parameter `parr`:
    it must have the parameter's shape and dtype and be C-contiguous and writeable (a kernel would
    otherwise write out of bounds or through the wrong strides)."""
    arr = state[name]._data
    if arr.shape != parr.shape or arr.dtype != parr.dtype or not arr.flags.carray:
        raise RuntimeError(
            f"{optimizer}.step: state '{name}' has shape {list(arr.shape)} and dtype {arr.dtype}"
            f"{'' if arr.flags.carray else ' (not a writeable C-contiguous buffer)'}; expected a "
            f"contiguous tensor of the parameter's shape {list(parr.shape)} and dtype {parr.dtype}"
        )
    return arr


def zeros_state(parr: np.ndarray) -> Tensor:
    return _wrap(np.zeros_like(parr, order="C"))


def check_range(optimizer: str, name: str, value: Any, low: float, high: float | None = None) -> None:
    """ValueError naming `name` unless low <= value (< high)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not low <= value:
        raise ValueError(f"{optimizer}: Invalid {name} value: {value!r}")
    if high is not None and not value < high:
        raise ValueError(f"{optimizer}: Invalid {name} value: {value!r} (must be in [{low}, {high}))")
