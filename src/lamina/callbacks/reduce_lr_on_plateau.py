"""ReduceLROnPlateau: lower the learning rate when a metric stops improving."""

from __future__ import annotations

from lamina.callbacks._monitor import comparison, get_monitor_value
from lamina.callbacks.callback import Callback


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by `factor` after `patience` epochs without improvement.

    Args:
        monitor: the logged value to watch.
        factor: the multiplier, < 1.
        patience: epochs without improvement before reducing.
        verbose: print a line at each reduction.
        mode: "min", "max" or "auto".
        min_delta: the smallest change that counts as an improvement.
        cooldown: epochs to wait after a reduction.
        min_lr: the lower bound of the learning rate.
    """

    def __init__(
        self,
        monitor="val_loss",
        factor=0.1,
        patience=10,
        verbose=0,
        mode="auto",
        min_delta=1e-4,
        cooldown=0,
        min_lr=0.0,
        **kwargs,
    ):
        super().__init__()
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau factor must be < 1; got {factor}.")
        self.monitor = monitor
        self.factor = float(factor)
        self.patience = patience
        self.verbose = verbose
        self.min_delta = min_delta
        self.cooldown = cooldown
        self.min_lr = min_lr
        self.mode, self._improved, self._initial = comparison(mode, monitor, min_delta)

    def on_train_begin(self, logs=None):
        self.best = self._initial
        self.wait = 0
        self.cooldown_counter = 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = float(self.model.optimizer.learning_rate)
        current = get_monitor_value(logs, self.monitor, "ReduceLROnPlateau")
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improved(current, self.best):
            self.best = current
            self.wait = 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = float(self.model.optimizer.learning_rate)
                if old > self.min_lr:
                    new = max(old * self.factor, self.min_lr)
                    self.model.optimizer.learning_rate = new
                    if self.verbose > 0:
                        print(
                            f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new}."
                        )
                    self.cooldown_counter = self.cooldown
                    self.wait = 0
