"""Process-level PyTorch API: device, cuda, backends, Generator, default dtype, print options,
dtype queries and the no-op switches (compile, jit, deterministic algorithms)."""

from __future__ import annotations

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad.data import DataLoader, RandomSampler, TensorDataset, random_split


def test_device_class():
    assert tg.device("cpu").type == "cpu" and tg.device("cpu").index is None
    d = tg.device("cuda:1")
    assert (d.type, d.index) == ("cuda", 1) and str(d) == "cuda:1"
    assert tg.device("cpu", 0) == tg.device("cpu:0") != tg.device("cpu")
    assert repr(tg.device("cpu")) == "device(type='cpu')"
    assert repr(tg.device("cuda", 0)) == "device(type='cuda', index=0)"
    assert tg.device(0) == tg.device("cuda:0") and tg.device(tg.device("cpu")) == tg.device("cpu")
    assert len({tg.device("cpu"), tg.device("cpu")}) == 1
    assert tg.tensor([1.0]).device == tg.device("cpu")
    with pytest.raises(RuntimeError, match="device type at start of device string: gpu"):
        tg.device("gpu")
    with pytest.raises(RuntimeError, match="must not include an index"):
        tg.device("cuda:0", 1)
    with pytest.raises(AttributeError, match="read-only"):
        tg.device("cpu").type = "cuda"


@pytest.mark.parametrize(
    "make",
    [
        lambda: tg.tensor([1.0], device="cuda"),
        lambda: tg.zeros(2, device=tg.device("cuda")),
        lambda: tg.randn(2, device="cuda:0"),
        lambda: tg.arange(3, device="cuda"),
        lambda: tg.Generator(device="cuda"),
    ],
)
def test_cuda_device_rejected(make):
    with pytest.raises(RuntimeError, match="tensorgrad runs on the CPU only.*'cuda"):
        make()


def test_cpu_device_accepted_by_factories():
    assert tg.ones(2, device=tg.device("cpu")).shape == (2,)
    assert tg.rand(2, device="cpu").shape == (2,)
    with pytest.raises(RuntimeError, match="cuda: tensorgrad runs on the CPU only"):
        tg.tensor([1.0]).cuda()


def test_cuda_and_backends():
    assert tg.cuda.is_available() is False and tg.cuda.device_count() == 0
    tg.cuda.manual_seed(0), tg.cuda.manual_seed_all(0), tg.cuda.synchronize(), tg.cuda.empty_cache()
    with pytest.raises(AssertionError, match="current_device: tensorgrad is not compiled with CUDA"):
        tg.cuda.current_device()
    import tensorgrad.backends.cudnn as cudnn

    old = (cudnn.benchmark, cudnn.deterministic, cudnn.enabled)
    cudnn.benchmark, cudnn.deterministic, cudnn.enabled = True, True, False
    assert tg.backends.cudnn.benchmark and tg.backends.cudnn.deterministic and not tg.backends.cudnn.enabled
    cudnn.benchmark, cudnn.deterministic, cudnn.enabled = old
    tg.backends.cuda.matmul.allow_tf32 = True
    assert tg.backends.cuda.matmul.allow_tf32 is True
    tg.backends.cuda.matmul.allow_tf32 = False
    assert tg.backends.mps.is_available() is False


def test_generator_reproducible_and_independent():
    g = tg.Generator().manual_seed(5)
    assert isinstance(g, tg.Generator) and g.initial_seed() == 5 and g.device == tg.device("cpu")
    tg.manual_seed(0)
    a = tg.randn(4, generator=g).numpy()
    after_global = tg.randn(3).numpy()
    tg.manual_seed(0)
    assert np.array_equal(tg.randn(3).numpy(), after_global)  # g did not touch the global stream
    b = tg.randn(4, generator=tg.Generator().manual_seed(5)).numpy()
    assert np.array_equal(a, b)
    ref = np.random.default_rng(5).standard_normal(4, dtype=np.float32)  # PCG64 seeded with 5
    np.testing.assert_array_equal(a, ref)


def test_generator_state_roundtrip():
    g = tg.Generator().manual_seed(1)
    state = g.get_state()
    x = tg.rand(5, generator=g).numpy()
    g.set_state(state)
    np.testing.assert_array_equal(tg.rand(5, generator=g).numpy(), x)
    s = tg.get_rng_state()
    y = tg.rand(3).numpy()
    tg.set_rng_state(s)
    np.testing.assert_array_equal(tg.rand(3).numpy(), y)
    with pytest.raises(
        RuntimeError, match=r"set_state: expected the int64 tensor of shape \(10,\).*got shape \(3,\)"
    ):
        g.set_state(tg.tensor([1, 2, 3]))
    assert tg.manual_seed(4) is tg.default_generator and tg.initial_seed() == 4
    seeded = tg.seed()
    assert tg.initial_seed() == seeded
    with pytest.raises(TypeError, match="manual_seed: seed must be an int, got str"):
        g.manual_seed("1")


@pytest.mark.parametrize(
    "draw",
    [
        lambda g: tg.rand(3, generator=g),
        lambda g: tg.randn(3, generator=g),
        lambda g: tg.randint(0, 10, (5,), generator=g),
        lambda g: tg.randperm(6, generator=g),
        lambda g: tg.multinomial(tg.tensor([0.2, 0.3, 0.5]), 2, generator=g),
        lambda g: tg.bernoulli(tg.full((6,), 0.5), generator=g),
    ],
)
def test_random_functions_take_generator(draw):
    a = draw(tg.Generator().manual_seed(3)).numpy()
    b = draw(tg.Generator().manual_seed(3)).numpy()
    np.testing.assert_array_equal(a, b)
    with pytest.raises(TypeError, match="generator must be a tensorgrad.Generator"):
        draw(3)


def test_data_takes_generator():
    ds = TensorDataset(tg.arange(10))
    parts = [random_split(ds, [7, 3], generator=tg.Generator().manual_seed(2)) for _ in range(2)]
    assert parts[0][0].indices == parts[1][0].indices
    expect = np.random.default_rng(2).permutation(10).tolist()
    assert list(parts[0][0].indices) + list(parts[0][1].indices) == expect
    order = [list(RandomSampler(ds, generator=tg.Generator().manual_seed(1))) for _ in range(2)]
    assert order[0] == order[1] == np.random.default_rng(1).permutation(10).tolist()
    batches = [
        [
            b[0].tolist()
            for b in DataLoader(ds, batch_size=4, shuffle=True, generator=tg.Generator().manual_seed(9))
        ]
        for _ in range(2)
    ]
    assert batches[0] == batches[1] and sorted(sum(batches[0], [])) == list(range(10))
    assert list(RandomSampler(ds, generator=np.random.default_rng(1))) == order[0]  # numpy still accepted


def test_default_dtype():
    assert tg.get_default_dtype() == tg.float32
    try:
        tg.set_default_dtype(tg.float64)
        assert tg.get_default_dtype() == np.float64
        assert tg.zeros(2).dtype == np.float64 and tg.tensor([1.5]).dtype == np.float64
        assert tg.arange(0.0, 1.0, 0.5).dtype == np.float64 and tg.full((1,), 2.0).dtype == np.float64
        assert tg.randn(2).dtype == np.float64 and tg.finfo().bits == 64
        assert tg.tensor([1, 2]).dtype == np.int64 and tg.ones(1, dtype=tg.float32).dtype == np.float32
        assert (tg.tensor([1]) * 0.5).dtype == np.float64
        assert repr(tg.tensor([1.5])) == "tensor([1.5000])"
        assert "dtype=tensorgrad.float32" in repr(tg.tensor([1.5], dtype=tg.float32))
    finally:
        tg.set_default_dtype(tg.float32)
    assert tg.zeros(2).dtype == np.float32 and tg.tensor([1.5]).dtype == np.float32
    with pytest.raises(TypeError, match="set_default_dtype: only floating-point types .* got int64"):
        tg.set_default_dtype(tg.int64)


def test_printoptions():
    x = tg.tensor([1.123456, 2.0])
    try:
        tg.set_printoptions(precision=2)
        assert repr(x) == "tensor([1.12, 2.00])"
        tg.set_printoptions(precision=3, sci_mode=True)
        assert repr(x) == f"tensor([{1.123456:.3e}, {2.0:.3e}])"
        tg.set_printoptions(threshold=5, edgeitems=2)
        assert repr(tg.arange(10)) == "tensor([0, 1,  ..., 8, 9])"
        tg.set_printoptions(profile="default", linewidth=20)
        lines = repr(tg.arange(8)).split("\n")
        assert len(lines) == 2 and max(len(line) for line in lines) <= 20
    finally:
        tg.set_printoptions(profile="default")
    assert repr(x) == "tensor([1.1235, 2.0000])"
    with pytest.raises(ValueError, match="set_printoptions: profile must be one of"):
        tg.set_printoptions(profile="long")


@pytest.mark.parametrize("dt", [tg.float32, tg.float64])
def test_finfo_against_numpy(dt):
    f, ref = tg.finfo(dt), np.finfo(dt)
    assert f.bits == ref.bits and f.eps == float(ref.eps) and f.max == float(ref.max)
    assert f.min == float(ref.min) and f.tiny == f.smallest_normal == float(ref.smallest_normal)
    assert f.resolution == pytest.approx(float(ref.resolution)) and f.dtype == np.dtype(dt).name
    i = tg.iinfo(tg.int64)
    assert (i.bits, i.max, i.min) == (64, np.iinfo(np.int64).max, np.iinfo(np.int64).min)
    with pytest.raises(TypeError, match="finfo: expected a floating point dtype, got int64"):
        tg.finfo(tg.int64)
    with pytest.raises(TypeError, match="iinfo: expected an integer dtype, got float32"):
        tg.iinfo(tg.float32)


def test_promotion_queries():
    assert tg.promote_types(tg.int64, tg.float32) == tg.float32
    assert tg.promote_types(tg.float32, tg.float64) == tg.float64
    assert tg.promote_types(tg.bool, tg.int64) == tg.int64
    assert tg.result_type(tg.tensor([1], dtype=tg.int64), 1.0) == tg.float32
    assert tg.result_type(tg.tensor([1.0], dtype=tg.float32), tg.tensor(1.0, dtype=tg.float64)) == tg.float32
    assert tg.result_type(tg.tensor([1]), tg.tensor(1.0, dtype=tg.float64)) == tg.float64
    assert tg.result_type(2, 3) == tg.int64 and tg.result_type(2, 3.0) == tg.float32
    assert tg.can_cast(tg.float64, tg.float32) and tg.can_cast(tg.int64, tg.float32)
    assert not tg.can_cast(tg.float32, tg.int64) and not tg.can_cast(tg.int64, tg.bool)
    with pytest.raises(TypeError, match="result_type: expected a Tensor or a Python number, got str"):
        tg.result_type("a", 1)


def test_inference_mode():
    x = tg.ones(2, requires_grad=True)
    with tg.inference_mode():
        assert not tg.is_grad_enabled() and not (x * 2).requires_grad
    assert tg.is_grad_enabled()
    with tg.inference_mode(False):
        assert tg.is_grad_enabled()

    @tg.inference_mode()
    def f(t):
        return t * 2

    @tg.inference_mode
    def g(t):
        return t * 2

    assert not f(x).requires_grad and not g(x).requires_grad and tg.is_grad_enabled()


def test_noop_switches():
    model = tg.nn.Linear(2, 2)
    assert tg.compile(model) is model and tg.compile(mode="max-autotune")(model) is model
    assert tg.jit.script(model) is model and tg.jit.trace(model, tg.ones(1, 2)) is model
    assert not tg.jit.is_scripting()
    tg.use_deterministic_algorithms(True)
    assert tg.are_deterministic_algorithms_enabled()
    tg.use_deterministic_algorithms(False)
    assert not tg.are_deterministic_algorithms_enabled()
    n = tg.get_num_interop_threads()
    tg.set_num_interop_threads(3)
    assert tg.get_num_interop_threads() == 3
    tg.set_num_interop_threads(n)
    with pytest.raises(
        RuntimeError, match="set_num_interop_threads: expected a positive number of threads, got 0"
    ):
        tg.set_num_interop_threads(0)


def test_size():
    s = tg.Size([2, 3, 4])
    assert isinstance(s, tuple) and s == (2, 3, 4) and s.numel() == 24 and tg.Size().numel() == 1
    assert isinstance(s[1:], tg.Size) and s[1:] == (3, 4) and s[0] == 2
    assert repr(s) == "tensorgrad.Size([2, 3, 4])" and tg.Size(tg.zeros(2, 5).shape) == (2, 5)
    with pytest.raises(TypeError, match="Size: expected a sequence of ints, got float"):
        tg.Size([2.0])
