"""Recurrent layers with PyTorch's parameter names and gate order: `RNN`, `LSTM`, `GRU` and their
one-step cells `RNNCell`, `LSTMCell`, `GRUCell`.

Each layer and direction projects the input of all time steps with one matmul before the time loop
(as cuDNN does); the loop then adds only the hidden projection. Everything is composed from
differentiable ops, so gradients, first and second, come from those ops. A `PackedSequence` input
runs as its padded batch (sorted by length) with a mask per time step, so that a sequence's state
stops changing after its last element (and, in the reverse direction, starts from h_0 at its last
element); the output is packed again.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np

from ...ops.creation import empty, tensor, zeros
from ...ops.elementwise import relu, sigmoid, tanh, where
from ...ops.index import index_select
from ...ops.matmul import linear
from ...ops.shape import cat, chunk, squeeze, stack, transpose, unbind, unsqueeze
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence, _pack_rows, _padded_rows
from .module import Module

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _step(mode: str, gi: Tensor, state: tuple, w_hh: Tensor, b_hh: Any, w_hr: Any) -> tuple:
    """One time step: the new state, (h,) or (h, c) for LSTM, from gi = W_ih x + b_ih (PyTorch's
    gate order: LSTM i, f, g, o; GRU r, z, n with n = tanh(W_in x + b_in + r * (W_hn h + b_hn)))."""
    h = state[0]
    gh = linear(h, w_hh, b_hh)
    if mode == "LSTM":
        i, f, g, o = chunk(gi + gh, 4, -1)
        c = sigmoid(f) * state[1] + sigmoid(i) * tanh(g)
        h = sigmoid(o) * tanh(c)
        return (h if w_hr is None else linear(h, w_hr)), c
    if mode == "GRU":
        i_r, i_z, i_n = chunk(gi, 3, -1)
        h_r, h_z, h_n = chunk(gh, 3, -1)
        z = sigmoid(i_z + h_z)
        n = tanh(i_n + sigmoid(i_r + h_r) * h_n)
        return (n + z * (h - n),)
    return (tanh(gi + gh) if mode == "RNN_TANH" else relu(gi + gh),)


def _run_direction(
    mode: str, x: Tensor, state: tuple, weights: tuple, reverse: bool, masks: list | None = None
) -> tuple:
    """One layer in one direction over x (L, N, H_in): (outputs (L, N, H_out), final state).
    masks[t], if given and not None, is an (N, 1) bool tensor: where it is False the state is
    carried over unchanged (a packed sequence that has ended, or in reverse not yet begun)."""
    w_ih, w_hh, b_ih, b_hh, w_hr = weights
    gis = unbind(linear(x, w_ih, b_ih), 0)
    length = len(gis)
    outputs = [None] * length
    for t in range(length - 1, -1, -1) if reverse else range(length):
        new = _step(mode, gis[t], state, w_hh, b_hh, w_hr)
        if masks is not None and masks[t] is not None:
            new = tuple(where(masks[t], n, s) for n, s in zip(new, state))
        state = new
        outputs[t] = state[0]
    return stack(outputs, 0), state


def _reset_uniform(module: Module, hidden_size: int) -> None:
    """PyTorch's init for recurrent layers: every parameter from U(-1/sqrt(H), 1/sqrt(H)), H = hidden_size."""
    bound = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0.0
    for weight in module.parameters():
        init.uniform_(weight, -bound, bound)


def _check_state(name: str, label: str, h: Any, expected: tuple, dtype: Any) -> None:
    if not isinstance(h, Tensor):
        raise TypeError(f"{name}: {label} must be a Tensor, got {type(h).__name__}")
    if h.shape != expected:
        raise RuntimeError(f"{name}: Expected {label} size {expected}, got {list(h.shape)}")
    if h.dtype != dtype:
        raise ValueError(f"{name}: {label} must have the type {dtype}, got type {h.dtype}")


def _check_input(name: str, input: Any, dims: tuple, size: int, dtype: Any) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim not in dims:
        raise ValueError(f"{name}: Expected input to be {dims[0]}D or {dims[1]}D, got {input.ndim}D instead")
    if input.shape[-1] != size:
        raise RuntimeError(
            f"{name}: input.size(-1) must be equal to input_size. Expected {size}, got {input.shape[-1]} "
            f"(input of shape {list(input.shape)})"
        )
    if input.dtype != dtype:
        raise ValueError(f"{name}: input must have the type {dtype}, got type {input.dtype}")


class RNNBase(Module):
    """The multi-layer recurrence shared by RNN, LSTM and GRU (mode 'RNN_TANH', 'RNN_RELU', 'LSTM'
    or 'GRU').

    Parameters, per layer k and direction (suffix '_reverse' for the backward one), in PyTorch's
    order: weight_ih_l{k} (gates * hidden_size, input size of the layer), weight_hh_l{k}
    (gates * hidden_size, H_out), bias_ih_l{k} and bias_hh_l{k} (gates * hidden_size,), and for
    an LSTM with proj_size > 0 weight_hr_l{k} (proj_size, hidden_size); H_out is proj_size if set,
    else hidden_size. Dropout applies to the outputs of every layer but the last, in training mode.
    """

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if mode not in _GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1:
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of an "
                "element being zeroed"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                stacklevel=2,
            )
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        out_size = proj_size or hidden_size
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else out_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes = {"weight_ih": (gate_size, layer_input), "weight_hh": (gate_size, out_size)}
                if bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                if proj_size:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                names = []
                for kind, shape in shapes.items():
                    setattr(self, kind + suffix, Parameter(empty(*shape, dtype=dtype)))
                    names.append(kind + suffix)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_uniform(self, self.hidden_size)

    def flatten_parameters(self) -> None:
        """Does nothing: there is no cuDNN weight buffer to compact (kept so PyTorch code runs)."""

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters per layer and direction, each list in the order of the parameter names."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def _weights(self, layer: int, direction: int) -> tuple:
        """(w_ih, w_hh, b_ih, b_hh, w_hr) of one layer and direction, None for the absent ones."""
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        return tuple(
            getattr(self, kind + suffix, None)
            for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")
        )

    def _initial_states(self, hx: Any, batched: bool, batch: int, dtype: Any) -> list[tuple]:
        """The initial state of each layer and direction, (h,) or (h, c), each (N, size)."""
        name = type(self).__name__
        lstm = self.mode == "LSTM"
        count = self.num_layers * (2 if self.bidirectional else 1)
        sizes = (self.proj_size or self.hidden_size, self.hidden_size) if lstm else (self.hidden_size,)
        if hx is None:
            return [tuple(zeros(batch, size, dtype=dtype) for size in sizes)] * count
        if lstm and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise TypeError(f"{name}: hx must be a tuple (h_0, c_0), got {type(hx).__name__}")
        states = tuple(hx) if lstm else (hx,)
        per_layer = []
        for k, (h, size) in enumerate(zip(states, sizes)):
            label = f"hidden[{k}]" if lstm else "hidden"
            expected = (count, batch, size) if batched else (count, size)
            if isinstance(h, Tensor) and h.ndim != len(expected):
                kind = "batched 3-D" if batched else "unbatched 2-D"
                raise RuntimeError(
                    f"{name}: For {kind} input, {label} should also be {len(expected)}-D but got "
                    f"{h.ndim}-D tensor of shape {list(h.shape)}"
                )
            _check_state(name, label, h, expected, dtype)
            per_layer.append(unbind(h if batched else unsqueeze(h, 1), 0))
        return list(zip(*per_layer))

    def forward(self, input: Tensor | PackedSequence, hx: Any = None) -> tuple[Any, Any]:
        """(output, h_n), or (output, (h_n, c_n)) for an LSTM.

        input is (L, N, H_in), (N, L, H_in) with batch_first, or unbatched (L, H_in); hx (h_0 or
        (h_0, c_0)) is (D * num_layers, N, H) or unbatched (D * num_layers, H), zeros when omitted.
        output is (L, N, D * H_out) (batch first with batch_first); h_n and c_n are shaped as h_0, c_0.
        A PackedSequence input (batch_first does not apply) gives a PackedSequence output, and h_n
        holds each sequence's state after its last element, in the original batch order.
        """
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        name = type(self).__name__
        dtype = self.weight_ih_l0.dtype
        _check_input(name, input, (2, 3), self.input_size, dtype)
        batched = input.ndim == 3
        if not batched:
            x = unsqueeze(input, 1)
        else:
            x = transpose(input, 0, 1) if self.batch_first else input
        if x.shape[0] == 0:
            raise RuntimeError(
                f"{name}: Expected sequence length to be larger than 0, got input of shape "
                f"{list(input.shape)}"
            )
        states = self._initial_states(hx, batched, x.shape[1], dtype)
        x, final = self._run_layers(x, states, None)
        if not batched:
            x = squeeze(x, 1)
            final = [squeeze(f, 1) for f in final]
        elif self.batch_first:
            x = transpose(x, 0, 1)
        return x, (tuple(final) if self.mode == "LSTM" else final[0])

    def _run_layers(self, x: Tensor, states: list[tuple], masks: list | None) -> tuple[Tensor, list]:
        """All layers over x (L, N, H_in): (last layer's output, [h_n] or [h_n, c_n])."""
        directions = 2 if self.bidirectional else 1
        finals = []
        for layer in range(self.num_layers):
            if layer:
                x = F.dropout(x, self.dropout, self.training)
            outputs = []
            for direction in range(directions):
                k = layer * directions + direction
                out, state = _run_direction(
                    self.mode, x, states[k], self._weights(layer, direction), direction == 1, masks
                )
                outputs.append(out)
                finals.append(state)
            x = outputs[0] if directions == 1 else cat(outputs, 2)
        return x, [stack([s[i] for s in finals], 0) for i in range(len(finals[0]))]

    def _forward_packed(self, input: PackedSequence, hx: Any) -> tuple[PackedSequence, Any]:
        """forward() of a PackedSequence: hx and h_n are in the batch's original order."""
        name = type(self).__name__
        dtype = self.weight_ih_l0.dtype
        data, batch_sizes, sorted_indices, unsorted_indices = input
        if isinstance(data, Tensor) and data.ndim != 2:
            raise ValueError(
                f"{name}: Expected the data of a PackedSequence to be 2-D (sum of lengths, input_size), "
                f"got shape {list(data.shape)}"
            )
        _check_input(name, data, (2, 3), self.input_size, dtype)
        bs = batch_sizes._data.astype(np.int64)
        batch = int(bs[0])
        in_order = np.arange(batch)
        x = _padded_rows(data, bs, in_order, len(bs), 0.0)  # (L, N, H_in), longest sequence first
        masks = [None if b == batch else tensor(in_order[:, None] < b) for b in bs.tolist()]
        states = self._initial_states(hx, True, batch, dtype)
        if hx is not None and sorted_indices is not None:
            states = [tuple(index_select(s, 0, sorted_indices) for s in state) for state in states]
        x, final = self._run_layers(x, states, masks)
        if unsorted_indices is not None:
            final = [index_select(f, 1, unsorted_indices) for f in final]
        output = PackedSequence(_pack_rows(x, bs, in_order), batch_sizes, sorted_indices, unsorted_indices)
        return output, (tuple(final) if self.mode == "LSTM" else final[0])

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(RNNBase):
    """Elman RNN: h_t = nonlinearity(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), nonlinearity 'tanh' or 'relu'."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__(
            "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device=device,
            dtype=dtype,
        )


class LSTM(RNNBase):
    """Long short-term memory, gates i, f, g, o stacked in that order in the weights:
    c_t = f * c_{t-1} + i * g, h_t = o * tanh(c_t), projected by weight_hr if proj_size > 0."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            "LSTM",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            proj_size,
            device=device,
            dtype=dtype,
        )


class GRU(RNNBase):
    """Gated recurrent unit, gates r, z, n stacked in that order in the weights:
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h_t = (1 - z) * n + z * h_{t-1}."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            "GRU",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device=device,
            dtype=dtype,
        )


class RNNCellBase(Module):
    """One time step of a recurrence: weight_ih (gates * hidden_size, input_size), weight_hh
    (gates * hidden_size, hidden_size), bias_ih and bias_hh (gates * hidden_size,) or None."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool,
        num_chunks: int,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty(num_chunks * hidden_size, input_size, dtype=dtype))
        self.weight_hh = Parameter(empty(num_chunks * hidden_size, hidden_size, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, dtype=dtype))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_uniform(self, self.hidden_size)

    def _run(self, mode: str, input: Tensor, hx: Any, count: int) -> tuple:
        """Checks input (N, H_in) or (H_in,) and the `count` state tensors in hx (None: zeros), and
        returns the new state, shaped as the input is batched or not."""
        name = type(self).__name__
        dtype = self.weight_ih.dtype
        _check_input(name, input, (1, 2), self.input_size, dtype)
        batched = input.ndim == 2
        x = input if batched else unsqueeze(input, 0)
        if hx is None:
            state = (zeros(x.shape[0], self.hidden_size, dtype=dtype),) * count
        else:
            state = []
            for k, h in enumerate(hx if count == 2 else (hx,)):
                label = f"hx[{k}]" if count == 2 else "hx"
                expected = (x.shape[0], self.hidden_size) if batched else (self.hidden_size,)
                _check_state(name, label, h, expected, dtype)
                state.append(h if batched else unsqueeze(h, 0))
        state = _step(
            mode, linear(x, self.weight_ih, self.bias_ih), tuple(state), self.weight_hh, self.bias_hh, None
        )
        return state if batched else tuple(squeeze(s, 0) for s in state)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        return s


class RNNCell(RNNCellBase):
    """h' = nonlinearity(W_ih x + b_ih + W_hh h + b_hh), nonlinearity 'tanh' or 'relu'."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, 1, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        """h' of shape (N, hidden_size), or (hidden_size,) for an unbatched input."""
        return self._run("RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU", input, hx, 1)[0]

    def extra_repr(self) -> str:
        s = super().extra_repr()
        return s if self.nonlinearity == "tanh" else s + f", nonlinearity={self.nonlinearity}"


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o): returns (h', c') from input and hx = (h, c)."""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        """(h', c'), each (N, hidden_size), or (hidden_size,) for an unbatched input."""
        if hx is not None and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise TypeError(f"LSTMCell: hx must be a tuple (h, c), got {type(hx).__name__}")
        return self._run("LSTM", input, hx, 2)


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n): h' = (1 - z) * n + z * h."""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        """h' of shape (N, hidden_size), or (hidden_size,) for an unbatched input."""
        return self._run("GRU", input, hx, 1)[0]
