"""MNIST handwritten digits: 60,000 training and 10,000 test images of 28x28 pixels."""

from __future__ import annotations

import numpy as np

from lamina.utils.file_utils import get_file

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path: str = "mnist.npz"):
    """`(x_train, y_train), (x_test, y_test)`: uint8 images `(n, 28, 28)` and labels.

    Downloads `mnist.npz` (11 MB) into `$LAMINA_HOME/datasets` the first time,
    checks its SHA-256, and reads it from there afterwards. Without network
    access, put the file there yourself.

    Args:
        path: the file's name in the cache.
    """
    local = get_file(fname=path, origin=ORIGIN, file_hash=SHA256)
    with np.load(local, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
