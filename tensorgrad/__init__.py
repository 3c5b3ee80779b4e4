"""tensorgrad: a small, fast deep-learning framework with PyTorch's API.

import tensorgrad as torch   # most PyTorch code then runs unchanged
"""

from __future__ import annotations

# isort: split
# Tensor first: compiled, the autograd modules import its type as they load (see tensor.pxd).
from .tensor import Tensor, is_floating_point, is_tensor

# isort: split
from . import (
    backends,
    cuda,
    data,
    distributions,
    dtypes,
    jit,
    linalg,
    nn,
    optim,
    profiler,
    random,
    testing,
    utils,
    viz,
)
from ._environment import (
    Size,
    are_deterministic_algorithms_enabled,
    get_num_interop_threads,
    inference_mode,
    is_deterministic_algorithms_warn_only_enabled,
    set_num_interop_threads,
    use_deterministic_algorithms,
)
from ._environment import compile as compile  # noqa: A001
from ._format import set_printoptions
from ._threading import get_num_threads, set_num_threads
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .device import device
from .dtypes import bool_ as bool  # noqa: A001
from .dtypes import double, float32, float64, get_default_dtype, int64, long, set_default_dtype
from .dtypes import float as float  # noqa: A001
from .ops.adaptive_pool_more import adaptive_avg_pool1d
from .ops.arrange import diag, meshgrid, repeat_interleave, roll, select
from .ops.composed_layers import bilinear, channel_shuffle, hardshrink, pdist, pixel_shuffle, pixel_unshuffle
from .ops.composite import addcdiv, addcmul, cosh, exp2, lerp, log2, log10, sinh, tan
from .ops.conv import conv2d
from .ops.conv3d import conv3d, conv_transpose3d
from .ops.conv_transpose import conv_transpose2d
from .ops.creation import (
    arange,
    as_tensor,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    initial_seed,
    linspace,
    manual_seed,
    multinomial,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .ops.decompositions import pinverse
from .ops.einsum import einsum
from .ops.elementwise import (
    abs,
    add,
    allclose,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    clamp,
    clip,
    clone,
    cos,
    div,
    eq,
    equal,
    exp,
    floor_divide,
    ge,
    gt,
    isclose,
    isfinite,
    isinf,
    isnan,
    le,
    log,
    logical_and,
    logical_not,
    logical_or,
    lt,
    masked_fill,
    maximum,
    minimum,
    mul,
    ne,
    neg,
    negative,
    pow,
    relu,
    remainder,
    rsqrt,
    sigmoid,
    sign,
    sin,
    sqrt,
    square,
    sub,
    tanh,
    true_divide,
    where,
)
from .ops.gamma_fns import digamma, lgamma, polygamma
from .ops.index import argwhere, gather, index_select, nonzero
from .ops.linalg import cholesky_solve, det, inverse, logdet, matrix_exp, matrix_power, slogdet
from .ops.matmul import addmm, bmm, dot, matmul, mm, mv, outer
from .ops.more_index import (
    bincount,
    bucketize,
    histc,
    index_add,
    index_copy,
    index_fill,
    isin,
    masked_select,
    searchsorted,
    take,
)
from .ops.more_math import (
    bitwise_left_shift,
    bitwise_right_shift,
    copysign,
    empty_strided,
    float_power,
    frexp,
    gcd,
    heaviside,
    lcm,
    ldexp,
    logspace,
    nextafter,
    renorm,
)
from .ops.more_shape import (
    block_diag,
    cartesian_prod,
    cross,
    diag_embed,
    diagonal,
    diff,
    fliplr,
    flipud,
    moveaxis,
    movedim,
    rot90,
    tensor_split,
    trace,
    tril_indices,
    triu_indices,
)
from .ops.nanreduce import nanmean, nansum
from .ops.norms import cdist, norm
from .ops.pointwise import (
    deg2rad,
    fix,
    fmod,
    frac,
    hypot,
    logaddexp,
    logaddexp2,
    logical_xor,
    rad2deg,
    reciprocal,
    sgn,
    signbit,
    trunc,
)
from .ops.pool import max_pool2d
from .ops.pool3d import max_pool3d
from .ops.product import prod
from .ops.reduce import (
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    count_nonzero,
    log_softmax,
    logsumexp,
    max,
    mean,
    min,
    softmax,
    std,
    sum,
    var,
)
from .ops.scan import cummax, cummin, cumprod, cumsum, logcumsumexp
from .ops.scatter import scatter, scatter_add
from .ops.shape import (
    broadcast_to,
    cat,
    chunk,
    concat,
    expand,
    flatten,
    flip,
    narrow,
    numel,
    permute,
    reshape,
    split,
    squeeze,
    stack,
    swapaxes,
    t,
    tile,
    transpose,
    tril,
    triu,
    unbind,
    unflatten,
    unsqueeze,
)
from .ops.sorting import argsort, kthvalue, median, mode, sort, topk, unique
from .ops.special import erf, erfc, erfinv, logit, xlogy
from .ops.stacking import (
    adjoint,
    atleast_1d,
    atleast_2d,
    atleast_3d,
    chain_matmul,
    column_stack,
    combinations,
    diagflat,
    dstack,
    hstack,
    inner,
    kron,
    narrow_copy,
    row_stack,
    swapdims,
    tensordot,
    vander,
    vstack,
)
from .ops.statistics import (
    aminmax,
    corrcoef,
    cov,
    cumulative_trapezoid,
    histogram,
    nanmedian,
    nanquantile,
    quantile,
    std_mean,
    trapezoid,
    trapz,
    var_mean,
)
from .ops.unary import (
    acos,
    asin,
    atan,
    atan2,
    ceil,
    clamp_max,
    clamp_min,
    expm1,
    floor,
    log1p,
    nan_to_num,
    round,
)
from .random import Generator, default_generator, get_rng_state, seed, set_rng_state
from .serialization import load, save
from .type_info import can_cast, finfo, iinfo, promote_types, result_type

multiply = mul
absolute = abs
subtract = sub
divide = div

__version__ = "0.1.0"
