"""tensorgrad.testing: assert_close (PyTorch's semantics and messages) and check_op, which must
pass correct ops and catch wrong ones with a message naming the sample, input and element."""

import re

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad.autograd import Function
from tensorgrad.testing import Sample, assert_close, check_op

# ---- assert_close --------------------------------------------------------------------------------


def test_assert_close_passes_within_the_default_tolerances_of_the_dtype():
    x = np.array([1.0, 100.0], dtype=np.float32)
    assert_close(tg.tensor(x * (1 + 1e-6)), x)  # float32: rtol 1.3e-6
    assert_close(x + 9e-6, x)  # float32: atol 1e-5
    y = np.array([1.0, 100.0])
    assert_close(y * (1 + 5e-8), y)  # float64: rtol 1e-7
    with pytest.raises(AssertionError):
        assert_close(y * (1 + 1e-6), y)


def test_assert_close_reports_mismatch_count_greatest_differences_and_their_index():
    expected = np.arange(6, dtype=np.float64).reshape(2, 3)
    actual = expected.copy()
    actual[0, 2] += 0.5  # abs diff 0.5, rel 0.25
    actual[1, 1] += 1.0  # abs diff 1.0, rel 0.25 -> first of the two greatest relative
    actual[1, 0] = 3.3  # abs diff 0.3, rel 0.1
    with pytest.raises(AssertionError) as info:
        assert_close(tg.from_numpy(actual), expected)
    message = str(info.value)
    assert message.startswith("Tensor-likes are not close!")
    assert "Mismatched elements: 3 / 6 (50.0%)" in message
    assert "Greatest absolute difference: 1.0 at index (1, 1) (up to 1e-07 allowed)" in message
    assert "Greatest relative difference: 0.25 at index (0, 2) (up to 1e-07 allowed)" in message
    assert "First mismatch at index (0, 2): expected 2.0, got 2.5" in message


def test_assert_close_scalars_message():
    with pytest.raises(AssertionError, match=r"Scalars are not close!\n\nExpected 1.5 but got 1.0."):
        assert_close(1.0, 1.5)


def test_assert_close_checks_shape_and_dtype():
    with pytest.raises(AssertionError, match=r"'shape' do not match: \(2, 3\) != \(3,\)"):
        assert_close(np.zeros((2, 3)), np.zeros(3))
    with pytest.raises(AssertionError, match="'dtype' do not match: float32 != float64"):
        assert_close(tg.zeros(3), np.zeros(3))
    assert_close(tg.zeros(3), np.zeros(3), check_dtype=False)


def test_assert_close_loosest_default_of_two_dtypes_without_dtype_check():
    x = np.array([1.0])
    assert_close(x.astype(np.float32), x + 5e-6, check_dtype=False)  # float32's atol applies


def test_assert_close_nan_and_inf():
    nan = np.array([1.0, np.nan])
    with pytest.raises(AssertionError, match="Mismatched elements: 1 / 2"):
        assert_close(nan, nan)
    assert_close(nan, nan, equal_nan=True)
    inf = np.array([np.inf, -np.inf, 1.0])
    assert_close(inf, inf.copy())
    with pytest.raises(AssertionError):
        assert_close(inf, -inf)


def test_assert_close_integers_and_bools_compare_exactly():
    assert_close(tg.tensor([1, 2]), np.array([1, 2]))
    with pytest.raises(AssertionError, match="Mismatched elements: 1 / 2"):
        assert_close(tg.tensor([1, 3]), np.array([1, 2]))
    assert_close(tg.tensor([True, False]), np.array([True, False]))


def test_assert_close_explicit_tolerances_must_come_in_pairs():
    assert_close(np.array([1.0]), np.array([1.1]), rtol=0.0, atol=0.2)
    with pytest.raises(ValueError, match="Both 'rtol' and 'atol'"):
        assert_close(np.array([1.0]), np.array([1.0]), rtol=0.1)


def test_assert_close_sequences_and_mappings_name_the_item():
    assert_close([tg.ones(2), (1.0, 2)], [np.ones(2, np.float32), (1.0, 2)])
    with pytest.raises(AssertionError, match=r"not close at \[1\]\[0\]"):
        assert_close([tg.ones(2), (1.0, 2)], [np.ones(2, np.float32), (1.5, 2)])
    with pytest.raises(AssertionError, match=r"at \['b'\]"):
        assert_close({"a": 1.0, "b": np.zeros(2)}, {"a": 1.0, "b": np.ones(2)})
    with pytest.raises(AssertionError, match="lengths of the sequences do not match"):
        assert_close([1.0], [1.0, 2.0])
    with pytest.raises(TypeError, match="cannot compare str"):
        assert_close("a", "a")


def test_assert_close_msg_replaces_or_wraps_the_message():
    with pytest.raises(AssertionError, match="^custom$"):
        assert_close(1.0, 2.0, msg="custom")
    with pytest.raises(AssertionError, match="^context\nScalars are not close"):
        assert_close(1.0, 2.0, msg=lambda m: "context\n" + m)


# ---- check_op on correct ops ----------------------------------------------------------------------


def np_softplus(x, beta=1.0, threshold=20.0):
    return np.where(x * beta > threshold, x, np.logaddexp(0, x * beta) / beta).astype(x.dtype)


def test_check_op_passes_the_builtin_activations():
    rng = np.random.default_rng(0)
    samples = [rng.standard_normal((3, 4)), rng.standard_normal(5), np.zeros((2, 0)), np.array(0.5)]
    check_op(tg.nn.functional.silu, samples, lambda x: x / (1 + np.exp(-x)), twice_differentiable=True)
    check_op(tg.nn.functional.softplus, samples, np_softplus, twice_differentiable=True)


def test_check_op_takes_samples_as_sample_tuple_single_array_or_tensor():
    rng = np.random.default_rng(1)
    samples = [
        Sample((rng.standard_normal((2, 3)),), {"beta": 2.0, "threshold": 1.5}, "beta2"),
        (rng.standard_normal(4),),  # a tuple of positional arguments
        rng.standard_normal(3),  # a single argument
        tg.randn(2, 2, dtype=tg.float64),  # Tensors are converted like arrays
    ]
    check_op(tg.nn.functional.softplus, samples, np_softplus, twice_differentiable=True)


def test_check_op_with_non_tensor_arguments_and_two_inputs():
    rng = np.random.default_rng(2)
    samples = [(rng.standard_normal((2, 3)), rng.standard_normal(3), 2.0)]
    check_op(lambda a, b, c: a * b + c, samples, lambda a, b, c: a * b + c, twice_differentiable=True)


def test_check_op_rejects_bad_arguments():
    with pytest.raises(ValueError, match="empty"):
        check_op(tg.exp, [], np.exp)
    with pytest.raises(ValueError, match="both rtol and atol"):
        check_op(tg.exp, [np.ones(2)], np.exp, atol=1e-3)


# ---- check_op on wrong ops: what it catches and what it says --------------------------------------


class SquareWrongBackward(Function):
    """x**2 with a backward that is wrong at one element only: 2x everywhere except index (1, 2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return tg.from_numpy(x.detach().numpy() ** 2)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        bump = np.zeros(x.shape)
        bump[1, 2] = 1.0
        return grad * (x * 2 + tg.from_numpy(bump).to(x.dtype))


def test_check_op_catches_a_wrong_backward_naming_input_element_and_values():
    x = np.arange(1.0, 7.0).reshape(2, 3)
    with pytest.raises(AssertionError) as info:
        check_op(SquareWrongBackward.apply, [x], lambda x: x**2, name="square")
    message = str(info.value)
    assert message.startswith("square [sample 0]: gradients (gradcheck) disagree with finite differences")
    assert "input 0 (shape (2, 3)) at index (1, 2), output 0 at index (1, 2)" in message
    expected, got = re.search(
        r"expected (\S+) \(finite differences\), got (\S+) \(backward\)", message
    ).groups()
    assert float(expected) == pytest.approx(12.0)  # d(x**2)/dx at x = 6
    assert float(got) == pytest.approx(13.0)


def test_check_op_catches_a_wrong_gradient_of_the_second_input():
    class MulWrongSecond(Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return tg.from_numpy(a.detach().numpy() * b.detach().numpy())

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            return grad * b, grad * b  # the second should be grad * a

    samples = [(np.array([1.0, 2.0]), np.array([3.0, 5.0]))]
    with pytest.raises(AssertionError, match=r"input 1 \(shape \(2,\)\) at index \(0,\)"):
        check_op(MulWrongSecond.apply, samples, lambda a, b: a * b)


class CubeOnceRight(Function):
    """x**3 with a correct first derivative that gradgradcheck must still fault: its backward
    uses a constant 3 x**2 computed in numpy, so the second derivative comes out as zero."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return tg.from_numpy(x.detach().numpy() ** 3)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * tg.from_numpy(3 * x.detach().numpy() ** 2)


def test_check_op_catches_a_wrong_second_derivative_only_when_declared_twice_differentiable():
    samples = [np.array([0.5, -1.5])]
    check_op(CubeOnceRight.apply, samples, lambda x: x**3)  # first derivatives are right
    with pytest.raises(AssertionError) as info:
        check_op(CubeOnceRight.apply, samples, lambda x: x**3, twice_differentiable=True, name="cube")
    message = str(info.value)
    assert "cube [sample 0]: second derivatives (gradgradcheck) disagree" in message
    assert "input 0 (shape (2,)) at index (0,)" in message


def test_check_op_catches_a_forward_that_disagrees_with_the_reference():
    with pytest.raises(AssertionError) as info:
        check_op(lambda x: tg.exp(x), [np.array([[0.0, 1.0], [2.0, 3.0]])], lambda x: np.exp(x) + (x == 3))
    message = str(info.value)
    assert "<lambda> [sample 0] in float32: output 0 differs from the reference" in message
    assert "Mismatched elements: 1 / 4" in message
    assert "First mismatch at index (1, 1)" in message


def test_check_op_catches_a_float32_gradient_of_the_wrong_dtype():
    class Float64Gradient(Function):
        @staticmethod
        def forward(ctx, x):
            return tg.from_numpy(x.detach().numpy() * 2)

        @staticmethod
        def backward(ctx, grad):
            return grad.double() * 2

    with pytest.raises(
        AssertionError, match=r"in float32: gradient of dtype float64 for input 0 of dtype float32"
    ):
        check_op(Float64Gradient.apply, [np.ones(3)], lambda x: x * 2)


def test_check_op_uses_the_given_tolerances_for_the_forward():
    off = lambda x: x + 1e-4  # noqa: E731
    with pytest.raises(AssertionError):
        check_op(lambda x: x + 0.0, [np.ones(2)], off)
    check_op(lambda x: x + 0.0, [np.ones(2)], off, rtol=0.0, atol=1e-3)


def test_op_table_runner_is_the_one_in_tensorgrad_testing():
    import op_table

    import tensorgrad.testing as testing

    assert op_table.check_grad is testing.check_grad
    assert op_table.OpInfo is testing.OpInfo
    assert {"softplus", "silu"} <= set(op_table.OPS_BY_NAME)
