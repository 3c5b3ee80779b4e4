"""ParameterList and ParameterDict: registration under PyTorch's names, Tensor-to-Parameter
conversion, list/dict behaviour, state_dict round trips, repr and errors."""

from collections import OrderedDict

import numpy as np
import pytest

import tensorgrad as tg
import tensorgrad.nn as nn


class Holder(nn.Module):
    def __init__(self):
        super().__init__()
        self.plist = nn.ParameterList([tg.ones(2), nn.Parameter(tg.zeros(3))])
        self.pdict = nn.ParameterDict({"scale": tg.ones(1), "bias": tg.zeros(2)})

    def forward(self, x):
        return x * self.pdict["scale"] + self.plist[0].sum()


def test_parameter_list_registers_under_indices():
    plist = nn.ParameterList([tg.ones(2, 3), nn.Parameter(tg.zeros(3))])
    plist.append(tg.full((4,), 2.0))
    plist.extend([tg.ones(1)])
    plist += [nn.Parameter(tg.zeros(2))]
    assert len(plist) == 5
    assert list(plist.state_dict()) == ["0", "1", "2", "3", "4"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in plist)
    assert [p.shape for p in plist.parameters()] == [(2, 3), (3,), (4,), (1,), (2,)]
    assert plist[-3] is plist[2]
    np.testing.assert_array_equal(plist[2].detach().numpy(), [2.0] * 4)
    sliced = plist[1:4:2]
    assert isinstance(sliced, nn.ParameterList) and list(sliced.state_dict()) == ["0", "1"]
    assert sliced[1] is plist[3]
    plist[0] = tg.zeros(5)
    assert isinstance(plist[0], nn.Parameter) and plist.state_dict()["0"].shape == (5,)


def test_parameter_list_holds_other_objects_as_plain_attributes():
    plist = nn.ParameterList([tg.ones(2), "not a tensor"])
    assert plist[1] == "not a tensor"
    assert list(plist.state_dict()) == ["0"]
    assert repr(plist) == (
        "ParameterList(\n"
        "    (0): Parameter containing: [tensorgrad.float32 of size 2]\n"
        "    (1): Object of type: str\n"
        ")"
    )
    assert repr(nn.ParameterList()) == "ParameterList()"


def test_parameter_list_errors():
    plist = nn.ParameterList([tg.ones(2)])
    with pytest.raises(IndexError, match="ParameterList: index 1 is out of range for length 1"):
        plist[1]
    with pytest.raises(
        TypeError, match="ParameterList.extend should be called with an iterable, but got Tensor"
    ):
        plist.extend(tg.ones(3))
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        plist(tg.ones(2))


def test_parameter_dict_order_and_dict_methods():
    pdict = nn.ParameterDict({"b": tg.ones(2), "a": tg.zeros(3)})
    assert list(pdict) == ["a", "b"]  # a plain dict is added in sorted order, as in PyTorch
    ordered = nn.ParameterDict(OrderedDict([("z", tg.ones(1)), ("y", tg.ones(2))]))
    assert list(ordered.state_dict()) == ["z", "y"]
    pdict["c"] = tg.ones(4)
    assert isinstance(pdict["c"], nn.Parameter) and "c" in pdict and len(pdict) == 3
    assert list(pdict.keys()) == ["a", "b", "c"] and [k for k, _ in pdict.items()] == ["a", "b", "c"]
    assert list(reversed(pdict)) == ["c", "b", "a"]
    assert pdict.get("missing") is None and pdict.get("a") is pdict["a"]
    removed = pdict.pop("b")
    assert removed.shape == (2,) and list(pdict.state_dict()) == ["a", "c"]
    assert pdict.popitem()[0] == "c"
    assert pdict.setdefault("d", tg.ones(1)) is pdict["d"]
    copy = pdict.copy()
    assert copy["a"] is pdict["a"] and list(copy) == ["a", "d"]
    merged = pdict | nn.ParameterDict({"e": tg.ones(2)})
    assert list(merged) == ["a", "d", "e"] and list(pdict) == ["a", "d"]
    pdict.update([("f", tg.ones(1))])
    del pdict["a"]
    assert list(pdict.state_dict()) == ["d", "f"]
    pdict.clear()
    assert len(pdict) == 0 and list(pdict.parameters()) == []


def test_parameter_dict_repr_and_errors():
    pdict = nn.ParameterDict({"w": tg.ones(2, 3, dtype=tg.float64)})
    # one line of extra_repr goes inline, as PyTorch prints it
    assert repr(pdict) == "ParameterDict(  (w): Parameter containing: [tensorgrad.float64 of size 2x3])"
    with pytest.raises(TypeError, match="not a string \\(type is 'int'\\)"):
        pdict[0] = tg.ones(1)
    with pytest.raises(KeyError, match="missing"):
        pdict["missing"]
    with pytest.raises(KeyError, match="attribute 'keys' already exists"):
        pdict["keys"] = tg.ones(1)
    with pytest.raises(
        ValueError, match="ParameterDict update sequence element #0 has length 3; 2 is required"
    ):
        pdict.update([("a", tg.ones(1), 3)])
    with pytest.raises(RuntimeError, match="ParameterDict should not be called"):
        pdict()


def test_containers_inside_a_module_state_dict_round_trip_and_gradients():
    model = Holder()
    assert list(model.state_dict()) == ["plist.0", "plist.1", "pdict.bias", "pdict.scale"]
    model(tg.ones(2)).sum().backward()
    np.testing.assert_allclose(model.pdict["scale"].grad.numpy(), [2.0])
    np.testing.assert_allclose(model.plist[0].grad.numpy(), [2.0, 2.0])
    other = Holder()
    state = {k: v + 1 for k, v in model.state_dict().items()}
    other.load_state_dict(state)
    np.testing.assert_allclose(other.plist[1].detach().numpy(), [1.0, 1.0, 1.0])
    np.testing.assert_allclose(other.pdict["bias"].detach().numpy(), [1.0, 1.0])
