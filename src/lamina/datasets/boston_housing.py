"""Boston Housing: 506 districts of Boston in the 1970s, 13 features each, and their prices.

The targets are median home values in thousands of dollars. This data has an
ethical problem: one of its features ("B") encodes an assumption about race
and house prices. Use it to illustrate such problems, or prefer
`california_housing` (its `version="small"` is of a similar size).
"""

from __future__ import annotations

from lamina.datasets._housing import load_rows
from lamina.datasets._preprocess import check_test_split, shuffled_split
from lamina.utils.file_utils import get_file

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz"
SHA256 = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path: str = "boston_housing.npz", test_split: float = 0.2, seed: int = 113):
    """`(x_train, y_train), (x_test, y_test)`: float64 features `(n, 13)` and prices `(n,)`.

    The rows are shuffled with `seed`, then the last `test_split` of them are the
    test set. Downloads the file (57 kB) into `$LAMINA_HOME/datasets` the first
    time and checks its SHA-256.

    Args:
        path: the file's name in the cache.
        test_split: the fraction of the rows in the test set, in [0, 1).
        seed: the seed of the shuffle.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = lamina.datasets.boston_housing.load_data()
        >>> x_train.shape, x_test.shape
        ((404, 13), (102, 13))
    """
    test_split = check_test_split("boston_housing.load_data", test_split)
    x, y = load_rows(get_file(path, origin=ORIGIN, file_hash=SHA256), 13)
    return shuffled_split(x, y, test_split, seed)
