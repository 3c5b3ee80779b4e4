"""nn.Module: registration, iteration, state_dict key names (PyTorch's), load_state_dict's checks and
atomicity, train/eval, zero_grad, dtype casts, repr, containers, and Parameter as a Tensor."""

import copy

import numpy as np
import pytest

import tensorgrad as tg
import tensorgrad.nn as nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, bias=False)
        self.bn = nn.BatchNorm2d(4)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(Block(), nn.MaxPool2d(2))
        self.blocks = nn.ModuleList([nn.Linear(4, 4), nn.LayerNorm(4)])
        self.embed = nn.Embedding(10, 4)
        self.attn = nn.MultiheadAttention(4, 2)
        self.head = nn.Linear(4, 2)
        self.register_buffer("scale", tg.ones(1))
        self.register_buffer("cache", tg.zeros(2), persistent=False)


# Written by hand from PyTorch's rules: a module's own parameters, then its persistent buffers,
# then each child's entries under "<child name>.", children in registration order.
NET_KEYS = [
    "scale",
    "features.0.conv.weight",
    "features.0.bn.weight",
    "features.0.bn.bias",
    "features.0.bn.running_mean",
    "features.0.bn.running_var",
    "features.0.bn.num_batches_tracked",
    "blocks.0.weight",
    "blocks.0.bias",
    "blocks.1.weight",
    "blocks.1.bias",
    "embed.weight",
    "attn.in_proj_weight",
    "attn.in_proj_bias",
    "attn.out_proj.weight",
    "attn.out_proj.bias",
    "head.weight",
    "head.bias",
]

NET_REPR = """Net(
  (features): Sequential(
    (0): Block(
      (conv): Conv2d(3, 4, kernel_size=(3, 3), stride=(1, 1), bias=False)
      (bn): BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
      (act): ReLU()
    )
    (1): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
  )
  (blocks): ModuleList(
    (0): Linear(in_features=4, out_features=4, bias=True)
    (1): LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)
  )
  (embed): Embedding(10, 4)
  (attn): MultiheadAttention(
    (out_proj): NonDynamicallyQuantizableLinear(in_features=4, out_features=4, bias=True)
  )
  (head): Linear(in_features=4, out_features=2, bias=True)
)"""


def snapshot(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def assert_same(a, b):
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


# ---- state_dict ----------------------------------------------------------------------------------


def test_state_dict_keys_follow_pytorch_naming():
    assert list(Net().state_dict().keys()) == NET_KEYS


def test_state_dict_values_are_detached_and_share_memory():
    net = Net()
    sd = net.state_dict()
    assert not sd["head.weight"].requires_grad
    sd["head.weight"].numpy()[0, 0] = 42.0
    assert net.head.weight.detach().numpy()[0, 0] == 42.0
    assert net.state_dict(keep_vars=True)["head.weight"] is net.head.weight


def test_load_state_dict_round_trip_casts_and_accepts_arrays():
    tg.manual_seed(0)
    src = Net()
    tg.manual_seed(1)
    dst = Net()
    weights = {
        k: v.numpy().astype(np.float64) if v.dtype.kind == "f" else v.numpy()
        for k, v in src.state_dict().items()
    }
    result = dst.load_state_dict(weights)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    assert_same(snapshot(dst), snapshot(src))
    assert dst.head.weight.dtype == tg.float32


def test_load_state_dict_keeps_parameter_objects():
    net = Net()
    weight = net.head.weight
    net.load_state_dict(Net().state_dict())
    assert net.head.weight is weight


def _corrupt(sd):
    """A state dict with one good change, one missing key, one unexpected key."""
    sd = {k: v.numpy().copy() for k, v in sd.items()}
    sd["blocks.0.weight"] += 1.0
    del sd["head.bias"]
    sd["head.extra"] = np.zeros(3, np.float32)
    return sd


def test_load_state_dict_strict_failure_lists_keys_and_changes_nothing():
    net = Net()
    before = snapshot(net)
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(_corrupt(net.state_dict()))
    message = str(info.value)
    assert "Error(s) in loading state_dict for Net" in message
    assert 'Missing key(s) in state_dict: "head.bias"' in message
    assert 'Unexpected key(s) in state_dict: "head.extra"' in message
    assert_same(snapshot(net), before)


def test_load_state_dict_not_strict_loads_the_rest():
    net = Net()
    before = snapshot(net)
    result = net.load_state_dict(_corrupt(net.state_dict()), strict=False)
    assert result.missing_keys == ["head.bias"]
    assert result.unexpected_keys == ["head.extra"]
    np.testing.assert_array_equal(net.blocks[0].weight.detach().numpy(), before["blocks.0.weight"] + 1.0)


@pytest.mark.parametrize("strict", [True, False])
def test_load_state_dict_shape_mismatch_raises_and_changes_nothing(strict):
    net = Net()
    before = snapshot(net)
    sd = {k: v.numpy().copy() + 1 for k, v in net.state_dict().items()}
    sd["head.weight"] = np.zeros((3, 4), np.float32)
    with pytest.raises(
        RuntimeError, match=r"size mismatch for head.weight: copying a param with shape \[3, 4\]"
    ):
        net.load_state_dict(sd, strict=strict)
    assert_same(snapshot(net), before)


def test_load_state_dict_rejects_non_numeric_values():
    net = nn.Linear(2, 1)
    with pytest.raises(RuntimeError, match='parameter named "bias"'):
        net.load_state_dict({"weight": tg.zeros(1, 2), "bias": "zero"})
    with pytest.raises(TypeError, match="dict-like"):
        net.load_state_dict([1, 2])


def test_non_persistent_buffer_is_not_in_state_dict_but_is_a_buffer():
    net = Net()
    assert "cache" not in net.state_dict()
    assert "cache" in dict(net.named_buffers())


# ---- iteration -----------------------------------------------------------------------------------


def test_named_parameters_and_buffers():
    net = Net()
    params = dict(net.named_parameters())
    buffers = dict(net.named_buffers())
    assert set(params) | (set(buffers) - {"cache"}) == set(NET_KEYS)
    assert "features.0.bn.running_mean" in buffers and "features.0.bn.running_mean" not in params
    assert len(list(net.parameters())) == len(params)


def test_shared_parameters_and_modules_are_yielded_once():
    shared = nn.Linear(3, 3)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(model.parameters())) == 2
    assert len(list(model.modules())) == 3
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    tied = nn.Sequential(nn.Linear(2, 2, bias=False), nn.Linear(2, 2, bias=False))
    tied[1].weight = tied[0].weight
    assert len(list(tied.parameters())) == 1


def test_children_modules_and_get_submodule():
    net = Net()
    assert [name for name, _ in net.named_children()] == ["features", "blocks", "embed", "attn", "head"]
    names = [name for name, _ in net.named_modules()]
    assert names[:4] == ["", "features", "features.0", "features.0.conv"]
    assert net.get_submodule("features.0.bn") is net.features[0].bn
    with pytest.raises(AttributeError, match="no submodule `nope`"):
        net.get_submodule("features.nope")


# ---- registration rules --------------------------------------------------------------------------


def test_registration_by_assignment_and_deletion():
    m = nn.Module()
    m.w = nn.Parameter(tg.ones(2))
    m.sub = nn.Linear(1, 1)
    m.register_buffer("buf", tg.zeros(1))
    m.plain = tg.ones(1)  # a plain tensor attribute is not registered
    assert list(m._parameters) == ["w"] and list(m._modules) == ["sub"] and list(m._buffers) == ["buf"]
    m.buf = tg.ones(3)
    assert m._buffers["buf"] is m.buf
    del m.w
    assert "w" not in m._parameters and not hasattr(m, "w")
    m.sub = nn.Parameter(tg.zeros(1))  # a name lives in one registry only
    assert "sub" not in m._modules and m._parameters["sub"] is m.sub


def test_registration_errors():
    m = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'weight'"):
        m.weight = tg.ones(2, 2)
    with pytest.raises(KeyError, match="contain"):
        m.register_buffer("a.b", tg.ones(1))
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("in_features", tg.ones(1))
    with pytest.raises(TypeError, match="cannot assign 'int' as buffer"):
        bn = nn.BatchNorm1d(2)
        bn.running_mean = 3

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(tg.ones(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(tg.ones(1))


# ---- modes, gradients, dtypes --------------------------------------------------------------------


def test_train_and_eval_reach_every_submodule():
    net = Net()
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="boolean"):
        net.train("yes")


def test_zero_grad_sets_none_or_zeros():
    model = nn.Linear(3, 2)
    model(tg.randn(4, 3)).sum().backward()
    model.zero_grad(set_to_none=False)
    assert np.all(model.weight.grad.numpy() == 0) and model.weight.grad.shape == (2, 3)
    model.zero_grad()
    assert model.weight.grad is None and model.bias.grad is None


def test_requires_grad_and_apply():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())
    seen = []
    assert model.apply(lambda m: seen.append(type(m).__name__)) is model
    assert seen == ["Linear", "Linear", "Sequential"]


def test_to_double_and_float_cast_floating_tensors_only():
    bn = nn.BatchNorm1d(3)
    weight = bn.weight
    bn.double()
    assert bn.weight is weight and bn.weight.dtype == tg.float64 and bn.running_var.dtype == tg.float64
    assert bn.num_batches_tracked.dtype == tg.int64
    bn.to(tg.float32)
    assert bn.weight.dtype == tg.float32
    bn.to("cpu", dtype=tg.float64)
    assert bn.running_mean.dtype == tg.float64
    with pytest.raises(RuntimeError, match="CPU only"):
        bn.to("cuda")
    with pytest.raises(TypeError, match="floating point"):
        bn.to(tg.int64)


def test_deepcopy_copies_parameters_and_buffers():
    net = Net()
    clone = copy.deepcopy(net)
    assert clone.head.weight is not net.head.weight and isinstance(clone.head.weight, nn.Parameter)
    assert_same(snapshot(clone), snapshot(net))
    clone.head.weight.detach().numpy()[...] = 0
    assert np.any(net.head.weight.detach().numpy() != 0)


# ---- repr ----------------------------------------------------------------------------------------


def test_repr_matches_pytorch_layout():
    assert repr(Net()) == NET_REPR


def test_module_list_repr_compresses_repeats():
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU()])
    assert repr(layers) == (
        "ModuleList(\n  (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)\n  (3): ReLU()\n)"
    )


def test_layer_reprs():
    assert repr(nn.Dropout(0.1)) == "Dropout(p=0.1, inplace=False)"
    assert repr(nn.GELU(approximate="tanh")) == "GELU(approximate='tanh')"
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.Softmax(dim=-1)) == "Softmax(dim=-1)"
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.Embedding(5, 3, padding_idx=0)) == "Embedding(5, 3, padding_idx=0)"
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.Conv2d(1, 2, 3, stride=2, padding=1, dilation=2)) == (
        "Conv2d(1, 2, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), dilation=(2, 2))"
    )
    assert repr(nn.Identity()) == "Identity()"
    assert repr(nn.Parameter(tg.zeros(2))) == "Parameter containing:\ntensor([0., 0.], requires_grad=True)"


# ---- containers ----------------------------------------------------------------------------------


def test_sequential_indexing_and_editing():
    a, b, c = nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)
    seq = nn.Sequential(a, b, c)
    assert len(seq) == 3 and seq[0] is a and seq[-1] is c and list(seq) == [a, b, c]
    assert isinstance(seq[1:], nn.Sequential) and list(seq[1:]) == [b, c]
    seq.append(nn.Tanh())
    assert list(seq._modules) == ["0", "1", "2", "3"]
    del seq[1]
    assert list(seq._modules) == ["0", "1", "2"] and seq[1] is c
    seq.insert(1, b)
    assert seq[1] is b
    with pytest.raises(IndexError):
        seq[10]


def test_sequential_from_ordered_dict_keeps_names():
    from collections import OrderedDict

    seq = nn.Sequential(OrderedDict(fc=nn.Linear(2, 3), act=nn.ReLU()))
    assert list(seq.state_dict()) == ["fc.weight", "fc.bias"]
    assert seq(tg.randn(4, 2)).shape == (4, 3)


def test_module_list_and_dict():
    layers = nn.ModuleList([nn.Linear(1, 1)])
    layers += [nn.Linear(1, 1)]
    layers.append(nn.ReLU())
    layers.insert(0, nn.Tanh())
    assert [type(m).__name__ for m in layers] == ["Tanh", "Linear", "Linear", "ReLU"]
    del layers[0]
    assert list(layers._modules) == ["0", "1", "2"]
    assert len(list(layers.parameters())) == 4
    d = nn.ModuleDict({"a": nn.Linear(1, 2)})
    d["b"] = nn.ReLU()
    assert list(d.keys()) == ["a", "b"] and "a" in d and len(d) == 2
    assert list(d.state_dict()) == ["a.weight", "a.bias"]


# ---- Parameter -----------------------------------------------------------------------------------


def test_parameter_is_a_leaf_tensor_that_requires_grad():
    data = tg.ones(2, 2)
    p = nn.Parameter(data)
    assert isinstance(p, tg.Tensor) and p.requires_grad and p.is_leaf
    p.detach().numpy()[0, 0] = 5.0  # shares memory with data, as in PyTorch
    assert data.numpy()[0, 0] == 5.0
    assert not nn.Parameter(tg.ones(1), requires_grad=False).requires_grad
    assert type(p * 2) is tg.Tensor


def test_ops_treat_parameters_as_tensors():
    """add/mul have fast paths for exact Tensors: Parameters must take the general path correctly."""
    a = nn.Parameter(tg.tensor([1.0, 2.0]))
    b = nn.Parameter(tg.tensor([3.0, 4.0]))
    t = tg.tensor([5.0, 6.0], requires_grad=True)
    out = (a * b + a + t * b).sum()
    out.backward()
    np.testing.assert_array_equal(out.detach().numpy(), 1 * 3 + 2 * 4 + 3 + 5 * 3 + 6 * 4)
    np.testing.assert_array_equal(a.grad.numpy(), [4.0, 5.0])
    np.testing.assert_array_equal(b.grad.numpy(), [6.0, 8.0])
    np.testing.assert_array_equal(t.grad.numpy(), [3.0, 4.0])
    c = nn.Parameter(tg.tensor([[1.0], [2.0]]))
    (c - a).sum().backward()  # broadcasting between two Parameters
    np.testing.assert_array_equal(c.grad.numpy(), [[2.0], [2.0]])
