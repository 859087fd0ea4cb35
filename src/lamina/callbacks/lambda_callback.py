"""LambdaCallback: a callback from plain functions."""

from __future__ import annotations

from lamina.callbacks.callback import Callback


class LambdaCallback(Callback):
    """A callback built from functions, e.g. `LambdaCallback(on_epoch_end=lambda epoch, logs: ...)`.

    Any Keras hook name may be given; `on_batch_begin`/`on_batch_end` apply to training batches.
    """

    def __init__(
        self,
        on_epoch_begin=None,
        on_epoch_end=None,
        on_train_begin=None,
        on_train_end=None,
        on_train_batch_begin=None,
        on_train_batch_end=None,
        **kwargs,
    ):
        super().__init__()
        hooks = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin or kwargs.pop("on_batch_begin", None),
            "on_train_batch_end": on_train_batch_end or kwargs.pop("on_batch_end", None),
        }
        for name, fn in kwargs.items():
            if not (name.startswith("on_") and hasattr(Callback, name)):
                raise ValueError(f"LambdaCallback got {name!r}, which is not a callback hook.")
            hooks[name] = fn
        for name, fn in hooks.items():
            if fn is not None:
                setattr(self, name, fn)
