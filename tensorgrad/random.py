"""`tensorgrad.Generator` and the process-wide default generator (PyTorch's `torch.random`).

A Generator wraps a numpy Generator (PCG64). Its state, as `get_state` gives it, is an int64
tensor (PyTorch's is a uint8 one): enough to restore it with `set_state`, and to save with
`tensorgrad.save`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .device import check_device
from .device import device as _device

DEFAULT_SEED = 67280421310721  # PyTorch's default initial seed: runs repeat unless reseeded
_STATE_LEN = 10  # PCG64 state and increment as four 32-bit words each, has_uint32, uinteger
_WORD = (1 << 32) - 1


def _check_seed(seed: Any, op: str) -> int:
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"{op}: seed must be an int, got {type(seed).__name__}")
    return int(seed)


class Generator:
    """A source of random numbers that a random function can be given as `generator=`.

    Like PyTorch's: `Generator(device="cpu")`, seeded with PyTorch's default seed until
    `manual_seed` (which returns the generator, so `Generator().manual_seed(0)` works).
    """

    def __init__(self, device: Any = "cpu") -> None:
        check_device(device, "Generator")
        self.device = _device("cpu")
        self.manual_seed(DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        """Seed this generator (any int; taken modulo 2**64) and return it."""
        self._seed = _check_seed(seed, "manual_seed")
        self._rng = np.random.default_rng(self._seed % 2**64)
        return self

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with."""
        return self._seed

    def seed(self) -> int:
        """Seed from fresh OS entropy (non-deterministic) and return the seed used."""
        self.manual_seed(int(np.random.SeedSequence().entropy) % 2**64)
        return self._seed

    def get_state(self) -> Any:
        """The generator's state as an int64 tensor, for `set_state`."""
        from .ops.creation import tensor

        st = self._rng.bit_generator.state
        words = [(st["state"][k] >> (32 * i)) & _WORD for k in ("state", "inc") for i in range(4)]
        words += [st["has_uint32"], st["uinteger"]]
        return tensor(words)

    def set_state(self, new_state: Any) -> Generator:
        """Restore a state that `get_state` returned."""
        arr = np.asarray(getattr(new_state, "_data", new_state))
        if arr.shape != (_STATE_LEN,) or arr.dtype.kind not in "iu":
            raise RuntimeError(
                f"set_state: expected the int64 tensor of shape ({_STATE_LEN},) that get_state returns, "
                f"got shape {tuple(arr.shape)} and dtype {arr.dtype}"
            )
        w = [int(v) for v in arr.tolist()]
        state = {k: sum(w[j * 4 + i] << (32 * i) for i in range(4)) for j, k in enumerate(("state", "inc"))}
        self._rng.bit_generator.state = {
            "bit_generator": "PCG64",
            "state": state,
            "has_uint32": w[8],
            "uinteger": w[9],
        }
        return self

    def __repr__(self) -> str:
        return f"<tensorgrad.Generator object at {id(self):#x}>"


default_generator = Generator()


def numpy_rng(generator: Any, op: str) -> np.random.Generator:
    """The numpy Generator to draw from: `generator`'s (a tensorgrad or numpy Generator) or the default."""
    if generator is None:
        return default_generator._rng
    if isinstance(generator, Generator):
        return generator._rng
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(
        f"{op}: generator must be a tensorgrad.Generator (or a numpy Generator), "
        f"got {type(generator).__name__}"
    )


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (rand, randn, dropout, init, DataLoader shuffling); returns it."""
    return default_generator.manual_seed(seed)


def initial_seed() -> int:
    return default_generator.initial_seed()


def seed() -> int:
    """Seed the default generator from OS entropy and return the seed."""
    return default_generator.seed()


def get_rng_state() -> Any:
    """The default generator's state (an int64 tensor)."""
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    """Restore the default generator's state from `get_rng_state()`."""
    default_generator.set_state(new_state)
