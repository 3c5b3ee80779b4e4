"""einsum: sums of products over subscripts, as torch.einsum (numpy computes it).

The equation is first made explicit: "..." becomes letters of its own (broadcast from the right,
as PyTorch aligns them) and an implicit output ("ij,jk") becomes the letters that appear once, in
alphabetical order, after the broadcast ones. The gradient of an operand is again an einsum, of
the output's gradient with the other operands, so it is differentiable too; letters that only
this operand has are broadcast back, and dims it broadcast are summed.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, _wrap


def _explicit(equation: str, ndims: list[int]) -> tuple[list[str], str]:
    """(input subscripts, output subscripts) with every dim named by one letter."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(ndims):
        raise RuntimeError(f"einsum(): {len(inputs)} subscripts in the equation for {len(ndims)} operands")
    used = set(c for c in eq if c.isalpha())
    spare = [c for c in string.ascii_letters if c not in used]
    for s in inputs + ([rhs] if arrow else []):
        if any(not (c.isalpha() or c == ".") for c in s) or (s.count(".") not in (0, 3)):
            raise RuntimeError(f"einsum(): invalid subscripts {s!r} in equation {equation!r}")
    widths = []
    for s, nd in zip(inputs, ndims):
        letters = len(s.replace("...", ""))
        if ("..." in s and letters > nd) or ("..." not in s and letters != nd):
            raise RuntimeError(
                f"einsum(): the number of subscripts in {s!r} does not match the operand's {nd} dims"
            )
        widths.append(nd - letters if "..." in s else 0)
    ellipsis = "".join(spare[: max(widths, default=0)])
    named = []
    for s, w in zip(inputs, widths):
        named.append(s.replace("...", ellipsis[len(ellipsis) - w :]))
    if arrow:
        out = rhs.replace("...", ellipsis)
    else:
        counts = "".join(named)
        out = ellipsis + "".join(sorted(c for c in set(counts) if counts.count(c) == 1 and c not in ellipsis))
    for c in out:
        if c not in "".join(named):
            raise RuntimeError(
                f"einsum(): output subscript {c!r} does not appear in the inputs of {equation!r}"
            )
    return named, out


class Einsum(Function):
    @staticmethod
    def forward(ctx: Any, equation: str, *tensors: Tensor) -> Tensor:
        ctx.equation = equation
        ctx.save_for_backward(*tensors)
        arrays = [t._data for t in tensors]
        try:
            return _wrap(np.asarray(np.einsum(equation, *arrays, optimize=len(arrays) > 2)))
        except ValueError as e:
            shapes = [list(a.shape) for a in arrays]
            raise RuntimeError(
                f"einsum(): operands of shapes {shapes} do not fit {equation!r}: {e}"
            ) from None

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        tensors = ctx.saved_tensors
        lhs, out = ctx.equation.split("->")
        inputs = lhs.split(",")
        grads: list = [None]
        for i, subs in enumerate(inputs):
            if not ctx.needs_input_grad[i + 1]:
                grads.append(None)
                continue
            if len(set(subs)) != len(subs):
                raise RuntimeError(
                    f"einsum(): the gradient of an operand with a repeated subscript ({subs!r}, a "
                    "diagonal) is not supported"
                )
            others = inputs[:i] + inputs[i + 1 :]
            present = set(out + "".join(others))
            target = "".join(c for c in subs if c in present)
            eq = ",".join([out] + others) + "->" + target
            grad = Einsum.apply(eq, g, *(tensors[:i] + tensors[i + 1 :]))
            shape = tensors[i]._data.shape
            if target != subs:  # letters only this operand has: broadcast the gradient along them
                kept = [shape[k] if c in present else 1 for k, c in enumerate(subs)]
                grad = expand(reshape(grad, tuple(kept)), shape)
            grads.append(sum_to(grad, shape) if grad._data.shape != shape else grad)
        return tuple(grads)


def einsum(equation: str, *operands: Any) -> Tensor:
    """Sum of products of the operands' entries over the subscripts of `equation`."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): equation must be a str, got {type(equation).__name__}")
    for t in operands:
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum(): expected Tensors as operands, got {type(t).__name__}")
    inputs, out = _explicit(equation, [t._data.ndim for t in operands])
    return Einsum.apply(",".join(inputs) + "->" + out, *operands)


from .shape import expand, reshape, sum_to  # noqa: E402
