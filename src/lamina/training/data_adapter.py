"""Turning what users pass to fit/evaluate/predict into batches, with clear errors."""

from __future__ import annotations

import collections
import concurrent.futures
import itertools
import math
import numbers
import warnings

import numpy as np

from lamina.backend import engine as _engine
from lamina.utils import _tree
from lamina.utils.py_dataset import PyDataset


class DataError(ValueError):
    """Training data lamina cannot use as given."""


def _describe(structure) -> str:
    if isinstance(structure, dict):
        return "{" + ", ".join(f"{k!r}: {_describe(v)}" for k, v in structure.items()) + "}"
    if isinstance(structure, (list, tuple)):
        return "[" + ", ".join(_describe(v) for v in structure) + "]"
    return f"array of shape {getattr(structure, 'shape', '?')}"


def to_array(value, role: str) -> np.ndarray:
    """`value` as a NumPy array, or a DataError that says what is wrong with it."""
    # NumPy data gets the checks below on every engine, including the one whose
    # tensors are NumPy arrays.
    if _engine.core.is_tensor(value) and not isinstance(value, (np.ndarray, np.generic)):
        return _engine.core.convert_to_numpy(value)
    if hasattr(value, "numpy") and callable(value.numpy) and not isinstance(value, np.ndarray):
        return np.asarray(value.numpy())
    if hasattr(value, "to_numpy"):  # pandas
        value = value.to_numpy()
    try:
        array = np.asarray(value)
    except ValueError as e:
        raise DataError(
            f"{role} is ragged (its rows have different lengths): {e}. Pad the rows to one length "
            "(e.g. lamina.utils.pad_sequences) or pass a NumPy array."
        ) from None
    if array.dtype == object:
        raise DataError(
            f"{role} is ragged or holds non-numeric values (NumPy made an object array of shape "
            f"{array.shape}). Expected numbers of one shape: pad the rows to one length and "
            "convert strings to numbers first."
        )
    if array.dtype.kind in "USV":
        raise DataError(
            f"{role} holds {array.dtype.kind == 'U' and 'strings' or 'non-numeric values'} "
            f"(dtype {array.dtype}), expected numbers. Encode them first, e.g. with a lookup table."
        )
    return array


def _arrays(structure, role: str):
    """Each array of `structure` as NumPy. A list holding no arrays at all (plain numbers,
    nested lists of them) is one array of data, not a list of inputs."""
    if isinstance(structure, (list, tuple)) and not any(
        hasattr(leaf, "shape") for leaf in _tree.flatten(structure)
    ):
        return to_array(structure, role)
    return _tree.map_structure(lambda v: to_array(v, role), structure)


def standardize(x, y=None, sample_weight=None):
    """Arrays for x, y and sample_weight, checked for a common number of samples."""
    if x is None:
        raise DataError("fit/evaluate/predict got x=None; pass the input data as x.")
    x = _arrays(x, "x")
    y = None if y is None else _arrays(y, "y")
    if sample_weight is not None:
        sample_weight = _arrays(sample_weight, "sample_weight")
    sizes = {}
    for role, structure in (("x", x), ("y", y), ("sample_weight", sample_weight)):
        if structure is None:
            continue
        for array in _tree.flatten(structure):
            if array.ndim == 0:
                raise DataError(
                    f"{role} is a scalar ({array!r}); expected an array with one row per sample."
                )
            sizes.setdefault(role, set()).add(array.shape[0])
    counts = {n for s in sizes.values() for n in s}
    if len(counts) > 1:
        detail = "; ".join(f"{role}: {sorted(s)}" for role, s in sizes.items())
        raise DataError(
            f"x, y and sample_weight must have the same number of samples (first dimension), "
            f"got {detail}. x is {_describe(x)}"
            + (f", y is {_describe(y)}" if y is not None else "")
            + ". Check that the inputs and labels line up."
        )
    return x, y, sample_weight


def num_samples(x) -> int:
    return int(_tree.flatten(x)[0].shape[0])


def train_validation_split(arrays, validation_split: float):
    """Split off the last `validation_split` fraction of the samples, as Keras does."""
    if not 0.0 < validation_split < 1.0:
        raise ValueError(f"validation_split must be between 0 and 1; got {validation_split!r}.")
    n = num_samples(arrays[0])
    split = int(math.floor(n * (1.0 - validation_split)))
    if split == 0 or split == n:
        raise ValueError(
            f"validation_split={validation_split} leaves no samples on one side "
            f"of the split of {n} samples. Use a value that keeps both parts non-empty."
        )

    def part(lo, hi):
        return tuple(
            None if a is None else _tree.map_structure(lambda v: v[lo:hi], a) for a in arrays
        )

    return part(0, split), part(split, n)


def class_weights_to_sample_weights(y, class_weight: dict) -> np.ndarray:
    """Per-sample weights from a `{class: weight}` dict and the labels."""
    flat = _tree.flatten(y)
    if len(flat) != 1:
        raise ValueError("class_weight is supported only for models with a single output.")
    labels = flat[0]
    if labels.ndim == 2 and labels.shape[1] > 1:
        labels = np.argmax(labels, axis=1)
    elif labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    labels = np.round(labels).astype("int64")
    unknown = sorted(set(np.unique(labels).tolist()) - set(class_weight))
    if unknown:
        raise ValueError(
            f"class_weight has no weight for classes {unknown}; it covers {sorted(class_weight)}. "
            "Give every class present in y a weight."
        )
    return np.array([class_weight[int(c)] for c in labels], dtype="float32")


class ArrayBatches:
    """Batches of NumPy arrays in an order fixed per epoch."""

    def __init__(
        self, x, y=None, sample_weight=None, batch_size=32, shuffle=False, steps=None, seed=None
    ):
        if batch_size is None:
            batch_size = 32
        if not isinstance(batch_size, numbers.Integral) or batch_size <= 0:
            raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}.")
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.size = num_samples(x)
        self.num_batches = max(1, math.ceil(self.size / self.batch_size))
        self.steps = self.num_batches if steps is None else int(steps)
        self._rng = np.random.default_rng(seed)

    def epoch(self):
        """Yield `(x, y, sample_weight)` batches for one epoch."""
        order = None
        if self.shuffle == "batch":
            order = np.arange(self.size)
            blocks = [order[i : i + self.batch_size] for i in range(0, self.size, self.batch_size)]
            self._rng.shuffle(blocks)
            order = np.concatenate(blocks)
        elif self.shuffle:
            order = self._rng.permutation(self.size)
        for step in range(self.steps):
            start = (step % self.num_batches) * self.batch_size
            stop = min(start + self.batch_size, self.size)
            index = slice(start, stop) if order is None else order[start:stop]
            yield tuple(
                a
                if a is None
                else a[index]
                if isinstance(a, np.ndarray)
                else _tree.map_structure(lambda v, index=index: v[index], a)
                for a in (self.x, self.y, self.sample_weight)
            )


class IterableBatches:
    """Batches from a Python iterable (a generator, a PyDataset, a tf.data.Dataset)
    yielding `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`.

    A PyDataset is read by index, every batch once per epoch, ahead of the
    step by its `workers` threads, and told `on_epoch_begin`/`on_epoch_end`.
    Other iterables that can be iterated again (a list, a tf.data.Dataset)
    start over each epoch; a generator or iterator goes on where the last
    epoch stopped, so give `steps_per_epoch` to train it for several epochs.
    """

    def __init__(self, data, steps=None):
        self.data = data
        self.steps = steps
        self.num_batches = steps if steps is not None else _len_or_none(data)
        self._one_pass = iter(data) is data
        self._pending: list = []

    def peek(self):
        """The first batch, standardized, without losing it from the next epoch."""
        if isinstance(self.data, PyDataset):
            return _standard_batch(self.data[0])
        if self._one_pass:
            if not self._pending:
                self._pending.append(next(self.data))
            return _standard_batch(self._pending[0])
        return _standard_batch(next(iter(self.data)))

    def epoch(self):
        if isinstance(self.data, PyDataset):
            yield from self._py_dataset_epoch()
            return
        source = self.data
        if self._pending:
            source = itertools.chain(self._pending, self.data)
            self._pending = []
        for step, batch in enumerate(source):
            yield _standard_batch(batch)
            if self.steps is not None and step + 1 >= self.steps:
                break

    def _py_dataset_epoch(self):
        data = self.data
        count = len(data) if self.steps is None else min(int(self.steps), len(data))
        data.on_epoch_begin()
        workers = data.workers
        if workers > 1 and data.use_multiprocessing:
            warnings.warn(
                "lamina loads a PyDataset's batches with threads; use_multiprocessing=True "
                f"runs {workers} threads instead of processes.",
                stacklevel=3,
            )
        if workers <= 1:
            for index in range(count):
                yield _standard_batch(data[index])
        else:
            with concurrent.futures.ThreadPoolExecutor(workers) as pool:
                ahead = collections.deque()
                next_index = 0
                for _ in range(count):
                    while next_index < count and len(ahead) < max(workers, data.max_queue_size):
                        ahead.append(pool.submit(data.__getitem__, next_index))
                        next_index += 1
                    yield _standard_batch(ahead.popleft().result())
        data.on_epoch_end()


def _standard_batch(batch) -> tuple:
    if not isinstance(batch, tuple):
        batch = (batch,)
    if not 1 <= len(batch) <= 3:
        raise DataError(
            f"A batch from the dataset has {len(batch)} parts; expected x, (x, y) or "
            "(x, y, sample_weight)."
        )
    batch = tuple(
        None if b is None else _tree.map_structure(lambda v: to_array(v, "batch"), b)
        for b in batch
    )
    return (batch + (None, None, None))[:3]


def _len_or_none(data):
    try:
        return len(data)
    except TypeError:
        return None


def is_iterable_dataset(x) -> bool:
    if isinstance(x, PyDataset):
        return True
    if isinstance(x, (np.ndarray, list, tuple, dict)) or _engine.core.is_tensor(x):
        return False
    return hasattr(x, "__iter__") and not hasattr(x, "shape")
