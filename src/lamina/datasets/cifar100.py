"""CIFAR-100: 50,000 training and 10,000 test color images of 32x32 pixels.

Each image has a fine label (one of 100 classes) and a coarse label (one of
the 20 superclasses that group them).
"""

from __future__ import annotations

import os

import numpy as np

from lamina.datasets._cifar import read_batch, to_image_data_format
from lamina.utils.file_utils import get_file

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
SHA256 = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"
CACHE_NAME = "cifar-100-python-target"
LABEL_MODES = ("fine", "coarse")


def load_data(label_mode: str = "fine"):
    """`(x_train, y_train), (x_test, y_test)`: uint8 images and int64 labels `(n, 1)`.

    The images are `(n, 32, 32, 3)` with `image_data_format` "channels_last"
    (the default) and `(n, 3, 32, 32)` with "channels_first", pixels 0 to 255.

    Downloads the archive (161 MB) into `$LAMINA_HOME/datasets` the first time,
    checks its SHA-256 and extracts it next to it (`cifar-100-python-target`
    and its `_extracted` folder); later calls read from there.

    Args:
        label_mode: "fine" for the 100 classes (labels 0-99), "coarse" for
            the 20 superclasses (labels 0-19).

    Example:
        >>> (x_train, y_train), _ = lamina.datasets.cifar100.load_data(label_mode="coarse")
        >>> int(y_train.max())
        19
    """
    if label_mode not in LABEL_MODES:
        raise ValueError(
            f'cifar100.load_data: label_mode must be "fine" (100 classes) or "coarse" '
            f"(20 superclasses); got label_mode={label_mode!r}."
        )
    folder = get_file(fname=CACHE_NAME, origin=ORIGIN, file_hash=SHA256, extract=True)
    folder = os.path.join(folder, "cifar-100-python")
    key = f"{label_mode}_labels"
    x_train, y_train = read_batch(os.path.join(folder, "train"), key)
    x_test, y_test = read_batch(os.path.join(folder, "test"), key)
    return (
        (to_image_data_format(x_train), np.asarray(y_train, np.int64).reshape(-1, 1)),
        (to_image_data_format(x_test), np.asarray(y_test, np.int64).reshape(-1, 1)),
    )
