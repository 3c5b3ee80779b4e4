"""`tensorgrad.device`: PyTorch's device class. tensorgrad computes on the CPU only, so any other
device can be named (scripts build `device("cuda")` before checking for it) but not used."""

from __future__ import annotations

from typing import Any

_TYPES = ("cpu", "cuda", "mps", "meta", "xpu", "xla", "hip", "ipu", "vulkan", "mkldnn")


class device:  # noqa: N801  (PyTorch's name)
    """A device: `device("cpu")`, `device("cuda:0")`, `device("cuda", 0)`, `device(0)` (CUDA 0)."""

    __slots__ = ("_index", "_type")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device: an index cannot be given with a device object")
            type, index = type.type, type.index  # noqa: A001
        elif isinstance(type, int) and not isinstance(type, bool):
            type, index = "cuda", type  # noqa: A001  (a bare int names a CUDA device, as in PyTorch)
        elif not isinstance(type, str):
            raise TypeError(f"device: expected a string, an int or a device, got {type.__class__.__name__}")
        else:
            name, sep, idx = type.partition(":")
            if sep:
                if index is not None:
                    raise RuntimeError(
                        f"device: type (string) must not include an index because index was passed "
                        f"explicitly: {type}"
                    )
                if not idx.isdigit():
                    raise RuntimeError(f"device: invalid device string: {type!r}")
                index = int(idx)
            if name not in _TYPES:
                raise RuntimeError(
                    f"device: expected one of {', '.join(_TYPES)} device type at start of device "
                    f"string: {type}"
                )
            type = name  # noqa: A001
        if index is not None and (not isinstance(index, int) or isinstance(index, bool) or index < 0):
            raise RuntimeError(f"device: device index must be a non-negative int, got {index!r}")
        object.__setattr__(self, "_type", type)
        object.__setattr__(self, "_index", index)

    @property
    def type(self) -> str:
        return self._type

    @property
    def index(self) -> int | None:
        return self._index

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"device: attribute {name!r} is read-only")

    def __str__(self) -> str:
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __repr__(self) -> str:
        if self._index is None:
            return f"device(type='{self._type}')"
        return f"device(type='{self._type}', index={self._index})"

    def __eq__(self, other: object) -> bool:
        # A string compares as its device too, so that code written when Tensor.device was the
        # string "cpu" (`t.device == "cpu"`) keeps working.
        if isinstance(other, str):
            try:
                other = device(other)
            except (RuntimeError, TypeError):
                return False
        if not isinstance(other, device):
            return NotImplemented
        return self._type == other._type and self._index == other._index

    def __hash__(self) -> int:
        return hash(str(self))

    def __reduce__(self) -> tuple:
        return device, (self._type, self._index)


def check_device(dev: Any, op: str) -> None:
    """Raise unless `dev` (None, a string, an int or a device) is the CPU."""
    if dev is None:
        return
    d = dev if isinstance(dev, device) else device(dev)
    if d.type != "cpu":
        raise RuntimeError(
            f"{op}: tensorgrad runs on the CPU only (no CUDA or other accelerator); got device "
            f"{str(d)!r}, expected 'cpu' (or drop the device argument)"
        )


CPU = device("cpu")  # what every tensor's `.device` is


def to_arguments(args: tuple, kwargs: dict, op: str) -> tuple[Any, bool]:
    """(dtype or None, copy) from PyTorch's `.to(...)` forms: to(dtype), to(device), to(device,
    dtype), to(other_tensor), and the keywords dtype, device, non_blocking, copy, memory_format.
    A device other than the CPU raises."""
    from .tensor import Tensor  # here: tensor.py imports this module

    options = dict(kwargs)
    dtype = options.pop("dtype", None)
    check_device(options.pop("device", None), op)
    flags = [options.pop("non_blocking", False), options.pop("copy", False)]
    options.pop("memory_format", None)
    if options:
        raise TypeError(f"{op}() got unexpected keyword arguments {sorted(options)}")
    positional_flags = []
    for a in args:
        if isinstance(a, bool):
            positional_flags.append(a)  # non_blocking, then copy
        elif isinstance(a, str) and a.partition(":")[0] not in _TYPES:
            dtype = a  # a dtype's name ("float64"), which tensorgrad's dtypes also accept
        elif isinstance(a, (str, int, device)):
            check_device(a, op)
        elif isinstance(a, Tensor):  # another tensor: its dtype (its device is the CPU)
            dtype = a.dtype
        elif a is not None:
            dtype = a
    flags[: len(positional_flags)] = positional_flags
    return dtype, bool(flags[1])
