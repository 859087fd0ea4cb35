"""CallbackList: calls each hook on every callback, adding History and the progress bar."""

from __future__ import annotations

from lamina.callbacks.callback import Callback
from lamina.callbacks.history import History
from lamina.callbacks.progbar_logger import ProgbarLogger

_HOOKS = [name for name in dir(Callback) if name.startswith("on_")]


class CallbackList:
    """A list of callbacks called as one."""

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        self.callbacks = list(callbacks or [])
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(
                    f"callbacks must be lamina.callbacks.Callback instances; got {callback!r} "
                    f"({type(callback).__name__}). Subclass Callback or use LambdaCallback."
                )
        if add_progbar and not any(isinstance(c, ProgbarLogger) for c in self.callbacks):
            self.callbacks.insert(0, ProgbarLogger())
        self.history = None
        if add_history:
            self.history = next((c for c in self.callbacks if isinstance(c, History)), None)
            if self.history is None:
                self.history = History()
                self.callbacks.append(self.history)
        self.params = params
        for callback in self.callbacks:
            callback.set_params(params)
            if model is not None:
                callback.set_model(model)

    def reads_batch_logs(self, mode: str = "train") -> bool:
        """Whether any callback overrides a hook that receives per-batch logs."""
        hooks = {"train": ("on_train_batch_end", "on_batch_end"), "test": ("on_test_batch_end",)}
        return self._overrides(hooks[mode])

    def runs_between_batches(self, mode: str = "train") -> bool:
        """Whether any callback overrides a hook that runs before or after each batch."""
        hooks = {
            "train": (
                "on_train_batch_begin",
                "on_train_batch_end",
                "on_batch_begin",
                "on_batch_end",
            ),
            "test": ("on_test_batch_begin", "on_test_batch_end"),
        }
        return self._overrides(hooks[mode])

    def _overrides(self, hooks) -> bool:
        # Overridden in the class, or set on the instance (LambdaCallback).
        return any(
            getattr(type(callback), hook, None) is not getattr(Callback, hook)
            or hook in vars(callback)
            for callback in self.callbacks
            for hook in hooks
        )

    def __iter__(self):
        return iter(self.callbacks)

    def _call(self, hook: str, *args, logs=None):
        for callback in self.callbacks:
            getattr(callback, hook)(*args, logs=logs)


def _make_hook(name: str):
    # Hooks named on_*_begin/end of a batch or epoch take the index first; the others only logs.
    if "batch" in name or "epoch" in name:

        def hook(self, index, logs=None):
            self._call(name, index, logs=logs)
    else:

        def hook(self, logs=None):
            self._call(name, logs=logs)

    hook.__name__ = name
    return hook


for _name in _HOOKS:
    setattr(CallbackList, _name, _make_hook(_name))
