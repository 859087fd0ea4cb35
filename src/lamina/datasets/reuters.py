"""Reuters newswires: 11,228 newswires labeled over 46 topics.

Each newswire is a list of word indices; a word's index is its rank by
frequency in the data (1 is the most frequent word). `get_label_names`
names the topics.
"""

from __future__ import annotations

import numpy as np

from lamina.datasets._preprocess import (
    check_test_split,
    drop_long,
    limit_vocabulary,
    object_array,
    shift_indices,
)
from lamina.datasets._readers import load_npz
from lamina.datasets._word_sequences import check_arguments, load_word_index
from lamina.utils.file_utils import get_file

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
SHA256 = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_MD5 = "4d44cc38712099c9e383dc6e5f11a921"
LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing",
    "money-supply", "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass",
    "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum",
    "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail", "ipi", "iron-steel",
    "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
    "dlr", "gas", "silver", "wpi", "hog", "lead",
)  # fmt: skip


def load_data(
    path: str = "reuters.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    test_split: float = 0.2,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
):
    """`(x_train, y_train), (x_test, y_test)`: newswires as lists of word indices, and topics.

    `x_train` and `x_test` are 1-D object arrays of lists of ints; `y_train`
    and `y_test` are int arrays of topic indices (0-45). The newswires are
    shuffled with `seed`, then the last `test_split` of them are the test set.
    Downloads `reuters.npz` (2 MB) into `$LAMINA_HOME/datasets` the first time
    and checks its SHA-256.

    The steps, in order: every index is raised by `index_from` and the newswire
    starts with `start_char`; with `maxlen`, newswires of `maxlen` indices or
    more (`start_char` counted) are left out; then indices below `skip_top` or
    at least `num_words` become `oov_char` (or are removed when it is None).

    Args:
        path: the file's name in the cache.
        num_words: keep the indices below this bound (the most frequent words,
            counting the `index_from` shift); None: the largest index in the
            data is the bound, so that one word becomes `oov_char` too, as in
            Keras 3.
        skip_top: indices below this one become `oov_char`.
        maxlen: leave out the newswires of `maxlen` indices or more.
        test_split: the fraction of the newswires in the test set, in [0, 1).
        seed: the seed of the shuffle.
        start_char: the index each newswire starts with; None for none.
        oov_char: the index of the words cut by `num_words` or `skip_top`; None
            to remove them instead.
        index_from: added to every word index.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = lamina.datasets.reuters.load_data(num_words=10000)
        >>> len(x_train), len(x_test)
        (8982, 2246)
    """
    test_split = check_test_split("reuters.load_data", test_split)
    num_words, skip_top, maxlen, start_char, oov_char, index_from = check_arguments(
        "reuters.load_data", num_words, skip_top, maxlen, start_char, oov_char, index_from
    )
    local = get_file(fname=path, origin=ORIGIN_FOLDER + "reuters.npz", file_hash=SHA256)
    arrays = load_npz(local, ("x", "y"))
    order = np.arange(len(arrays["x"]))
    np.random.RandomState(seed).shuffle(order)
    sequences = shift_indices(arrays["x"][order], start_char, index_from)
    sequences, labels = drop_long(sequences, arrays["y"][order], maxlen)
    sequences = limit_vocabulary(sequences, num_words, skip_top, oov_char)
    cut = int(len(sequences) * (1 - test_split))
    labels = np.asarray(labels)
    return (
        (object_array(sequences[:cut]), labels[:cut]),
        (object_array(sequences[cut:]), labels[cut:]),
    )


def get_word_index(path: str = "reuters_word_index.json") -> dict:
    """The `{word: index}` dict of the Reuters data, before `index_from` is added.

    Index 1 is "the"; in `load_data`'s newswires (with the default
    `index_from=3`) it is 4.

    Args:
        path: the file's name in the cache.
    """
    return load_word_index(path, ORIGIN_FOLDER + "reuters_word_index.json", WORD_INDEX_MD5)


def get_label_names() -> tuple:
    """The 46 topic names, in the order of the labels: `get_label_names()[y]` names topic y."""
    return LABEL_NAMES
