"""The bad-input table: every public entry point called with wrong shapes, wrong dtypes (int, bool,
float16, object, complex), NaN/inf, size-0 dims, non-contiguous and negatively strided views,
0-d tensors, out-of-range indices and labels, mismatched operand dtypes and wrong argument types.

Each case is `case(name, call, expect)`: `call(m)` runs the code against the library `m` (so the
same table can be replayed against PyTorch by hand, with `m` a namespace over torch); `expect` is
`raises(type, regex)` (PyTorch's exception type, and a message that names the op and what was
wrong) or `gives(reference)` (the correct result, checked against numpy). test_bad_input.py runs
the table; `CASES` is the list of cases, grouped by family in `FAMILIES`.
"""

from __future__ import annotations

import math
from collections import namedtuple
from typing import Any

import numpy as np

Case = namedtuple("Case", "name call expect")
Raises = namedtuple("Raises", "error match")
Gives = namedtuple("Gives", "reference")

FAMILIES: dict[str, list] = {}
# A tensor of the wrong dtype: RuntimeError, as PyTorch raises (TypeError is for arguments that are
# not tensors at all).
DTYPE_ERROR = RuntimeError


def raises(error: Any, match: str) -> Raises:
    return Raises(error, match)


def gives(reference: Any) -> Gives:
    """`reference` is a value or a zero-argument callable giving it (numpy arrays, numbers, tuples)."""
    return Gives(reference)


def family(name: str, cases: list) -> None:
    FAMILIES[name] = cases


# ---- inputs (numpy arrays, turned into tensors with m.from_numpy / m.tensor) ---------------------

X = np.linspace(-2.0, 2.0, 12, dtype=np.float32).reshape(3, 4)
V = np.array([0.5, -1.0, 2.0, 0.0], dtype=np.float32)
I = np.array([[1, -2, 3], [0, 5, -6]], dtype=np.int64)  # noqa: E741
B = np.array([[True, False, True], [False, False, True]])
SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0], dtype=np.float32)


def t(m, a, **kw):
    """A tensor with a copy of `a`."""
    return m.tensor(np.array(a), **kw)


def views(a: np.ndarray) -> dict:
    """Layouts of the same values: non-contiguous, negatively strided, broadcast (stride 0)."""
    a = np.asarray(a)
    out = {"transposed": np.ascontiguousarray(a.T).T}
    if a.ndim:
        buf = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
        buf[..., ::2] = a
        out["step2"] = buf[..., ::2]
        out["flipped"] = np.flip(np.flip(a, -1).copy(), -1)
        out["flipped-all"] = a[::-1].copy()[::-1]
        out["broadcast"] = np.broadcast_to(a[:1], a.shape) if a.shape[0] else a
    return out


def inputs() -> dict:
    """name -> numpy array: the inputs every elementwise op and reduction is tried with."""
    out = {
        "float32": X,
        "float64": X.astype(np.float64),
        "int64": I,
        "bool": B,
        "0-d": np.array(1.5, np.float32),
        "size-0": np.zeros((0, 3), np.float32),
        "special": SPECIAL,
    }
    for k, v in views(X).items():
        out[k] = v
    return out


# ---- references ----------------------------------------------------------------------------------


def as_float(a: np.ndarray) -> np.ndarray:
    """PyTorch's result of a float-valued function of an int/bool tensor is float32."""
    return a if a.dtype.kind == "f" else a.astype(np.float32)


def quiet(fn: Any) -> Any:
    def call() -> Any:
        with np.errstate(all="ignore"):
            return fn()

    return call


def np_sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x.astype(np.float64)))


def np_logsumexp(x: np.ndarray, axis: Any) -> np.ndarray:
    x = x.astype(np.float64)
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    return np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m


def np_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# ---- creation ------------------------------------------------------------------------------------

family(
    "creation",
    [
        Case("tensor ragged list", lambda m: m.tensor([[1.0, 2.0], [3.0]]), raises(ValueError, "tensor")),
        Case(
            "tensor of strings",
            lambda m: m.tensor(["a", "b"]),
            raises((TypeError, ValueError), "tensor.*dtype"),
        ),
        Case("tensor of None", lambda m: m.tensor(None), raises((TypeError, RuntimeError), "tensor")),
        Case("tensor of a dict", lambda m: m.tensor({"a": 1}), raises((TypeError, RuntimeError), "tensor")),
        Case(
            "tensor of objects", lambda m: m.tensor(np.array([object()])), raises(TypeError, "tensor.*object")
        ),
        Case("tensor of complex", lambda m: m.tensor(np.ones(2, np.complex64)), raises(TypeError, "complex")),
        Case(
            "tensor dtype complex",
            lambda m: m.tensor([1.0], dtype=np.complex64),
            raises(TypeError, "complex"),
        ),
        Case(
            "tensor dtype string",
            lambda m: m.tensor([1.0], dtype="banana"),
            raises(TypeError, "tensor.*banana"),
        ),
        Case("tensor float16 data", lambda m: m.tensor(np.array([1.5, 2.0], np.float16)), gives([1.5, 2.0])),
        Case("tensor uint8 data", lambda m: m.tensor(np.array([1, 255], np.uint8)), gives([1, 255])),
        Case("tensor int32 data", lambda m: m.tensor(np.array([1, -2], np.int32)), gives([1, -2])),
        Case("tensor nan/inf", lambda m: m.tensor([math.nan, math.inf, -math.inf]), gives(SPECIAL[:3])),
        Case("tensor empty list", lambda m: m.tensor([]), gives(np.zeros(0, np.float32))),
        Case("tensor nested empty", lambda m: m.tensor([[], []]), gives(np.zeros((2, 0), np.float32))),
        Case("tensor 0-d", lambda m: m.tensor(3.0), gives(np.float32(3.0))),
        Case("tensor bool list", lambda m: m.tensor([True, False]), gives(np.array([True, False]))),
        Case("tensor flipped view", lambda m: m.tensor(np.flip(X, 0)), gives(np.flip(X, 0))),
        Case(
            "tensor int requires_grad",
            lambda m: m.tensor([1, 2], requires_grad=True),
            raises(RuntimeError, "floating point"),
        ),
        Case(
            "tensor bool requires_grad",
            lambda m: m.tensor([True], requires_grad=True),
            raises(RuntimeError, "floating point"),
        ),
        Case("from_numpy list", lambda m: m.from_numpy([1.0, 2.0]), raises(TypeError, "from_numpy.*ndarray")),
        Case(
            "from_numpy object",
            lambda m: m.from_numpy(np.array([None])),
            raises(TypeError, "from_numpy.*object"),
        ),
        Case(
            "from_numpy complex",
            lambda m: m.from_numpy(np.ones(2, np.complex128)),
            raises(TypeError, "from_numpy.*complex"),
        ),
        Case("from_numpy strings", lambda m: m.from_numpy(np.array(["x"])), raises(TypeError, "from_numpy")),
        Case("from_numpy 0-d", lambda m: m.from_numpy(np.array(2.0)), gives(np.array(2.0))),
        Case("from_numpy size-0", lambda m: m.from_numpy(np.zeros((0, 4))), gives(np.zeros((0, 4)))),
        Case("from_numpy transposed", lambda m: m.from_numpy(X.T) * 1, gives(X.T)),
        Case("from_numpy step-2", lambda m: m.from_numpy(X[:, ::2]) + 0, gives(X[:, ::2])),
        Case("zeros negative", lambda m: m.zeros(2, -1), raises(RuntimeError, "zeros.*negative")),
        Case("zeros float size", lambda m: m.zeros(2.5), raises(TypeError, "zeros.*size")),
        Case("zeros string size", lambda m: m.zeros("3"), raises(TypeError, "zeros.*size")),
        Case("zeros None size", lambda m: m.zeros(None), raises(TypeError, "zeros.*size")),
        Case("zeros size-0", lambda m: m.zeros(0, 3), gives(np.zeros((0, 3), np.float32))),
        Case(
            "zeros complex dtype",
            lambda m: m.zeros(2, dtype=np.complex64),
            raises(TypeError, "zeros.*complex"),
        ),
        Case("ones tuple and list", lambda m: m.ones([2, 1]), gives(np.ones((2, 1), np.float32))),
        Case("ones negative", lambda m: m.ones((-3,)), raises(RuntimeError, "ones.*negative")),
        Case("empty bool size", lambda m: m.empty(True), raises(TypeError, "empty.*size")),
        Case("full string value", lambda m: m.full((2,), "x"), raises(TypeError, "full.*fill_value")),
        Case("full None value", lambda m: m.full((2,), None), raises(TypeError, "full.*fill_value")),
        Case("full nan", lambda m: m.full((2,), math.nan), gives(np.full(2, np.nan, np.float32))),
        Case("full negative size", lambda m: m.full((2, -2), 1.0), raises(RuntimeError, "full.*negative")),
        Case("arange zero step", lambda m: m.arange(0, 5, 0), raises(RuntimeError, "arange.*step")),
        Case("arange nan", lambda m: m.arange(0, math.nan), raises(RuntimeError, "arange")),
        Case("arange inf", lambda m: m.arange(0, math.inf), raises(RuntimeError, "arange")),
        Case("arange wrong sign", lambda m: m.arange(5, 0, 1), raises(RuntimeError, "arange")),
        Case("arange string", lambda m: m.arange("5"), raises(TypeError, "arange")),
        Case(
            "linspace negative steps", lambda m: m.linspace(0, 1, -1), raises(RuntimeError, "linspace.*steps")
        ),
        Case(
            "linspace float steps",
            lambda m: m.linspace(0, 1, 2.5),
            raises((TypeError, RuntimeError), "linspace"),
        ),
        Case("linspace zero steps", lambda m: m.linspace(0, 1, 0), gives(np.zeros(0, np.float32))),
        Case("eye negative", lambda m: m.eye(-1), raises(RuntimeError, "eye.*negative")),
        Case("eye float", lambda m: m.eye(2.0), raises(TypeError, "eye")),
        Case("rand negative", lambda m: m.rand(-2), raises(RuntimeError, "rand.*negative")),
        Case("randn string", lambda m: m.randn("2"), raises(TypeError, "randn.*size")),
        Case(
            "randn int dtype", lambda m: m.randn(2, dtype=m.int64), raises((TypeError, RuntimeError), "randn")
        ),
        Case("randint low >= high", lambda m: m.randint(5, 5, (2,)), raises(RuntimeError, "randint")),
        Case("randint no size", lambda m: m.randint(0, 5), raises(TypeError, "randint")),
        Case(
            "randint negative size",
            lambda m: m.randint(0, 5, (-1,)),
            raises(RuntimeError, "randint.*negative"),
        ),
        Case("randperm negative", lambda m: m.randperm(-1), raises(RuntimeError, "randperm")),
        Case("randperm float", lambda m: m.randperm(2.5), raises(TypeError, "randperm")),
        Case("zeros_like non-tensor", lambda m: m.zeros_like([1, 2]), raises(TypeError, "zeros_like")),
        Case(
            "ones_like complex dtype",
            lambda m: m.ones_like(t(m, X), dtype=np.complex64),
            raises(TypeError, "ones_like"),
        ),
        Case("full_like string", lambda m: m.full_like(t(m, X), "a"), raises(TypeError, "full_like")),
        Case("manual_seed string", lambda m: m.manual_seed("1"), raises(TypeError, "manual_seed")),
        Case("as_tensor flipped", lambda m: m.as_tensor(np.flip(V)) * 1, gives(np.flip(V))),
    ],
)


# ---- elementwise unary ops over every kind of input ----------------------------------------------

UNARY = {
    # name: (call, numpy reference on the input array, what int/bool inputs give)
    "exp": (lambda m, x: m.exp(x), lambda a: np.exp(as_float(a)), "float"),
    "log": (lambda m, x: m.log(x), lambda a: np.log(as_float(a)), "float"),
    "sqrt": (lambda m, x: m.sqrt(x), lambda a: np.sqrt(as_float(a)), "float"),
    "tanh": (lambda m, x: m.tanh(x), lambda a: np.tanh(as_float(a)), "float"),
    "sigmoid": (lambda m, x: m.sigmoid(x), lambda a: np_sigmoid(as_float(a)), "float"),
    "sin": (lambda m, x: m.sin(x), lambda a: np.sin(as_float(a)), "float"),
    "cos": (lambda m, x: m.cos(x), lambda a: np.cos(as_float(a)), "float"),
    "relu": (lambda m, x: m.relu(x), lambda a: np.maximum(a, 0), "same"),
    "abs": (lambda m, x: m.abs(x), lambda a: np.abs(a), "same"),
    "neg": (lambda m, x: -x, lambda a: -a, "same"),
    "square": (lambda m, x: x * x, lambda a: a * a, "same"),
    "clamp": (lambda m, x: m.clamp(x, -1, 1), lambda a: np.clip(a, -1, 1), "same"),
}
BOOL_REJECTED = {"neg": (DTYPE_ERROR, "neg.*bool")}


def unary_cases() -> list:
    cases = []
    for op, (call, ref, _) in UNARY.items():
        for name, a in inputs().items():
            if name == "bool" and op in BOOL_REJECTED:
                cases.append(Case(f"{op} bool", lambda m, c=call: c(m, t(m, B)), raises(*BOOL_REJECTED[op])))
                continue
            cases.append(
                Case(
                    f"{op} {name}",
                    lambda m, c=call, a=a: c(m, m.from_numpy(a)),
                    gives(quiet(lambda r=ref, a=a: r(a))),
                )
            )
        for bad, value in (("string", "abc"), ("list", [1.0, 2.0]), ("None", None)):
            if op in ("neg", "square"):
                continue
            cases.append(Case(f"{op} {bad}", lambda m, c=call, v=value: c(m, v), raises(TypeError, op)))
    return cases


family("unary", unary_cases())


# ---- binary ops: broadcasting, dtype mixes, scalars, bad operands --------------------------------

BINARY = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
    "div": (lambda a, b: a / b, lambda x, y: np.true_divide(as_float(x), as_float(y))),
    "maximum": (lambda a, b: a.maximum(b), np.maximum),
    "pow": (lambda a, b: a**b, np.power),
    "lt": (lambda a, b: a < b, np.less),
    "eq": (lambda a, b: a == b, np.equal),
}


def torch_result_dtype(a: np.ndarray, b: np.ndarray) -> np.dtype:
    rank = {"b": 0, "i": 1, "u": 1, "f": 2}
    if rank[a.dtype.kind] != rank[b.dtype.kind]:
        return a.dtype if rank[a.dtype.kind] > rank[b.dtype.kind] else b.dtype
    return np.promote_types(a.dtype, b.dtype)


def binary_ref(fn: Any, a: np.ndarray, b: np.ndarray) -> Any:
    d = torch_result_dtype(a, b)
    return quiet(lambda: fn(a.astype(d), b.astype(d)))


PAIRS = {
    "broadcast (3,4)+(4,)": (X, V),
    "broadcast (3,1)+(1,4)": (X[:, :1], X[:1]),
    "0-d with (3,4)": (np.array(2.0, np.float32), X),
    "size-0 with (1,)": (np.zeros((0, 4), np.float32), V[:1]),
    "float32 with float64": (X, X.astype(np.float64)),
    "float32 with int64": (X[:2, :3], I.astype(np.int64) % 3),
    "int64 with bool": (I, B),
    "flipped with step-2": (views(X)["flipped"], views(X)["step2"][:, :2].repeat(2, 1)),
    "transposed with broadcast": (views(X)["transposed"], views(X)["broadcast"]),
    "nan and inf": (SPECIAL, SPECIAL[::-1].copy()),
}


def binary_cases() -> list:
    cases = []
    for op, (call, fn) in BINARY.items():
        for pname, (a, b) in PAIRS.items():
            if op == "pow" and (a.dtype.kind != "f" and b.dtype.kind != "f"):
                continue
            if op == "maximum" and "bool" in pname:
                continue
            if op == "sub" and "bool" in pname:
                cases.append(
                    Case(
                        f"sub {pname}",
                        lambda m, a=a, b=b: m.from_numpy(a) - m.from_numpy(b),
                        raises(DTYPE_ERROR, "sub.*bool"),
                    )
                )
                continue
            cases.append(
                Case(
                    f"{op} {pname}",
                    lambda m, c=call, a=a, b=b: c(m.from_numpy(a), m.from_numpy(b)),
                    gives(binary_ref(fn, a, b)),
                )
            )
        cases.append(
            Case(
                f"{op} shape mismatch",
                lambda m, c=call: c(t(m, X), t(m, X[:2])),
                raises(RuntimeError, f"{op}.*size"),
            )
        )
        cases.append(
            Case(
                f"{op} (4,) vs (3,)",
                lambda m, c=call: c(t(m, V), t(m, V[:3])),
                raises(RuntimeError, f"{op}.*size"),
            )
        )
        cases.append(Case(f"{op} string operand", lambda m, c=call: c(t(m, X), "a"), raises(TypeError, op)))
        cases.append(Case(f"{op} None operand", lambda m, c=call: c(t(m, X), None), raises(TypeError, op)))
        cases.append(
            Case(
                f"{op} complex scalar",
                lambda m, c=call: c(t(m, X), 1j),
                raises((TypeError, RuntimeError), op),
            )
        )
    # Python scalars keep the tensor's dtype (PyTorch's promotion)
    cases += [
        Case("int tensor + float scalar", lambda m: t(m, I) + 0.5, gives(I.astype(np.float32) + 0.5)),
        Case("bool tensor + int scalar", lambda m: t(m, B) + 1, gives(B.astype(np.int64) + 1)),
        Case(
            "float32 tensor * huge scalar",
            lambda m: t(m, X) * 1e300,
            gives(quiet(lambda: X * np.float32(np.inf))),
        ),
        Case("int tensor / 0", lambda m: t(m, I) / 0, gives(quiet(lambda: I.astype(np.float32) / 0))),
        Case("float tensor // 0", lambda m: t(m, X) // 0.0, gives(quiet(lambda: X // np.float32(0)))),
        Case("scalar - tensor", lambda m: 1.0 - t(m, X), gives(1 - X)),
        Case("scalar ** tensor", lambda m: 2.0 ** t(m, X), gives(np.float32(2.0) ** X)),
        Case("tensor ** negative int", lambda m: t(m, X) ** -1, gives(quiet(lambda: X**-1.0))),
        Case(
            "where non-bool cond",
            lambda m: m.where(t(m, I), t(m, I), t(m, I)),
            raises(DTYPE_ERROR, "where.*bool"),
        ),
        Case(
            "where shape mismatch",
            lambda m: m.where(t(m, B), t(m, X), 0.0),
            raises(RuntimeError, "where.*size"),
        ),
        Case(
            "where mixed dtypes",
            lambda m: m.where(t(m, B), t(m, I), t(m, I.astype(np.float64))),
            gives(np.where(B, I, I).astype(np.float64)),
        ),
        Case("where scalar branches", lambda m: m.where(t(m, B), 1.0, 0.0), gives(B.astype(np.float32))),
        Case(
            "masked_fill float mask",
            lambda m: t(m, X).masked_fill(t(m, X), 0.0),
            raises(DTYPE_ERROR, "masked_fill.*bool"),
        ),
        Case(
            "masked_fill mask too big",
            lambda m: t(m, V).masked_fill(t(m, B), 0.0),
            raises(RuntimeError, "masked_fill"),
        ),
        Case(
            "masked_fill 1-d value",
            lambda m: t(m, X[:2, :3]).masked_fill(t(m, B), t(m, V)),
            raises(RuntimeError, "masked_fill.*dim"),
        ),
        Case(
            "masked_fill inf",
            lambda m: t(m, X[:2, :3]).masked_fill(t(m, B), -math.inf),
            gives(np.where(B, -np.inf, X[:2, :3])),
        ),
        Case("logical_and float", lambda m: t(m, X) & t(m, X), raises((TypeError, RuntimeError), "and")),
        Case("invert float", lambda m: ~t(m, X), raises((TypeError, RuntimeError), "not")),
        Case("compare with string", lambda m: t(m, X) < "a", raises(TypeError, "lt")),
    ]
    return cases


family("binary", binary_cases())


# ---- matmul --------------------------------------------------------------------------------------

family(
    "matmul",
    [
        Case(
            "matmul inner mismatch",
            lambda m: t(m, X) @ t(m, X),
            raises(RuntimeError, "matmul.*3x4.*3x4|matmul.*shape"),
        ),
        Case("matmul 0-d", lambda m: t(m, 2.0) @ t(m, X), raises(RuntimeError, "matmul.*1D")),
        Case("matmul vector mismatch", lambda m: t(m, V) @ t(m, V[:3]), raises(RuntimeError, "matmul")),
        Case(
            "matmul dtype mismatch",
            lambda m: t(m, X) @ t(m, X.T.astype(np.float64)),
            raises(RuntimeError, "matmul.*dtype"),
        ),
        Case("matmul int", lambda m: t(m, I) @ t(m, I.T), raises(RuntimeError, "matmul.*(floating|int64)")),
        Case("matmul bool", lambda m: t(m, B) @ t(m, B.T), raises(RuntimeError, "matmul")),
        Case(
            "matmul batch mismatch",
            lambda m: m.ones(2, 3, 4) @ m.ones(3, 4, 2),
            raises(RuntimeError, "matmul"),
        ),
        Case("matmul string", lambda m: t(m, X) @ "a", raises(TypeError, "matmul")),
        Case(
            "matmul size-0 inner", lambda m: m.ones(3, 0) @ m.ones(0, 2), gives(np.zeros((3, 2), np.float32))
        ),
        Case(
            "matmul size-0 batch",
            lambda m: m.ones(0, 3, 4) @ m.ones(4, 2),
            gives(np.zeros((0, 3, 2), np.float32)),
        ),
        Case(
            "matmul flipped",
            lambda m: m.from_numpy(np.flip(X, 0)) @ m.from_numpy(np.flip(X.T, 1)),
            gives(np.flip(X, 0) @ np.flip(X.T, 1)),
        ),
        Case("matmul transposed", lambda m: m.from_numpy(X.T) @ m.from_numpy(X), gives(X.T @ X)),
        Case(
            "matmul step-2",
            lambda m: m.from_numpy(X[:, ::2]) @ m.from_numpy(X[::1, ::2].T),
            gives(X[:, ::2] @ X[:, ::2].T),
        ),
        Case(
            "matmul broadcast stride-0",
            lambda m: m.from_numpy(np.broadcast_to(V, (3, 4))) @ m.from_numpy(X.T),
            gives(np.broadcast_to(V, (3, 4)) @ X.T),
        ),
        Case(
            "matmul nan",
            lambda m: m.from_numpy(SPECIAL[None, :]) @ m.ones(6, 1),
            gives(quiet(lambda: SPECIAL[None, :] @ np.ones((6, 1), np.float32))),
        ),
        Case(
            "matmul 1-d @ 3-d",
            lambda m: t(m, V[:3]) @ m.ones(2, 3, 2),
            gives(V[:3] @ np.ones((2, 3, 2), np.float32)),
        ),
        Case("mm 3-d", lambda m: m.mm(m.ones(2, 2, 2), m.ones(2, 2)), raises(RuntimeError, "mm|matmul")),
        Case("bmm 2-d", lambda m: m.bmm(m.ones(2, 2), m.ones(2, 2)), raises(RuntimeError, "bmm")),
        Case(
            "bmm batch mismatch",
            lambda m: m.bmm(m.ones(2, 2, 2), m.ones(3, 2, 2)),
            raises(RuntimeError, "bmm"),
        ),
    ],
)


# ---- reductions ----------------------------------------------------------------------------------

REDUCTIONS = {
    "sum": (lambda m, x, d, k: m.sum(x, dim=d, keepdim=k), lambda a, ax, k: np.sum(a, axis=ax, keepdims=k)),
    "mean": (
        lambda m, x, d, k: m.mean(x, dim=d, keepdim=k),
        lambda a, ax, k: np.mean(a, axis=ax, keepdims=k),
    ),
    "var": (
        lambda m, x, d, k: m.var(x, dim=d, keepdim=k),
        lambda a, ax, k: np.var(a, axis=ax, keepdims=k, ddof=1),
    ),
    "std": (
        lambda m, x, d, k: m.std(x, dim=d, keepdim=k),
        lambda a, ax, k: np.std(a, axis=ax, keepdims=k, ddof=1),
    ),
    "amax": (lambda m, x, d, k: m.amax(x, dim=d, keepdim=k), lambda a, ax, k: np.max(a, axis=ax, keepdims=k)),
    "logsumexp": (
        lambda m, x, d, k: m.logsumexp(x, dim=d, keepdim=k),
        lambda a, ax, k: np_logsumexp(a, ax) if k else np.squeeze(np_logsumexp(a, ax), ax),
    ),
}


def reduction_cases() -> list:
    cases = []
    for op, (call, ref) in REDUCTIONS.items():
        for name in ("float32", "flipped", "step2", "transposed", "broadcast", "special"):
            a = inputs()[name]
            dim = 0 if a.ndim == 1 else (1, 0)
            cases.append(
                Case(
                    f"{op} {name}",
                    lambda m, c=call, a=a, d=dim: c(m, m.from_numpy(a), d, False),
                    gives(quiet(lambda r=ref, a=a, d=dim: r(a.astype(np.float64), d, False))),
                )
            )
        cases += [
            Case(
                f"{op} dim out of range",
                lambda m, c=call: c(m, t(m, X), 2, False),
                raises(IndexError, f"{op}.*range"),
            ),
            Case(
                f"{op} dim -3",
                lambda m, c=call: c(m, t(m, X), -3, False),
                raises(IndexError, f"{op}.*range"),
            ),
            Case(f"{op} float dim", lambda m, c=call: c(m, t(m, X), 0.5, False), raises(TypeError, op)),
            Case(f"{op} string dim", lambda m, c=call: c(m, t(m, X), "a", False), raises(TypeError, op)),
            Case(
                f"{op} repeated dim",
                lambda m, c=call: c(m, t(m, X), (0, 0), False),
                raises(RuntimeError, f"{op}.*multiple"),
            ),
            Case(
                f"{op} 0-d dim 0",
                lambda m, c=call: c(m, t(m, 1.5), 0, True),
                gives(np.float32(1.5) if op in ("sum", "mean", "amax", "logsumexp") else np.nan),
            ),
            Case(
                f"{op} 0-d dim 1",
                lambda m, c=call: c(m, t(m, 1.5), 1, False),
                raises(IndexError, f"{op}.*range"),
            ),
            Case(
                f"{op} keepdim (3,4) dim 1",
                lambda m, c=call: c(m, t(m, X), 1, True),
                gives(quiet(lambda r=ref: r(X.astype(np.float64), 1, True))),
            ),
        ]
        if op in ("var", "std", "mean", "logsumexp"):
            cases.append(
                Case(f"{op} int input", lambda m, c=call: c(m, t(m, I), 0, False), raises(DTYPE_ERROR, op))
            )
        if op == "amax":
            cases.append(
                Case(
                    "amax size-0 dim",
                    lambda m: m.amax(m.zeros(0, 3), 0),
                    raises(IndexError, "amax.*non-zero|amax.*size"),
                )
            )
            cases.append(Case("amax int", lambda m: m.amax(t(m, I), 1), gives(np.max(I, 1))))
        elif op == "logsumexp":
            cases.append(
                Case(
                    "logsumexp size-0 dim",
                    lambda m: m.logsumexp(m.zeros(0, 3), 0),
                    gives(np.full(3, -np.inf)),
                )
            )
        else:
            size0 = np.zeros((0, 3), np.float32)
            cases.append(
                Case(
                    f"{op} size-0 dim",
                    lambda m, c=call, a=size0: c(m, m.from_numpy(a), 0, False),
                    gives(quiet(lambda r=ref, a=size0: r(a.astype(np.float64), 0, False))),
                )
            )
    cases += [
        Case("sum int", lambda m: m.sum(t(m, I)), gives(I.sum())),
        Case("sum bool", lambda m: m.sum(t(m, B), 0), gives(B.sum(0))),
        Case("sum dtype=float64", lambda m: m.sum(t(m, I), dtype=m.float64), gives(np.float64(I.sum()))),
        Case("sum dtype complex", lambda m: m.sum(t(m, X), dtype=np.complex64), raises(TypeError, "sum")),
        Case("max dim out of range", lambda m: m.max(t(m, X), 5), raises(IndexError, "max.*range")),
        Case("max empty no dim", lambda m: m.max(m.zeros(0)), raises(RuntimeError, "max")),
        Case("max size-0 dim", lambda m: m.max(m.zeros(2, 0), 1), raises(IndexError, "max")),
        Case("max nan", lambda m: m.max(m.from_numpy(SPECIAL), 0)[0], gives(np.float32(np.nan))),
        Case(
            "min dim flipped",
            lambda m: m.min(m.from_numpy(np.flip(X, 1)), 1)[1],
            gives(np.argmin(np.flip(X, 1), 1)),
        ),
        Case("argmax size-0", lambda m: m.argmax(m.zeros(0)), raises((RuntimeError, IndexError), "argmax")),
        Case("argmax bool", lambda m: m.argmax(t(m, B), 1), gives(np.argmax(B, 1))),
        Case("argmax dim out of range", lambda m: m.argmax(t(m, X), 2), raises(IndexError, "argmax.*range")),
        Case("argmin 0-d", lambda m: m.argmin(t(m, 2.0)), gives(np.int64(0))),
        Case(
            "softmax dim out of range", lambda m: m.softmax(t(m, X), 2), raises(IndexError, "softmax.*range")
        ),
        Case("softmax int", lambda m: m.softmax(t(m, I), 0), raises(DTYPE_ERROR, "softmax")),
        Case(
            "softmax -inf row",
            lambda m: m.softmax(t(m, [[-math.inf, 0.0]]), 1),
            gives(np.array([[0.0, 1.0]])),
        ),
        Case("softmax size-0", lambda m: m.softmax(m.zeros(0, 3), 1), gives(np.zeros((0, 3)))),
        Case("softmax 0-d", lambda m: m.softmax(t(m, 3.0), 0), gives(np.float32(1.0))),
        Case(
            "softmax flipped",
            lambda m: m.softmax(m.from_numpy(np.flip(X, 1)), 1),
            gives(np_softmax(np.flip(X, 1), 1)),
        ),
        Case(
            "log_softmax float dim", lambda m: m.log_softmax(t(m, X), 1.0), raises(TypeError, "log_softmax")
        ),
        Case(
            "log_softmax step-2",
            lambda m: m.log_softmax(m.from_numpy(X[:, ::2]), 0),
            gives(np.log(np_softmax(X[:, ::2], 0))),
        ),
        Case("var correction > count", lambda m: m.var(t(m, V), correction=5), gives(np.inf)),
        Case("std unbiased string", lambda m: m.std(t(m, X), 0, unbiased="yes"), raises(TypeError, "std")),
    ]
    return cases


family("reductions", reduction_cases())


# ---- shape ops -----------------------------------------------------------------------------------

family(
    "shape",
    [
        Case(
            "reshape wrong numel", lambda m: t(m, X).reshape(5, 3), raises(RuntimeError, "reshape.*invalid")
        ),
        Case(
            "reshape two -1", lambda m: t(m, X).reshape(-1, -1), raises(RuntimeError, "reshape.*(-1|infer)")
        ),
        Case("reshape -2", lambda m: t(m, X).reshape(-2, 6), raises(RuntimeError, "reshape")),
        Case("reshape float", lambda m: t(m, X).reshape(2.0, 6), raises(TypeError, "reshape")),
        Case("reshape size-0 -1", lambda m: m.zeros(0, 3).reshape(-1, 0), raises(RuntimeError, "reshape")),
        Case(
            "reshape flipped",
            lambda m: m.from_numpy(np.flip(X, 0)).reshape(4, 3),
            gives(np.flip(X, 0).reshape(4, 3)),
        ),
        Case("view non-contiguous", lambda m: m.from_numpy(X.T).view(12), raises(RuntimeError, "view")),
        Case("view wrong numel", lambda m: t(m, X).view(7), raises(RuntimeError, "view|invalid")),
        Case("permute wrong length", lambda m: t(m, X).permute(0), raises(RuntimeError, "permute")),
        Case("permute repeated", lambda m: t(m, X).permute(0, 0), raises(RuntimeError, "permute")),
        Case("permute out of range", lambda m: t(m, X).permute(0, 2), raises(IndexError, "permute")),
        Case(
            "transpose out of range",
            lambda m: t(m, X).transpose(0, 2),
            raises(IndexError, "transpose.*range"),
        ),
        Case("transpose 0-d", lambda m: t(m, 1.0).transpose(0, -1), gives(np.float32(1.0))),
        Case("t() on 3-d", lambda m: m.ones(2, 2, 2).t(), raises(RuntimeError, "t\\(\\)")),
        Case("squeeze out of range", lambda m: t(m, X).squeeze(3), raises(IndexError, "squeeze.*range")),
        Case("squeeze non-1 dim", lambda m: t(m, X).squeeze(0), gives(X)),
        Case(
            "unsqueeze out of range", lambda m: t(m, X).unsqueeze(4), raises(IndexError, "unsqueeze.*range")
        ),
        Case("unsqueeze -3", lambda m: t(m, X).unsqueeze(-3), gives(X[None])),
        Case("flatten start > end", lambda m: m.ones(2, 3, 4).flatten(2, 1), raises(RuntimeError, "flatten")),
        Case("flatten 0-d", lambda m: t(m, 2.0).flatten(), gives(np.array([2.0], np.float32))),
        Case("expand shrink", lambda m: t(m, X).expand(2, 4), raises(RuntimeError, "expand")),
        Case("expand fewer dims", lambda m: t(m, X).expand(4), raises(RuntimeError, "expand")),
        Case("expand -1 new dim", lambda m: t(m, V).expand(-1, 4), raises(RuntimeError, "expand")),
        Case("expand size-0", lambda m: t(m, V[:1]).expand(0), gives(np.zeros(0, np.float32))),
        Case("cat empty list", lambda m: m.cat([]), raises((RuntimeError, ValueError), "cat")),
        Case("cat tensor not list", lambda m: m.cat(t(m, X)), raises(TypeError, "cat")),
        Case("cat shape mismatch", lambda m: m.cat([t(m, X), t(m, V)]), raises(RuntimeError, "cat")),
        Case("cat 0-d", lambda m: m.cat([t(m, 1.0), t(m, 2.0)]), raises(RuntimeError, "cat.*zero-dim")),
        Case(
            "cat dim out of range", lambda m: m.cat([t(m, X), t(m, X)], 2), raises(IndexError, "cat.*range")
        ),
        Case("cat with a list", lambda m: m.cat([t(m, V), [1.0]]), raises(TypeError, "cat")),
        Case(
            "cat mixed dtypes",
            lambda m: m.cat([t(m, V), t(m, V.astype(np.float64))]),
            gives(np.concatenate([V, V]).astype(np.float64)),
        ),
        Case("cat size-0 part", lambda m: m.cat([t(m, X), m.zeros(0, 4)]), gives(X)),
        Case(
            "cat flipped parts",
            lambda m: m.cat([m.from_numpy(np.flip(X, 0)), m.from_numpy(X.T.T)], 1),
            gives(np.concatenate([np.flip(X, 0), X], 1)),
        ),
        Case(
            "stack shape mismatch", lambda m: m.stack([t(m, V), t(m, V[:2])]), raises(RuntimeError, "stack")
        ),
        Case("stack empty", lambda m: m.stack([]), raises(RuntimeError, "stack")),
        Case(
            "stack dim out of range",
            lambda m: m.stack([t(m, V), t(m, V)], 3),
            raises(IndexError, "stack.*range"),
        ),
        Case("stack 0-d", lambda m: m.stack([t(m, 1.0), t(m, 2.0)]), gives(np.array([1.0, 2.0], np.float32))),
        Case("split zero size", lambda m: t(m, X).split(0), raises(RuntimeError, "split")),
        Case("split sections wrong sum", lambda m: t(m, X).split([1, 1], 0), raises(RuntimeError, "split")),
        Case("chunk zero", lambda m: t(m, X).chunk(0), raises(RuntimeError, "chunk")),
        Case("chunk 0-d", lambda m: t(m, 1.0).chunk(2), raises(RuntimeError, "chunk")),
        Case("narrow out of range", lambda m: m.narrow(t(m, X), 0, 2, 5), raises(RuntimeError, "narrow")),
        Case("narrow negative length", lambda m: m.narrow(t(m, X), 0, 0, -1), raises(RuntimeError, "narrow")),
        Case("triu 1-d", lambda m: m.triu(t(m, V)), raises(RuntimeError, "triu")),
        Case("tril size-0", lambda m: m.tril(m.zeros(0, 3)), gives(np.zeros((0, 3), np.float32))),
        Case("triu flipped", lambda m: m.triu(m.from_numpy(np.flip(X, 1))), gives(np.triu(np.flip(X, 1)))),
        Case(
            "contiguous of flipped", lambda m: m.from_numpy(np.flip(X, 1)).contiguous(), gives(np.flip(X, 1))
        ),
        Case("size dim out of range", lambda m: t(m, X).size(2), raises(IndexError, "size.*range")),
        Case("len of 0-d", lambda m: len(t(m, 1.0)), raises(TypeError, "len")),
        Case("item of many", lambda m: t(m, V).item(), raises(RuntimeError, "item|element")),
        Case("bool of many", lambda m: bool(t(m, V)), raises(RuntimeError, "ambiguous")),
        Case("to complex", lambda m: t(m, X).to(np.complex64), raises(TypeError, "to|complex")),
        Case(
            "to string",
            lambda m: t(m, X).to("banana"),
            raises((TypeError, RuntimeError, ValueError), "banana|to"),
        ),
    ],
)


# ---- indexing ------------------------------------------------------------------------------------

family(
    "indexing",
    [
        Case(
            "int index out of range",
            lambda m: t(m, X)[3],
            raises(IndexError, "index 3 is out of bounds|out of range"),
        ),
        Case(
            "negative index out of range",
            lambda m: t(m, X)[-4],
            raises(IndexError, "out of bounds|out of range"),
        ),
        Case(
            "second dim out of range",
            lambda m: t(m, X)[0, 4],
            raises(IndexError, "out of bounds|out of range"),
        ),
        Case("too many indices", lambda m: t(m, X)[0, 0, 0], raises(IndexError, "too many indices")),
        Case("index 0-d", lambda m: t(m, 1.0)[0], raises(IndexError, "index")),
        Case("float index", lambda m: t(m, X)[1.5], raises(IndexError, "index")),
        Case("string index", lambda m: t(m, X)["a"], raises((IndexError, TypeError), "index")),
        Case("float tensor index", lambda m: t(m, X)[t(m, [0.0, 1.0])], raises(IndexError, "index")),
        Case(
            "int tensor index out of range",
            lambda m: t(m, X)[t(m, [0, 3])],
            raises(IndexError, "out of bounds|out of range"),
        ),
        Case("int array index negative ok", lambda m: t(m, X)[np.array([-1, 0, -1])], gives(X[[-1, 0, -1]])),
        Case("int list index", lambda m: t(m, X)[[2, 2]], gives(X[[2, 2]])),
        Case(
            "bool mask wrong shape",
            lambda m: t(m, X)[t(m, [True, False])],
            raises(IndexError, "mask|shape|dimension"),
        ),
        Case("bool mask full", lambda m: t(m, X)[m.from_numpy(X > 0)], gives(X[X > 0])),
        Case("bool mask all false", lambda m: t(m, X)[m.from_numpy(X > 9)], gives(np.zeros(0, np.float32))),
        Case("slice past the end", lambda m: t(m, X)[5:9], gives(X[5:9])),
        Case("slice step 2", lambda m: t(m, X)[::2, 1::2], gives(X[::2, 1::2])),
        Case("ellipsis and None", lambda m: t(m, X)[..., None, 1], gives(X[..., None, 1])),
        Case(
            "index size-0 tensor",
            lambda m: m.zeros(0, 3)[0],
            raises(IndexError, "out of bounds|out of range"),
        ),
        Case("index flipped view", lambda m: m.from_numpy(np.flip(X, 0))[0], gives(np.flip(X, 0)[0])),
        Case(
            "setitem shape mismatch",
            lambda m: t(m, X).__setitem__(0, t(m, X[:, :3])),
            raises(RuntimeError, "shape mismatch"),
        ),
        Case(
            "setitem out of range",
            lambda m: t(m, X).__setitem__(5, 1.0),
            raises(IndexError, "out of bounds|out of range"),
        ),
        Case("setitem string value", lambda m: t(m, X).__setitem__(0, "a"), raises(TypeError, "assign|str")),
        Case(
            "setitem bool mask",
            lambda m: _setitem(m, X, m.from_numpy(X > 0), 0.0),
            gives(np.where(X > 0, 0, X)),
        ),
        Case(
            "setitem float64 into float32",
            lambda m: _setitem(m, X, 0, t(m, V.astype(np.float64))),
            gives(np.vstack([V, X[1:]])),
        ),
        Case(
            "setitem leading 1 dims",
            lambda m: _setitem(m, X, 1, t(m, V[None, None])),
            gives(np.vstack([X[:1], V[None], X[2:]])),
        ),
        Case(
            "setitem nan",
            lambda m: _setitem(m, X, (0, 0), math.nan),
            gives(np.where(np.arange(12).reshape(3, 4) == 0, np.nan, X)),
        ),
        Case(
            "gather index out of range",
            lambda m: m.gather(t(m, X), 1, t(m, [[0, 4]] * 3)),
            raises((RuntimeError, IndexError), "gather.*range|gather.*bounds"),
        ),
        Case(
            "gather negative index",
            lambda m: m.gather(t(m, X), 1, t(m, [[-1, 0]] * 3)),
            raises((RuntimeError, IndexError), "gather"),
        ),
        Case(
            "gather float index",
            lambda m: m.gather(t(m, X), 1, t(m, [[0.0]] * 3)),
            raises(DTYPE_ERROR, "gather.*int64|gather.*Long"),
        ),
        Case(
            "gather dim out of range",
            lambda m: m.gather(t(m, X), 2, t(m, [[0]] * 3)),
            raises(IndexError, "gather.*range"),
        ),
        Case(
            "gather wrong ndim", lambda m: m.gather(t(m, X), 1, t(m, [0, 1])), raises(RuntimeError, "gather")
        ),
        Case(
            "gather index too big",
            lambda m: m.gather(t(m, X), 1, m.zeros(4, 1, dtype=m.int64)),
            raises(RuntimeError, "gather"),
        ),
        Case(
            "gather ok",
            lambda m: m.gather(t(m, X), 1, t(m, [[3], [0], [1]])),
            gives(np.take_along_axis(X, np.array([[3], [0], [1]]), 1)),
        ),
    ],
)


def _setitem(m, a, index, value):
    x = m.tensor(np.array(a))
    x[index] = value
    return x


# ---- autograd misuse -----------------------------------------------------------------------------


def _double_backward(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    y = (x.tanh() * 2).sum()
    y.backward()
    y.backward()


def _modified_saved(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    z = y * y  # mul saves its inputs
    y.add_(1.0)
    z.sum().backward()


def _inplace_on_leaf(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    x.add_(1.0)


def _grad_unused(m):
    x = m.tensor([1.0], requires_grad=True)
    y = m.tensor([1.0], requires_grad=True)
    return m.autograd.grad((x * 2).sum(), [x, y])


family(
    "autograd",
    [
        Case(
            "backward non-scalar",
            lambda m: (t(m, X, requires_grad=True) * 2).backward(),
            raises(RuntimeError, "scalar"),
        ),
        Case(
            "backward without grad",
            lambda m: t(m, X).sum().backward(),
            raises(RuntimeError, "does not require grad"),
        ),
        Case(
            "backward wrong gradient shape",
            lambda m: (t(m, X, requires_grad=True) * 2).backward(m.ones(4)),
            raises(RuntimeError, "shape"),
        ),
        Case("backward twice", _double_backward, raises(RuntimeError, "second time")),
        Case(
            "saved tensor modified", _modified_saved, raises(RuntimeError, "modified by an inplace operation")
        ),
        Case("in-place on a leaf", _inplace_on_leaf, raises(RuntimeError, "leaf")),
        Case("grad of unused input", _grad_unused, raises(RuntimeError, "not have been used")),
        Case(
            "numpy of requires_grad",
            lambda m: t(m, X, requires_grad=True).numpy(),
            raises(RuntimeError, "numpy"),
        ),
        Case(
            "requires_grad_ on int",
            lambda m: t(m, I).requires_grad_(),
            raises(RuntimeError, "floating point"),
        ),
        Case(
            "grad setter wrong shape",
            lambda m: setattr(t(m, X, requires_grad=True), "grad", m.ones(2)),
            raises(RuntimeError, "grad"),
        ),
        Case(
            "grad setter not a tensor",
            lambda m: setattr(t(m, X, requires_grad=True), "grad", 1.0),
            raises(TypeError, "grad"),
        ),
    ],
)


# ---- nn layers -----------------------------------------------------------------------------------


def _img(m, *shape):
    return m.from_numpy(np.linspace(-1, 1, int(np.prod(shape)), dtype=np.float32).reshape(shape))


def _linear(m):
    m.manual_seed(0)
    return m.nn.Linear(4, 2)


def _linear_ref(x: np.ndarray) -> Any:
    def ref() -> np.ndarray:
        import tensorgrad as tg

        tg.manual_seed(0)
        layer = tg.nn.Linear(4, 2)
        w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
        return x.astype(np.float64) @ w.T.astype(np.float64) + b

    return ref


def _conv_ref(x: np.ndarray) -> np.ndarray:
    h, w = x.shape
    out = np.zeros((h - 1, w - 1))
    for i in range(h - 1):
        for j in range(w - 1):
            out[i, j] = x[i : i + 2, j : j + 2].sum()
    return out[None, None]


def _layer_norm_ref(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    mu = x.mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(x.var(-1, keepdims=True) + 1e-5)


def _embedding(m, **kw):
    m.manual_seed(0)
    return m.nn.Embedding(5, 3, **kw)


family(
    "layers",
    [
        Case(
            "Linear wrong in_features", lambda m: _linear(m)(m.ones(2, 3)), raises(RuntimeError, "3.*4|shape")
        ),
        Case(
            "Linear int input",
            lambda m: _linear(m)(t(m, I[:, :2].repeat(2, 1))),
            raises(RuntimeError, "dtype|Long|int64"),
        ),
        Case(
            "Linear float64 input",
            lambda m: _linear(m)(m.ones(2, 4, dtype=m.float64)),
            raises(RuntimeError, "dtype|Double|float64"),
        ),
        Case(
            "Linear 0-d input",
            lambda m: _linear(m)(t(m, 1.0)),
            raises(RuntimeError, "linear|matmul|1D|0D|shape"),
        ),
        Case("Linear string input", lambda m: _linear(m)("x"), raises(TypeError, "linear|Tensor")),
        Case("Linear size-0 batch", lambda m: _linear(m)(m.zeros(0, 4)), gives(np.zeros((0, 2)))),
        Case("Linear 1-d input", lambda m: _linear(m)(m.from_numpy(V)), gives(_linear_ref(V))),
        Case(
            "Linear flipped input",
            lambda m: _linear(m)(m.from_numpy(np.flip(X, 0))),
            gives(_linear_ref(np.flip(X, 0))),
        ),
        Case(
            "Linear transposed input", lambda m: _linear(m)(m.from_numpy(X.T.copy().T)), gives(_linear_ref(X))
        ),
        Case(
            "Linear nan input",
            lambda m: _linear(m)(m.from_numpy(SPECIAL[:4])),
            gives(quiet(_linear_ref(SPECIAL[:4]))),
        ),
        Case("Linear negative features", lambda m: m.nn.Linear(-1, 2), raises(RuntimeError, "negative")),
        Case(
            "Conv2d wrong channels",
            lambda m: m.nn.Conv2d(3, 2, 3)(_img(m, 1, 1, 5, 5)),
            raises(RuntimeError, "channels|3"),
        ),
        Case(
            "Conv2d kernel > input",
            lambda m: m.nn.Conv2d(1, 1, 5)(_img(m, 1, 1, 3, 3)),
            raises(RuntimeError, "kernel|size"),
        ),
        Case(
            "Conv2d 2-d input",
            lambda m: m.nn.Conv2d(1, 1, 1)(_img(m, 4, 4)),
            raises(RuntimeError, "3D|4D|dim"),
        ),
        Case(
            "Conv2d int input",
            lambda m: m.nn.Conv2d(1, 1, 1)(m.ones(1, 1, 2, 2, dtype=m.int64)),
            raises(RuntimeError, "dtype|Long|int64"),
        ),
        Case(
            "Conv2d stride 0",
            lambda m: m.nn.Conv2d(1, 1, 1, stride=0)(_img(m, 1, 1, 2, 2)),
            raises(RuntimeError, "stride"),
        ),
        Case(
            "Conv2d negative padding",
            lambda m: m.nn.Conv2d(1, 1, 1, padding=-1)(_img(m, 1, 1, 2, 2)),
            raises(RuntimeError, "padding|negative"),
        ),
        Case(
            "Conv2d groups mismatch",
            lambda m: m.nn.Conv2d(3, 2, 1, groups=2),
            raises(ValueError, "groups|divisible"),
        ),
        Case(
            "Conv2d zero channels", lambda m: m.nn.Conv2d(0, 2, 1).weight.shape, gives(np.array([2, 0, 1, 1]))
        ),
        Case(
            "Conv2d size-0 batch",
            lambda m: m.nn.Conv2d(1, 2, 3)(m.zeros(0, 1, 5, 5)).shape,
            gives(np.array([0, 2, 3, 3])),
        ),
        Case(
            "Conv2d flipped input",
            lambda m: m.nn.functional.conv2d(m.from_numpy(np.flip(X[None, None], 3)), m.ones(1, 1, 2, 2)),
            gives(_conv_ref(np.flip(X, 1))),
        ),
        Case(
            "conv2d weight dtype mismatch",
            lambda m: m.nn.functional.conv2d(_img(m, 1, 1, 3, 3), m.ones(1, 1, 2, 2, dtype=m.float64)),
            raises(RuntimeError, "dtype|Double|float"),
        ),
        Case(
            "conv2d bias wrong size",
            lambda m: m.nn.functional.conv2d(_img(m, 1, 1, 3, 3), m.ones(2, 1, 2, 2), m.ones(3)),
            raises(RuntimeError, "bias"),
        ),
        Case(
            "MaxPool2d kernel > input",
            lambda m: m.nn.MaxPool2d(4)(_img(m, 1, 1, 3, 3)),
            raises(RuntimeError, "size|small"),
        ),
        Case(
            "MaxPool2d stride 0",
            lambda m: m.nn.MaxPool2d(2, stride=0)(_img(m, 1, 1, 4, 4)),
            raises((RuntimeError, ValueError), "stride"),
        ),
        Case(
            "MaxPool2d big padding",
            lambda m: m.nn.MaxPool2d(2, padding=2)(_img(m, 1, 1, 4, 4)),
            raises(RuntimeError, "pad"),
        ),
        Case(
            "MaxPool2d 2-d input",
            lambda m: m.nn.MaxPool2d(2)(_img(m, 4, 4)),
            raises(RuntimeError, "3D|4D|dim"),
        ),
        Case(
            "MaxPool2d int input",
            lambda m: m.nn.MaxPool2d(2)(m.ones(1, 1, 2, 2, dtype=m.int64)),
            raises(RuntimeError, "dtype|Long|int64|float"),
        ),
        Case(
            "MaxPool2d nan",
            lambda m: m.nn.MaxPool2d(2)(m.from_numpy(SPECIAL[:4].reshape(1, 1, 2, 2))),
            gives(np.array(np.nan, np.float32).reshape(1, 1, 1, 1)),
        ),
        Case(
            "MaxPool2d step-2 input",
            lambda m: m.nn.MaxPool2d(2)(m.from_numpy(views(X)["step2"][None, None, :2, :])),
            gives(X[:2].reshape(2, 2, 2).max(axis=(0, 2)).reshape(1, 1, 1, 2)),
        ),
        Case(
            "AvgPool2d negative kernel",
            lambda m: m.nn.AvgPool2d(-1)(_img(m, 1, 1, 4, 4)),
            raises(RuntimeError, "kernel|positive|negative"),
        ),
        Case(
            "AvgPool2d flipped input",
            lambda m: m.nn.AvgPool2d(2)(m.from_numpy(np.flip(X[None, None, :2, :2], 2))),
            gives(np.array(X[:2, :2].mean(), np.float32).reshape(1, 1, 1, 1)),
        ),
        Case(
            "BatchNorm1d wrong features",
            lambda m: m.nn.BatchNorm1d(3)(m.ones(4, 5)),
            raises(RuntimeError, "3|5|features|channel"),
        ),
        Case(
            "BatchNorm1d batch of one",
            lambda m: m.nn.BatchNorm1d(3)(m.ones(1, 3)),
            raises(ValueError, "more than 1 value"),
        ),
        Case(
            "BatchNorm2d 2-d input", lambda m: m.nn.BatchNorm2d(3)(m.ones(4, 3)), raises(ValueError, "4D|dim")
        ),
        Case(
            "BatchNorm1d int input",
            lambda m: m.nn.BatchNorm1d(3)(m.ones(2, 3, dtype=m.int64)),
            raises(DTYPE_ERROR, "dtype|Long|int64|float"),
        ),
        Case(
            "BatchNorm1d constant input", lambda m: m.nn.BatchNorm1d(2)(m.ones(4, 2)), gives(np.zeros((4, 2)))
        ),
        Case(
            "LayerNorm wrong shape",
            lambda m: m.nn.LayerNorm(5)(m.ones(2, 4)),
            raises(RuntimeError, "normalized_shape|shape"),
        ),
        Case(
            "LayerNorm flipped",
            lambda m: m.nn.LayerNorm(4)(m.from_numpy(np.flip(X, 1))),
            gives(_layer_norm_ref(np.flip(X, 1))),
        ),
        Case(
            "Embedding index out of range",
            lambda m: _embedding(m)(t(m, [0, 5])),
            raises(IndexError, "out of range|out of bounds"),
        ),
        Case(
            "Embedding negative index",
            lambda m: _embedding(m)(t(m, [-1])),
            raises(IndexError, "out of range|out of bounds"),
        ),
        Case(
            "Embedding huge index",
            lambda m: _embedding(m)(t(m, [2**40])),
            raises(IndexError, "out of range|out of bounds"),
        ),
        Case(
            "Embedding float index",
            lambda m: _embedding(m)(t(m, [1.0])),
            raises(DTYPE_ERROR, "Long|Int|int64|integer"),
        ),
        Case(
            "Embedding bool index",
            lambda m: _embedding(m)(t(m, [True])),
            raises(DTYPE_ERROR, "Long|Int|int64|integer"),
        ),
        Case(
            "Embedding padding_idx out of range",
            lambda m: _embedding(m, padding_idx=7),
            raises(AssertionError, "padding_idx"),
        ),
        Case(
            "Embedding size-0 index",
            lambda m: _embedding(m)(m.zeros(0, dtype=m.int64)).shape,
            gives(np.array([0, 3])),
        ),
        Case(
            "Embedding flipped index",
            lambda m: _embedding(m)(m.from_numpy(np.flip(np.array([0, 1, 4])))).shape,
            gives(np.array([3, 3])),
        ),
        Case("Dropout p > 1", lambda m: m.nn.Dropout(1.5), raises(ValueError, "dropout probability")),
        Case(
            "Dropout p < 0",
            lambda m: m.nn.functional.dropout(t(m, X), -0.1),
            raises(ValueError, "dropout probability"),
        ),
        Case("Dropout eval", lambda m: m.nn.Dropout(0.5).eval()(t(m, X)), gives(X)),
        Case("Dropout p=1", lambda m: m.nn.functional.dropout(t(m, X), 1.0), gives(np.zeros_like(X))),
        Case("Softmax module wrong dim", lambda m: m.nn.Softmax(dim=3)(t(m, X)), raises(IndexError, "range")),
        Case(
            "Flatten 0-d",
            lambda m: m.nn.Flatten()(t(m, 1.0)),
            raises((RuntimeError, IndexError), "flatten|range"),
        ),
        Case(
            "Sequential non-module",
            lambda m: m.nn.Sequential(m.nn.ReLU(), 3),
            raises(TypeError, "Module|int"),
        ),
        Case(
            "MultiheadAttention heads not dividing",
            lambda m: m.nn.MultiheadAttention(6, 4),
            raises((AssertionError, ValueError), "divisible"),
        ),
        Case(
            "MultiheadAttention wrong embed",
            lambda m: _mha(m)(m.ones(2, 3, 5), m.ones(2, 3, 5), m.ones(2, 3, 5)),
            raises((RuntimeError, AssertionError), "embed|4|5"),
        ),
        Case(
            "sdpa mismatched",
            lambda m: m.nn.functional.scaled_dot_product_attention(
                m.ones(2, 3, 4), m.ones(2, 5, 3), m.ones(2, 5, 4)
            ),
            raises(RuntimeError, "size|shape|match"),
        ),
        Case(
            "load_state_dict wrong shape",
            lambda m: _linear(m).load_state_dict({"weight": m.ones(3, 4), "bias": m.ones(2)}),
            raises(RuntimeError, "size mismatch"),
        ),
        Case(
            "load_state_dict missing",
            lambda m: _linear(m).load_state_dict({"weight": m.ones(2, 4)}),
            raises(RuntimeError, "Missing key"),
        ),
        Case(
            "load_state_dict complex",
            lambda m: _linear(m).load_state_dict(
                {"weight": np.ones((2, 4), np.complex64), "bias": m.ones(2)}
            ),
            raises((RuntimeError, TypeError), "weight"),
        ),
    ],
)


def _mha(m):
    m.manual_seed(0)
    return m.nn.MultiheadAttention(4, 2, batch_first=True)


# ---- losses --------------------------------------------------------------------------------------

LOGITS = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]], np.float32)


def _ce_ref(logits: np.ndarray, target: np.ndarray) -> float:
    x = logits.astype(np.float64)
    logp = x - np_logsumexp(x, 1)
    return float(-logp[np.arange(len(target)), target].mean())


def _loss(m, name, *args, **kw):
    return getattr(m.nn.functional, name)(*args, **kw)


family(
    "losses",
    [
        Case(
            "cross_entropy label out of range",
            lambda m: _loss(m, "cross_entropy", t(m, LOGITS), t(m, [0, 3])),
            raises(IndexError, "out of bounds|out of range"),
        ),
        Case(
            "cross_entropy negative label",
            lambda m: _loss(m, "cross_entropy", t(m, LOGITS), t(m, [0, -1])),
            raises(IndexError, "out of bounds|out of range"),
        ),
        Case(
            "cross_entropy huge label",
            lambda m: _loss(m, "cross_entropy", t(m, LOGITS), t(m, [0, 2**40])),
            raises(IndexError, "out of bounds|out of range"),
        ),
        Case(
            "cross_entropy ignore_index",
            lambda m: _loss(m, "cross_entropy", t(m, LOGITS), t(m, [1, -100])),
            gives(_ce_ref(LOGITS[:1], np.array([1]))),
        ),
        Case(
            "cross_entropy all ignored",
            lambda m: _loss(m, "cross_entropy", t(m, LOGITS), t(m, [-100, -100])),
            gives(np.nan),
        ),
        Case(
            "cross_entropy float labels",
            lambda m: _loss(m, "cross_entropy", t(m, LOGITS), t(m, [0.0, 1.0])),
            raises((RuntimeError, ValueError), "shape|Long|int64|dtype"),
        ),
        Case(
            "cross_entropy bool labels",
            lambda m: _loss(m, "cross_entropy", t(m, LOGITS), t(m, [True, False])),
            raises(RuntimeError, "Long|int64|dtype|bool"),
        ),
        Case(
            "cross_entropy batch mismatch",
            lambda m: _loss(m, "cross_entropy", t(m, LOGITS), t(m, [0, 1, 2])),
            raises(ValueError, "batch|match|size|shape"),
        ),
        Case(
            "cross_entropy int logits",
            lambda m: _loss(m, "cross_entropy", t(m, I), t(m, [0, 1])),
            raises(DTYPE_ERROR, "float|Long|dtype"),
        ),
        Case(
            "cross_entropy 0-d logits",
            lambda m: _loss(m, "cross_entropy", t(m, 1.0), t(m, 0)),
            raises((RuntimeError, IndexError, ValueError), "dim|0D|0-d|shape|range"),
        ),
        Case(
            "cross_entropy 1-d logits",
            lambda m: _loss(m, "cross_entropy", t(m, LOGITS[0]), t(m, 2)),
            gives(_ce_ref(LOGITS[:1], np.array([2]))),
        ),
        Case(
            "cross_entropy size-0 batch",
            lambda m: _loss(m, "cross_entropy", m.zeros(0, 3), m.zeros(0, dtype=m.int64)),
            gives(np.nan),
        ),
        Case(
            "cross_entropy nan logits",
            lambda m: _loss(
                m, "cross_entropy", m.from_numpy(np.array([[np.nan, 0.0]], np.float32)), t(m, [1])
            ),
            gives(np.nan),
        ),
        Case(
            "cross_entropy 1e4 logits",
            lambda m: _loss(m, "cross_entropy", t(m, LOGITS * 1e4), t(m, [1, 2])),
            gives(_ce_ref(LOGITS * 1e4, np.array([1, 2]))),
        ),
        Case(
            "cross_entropy flipped logits",
            lambda m: _loss(m, "cross_entropy", m.from_numpy(np.flip(LOGITS, 1)), t(m, [0, 2])),
            gives(_ce_ref(np.flip(LOGITS, 1), np.array([0, 2]))),
        ),
        Case(
            "cross_entropy transposed logits",
            lambda m: _loss(m, "cross_entropy", m.from_numpy(LOGITS.T.copy().T), t(m, [2, 0])),
            gives(_ce_ref(LOGITS, np.array([2, 0]))),
        ),
        Case(
            "cross_entropy flipped labels",
            lambda m: _loss(m, "cross_entropy", t(m, LOGITS), m.from_numpy(np.flip(np.array([2, 1])))),
            gives(_ce_ref(LOGITS, np.array([1, 2]))),
        ),
        Case(
            "cross_entropy bad reduction",
            lambda m: _loss(m, "cross_entropy", t(m, LOGITS), t(m, [0, 1]), reduction="avg"),
            raises(ValueError, "reduction"),
        ),
        Case(
            "cross_entropy weight wrong size",
            lambda m: _loss(m, "cross_entropy", t(m, LOGITS), t(m, [0, 1]), weight=m.ones(2)),
            raises(RuntimeError, "weight"),
        ),
        Case(
            "cross_entropy smoothing > 1",
            lambda m: _loss(m, "cross_entropy", t(m, LOGITS), t(m, [0, 1]), label_smoothing=1.5),
            raises((ValueError, RuntimeError), "smoothing"),
        ),
        Case(
            "cross_entropy probs wrong shape",
            lambda m: _loss(m, "cross_entropy", t(m, LOGITS), m.ones(2, 2)),
            raises((RuntimeError, ValueError), "shape|size|match"),
        ),
        Case(
            "cross_entropy string target",
            lambda m: _loss(m, "cross_entropy", t(m, LOGITS), "a"),
            raises(TypeError, "target|Tensor"),
        ),
        Case(
            "nll_loss label out of range",
            lambda m: _loss(m, "nll_loss", t(m, LOGITS), t(m, [0, 5])),
            raises(IndexError, "out of bounds|out of range"),
        ),
        Case(
            "nll_loss 3-d with bad labels",
            lambda m: _loss(m, "nll_loss", m.zeros(2, 3, 4), m.full((2, 4), 3)),
            raises(IndexError, "out of bounds|out of range"),
        ),
        Case(
            "nll_loss target shape",
            lambda m: _loss(m, "nll_loss", m.zeros(2, 3, 4), m.zeros(2, 5, dtype=m.int64)),
            raises((RuntimeError, ValueError), "size|shape|match"),
        ),
        Case(
            "nll_loss ok",
            lambda m: _loss(m, "nll_loss", t(m, LOGITS), t(m, [2, 0])),
            gives(-(LOGITS[0, 2] + LOGITS[1, 0]) / 2),
        ),
        Case(
            "mse_loss shape mismatch",
            lambda m: _loss(m, "mse_loss", t(m, X), t(m, V[:3])),
            raises(RuntimeError, "size|shape"),
        ),
        Case(
            "mse_loss int",
            lambda m: _loss(m, "mse_loss", t(m, I), t(m, I)),
            raises(DTYPE_ERROR, "float|Long|dtype"),
        ),
        Case("mse_loss size-0", lambda m: _loss(m, "mse_loss", m.zeros(0), m.zeros(0)), gives(np.nan)),
        Case(
            "mse_loss flipped",
            lambda m: _loss(m, "mse_loss", m.from_numpy(np.flip(X, 0)), t(m, X)),
            gives(np.mean((np.flip(X, 0) - X) ** 2)),
        ),
        Case(
            "mse_loss inf",
            lambda m: _loss(m, "mse_loss", m.from_numpy(SPECIAL[1:3]), m.zeros(2)),
            gives(np.inf),
        ),
        Case(
            "l1_loss mixed dtypes",
            lambda m: _loss(m, "l1_loss", t(m, X), t(m, X.astype(np.float64))),
            gives(0.0),
        ),
        Case(
            "l1_loss bad reduction",
            lambda m: _loss(m, "l1_loss", t(m, X), t(m, X), reduction=None),
            raises((ValueError, TypeError), "reduction|None"),
        ),
        Case(
            "bce_with_logits shape mismatch",
            lambda m: _loss(m, "binary_cross_entropy_with_logits", t(m, X), t(m, X[:2])),
            raises(ValueError, "size|shape"),
        ),
        Case(
            "bce_with_logits int target",
            lambda m: _loss(m, "binary_cross_entropy_with_logits", t(m, X), m.ones(3, 4, dtype=m.int64)),
            raises(DTYPE_ERROR, "float|Long|dtype"),
        ),
        Case(
            "bce_with_logits pos_weight wrong",
            lambda m: _loss(
                m, "binary_cross_entropy_with_logits", t(m, X), m.ones(3, 4), pos_weight=m.ones(3)
            ),
            raises(RuntimeError, "size|pos_weight|shape"),
        ),
        Case(
            "bce_with_logits 1e3",
            lambda m: _loss(m, "binary_cross_entropy_with_logits", t(m, [1e3, -1e3]), t(m, [0.0, 1.0])),
            gives(1000.0),
        ),
        Case(
            "CrossEntropyLoss module",
            lambda m: m.nn.CrossEntropyLoss()(t(m, LOGITS), t(m, [1, 3])),
            raises(IndexError, "out of bounds|out of range"),
        ),
    ],
)


# ---- optimizers ----------------------------------------------------------------------------------


def _params(m):
    return [m.nn.Parameter(m.ones(2, 2))]


def _stepped(m, opt_name, **kw):
    p = m.nn.Parameter(m.ones(3))
    opt = getattr(m.optim, opt_name)([p], **kw)
    (p * m.tensor([1.0, 2.0, 3.0])).sum().backward()
    opt.step()
    return p, opt


def _corrupt_state(m, opt_name, key, value, **kw):
    p, opt = _stepped(m, opt_name, **kw)
    opt.state[p][key] = value(m)
    (p * 1.0).sum().backward()
    opt.step()


def _nan_grad(m):
    p = m.nn.Parameter(m.ones(2))
    opt = m.optim.SGD([p], lr=0.1)
    (p * m.tensor([math.nan, 1.0])).sum().backward()
    opt.step()
    return p.detach()


family(
    "optimizers",
    [
        Case("SGD negative lr", lambda m: m.optim.SGD(_params(m), lr=-1.0), raises(ValueError, "lr")),
        Case(
            "SGD string lr",
            lambda m: m.optim.SGD(_params(m), lr="fast"),
            raises((ValueError, TypeError), "lr"),
        ),
        Case(
            "SGD negative momentum",
            lambda m: m.optim.SGD(_params(m), lr=0.1, momentum=-0.5),
            raises(ValueError, "momentum"),
        ),
        Case(
            "SGD nesterov without momentum",
            lambda m: m.optim.SGD(_params(m), lr=0.1, nesterov=True),
            raises(ValueError, "[Nn]esterov"),
        ),
        Case(
            "SGD negative weight_decay",
            lambda m: m.optim.SGD(_params(m), lr=0.1, weight_decay=-1),
            raises(ValueError, "weight_decay"),
        ),
        Case(
            "Adam beta >= 1", lambda m: m.optim.Adam(_params(m), betas=(0.9, 1.0)), raises(ValueError, "beta")
        ),
        Case("Adam negative eps", lambda m: m.optim.Adam(_params(m), eps=-1e-8), raises(ValueError, "eps")),
        Case("Adam nan lr", lambda m: m.optim.Adam(_params(m), lr=math.nan), raises(ValueError, "lr")),
        Case(
            "AdamW one beta",
            lambda m: m.optim.AdamW(_params(m), betas=(0.9,)),
            raises((ValueError, TypeError), "beta"),
        ),
        Case(
            "RMSprop negative alpha",
            lambda m: m.optim.RMSprop(_params(m), alpha=-0.1),
            raises(ValueError, "alpha"),
        ),
        Case("optimizer empty params", lambda m: m.optim.SGD([], lr=0.1), raises(ValueError, "empty")),
        Case(
            "optimizer a tensor",
            lambda m: m.optim.SGD(m.nn.Parameter(m.ones(2)), lr=0.1),
            raises(TypeError, "iterable"),
        ),
        Case(
            "optimizer a set",
            lambda m: m.optim.SGD(set(_params(m)), lr=0.1),
            raises(TypeError, "set|ordered"),
        ),
        Case("optimizer a string", lambda m: m.optim.SGD(["w"], lr=0.1), raises(TypeError, "Tensor")),
        Case(
            "optimizer non-leaf",
            lambda m: m.optim.SGD([m.ones(2, requires_grad=True) * 2], lr=0.1),
            raises(ValueError, "leaf"),
        ),
        Case(
            "Adam corrupted state shape",
            lambda m: _corrupt_state(m, "Adam", "exp_avg", lambda m: m.zeros(2)),
            raises(RuntimeError, "exp_avg.*shape"),
        ),
        Case(
            "Adam corrupted state dtype",
            lambda m: _corrupt_state(m, "Adam", "exp_avg_sq", lambda m: m.zeros(3, dtype=m.float64)),
            raises(RuntimeError, "exp_avg_sq.*dtype"),
        ),
        Case(
            "Adam non-contiguous state",
            lambda m: _corrupt_state(m, "Adam", "exp_avg", lambda m: m.zeros(6)[::2]),
            raises(RuntimeError, "exp_avg"),
        ),
        Case(
            "SGD corrupted momentum",
            lambda m: _corrupt_state(m, "SGD", "momentum_buffer", lambda m: m.zeros(1), lr=0.1, momentum=0.9),
            raises(RuntimeError, "momentum_buffer"),
        ),
        Case(
            "RMSprop corrupted square_avg",
            lambda m: _corrupt_state(m, "RMSprop", "square_avg", lambda m: m.zeros(30)),
            raises(RuntimeError, "square_avg"),
        ),
        Case(
            "optimizer load_state_dict junk",
            lambda m: _stepped(m, "Adam")[1].load_state_dict({"state": {}, "param_groups": [{}, {}]}),
            raises(ValueError, "groups"),
        ),
        Case("optimizer nan gradient", _nan_grad, gives(np.array([np.nan, 0.9], np.float32))),
        Case("clip_grad_norm_ nan", lambda m: m.nn.utils.clip_grad_norm_(_params(m), math.nan), gives(0.0)),
        Case(
            "StepLR zero step",
            lambda m: m.optim.lr_scheduler.StepLR(_stepped(m, "SGD", lr=0.1)[1], step_size=0),
            raises((ValueError, ZeroDivisionError), "step_size"),
        ),
    ],
)


# ---- data ----------------------------------------------------------------------------------------


def _batches(m, n, **kw):
    data = m.data.TensorDataset(m.arange(n).float(), m.arange(n))
    return [b[1].tolist() for b in m.data.DataLoader(data, **kw)]


family(
    "data",
    [
        Case(
            "DataLoader batch_size 0",
            lambda m: m.data.DataLoader(m.data.TensorDataset(m.ones(3)), batch_size=0),
            raises(ValueError, "batch_size"),
        ),
        Case(
            "DataLoader negative batch",
            lambda m: m.data.DataLoader(m.data.TensorDataset(m.ones(3)), batch_size=-1),
            raises(ValueError, "batch_size"),
        ),
        Case(
            "DataLoader float batch",
            lambda m: m.data.DataLoader(m.data.TensorDataset(m.ones(3)), batch_size=2.5),
            raises((ValueError, TypeError), "batch_size"),
        ),
        Case(
            "DataLoader not a dataset",
            lambda m: list(m.data.DataLoader(5, batch_size=2)),
            raises(TypeError, "dataset|len|int"),
        ),
        Case("DataLoader empty dataset", lambda m: _batches(m, 0, batch_size=2), gives([])),
        Case("DataLoader drop_last short", lambda m: _batches(m, 3, batch_size=4, drop_last=True), gives([])),
        Case("DataLoader last partial", lambda m: _batches(m, 5, batch_size=2), gives([[0, 1], [2, 3], [4]])),
        Case(
            "TensorDataset size mismatch",
            lambda m: m.data.TensorDataset(m.ones(3), m.ones(4)),
            raises((ValueError, AssertionError), "Size mismatch"),
        ),
        Case(
            "TensorDataset 0-d",
            lambda m: m.data.TensorDataset(m.tensor(1.0)),
            raises((ValueError, IndexError), "TensorDataset|mismatch|0-d|dim"),
        ),
        Case(
            "TensorDataset index out of range",
            lambda m: m.data.TensorDataset(m.ones(3))[3],
            raises(IndexError, "out of"),
        ),
        Case(
            "TensorDataset not a tensor",
            lambda m: m.data.TensorDataset([1, 2]),
            raises((TypeError, AttributeError), "TensorDataset|Tensor|size"),
        ),
    ],
)


# ---- files ---------------------------------------------------------------------------------------


def _round_trip(m, obj, tmp):
    m.save(obj, tmp)
    return m.load(tmp)


def _tmp(name: str) -> str:
    import os
    import tempfile

    return os.path.join(tempfile.mkdtemp(prefix="tg-bad-input-"), name)


family(
    "files",
    [
        Case("save a function", lambda m: m.save({"f": len}, _tmp("f")), raises(TypeError, "save")),
        Case(
            "save an object array",
            lambda m: m.save({"a": np.array([object()])}, _tmp("o")),
            raises(TypeError, "save.*objects"),
        ),
        Case(
            "save into a missing directory",
            lambda m: m.save({}, _tmp("no/such/file")),
            raises(FileNotFoundError, ""),
        ),
        Case("load a missing file", lambda m: m.load(_tmp("missing")), raises(FileNotFoundError, "")),
        Case("load a directory", lambda m: m.load(_tmp("")), raises((IsADirectoryError, ValueError), "")),
        Case(
            "load garbage",
            lambda m: m.load(_garbage()),
            raises(ValueError, "load.*not a tensorgrad checkpoint"),
        ),
        Case(
            "load a plain npz",
            lambda m: m.load(_plain_npz()),
            raises(ValueError, "load.*not a tensorgrad checkpoint"),
        ),
        Case(
            "save/load flipped tensor",
            lambda m: _round_trip(m, m.from_numpy(np.flip(X, 0)), _tmp("x")),
            gives(np.flip(X, 0)),
        ),
        Case(
            "save/load step-2 tensor",
            lambda m: _round_trip(m, m.from_numpy(X[:, ::2]), _tmp("x")),
            gives(X[:, ::2]),
        ),
        Case("save/load 0-d", lambda m: _round_trip(m, m.tensor(2.5), _tmp("x")), gives(np.float32(2.5))),
        Case("save/load size-0", lambda m: _round_trip(m, m.zeros(0, 3), _tmp("x")), gives(np.zeros((0, 3)))),
        Case("save/load nan/inf", lambda m: _round_trip(m, m.from_numpy(SPECIAL), _tmp("x")), gives(SPECIAL)),
        Case(
            "save/load broadcast view",
            lambda m: _round_trip(m, m.from_numpy(np.broadcast_to(V, (3, 4))), _tmp("x")),
            gives(np.broadcast_to(V, (3, 4))),
        ),
    ],
)


def _garbage() -> str:
    path = _tmp("garbage")
    with open(path, "wb") as f:
        f.write(b"PK\x03\x04 definitely not a zip archive")
    return path


def _plain_npz() -> str:
    path = _tmp("plain.npz")
    np.savez(path, w=np.ones(3))
    return path


CASES: list = [c for cases in FAMILIES.values() for c in cases]
