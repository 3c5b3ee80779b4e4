"""`Function`: the base class of every differentiable operation, built-in or user-written.

It follows PyTorch's contract: `forward(ctx, *inputs)` runs with grad mode off and returns the
output(s); `backward(ctx, *grad_outputs)` returns one gradient per input (None where none is
needed); `ctx.save_for_backward` keeps what backward needs. The instance that `apply` creates is
both the `ctx` and the graph node (`output.grad_fn`).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .grad_mode import _set_enabled, is_grad_enabled

try:
    import cython
except ImportError:  # uncompiled, without Cython installed
    from .. import _cython_shim as cython


class _Released:
    """Marker for saved tensors that backward has already freed."""


_RELEASED = _Released()
_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed when "
    "you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling backward."
)


class Function:
    """Base class for differentiable operations; subclass it and call `MyOp.apply(*inputs)`."""

    # Graph-node state, set by apply: class attributes here, the fields of function.pxd when
    # compiled (which start as None; apply sets needs_input_grad on every node).
    if not cython.compiled:
        _edges: tuple = ()
        _saved: Any = None
        _out_shapes: tuple = ()
        _out_dtype: Any = None  # dtype of the first output, shown by tensorgrad.viz
        _non_differentiable: tuple = ()
        _tensor_hooks: Any = None  # {output_nr: OutputHooks} for non-leaf tensors with hooks
        needs_input_grad: tuple = ()
    materialize_grads = True

    @staticmethod
    def forward(ctx: Function, *args: Any, **kwargs: Any) -> Any:
        """Compute the output(s) from the inputs; grad mode is off here."""
        raise NotImplementedError(f"{type(ctx).__name__} must implement forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx: Function, *grad_outputs: Any) -> Any:
        """Return the gradient of each input given the gradient of each output."""
        raise NotImplementedError(f"{type(ctx).__name__} must implement backward(ctx, *grads)")

    # ---- ctx API -------------------------------------------------------------------------
    def save_for_backward(self, *tensors: Any) -> None:
        """Keep tensors for backward; an in-place change to one of them makes backward raise."""
        self._saved = tensors

    @property
    def saved_tensors(self) -> tuple:
        saved = self._saved
        if saved is _RELEASED:
            raise RuntimeError(_FREED_MESSAGE)
        if saved is None:
            return ()
        return _unpack_all(self, saved)

    def mark_non_differentiable(self, *outputs: Any) -> None:
        """Declare outputs (e.g. indices) that never carry a gradient."""
        self._non_differentiable = outputs

    def set_materialize_grads(self, value: bool) -> None:
        """If False, backward receives None (not zeros) for outputs that got no gradient."""
        self.materialize_grads = value

    def name(self) -> str:
        return type(self).__name__ + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    # ---- recording -----------------------------------------------------------------------
    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run forward and, when any input requires grad and grad mode is on, record the node."""
        if _forward_hook is not None:
            return _forward_hook(cls, args, kwargs)
        return _apply(cls, args, kwargs)


def apply_op(cls: type, args: tuple) -> Any:
    """`cls.apply(*args)` for the built-in ops on the hottest paths: compiled, a C call that skips
    binding the classmethod and building an empty kwargs dict (about 0.1 us of each op)."""
    if _forward_hook is not None:
        return _forward_hook(cls, args, {})
    return _apply(cls, args, None)


# Set by tensorgrad.profiler while a profile is active: called as hook(cls, args, kwargs) instead
# of `_apply` (Function's fields are fixed when compiled, so `apply` itself is not replaced).
_forward_hook: Any = None


_NO_GRADS: tuple = ()
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)


def _apply(cls: type, args: tuple, kwargs: dict | None) -> Any:
    ctx = Function.__new__(cls)
    if is_grad_enabled():
        # one and two inputs (nearly every op) without building lists first
        n = len(args)
        if n == 1:
            e0 = _edge(args[0])
            if e0 is not None:
                return _record(cls, ctx, args, kwargs, (True,), (e0,))
        elif n == 2:
            e0 = _edge(args[0])
            e1 = _edge(args[1])
            if e0 is not None or e1 is not None:
                return _record(cls, ctx, args, kwargs, (e0 is not None, e1 is not None), (e0, e1))
        else:
            edges = []
            needs = []
            record = False
            for a in args:
                e = _edge(a)
                edges.append(e)
                needs.append(e is not None)
                record = record or e is not None
            if record:
                return _record(cls, ctx, args, kwargs, tuple(needs), tuple(edges))
    ctx.needs_input_grad = _NO_GRADS
    out = _forward(cls, ctx, args, kwargs)
    if ctx._saved is not None:
        ctx._saved = None  # nothing will run backward: drop references at once
    return out


def _edge(a: Any) -> Any:
    """Where an input's gradient goes: the leaf tensor, (its grad_fn, output index), or None."""
    if isinstance(a, Tensor):
        t = a
        if t._base is not None and t._view_version != t._vc[0]:
            refresh_view_history(t)
        if t._requires_grad:
            fn = t.grad_fn
            return t if fn is None else (fn, t._output_nr)
    return None


def refresh_view_history(t: Tensor) -> None:
    """Bring a view's history up to date after an in-place write to its base or to another view of
    it (the buffer's version moved since): the view op is redone on the base's current history,
    as PyTorch regenerates a view's grad_fn. A view that is a leaf of its own is left alone."""
    if t._base is None or t._view_version == t._vc[0] or not is_grad_enabled():
        return  # (without grad mode an in-place write records nothing: no history moved)
    base = t._base
    refresh_view_history(base)
    if t.grad_fn is not None or base._requires_grad:
        node = t._view_node
        value = type(node).view_again(node, base, t._data.shape)
        t.grad_fn = value.grad_fn
        t._output_nr = value._output_nr
        t._requires_grad = value._requires_grad
    t._view_version = t._vc[0]


def _record(cls: type, ctx: Function, args: tuple, kwargs: dict | None, needs: tuple, edges: tuple) -> Any:
    ctx.needs_input_grad = needs
    _set_enabled(False)
    try:
        out = _forward(cls, ctx, args, kwargs)
    finally:
        _set_enabled(True)
    ctx._edges = edges
    return _record_outputs(ctx, out)


def _forward(cls: type, ctx: Function, args: tuple, kwargs: dict | None) -> Any:
    """cls.forward(ctx, *args, **kwargs), without a new argument tuple for one or two inputs."""
    forward = cls.forward
    if kwargs:
        return forward(ctx, *args, **kwargs)
    n = len(args)
    if n == 1:
        return forward(ctx, args[0])
    if n == 2:
        return forward(ctx, args[0], args[1])
    return forward(ctx, *args)


def _record_outputs(ctx: Function, out: Any) -> Any:
    """Attach ctx as grad_fn of each differentiable output and pack its saved tensors."""
    non_diff = ctx._non_differentiable
    if out.__class__ is Tensor and not non_diff:
        # the common case, kept short: one plain output
        t = out
        if t.grad_fn is not None or t._requires_grad:
            _raise_graph_output(ctx)
        data = t._data
        ctx._out_shapes = (data.shape,)
        dtype = ctx._out_dtype = data.dtype
        if dtype is _F32 or dtype is _F64 or dtype.kind == "f":  # identity first: no attribute lookup
            t._requires_grad = True
            t.grad_fn = ctx
        saved = ctx._saved
        if saved is not None:
            ctx._saved = _pack_all(ctx, saved, (t,))
        return t
    if out.__class__ is Tensor:
        outputs: tuple = (out,)
    elif isinstance(out, tuple):
        outputs = out
    elif isinstance(out, Tensor):
        outputs = (out,)
    else:
        raise TypeError(
            f"{type(ctx).__name__}.forward must return a Tensor or a tuple of Tensors, "
            f"got {type(out).__name__}"
        )
    shapes = []
    for nr, item in enumerate(outputs):
        if not isinstance(item, Tensor):
            raise TypeError(
                f"{type(ctx).__name__}.forward returned a {type(item).__name__} at position {nr}; "
                "expected Tensors"
            )
        t = item
        shapes.append(t._data.shape)
        if non_diff and _contains(non_diff, t):
            continue
        if t.grad_fn is not None or t._requires_grad:
            _raise_graph_output(ctx)
        if t._data.dtype.kind != "f":
            continue
        t._requires_grad = True
        t.grad_fn = ctx
        t._output_nr = nr
    ctx._out_shapes = tuple(shapes)
    if outputs:
        ctx._out_dtype = outputs[0]._data.dtype
    saved = ctx._saved
    if saved is not None:
        ctx._saved = _pack_all(ctx, saved, outputs)
    return out


def _raise_graph_output(ctx: Function) -> None:
    raise RuntimeError(
        f"{type(ctx).__name__}.forward returned a tensor that is already part of a graph; "
        "return a new Tensor (e.g. x.detach() or a fresh result)"
    )


def _pack_all(ctx: Function, saved: tuple, outputs: tuple) -> tuple:
    """Saved entries (value, version counter, version at save, output index or -1).

    An output of this very node is kept as its array, not its Tensor: the Tensor points back
    at the node through grad_fn, and that reference cycle would outlive backward.
    """
    packed = []
    for item in saved:
        if item is None:
            packed.append(None)
            continue
        if not isinstance(item, Tensor):
            raise TypeError(f"save_for_backward accepts Tensors or None, got {type(item).__name__}")
        t = item
        vc = t._vc
        nr = -1
        if t.grad_fn is ctx:
            for i, o in enumerate(outputs):
                if o is t:
                    nr = i
        packed.append((t._data, vc, vc[0], nr) if nr >= 0 else (t, vc, vc[0], -1))
    return tuple(packed)


def _contains(items: tuple, obj: object) -> bool:
    for item in items:
        if item is obj:
            return True
    return False


def _unpack_all(ctx: Function, saved: tuple) -> tuple:
    result = []
    for entry in saved:
        if entry is None:
            result.append(None)
            continue
        value, vc, version, nr = entry
        if vc[0] != version:
            _raise_modified(ctx, value, vc, version, nr)
        if nr < 0:
            result.append(value)
            continue
        out = _wrap(value)
        out._requires_grad = True
        out.grad_fn = ctx
        out._output_nr = nr
        out._vc = vc
        result.append(out)
    return tuple(result)


def _raise_modified(ctx: Function, value: Any, vc: list, version: int, nr: int) -> None:
    shape = value.shape if nr >= 0 else value._data.shape
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [Tensor of shape {list(shape)}], used by {ctx.name()}, is at "
        f"version {vc[0]}; expected version {version} instead."
    )


def once_differentiable(backward: Any) -> Any:
    """Decorator for backward methods that cannot be differentiated again (as in PyTorch).

    Backward runs without recording; if a second derivative is requested, the gradients it
    returns carry a node that raises a clear error instead of silently detaching.
    """

    @functools.wraps(backward)
    def wrapper(ctx: Function, *grads: Any) -> Any:
        create_graph = is_grad_enabled()
        _set_enabled(False)
        try:
            result = backward(ctx, *grads)
        finally:
            _set_enabled(create_graph)
        if not create_graph:
            return result
        # Mark the gradients even when the incoming ones are constants: they still depend on
        # the op's inputs, so returning them detached would make a second derivative silently
        # wrong (PyTorch marks them only when an incoming gradient requires grad).
        single = not isinstance(result, tuple)
        items = (result,) if single else result
        marked = []
        for r in items:
            if isinstance(r, Tensor):
                r = _OnceDifferentiableError.apply(r.detach(), _grad_inputs_of(grads), ctx.name())
            marked.append(r)
        return marked[0] if single else tuple(marked)

    return wrapper


def _grad_inputs_of(grads: tuple) -> Tensor:
    """A tensor requiring grad to hang the error node on: an incoming gradient, or a stand-in."""
    for g in grads:
        if isinstance(g, Tensor) and g._requires_grad:
            return g
    anchor = _wrap(np.zeros(()))
    anchor._requires_grad = True
    return anchor


class _OnceDifferentiableError(Function):
    """Stands in the graph where a once-differentiable backward ran under create_graph."""

    @staticmethod
    def forward(ctx: Function, value: Any, link: Any, name: str) -> Any:
        ctx.op_name = name
        return _wrap(value._data)

    @staticmethod
    def backward(ctx: Function, grad: Any) -> Any:
        raise RuntimeError(
            f"{ctx.op_name} is only once differentiable: its backward cannot be differentiated "
            "again (a second derivative through it is not supported)."
        )


from ..tensor import Tensor, _wrap  # noqa: E402  (tensor.py needs Function defined first)
