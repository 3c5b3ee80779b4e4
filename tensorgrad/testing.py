"""Testing helpers for tensorgrad ops, for users' own test suites (PyTorch's torch.testing, cut down).

- `assert_close(actual, expected)`: PyTorch's assert_close for Tensors, numpy arrays and numbers.
- `check_op(fn, sample_inputs, reference)`: everything an op needs checked, in one call: gradcheck
  in float64, gradgradcheck when the op is declared twice differentiable, the forward against a
  numpy reference and backward's gradient shapes/dtypes in float32 and float64.

tensorgrad's own op table (tests/op_table.py) runs on the same machinery: an `OpInfo` names an op,
its reference and its samples; `check_grad`, `check_gradgrad`, `check_forward` and
`check_backward` run one `Sample` of it, and `check_op` is these four over a list of samples.

Sample arguments: a positional ndarray becomes a Tensor (float ones in the dtype under test, and
requiring grad; int and bool ones as they are); everything else, and every keyword argument, goes
unchanged to both the op and the reference. A non-contiguous ndarray becomes a non-contiguous Tensor.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .autograd import grad, gradcheck, gradgradcheck
from .autograd.grad_mode import no_grad
from .autograd.gradcheck import GradcheckError
from .dtypes import float32, float64
from .ops.creation import from_numpy, ones
from .tensor import Tensor

__all__ = ["OpInfo", "Sample", "assert_close", "check_op", "noncontiguous"]

# ---- assert_close ----------------------------------------------------------------------------------

# PyTorch's default (rtol, atol) per dtype; integers and bools compare exactly
_TOLERANCES = {
    np.dtype(np.float16): (1e-3, 1e-5),
    float32: (1.3e-6, 1e-5),
    float64: (1e-7, 1e-7),
}


def default_tolerances(*dts: np.dtype) -> tuple[float, float]:
    """(rtol, atol) that assert_close uses for values of these dtypes: the loosest of them."""
    rtol = atol = 0.0
    for d in dts:
        r, a = _TOLERANCES.get(np.dtype(d), (0.0, 0.0))
        rtol, atol = max(rtol, r), max(atol, a)
    return rtol, atol


def _as_array(value: Any) -> np.ndarray | None:
    """A Tensor, ndarray or number as an ndarray (Python numbers as int64/float64/bool); else None."""
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, bool | np.bool_):
        return np.asarray(value, dtype=np.bool_)
    if isinstance(value, int | np.integer):
        return np.asarray(value, dtype=np.int64 if isinstance(value, int) else value.dtype)
    if isinstance(value, float | np.floating):
        return np.asarray(value, dtype=np.float64 if isinstance(value, float) else value.dtype)
    return None


def _fail(message: str, msg: str | Callable[[str], str] | None) -> None:
    if callable(msg):
        message = msg(message)
    elif msg is not None:
        message = msg
    raise AssertionError(message)


def assert_close(
    actual: Any,
    expected: Any,
    *,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = False,
    check_dtype: bool = True,
    msg: str | Callable[[str], str] | None = None,
) -> None:
    """Assert that `actual` and `expected` are close, as torch.testing.assert_close does.

    Values are close where ``|actual - expected| <= atol + rtol * |expected|`` elementwise (infinities
    of the same sign are equal; NaNs are equal only with `equal_nan`). Shapes must match exactly (no
    broadcasting) and, with `check_dtype`, so must dtypes. Without `rtol`/`atol` (give both or
    neither) PyTorch's defaults for the dtype apply: float32 rtol 1.3e-6, atol 1e-5; float64 rtol
    1e-7, atol 1e-7; float16 rtol 1e-3, atol 1e-5; integers and bools exact.

    Tensors, numpy arrays and Python numbers compare by value (unlike PyTorch, a Tensor may be
    compared with an ndarray); sequences and mappings of them are compared item by item. The
    error names the number of mismatched elements and the greatest absolute and relative
    differences with their index. `msg` replaces that message, or, if callable, receives it and
    returns the message to raise.
    """
    if (rtol is None) != (atol is None):
        missing = "rtol" if rtol is None else "atol"
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got no {missing}.")
    _assert_close(actual, expected, rtol, atol, equal_nan, check_dtype, msg, "")


def _assert_close(
    actual: Any, expected: Any, rtol: Any, atol: Any, equal_nan: bool, check_dtype: bool, msg: Any, where: str
) -> None:
    a, e = _as_array(actual), _as_array(expected)
    if a is None or e is None:
        _assert_close_containers(actual, expected, rtol, atol, equal_nan, check_dtype, msg, where)
        return
    at = f" at {where}" if where else ""
    if a.shape != e.shape:
        _fail(f"The values for attribute 'shape' do not match{at}: {a.shape} != {e.shape}.", msg)
    if check_dtype and a.dtype != e.dtype:
        _fail(f"The values for attribute 'dtype' do not match{at}: {a.dtype} != {e.dtype}.", msg)
    if rtol is None:
        rtol, atol = default_tolerances(a.dtype, e.dtype)
    bad = _mismatches(a, e, rtol, atol, equal_nan)
    if bad.any():
        kind = "Scalars" if a.ndim == 0 else "Tensor-likes"
        _fail(f"{kind} are not close{at}!\n\n" + _describe(a, e, bad, rtol, atol), msg)


def _assert_close_containers(
    actual: Any, expected: Any, rtol: Any, atol: Any, equal_nan: bool, check_dtype: bool, msg: Any, where: str
) -> None:
    at = f" at {where}" if where else ""
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        if set(actual) != set(expected):
            _fail(f"The keys of the mappings do not match{at}: {sorted(actual)} != {sorted(expected)}.", msg)
        for key in expected:
            _assert_close(
                actual[key], expected[key], rtol, atol, equal_nan, check_dtype, msg, f"{where}[{key!r}]"
            )
        return
    sequences = (isinstance(x, Sequence) and not isinstance(x, str) for x in (actual, expected))
    if all(sequences):
        if len(actual) != len(expected):
            _fail(f"The lengths of the sequences do not match{at}: {len(actual)} != {len(expected)}.", msg)
        for i, (x, y) in enumerate(zip(actual, expected)):
            _assert_close(x, y, rtol, atol, equal_nan, check_dtype, msg, f"{where}[{i}]")
        return
    raise TypeError(
        f"assert_close: cannot compare {type(actual).__name__} with {type(expected).__name__}{at}; "
        "expected Tensors, numpy arrays, numbers, or sequences/mappings of them"
    )


def _mismatches(a: np.ndarray, e: np.ndarray, rtol: float, atol: float, equal_nan: bool) -> np.ndarray:
    if a.dtype.kind in "biu" and e.dtype.kind in "biu":
        return a != e
    a64, e64 = a.astype(np.float64), e.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        close = (a64 == e64) | (np.abs(a64 - e64) <= atol + rtol * np.abs(e64))
    if equal_nan:
        close |= np.isnan(a64) & np.isnan(e64)
    return ~close


def _describe(a: np.ndarray, e: np.ndarray, bad: np.ndarray, rtol: float, atol: float) -> str:
    """PyTorch's mismatch report: count, greatest absolute/relative difference and where."""
    a64, e64 = a.astype(np.float64), e.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        abs_diff = np.where(bad, np.abs(a64 - e64), 0.0)
        rel_diff = np.where(bad, abs_diff / np.abs(e64), 0.0)
    first = _index(np.argmax(bad), a.shape)
    if a.ndim == 0:
        return (
            f"Expected {e64.item()!r} but got {a64.item()!r}.\n"
            f"Absolute difference: {abs_diff.item()!r} (up to {atol!r} allowed)\n"
            f"Relative difference: {rel_diff.item()!r} (up to {rtol!r} allowed)"
        )
    n_bad, n = int(bad.sum()), bad.size
    i_abs = _index(np.argmax(np.where(np.isnan(abs_diff), np.inf, abs_diff)), a.shape)
    i_rel = _index(np.argmax(np.where(np.isnan(rel_diff), np.inf, rel_diff)), a.shape)
    return (
        f"Mismatched elements: {n_bad} / {n} ({100.0 * n_bad / n:.1f}%)\n"
        f"Greatest absolute difference: {abs_diff[i_abs].item()!r} at index {i_abs} "
        f"(up to {atol!r} allowed)\n"
        f"Greatest relative difference: {rel_diff[i_rel].item()!r} at index {i_rel} "
        f"(up to {rtol!r} allowed)\n"
        f"First mismatch at index {first}: expected {e64[first].item()!r}, got {a64[first].item()!r}"
    )


def _index(flat: Any, shape: tuple) -> tuple:
    return tuple(int(i) for i in np.unravel_index(int(flat), shape))


# ---- samples and op descriptions ---------------------------------------------------------------------


class Sample:
    """One call of an op: positional `args`, keyword `kwargs`, and a short `desc` for messages."""

    __slots__ = ("args", "kwargs", "desc")

    def __init__(self, args: tuple, kwargs: dict | None = None, desc: str = "") -> None:
        self.args = tuple(args)
        self.kwargs = {} if kwargs is None else kwargs
        self.desc = desc

    def __repr__(self) -> str:
        return f"Sample({self.desc or self.args!r})"


class OpInfo:
    """An op under test (PyTorch's OpInfo, cut down).

    `op` is called with Tensors, `ref` with numpy arrays in the same dtype; `samples(rng)` gives
    the Samples. `tols` maps a dtype name to the forward comparison's (rtol, atol);
    `gradcheck_kwargs` go to gradcheck and gradgradcheck (eps, atol, rtol).
    """

    # plain classes, not dataclasses: `import tensorgrad` imports this module, and dataclasses
    # would add ~2 ms to it
    __slots__ = ("name", "op", "ref", "samples", "twice_differentiable", "gradcheck_kwargs", "tols")

    def __init__(
        self,
        name: str,
        op: Callable[..., Any],
        ref: Callable[..., Any] | None,
        samples: Callable[[np.random.Generator], list[Sample]],
        twice_differentiable: bool = True,
        gradcheck_kwargs: dict | None = None,
        tols: dict | None = None,
    ) -> None:
        self.name = name
        self.op = op
        self.ref = ref
        self.samples = samples
        self.twice_differentiable = twice_differentiable
        self.gradcheck_kwargs = {} if gradcheck_kwargs is None else gradcheck_kwargs
        self.tols = {"float32": (1e-5, 1e-5), "float64": (1e-10, 1e-12)} if tols is None else tols

    def __repr__(self) -> str:
        return f"OpInfo({self.name!r})"


# ---- the runner ------------------------------------------------------------------------------------


def noncontiguous(arr: np.ndarray) -> np.ndarray:
    """A strided (non C-contiguous) array holding the values of `arr`."""
    buf = np.zeros(arr.shape[:-1] + (2 * arr.shape[-1],), dtype=arr.dtype)
    view = buf[..., ::2]
    view[...] = arr
    return view


def _convert(arr: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """A fresh copy of `arr`, float ones in `dtype` and keeping a non-contiguous layout."""
    if arr.dtype.kind == "f":
        out = arr.astype(dtype)
        return out if arr.flags.c_contiguous or arr.ndim == 0 else noncontiguous(out)
    return arr.copy()


def make_inputs(sample: Sample, dtype: Any, requires_grad: bool) -> tuple[tuple, tuple]:
    """(tensor args, numpy args) for a sample, float arrays converted to `dtype`."""
    t_args, np_args = [], []
    for a in sample.args:
        if isinstance(a, np.ndarray):
            arr = _convert(a, np.dtype(dtype))
            t = from_numpy(_convert(arr, arr.dtype))  # its own buffer, same layout
            if requires_grad and arr.dtype.kind == "f":
                t.requires_grad_()
            t_args.append(t)
            np_args.append(arr)
        else:
            t_args.append(a)
            np_args.append(a)
    return tuple(t_args), tuple(np_args)


def flat_outputs(out: Any) -> tuple:
    """A Tensor, ndarray or number, or a (nested) tuple of them, as a flat tuple."""
    if isinstance(out, tuple | list):
        items = []
        for o in out:
            items.extend(flat_outputs(o))
        return tuple(items)
    return (out,)


def _where(info: OpInfo, sample: Sample) -> str:
    return f"{info.name} [{sample.desc}]" if sample.desc else info.name


def check_forward(info: OpInfo, sample: Sample, dtype: Any) -> None:
    """The op's outputs equal the reference's (values, shapes, dtypes); inputs stay untouched."""
    t_args, np_args = make_inputs(sample, dtype, requires_grad=False)
    before = [a.copy() if isinstance(a, np.ndarray) else None for a in np_args]
    got = flat_outputs(info.op(*t_args, **sample.kwargs))
    want = flat_outputs(info.ref(*np_args, **sample.kwargs))
    where = f"{_where(info, sample)} in {np.dtype(dtype).name}"
    assert len(got) == len(want), f"{where}: {len(got)} outputs, reference has {len(want)}"
    rtol, atol = info.tols[np.dtype(dtype).name]
    for k, (g, w) in enumerate(zip(got, want)):
        w = np.asarray(w)
        assert isinstance(g, Tensor), f"{where}: output {k} is a {type(g).__name__}, expected a Tensor"
        assert type(g.numpy()) is np.ndarray, f"{where}: output {k} holds a {type(g.numpy())}"
        header = f"{where}: output {k} differs from the reference:\n"
        assert_close(g, w, rtol=rtol, atol=atol, equal_nan=True, msg=lambda m, h=header: h + m)
    for i, (a, b) in enumerate(zip(t_args, before)):
        if b is not None:
            np.testing.assert_array_equal(a.numpy(), b, err_msg=f"{where} modified its input {i}")


def _differentiable_outputs(out: Any) -> tuple:
    return tuple(o for o in flat_outputs(out) if isinstance(o, Tensor) and o.requires_grad)


def check_backward(info: OpInfo, sample: Sample, dtype: Any) -> None:
    """Backward runs (size-0 included) and gives each input a gradient of its shape and dtype."""
    t_args, _ = make_inputs(sample, dtype, requires_grad=True)
    inputs = [t for t in t_args if isinstance(t, Tensor) and t.requires_grad]
    outs = _differentiable_outputs(info.op(*t_args, **sample.kwargs))
    where = f"{_where(info, sample)} in {np.dtype(dtype).name}"
    assert outs, f"{where}: no output requires grad"
    seeds = [ones(o.shape, dtype=o.dtype) for o in outs]
    grads = grad(outs, inputs, seeds, allow_unused=True)
    for i, (t, g) in enumerate(zip(inputs, grads)):
        if g is None:
            continue
        assert g.shape == t.shape, f"{where}: gradient of shape {g.shape} for input {i} of shape {t.shape}"
        assert g.dtype == t.dtype, f"{where}: gradient of dtype {g.dtype} for input {i} of dtype {t.dtype}"


def _as_function(info: OpInfo, sample: Sample) -> tuple[Callable, tuple]:
    t_args, _ = make_inputs(sample, np.float64, requires_grad=True)
    return (lambda *args: info.op(*args, **sample.kwargs)), t_args


def check_grad(info: OpInfo, sample: Sample) -> None:
    """gradcheck in float64: backward agrees with central finite differences."""
    fn, args = _as_function(info, sample)
    try:
        gradcheck(fn, args, **info.gradcheck_kwargs)
    except GradcheckError as error:
        raise AssertionError(_gradcheck_report(info, sample, fn, args, error, second=False)) from None


def check_gradgrad(info: OpInfo, sample: Sample) -> None:
    """gradgradcheck in float64: the backward's own backward agrees with finite differences."""
    fn, args = _as_function(info, sample)
    try:
        gradgradcheck(fn, args, **info.gradcheck_kwargs)
    except GradcheckError as error:
        raise AssertionError(_gradcheck_report(info, sample, fn, args, error, second=True)) from None


# what gradcheck's GradcheckError says (a pattern string: re caches it on first use)
_MISMATCH = (
    r"output (\d+) with respect to input (\d+): at input element (\d+), output element (\d+), "
    r"numerical (?:np\.\w+\()?([-+.\w]+)\)? vs analytical (?:np\.\w+\()?([-+.\w]+)\)? "
    r"\((\d+ of \d+) entries differ\)"
)


def _gradcheck_report(
    info: OpInfo, sample: Sample, fn: Callable, args: tuple, error: GradcheckError, second: bool
) -> str:
    """gradcheck's message, led by the op and sample that failed, with the element as an index."""
    what = "second derivatives (gradgradcheck)" if second else "gradients (gradcheck)"
    header = f"{_where(info, sample)}: {what} disagree with finite differences, in float64"
    found = re.search(_MISMATCH, str(error))
    if not found:
        return f"{header}\n  {error}"
    k, i, j, m = (int(v) for v in found.group(1, 2, 3, 4))
    numerical, analytical, count = found.group(5, 6, 7)
    if i < len(args):
        element = f"input {i} (shape {args[i].shape}) at index {_index(j, args[i].shape)}"
    else:  # gradgradcheck also differentiates with respect to its random grad_outputs
        element = f"the grad_output of output {i - len(args)} at element {j}"
    if not second:
        with no_grad():
            out = _float_outputs(fn(*args))
        if k < len(out):
            element += f", output {k} at index {_index(m, out[k].shape)}"
    return (
        f"{header}\n"
        f"  d(output)/d(input) wrong for {element}\n"
        f"  expected {numerical} (finite differences), got {analytical} (backward)\n"
        f"  {count} entries of the Jacobian differ"
    )


def _float_outputs(out: Any) -> tuple:
    """The float Tensor outputs, in the order gradcheck numbers them."""
    return tuple(o for o in flat_outputs(out) if isinstance(o, Tensor) and o.dtype.kind == "f")


# ---- check_op ---------------------------------------------------------------------------------------


def _as_sample(item: Any, k: int) -> Sample:
    """A Sample from a Sample, a tuple of positional arguments, or one argument; Tensors become arrays."""
    if isinstance(item, Sample):
        return item
    args = item if isinstance(item, tuple) else (item,)
    plain = []
    for a in args:
        plain.append(a.numpy().copy() if isinstance(a, Tensor) else a)
    return Sample(tuple(plain), {}, f"sample {k}")


def _name_of(fn: Callable) -> str:
    """A function's name; for `MyOp.apply`, the Function's class name."""
    owner = getattr(fn, "__self__", None)
    if isinstance(owner, type):
        return owner.__name__
    return getattr(fn, "__name__", "op")


def check_op(
    fn: Callable[..., Any],
    sample_inputs: Any,
    reference: Callable[..., Any] | None = None,
    twice_differentiable: bool = False,
    *,
    rtol: float | None = None,
    atol: float | None = None,
    dtypes: Sequence[Any] = (float32, float64),
    gradcheck_kwargs: dict | None = None,
    name: str | None = None,
) -> None:
    """Check an op on every sample: gradients, second derivatives, forward values, gradient shapes.

    `fn` takes Tensors (and any other arguments) and returns a Tensor or a tuple of them.
    `sample_inputs` is a list whose items are each a `Sample(args, kwargs)`, a tuple of
    positional arguments, or a single argument; ndarrays (and Tensors) in them become float
    Tensors in the dtype under test. For every sample, check_op runs:

    - gradcheck in float64 (backward against central finite differences);
    - gradgradcheck in float64 if `twice_differentiable`;
    - in each of `dtypes`: the forward against `reference(*numpy_args, **kwargs)`, a numpy
      version of the same formula, by assert_close with `rtol`/`atol` (PyTorch's defaults for
      the dtype when omitted); and backward, which must give every input a gradient of its own
      shape and dtype.

    A failure raises AssertionError naming the sample and the check, and for gradients the
    input, its element (as an index) and the expected (numerical) and actual (analytical) values.
    `gradcheck_kwargs` (eps, atol, rtol) go to gradcheck and gradgradcheck.
    """
    if (rtol is None) != (atol is None):
        raise ValueError("check_op: give both rtol and atol, or neither")
    samples = [_as_sample(item, k) for k, item in enumerate(sample_inputs)]
    if not samples:
        raise ValueError("check_op: sample_inputs is empty; give at least one sample")
    tols = {}
    for d in dtypes:
        d = np.dtype(d)
        tols[d.name] = (rtol, atol) if rtol is not None else default_tolerances(d)
    info = OpInfo(
        name or _name_of(fn),
        fn,
        reference,
        lambda rng: samples,
        twice_differentiable,
        dict(gradcheck_kwargs or {}),
        tols,
    )
    for sample in samples:
        check_grad(info, sample)
        if twice_differentiable:
            check_gradgrad(info, sample)
        for d in dtypes:
            if reference is not None:
                check_forward(info, sample, d)
            check_backward(info, sample, d)
