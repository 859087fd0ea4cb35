"""Loss classes: each wraps a loss function with Keras's weighting and reduction."""

from __future__ import annotations

from lamina.losses import functions as F
from lamina.losses.loss import Loss, squeeze_or_expand_to_same_rank


def _align(y_true, y_pred):
    if isinstance(y_true, (list, tuple)) and isinstance(y_pred, (list, tuple)):
        pairs = [_align(t, p) for t, p in zip(y_true, y_pred, strict=True)]
        return type(y_true)(t for t, _ in pairs), type(y_pred)(p for _, p in pairs)
    if isinstance(y_true, dict) and isinstance(y_pred, dict):
        pairs = {k: _align(y_true[k], y_pred[k]) for k in y_true}
        return {k: t for k, (t, _) in pairs.items()}, {k: p for k, (_, p) in pairs.items()}
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


class LossFunctionWrapper(Loss):
    """A `Loss` from a function `fn(y_true, y_pred, **kwargs) -> per-sample losses`.

    Args:
        fn: the loss function.
        reduction: see `Loss`.
        name: the loss's name.
        dtype: the dtype of the computation.
        **kwargs: extra arguments passed to `fn`.

    Example:
        >>> loss = lamina.losses.LossFunctionWrapper(lamina.losses.huber, delta=0.5)
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = _align(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        from lamina.losses import serialize_function

        config = super().get_config()
        config["fn"] = serialize_function(self.fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict) -> LossFunctionWrapper:
        from lamina.losses import get

        config = dict(config)
        if "fn" in config:
            config["fn"] = get(config["fn"])
        return cls(**config)

    def __repr__(self) -> str:
        return f"<LossFunctionWrapper({getattr(self.fn, '__name__', self.fn)}, kwargs={self._fn_kwargs})>"


class _PlainLoss(LossFunctionWrapper):
    """A wrapper around a fixed function whose config holds only name and reduction."""

    _fn = None
    _default_name = ""

    def __init__(self, reduction="sum_over_batch_size", name=None, dtype=None):
        super().__init__(
            type(self)._fn, name=name or self._default_name, reduction=reduction, dtype=dtype
        )

    def get_config(self) -> dict:
        return Loss.get_config(self)

    @classmethod
    def from_config(cls, config: dict) -> Loss:
        return cls(**config)


class MeanSquaredError(_PlainLoss):
    """Mean of squares of errors: `mean(square(y_true - y_pred))`.

    Args:
        reduction: see `Loss`.
        name: default "mean_squared_error".
        dtype: the dtype of the computation.

    Example:
        >>> lamina.losses.MeanSquaredError()([[0.0, 1.0]], [[1.0, 1.0]])  # 0.5
    """

    _fn = staticmethod(F.mean_squared_error)
    _default_name = "mean_squared_error"


class MeanAbsoluteError(_PlainLoss):
    """Mean of absolute errors: `mean(abs(y_true - y_pred))`.

    Example:
        >>> lamina.losses.MeanAbsoluteError()([[0.0, 1.0]], [[1.0, 1.0]])  # 0.5
    """

    _fn = staticmethod(F.mean_absolute_error)
    _default_name = "mean_absolute_error"


class MeanAbsolutePercentageError(_PlainLoss):
    """`100 * mean(abs((y_true - y_pred) / y_true))`.

    Example:
        >>> lamina.losses.MeanAbsolutePercentageError()([[2.0]], [[1.0]])  # 50.0
    """

    _fn = staticmethod(F.mean_absolute_percentage_error)
    _default_name = "mean_absolute_percentage_error"


class MeanSquaredLogarithmicError(_PlainLoss):
    """`mean(square(log(y_true + 1) - log(y_pred + 1)))`.

    Example:
        >>> lamina.losses.MeanSquaredLogarithmicError()([[1.0]], [[0.0]])
    """

    _fn = staticmethod(F.mean_squared_logarithmic_error)
    _default_name = "mean_squared_logarithmic_error"


class LogCosh(_PlainLoss):
    """`mean(log(cosh(y_pred - y_true)))`.

    Example:
        >>> lamina.losses.LogCosh()([[0.0]], [[1.0]])
    """

    _fn = staticmethod(F.log_cosh)
    _default_name = "log_cosh"


class Hinge(_PlainLoss):
    """`mean(max(1 - y_true * y_pred, 0))`; labels 0/1 are read as -1/1.

    Example:
        >>> lamina.losses.Hinge()([[1.0, 0.0]], [[0.6, 0.4]])
    """

    _fn = staticmethod(F.hinge)
    _default_name = "hinge"


class SquaredHinge(_PlainLoss):
    """`mean(square(max(1 - y_true * y_pred, 0)))`; labels 0/1 are read as -1/1.

    Example:
        >>> lamina.losses.SquaredHinge()([[1.0, 0.0]], [[0.6, 0.4]])
    """

    _fn = staticmethod(F.squared_hinge)
    _default_name = "squared_hinge"


class CategoricalHinge(_PlainLoss):
    """`max(neg - pos + 1, 0)` for one-hot labels.

    Example:
        >>> lamina.losses.CategoricalHinge()([[0.0, 1.0]], [[0.6, 0.4]])
    """

    _fn = staticmethod(F.categorical_hinge)
    _default_name = "categorical_hinge"


class KLDivergence(_PlainLoss):
    """Kullback-Leibler divergence: `sum(y_true * log(y_true / y_pred))`.

    Example:
        >>> lamina.losses.KLDivergence()([[0.5, 0.5]], [[0.9, 0.1]])
    """

    _fn = staticmethod(F.kl_divergence)
    _default_name = "kl_divergence"


class Poisson(_PlainLoss):
    """`mean(y_pred - y_true * log(y_pred))`.

    Example:
        >>> lamina.losses.Poisson()([[1.0]], [[2.0]])
    """

    _fn = staticmethod(F.poisson)
    _default_name = "poisson"


class CosineSimilarity(LossFunctionWrapper):
    """The negative cosine similarity along `axis`: -1 means aligned.

    Args:
        axis: the axis of the vectors.
        reduction, name, dtype: see `Loss`.

    Example:
        >>> lamina.losses.CosineSimilarity()([[0.0, 1.0]], [[1.0, 1.0]])
    """

    def __init__(
        self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None
    ):
        super().__init__(
            F.cosine_similarity, name=name, reduction=reduction, dtype=dtype, axis=axis
        )

    def get_config(self) -> dict:
        return Loss.get_config(self)


class Huber(LossFunctionWrapper):
    """Quadratic for errors up to `delta`, linear beyond.

    Args:
        delta: where the loss turns from quadratic to linear.
        reduction, name, dtype: see `Loss`.

    Example:
        >>> lamina.losses.Huber(delta=1.0)([[0.0]], [[2.0]])  # 1.5
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(F.huber, name=name, reduction=reduction, dtype=dtype, delta=delta)

    def get_config(self) -> dict:
        return Loss.get_config(self)


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy, for labels in {0, 1} (or in between).

    Args:
        from_logits: whether `y_pred` holds logits rather than probabilities.
        label_smoothing: in [0, 1]; moves labels towards 0.5.
        axis: the axis to average over.
        reduction, name, dtype: see `Loss`.

    Example:
        >>> lamina.losses.BinaryCrossentropy(from_logits=True)([[1.0]], [[2.0]])
    """

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_crossentropy",
        dtype=None,
    ):
        super().__init__(
            F.binary_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self) -> dict:
        return {
            **Loss.get_config(self),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy that down-weights easy examples (Lin et al., 2017).

    Args:
        apply_class_balancing: weight positives by `alpha`, negatives by `1 - alpha`.
        alpha: the class balancing weight.
        gamma: the focusing parameter.
        from_logits, label_smoothing, axis: as `BinaryCrossentropy`.
        reduction, name, dtype: see `Loss`.

    Example:
        >>> lamina.losses.BinaryFocalCrossentropy(gamma=2.0)([[1.0]], [[0.7]])
    """

    def __init__(
        self,
        apply_class_balancing=False,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(
            F.binary_focal_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            apply_class_balancing=apply_class_balancing,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.apply_class_balancing = apply_class_balancing
        self.alpha = alpha
        self.gamma = gamma
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self) -> dict:
        return {
            **Loss.get_config(self),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
            "apply_class_balancing": self.apply_class_balancing,
            "alpha": self.alpha,
            "gamma": self.gamma,
        }


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for one-hot (or soft) labels.

    Args:
        from_logits: whether `y_pred` holds logits rather than probabilities.
        label_smoothing: in [0, 1]; moves labels towards the uniform distribution.
        axis: the class axis.
        reduction, name, dtype: see `Loss`.

    Example:
        >>> lamina.losses.CategoricalCrossentropy()([[0.0, 1.0]], [[0.1, 0.9]])
    """

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            F.categorical_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self) -> dict:
        return {
            **Loss.get_config(self),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Categorical cross-entropy that down-weights easy examples.

    Args:
        alpha: the weighting factor.
        gamma: the focusing parameter.
        from_logits, label_smoothing, axis: as `CategoricalCrossentropy`.
        reduction, name, dtype: see `Loss`.

    Example:
        >>> lamina.losses.CategoricalFocalCrossentropy()([[0.0, 1.0]], [[0.1, 0.9]])
    """

    def __init__(
        self,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(
            F.categorical_focal_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.alpha = alpha
        self.gamma = gamma
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self) -> dict:
        return {
            **Loss.get_config(self),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
            "alpha": self.alpha,
            "gamma": self.gamma,
        }


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for integer class ids.

    Args:
        from_logits: whether `y_pred` holds logits rather than probabilities.
        ignore_class: a class id (e.g. padding) whose entries do not count:
            they get a loss of 0 and averaging reductions divide by the number
            of the other entries.
        reduction, name, dtype: see `Loss`.
        axis: the class axis.

    Example:
        >>> lamina.losses.SparseCategoricalCrossentropy(from_logits=True)([1], [[0.5, 2.0]])
    """

    def __init__(
        self,
        from_logits=False,
        ignore_class=None,
        reduction="sum_over_batch_size",
        axis=-1,
        name="sparse_categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            F.sparse_categorical_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def _call_with_mask(self, y_true, y_pred):
        y_true, y_pred = _align(y_true, y_pred)
        return F._sparse_categorical_crossentropy(
            y_true, y_pred, self.from_logits, self.ignore_class, self.axis
        )

    def get_config(self) -> dict:
        return {
            **Loss.get_config(self),
            "from_logits": self.from_logits,
            "ignore_class": self.ignore_class,
        }


class Dice(LossFunctionWrapper):
    """Dice loss: `1 - 2 * |y_true * y_pred| / (|y_true| + |y_pred|)` over `axis`.

    Args:
        reduction, name, dtype: see `Loss`.
        axis: the axes to sum over (None: all).

    Example:
        >>> lamina.losses.Dice()([[1.0, 0.0]], [[0.8, 0.2]])
    """

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(F.dice, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "axis": self.axis}


class Tversky(LossFunctionWrapper):
    """Tversky loss: a Dice loss weighting false positives by `alpha`, false negatives by `beta`.

    Args:
        alpha: the false-positive weight.
        beta: the false-negative weight.
        reduction, name, dtype: see `Loss`.
        axis: the axes to sum over (None: all).

    Example:
        >>> lamina.losses.Tversky(alpha=0.3, beta=0.7)([[1.0, 0.0]], [[0.8, 0.2]])
    """

    def __init__(
        self,
        alpha=0.5,
        beta=0.5,
        reduction="sum_over_batch_size",
        name="tversky",
        axis=None,
        dtype=None,
    ):
        super().__init__(
            F.tversky,
            name=name,
            reduction=reduction,
            dtype=dtype,
            alpha=alpha,
            beta=beta,
            axis=axis,
        )
        self.alpha = alpha
        self.beta = beta
        self.axis = axis

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "alpha": self.alpha, "beta": self.beta, "axis": self.axis}
