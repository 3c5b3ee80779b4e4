"""Bad input to every public core entry point raises a Python exception whose message names the
op and the offending shapes or values (never a crash, never a silent wrong answer)."""

import re

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad.autograd import Function


def x23():
    return tg.randn(2, 3)


def x4():
    return tg.randn(4)


def leaf(*shape):
    return tg.randn(*shape, requires_grad=True)


def esc(text):
    return re.escape(text)


# (id, call, exception type, regex that must be found in the message)
CASES = [
    # -- creation --
    ("tensor-ragged", lambda: tg.tensor([[1, 2], [3]]), ValueError, "tensor: could not build"),
    (
        "tensor-dtype",
        lambda: tg.tensor([1.0], dtype="complex64"),
        TypeError,
        "tensor: dtype complex64 is not supported",
    ),
    ("tensor-strings", lambda: tg.tensor(["a"]), TypeError, "tensor: can't convert an array of dtype <U1"),
    (
        "tensor-int-requires-grad",
        lambda: tg.tensor([1], requires_grad=True),
        RuntimeError,
        "floating point.*int64",
    ),
    (
        "zeros-negative",
        lambda: tg.zeros(2, -1),
        RuntimeError,
        esc("zeros: Trying to create tensor with negative dimension -1: [2, -1]"),
    ),
    (
        "ones-float-size",
        lambda: tg.ones(2.5),
        TypeError,
        esc("ones: size must be a sequence of ints, got (2.5,)"),
    ),
    ("empty-string-size", lambda: tg.empty("a"), TypeError, "empty: size must be a sequence of ints"),
    ("full-value", lambda: tg.full((2,), "x"), TypeError, "full: fill_value must be a number, got str"),
    (
        "randint-range",
        lambda: tg.randint(5, 2, (3,)),
        RuntimeError,
        "randint: expected low < high, got low=5, high=2",
    ),
    ("randint-no-size", lambda: tg.randint(5), TypeError, "randint: missing the size"),
    ("arange-step", lambda: tg.arange(0, 5, 0), RuntimeError, "arange: step must be nonzero"),
    ("linspace-steps", lambda: tg.linspace(0, 1, -1), RuntimeError, "linspace: number of steps .* got -1"),
    ("eye-negative", lambda: tg.eye(-1), RuntimeError, "eye: .*negative dimension -1"),
    (
        "from_numpy-list",
        lambda: tg.from_numpy([1, 2]),
        TypeError,
        "from_numpy: expected np.ndarray, got list",
    ),
    ("from_numpy-dtype", lambda: tg.from_numpy(np.zeros(2, np.float16)), TypeError, "from_numpy: .*float16"),
    ("manual_seed", lambda: tg.manual_seed("x"), TypeError, "manual_seed: seed must be an int, got str"),
    # -- elementwise --
    *[
        (
            f"{name}-broadcast",
            fn,
            RuntimeError,
            esc(f"{name}: the size of tensor a [2, 3] must match the size of tensor b [4]"),
        )
        for name, fn in [
            ("add", lambda: x23() + x4()),
            ("sub", lambda: x23() - x4()),
            ("mul", lambda: x23() * x4()),
            ("div", lambda: x23() / x4()),
            ("pow", lambda: x23() ** x4()),
            ("maximum", lambda: tg.maximum(x23(), x4())),
            ("minimum", lambda: tg.minimum(x23(), x4())),
        ]
    ],
    ("add-string", lambda: x23() + "a", TypeError, "add: expected a Tensor or a number as operand, got str"),
    (
        "mul-none",
        lambda: tg.mul(x23(), None),
        TypeError,
        "mul: expected a Tensor or a number as operand, got NoneType",
    ),
    (
        "where-condition-dtype",
        lambda: tg.where(tg.tensor([1, 0]), x4()[:2], 0.0),
        RuntimeError,
        "where: condition must be a bool tensor, got dtype int64",
    ),
    (
        "where-broadcast",
        lambda: tg.where(tg.tensor([True, False]), x23(), 0.0),
        RuntimeError,
        esc("where: the size of tensor a [2] must match the size of tensor b [2, 3]"),
    ),
    (
        "masked_fill-mask-dtype",
        lambda: tg.masked_fill(x23(), tg.tensor([1, 0, 1]), 0.0),
        RuntimeError,
        "masked_fill: mask must be a bool tensor, got dtype int64",
    ),
    (
        "masked_fill-mask-shape",
        lambda: x4()[:3].masked_fill(tg.tensor([[True], [False]]), 0.0),
        RuntimeError,
        esc("masked_fill: mask of shape [2, 1] cannot be broadcast to the input's shape [3]"),
    ),
    (
        "masked_fill-value-shape",
        lambda: x4().masked_fill(tg.tensor([True] * 4), x4()),
        RuntimeError,
        "masked_fill only supports a 0-dimensional value tensor.*1 dimension",
    ),
    ("clamp-no-bounds", lambda: tg.clamp(x23()), RuntimeError, "clamp: at least one of 'min' or 'max'"),
    (
        "clamp-string",
        lambda: tg.clamp(x23(), min="a"),
        TypeError,
        "clamp: min must be a number or a Tensor, got str",
    ),
    ("exp-list", lambda: tg.exp([1.0]), TypeError, "exp: expected a Tensor, got list"),
    ("neg-bool", lambda: -tg.tensor([True]), RuntimeError, "neg: negation of a bool tensor"),
    (
        "sub-bool",
        lambda: tg.tensor([True]) - 1,
        RuntimeError,
        "sub: subtraction, the `-` operator, with a bool tensor",
    ),
    (
        "logical_not-float",
        lambda: ~x4(),
        RuntimeError,
        "bitwise_not: expected a bool or integer tensor, got dtype float32",
    ),
    # -- reductions --
    (
        "sum-dim-range",
        lambda: x23().sum(dim=3),
        IndexError,
        esc("sum: Dimension out of range (expected to be in range of [-2, 1], but got 3)"),
    ),
    (
        "sum-dim-repeat",
        lambda: x23().sum(dim=(0, -2)),
        RuntimeError,
        esc("sum: dim (0, -2) appears multiple times"),
    ),
    ("sum-dim-type", lambda: x23().sum(dim=1.5), TypeError, "sum: dim must be an int, got float"),
    ("sum-dtype", lambda: x23().sum(dtype="int8"), TypeError, "sum: dtype int8 is not supported"),
    (
        "mean-int",
        lambda: tg.tensor([1, 2]).mean(),
        RuntimeError,
        "mean\\(\\): could not infer output dtype.*int64",
    ),
    ("mean-dim-range", lambda: x23().mean(dim=-3), IndexError, "mean: Dimension out of range .* got -3"),
    (
        "max-empty",
        lambda: tg.zeros(0).max(),
        RuntimeError,
        "max\\(\\): Expected reduction dim to be specified for input.numel\\(\\) == 0",
    ),
    (
        "max-dim-empty",
        lambda: tg.zeros(0, 3).max(dim=0),
        IndexError,
        esc("max(): Expected reduction dim 0 to have non-zero size (input shape [0, 3])"),
    ),
    ("min-dim-range", lambda: x23().min(dim=2), IndexError, "min: Dimension out of range .* got 2"),
    (
        "amax-empty",
        lambda: tg.zeros(0, 3).amax(dim=0),
        IndexError,
        esc("amax(): Expected reduction dim 0 to have non-zero size (input shape [0, 3])"),
    ),
    ("argmax-empty", lambda: tg.zeros(0).argmax(), RuntimeError, "argmax\\(\\): Expected a non-empty tensor"),
    ("argmin-dim", lambda: x23().argmin(dim=5), IndexError, "argmin: Dimension out of range .* got 5"),
    ("softmax-dim", lambda: x23().softmax(dim=2), IndexError, "softmax: Dimension out of range .* got 2"),
    (
        "log_softmax-int",
        lambda: tg.tensor([1, 2]).log_softmax(0),
        RuntimeError,
        "log_softmax: expected a floating point tensor, got dtype int64",
    ),
    (
        "logsumexp-int",
        lambda: tg.logsumexp(tg.tensor([1, 2]), 0),
        RuntimeError,
        "logsumexp: expected a floating point tensor, got dtype int64",
    ),
    (
        "var-both-args",
        lambda: x23().var(unbiased=True, correction=1),
        TypeError,
        "var: pass either unbiased or correction",
    ),
    (
        "std-int",
        lambda: tg.tensor([1, 2]).std(),
        RuntimeError,
        "std: expected a floating point tensor, got dtype int64",
    ),
    # -- matmul --
    (
        "matmul-0d",
        lambda: tg.tensor(1.0) @ x4(),
        RuntimeError,
        "matmul: both arguments need to be at least 1D, but they are 0D and 1D",
    ),
    (
        "matmul-inner",
        lambda: x23() @ x4(),
        RuntimeError,
        esc("matmul: mat1 and mat2 shapes cannot be multiplied (2x3 and 4)"),
    ),
    (
        "matmul-inner-2d",
        lambda: x23() @ x23(),
        RuntimeError,
        esc("matmul: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"),
    ),
    (
        "matmul-batch",
        lambda: tg.randn(2, 2, 3) @ tg.randn(3, 3, 2),
        RuntimeError,
        esc("matmul: batch dimensions of [2, 2, 3] and [3, 3, 2] cannot be broadcast"),
    ),
    (
        "matmul-dtype",
        lambda: x23() @ tg.randn(3, dtype=tg.float64),
        RuntimeError,
        "matmul: expected both operands to have the same dtype, got float32 and float64",
    ),
    (
        "matmul-int",
        lambda: tg.tensor([[1]]) @ tg.tensor([[1]]),
        RuntimeError,
        "matmul: expected floating point operands, got int64",
    ),
    # -- shape --
    (
        "reshape-size",
        lambda: x23().reshape(4, 2),
        RuntimeError,
        esc("reshape: shape '[4, 2]' is invalid for input of size 6 (input shape [2, 3])"),
    ),
    (
        "reshape-two-inferred",
        lambda: x23().reshape(-1, -1),
        RuntimeError,
        "reshape: only one dimension can be inferred",
    ),
    ("reshape-negative", lambda: x23().reshape(-2, 3), RuntimeError, "reshape: invalid shape dimension -2"),
    (
        "view-size",
        lambda: x23().view(7),
        RuntimeError,
        esc("view: shape '[7]' is invalid for input of size 6"),
    ),
    (
        "view-strides",
        lambda: x23().T.view(6),
        RuntimeError,
        esc("view: view size [6] is not compatible with input tensor's size [3, 2]"),
    ),
    (
        "permute-repeat",
        lambda: x23().permute(0, 0),
        RuntimeError,
        esc("permute: number of dims don't match or repeat: input has 2 dims, got [0, 0]"),
    ),
    (
        "permute-count",
        lambda: x23().permute(0, 1, 2),
        RuntimeError,
        esc("permute: number of dims don't match: input of shape [2, 3] has 2 dims, got 3"),
    ),
    (
        "transpose-dim",
        lambda: x23().transpose(0, 2),
        IndexError,
        "transpose: Dimension out of range .* got 2",
    ),
    (
        "expand-size",
        lambda: x23().expand(3, 3),
        RuntimeError,
        esc(
            "expand: the expanded size of the tensor (3) must match the existing size (2) at "
            "non-singleton dimension 0. Target sizes: [3, 3]. Tensor sizes: [2, 3]"
        ),
    ),
    (
        "expand-count",
        lambda: x23().expand(3),
        RuntimeError,
        esc("expand: the number of sizes provided (1) must be greater or equal to the number of dimensions")
        + esc(" in the tensor (2)"),
    ),
    ("cat-empty", lambda: tg.cat([]), RuntimeError, "cat: expected a non-empty list of Tensors"),
    ("cat-tensor", lambda: tg.cat(x23()), TypeError, "cat: expected a sequence of Tensors"),
    ("cat-item", lambda: tg.cat([x23(), 1.0]), TypeError, "cat: expected Tensors, got float at position 1"),
    (
        "cat-shape",
        lambda: tg.cat([x23(), tg.randn(2, 4)]),
        RuntimeError,
        esc(
            "cat: sizes of tensors must match except in dimension 0. Expected size [2, 3] but got size "
            "[2, 4] for tensor number 1"
        ),
    ),
    (
        "cat-0d",
        lambda: tg.cat([tg.tensor(1.0)]),
        RuntimeError,
        "cat: zero-dimensional tensor \\(at position 0\\)",
    ),
    ("cat-dim", lambda: tg.cat([x23(), x23()], dim=2), IndexError, "cat: Dimension out of range .* got 2"),
    (
        "stack-shape",
        lambda: tg.stack([x23(), x4()]),
        RuntimeError,
        esc("stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [4] at entry 1"),
    ),
    ("stack-empty", lambda: tg.stack([]), RuntimeError, "stack: expected a non-empty sequence"),
    (
        "split-sections",
        lambda: x23().split([1, 2]),
        RuntimeError,
        esc(
            "split_with_sizes expects split_sizes to sum exactly to 2 (input tensor's size at dimension "
            "0), but got split_sizes=[1, 2]"
        ),
    ),
    ("split-size", lambda: x23().split(0), RuntimeError, "split: split_size must be positive, got 0"),
    (
        "chunk-count",
        lambda: x23().chunk(0),
        RuntimeError,
        "chunk expects `chunks` to be greater than 0, got: 0",
    ),
    ("squeeze-dim", lambda: x23().squeeze(3), IndexError, "squeeze: Dimension out of range .* got 3"),
    (
        "unsqueeze-dim",
        lambda: x23().unsqueeze(4),
        IndexError,
        esc("unsqueeze: Dimension out of range (expected to be in range of [-3, 2], but got 4)"),
    ),
    (
        "flatten-order",
        lambda: tg.randn(2, 3, 4).flatten(2, 1),
        RuntimeError,
        "flatten\\(\\) has invalid args: start_dim cannot come after end_dim",
    ),
    (
        "triu-1d",
        lambda: x4().triu(),
        RuntimeError,
        "triu: input tensor must have at least 2 dimensions, got 1",
    ),
    (
        "tril-1d",
        lambda: x4().tril(),
        RuntimeError,
        "tril: input tensor must have at least 2 dimensions, got 1",
    ),
    (
        "narrow-length",
        lambda: tg.narrow(x4(), 0, 3, 5),
        RuntimeError,
        esc("narrow: start (3) + length (5) exceeds dimension size (4) of dimension 0 (input shape [4])"),
    ),
    (
        "narrow-start",
        lambda: tg.narrow(x4(), 0, 5, 0),
        IndexError,
        esc("narrow: start (5) is out of range for dimension 0 of size 4"),
    ),
    ("narrow-dim", lambda: tg.narrow(x4(), 1, 0, 1), IndexError, "narrow: Dimension out of range .* got 1"),
    # -- indexing --
    (
        "index-int",
        lambda: x23()[5],
        IndexError,
        esc("index: index 5 is out of bounds for axis 0 with size 2 (indexing a tensor of shape [2, 3])"),
    ),
    ("index-too-many", lambda: x23()[0, 0, 0], IndexError, "index: too many indices.*shape \\[2, 3\\]"),
    (
        "index-float",
        lambda: x23()[1.5],
        IndexError,
        esc("index: only integers, slices, None, Ellipsis, and long or bool tensors are valid indices")
        + esc(" (got float)"),
    ),
    ("index-string", lambda: x23()["a"], IndexError, "index: only integers.*\\(got str\\)"),
    ("index-negative-step", lambda: x23()[:, ::-1], ValueError, "index: step must be greater than zero.*-1"),
    ("index-zero-step", lambda: x23()[::0], ValueError, "index: step must be greater than zero.*0"),
    (
        "index-mask-shape",
        lambda: x23()[tg.tensor([True, False, True])],
        IndexError,
        "index: boolean index did not match.*shape \\[2, 3\\]",
    ),
    (
        "index-float-tensor",
        lambda: x23()[tg.tensor([1.0])],
        IndexError,
        "index: tensors used as indices must be long or bool tensors, got float32",
    ),
    (
        "index-tensor-range",
        lambda: x23()[tg.tensor([0, 2])],
        IndexError,
        esc("index: index 2 is out of bounds for axis 0 with size 2 (indexing a tensor of shape [2, 3])"),
    ),
    (
        "index-list-range",
        lambda: x23()[:, [0, -4]],
        IndexError,
        "index: index -4 is out of bounds for axis 1 with size 3",
    ),
    (
        "gather-range",
        lambda: tg.gather(x23(), 1, tg.tensor([[0, 3]])),
        IndexError,
        esc("gather: index out of range for dimension 1 with size 3 (got values in [0, 3])"),
    ),
    (
        "gather-dtype",
        lambda: tg.gather(x23(), 1, tg.tensor([[0.0]])),
        RuntimeError,
        "gather: index must be an int64 tensor, got dtype float32",
    ),
    (
        "gather-ndim",
        lambda: tg.gather(x23(), 1, tg.tensor([0])),
        RuntimeError,
        esc(
            "gather: index tensor must have the same number of dimensions as input tensor (index 1, input 2)"
        ),
    ),
    (
        "gather-size",
        lambda: tg.gather(x23(), 1, tg.zeros(3, 1, dtype=tg.int64)),
        RuntimeError,
        esc("gather: size of index [3, 1] does not fit input [2, 3] at dimension 0"),
    ),
    (
        "setitem-shape",
        lambda: x23().__setitem__(0, tg.randn(4)),
        RuntimeError,
        esc(
            "index_put: shape mismatch: value tensor of shape [4] cannot be broadcast to indexing "
            "result of shape [3]"
        ),
    ),
    (
        "setitem-string",
        lambda: x23().__setitem__(0, "a"),
        TypeError,
        "index_put: can't assign a str to a tensor of dtype float32",
    ),
    (
        "setitem-range",
        lambda: x23().__setitem__(7, 1.0),
        IndexError,
        esc("index_put: index 7 is out of bounds for axis 0 with size 2"),
    ),
    # -- in-place --
    (
        "add_-broadcast",
        lambda: tg.zeros(1).add_(x4()),
        RuntimeError,
        esc("add_: output with shape [1] doesn't match the broadcast shape [4]"),
    ),
    (
        "add_-dtype",
        lambda: tg.tensor([1, 2]).add_(1.5),
        RuntimeError,
        "add_: result type float32 can't be cast to the desired output type int64",
    ),
    (
        "mul_-leaf",
        lambda: leaf(2).mul_(2.0),
        RuntimeError,
        "mul_: a leaf Variable that requires grad is being used in an in-place operation",
    ),
    (
        "setitem-leaf",
        lambda: leaf(2).__setitem__(0, 1.0),
        RuntimeError,
        "index_put: a leaf Variable that requires grad",
    ),
    (
        "add_-expanded",
        lambda: tg.zeros(1).expand(3).add_(1.0),
        RuntimeError,
        "add_: unsupported operation: the tensor is a read-only view",
    ),
    (
        "copy_-shape",
        lambda: tg.zeros(4).copy_(x23()),
        RuntimeError,
        esc("copy_: the source of shape [2, 3] can't be broadcast to the destination shape [4]"),
    ),
    (
        "fill_-tensor",
        lambda: tg.zeros(4).fill_(x4()),
        RuntimeError,
        "fill_ only supports 0-dimension value tensor but got tensor with 1 dimensions",
    ),
    ("fill_-string", lambda: tg.zeros(4).fill_("a"), TypeError, "fill_: value must be a number, got str"),
    # -- autograd --
    (
        "backward-non-scalar",
        lambda: (leaf(2) * 2).backward(),
        RuntimeError,
        esc("backward: grad can be implicitly created only for scalar outputs (output 0 has shape [2])"),
    ),
    (
        "backward-no-grad",
        lambda: x4().sum().backward(),
        RuntimeError,
        "backward: element 0 of tensors does not require grad",
    ),
    (
        "backward-grad-shape",
        lambda: (leaf(2) * 2).backward(tg.ones(3)),
        RuntimeError,
        esc(
            "backward: Mismatch in shape: grad_output[0] has a shape of [3] and output[0] has a shape of [2]"
        ),
    ),
    (
        "grad-input",
        lambda: tg.autograd.grad((leaf(2) * 2).sum(), x4()),
        RuntimeError,
        "grad: input 0 does not require grad",
    ),
    (
        "gradcheck-float32",
        lambda: tg.autograd.gradcheck(lambda t: t * 2, (leaf(2),)),
        RuntimeError,
        "gradcheck: input 0 has dtype float32",
    ),
    # -- Tensor methods --
    ("item", lambda: x23().item(), RuntimeError, "item\\(\\): a Tensor with 6 elements cannot be converted"),
    (
        "bool",
        lambda: bool(x23()),
        RuntimeError,
        "bool\\(\\): Boolean value of Tensor with 6 elements is ambiguous",
    ),
    ("len-0d", lambda: len(tg.tensor(1.0)), TypeError, "len\\(\\) of a 0-d tensor"),
    (
        "numpy-requires-grad",
        lambda: leaf(2).numpy(),
        RuntimeError,
        "Can't call numpy\\(\\) on Tensor that requires grad",
    ),
    (
        "requires_grad_-int",
        lambda: tg.tensor([1]).requires_grad_(),
        RuntimeError,
        "only Tensors of floating point dtype can require gradients, got int64",
    ),
    (
        "requires_grad_-non-leaf",
        lambda: (leaf(2) * 2).requires_grad_(False),
        RuntimeError,
        "you can only change requires_grad flags of leaf variables",
    ),
    (
        "grad-assign-shape",
        lambda: setattr(leaf(2), "grad", tg.zeros(3)),
        RuntimeError,
        esc("assigned grad has shape [3] and dtype float32, but the tensor has shape [2]"),
    ),
    (
        "grad-assign-type",
        lambda: setattr(leaf(2), "grad", [1.0]),
        TypeError,
        "assigned grad must be a Tensor or None, got list",
    ),
    ("size-dim", lambda: x23().size(2), IndexError, "size: Dimension out of range .* got 2"),
    ("to-dtype", lambda: x23().to("float16"), TypeError, "to: dtype float16 is not supported"),
    (
        "register_hook-no-grad",
        lambda: x4().register_hook(print),
        RuntimeError,
        "cannot register a hook on a tensor that doesn't require gradient",
    ),
    (
        "retain_grad-no-grad",
        lambda: x4().retain_grad(),
        RuntimeError,
        "can't retain_grad on Tensor that has requires_grad=False",
    ),
]


@pytest.mark.parametrize("call, error, message", [pytest.param(c, e, m, id=i) for i, c, e, m in CASES])
def test_bad_input_raises_a_message_naming_the_op_and_values(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_case_ids_are_unique():
    ids = [case[0] for case in CASES]
    assert len(ids) == len(set(ids))


# ---- errors that appear only at backward time --------------------------------------------------------


def test_second_backward_through_freed_graph():
    y = leaf(2).exp().sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_inplace_change_to_a_saved_tensor_names_the_op_and_versions():
    x = leaf(2)
    a = x * 1
    y = a.exp()  # saves its output
    y.add_(1.0)
    with pytest.raises(
        RuntimeError,
        match=esc("modified by an inplace operation: [Tensor of shape [2]]")
        + ".*version 1; expected version 0",
    ):
        y.sum().backward()


def test_user_function_returning_a_bad_gradient_shape():
    class BadShape(Function):
        @staticmethod
        def forward(ctx, a):
            return a.detach() * 2

        @staticmethod
        def backward(ctx, g):
            return tg.ones(5)

    with pytest.raises(
        RuntimeError,
        match=esc(
            "BadShapeBackward returned an invalid gradient at index 0: got shape [5] but expected shape [2]"
        ),
    ):
        BadShape.apply(leaf(2)).sum().backward()


def test_user_function_returning_a_non_tensor_gradient():
    class BadType(Function):
        @staticmethod
        def forward(ctx, a):
            return a.detach() * 2

        @staticmethod
        def backward(ctx, g):
            return 1.0

    with pytest.raises(TypeError, match="BadTypeBackward.backward returned a float as gradient 0"):
        BadType.apply(leaf(2)).sum().backward()


def test_user_function_forward_returning_a_non_tensor():
    class NotATensor(Function):
        @staticmethod
        def forward(ctx, a):
            return 3.0

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(
        TypeError, match="NotATensor.forward must return a Tensor or a tuple of Tensors, got float"
    ):
        NotATensor.apply(leaf(2))


def test_user_function_without_backward():
    class NoBackward(Function):
        @staticmethod
        def forward(ctx, a):
            return a.detach() * 2

    with pytest.raises(NotImplementedError, match="NoBackward must implement backward"):
        NoBackward.apply(leaf(2)).sum().backward()
