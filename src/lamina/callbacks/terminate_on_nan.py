"""TerminateOnNaN: stop at the first NaN or infinite loss."""

from __future__ import annotations

import math

from lamina.callbacks.callback import Callback


class TerminateOnNaN(Callback):
    """Stop training as soon as the loss is NaN or infinite, naming the batch."""

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: invalid loss {loss}, terminating training")
            self.model.stop_training = True
            self.bad_batch = batch
