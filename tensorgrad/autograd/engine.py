"""The graph engine: reverse-mode differentiation over the nodes that `Function.apply` records.

Iterative throughout (dependency counts, then a ready stack), so a chain of any length
backpropagates without recursion. Each node's saved tensors are freed once it has run, unless
`retain_graph` is set.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .function import _RELEASED, Function, refresh_view_history
from .grad_mode import _set_enabled, is_grad_enabled

# Set by tensorgrad.profiler while a profile is active: called as hook(node, grads) instead of the
# node's backward. Read once per run_backward, so it costs one local test per node when unset.
_backward_hook: Any = None


def _count_dependencies(roots: list) -> dict:
    """Number of graph edges that point at each node reachable from the roots."""
    deps: dict = {}
    stack = list(roots)
    while stack:
        node = stack.pop()
        for edge in node._edges:
            if edge is not None and edge.__class__ is tuple:
                nxt = edge[0]
                count = deps.get(nxt)
                if count is None:
                    deps[nxt] = 1
                    if nxt not in roots:
                        stack.append(nxt)
                else:
                    deps[nxt] = count + 1
    return deps


def _has_shape(g: Any, shape: tuple) -> bool:
    """True when g is a Tensor of this shape (what a backward must return for an input)."""
    if g.__class__ is Tensor or isinstance(g, Tensor):
        t = g
        return t._data.shape == shape
    return False


def _bad_grad(node: Function, index: int, grad: Any, shape: tuple) -> None:
    if not isinstance(grad, Tensor):
        raise TypeError(
            f"{node.name()}.backward returned a {type(grad).__name__} as gradient {index}; "
            "expected a Tensor or None"
        )
    raise RuntimeError(
        f"{node.name()} returned an invalid gradient at index {index}: got shape "
        f"{list(grad._data.shape)} but expected shape {list(shape)}"
    )


def run_backward(
    outputs: Sequence[Tensor],
    grad_outputs: Sequence[Tensor],
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence[Tensor] | None = None,
) -> list | None:
    """Backpropagate grad_outputs from outputs.

    With `inputs=None` gradients accumulate into the `.grad` of the leaves (Tensor.backward);
    otherwise the gradients of `inputs` are returned and no `.grad` is touched (autograd.grad).
    """
    captured: dict | None = None
    capture_nodes: dict = {}
    if inputs is not None:
        captured = {}
        for i, t in enumerate(inputs):
            if t.grad_fn is not None:
                capture_nodes[(t.grad_fn, t._output_nr)] = i

    buffers: dict = {}
    held: dict = {}  # total gradients of leaves with hooks, delivered once backward is done
    roots = []
    for out, g in zip(outputs, grad_outputs):
        refresh_view_history(out)
        fn = out.grad_fn
        if fn is None:
            _deliver_to_leaf(out, g, captured, inputs, create_graph, held)
            continue
        buf = buffers.get(fn)
        if buf is None:
            buf = buffers[fn] = [None] * len(fn._out_shapes)
            roots.append(fn)
        nr = out._output_nr
        buf[nr] = g if buf[nr] is None else buf[nr] + g

    deps = _count_dependencies(roots)
    ready = []
    for r in roots:
        if r not in deps:
            ready.append(r)

    hook = _backward_hook
    previous_mode = is_grad_enabled()
    _set_enabled(create_graph)
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node)
            if node._tensor_hooks is not None:
                _run_tensor_hooks(node, grads, create_graph)
            if capture_nodes:
                _capture(node, grads, capture_nodes, captured)
            if hook is not None:
                result = hook(node, grads)
            elif len(grads) == 1:
                result = type(node).backward(node, grads[0])
            else:
                result = call_backward(node, grads)
            edges = node._edges
            if result.__class__ is not tuple:
                result = (result,)
            if len(result) != len(edges):
                raise RuntimeError(
                    f"{node.name()}.backward returned {len(result)} gradients, but forward "
                    f"received {len(edges)} inputs"
                )
            i = -1
            for edge in edges:
                i += 1
                if edge is None:
                    continue
                g = result[i]
                if edge.__class__ is tuple:
                    nxt, nr = edge
                    if g is not None:
                        shape = nxt._out_shapes[nr]
                        if not _has_shape(g, shape):
                            _bad_grad(node, i, g, shape)
                        buf = buffers.get(nxt)
                        if buf is None:
                            buf = buffers[nxt] = [None] * len(nxt._out_shapes)
                            buf[nr] = g
                        elif buf[nr] is None:
                            buf[nr] = g
                        else:
                            buf[nr] = buf[nr] + g
                    remaining = deps[nxt] - 1
                    deps[nxt] = remaining
                    if remaining == 0:
                        if nxt in buffers:
                            ready.append(nxt)
                        else:
                            _skip_unreached(nxt, deps, buffers, ready)
                elif g is not None:
                    if not _has_shape(g, edge._data.shape):
                        _bad_grad(node, i, g, edge._data.shape)
                    _deliver_to_leaf(edge, g, captured, inputs, create_graph, held)
            if not retain_graph and node._saved is not None:
                node._saved = _RELEASED
        if held:
            _deliver_held(held, captured, inputs)
    finally:
        _set_enabled(previous_mode)

    if captured is None:
        return None
    return [captured.get(i) for i in range(len(inputs))]


def call_backward(node: Function, grads: list) -> Any:
    """Run one node's backward on its incoming gradients (one per output of its forward)."""
    if len(grads) == 1:
        return node.backward(node, grads[0])
    if node.materialize_grads:
        _fill_missing_grads(node, grads)
    return node.backward(node, *grads)


class OutputHooks:
    """What runs on the gradient of one non-leaf tensor: its hooks, then retain_grad (as PyTorch)."""

    __slots__ = ("hooks", "retain")

    def __init__(self) -> None:
        self.hooks: dict = {}
        self.retain: Any = None  # weakref to the tensor that called retain_grad()


def _run_tensor_hooks(node: Function, grads: list, create_graph: bool) -> None:
    """Apply the hooks of the node's output tensors to their gradients, before the node runs."""
    for nr, entry in node._tensor_hooks.items():
        g = grads[nr]
        if g is None:
            continue
        for hook in list(entry.hooks.values()):
            replaced = hook(g)
            if replaced is not None:
                g = replaced
        grads[nr] = g
        tensor = entry.retain() if entry.retain is not None else None
        if tensor is not None:
            if not create_graph and g._requires_grad:
                g = g.detach()
            tensor._grad = g if tensor._grad is None else tensor._grad + g


def _capture(node: Function, grads: list, capture_nodes: dict, captured: dict) -> None:
    """For autograd.grad: keep the incoming gradient of a requested non-leaf input."""
    for nr, g in enumerate(grads):
        slot = capture_nodes.get((node, nr))
        if slot is not None and g is not None:
            captured[slot] = g


def _skip_unreached(node: Function, deps: dict, buffers: dict, ready: list) -> None:
    """A node whose every incoming gradient was None: release its dependants without running it."""
    stack = [node]
    while stack:
        n = stack.pop()
        for edge in n._edges:
            if edge is not None and edge.__class__ is tuple:
                nxt = edge[0]
                deps[nxt] -= 1
                if deps[nxt] == 0:
                    if nxt in buffers:
                        ready.append(nxt)
                    else:
                        stack.append(nxt)


def _deliver_to_leaf(
    leaf: Tensor,
    g: Tensor,
    captured: dict | None,
    inputs: Sequence | None,
    create_graph: bool,
    held: dict,
) -> None:
    if not create_graph and g._requires_grad:
        g = g.detach()
    if leaf._hooks and (captured is None or _position(inputs, leaf) >= 0):
        # as in PyTorch, hooks see a leaf's total gradient, once: sum it until backward ends
        total = held.get(leaf)
        held[leaf] = g if total is None else total + g
        return
    _store_leaf_grad(leaf, g, captured, inputs)


def _position(inputs: Sequence, leaf: Tensor) -> int:
    for i, t in enumerate(inputs):
        if t is leaf:
            return i
    return -1


def _deliver_held(held: dict, captured: dict | None, inputs: Sequence | None) -> None:
    for leaf, g in held.items():
        for hook in list(leaf._hooks.values()):
            replaced = hook(g)
            if replaced is not None:
                g = replaced
        _store_leaf_grad(leaf, g, captured, inputs)


def _store_leaf_grad(leaf: Tensor, g: Tensor, captured: dict | None, inputs: Sequence | None) -> None:
    """Accumulate into leaf.grad (backward), or into the result for the leaf (autograd.grad)."""
    if captured is not None:
        for i, t in enumerate(inputs):
            if t is leaf:
                captured[i] = g if i not in captured else captured[i] + g
        return
    if not leaf._requires_grad:
        return
    if g._data.dtype != leaf._data.dtype:
        g = g.to(leaf._data.dtype)
    old = leaf._grad
    leaf._grad = g if old is None else old + g


def _fill_missing_grads(node: Function, grads: list) -> None:
    """Outputs of a multi-output node that received no gradient get zeros, as in PyTorch."""
    dtype = None
    for g in grads:
        if g is not None:
            dtype = g._data.dtype
    for nr, g in enumerate(grads):
        if g is None:
            grads[nr] = _wrap(np.zeros(node._out_shapes[nr], dtype=dtype))


from ..tensor import Tensor, _wrap  # noqa: E402
