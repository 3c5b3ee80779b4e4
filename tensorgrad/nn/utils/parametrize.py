"""`tensorgrad.nn.utils.parametrize`: PyTorch's parametrizations of module tensors.

`register_parametrization(module, "weight", P)` moves `module.weight` to
`module.parametrizations.weight.original` (or `original0`, `original1`, ... when P's
right_inverse returns several tensors) and makes `module.weight` compute `P(original)` on every
access. As in PyTorch, the module's class is swapped for a dynamically created subclass
("ParametrizedLinear") carrying a property per parametrized name; a class-level property is a
data descriptor, so it wins over the instance `__dict__` in which Module keeps its registered
values. Assigning a tensor to the name calls the parametrizations' right_inverse.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from ...autograd import no_grad
from ...tensor import Tensor
from ..modules.container import ModuleDict, ModuleList
from ..modules.module import Module
from ..parameter import Parameter

_cache_enabled = 0
_cache: dict[tuple[int, str], Tensor] = {}


@contextmanager
def cached() -> Iterator[None]:
    """Within this context each parametrized tensor is computed once, on first access, and reused
    (e.g. a weight read at every step of a recurrent loop)."""
    global _cache_enabled
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache.clear()


def _assign(target: Tensor, value: Tensor) -> None:
    """target's data replaced by value's, keeping the target object (PyTorch's `set_`)."""
    if target._data.shape == value._data.shape and target._data.dtype == value._data.dtype:
        np.copyto(target._data, value._data)
    else:
        target._data = np.array(value._data)
    target._vc[0] += 1


def _register(module: Module, name: str, tensor: Tensor) -> None:
    if isinstance(tensor, Parameter):
        module.register_parameter(name, tensor)
    else:
        module.register_buffer(name, tensor)


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, applied in order, with the unparametrized tensor(s) as
    `original` (or `original0`, `original1`, ... when right_inverse returns a sequence)."""

    def __init__(self, modules: Sequence[Module], original: Tensor, unsafe: bool = False) -> None:
        if len(modules) == 0:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe
        with no_grad():
            new: Any = original
            for module in reversed(list(self)):
                if hasattr(module, "right_inverse"):
                    new = module.right_inverse(new)
        if not isinstance(new, (Tensor, Sequence)):
            raise ValueError(
                f"'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). Got "
                f"{type(new).__name__}"
            )
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if original.dtype != new.dtype:
                raise ValueError(
                    "When `right_inverse` outputs one tensor, it may not change the dtype.\n"
                    f"original.dtype: {original.dtype}\nright_inverse(original).dtype: {new.dtype}"
                )
            if new is not original:
                _assign(original, new)
            _register(self, "original", original)
        else:
            for i, value in enumerate(new):
                if not isinstance(value, Tensor):
                    raise ValueError(
                        f"'right_inverse' must return a Tensor or a Sequence of tensors. Got element {i} "
                        f"of type {type(value).__name__}"
                    )
                value = value.detach()
                if isinstance(original, Parameter):
                    value = Parameter(value, original.requires_grad)
                _register(self, f"original{i}", value)
        if not unsafe:
            _check_consistent(self(), original, "registering a parametrization")

    def right_inverse(self, value: Tensor) -> None:
        """Set the original tensor(s) so that the parametrization evaluates to `value`, calling
        right_inverse of each parametrization from the last to the first."""
        with no_grad():
            for module in reversed(list(self)):
                if not hasattr(module, "right_inverse"):
                    raise RuntimeError(
                        f"parametrization {type(module).__name__} does not implement right_inverse."
                    )
                value = module.right_inverse(value)
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError(f"`right_inverse` should return a tensor. Got {type(value).__name__}")
                original = self.original
                if value.dtype != original.dtype or (not self.unsafe and value.shape != original.shape):
                    raise ValueError(
                        f"The tensor returned by `right_inverse` has dtype {value.dtype} and shape "
                        f"{tuple(value.shape)}; expected the original's dtype {original.dtype} and shape "
                        f"{tuple(original.shape)}"
                    )
                _assign(original, value)
            else:
                if not isinstance(value, Sequence) or len(value) != self.ntensors:
                    raise ValueError(
                        f"'right_inverse' must return a sequence of {self.ntensors} tensors, got {value!r}"
                    )
                for i, tensor in enumerate(value):
                    _assign(getattr(self, f"original{i}"), tensor)

    def forward(self) -> Tensor:
        modules = list(self)
        if self.is_tensor:
            x = modules[0](self.original)
        else:
            x = modules[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in modules[1:]:
            x = module(x)
        return x


def _check_consistent(value: Any, original: Tensor, when: str) -> None:
    if not isinstance(value, Tensor):
        raise ValueError(f"A parametrization must return a tensor. Got {type(value).__name__} when {when}.")
    if value.dtype != original.dtype or value.shape != original.shape:
        raise ValueError(
            f"Registering a parametrization may not change the shape or dtype of the tensor, unless "
            f"`unsafe` flag is enabled.\nunparametrized dtype: {original.dtype}\nparametrized dtype: "
            f"{value.dtype}\nunparametrized shape: {tuple(original.shape)}\nparametrized shape: "
            f"{tuple(value.shape)}"
        )


def _inject_new_class(module: Module) -> None:
    """Swap the module's class for a subclass of it on which properties can be set without
    touching the original class. Assigning a Parameter to a parametrized name raises, as in
    PyTorch (Module.register_parameter checks the instance __dict__, which does not see it)."""
    cls = module.__class__

    def __setattr__(self: Module, name: str, value: Any) -> None:
        if isinstance(value, Parameter) and is_parametrized(self, name):
            raise KeyError(f"attribute '{name}' already exists")
        cls.__setattr__(self, name, value)

    module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), {"__setattr__": __setattr__})


def _inject_property(module: Module, tensor_name: str) -> None:
    def get_parametrized(self: Module) -> Tensor:
        parametrization = self.parametrizations[tensor_name]
        if not _cache_enabled:
            return parametrization()
        key = (id(self), tensor_name)
        tensor = _cache.get(key)
        if tensor is None:
            tensor = _cache[key] = parametrization()
        return tensor

    def set_original(self: Module, value: Tensor) -> None:
        self.parametrizations[tensor_name].right_inverse(value)

    setattr(module.__class__, tensor_name, property(get_parametrized, set_original))


def register_parametrization(
    module: Module, tensor_name: str, parametrization: Module, *, unsafe: bool = False
) -> Module:
    """Register a parametrization to a tensor in a module: `module.tensor_name` becomes
    `parametrization(original)`, the original kept as `module.parametrizations[tensor_name].original`.

    A second parametrization of the same tensor is applied after the first. With right_inverse the
    parametrization also initialises the original from the current value (and `module.tensor_name
    = value` works). `unsafe=True` skips the checks that the shape and dtype are kept.
    """
    if not isinstance(parametrization, Module):
        raise TypeError(
            "register_parametrization: parametrization must be a Module, got "
            f"{type(parametrization).__name__}"
        )
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        parametrizations = module.parametrizations[tensor_name]
        if not unsafe:
            current = getattr(module, tensor_name)
            _check_consistent(
                parametrization(current), current, f"adding a parametrization to '{tensor_name}'"
            )
        parametrizations.append(parametrization)
        parametrizations.unsafe |= unsafe
    elif tensor_name in module._buffers or tensor_name in module._parameters:
        original = getattr(module, tensor_name)
        if original is None:
            raise ValueError(
                f"Module '{module._get_name()}' has '{tensor_name}' set to None; nothing to parametrize"
            )
        parametrizations = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_new_class(module)
            module.parametrizations = ModuleDict()
        _inject_property(module, tensor_name)
        module.parametrizations[tensor_name] = parametrizations
    else:
        raise ValueError(
            f"Module '{module._get_name()}' does not have a parameter, a buffer, or a parametrized element "
            f"with name '{tensor_name}'"
        )
    return module


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether the module has any parametrization, or one on `tensor_name`."""
    parametrizations = module.__dict__.get("parametrizations")
    if not isinstance(parametrizations, ModuleDict):
        return False
    if tensor_name is None:
        return len(parametrizations) > 0
    return tensor_name in parametrizations


def remove_parametrizations(module: Module, tensor_name: str, leave_parametrized: bool = True) -> Module:
    """Remove the parametrizations on `tensor_name`: it becomes a plain parameter (or buffer) again,
    holding the current parametrized value (leave_parametrized=True) or the original one. When the
    last parametrization goes, the module gets its original class back."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module._get_name()} does not have a parametrization on {tensor_name}")
    parametrizations = module.parametrizations[tensor_name]
    if parametrizations.is_tensor:
        original = parametrizations.original
        if leave_parametrized:
            with no_grad():
                value = getattr(module, tensor_name)
            _assign(original, value)
    else:
        if not leave_parametrized:
            raise ValueError(
                "Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is parametrized in "
                "terms of a sequence of tensors."
            )
        with no_grad():
            value = getattr(module, tensor_name).detach()
        first = parametrizations.original0
        original = Parameter(value, first.requires_grad) if isinstance(first, Parameter) else value
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    _register(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = module.__class__.__bases__[0]
    return module


def type_before_parametrizations(module: Module) -> type:
    """The module's class before any parametrization was registered."""
    return module.__class__.__bases__[0] if is_parametrized(module) else type(module)
