"""The dataset the `*_dataset_from_*` utilities and `split_dataset` return.

Keras returns a `tf.data.Dataset`; lamina returns this `PyDataset`, which every
engine's `fit`, `evaluate` and `predict` take, and which gives the same batches
on every engine. Iterating it (`for x, y in dataset`) yields NumPy batches,
as `fit` reads them.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from lamina.utils import _tree
from lamina.utils.py_dataset import PyDataset


class BatchedDataset(PyDataset):
    """Samples `0 .. num_samples - 1`, read by `load(indices)`, in batches.

    Args:
        load: returns the samples at an array of indices, stacked on a first
            axis: an array, or a tuple of arrays.
        num_samples: how many samples there are.
        batch_size: samples per batch (the last batch may be smaller); None
            yields single samples, without a batch axis.
        shuffle: whether each epoch visits the samples in a new random order.
        seed: the seed of that order.
    """

    def __init__(
        self,
        load: Callable,
        num_samples: int,
        batch_size: int | None,
        shuffle: bool = False,
        seed: int | None = None,
    ):
        super().__init__()
        if batch_size is not None and (
            isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1
        ):
            raise ValueError(
                f"batch_size must be a positive integer or None; got batch_size={batch_size!r}."
            )
        self._load = load
        self._num_samples = int(num_samples)
        self._batch_size = batch_size
        self._shuffle = bool(shuffle)
        self._seed = seed
        self._rng = np.random.default_rng(seed)
        self._order: np.ndarray | None = None
        self._maps: list[Callable] = []

    @property
    def batch_size(self) -> int | None:
        return self._batch_size

    def __len__(self) -> int:
        if self._batch_size is None:
            return self._num_samples
        return math.ceil(self._num_samples / self._batch_size)

    def cardinality(self) -> int:
        """The number of elements (batches, or samples when unbatched), as tf.data names it."""
        return len(self)

    def _indices(self, index: int) -> np.ndarray:
        if self._shuffle and self._order is None:
            self._order = self._rng.permutation(self._num_samples)
        step = self._batch_size or 1
        positions = np.arange(index * step, min((index + 1) * step, self._num_samples))
        return positions if self._order is None else self._order[positions]

    def __getitem__(self, index: int):
        if not -len(self) <= index < len(self):
            raise IndexError(
                f"Index {index} is out of range for a dataset of {len(self)} elements."
            )
        index = index % len(self)
        element = self._load(self._indices(index))
        if self._batch_size is None:
            element = _tree.map_structure(lambda a: a[0], element)
        for fn in self._maps:
            element = fn(*element) if isinstance(element, tuple) else fn(element)
        return element

    def on_epoch_begin(self) -> None:
        if self._shuffle:
            self._order = self._rng.permutation(self._num_samples)

    def __iter__(self):
        self.on_epoch_begin()
        for index in range(len(self)):
            yield self[index]
        self.on_epoch_end()

    def _copy(self, batch_size: int | None) -> BatchedDataset:
        copy = BatchedDataset(self._load, self._num_samples, batch_size, self._shuffle, self._seed)
        for name, value in vars(self).items():
            if not name.startswith("_"):
                setattr(copy, name, value)
        return copy

    def map(self, fn: Callable) -> BatchedDataset:
        """A dataset whose elements are `fn(*element)` (`fn(element)` when not a tuple)."""
        mapped = self._copy(self._batch_size)
        mapped._maps = [*self._maps, fn]
        return mapped

    def batch(self, batch_size: int) -> BatchedDataset:
        """The samples of this unbatched dataset in batches of `batch_size`."""
        if self._batch_size is not None:
            raise ValueError(
                f"This dataset is already batched (batch_size={self._batch_size}); call "
                "`.unbatch()` first to batch it differently."
            )
        self._check_unmapped("batch")
        return self._copy(batch_size)

    def unbatch(self) -> BatchedDataset:
        """The samples of this dataset one by one, without a batch axis."""
        self._check_unmapped("unbatch")
        return self._copy(None)

    def _check_unmapped(self, method: str) -> None:
        if self._maps:
            raise ValueError(
                f"`.{method}()` needs a dataset without `.map()` functions; call `.{method}()` "
                "before `.map()`."
            )

    def prefetch(self, buffer_size=None) -> BatchedDataset:
        """This dataset: batches are loaded when read (set `workers` to load ahead)."""
        del buffer_size
        return self

    def cache(self, filename: str = "") -> BatchedDataset:
        """This dataset (accepted for tf.data compatibility; nothing is cached)."""
        del filename
        return self

    def __repr__(self) -> str:
        batching = "unbatched" if self._batch_size is None else f"batch_size={self._batch_size}"
        return f"<{type(self).__name__} of {self._num_samples} samples, {batching}>"


def take_arrays(structure, indices: np.ndarray):
    """The rows `indices` of every array in `structure`."""
    return _tree.map_structure(lambda a: a[indices], structure)
