"""What CIFAR-10 and CIFAR-100 share: their pickled batches and the image layout."""

from __future__ import annotations

import os

import numpy as np

from lamina import config
from lamina.datasets._readers import corrupt_file_error, load_pickle


def read_batch(path: str, label_key: str):
    """`(images (n, 3, 32, 32) uint8, labels list)` of one pickled CIFAR batch."""
    expected = "a pickled CIFAR batch"
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"The CIFAR batch {path} is missing from the extracted archive. Delete the folder "
            f"{os.path.dirname(os.path.dirname(path))} and the archive beside it, and the next "
            "call downloads and extracts them again."
        )
    batch = load_pickle(path, expected)
    if not isinstance(batch, dict):
        raise corrupt_file_error(path, expected, f"it holds a {type(batch).__name__}, not a dict")
    # Written by Python 2: the keys are byte strings.
    batch = {k.decode("utf-8") if isinstance(k, bytes) else k: v for k, v in batch.items()}
    for key in ("data", label_key):
        if key not in batch:
            raise corrupt_file_error(path, expected, f"it has no {key!r} entry")
    data, labels = batch["data"], batch[label_key]
    if (
        not isinstance(data, np.ndarray)
        or data.dtype != np.uint8
        or data.ndim != 2
        or data.shape[1] != 3 * 32 * 32
    ):
        raise corrupt_file_error(
            path, expected, f"its data is not uint8 rows of 3072 pixels ({_describe(data)})"
        )
    if len(labels) != len(data):
        raise corrupt_file_error(
            path, expected, f"it has {len(data)} images for {len(labels)} labels"
        )
    return data.reshape(len(data), 3, 32, 32), labels


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"{value.dtype} array of shape {value.shape}"
    return type(value).__name__


def to_image_data_format(images: np.ndarray) -> np.ndarray:
    """`(n, 3, 32, 32)` images in the configured layout: `(n, 32, 32, 3)` for channels_last."""
    if config.image_data_format() == "channels_last":
        return images.transpose(0, 2, 3, 1)
    return images
