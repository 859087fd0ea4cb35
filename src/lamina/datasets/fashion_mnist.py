"""Fashion-MNIST: 60,000 training and 10,000 test grayscale images of clothes, 28x28 pixels.

The labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal,
6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot. Fashion-MNIST is Zalando SE's,
under the MIT license.
"""

from __future__ import annotations

import os

from lamina.datasets._readers import read_idx_gz
from lamina.utils.file_utils import get_file

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
CACHE_SUBDIR = os.path.join("datasets", "fashion-mnist")
# The four files, in the order train labels, train images, test labels, test images.
FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)


def load_data():
    """`(x_train, y_train), (x_test, y_test)`: uint8 images `(n, 28, 28)` and uint8 labels `(n,)`.

    Downloads the four gzipped IDX files (30 MB) into
    `$LAMINA_HOME/datasets/fashion-mnist` the first time and reads them from
    there afterwards. They are published without a hash, so each file's header
    is checked instead: a damaged file raises an error naming it. Without
    network access, put the files there yourself.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = lamina.datasets.fashion_mnist.load_data()
        >>> x_train.shape, y_test.shape
        ((60000, 28, 28), (10000,))
    """
    paths = [
        get_file(name, origin=ORIGIN_FOLDER + name, cache_subdir=CACHE_SUBDIR) for name in FILES
    ]
    y_train, x_train = read_idx_gz(paths[0], 1), read_idx_gz(paths[1], 3)
    y_test, x_test = read_idx_gz(paths[2], 1), read_idx_gz(paths[3], 3)
    for images, labels, image_path in ((x_train, y_train, paths[1]), (x_test, y_test, paths[3])):
        if len(images) != len(labels):
            raise ValueError(
                f"The dataset file {image_path} holds {len(images)} images for {len(labels)} "
                "labels. One of the two files is damaged or from another dataset: delete both, "
                "and the next call downloads them again."
            )
    return (x_train, y_train), (x_test, y_test)
