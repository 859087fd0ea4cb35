"""CSVLogger: one CSV row per epoch."""

from __future__ import annotations

import csv
import os

from lamina.callbacks.callback import Callback


class CSVLogger(Callback):
    """Stream epoch results to a CSV file.

    Args:
        filename: the CSV file.
        separator: the field separator.
        append: append to an existing file instead of overwriting it.
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self._file = None
        self._writer = None
        self.keys = None

    def on_train_begin(self, logs=None):
        exists = (
            self.append and os.path.exists(self.filename) and os.path.getsize(self.filename) > 0
        )
        self._file = open(self.filename, "a" if self.append else "w", newline="", encoding="utf-8")
        self._has_header = exists
        self._writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            self._writer = csv.DictWriter(
                self._file, fieldnames=["epoch", *self.keys], delimiter=self.sep
            )
            if not self._has_header:
                self._writer.writeheader()
        row = {"epoch": epoch, **{k: _cell(logs.get(k, "NA")) for k in self.keys}}
        self._writer.writerow(row)
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
            self._file = None


def _cell(value):
    """A log value as Keras writes it: a metric with one value per class as "[a, b, c]"."""
    if getattr(value, "ndim", 0):
        return "[" + ", ".join(str(v) for v in value.ravel().tolist()) + "]"
    return value
