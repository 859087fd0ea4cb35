"""`timeseries_dataset_from_array`: sliding windows over a sequence, in batches."""

from __future__ import annotations

import numpy as np

from lamina.utils import _directory_index
from lamina.utils._batched_dataset import BatchedDataset


def _check_positive(name: str, value: int, length: int) -> None:
    if value <= 0:
        raise ValueError(f"{name} must be higher than 0; got {name}={value}.")
    if value >= length:
        raise ValueError(
            f"{name} must be lower than the length of the data ({length}); got {name}={value}."
        )


def _check_indices(start_index, end_index, length: int) -> None:
    if start_index:
        if start_index < 0:
            raise ValueError(f"start_index must be 0 or greater; got start_index={start_index}.")
        if start_index >= length:
            raise ValueError(
                f"start_index must be lower than the length of the data ({length}); got "
                f"start_index={start_index}."
            )
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(
                f"end_index must be higher than start_index; got start_index={start_index}, "
                f"end_index={end_index}."
            )
        if end_index >= length:
            raise ValueError(
                f"end_index must be lower than the length of the data ({length}); got "
                f"end_index={end_index}."
            )
    if end_index is not None and end_index <= 0:
        raise ValueError(f"end_index must be higher than 0; got end_index={end_index}.")


def timeseries_dataset_from_array(
    data,
    targets,
    sequence_length: int,
    sequence_stride: int = 1,
    sampling_rate: int = 1,
    batch_size: int | None = 128,
    shuffle: bool = False,
    seed: int | None = None,
    start_index: int | None = None,
    end_index: int | None = None,
    format: str = "tf",
):
    """Windows of `sequence_length` timesteps over `data`, in batches.

    Window `i` starts at `start_index + i * sequence_stride` and takes every
    `sampling_rate`-th row from there; its target is the row of `targets` at
    the window's start. The result is a `lamina.utils.PyDataset` that `fit`
    takes on every engine (Keras returns a `tf.data.Dataset`); iterating it
    yields `(windows, targets)` NumPy batches, or `windows` when `targets` is
    None. Windows have shape `(batch, sequence_length, *data.shape[1:])`.

    Args:
        data: an array (or array-like) whose first axis is time.
        targets: the targets, indexed like `data`, or None.
        sequence_length: timesteps per window.
        sequence_stride: steps between the starts of consecutive windows.
        sampling_rate: steps between the timesteps of a window.
        batch_size: windows per batch; None yields single windows.
        shuffle: shuffle the windows (once, and their order every epoch).
        seed: the seed of the shuffling.
        start_index: the first row used (default 0).
        end_index: one past the last row used (default `len(data)`).
        format: "tf" or "grain"; both give lamina's dataset.

    Returns:
        The dataset.

    Example:
        >>> windows = lamina.utils.timeseries_dataset_from_array(
        ...     np.arange(10), None, sequence_length=3, batch_size=2)
        >>> windows[0]
        array([[0, 1, 2],
               [1, 2, 3]])
    """
    if not hasattr(data, "__len__"):
        raise ValueError(
            f"data must be an array-like with a time axis; got {type(data).__name__}."
        )
    length = len(data)
    _check_indices(start_index, end_index, length)
    _check_positive("sampling_rate", sampling_rate, length)
    _check_positive("sequence_stride", sequence_stride, length)
    _directory_index.check_format(format)
    start_index = start_index or 0
    end_index = length if end_index is None else end_index
    series = np.asarray(data)[start_index:end_index]
    target_series = None if targets is None else np.asarray(targets)[start_index:end_index]
    count = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        count = min(count, len(targets))
    starts = np.arange(0, max(count, 0), sequence_stride)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1_000_000)
        np.random.RandomState(seed).shuffle(starts)
    offsets = np.arange(sequence_length) * sampling_rate

    def load(indices):
        windows = series[starts[indices][:, None] + offsets]
        if target_series is None:
            return windows
        return windows, target_series[starts[indices]]

    return BatchedDataset(load, len(starts), batch_size, shuffle, seed)
