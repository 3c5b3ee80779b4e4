"""`Module`: the base class of every layer and model, with PyTorch's registration rules.

Assigning a `Parameter`, a `Module` or (for a registered name) a buffer to an attribute records it
in `_parameters`, `_modules` or `_buffers`, under PyTorch's names, so `state_dict` keys match
PyTorch's for the same module tree. Every registered value is also kept in the instance
`__dict__`, so reading `self.weight` in a forward is a plain attribute lookup (PyTorch goes
through `__getattr__`, which costs a failed lookup first).
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ... import dtypes
from ...device import to_arguments
from ...tensor import Tensor, _wrap
from ..parameter import Parameter
from .hooks import RemovableHandle, call_with_hooks


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What load_state_dict returns: the keys it did not find and the keys it did not use."""

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    pad = " " * spaces
    return lines[0] + "\n" + "\n".join(pad + line for line in lines[1:])


def _check_name(name: Any, kind: str) -> None:
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
    if name == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')
    if "." in name:
        raise KeyError(f'{kind} name can\'t contain ".", got: {name}')


class Module:
    """Base class for all neural network modules; subclass it and define `forward`."""

    training: bool
    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _non_persistent_buffers: set[str]
    _modules: dict[str, Module | None]
    # Hooks: {handle id: (hook, with_kwargs)} per kind, created by the first registration. Until
    # then the class-level defaults stand, and __call__ pays one attribute test for them.
    _has_hooks = False
    _forward_pre_hooks: dict | None = None
    _forward_hooks: dict | None = None
    _backward_hooks: dict | None = None
    _backward_pre_hooks: dict | None = None

    def __init__(self) -> None:
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent_buffers"] = set()
        d["_modules"] = {}

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._has_hooks:
            return call_with_hooks(self, args, kwargs)
        return self.forward(*args, **kwargs)

    # ---- hooks -----------------------------------------------------------------------------------
    def _add_hook(self, kind: str, hook: Callable, with_kwargs: bool, prepend: bool) -> RemovableHandle:
        d = self.__dict__  # not through __setattr__: hooks are no parameters, buffers or modules
        hooks = d.get(kind)
        if hooks is None:
            hooks = d[kind] = {}
        handle = RemovableHandle(hooks, self)
        if prepend:
            rest = list(hooks.items())
            hooks.clear()
            hooks[handle.id] = (hook, with_kwargs)
            hooks.update(rest)
        else:
            hooks[handle.id] = (hook, with_kwargs)
        d["_has_hooks"] = True
        return handle

    def _update_has_hooks(self) -> None:
        self.__dict__["_has_hooks"] = bool(
            self._forward_pre_hooks or self._forward_hooks or self._backward_hooks or self._backward_pre_hooks
        )

    def register_forward_pre_hook(
        self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call `hook(module, args)` before each forward; a returned value replaces the positional
        arguments (a non-tuple is wrapped in one). With `with_kwargs=True` the hook is called as
        `hook(module, args, kwargs)` and may return a new `(args, kwargs)`. `prepend` puts it
        before the hooks already registered. Returns a handle whose `remove()` unregisters it."""
        return self._add_hook("_forward_pre_hooks", hook, with_kwargs, prepend)

    def register_forward_hook(
        self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call `hook(module, args, output)` after each forward; a returned value replaces the
        output. With `with_kwargs=True` it is called as `hook(module, args, kwargs, output)`.
        Returns a handle whose `remove()` unregisters it."""
        return self._add_hook("_forward_hooks", hook, with_kwargs, prepend)

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """Call `hook(module, grad_input, grad_output)` when the gradients with respect to the
        module's inputs have been computed. grad_input and grad_output are tuples with one entry
        per positional input / output (None for non-tensors and tensors without a gradient); a
        returned tuple replaces grad_input. Returns a handle whose `remove()` unregisters it."""
        return self._add_hook("_backward_hooks", hook, False, prepend)

    def register_full_backward_pre_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """Call `hook(module, grad_output)` when the gradients with respect to the module's outputs
        have arrived, before the module is differentiated. grad_output has one entry per output
        (None for non-tensors and tensors without a gradient); a returned tuple of the same length
        replaces it. Returns a handle whose `remove()` unregisters it."""
        return self._add_hook("_backward_pre_hooks", hook, False, prepend)

    # ---- registration ----------------------------------------------------------------------------
    def _registries(self) -> tuple[dict, dict, dict]:
        d = self.__dict__
        if "_parameters" not in d:
            raise AttributeError(f"cannot assign to {type(self).__name__} before Module.__init__() call")
        return d["_parameters"], d["_buffers"], d["_modules"]

    def _forget(self, name: str) -> None:
        params, buffers, modules = self._registries()
        params.pop(name, None)
        buffers.pop(name, None)
        modules.pop(name, None)
        self._non_persistent_buffers.discard(name)

    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, (Parameter, Module)):
            self._forget(name)  # a name lives in one registry only
            d.pop(name, None)
            if isinstance(value, Parameter):
                self.register_parameter(name, value)
            else:
                self.add_module(name, value)
            return
        if params is not None:
            if name in params:
                if value is not None:
                    raise TypeError(
                        f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                        "(tensorgrad.nn.Parameter or None expected)"
                    )
                params[name] = None
            elif name in d["_modules"]:
                if value is not None:
                    raise TypeError(
                        f"cannot assign '{type(value).__name__}' as child module '{name}' "
                        "(tensorgrad.nn.Module or None expected)"
                    )
                d["_modules"][name] = None
            elif name in d["_buffers"]:
                if value is not None and not isinstance(value, Tensor):
                    raise TypeError(
                        f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                        "(tensorgrad.Tensor or None expected)"
                    )
                d["_buffers"][name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if "_parameters" in self.__dict__:
            self._forget(name)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or None, a declared-but-absent one) under `name`."""
        self._registries()
        _check_name(name, "parameter")
        if name in self.__dict__ and name not in self._parameters:
            if name in self._buffers or name in self._modules:
                self._forget(name)
            else:
                raise KeyError(f"attribute '{name}' already exists")
        if param is not None:
            if not isinstance(param, Parameter):
                raise TypeError(
                    f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                    "(tensorgrad.nn.Parameter or None required)"
                )
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a buffer: state that is not a parameter (running statistics); in state_dict if persistent."""
        self._registries()
        _check_name(name, "buffer")
        if name in self.__dict__ and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                "(tensorgrad.Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)
        object.__setattr__(self, name, tensor)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under `name` (its parameters get the prefix `name.`)."""
        self._registries()
        _check_name(name, "module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        if name in self.__dict__ and name not in self._modules:
            if name in self._parameters or name in self._buffers:
                self._forget(name)
            else:
                raise KeyError(f"attribute '{name}' already exists")
        self._modules[name] = module
        object.__setattr__(self, name, module)

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The submodule at a dotted path such as "encoder.layers.0"."""
        module = self
        if target == "":
            return module
        for item in target.split("."):
            child = module._modules.get(item)
            if child is None:
                raise AttributeError(
                    f"{module._get_name()} has no submodule `{item}` (looking up '{target}')"
                )
            module = child
        return module

    # ---- iteration -----------------------------------------------------------------------------------
    def named_modules(
        self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for this module and every descendant, each once by default."""
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(
                    memo, prefix + "." + name if prefix else name, remove_duplicate
                )

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry: str, prefix: str, recurse: bool, remove_duplicate: bool) -> Iterator:
        seen = set()
        modules = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else [(prefix, self)]
        )
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or value in seen:
                    continue
                if remove_duplicate:
                    seen.add(value)
                yield (module_prefix + "." + name if module_prefix else name), value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs; a parameter shared by two modules comes once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ---- state dict ------------------------------------------------------------------------------------
    def state_dict(self, destination: Any = None, prefix: str = "", keep_vars: bool = False) -> OrderedDict:
        """Parameters and persistent buffers by dotted name, as PyTorch names them.

        Values share memory with the module's tensors (detached unless keep_vars=True).
        """
        if destination is None:
            destination = OrderedDict()
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers:
                destination[prefix + name] = b if keep_vars else b.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination, prefix + name + ".", keep_vars)
        return destination

    def load_state_dict(self, state_dict: Any, strict: bool = True) -> _IncompatibleKeys:
        """Copy parameters and buffers from `state_dict` into this module's tensors, in place.

        Every key and shape is checked before anything is copied: a failed load raises a
        RuntimeError listing the missing/unexpected keys (strict=True) and every shape mismatch,
        and leaves the module unchanged. Values are cast to each tensor's dtype.
        """
        if not hasattr(state_dict, "keys") or not hasattr(state_dict, "__getitem__"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}.")
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict.keys() if k not in own]
        errors = []
        if strict:
            if unexpected:
                errors.append(
                    "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ". "
                )
            if missing:
                errors.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". ")
        copies = []
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = _as_array(state_dict[key])
            if value is None:
                errors.append(
                    f'While copying the parameter named "{key}", '
                    "expected a Tensor or numpy array of numbers, "
                    f"got {type(state_dict[key]).__name__}."
                )
            elif value.shape != target._data.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {list(value.shape)} "
                    "from checkpoint, "
                    f"the shape in current model is {list(target._data.shape)}."
                )
            else:
                copies.append((target, value.astype(target._data.dtype, copy=False)))
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {self._get_name()}:\n\t" + "\n\t".join(errors)
            )
        for target, value in copies:
            np.copyto(target._data, value)
            target._vc[0] += 1
        return _IncompatibleKeys(missing, unexpected)

    # ---- modes and gradients --------------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode on this module and every descendant (dropout, batch norm behave differently)."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: `train(False)`."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to None (default) or to zeros."""
        for p in self.parameters():
            if p._grad is not None:
                p._grad = None if set_to_none else _wrap(np.zeros_like(p._data))

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call fn on every descendant, then on this module (e.g. custom initialisation)."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ---- dtype -------------------------------------------------------------------------------------------
    def _cast_floats(self, dtype: np.dtype) -> Module:
        """Cast every floating point parameter, gradient and buffer to dtype, keeping the objects."""
        for module in self.modules():
            for t in list(module._parameters.values()) + list(module._buffers.values()):
                if t is not None and t._data.dtype.kind == "f" and t._data.dtype != dtype:
                    t._data = t._data.astype(dtype)
                    t._vc[0] += 1
                    if t._grad is not None:
                        t._grad = _wrap(t._grad._data.astype(dtype))
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """`to(dtype)` casts floating point parameters and buffers; the device can only be the CPU
        (PyTorch's forms: to(device), to(dtype), to(device, dtype), to(tensor))."""
        dtype, _ = to_arguments(args, kwargs, "Module.to")
        if dtype is None:
            return self
        d = dtypes.canonical(dtype, "Module.to")
        if d.kind != "f":
            raise TypeError(f"Module.to only accepts floating point dtypes, but got desired dtype={d}")
        return self._cast_floats(d)

    def float(self) -> Module:
        return self._cast_floats(dtypes.float32)

    def double(self) -> Module:
        return self._cast_floats(dtypes.float64)

    def cpu(self) -> Module:
        return self

    # ---- repr ------------------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The module's own settings for its repr, e.g. "in_features=4, out_features=2, bias=True"."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + _addindent(repr(m), 2) for name, m in self._modules.items()]
        lines = extra_lines + child_lines
        body = ""
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                body = extra_lines[0]
            else:
                body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{self._get_name()}({body})"


def _as_array(value: Any) -> np.ndarray | None:
    """A state_dict value as a numeric ndarray, or None if it is not one."""
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, (np.ndarray, int, float, np.number)):
        arr = np.asarray(value)
        return arr if arr.dtype.kind in "biuf" else None
    return None
