"""What the datasets do to their arrays after reading: shuffles, splits, word indices."""

from __future__ import annotations

import numbers

import numpy as np


def check_test_split(loader: str, test_split) -> float:
    """`test_split` as a float in [0, 1), or a ValueError that says so."""
    if isinstance(test_split, bool) or not isinstance(test_split, numbers.Real):
        raise TypeError(
            f"{loader}: test_split must be a number in [0, 1), the fraction of samples kept for "
            f"testing; got {test_split!r} ({type(test_split).__name__})."
        )
    if not 0 <= test_split < 1:
        raise ValueError(
            f"{loader}: test_split must be in [0, 1), the fraction of samples kept for testing; "
            f"got {test_split!r}. Pass e.g. test_split=0.2."
        )
    return float(test_split)


def check_int(loader: str, name: str, value, minimum: int, allow_none: bool = False):
    """`value` as an int of at least `minimum` (or None when allowed)."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        also = " or None" if allow_none else ""
        raise ValueError(f"{loader}: {name} must be an integer >= {minimum}{also}; got {value!r}.")
    return int(value)


def shuffled_split(x: np.ndarray, y: np.ndarray, test_split: float, seed):
    """Shuffle `x` and `y` alike with `seed`, then split off the last `test_split` as test."""
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))


def shift_indices(sequences, start_char, index_from) -> list:
    """Each sequence as a list, its word indices raised by `index_from`, after `start_char`."""
    head = [] if start_char is None else [start_char]
    return [head + [int(w) + index_from for w in seq] for seq in sequences]


def drop_long(sequences: list, labels, maxlen):
    """The sequences shorter than `maxlen` and their labels (all of them when maxlen is None)."""
    if not maxlen:
        return sequences, labels
    keep = [i for i, seq in enumerate(sequences) if len(seq) < maxlen]
    return [sequences[i] for i in keep], np.asarray(labels)[keep]


def limit_vocabulary(sequences: list, num_words, skip_top: int, oov_char) -> list:
    """Indices outside `[skip_top, num_words)` replaced by `oov_char`, or dropped when None.

    Without `num_words`, the bound is the largest index in the data, which is itself
    outside it (Keras 3 does the same, and the arrays match its arrays).
    """
    if not num_words:
        num_words = max((max(seq) for seq in sequences if seq), default=0)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in seq] for seq in sequences]
    return [[w for w in seq if skip_top <= w < num_words] for seq in sequences]


def object_array(sequences: list) -> np.ndarray:
    """A 1-D object array of the lists, also when they all have one length."""
    out = np.empty(len(sequences), dtype=object)
    for i, seq in enumerate(sequences):
        out[i] = seq
    return out
