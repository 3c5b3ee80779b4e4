"""The bundled UCI optical handwritten digits (the 1,797 8x8 images that scikit-learn ships).

digits.npz holds the pixel counts 0..16 as uint8 with a fixed, stratified split: 1,437
training images and 360 test images (36 per class). Source: E. Alpaydin and C. Kaynak,
"Optical Recognition of Handwritten Digits", UCI Machine Learning Repository (1998),
https://doi.org/10.24432/C50P49, licence CC BY 4.0 (see DIGITS_LICENSE.txt).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..tensor import _wrap
from .dataset import TensorDataset

_FILE = Path(__file__).with_name("digits.npz")


def load_digits(train: bool = True, flatten: bool = False) -> TensorDataset:
    """The training (1,437 images) or test (360 images) split as a TensorDataset(images, labels).

    Images are float32 in [0, 1] (pixel counts divided by 16), shaped (N, 1, 8, 8), or (N, 64)
    with `flatten=True`; labels are int64 digits 0..9.
    """
    split = "train" if train else "test"
    with np.load(_FILE, allow_pickle=False) as f:
        images = f[f"{split}_images"]
        labels = f[f"{split}_labels"]
    x = images.astype(np.float32) / np.float32(16.0)
    x = x.reshape(len(x), 64) if flatten else x.reshape(len(x), 1, 8, 8)
    return TensorDataset(_wrap(x), _wrap(labels.astype(np.int64)))
