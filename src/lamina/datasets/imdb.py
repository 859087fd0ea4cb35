"""IMDB movie reviews: 25,000 training and 25,000 test reviews labeled by sentiment.

Each review is a list of word indices; a word's index is its rank by
frequency in the data (1 is the most frequent word), so "the 10,000 most
frequent words" is a cut on the index. Label 1 is positive, 0 negative.
"""

from __future__ import annotations

import warnings

import numpy as np

from lamina.datasets._preprocess import (
    drop_long,
    limit_vocabulary,
    object_array,
    shift_indices,
)
from lamina.datasets._readers import load_npz
from lamina.datasets._word_sequences import check_arguments, load_word_index
from lamina.utils.file_utils import get_file

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
SHA256 = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_MD5 = "bfafd718b763782e994055a2d397834f"


def load_data(
    path: str = "imdb.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
    **kwargs,
):
    """`(x_train, y_train), (x_test, y_test)`: reviews as lists of word indices, and labels.

    `x_train` and `x_test` are 1-D object arrays of lists of ints; `y_train`
    and `y_test` are int arrays of 0 and 1. Each split is shuffled with `seed`.
    Downloads `imdb.npz` (17 MB) into `$LAMINA_HOME/datasets` the first time and
    checks its SHA-256.

    The steps, in order: every index is raised by `index_from` and the review
    starts with `start_char`; with `maxlen`, reviews of `maxlen` indices or more
    (`start_char` counted) are left out; then indices below `skip_top` or at
    least `num_words` become `oov_char` (or are removed when it is None).
    Index 0 is left for padding.

    Args:
        path: the file's name in the cache.
        num_words: keep the indices below this bound (the most frequent words,
            counting the `index_from` shift); None: the largest index in the
            data is the bound, so that one word becomes `oov_char` too, as in
            Keras 3.
        skip_top: indices below this one become `oov_char` (note that
            `start_char` is among them when it is smaller).
        maxlen: leave out the reviews of `maxlen` indices or more.
        seed: the seed of the shuffle.
        start_char: the index each review starts with; None for none.
        oov_char: the index of the words cut by `num_words` or `skip_top`; None
            to remove them instead.
        index_from: added to every word index, leaving room for padding,
            `start_char` and `oov_char`.
        **kwargs: `nb_words`, the old name of `num_words`, is still accepted.

    Example:
        >>> (x_train, y_train), _ = lamina.datasets.imdb.load_data(num_words=10000)
        >>> max(max(review) for review in x_train) < 10000
        True
    """
    if "nb_words" in kwargs:
        warnings.warn(
            "imdb.load_data: nb_words is the old name of num_words; pass num_words instead.",
            DeprecationWarning,
            stacklevel=2,
        )
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError(
            f"imdb.load_data got unknown arguments {sorted(kwargs)}; it takes path, num_words, "
            "skip_top, maxlen, seed, start_char, oov_char and index_from."
        )
    num_words, skip_top, maxlen, start_char, oov_char, index_from = check_arguments(
        "imdb.load_data", num_words, skip_top, maxlen, start_char, oov_char, index_from
    )
    local = get_file(fname=path, origin=ORIGIN_FOLDER + "imdb.npz", file_hash=SHA256)
    arrays = load_npz(local, ("x_train", "y_train", "x_test", "y_test"))
    # One generator for both splits, train first: the same orders as Keras 3.
    rng = np.random.RandomState(seed)
    splits = []
    for x_key, y_key in (("x_train", "y_train"), ("x_test", "y_test")):
        order = np.arange(len(arrays[x_key]))
        rng.shuffle(order)
        x = shift_indices(arrays[x_key][order], start_char, index_from)
        x, y = drop_long(x, arrays[y_key][order], maxlen)
        if not x:
            raise ValueError(
                f"imdb.load_data: no review of {x_key} is shorter than maxlen={maxlen}, so none "
                "is left. Pass a larger maxlen, or None to keep every review."
            )
        splits.append((x, y))
    (x_train, y_train), (x_test, y_test) = splits
    sequences = limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    cut = len(x_train)
    return (
        (object_array(sequences[:cut]), np.asarray(y_train)),
        (object_array(sequences[cut:]), np.asarray(y_test)),
    )


def get_word_index(path: str = "imdb_word_index.json") -> dict:
    """The `{word: index}` dict of the IMDB data, before `index_from` is added.

    To read a review: `{i + index_from: word for word, i in index.items()}`
    maps the indices of `load_data`'s reviews back to words.

    Args:
        path: the file's name in the cache.
    """
    return load_word_index(path, ORIGIN_FOLDER + "imdb_word_index.json", WORD_INDEX_MD5)
