"""CIFAR-10: 50,000 training and 10,000 test color images of 32x32 pixels in 10 classes.

The labels: 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog, 6 frog,
7 horse, 8 ship, 9 truck. A few of the images are known to be mislabeled.
"""

from __future__ import annotations

import os

import numpy as np

from lamina.datasets._cifar import read_batch, to_image_data_format
from lamina.utils.file_utils import get_file

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
CACHE_NAME = "cifar-10-batches-py-target"
TRAIN_BATCHES = 5


def load_data():
    """`(x_train, y_train), (x_test, y_test)`: uint8 images and uint8 labels `(n, 1)`.

    The images are `(n, 32, 32, 3)` with `image_data_format` "channels_last"
    (the default) and `(n, 3, 32, 32)` with "channels_first", pixels 0 to 255.

    Downloads the archive (163 MB) into `$LAMINA_HOME/datasets` the first time,
    checks its SHA-256 and extracts it next to it (`cifar-10-batches-py-target`
    and its `_extracted` folder); later calls read from there.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = lamina.datasets.cifar10.load_data()
        >>> x_train.shape, y_train.shape
        ((50000, 32, 32, 3), (50000, 1))
    """
    folder = get_file(fname=CACHE_NAME, origin=ORIGIN, file_hash=SHA256, extract=True)
    folder = os.path.join(folder, "cifar-10-batches-py")
    parts = [
        read_batch(os.path.join(folder, f"data_batch_{i}"), "labels")
        for i in range(1, TRAIN_BATCHES + 1)
    ]
    x_train = np.concatenate([images for images, _ in parts])
    y_train = np.concatenate([np.asarray(labels) for _, labels in parts]).astype(np.uint8)
    x_test, y_test = read_batch(os.path.join(folder, "test_batch"), "labels")
    y_test = np.asarray(y_test).astype(np.uint8)
    return (
        (to_image_data_format(x_train), y_train.reshape(-1, 1)),
        (to_image_data_format(x_test), y_test.reshape(-1, 1)),
    )
