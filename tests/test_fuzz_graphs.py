"""Fuzzing: random graphs of ops on random shapes, dtypes, strides and values, checked against a
float64 numpy reference evaluation of the same graph, forward values and gradients.

Each example draws leaf tensors (float32/float64 and some int64, contiguous or as transposed,
negatively strided, step-2 or stride-0 broadcast views of numpy arrays) and then a chain of ops:
elementwise maths, broadcasting binary ops with tensors, ints and Python scalars, reductions over
random dims, reshape/permute/expand/indexing/cat/stack, matmul, and in-place writes. The
reference holds for every node its numpy value and its vector-Jacobian product; the loss is a
random weighting of every unused node, and every leaf's `.grad` must match the reference's
reverse pass. Branches (relu, abs, clamp, maximum, where, amax, max) take their decisions from
tensorgrad's own forward values, so that a float32 rounding near a kink cannot send the two
evaluations different ways; those forward values are themselves compared with the reference.

CI runs 2,000 graphs with a fixed seed (TENSORGRAD_FUZZ_EXAMPLES=N runs N; up to 2,000 the seed
stays fixed). For a longer local run with fresh random seeds each time (hypothesis prints a
reproducer for any failure):

    TENSORGRAD_FUZZ_EXAMPLES=50000 python -m pytest tests/test_fuzz_graphs.py -p no:cacheprovider
"""

import os

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tensorgrad as tg

CI_EXAMPLES = 2000
FUZZ_EXAMPLES = int(os.environ.get("TENSORGRAD_FUZZ_EXAMPLES", CI_EXAMPLES))
LONG_RUN = FUZZ_EXAMPLES > CI_EXAMPLES  # longer runs draw fresh random seeds; shorter ones are fixed
MAX_OPS = 7
BOUND = 1e3  # nodes whose reference value leaves [-BOUND, BOUND] are dropped from the graph
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    derandomize=not LONG_RUN,
    database=None,
    deadline=None,
    print_blob=True,
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
graphs_checked = [0]


# ---- the graph and its reference ------------------------------------------------------------------


class Node:
    """One value of the graph: the tensor, its float64 reference, and how the reference
    differentiates it (vjp maps the output gradient to one gradient per parent, or None)."""

    def __init__(self, t, ref, parents=(), vjp=None, desc="leaf"):
        self.t = t
        self.ref = np.asarray(ref, dtype=np.float64)
        self.parents = parents
        self.vjp = vjp
        self.desc = desc
        self.used = False

    @property
    def value(self):
        """tensorgrad's forward value, in float64 (branch decisions are taken from it)."""
        return np.asarray(self.t.detach().numpy(), dtype=np.float64)

    @property
    def shape(self):
        return tuple(self.t.shape)


class Graph:
    def __init__(self, draw):
        self.draw = draw
        self.rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="seed"))
        self.nodes = []
        self.leaves = []
        self.float32 = False

    def pick(self, items):
        return self.draw(st.sampled_from(items))

    def int(self, lo, hi):
        return self.draw(st.integers(lo, hi))

    def flag(self, p_true=0.5):
        return self.draw(st.floats(0, 1)) < p_true

    def add(self, t, ref, parents, vjp, desc):
        ref = np.asarray(ref, dtype=np.float64)
        if ref.size and not (np.isfinite(ref).all() and np.abs(ref).max() <= BOUND):
            return None  # out of the checked range: leave it out of the graph
        if t.dtype == np.float32:
            self.float32 = True
        node = Node(t, ref, parents, vjp, desc)
        for p in parents:
            if p is not None:
                p.used = True
        self.nodes.append(node)
        return node

    def describe(self):
        return "\n".join(f"  n{i}: {n.desc} -> {n.shape} {n.t.dtype}" for i, n in enumerate(self.nodes))


# ---- leaves: values, dtypes and layouts -------------------------------------------------------------


def random_shape(g, max_ndim=3):
    ndim = g.int(0, max_ndim)
    shape = []
    for _ in range(ndim):
        shape.append(0 if g.flag(0.04) else g.int(1, 4))
    return tuple(shape)


def leaf_values(g, shape, kind):
    pattern = g.pick(["normal", "normal", "small ints", "constant"])
    if kind == "int":
        return g.rng.integers(-3, 4, shape).astype(np.float64)
    if pattern == "small ints":  # ties for max/amax/maximum/where
        return g.rng.integers(-2, 3, shape).astype(np.float64)
    if pattern == "constant":
        return np.full(shape, float(g.rng.integers(-2, 3)) * 0.5)
    return g.rng.uniform(-2.0, 2.0, shape)


def layout(g, values, dtype):
    """A numpy array equal to `values` in `dtype`, in a randomly chosen memory layout."""
    kind = g.pick(["contiguous", "permuted", "flipped", "strided", "broadcast"])
    v = values.astype(dtype)
    if kind == "permuted" and v.ndim >= 2:
        perm = tuple(g.rng.permutation(v.ndim))
        return np.ascontiguousarray(v.transpose(perm)).transpose(np.argsort(perm)), kind
    if kind == "flipped" and v.ndim >= 1:
        axis = g.int(0, v.ndim - 1)
        return np.flip(np.flip(v, axis).copy(), axis), kind
    if kind == "strided" and v.ndim >= 1:
        buf = np.zeros(v.shape[:-1] + (2 * v.shape[-1],), dtype)
        buf[..., ::2] = v
        return buf[..., ::2], kind
    if kind == "broadcast" and v.ndim >= 1 and v.shape[0] > 1:
        return np.broadcast_to(v[:1], v.shape), kind
    return v.copy(), "contiguous"


def new_leaf(g, shape, allow_int=True, dtype=None):
    kind = "int" if dtype is None and allow_int and g.flag(0.12) else "float"
    if dtype is None:
        dtype = np.int64 if kind == "int" else g.pick([np.float32, np.float64])
    arr, how = layout(g, leaf_values(g, shape, kind), dtype)
    t = tg.from_numpy(arr)
    requires_grad = kind == "float" and g.flag(0.85)
    if requires_grad:
        t.requires_grad_()
    node = Node(t, arr.astype(np.float64), desc=f"leaf {np.dtype(dtype).name} {how} grad={requires_grad}")
    if dtype == np.float32:
        g.float32 = True
    g.nodes.append(node)
    g.leaves.append(node)
    return node


# ---- helpers for the reference gradients --------------------------------------------------------------


def unbroadcast(grad, shape):
    """Sum a broadcast gradient back to `shape`."""
    grad = np.asarray(grad, dtype=np.float64)
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for i, n in enumerate(shape):
        if n == 1 and grad.shape[i] != 1:
            grad = grad.sum(axis=i, keepdims=True)
    return np.broadcast_to(grad, shape)


def broadcast_partner_shape(g, shape):
    """A shape that broadcasts with `shape` (dims set to 1 or dropped, maybe a new leading dim)."""
    out = [1 if g.flag(0.3) else n for n in shape]
    drop = g.int(0, len(out))
    out = out[drop:]
    if drop == 0 and len(out) < 3 and g.flag(0.15):
        out = [g.int(1, 3), *out]
    return tuple(out)


def partner(g, x):
    """A second operand for x: an existing node whose shape broadcasts with x's, or a new leaf."""
    compatible = []
    for n in g.nodes:
        if n is not x:
            try:
                np.broadcast_shapes(n.shape, x.shape)
                compatible.append(n)
            except ValueError:
                pass
    if compatible and g.flag(0.4):
        return g.pick(compatible)
    return new_leaf(g, broadcast_partner_shape(g, x.shape))


def reduce_dims(g, ndim, allow_tuple=True):
    """(dim argument, sorted axes) in the forms PyTorch accepts: None, an int, or a tuple."""
    if ndim == 0:
        return (g.pick([None, 0, -1]), ())
    form = g.pick(["none", "int", "tuple"] if allow_tuple else ["int"])
    if form == "none":
        return None, tuple(range(ndim))
    if form == "int":
        d = g.int(-ndim, ndim - 1)
        return d, (d % ndim,)
    k = g.int(1, ndim)
    axes = sorted(g.rng.choice(ndim, size=k, replace=False).tolist())
    dims = tuple(a - ndim if g.flag(0.3) else a for a in axes)
    return dims, tuple(axes)


def expand_reduced(grad, shape, axes, keepdim):
    if not keepdim:
        grad = np.expand_dims(grad, axes) if axes else grad
    return np.broadcast_to(grad, shape)


# ---- the ops: each takes a node, draws its arguments, returns a new node (or None) ---------------------

UNARY = {
    # name: (tensorgrad, reference forward, reference derivative f'(x))
    "neg": (lambda t: -t, lambda x: -x, lambda x: -np.ones_like(x)),
    "tanh": (tg.tanh, np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "sigmoid": (tg.sigmoid, lambda x: 1 / (1 + np.exp(-x)), lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2),
    "sin": (tg.sin, np.sin, np.cos),
    "cos": (tg.cos, np.cos, lambda x: -np.sin(x)),
    "exp": (tg.exp, np.exp, np.exp),
    "log(x*x+0.5)": (
        lambda t: tg.log(t * t + 0.5),
        lambda x: np.log(x * x + 0.5),
        lambda x: 2 * x / (x * x + 0.5),
    ),
    "sqrt(x*x+0.25)": (
        lambda t: (t * t + 0.25).sqrt(),
        lambda x: np.sqrt(x * x + 0.25),
        lambda x: x / np.sqrt(x * x + 0.25),
    ),
    "x**2": (lambda t: t**2, lambda x: x**2, lambda x: 2 * x),
    "x**3": (lambda t: t**3, lambda x: x**3, lambda x: 3 * x**2),
    "1/(x*x+1)": (
        lambda t: 1.0 / (t * t + 1),
        lambda x: 1 / (x * x + 1),
        lambda x: -2 * x / (x * x + 1) ** 2,
    ),
    "x*2.5": (lambda t: t * 2.5, lambda x: x * 2.5, lambda x: np.full_like(x, 2.5)),
    "x/4": (lambda t: t / 4, lambda x: x / 4, lambda x: np.full_like(x, 0.25)),
    "1.5-x": (lambda t: 1.5 - t, lambda x: 1.5 - x, lambda x: -np.ones_like(x)),
    "x+3": (lambda t: t + 3, lambda x: x + 3, lambda x: np.ones_like(x)),
}


def op_unary(g, x):
    if x.t.dtype.kind != "f":
        return None
    name = g.pick(sorted(UNARY))
    fn, fwd, deriv = UNARY[name]
    ref = x.ref

    def vjp(grad):
        return [grad * deriv(ref)]

    return g.add(fn(x.t), fwd(ref), (x,), vjp, name)


def op_kinked(g, x):
    """relu, abs, clamp: derivative masks from tensorgrad's own input values."""
    if x.t.dtype.kind != "f":
        return None
    name = g.pick(["relu", "abs", "clamp", "clamp_min"])
    xv, ref = x.value, x.ref
    if name == "relu":
        out, mask = x.t.relu(), (xv > 0).astype(float)
        value = np.where(xv > 0, ref, 0.0)
    elif name == "abs":
        out, mask = x.t.abs(), np.sign(xv)
        value = np.abs(ref)
    elif name == "clamp":
        out, mask = x.t.clamp(-0.5, 1.0), ((xv >= -0.5) & (xv <= 1.0)).astype(float)
        value = np.where(mask > 0, ref, np.clip(xv, -0.5, 1.0))
    else:
        out, mask = tg.clamp(x.t, min=0.25), (xv >= 0.25).astype(float)
        value = np.where(mask > 0, ref, 0.25)
    return g.add(out, value, (x,), lambda grad: [grad * mask], name)


BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b, lambda a, b, gr: (gr, gr)),
    "sub": (lambda a, b: a - b, lambda a, b: a - b, lambda a, b, gr: (gr, -gr)),
    "mul": (lambda a, b: a * b, lambda a, b: a * b, lambda a, b, gr: (gr * b, gr * a)),
    "a/(b*b+1)": (
        lambda a, b: a / (b * b + 1),
        lambda a, b: a / (b * b + 1),
        lambda a, b, gr: (gr / (b * b + 1), -gr * a * 2 * b / (b * b + 1) ** 2),
    ),
}


def op_binary(g, x):
    y = partner(g, x)
    a, b = (x, y) if g.flag() else (y, x)
    name = g.pick(sorted(BINARY))
    fn, fwd, vjp_ab = BINARY[name]
    ar, br = a.ref, b.ref

    def vjp(grad):
        ga, gb = vjp_ab(ar, br, grad)
        return [unbroadcast(ga, a.shape), unbroadcast(gb, b.shape)]

    return g.add(fn(a.t, b.t), fwd(ar, br), (a, b), vjp, f"{name}(n{g.nodes.index(a)}, n{g.nodes.index(b)})")


def op_select(g, x):
    """maximum, minimum, where(a > b, a, b): ties of maximum/minimum share the gradient."""
    y = partner(g, x)
    a, b = (x, y) if g.flag() else (y, x)
    name = g.pick(["maximum", "minimum", "where"])
    av, bv = np.broadcast_arrays(a.value, b.value)
    if name == "where":
        out = tg.where(a.t > b.t, a.t, b.t)
        wa = (av > bv).astype(float)
    else:
        out = tg.maximum(a.t, b.t) if name == "maximum" else tg.minimum(a.t, b.t)
        wins = av > bv if name == "maximum" else av < bv
        wa = np.where(av == bv, 0.5, wins.astype(float))
    ar, br = np.broadcast_arrays(a.ref, b.ref)
    value = wa * ar + (1 - wa) * br
    if name != "where":  # a tie takes either value (they are equal in tensorgrad's evaluation)
        value = np.where(av == bv, ar, value)

    def vjp(grad):
        return [unbroadcast(grad * wa, a.shape), unbroadcast(grad * (1 - wa), b.shape)]

    return g.add(out, value, (a, b), vjp, name)


def op_reduce(g, x):
    if x.t.dtype.kind != "f":
        return None
    name = g.pick(["sum", "mean", "var", "std", "logsumexp", "amax", "amin"])
    dim, axes = reduce_dims(g, x.t.ndim, allow_tuple=name != "logsumexp" or True)
    keepdim = g.flag()
    ref, shape = x.ref, x.shape
    count = int(np.prod([shape[a] for a in axes])) if axes else 1
    if count == 0 and name != "sum":
        return None
    if name == "sum":
        out = x.t.sum(dim=dim, keepdim=keepdim)
        value = np.sum(ref, axis=axes, keepdims=keepdim)
        return g.add(out, value, (x,), lambda gr: [expand_reduced(gr, shape, axes, keepdim)], f"sum {dim}")
    if name == "mean":
        out = x.t.mean(dim=dim, keepdim=keepdim)
        value = np.mean(ref, axis=axes, keepdims=keepdim)
        return g.add(out, value, (x,), lambda gr: [expand_reduced(gr, shape, axes, keepdim) / count], "mean")
    if name in ("var", "std"):
        correction = g.pick([0, 1])
        if count - correction <= 0:
            return None
        centered = ref - np.mean(ref, axis=axes, keepdims=True)
        var = np.sum(centered**2, axis=axes, keepdims=True) / (count - correction)
        if name == "std" and var.min(initial=1.0) < 1e-2:
            return None  # the derivative of sqrt at 0 is infinite
        out = getattr(x.t, name)(dim=dim, keepdim=keepdim, correction=correction)
        value = var if name == "var" else np.sqrt(var)
        dvar = 2 * centered / (count - correction)
        deriv = dvar if name == "var" else dvar / (2 * np.sqrt(var))
        value = value if keepdim else np.squeeze(value, axis=axes)
        return g.add(
            out, value, (x,), lambda gr: [expand_reduced(gr, shape, axes, keepdim) * deriv], f"{name} {dim}"
        )
    if name == "logsumexp":
        if dim is None:
            dim = tuple(range(x.t.ndim))
        out = tg.logsumexp(x.t, dim=dim, keepdim=keepdim)
        m = np.max(ref, axis=axes, keepdims=True)
        lse = m + np.log(np.sum(np.exp(ref - m), axis=axes, keepdims=True))
        soft = np.exp(ref - lse)
        value = lse if keepdim else np.squeeze(lse, axis=axes)
        return g.add(out, value, (x,), lambda gr: [expand_reduced(gr, shape, axes, keepdim) * soft], "lse")
    # amax / amin: ties share the gradient evenly; which elements tie is tensorgrad's call
    xv = x.value
    pick = np.max if name == "amax" else np.min
    if dim is None:
        dim = ()
    out = getattr(tg, name)(x.t, dim=dim, keepdim=keepdim)
    mask = (xv == pick(xv, axis=axes, keepdims=True)).astype(float)
    mask /= mask.sum(axis=axes, keepdims=True)
    value = np.sum(mask * ref, axis=axes, keepdims=keepdim)
    return g.add(out, value, (x,), lambda gr: [expand_reduced(gr, shape, axes, keepdim) * mask], name)


def op_max_along_dim(g, x):
    if x.t.dtype.kind != "f" or x.t.ndim == 0:
        return None
    d = g.int(-x.t.ndim, x.t.ndim - 1)
    axis = d % x.t.ndim
    if x.shape[axis] == 0:
        return None
    keepdim = g.flag()
    take_max = g.flag()
    values, indices = tg.max(x.t, d, keepdim) if take_max else tg.min(x.t, d, keepdim)
    idx = np.expand_dims(indices.numpy(), axis) if not keepdim else indices.numpy()
    xv = x.value
    best = np.max(xv, axis=axis, keepdims=True) if take_max else np.min(xv, axis=axis, keepdims=True)
    assert (np.take_along_axis(xv, idx, axis) == best).all(), "max/min index does not point at an extremum"
    value = np.take_along_axis(x.ref, idx, axis)
    value = value if keepdim else np.squeeze(value, axis)
    shape = x.shape

    def vjp(grad):
        out = np.zeros(shape)
        np.put_along_axis(out, idx, grad if keepdim else np.expand_dims(grad, axis), axis)
        return [out]

    return g.add(values, value, (x,), vjp, f"{'max' if take_max else 'min'}(dim={d})")


def op_softmax(g, x):
    if x.t.dtype.kind != "f" or x.t.ndim == 0:
        return None
    d = g.int(-x.t.ndim, x.t.ndim - 1)
    axis = d % x.t.ndim
    ref = x.ref
    e = np.exp(ref - np.max(ref, axis=axis, keepdims=True, initial=-np.inf))
    soft = e / np.sum(e, axis=axis, keepdims=True)
    if g.flag():
        return g.add(
            tg.softmax(x.t, d),
            soft,
            (x,),
            lambda gr: [soft * (gr - np.sum(gr * soft, axis=axis, keepdims=True))],
            f"softmax {d}",
        )
    return g.add(
        tg.log_softmax(x.t, d),
        np.log(soft),
        (x,),
        lambda gr: [gr - soft * np.sum(gr, axis=axis, keepdims=True)],
        f"log_softmax {d}",
    )


def random_factorization(g, numel):
    if numel == 0:
        return g.pick([(0,), (0, 3), (2, 0)])
    dims = []
    rest = numel
    for _ in range(g.int(0, 3)):
        divisors = [k for k in range(1, rest + 1) if rest % k == 0]
        k = g.pick(divisors)
        dims.append(k)
        rest //= k
    dims.append(rest)
    g.rng.shuffle(dims)
    return tuple(dims)


def op_shape(g, x):
    name = g.pick(["reshape", "permute", "transpose", "unsqueeze", "squeeze", "flatten", "expand", "T"])
    shape, ndim = x.shape, x.t.ndim
    ref = x.ref
    back = None
    if name == "reshape":
        new = random_factorization(g, x.t.numel())
        if x.t.numel() and g.flag(0.3):  # -1 is ambiguous for 0 elements (PyTorch raises too)
            new = (-1, *new[1:])
        out = x.t.reshape(new)
        value = ref.reshape(new)
    elif name == "permute" or (name == "T" and ndim == 2):
        perm = tuple(g.rng.permutation(ndim).tolist()) if name == "permute" else (1, 0)
        out = x.t.permute(*perm) if name == "permute" else x.t.T
        value = ref.transpose(perm)
        back = lambda gr: [np.transpose(gr, np.argsort(perm))]  # noqa: E731
    elif name == "transpose" and ndim >= 1:
        d0, d1 = g.int(-ndim, ndim - 1), g.int(-ndim, ndim - 1)
        out = x.t.transpose(d0, d1)
        value = np.swapaxes(ref, d0, d1)
        back = lambda gr: [np.swapaxes(gr, d0, d1)]  # noqa: E731
    elif name == "unsqueeze":
        d = g.int(-ndim - 1, ndim)
        out = x.t.unsqueeze(d)
        value = np.expand_dims(ref, d)
    elif name == "squeeze":
        ones = [i for i, n in enumerate(shape) if n == 1]
        if ones and g.flag():
            d = g.pick(ones)
            out, value = x.t.squeeze(d), np.squeeze(ref, d)
        else:
            out, value = x.t.squeeze(), np.squeeze(ref)
    elif name == "flatten" and ndim >= 1:
        s, e = sorted((g.int(0, ndim - 1), g.int(0, ndim - 1)))
        out = x.t.flatten(s, e)
        value = ref.reshape(shape[:s] + (-1,) + shape[e + 1 :]) if ref.size else ref.reshape(out.shape)
    elif name == "expand":
        new = tuple(g.int(1, 3) if n == 1 else n for n in shape)
        if g.flag(0.3):
            new = (2, *new)
        out = x.t.expand(*new) if new else x.t.expand(())
        value = np.broadcast_to(ref, new)
        back = lambda gr: [unbroadcast(gr, shape)]  # noqa: E731
    else:
        return None
    if back is None:
        back = lambda gr: [np.reshape(gr, shape)]  # noqa: E731
    return g.add(out, value, (x,), back, name)


def basic_index(g, shape):
    """A random basic index: ints, slices (positive steps), None and Ellipsis."""
    parts = []
    for n in shape:
        kind = g.pick(["all", "int", "slice", "slice"]) if n else "all"
        if kind == "int":
            parts.append(g.int(-n, n - 1))
        elif kind == "slice":
            start = g.pick([None, g.int(-n - 1, n + 1)])
            stop = g.pick([None, g.int(-n - 1, n + 1)])
            parts.append(slice(start, stop, g.pick([None, 1, 2, 3])))
        else:
            parts.append(slice(None))
    if parts and g.flag(0.3):  # drop trailing parts, maybe through an Ellipsis
        cut = g.int(0, len(parts) - 1)
        parts = parts[:cut] + ([Ellipsis] if g.flag() else [])
    if g.flag(0.2):
        parts.insert(g.int(0, len(parts)), None)
    return tuple(parts)


def op_index(g, x):
    shape, ref = x.shape, x.ref
    kind = g.pick(["basic", "int array", "int tensor", "bool mask"])
    if kind == "basic":
        index = basic_index(g, shape)
    elif kind in ("int array", "int tensor") and x.t.ndim >= 1 and shape[0] > 0:
        picks = g.rng.integers(-shape[0], shape[0], g.int(0, 5))  # repeats and negatives
        index = (
            (picks if kind == "int array" else tg.tensor(picks)),
            *([slice(None)] * g.int(0, x.t.ndim - 1)),
        )
    elif kind == "bool mask" and x.t.ndim >= 1:
        lead = g.int(1, x.t.ndim)
        mask = g.rng.random(shape[:lead]) < 0.5
        index = tg.tensor(mask) if g.flag() else mask
    else:
        return None
    np_index = (
        tuple(i.numpy() if isinstance(i, tg.Tensor) else i for i in index)
        if isinstance(index, tuple)
        else index
    )
    if isinstance(np_index, tg.Tensor):
        np_index = np_index.numpy()
    out = x.t[index]
    value = ref[np_index]

    def vjp(grad):
        full = np.zeros(shape)
        np.add.at(full, np_index, grad)
        return [full]

    return g.add(out, value, (x,), vjp, f"getitem {kind}")


def op_join(g, x):
    """cat or stack of x with a second operand made to fit."""
    ndim = x.t.ndim
    stack = g.flag() or ndim == 0
    d = g.int(-ndim - 1, ndim) if stack else g.int(-ndim, ndim - 1)
    shape = list(x.shape)
    if not stack:
        shape[d % ndim] = g.int(0, 3)
    y = new_leaf(g, tuple(shape))
    first, second = (x, y) if g.flag() else (y, x)
    if stack:
        out = tg.stack([first.t, second.t], d)
        value = np.stack([first.ref, second.ref], d)

        def vjp(grad):
            return [np.take(grad, 0, axis=d), np.take(grad, 1, axis=d)]

    else:
        axis = d % ndim
        out = tg.cat([first.t, second.t], d)
        value = np.concatenate([first.ref, second.ref], axis)
        split = first.shape[axis]

        def vjp(grad):
            return [
                np.take(grad, range(split), axis=axis),
                np.take(grad, range(split, grad.shape[axis]), axis=axis),
            ]

    return g.add(out, value, (first, second), vjp, "stack" if stack else "cat")


def op_matmul(g, x):
    """x @ y or y @ x (1-D, 2-D and batched), y a new leaf of x's dtype (PyTorch needs one dtype)."""
    if x.t.ndim == 0 or x.t.ndim > 3 or x.t.dtype.kind != "f":
        return None
    dtype = x.t.dtype
    k = x.shape[-1]
    other = g.pick(["vector", "matrix", "batched"])
    if other == "vector":
        y_shape = (k,)
    elif other == "matrix":
        y_shape = (k, g.int(1, 4))
    else:
        y_shape = (g.pick([1, 2]), k, g.int(1, 3))
    y = new_leaf(g, y_shape, dtype=dtype)
    if g.flag() and y.t.ndim >= 2:  # x on the right: y @ x needs y's last dim to be x's first
        y_shape = (*y_shape[:-2], g.int(1, 3), x.shape[0]) if x.t.ndim >= 2 else (g.int(1, 3), k)
        y = new_leaf(g, y_shape, dtype=dtype)
        a, b = (y, x) if x.t.ndim >= 2 or y.t.ndim == 2 else (x, y)
        if x.t.ndim >= 2 and y.shape[-1] != x.shape[-2]:
            return None
    else:
        a, b = x, y
    try:
        value = np.matmul(a.ref, b.ref)
    except ValueError:
        return None
    out = a.t @ b.t
    ar, br = a.ref, b.ref

    def vjp(grad):
        a2 = ar[None, :] if ar.ndim == 1 else ar
        b2 = br[:, None] if br.ndim == 1 else br
        g2 = np.reshape(grad, np.matmul(a2, b2).shape)  # 1-D operands as matrices
        ga = unbroadcast(g2 @ np.swapaxes(b2, -1, -2), a2.shape).reshape(ar.shape)
        gb = unbroadcast(np.swapaxes(a2, -1, -2) @ g2, b2.shape).reshape(br.shape)
        return [ga, gb]

    return g.add(out, value, (a, b), vjp, f"matmul {a.shape} @ {b.shape}")


def op_inplace(g, x):
    """Out-of-place copy, then an in-place op on it: add_/mul_ with a broadcast operand, or
    index assignment (the gradient reaches the written value and the untouched part)."""
    if x.t.dtype.kind != "f":
        return None
    kind = g.pick(["add_", "mul_", "setitem"])
    base = x.t * 1.0
    shape = x.shape
    if kind == "setitem":
        index = basic_index(g, shape)
        target_shape = np.empty(shape)[index].shape
        v = new_leaf(g, broadcast_partner_shape(g, target_shape), allow_int=False)
        extra = max(0, v.t.ndim - len(target_shape))
        stripped = v.shape[extra:]  # leading 1s of the value are dropped, as in PyTorch
        try:
            if np.broadcast_shapes(stripped, target_shape) != target_shape or v.shape[:extra] != (1,) * extra:
                return None
        except ValueError:
            return None
        base[index] = v.t
        value = x.ref.copy()
        value[index] = v.ref.reshape(stripped)
        written = np.zeros(shape, bool)
        written[index] = True

        def vjp(grad):
            g_value = unbroadcast(np.asarray(grad)[index], stripped).reshape(v.shape)
            return [np.where(written, 0.0, grad), g_value]

        return g.add(base, value, (x, v), vjp, "setitem")
    y = new_leaf(g, broadcast_partner_shape(g, shape)[-len(shape) :] if shape else ())
    try:
        if np.broadcast_shapes(y.shape, shape) != shape:
            return None
    except ValueError:
        return None
    if np.dtype(y.t.dtype).itemsize > np.dtype(base.dtype).itemsize:
        return None  # in PyTorch too, a float64 operand cannot be written into float32 in place
    yr = y.ref
    xr = x.ref
    if kind == "add_":
        base.add_(y.t)
        value = xr + yr
        vjp = lambda gr: [gr, unbroadcast(gr, y.shape)]  # noqa: E731
    else:
        base.mul_(y.t)
        value = xr * yr
        vjp = lambda gr: [gr * yr, unbroadcast(gr * xr, y.shape)]  # noqa: E731
    return g.add(base, value, (x, y), vjp, kind)


OPS = [
    op_unary,
    op_unary,
    op_kinked,
    op_binary,
    op_binary,
    op_select,
    op_reduce,
    op_max_along_dim,
    op_softmax,
    op_shape,
    op_shape,
    op_index,
    op_join,
    op_matmul,
    op_inplace,
]


# ---- checking --------------------------------------------------------------------------------------


def tolerance(g, ref):
    tol = 2e-4 if g.float32 else 1e-9
    return tol, tol * max(1.0, float(np.abs(ref).max(initial=0.0)))


def check_forward(g):
    for i, n in enumerate(g.nodes):
        assert n.shape == n.ref.shape, f"n{i} ({n.desc}): shape {n.shape}, reference {n.ref.shape}"
        rtol, atol = tolerance(g, n.ref)
        np.testing.assert_allclose(n.value, n.ref, rtol=rtol, atol=atol, err_msg=f"forward of n{i}: {n.desc}")


def reference_gradients(g, seeds):
    grads = dict(seeds)
    for n in reversed(g.nodes):
        grad = grads.get(n)
        if grad is None or n.vjp is None:
            continue
        for parent, pg in zip(n.parents, n.vjp(np.asarray(grad, dtype=np.float64))):
            if parent is None or pg is None or parent.t.dtype.kind != "f":
                continue
            pg = np.broadcast_to(pg, parent.shape)
            grads[parent] = pg if parent not in grads else grads[parent] + pg
    return grads


def check_backward(g):
    loss = None
    seeds = {}
    for n in g.nodes:
        if n.used or n.t.dtype.kind != "f" or not n.t.requires_grad:
            continue
        w = g.rng.uniform(-1, 1, n.shape).astype(n.t.dtype)
        seeds[n] = w.astype(np.float64)
        term = (n.t * tg.from_numpy(w)).sum()
        loss = term if loss is None else loss + term
    if loss is None:
        return
    loss.backward()
    expected = reference_gradients(g, seeds)
    for leaf in g.leaves:
        if not leaf.t.requires_grad:
            continue
        want = expected.get(leaf, np.zeros(leaf.shape))
        got = leaf.t.grad
        if got is None:
            assert not np.any(want), f"leaf {leaf.desc} got no gradient"
            continue
        assert got.dtype == leaf.t.dtype and got.shape == leaf.shape, f"gradient of {leaf.desc}"
        assert got.grad_fn is None
        rtol, atol = tolerance(g, want)
        np.testing.assert_allclose(
            np.asarray(got.numpy(), np.float64),
            want,
            rtol=rtol,
            atol=atol,
            err_msg=f"gradient of {leaf.desc}",
        )


@FUZZ
@given(st.data())
def test_random_graphs_match_the_numpy_reference(data):
    g = Graph(data.draw)
    x = new_leaf(g, random_shape(g), allow_int=False)
    for _ in range(g.int(1, MAX_OPS)):
        op = g.pick(OPS)
        out = op(g, x)
        if out is not None and g.flag(0.8):
            x = out
        elif g.flag(0.3):
            x = g.pick(g.nodes)
    try:
        check_forward(g)
        check_backward(g)
    except AssertionError as e:
        raise AssertionError(f"{e}\ngraph:\n{g.describe()}") from None
    graphs_checked[0] += 1


def test_the_fuzzer_checked_enough_graphs():
    """Runs after the fuzz test (file order): it must have checked FUZZ_EXAMPLES graphs."""
    if graphs_checked[0]:
        assert graphs_checked[0] >= FUZZ_EXAMPLES, graphs_checked[0]
