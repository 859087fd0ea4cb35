"""EarlyStopping: stop when a monitored value stops improving."""

from __future__ import annotations

from lamina.callbacks._monitor import comparison, get_monitor_value
from lamina.callbacks.callback import Callback


class EarlyStopping(Callback):
    """Stop training when `monitor` has not improved for `patience` epochs.

    Args:
        monitor: the logged value to watch, e.g. "val_loss".
        min_delta: the smallest change that counts as an improvement.
        patience: epochs without improvement before stopping.
        verbose: print a line when stopping.
        mode: "min", "max" or "auto" (from the monitor's name).
        baseline: a value the monitor must beat.
        restore_best_weights: put back the weights of the best epoch when stopping.
        start_from_epoch: epochs to wait before watching.

    Example:
        >>> model.fit(x, y, validation_split=0.2, callbacks=[
        ...     lamina.callbacks.EarlyStopping(patience=3, restore_best_weights=True)])
    """

    def __init__(
        self,
        monitor="val_loss",
        min_delta=0,
        patience=0,
        verbose=0,
        mode="auto",
        baseline=None,
        restore_best_weights=False,
        start_from_epoch=0,
    ):
        super().__init__()
        self.monitor = monitor
        self.min_delta = abs(min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.mode, self._improved, self._initial = comparison(mode, monitor, self.min_delta)
        self.stopped_epoch = 0

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = self._initial
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        current = get_monitor_value(logs, self.monitor, "EarlyStopping")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self._improved(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._improved(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if (
            self.restore_best_weights
            and self.best_weights is not None
            and self.model.stop_training
        ):
            if self.verbose > 0:
                print(
                    f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)
