"""PyDataset (Keras's `keras.utils.PyDataset`, also `Sequence`): batches by index."""

from __future__ import annotations


class PyDataset:
    """Base class of a dataset that returns whole batches by index.

    Subclass it and define `__len__` (the number of batches) and
    `__getitem__(index)` (batch `index`: `x`, `(x, y)` or
    `(x, y, sample_weight)`), and optionally `on_epoch_end` (e.g. to
    reshuffle). `fit`, `evaluate` and `predict` take it as `x`; each epoch
    reads every batch once, in order, then calls `on_epoch_end`.

    Args:
        workers: how many threads load batches ahead of the step that needs
            them (1: the batches are loaded when needed, on the caller's
            thread).
        use_multiprocessing: accepted for Keras compatibility; batches are
            loaded by threads, with a warning, since a subclass's state would
            not be shared with worker processes.
        max_queue_size: how many batches the workers may load ahead.

    Example:
        >>> class Squares(lamina.utils.PyDataset):
        ...     def __len__(self):
        ...         return 4
        ...     def __getitem__(self, i):
        ...         x = np.full((8, 1), i, "float32")
        ...         return x, x**2
        >>> len(Squares())
        4
    """

    def __init__(
        self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10
    ):
        for name, value in (("workers", workers), ("max_queue_size", max_queue_size)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"PyDataset's {name} must be an integer >= 1; got {name}={value!r}."
                )
        self._workers = workers
        self._use_multiprocessing = bool(use_multiprocessing)
        self._max_queue_size = max_queue_size

    @property
    def workers(self) -> int:
        return getattr(self, "_workers", 1)

    @workers.setter
    def workers(self, value: int) -> None:
        self._workers = value

    @property
    def use_multiprocessing(self) -> bool:
        return getattr(self, "_use_multiprocessing", False)

    @use_multiprocessing.setter
    def use_multiprocessing(self, value: bool) -> None:
        self._use_multiprocessing = bool(value)

    @property
    def max_queue_size(self) -> int:
        return getattr(self, "_max_queue_size", 10)

    @max_queue_size.setter
    def max_queue_size(self, value: int) -> None:
        self._max_queue_size = value

    @property
    def num_batches(self) -> int | None:
        """The number of batches per epoch (`len(self)`), None when unknown."""
        try:
            return len(self)
        except TypeError:
            return None

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index).")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__().")

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]

    def on_epoch_begin(self) -> None:
        """Called before each epoch's first batch."""

    def on_epoch_end(self) -> None:
        """Called after each epoch's last batch."""


Sequence = PyDataset
