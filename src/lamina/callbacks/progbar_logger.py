"""ProgbarLogger: the progress bar (verbose=1) or one line per epoch (verbose=2)."""

from __future__ import annotations

from lamina.callbacks.callback import Callback
from lamina.utils.progbar import Progbar, _print_line


class ProgbarLogger(Callback):
    """Prints training progress; `fit(verbose=...)` adds it for you."""

    def __init__(self):
        super().__init__()
        self.progbar = None
        self.verbose = 1
        self.epochs = 1
        self._mode = "train"

    def set_params(self, params):
        super().set_params(params)
        self.verbose = params.get("verbose", 1)
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def _start(self):
        self.progbar = Progbar(self.target, verbose=self.verbose)

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose and self.epochs > 1:
            _print_line(f"Epoch {epoch + 1}/{self.epochs}")
        self._start()
        self._mode = "train"

    def on_train_batch_end(self, batch, logs=None):
        self.progbar.update(batch + 1, logs, finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        self.progbar.update(self.params.get("steps_done", self.target), logs, finalize=True)

    def on_test_begin(self, logs=None):
        if self.params.get("mode") == "evaluate":
            self._start()

    def on_test_batch_end(self, batch, logs=None):
        if self.params.get("mode") == "evaluate":
            self.progbar.update(batch + 1, logs, finalize=False)

    def on_test_end(self, logs=None):
        if self.params.get("mode") == "evaluate":
            self.progbar.update(self.params.get("steps_done", self.target), logs, finalize=True)

    def on_predict_begin(self, logs=None):
        self._start()

    def on_predict_batch_end(self, batch, logs=None):
        self.progbar.update(batch + 1, finalize=False)

    def on_predict_end(self, logs=None):
        self.progbar.update(self.params.get("steps_done", self.target), finalize=True)
