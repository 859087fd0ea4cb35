"""`split_dataset`: split samples into a left and a right dataset."""

from __future__ import annotations

import random

import numpy as np

from lamina.utils import _tree
from lamina.utils._batched_dataset import BatchedDataset, take_arrays


def _split_sizes(left_size, right_size, total: int) -> tuple[int, int]:
    """The sample counts of the two sides, from counts or fractions (Keras's rules)."""
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if size is not None and type(size) not in (int, float):
            raise TypeError(
                f"{name} must be an int (a count), a float (a fraction) or None; got "
                f"{name}={size!r} of type {type(size).__name__}."
            )
    if left_size is None and right_size is None:
        raise ValueError(
            "split_dataset needs left_size or right_size (a count or a fraction); got neither."
        )
    if left_size == 0 and right_size == 0:
        raise ValueError("left_size and right_size are both zero; at least one must be non-zero.")
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if (type(size) is int and not 0 < size < total) or (
            type(size) is float and not 0 < size < 1
        ):
            raise ValueError(
                f"{name} must be a positive integer smaller than {total} (the number of samples) "
                f"or a float in (0, 1); got {name}={size}."
            )
    if type(left_size) is float and type(right_size) is float and left_size + right_size > 1:
        raise ValueError(
            f"left_size + right_size is {left_size + right_size} > 1; fractions must sum to at "
            "most 1."
        )

    def count(size):
        return round(size * total) if type(size) is float else size

    left = count(left_size) if left_size is not None else total - count(right_size)
    right = count(right_size) if right_size is not None else total - left
    if left + right > total:
        raise ValueError(
            f"left_size + right_size is {left + right} samples, more than the {total} there are."
        )
    for side, size in (("left", left), ("right", right)):
        if size == 0:
            raise ValueError(
                f"With {total} samples, left_size={left_size} and right_size={right_size} leave "
                f"the {side} side empty. Adjust the sizes."
            )
    return int(left), int(right)


def _samples(dataset) -> tuple[list, int | None]:
    """The samples of `dataset` as a list, and its batch size when it was batched."""
    if isinstance(dataset, np.ndarray):
        return list(dataset), None
    if isinstance(dataset, (list, tuple)):
        arrays = [np.asarray(a) for a in dataset]
        lengths = {len(a) for a in arrays}
        if len(lengths) > 1:
            raise ValueError(
                "split_dataset takes a list or tuple of arrays of one length; got lengths "
                f"{sorted(lengths)}."
            )
        return list(zip(*arrays)), None
    if isinstance(dataset, BatchedDataset):
        batch_size = dataset.batch_size
        source = dataset.unbatch() if batch_size is not None else dataset
        return list(source), batch_size
    if hasattr(dataset, "__iter__") and not isinstance(dataset, (str, bytes, dict)):
        # tf.data or torch datasets, or any other iterable of samples.
        return [_tree.map_structure(np.asarray, sample) for sample in dataset], None
    raise TypeError(
        "split_dataset takes a NumPy array, a list or tuple of arrays, a lamina dataset, a "
        f"tf.data.Dataset or a torch Dataset; got {type(dataset).__name__}."
    )


def _as_dataset(samples: list, batch_size: int | None) -> BatchedDataset:
    # Stack each leaf over the samples, keeping the samples' nesting (lists become tuples).
    stacked = _tree.map_structure(
        lambda *leaves: np.stack(leaves),
        *[_as_tuples(sample) for sample in samples],
    )
    return BatchedDataset(lambda indices: take_arrays(stacked, indices), len(samples), batch_size)


def _as_tuples(sample):
    if isinstance(sample, list):
        return tuple(_as_tuples(item) for item in sample)
    if isinstance(sample, tuple) and not hasattr(sample, "_fields"):
        return tuple(_as_tuples(item) for item in sample)
    if isinstance(sample, dict):
        return {key: _as_tuples(value) for key, value in sample.items()}
    return np.asarray(sample)


def split_dataset(
    dataset,
    left_size: int | float | None = None,
    right_size: int | float | None = None,
    shuffle: bool = False,
    seed: int | None = None,
    preferred_backend: str | None = None,
):
    """Splits samples into a left and a right dataset (e.g. training and test).

    The sides are the first `left_size` and the last `right_size` samples,
    after an optional shuffle (Python's `random.Random(seed)`, as Keras
    shuffles). Each side is a lamina dataset of the samples, in batches of
    the input's batch size when the input was a batched lamina dataset, else
    unbatched (call `.batch(n)` before `fit`); Keras returns
    `tf.data.Dataset`s.

    Args:
        dataset: a NumPy array (samples on axis 0), a list or tuple of arrays
            of one length (zipped into samples), a lamina dataset, or an
            iterable of samples such as a `tf.data.Dataset`.
        left_size: the left side's samples: a count, a fraction in (0, 1),
            or None for the rest.
        right_size: the right side's samples, likewise.
        shuffle: shuffle the samples before splitting.
        seed: the shuffling's seed.
        preferred_backend: accepted for compatibility; lamina returns its own
            dataset whatever the engine.

    Returns:
        `(left, right)`.

    Example:
        >>> left, right = lamina.utils.split_dataset(np.arange(10), left_size=0.8)
        >>> len(left), len(right)
        (8, 2)
    """
    del preferred_backend
    samples, batch_size = _samples(dataset)
    if shuffle:
        if seed is None:
            seed = random.randint(0, 1_000_000)
        random.Random(seed).shuffle(samples)
    left, right = _split_sizes(left_size, right_size, len(samples))
    return (
        _as_dataset(samples[:left], batch_size),
        _as_dataset(samples[len(samples) - right :], batch_size),
    )
