"""ModelCheckpoint: save the model or its weights during training."""

from __future__ import annotations

import os

from lamina.callbacks._monitor import comparison, get_monitor_value
from lamina.callbacks.callback import Callback


class ModelCheckpoint(Callback):
    """Save the model (or its weights) at the end of epochs.

    Args:
        filepath: the file, which may hold `{epoch:02d}` and log keys such as
            `{val_loss:.2f}`. It must end in `.keras` (whole model) or, with
            `save_weights_only=True`, in `.weights.h5`.
        monitor: the logged value that decides what is best.
        save_best_only: only save when `monitor` improved.
        save_weights_only: save the weights, not the whole model.
        mode: "min", "max" or "auto".
        save_freq: "epoch" (the default) or a number of batches.
        initial_value_threshold: a value the first save must beat.

    Every write is atomic: a run killed mid-save leaves the previous file intact.
    """

    def __init__(
        self,
        filepath,
        monitor="val_loss",
        verbose=0,
        save_best_only=False,
        save_weights_only=False,
        mode="auto",
        save_freq="epoch",
        initial_value_threshold=None,
    ):
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self.mode, self._improved, initial = comparison(mode, monitor)
        self.best = initial if initial_value_threshold is None else initial_value_threshold
        suffix = ".weights.h5" if save_weights_only else ".keras"
        if not self.filepath.endswith(suffix):
            raise ValueError(
                f"ModelCheckpoint filepath must end in {suffix!r} when save_weights_only="
                f"{save_weights_only}; got {self.filepath!r}."
            )
        if save_freq != "epoch" and not (isinstance(save_freq, int) and save_freq > 0):
            raise ValueError(f"save_freq must be 'epoch' or a positive int; got {save_freq!r}.")
        self._batches = 0

    def on_train_batch_end(self, batch, logs=None):
        if isinstance(self.save_freq, int):
            self._batches += 1
            if self._batches % self.save_freq == 0:
                self._save(getattr(self, "_epoch", 0), logs, batch=batch)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, logs)

    def _save(self, epoch, logs, batch=None):
        logs = logs or {}
        try:
            path = self.filepath.format(epoch=epoch + 1, batch=batch, **logs)
        except KeyError as e:
            raise KeyError(
                f"ModelCheckpoint filepath {self.filepath!r} names {e}, which is not in the logs "
                f"({sorted(logs)})."
            ) from None
        if self.save_best_only:
            current = get_monitor_value(logs, self.monitor, "ModelCheckpoint")
            if current is None or not self._improved(current, self.best):
                if self.verbose > 0 and current is not None:
                    print(
                        f"Epoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}"
                    )
                return
            if self.verbose > 0:
                print(
                    f"Epoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to {current:.5f}, saving model to {path}"
                )
            self.best = current
        elif self.verbose > 0:
            print(f"Epoch {epoch + 1}: saving model to {path}")
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)
