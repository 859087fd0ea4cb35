"""SwapEMAWeights: evaluate and predict with the optimizer's moving averages."""

from __future__ import annotations

from lamina.callbacks.callback import Callback


class SwapEMAWeights(Callback):
    """Puts the optimizer's moving averages of the weights into the model to
    evaluate or predict, and the trained weights back afterwards.

    Use it with an optimizer made with `use_ema=True`. The weights and their
    averages trade places, so nothing is copied aside; another callback that
    changes either while they are swapped gets undefined results.

    Args:
        swap_on_epoch: also swap at the end of each epoch and back at the
            start of the next, so that callbacks after this one (a
            `ModelCheckpoint`, say) see the averages.

    Example:
        >>> model.compile(optimizer=lamina.optimizers.SGD(use_ema=True), loss="mse")
        >>> model.fit(x, y, validation_data=(vx, vy), callbacks=[SwapEMAWeights()])
    """

    def __init__(self, swap_on_epoch: bool = False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _optimizer(self):
        optimizer = self.model.optimizer
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        if not getattr(optimizer, "use_ema", False):
            raise ValueError(
                "SwapEMAWeights needs an optimizer that keeps moving averages of the weights; "
                f"the model's optimizer {optimizer!r} has use_ema="
                f"{getattr(optimizer, 'use_ema', None)!r}. Create it with use_ema=True, e.g. "
                "`optimizers.Adam(use_ema=True)`."
            )
        return optimizer

    def _swap(self) -> None:
        optimizer = self._optimizer()
        for variable, average in zip(
            optimizer._trainable_variables, optimizer._model_variables_moving_average
        ):
            weight = variable.value
            variable.assign(average.value)
            average.assign(weight)

    def _averages_from_model(self) -> None:
        # `fit` ends by writing the averages into the weights: they must be the
        # averages, not the trained weights swapped out at this epoch's end.
        optimizer = self._optimizer()
        for variable, average in zip(
            optimizer._trainable_variables, optimizer._model_variables_moving_average
        ):
            average.assign(variable.value)

    def _to_averages(self) -> None:
        if not self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = True

    def _to_weights(self) -> None:
        if self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = False

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch:
            self._to_weights()

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch:
            self._to_averages()
            if epoch == self.params.get("epochs", 0) - 1:
                self._averages_from_model()

    def on_test_begin(self, logs=None):
        self._to_averages()

    def on_test_end(self, logs=None):
        self._to_weights()

    def on_predict_begin(self, logs=None):
        self._to_averages()

    def on_predict_end(self, logs=None):
        self._to_weights()
