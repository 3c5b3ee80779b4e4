"""Dataset, TensorDataset, DataLoader semantics, the bundled digits and the IDX (MNIST) reader."""

import gzip
import struct

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad.data import DataLoader, Dataset, TensorDataset, load_digits, load_mnist, read_idx


def numbered(n=10):
    x = tg.tensor(np.arange(n * 2, dtype=np.float32).reshape(n, 2))
    y = tg.arange(n)
    return TensorDataset(x, y)


def labels_of(loader):
    return [b[1].tolist() for b in loader]


def test_tensor_dataset():
    ds = numbered(5)
    assert len(ds) == 5
    x, y = ds[3]
    assert x.tolist() == [6.0, 7.0] and y.item() == 3
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(tg.zeros(3, 2), tg.zeros(4))
    with pytest.raises(TypeError, match="Tensor"):
        TensorDataset(np.zeros(3))


@pytest.mark.parametrize(
    "n, bs, drop_last, sizes",
    [
        (10, 3, False, [3, 3, 3, 1]),
        (10, 3, True, [3, 3, 3]),
        (9, 3, True, [3, 3, 3]),
        (2, 5, False, [2]),
        (2, 5, True, []),
    ],
)
def test_batch_counts(n, bs, drop_last, sizes):
    loader = DataLoader(numbered(n), batch_size=bs, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(sizes)
    assert [len(b[1]) for b in batches] == sizes
    assert sum(labels_of(loader), []) == list(range(sum(sizes)))
    x, y = batches[0] if batches else (None, None)
    if x is not None:
        assert x.shape == (sizes[0], 2) and x.dtype == np.float32 and y.dtype == np.int64


def test_shuffle_is_a_permutation_and_repeats_after_manual_seed():
    loader = DataLoader(numbered(20), batch_size=6, shuffle=True)
    tg.manual_seed(123)
    first = labels_of(loader)
    second = labels_of(loader)
    assert sorted(sum(first, [])) == list(range(20))
    assert first != second  # a new order every pass
    tg.manual_seed(123)
    assert labels_of(loader) == first
    assert labels_of(loader) == second
    x, y = next(iter(loader))
    np.testing.assert_array_equal(x.numpy()[:, 0], 2 * y.numpy())  # inputs stay with their labels


def test_shuffle_with_own_generator_and_drop_last():
    a = DataLoader(
        numbered(10), batch_size=4, shuffle=True, drop_last=True, generator=np.random.default_rng(5)
    )
    b = DataLoader(
        numbered(10), batch_size=4, shuffle=True, drop_last=True, generator=np.random.default_rng(5)
    )
    la, lb = labels_of(a), labels_of(b)
    assert la == lb and len(la) == 2 and all(len(batch) == 4 for batch in la)


class Squares(Dataset):
    """A generic map-style dataset whose samples are (tensor, int, dict)."""

    def __len__(self):
        return 7

    def __getitem__(self, i):
        return tg.tensor([float(i), float(i * i)]), i, {"name": f"s{i}", "w": 0.5 * i}


def test_generic_dataset_is_collated_like_pytorch():
    loader = DataLoader(Squares(), batch_size=3)
    batches = list(loader)
    assert len(batches) == 3
    x, i, meta = batches[1]
    assert x.shape == (3, 2) and x.dtype == np.float32
    assert i.tolist() == [3, 4, 5] and i.dtype == np.int64
    assert meta["name"] == ["s3", "s4", "s5"]
    assert meta["w"].dtype == np.float64 and meta["w"].tolist() == [1.5, 2.0, 2.5]


def test_generic_and_fast_paths_shuffle_alike():
    ds = numbered(12)
    tg.manual_seed(7)
    fast = labels_of(DataLoader(ds, batch_size=5, shuffle=True))
    tg.manual_seed(7)
    generic = labels_of(
        DataLoader(ds, batch_size=5, shuffle=True, collate_fn=lambda s: [None, tg.stack([t[1] for t in s])])
    )
    assert fast == generic


def test_dataloader_errors():
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(numbered(), batch_size=0)
    with pytest.raises(TypeError, match="__len__"):
        DataLoader(iter(range(3)))
    with pytest.raises(NotImplementedError):
        Dataset()[0]


def test_load_digits():
    train, test = load_digits(), load_digits(train=False)
    (x, y), (xt, yt) = train.tensors, test.tensors
    assert x.shape == (1437, 1, 8, 8) and xt.shape == (360, 1, 8, 8)
    assert x.dtype == np.float32 and y.dtype == np.int64
    assert 0.0 <= float(x.min()) and float(x.max()) == 1.0
    assert np.bincount(yt.numpy()).tolist() == [36] * 10
    assert sorted(set(y.tolist())) == list(range(10))
    flat = load_digits(flatten=True).tensors[0]
    assert flat.shape == (1437, 64)
    np.testing.assert_array_equal(flat.numpy(), x.numpy().reshape(1437, 64))
    np.testing.assert_array_equal(load_digits().tensors[0].numpy(), x.numpy())  # the split is fixed


# ---- IDX / MNIST -------------------------------------------------------------------------


def idx_bytes(array, type_code=0x08):
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_mnist(directory, prefix="train", n=5, gz=False, h=4, w=3):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n, h, w), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    for kind, arr, nd in (("images", images, 3), ("labels", labels, 1)):
        name = directory / f"{prefix}-{kind}-idx{nd}-ubyte"
        data = idx_bytes(arr)
        if gz:
            with gzip.open(str(name) + ".gz", "wb") as f:
                f.write(data)
        else:
            name.write_bytes(data)
    return images, labels


@pytest.mark.parametrize("gz", [False, True])
def test_load_mnist(tmp_path, gz):
    images, labels = write_mnist(tmp_path, "train", gz=gz)
    test_images, _ = write_mnist(tmp_path, "t10k", n=2, gz=gz)
    x, y = load_mnist(tmp_path).tensors
    assert x.shape == (5, 1, 4, 3) and x.dtype == np.float32
    np.testing.assert_allclose(x.numpy()[:, 0], images / 255.0, rtol=1e-6)
    assert y.dtype == np.int64 and y.tolist() == labels.tolist()
    xt, _ = load_mnist(str(tmp_path), train=False, flatten=True).tensors
    assert xt.shape == (2, 12)
    np.testing.assert_allclose(xt.numpy(), test_images.reshape(2, 12) / 255.0, rtol=1e-6)


def test_load_mnist_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path)
    write_mnist(tmp_path)
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte"):
        load_mnist(tmp_path, train=False)


def test_load_mnist_mismatched_counts(tmp_path):
    write_mnist(tmp_path, n=5)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(4, np.uint8)))
    with pytest.raises(ValueError, match="5 images but 4 labels"):
        load_mnist(tmp_path)


@pytest.mark.parametrize(
    "data, match",
    [
        (b"\x00\x00", "too short"),
        (b"\x12\x34\x08\x03" + b"\x00" * 20, "magic number 0x12340803"),
        (idx_bytes(np.zeros((2, 2)), type_code=0x0D), "type 0x0d"),
        (idx_bytes(np.zeros((3, 4, 4)))[:-5], "truncated"),
        (idx_bytes(np.zeros((3, 4, 4))) + b"\x00", "header promises 48"),
        (bytes([0, 0, 8, 3, 0, 0, 0, 2]), "truncated inside its header"),
    ],
)
def test_read_idx_rejects_malformed_files(tmp_path, data, match):
    path = tmp_path / "bad-idx3-ubyte"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=match):
        read_idx(path)


def test_read_idx_rejects_a_broken_gzip(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.zeros((2, 2, 2))))[:-10])
    with pytest.raises(ValueError, match="cannot read"):
        read_idx(path)
    path.write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="cannot read"):
        load_mnist(tmp_path)
