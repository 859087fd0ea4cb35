"""California Housing: 20,640 block groups of the 1990 US census, 8 features each, and prices.

The features: median income, median house age, average rooms and bedrooms per
household, population, average household size, latitude and longitude. The
targets are median house values in dollars.
"""

from __future__ import annotations

from lamina.datasets._housing import load_rows
from lamina.datasets._preprocess import check_test_split, shuffled_split
from lamina.utils.file_utils import get_file

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/california_housing.npz"
SHA256 = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"
VERSIONS = {"large": None, "small": 600}  # the number of rows kept (None: all)


def load_data(
    version: str = "large",
    path: str = "california_housing.npz",
    test_split: float = 0.2,
    seed: int = 113,
):
    """`(x_train, y_train), (x_test, y_test)`: float features `(n, 8)` and prices `(n,)`.

    The rows are shuffled with `seed`, then the last `test_split` of them are the
    test set. Downloads the file (743 kB) into `$LAMINA_HOME/datasets` the first
    time and checks its SHA-256.

    Args:
        version: "large" for all 20,640 rows, "small" for the first 600 (a
            stand-in for `boston_housing`).
        path: the file's name in the cache.
        test_split: the fraction of the rows in the test set, in [0, 1).
        seed: the seed of the shuffle.

    Example:
        >>> (x_train, y_train), _ = lamina.datasets.california_housing.load_data(version="small")
        >>> x_train.shape
        (480, 8)
    """
    if version not in VERSIONS:
        raise ValueError(
            'california_housing.load_data: version must be "large" (20,640 rows) or "small" '
            f"(600 rows); got version={version!r}."
        )
    test_split = check_test_split("california_housing.load_data", test_split)
    x, y = load_rows(get_file(path, origin=ORIGIN, file_hash=SHA256), 8)
    rows = VERSIONS[version]
    return shuffled_split(x[:rows], y[:rows], test_split, seed)
