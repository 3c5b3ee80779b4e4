"""PyTorch's `torch.utils.checkpoint`: trade compute for memory by recomputing a block in backward.

    y = checkpoint(block, x, use_reentrant=False)   # block's intermediates are not kept
    y.sum().backward()                             # block runs again, with grad, then backprops

The block's forward runs without recording a graph, keeping only its inputs. Its backward runs
the block again with grad mode on (from the random generator state it saw the first time, so a
dropout mask repeats) and backpropagates through that fresh graph: gradients reach the inputs
and accumulate into the `.grad` of any parameter used inside, as without checkpointing. Both
modes use this scheme (PyTorch's "reentrant" one), so, as with PyTorch's `use_reentrant=True`,
the parameters' gradients are delivered by `backward()`, not by `autograd.grad`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any

from ..autograd import Function, backward
from ..autograd.grad_mode import enable_grad
from ..ops.creation import generator, ones
from ..tensor import Tensor

__all__ = ["checkpoint", "checkpoint_sequential"]


class _Checkpoint(Function):
    """Forward: run_function(*args) without a graph. Backward: recompute, then backprop through it.

    Inputs are (run_function, preserve_rng_state, anchor, *args); `anchor` is None or a tensor that
    requires grad, so that the node is recorded even when no argument requires grad (use_reentrant=False).
    """

    @staticmethod
    def forward(ctx: Any, run_function: Callable, preserve_rng_state: bool, anchor: Any, *args: Any) -> Any:
        ctx.run_function = run_function
        ctx.rng_state = generator().bit_generator.state if preserve_rng_state else None
        ctx.args = args  # tensors among them are kept whole (the inputs are what a checkpoint keeps)
        outputs = run_function(*args)
        if isinstance(outputs, Tensor):
            return outputs.detach()
        return tuple(_checked_output(o).detach() for o in outputs)

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Tensor) -> tuple:
        inputs = []
        for a in ctx.args:
            inputs.append(a.detach().requires_grad_(a.requires_grad) if isinstance(a, Tensor) else a)
        rng = generator().bit_generator
        current_state = rng.state
        if ctx.rng_state is not None:
            rng.state = ctx.rng_state
        try:
            with enable_grad():
                outputs = ctx.run_function(*inputs)
        finally:
            rng.state = current_state
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        with_grad = []
        grads = []
        for out, g in zip(outputs, grad_outputs):
            if out.requires_grad and g is not None:
                with_grad.append(out)
                grads.append(g)
        if not with_grad:
            raise RuntimeError(
                "checkpoint: none of the outputs of the checkpointed function requires grad; "
                "at least one output must be computed from an input or parameter that requires grad"
            )
        backward(with_grad, grads)
        input_grads = []
        for inp in inputs:
            input_grads.append(inp.grad if isinstance(inp, Tensor) else None)
        return (None, None, None, *input_grads)


def _checked_output(out: Any) -> Tensor:
    if not isinstance(out, Tensor):
        raise TypeError(
            f"checkpoint: the checkpointed function must return a Tensor or a tuple of Tensors, "
            f"got an element of type {type(out).__name__}"
        )
    return out


def checkpoint(
    function: Callable,
    *args: Any,
    use_reentrant: bool | None = None,
    preserve_rng_state: bool = True,
    **kwargs: Any,
) -> Any:
    """function(*args, **kwargs) without keeping its intermediates; backward recomputes them.

    preserve_rng_state: replay the random generator state of the first forward when recomputing,
    so random ops (dropout) give the same result both times.
    use_reentrant: None means True, with PyTorch's warning to pass it explicitly. With True, as in
    PyTorch, keyword arguments are refused and, when no argument requires grad, nothing is recorded
    (parameters inside get no gradient); with False the block is recorded whenever grad mode is on.
    """
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "use_reentrant=False is recommended.",
            stacklevel=2,
        )
        use_reentrant = True
    if use_reentrant:
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
        anchor = None
        run_function = function
    else:
        anchor = ones(1, requires_grad=True)

        def run_function(*inner: Any) -> Any:
            return function(*inner, **kwargs)

    return _Checkpoint.apply(run_function, preserve_rng_state, anchor, *args)


def checkpoint_sequential(
    functions: Any, segments: int, input: Tensor, use_reentrant: bool | None = None, **kwargs: Any
) -> Any:
    """Run a Sequential (or list of modules/functions) in `segments` chunks, checkpointing all but
    the last one, as torch.utils.checkpoint.checkpoint_sequential."""
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if hasattr(functions, "children") and not isinstance(functions, (list, tuple)):
        functions = list(functions.children())
    functions = list(functions)
    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(
            _run_segment(functions[start : end + 1]),
            input,
            use_reentrant=use_reentrant,
            preserve_rng_state=preserve,
        )
    return _run_segment(functions[end + 1 :])(input)


def _run_segment(functions: Iterable[Callable]) -> Callable:
    def forward(input: Any) -> Any:
        for f in functions:
            input = f(input)
        return input

    return forward
