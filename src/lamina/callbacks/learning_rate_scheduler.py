"""LearningRateScheduler: set the learning rate at the start of each epoch."""

from __future__ import annotations

from lamina.callbacks.callback import Callback


class LearningRateScheduler(Callback):
    """Set the learning rate to `schedule(epoch, lr)` at the start of each epoch.

    Args:
        schedule: a function `(epoch, lr) -> new_lr` (or `(epoch) -> new_lr`).
        verbose: print the new rate.
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        lr = float(self.model.optimizer.learning_rate)
        try:
            new = self.schedule(epoch, lr)
        except TypeError:
            new = self.schedule(epoch)
        try:
            new = float(new)
        except (TypeError, ValueError):
            raise ValueError(
                f"The learning rate schedule must return a number; got {new!r} at epoch {epoch}."
            ) from None
        self.model.optimizer.learning_rate = new
        if self.verbose > 0:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {new}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
