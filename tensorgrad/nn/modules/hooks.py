"""Module hooks (PyTorch's): the removable handle, the hooked call, the full backward hook and
the full backward pre-hook.

`Module.__call__` runs `forward` directly unless the module has a hook; then `call_with_hooks`
runs forward pre-hooks, sets up the backward hook, calls forward, and runs forward hooks.

The full backward hook works as PyTorch's `BackwardHook`: the module's inputs and outputs pass
through identity Functions whose nodes see the gradients go by. The outputs' node runs the
backward pre-hooks on the gradients of the outputs (grad_output), which may replace them, and
records them; the inputs' node, reached once everything inside the module has been
differentiated, calls `hook(module, grad_input, grad_output)` and passes on whatever grad_input
the hooks return.
"""

from __future__ import annotations

import weakref
from typing import Any

from ...autograd.function import Function
from ...autograd.grad_mode import is_grad_enabled
from ...tensor import Tensor, _wrap


class RemovableHandle:
    """Returned by the register_*_hook methods; `remove()` unregisters the hook (also as a
    context manager: the hook is removed on leaving the `with` block)."""

    _next_id = 0

    def __init__(self, hooks: dict, module: Any) -> None:
        RemovableHandle._next_id += 1
        self.id = RemovableHandle._next_id
        self._hooks = hooks
        self._module = weakref.ref(module)

    def remove(self) -> None:
        self._hooks.pop(self.id, None)
        module = self._module()
        if module is not None:
            module._update_has_hooks()

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


def call_with_hooks(module: Any, args: tuple, kwargs: dict) -> Any:
    """`module(*args, **kwargs)` with its hooks, in PyTorch's order."""
    if module._forward_pre_hooks:
        for hook, with_kwargs in list(module._forward_pre_hooks.values()):
            if with_kwargs:
                result = hook(module, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError(
                            "forward pre-hook must return None or a tuple of (new_args, new_kwargs), "
                            f"but got {result!r}."
                        )
                    args, kwargs = result
            else:
                result = hook(module, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
    backward_hook = None
    if (module._backward_hooks or module._backward_pre_hooks) and is_grad_enabled():
        backward_hook = BackwardHook(module, module._backward_hooks or {}, module._backward_pre_hooks or {})
        args = backward_hook.setup_inputs(args)
    output = module.forward(*args, **kwargs)
    if module._forward_hooks:
        for hook, with_kwargs in list(module._forward_hooks.values()):
            result = hook(module, args, kwargs, output) if with_kwargs else hook(module, args, output)
            if result is not None:
                output = result
    if backward_hook is not None:
        output = backward_hook.setup_outputs(output)
    return output


def _requiring_grad(values: tuple) -> list[int]:
    """Positions of the tensors that require grad."""
    positions = []
    for i, v in enumerate(values):
        if isinstance(v, Tensor) and v._requires_grad:
            positions.append(i)
    return positions


def _pass_through(node_class: type, state: BackwardHook, values: tuple, positions: list[int]) -> tuple:
    """`values` with the tensors at `positions` replaced by their identity through one node."""
    picked = []
    for i in positions:
        picked.append(values[i])
    replaced = list(values)
    for i, t in zip(positions, node_class.apply(state, *picked)):
        replaced[i] = t
    return tuple(replaced)


class BackwardHook:
    """The state of one hooked call: where its tensors are, and the grad_output once it arrives."""

    def __init__(self, module: Any, hooks: dict, pre_hooks: dict) -> None:
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.n_inputs = 0
        self.input_positions: list[int] = []
        self.n_outputs = 0
        self.output_positions: list[int] = []
        self.grad_outputs: tuple | None = None

    def setup_inputs(self, args: tuple) -> tuple:
        self.n_inputs = len(args)
        self.input_positions = _requiring_grad(args)
        if not self.input_positions:
            return args
        return _pass_through(_ModuleInputs, self, args, self.input_positions)

    def setup_outputs(self, output: Any) -> Any:
        single = not isinstance(output, tuple)
        outputs = (output,) if single else output
        self.n_outputs = len(outputs)
        self.output_positions = _requiring_grad(outputs)
        if not self.output_positions:
            return output
        outputs = _pass_through(_ModuleOutputs, self, outputs, self.output_positions)
        return outputs[0] if single else outputs

    def _pack(self, positions: list[int], grads: tuple, size: int) -> tuple:
        packed = [None] * size
        for i, g in zip(positions, grads):
            packed[i] = g
        return tuple(packed)

    def on_grad_outputs(self, grads: tuple) -> tuple:
        """Run the pre-hooks on grad_output and keep it for the hooks; returns the output gradients
        to pass on into the module (replaced where a pre-hook returned new ones)."""
        self.grad_outputs = self._pack(self.output_positions, grads, self.n_outputs)
        for hook, _ in list(self.pre_hooks.values()):
            result = hook(self.module, self.grad_outputs)
            if result is None:
                continue
            if not isinstance(result, (tuple, list)) or len(result) != self.n_outputs:
                raise RuntimeError(
                    "Backward pre hook returned an invalid number of grad_output, got "
                    f"{len(result) if isinstance(result, (tuple, list)) else type(result).__name__}, "
                    f"but expected {self.n_outputs}"
                )
            self.grad_outputs = tuple(result)
        passed = []
        for i in self.output_positions:
            passed.append(self.grad_outputs[i])
        if not self.input_positions:
            # no input needs a gradient: the inputs' node never runs, so call the hooks now
            grad_inputs = (None,) * self.n_inputs
            for hook, _ in list(self.hooks.values()):
                result = hook(self.module, grad_inputs, self.grad_outputs)
                if result is not None and any(r is not None for r in result):
                    raise RuntimeError(
                        "Backward hook for Modules where no input requires gradient should always "
                        "return None or None for all gradients."
                    )
            self.grad_outputs = None
        return tuple(passed)

    def on_grad_inputs(self, grads: tuple) -> tuple:
        if self.grad_outputs is None:
            # the gradient reached the inputs without passing the outputs (e.g. double backward)
            return grads
        grad_inputs = self._pack(self.input_positions, grads, self.n_inputs)
        for hook, _ in list(self.hooks.values()):
            result = hook(self.module, grad_inputs, self.grad_outputs)
            if result is None:
                continue
            if len(result) != len(grad_inputs):
                raise RuntimeError(
                    "Backward hook returned an invalid number of grad_input, "
                    f"got {len(result)}, but expected {len(grad_inputs)}"
                )
            grad_inputs = tuple(result)
        self.grad_outputs = None
        passed = []
        for i in self.input_positions:
            passed.append(grad_inputs[i])
        return tuple(passed)


def _identity(ctx: Any, state: BackwardHook, tensors: tuple) -> tuple:
    ctx.state = state
    ctx.set_materialize_grads(False)  # an output that gets no gradient shows as None to the hook
    outputs = []
    for t in tensors:
        out = _wrap(t._data)
        out._vc = t._vc  # the same data: in-place changes show in both
        outputs.append(out)
    return tuple(outputs)


class _ModuleInputs(Function):
    """Identity on a hooked module's inputs; its backward runs the module's backward hooks."""

    @staticmethod
    def forward(ctx: Any, state: BackwardHook, *tensors: Tensor) -> tuple:
        return _identity(ctx, state, tensors)

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> tuple:
        return (None, *ctx.state.on_grad_inputs(grads))


class _ModuleOutputs(Function):
    """Identity on a hooked module's outputs; its backward records grad_output."""

    @staticmethod
    def forward(ctx: Any, state: BackwardHook, *tensors: Tensor) -> tuple:
        return _identity(ctx, state, tensors)

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> tuple:
        return (None, *ctx.state.on_grad_outputs(grads))
