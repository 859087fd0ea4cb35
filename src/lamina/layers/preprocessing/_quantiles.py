"""Approximate quantiles over batches, for Discretization.adapt.

A summary is a `(2, k)` array: sorted sample values and the weight (number
of data points) each stands for. A batch is summarized by taking every
`n * epsilon`-th sorted value; two summaries merge by sorting their columns
together, and a summary is compressed by interpolating the values at evenly
spaced fractions of the cumulative weight. The boundaries are the compressed
summary at `1 / num_bins` steps. Keras adapts this way, so the same data gives
the same boundaries.
"""

from __future__ import annotations

import numpy as np


def empty_summary() -> np.ndarray:
    return np.zeros((2, 0), dtype="float32")


def summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    ordered = np.sort(np.reshape(values, [-1]))
    stride = max(ordered.size / (1.0 / epsilon), 1)
    picked = ordered[int(stride - 1) :: int(stride)]
    return np.stack([picked, np.ones_like(picked) * stride])


def merge(first: np.ndarray, second: np.ndarray, epsilon: float) -> np.ndarray:
    joined = np.concatenate((first, second), axis=1)
    joined = np.take(joined, np.argsort(joined[0]), axis=1)
    return compress(joined, epsilon)


def compress(summary: np.ndarray, epsilon: float) -> np.ndarray:
    if summary.shape[1] * epsilon < 1:
        return summary
    fractions = epsilon + np.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    cumulative_fraction = cumulative / cumulative[-1]
    values = np.interp(fractions, cumulative_fraction, summary[0])
    new_cumulative = np.interp(fractions, cumulative_fraction, cumulative)
    weights = np.diff(new_cumulative, prepend=0.0)
    return np.stack((values, weights)).astype("float32")


def boundaries(summary: np.ndarray, num_bins: int) -> np.ndarray:
    return compress(summary, 1.0 / num_bins)[0, :-1]
