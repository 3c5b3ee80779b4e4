"""Samplers, Subset/ConcatDataset/random_split, IterableDataset, default_collate/default_convert
and DataLoader's sampler options and argument checks (PyTorch's torch.utils.data)."""

import collections
import warnings

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad.data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    Sampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    default_convert,
    get_worker_info,
    random_split,
)


class Range(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def flat(loader):
    return [b.tolist() for b in loader]


# ---- samplers -------------------------------------------------------------------------------


def test_sequential_and_base_sampler():
    assert list(SequentialSampler(Range(4))) == [0, 1, 2, 3] and len(SequentialSampler(Range(4))) == 4
    with pytest.raises(NotImplementedError, match="__iter__"):
        iter(Sampler())


def test_random_sampler_permutation_and_seeding():
    order = list(RandomSampler(Range(10), generator=np.random.default_rng(3)))
    assert order == np.random.default_rng(3).permutation(10).tolist()
    s = RandomSampler(Range(10))
    tg.manual_seed(0)
    a, b = list(s), list(s)
    assert sorted(a) == list(range(10)) and a != b
    tg.manual_seed(0)
    assert list(s) == a


def test_random_sampler_num_samples_and_replacement():
    s = RandomSampler(Range(4), num_samples=10, generator=np.random.default_rng(1))
    order = list(s)
    assert len(s) == 10 and len(order) == 10
    # two whole permutations, then part of a third: every index twice or three times
    assert sorted(order[:4]) == sorted(order[4:8]) == [0, 1, 2, 3]
    assert len(set(order[8:])) == 2
    r = RandomSampler(Range(3), replacement=True, num_samples=300, generator=np.random.default_rng(2))
    drawn = np.array(list(r))
    assert len(drawn) == 300 and set(drawn.tolist()) == {0, 1, 2}
    assert np.bincount(drawn).min() > 60  # roughly uniform


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"replacement": 1}, TypeError, "replacement should be a boolean"),
        ({"num_samples": 0}, ValueError, "num_samples should be a positive integer"),
        ({"num_samples": 2.5}, ValueError, "num_samples should be a positive integer"),
    ],
)
def test_random_sampler_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        RandomSampler(Range(3), **kwargs)


def test_subset_random_sampler():
    s = SubsetRandomSampler([10, 20, 30, 40], generator=np.random.default_rng(4))
    perm = np.random.default_rng(4).permutation(4)
    assert list(s) == [[10, 20, 30, 40][i] for i in perm] and len(s) == 4


def test_weighted_random_sampler():
    s = WeightedRandomSampler([0.0, 1.0, 3.0], 4000, generator=np.random.default_rng(5))
    counts = np.bincount(list(s), minlength=3)
    assert len(s) == 4000 and counts[0] == 0
    assert abs(counts[2] / counts[1] - 3.0) < 0.4
    no_repeat = list(WeightedRandomSampler(tg.tensor([1.0, 2.0, 0.0, 4.0]), 3, replacement=False))
    assert sorted(no_repeat) == [0, 1, 3]


@pytest.mark.parametrize(
    "args, kwargs, exc, match",
    [
        (([1.0, 2.0], 0), {}, ValueError, "num_samples should be a positive integer"),
        (([1.0, 2.0], 1), {"replacement": 0}, ValueError, "replacement should be a boolean"),
        (([[1.0, 2.0]], 1), {}, ValueError, r"weights should be a 1d sequence.*\(1, 2\)"),
        (([1.0, -2.0], 1), {}, RuntimeError, "non-negative"),
        (([1.0, 0.0], 2), {"replacement": False}, RuntimeError, "num_samples=2 without replacement from 1"),
    ],
)
def test_weighted_random_sampler_errors(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        WeightedRandomSampler(*args, **kwargs)


@pytest.mark.parametrize(
    "drop_last, expected", [(False, [[0, 1, 2], [3, 4, 5], [6]]), (True, [[0, 1, 2], [3, 4, 5]])]
)
def test_batch_sampler(drop_last, expected):
    b = BatchSampler(range(7), 3, drop_last)
    assert list(b) == expected and len(b) == len(expected)
    with pytest.raises(
        ValueError, match="batch_size should be a positive integer value, but got batch_size=0"
    ):
        BatchSampler(range(7), 0, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value"):
        BatchSampler(range(7), 2, 1)


# ---- datasets and random_split ----------------------------------------------------------------


def test_subset_and_concat():
    base = Range(10)
    sub = Subset(base, [7, 2, 5])
    assert len(sub) == 3 and [sub[i] for i in range(3)] == [7, 2, 5]
    cat = ConcatDataset([Range(3), sub, Range(2)])
    expected = [0, 1, 2, 7, 2, 5, 0, 1]
    assert len(cat) == 8 and cat.cumulative_sizes == [3, 6, 8]
    assert [cat[i] for i in range(8)] == expected
    assert [cat[i] for i in range(-8, 0)] == expected
    plus = Range(2) + Range(3)
    assert isinstance(plus, ConcatDataset) and [plus[i] for i in range(5)] == [0, 1, 0, 1, 2]
    with pytest.raises(ValueError, match="absolute value of index"):
        cat[-9]
    with pytest.raises(IndexError, match="out of range"):
        cat[8]
    with pytest.raises(AssertionError, match="empty iterable"):
        ConcatDataset([])
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        ConcatDataset([Stream(2)])


def test_chain_dataset():
    chain = Stream(2) + Stream(3)
    assert isinstance(chain, ChainDataset) and list(chain) == [0, 1, 0, 1, 2] and len(chain) == 5


@pytest.mark.parametrize(
    "n, lengths, sizes",
    [
        (10, [3, 7], [3, 7]),
        (10, [0.5, 0.5], [5, 5]),
        (10, [0.33, 0.33, 0.34], [4, 3, 3]),
        (5, [0.1, 0.9], [1, 4]),
    ],
)
def test_random_split_sizes_disjoint_and_repeatable(n, lengths, sizes):
    tg.manual_seed(11)
    parts = random_split(Range(n), lengths)
    assert [len(p) for p in parts] == sizes
    items = [[p[i] for i in range(len(p))] for p in parts]
    assert sorted(sum(items, [])) == list(range(n))  # disjoint and complete
    tg.manual_seed(11)
    assert [list(p.indices) for p in random_split(Range(n), lengths)] == [list(p.indices) for p in parts]
    own = random_split(Range(n), lengths, generator=np.random.default_rng(8))
    perm = np.random.default_rng(8).permutation(n).tolist()
    assert sum((list(p.indices) for p in own), []) == perm


def test_random_split_errors_and_warning():
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length"):
        random_split(Range(5), [2, 2])
    with pytest.raises(ValueError, match="lengths must be non-negative ints"):
        random_split(Range(5), [-1, 6])
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        parts = random_split(Range(1), [0.9, 0.1])
    assert [len(p) for p in parts] == [1, 0]


# ---- collate ----------------------------------------------------------------------------------


Point = collections.namedtuple("Point", "x y")


def test_default_collate_nested():
    batch = [
        {
            "a": np.array([1, 2], np.int32),
            "b": (1.5, "s0"),
            "c": [tg.tensor([1.0]), True],
            "p": Point(1, np.float32(2)),
        },
        {
            "a": np.array([3, 4], np.int32),
            "b": (2.5, "s1"),
            "c": [tg.tensor([2.0]), False],
            "p": Point(3, np.float32(4)),
        },
    ]
    out = default_collate(batch)
    assert set(out) == {"a", "b", "c", "p"}
    # tensorgrad's integer dtype is int64: an int32 array becomes int64, as tensorgrad.tensor does
    assert out["a"].dtype == np.int64 and out["a"].tolist() == [[1, 2], [3, 4]]
    b0, b1 = out["b"]
    assert isinstance(out["b"], list) and b0.dtype == np.float64 and b0.tolist() == [1.5, 2.5]
    assert b1 == ["s0", "s1"]
    c0, c1 = out["c"]
    assert c0.shape == (2, 1) and c0.dtype == np.float32 and c0.tolist() == [[1.0], [2.0]]
    assert c1.dtype == np.bool_ and c1.tolist() == [True, False]
    assert isinstance(out["p"], Point) and out["p"].x.dtype == np.int64 and out["p"].x.tolist() == [1, 3]
    assert out["p"].y.dtype == np.float32 and out["p"].y.tolist() == [2.0, 4.0]
    ordered = default_collate([collections.OrderedDict(z=1, a=2)] * 2)
    assert isinstance(ordered, collections.OrderedDict) and list(ordered) == ["z", "a"]


def test_default_collate_errors():
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(
        RuntimeError, match=r"stack expects each sample to be equal size, got shapes \[\(2,\), \(3,\)\]"
    ):
        default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(TypeError, match="found object"):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match="found ndarray"):
        default_collate([np.array(["a"]), np.array(["b"])])


def test_default_convert():
    out = default_convert({"a": np.arange(3), "b": (np.float32(1.5), "s"), "c": 4})
    assert out["a"].dtype == np.int64 and out["a"].tolist() == [0, 1, 2]
    assert isinstance(out["b"], list) and out["b"][0].dtype == np.float32 and out["b"][1] == "s"
    assert out["c"] == 4


# ---- DataLoader options -------------------------------------------------------------------------


def test_loader_with_sampler_and_batch_sampler():
    assert flat(DataLoader(Range(5), batch_size=2, sampler=[4, 3, 2, 1, 0])) == [[4, 3], [2, 1], [0]]
    loader = DataLoader(Range(6), batch_sampler=[[5, 0], [1, 2, 3]])
    assert flat(loader) == [[5, 0], [1, 2, 3]] and len(loader) == 2
    ds = TensorDataset(tg.arange(6) * 10, tg.arange(6))  # the indexed fast path
    assert [y.tolist() for x, y in DataLoader(ds, batch_sampler=[[5, 0], [3]])] == [[5, 0], [3]]


def test_loader_generator_and_collate_fn():
    a = DataLoader(Range(8), batch_size=3, shuffle=True, generator=np.random.default_rng(9))
    order = np.random.default_rng(9).permutation(8).tolist()
    assert sum(flat(a), []) == order
    c = DataLoader(Range(4), batch_size=2, collate_fn=lambda s: sum(s))
    assert list(c) == [1, 5]


def test_loader_without_batching():
    class Arrays(Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.full(2, i, np.float32)

    out = list(DataLoader(Arrays(), batch_size=None))
    assert len(out) == 2 and out[1].dtype == np.float32 and out[1].tolist() == [1.0, 1.0]
    assert len(DataLoader(Arrays(), batch_size=None)) == 2


@pytest.mark.parametrize(
    "batch_size, drop_last, expected", [(2, False, [[0, 1], [2, 3], [4]]), (2, True, [[0, 1], [2, 3]])]
)
def test_loader_iterable_dataset(batch_size, drop_last, expected):
    loader = DataLoader(Stream(5), batch_size=batch_size, drop_last=drop_last, num_workers=2)
    assert flat(loader) == expected and len(loader) == len(expected)
    assert list(DataLoader(Stream(3), batch_size=None)) == [0, 1, 2]  # default_convert keeps ints
    assert get_worker_info() is None


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"sampler": [0, 1], "shuffle": True}, "sampler option is mutually exclusive with shuffle"),
        (
            {"batch_sampler": [[0]], "batch_size": 2},
            "batch_sampler option is mutually exclusive with batch_size",
        ),
        ({"batch_sampler": [[0]], "drop_last": True}, "batch_sampler option is mutually exclusive"),
        ({"batch_sampler": [[0]], "sampler": [0]}, "batch_sampler option is mutually exclusive"),
        ({"batch_size": None, "drop_last": True}, "batch_size=None option disables auto-batching"),
        ({"num_workers": -1}, "num_workers option should be non-negative"),
        ({"timeout": -1}, "timeout option should be non-negative"),
        ({"prefetch_factor": 2}, "prefetch_factor option could only be specified in multiprocessing"),
        ({"persistent_workers": True}, "persistent_workers option needs num_workers > 0"),
    ],
)
def test_loader_option_conflicts(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DataLoader(Range(4), **kwargs)


@pytest.mark.parametrize("option, value", [("shuffle", True), ("sampler", [0]), ("batch_sampler", [[0]])])
def test_loader_iterable_dataset_rejects_sampling_options(option, value):
    with pytest.raises(
        ValueError, match=f"DataLoader with IterableDataset: expected unspecified {option} option"
    ):
        DataLoader(Stream(3), **{option: value})


def test_utils_data_path():
    import tensorgrad.utils.data
    from tensorgrad.utils.data import DataLoader as Loader

    assert Loader is DataLoader and tensorgrad.utils.data.random_split is random_split
    assert tg.utils.data.Subset is Subset
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(list(tg.utils.data.DataLoader(Range(3), num_workers=2, pin_memory=True))) == 3
