"""Metrics: `lamina.metrics`, as `keras.metrics`."""

from __future__ import annotations

import inspect

from lamina.metrics._naming import to_snake_case
from lamina.metrics.accuracy_metrics import Accuracy as Accuracy
from lamina.metrics.accuracy_metrics import BinaryAccuracy as BinaryAccuracy
from lamina.metrics.accuracy_metrics import CategoricalAccuracy as CategoricalAccuracy
from lamina.metrics.accuracy_metrics import SparseCategoricalAccuracy as SparseCategoricalAccuracy
from lamina.metrics.accuracy_metrics import (
    SparseTopKCategoricalAccuracy as SparseTopKCategoricalAccuracy,
)
from lamina.metrics.accuracy_metrics import TopKCategoricalAccuracy as TopKCategoricalAccuracy
from lamina.metrics.accuracy_metrics import accuracy as accuracy
from lamina.metrics.accuracy_metrics import binary_accuracy as binary_accuracy
from lamina.metrics.accuracy_metrics import categorical_accuracy as categorical_accuracy
from lamina.metrics.accuracy_metrics import (
    sparse_categorical_accuracy as sparse_categorical_accuracy,
)
from lamina.metrics.accuracy_metrics import (
    sparse_top_k_categorical_accuracy as sparse_top_k_categorical_accuracy,
)
from lamina.metrics.accuracy_metrics import (
    top_k_categorical_accuracy as top_k_categorical_accuracy,
)
from lamina.metrics.confusion_metrics import AUC as AUC
from lamina.metrics.confusion_metrics import FalseNegatives as FalseNegatives
from lamina.metrics.confusion_metrics import FalsePositives as FalsePositives
from lamina.metrics.confusion_metrics import Precision as Precision
from lamina.metrics.confusion_metrics import Recall as Recall
from lamina.metrics.confusion_metrics import TrueNegatives as TrueNegatives
from lamina.metrics.confusion_metrics import TruePositives as TruePositives
from lamina.metrics.metric import Metric as Metric
from lamina.metrics.probabilistic_metrics import BinaryCrossentropy as BinaryCrossentropy
from lamina.metrics.probabilistic_metrics import CategoricalCrossentropy as CategoricalCrossentropy
from lamina.metrics.probabilistic_metrics import (
    SparseCategoricalCrossentropy as SparseCategoricalCrossentropy,
)
from lamina.metrics.probabilistic_metrics import binary_crossentropy as binary_crossentropy
from lamina.metrics.probabilistic_metrics import (
    categorical_crossentropy as categorical_crossentropy,
)
from lamina.metrics.probabilistic_metrics import (
    sparse_categorical_crossentropy as sparse_categorical_crossentropy,
)
from lamina.metrics.reduction_metrics import Mean as Mean
from lamina.metrics.reduction_metrics import MeanMetricWrapper as MeanMetricWrapper
from lamina.metrics.reduction_metrics import Sum as Sum
from lamina.metrics.regression_metrics import MeanAbsoluteError as MeanAbsoluteError
from lamina.metrics.regression_metrics import (
    MeanAbsolutePercentageError as MeanAbsolutePercentageError,
)
from lamina.metrics.regression_metrics import MeanSquaredError as MeanSquaredError
from lamina.metrics.regression_metrics import (
    MeanSquaredLogarithmicError as MeanSquaredLogarithmicError,
)
from lamina.metrics.regression_metrics import RootMeanSquaredError as RootMeanSquaredError
from lamina.metrics.regression_metrics import mean_absolute_error as mean_absolute_error
from lamina.metrics.regression_metrics import (
    mean_absolute_percentage_error as mean_absolute_percentage_error,
)
from lamina.metrics.regression_metrics import mean_squared_error as mean_squared_error
from lamina.metrics.regression_metrics import (
    mean_squared_logarithmic_error as mean_squared_logarithmic_error,
)

_CLASSES = (
    AUC,
    Accuracy,
    BinaryAccuracy,
    BinaryCrossentropy,
    CategoricalAccuracy,
    CategoricalCrossentropy,
    FalseNegatives,
    FalsePositives,
    Mean,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanMetricWrapper,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Metric,
    Precision,
    Recall,
    RootMeanSquaredError,
    SparseCategoricalAccuracy,
    SparseCategoricalCrossentropy,
    SparseTopKCategoricalAccuracy,
    Sum,
    TopKCategoricalAccuracy,
    TrueNegatives,
    TruePositives,
)

ALL_OBJECTS = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS.update({to_snake_case(cls.__name__): cls for cls in _CLASSES})
ALL_OBJECTS.update(
    {
        "acc": Accuracy,
        "bce": BinaryCrossentropy,
        "BCE": BinaryCrossentropy,
        "mse": MeanSquaredError,
        "MSE": MeanSquaredError,
        "mae": MeanAbsoluteError,
        "MAE": MeanAbsoluteError,
        "mape": MeanAbsolutePercentageError,
        "MAPE": MeanAbsolutePercentageError,
        "msle": MeanSquaredLogarithmicError,
        "MSLE": MeanSquaredLogarithmicError,
        "rmse": RootMeanSquaredError,
        "auc": AUC,
    }
)
# Abstract bases are not metrics one can make from a bare name.
for _name in ("Metric", "metric", "MeanMetricWrapper", "mean_metric_wrapper"):
    ALL_OBJECTS.pop(_name)


def serialize(metric: Metric) -> dict:
    """The Keras 3 serialized form: `{"module", "class_name", "config", "registered_name"}`."""
    return {
        "module": "keras.metrics",
        "class_name": type(metric).__name__,
        "config": metric.get_config(),
        "registered_name": None,
    }


def _known_names() -> str:
    return ", ".join(sorted(ALL_OBJECTS))


def deserialize(config: dict, custom_objects: dict | None = None) -> Metric:
    """Rebuilds a metric from `serialize`'s output (or `{"class_name", "config"}`)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"A serialized metric must be a dict with 'class_name' and 'config'; got {config!r}."
        )
    class_name = config["class_name"]
    known = {**ALL_OBJECTS, "MeanMetricWrapper": MeanMetricWrapper, **(custom_objects or {})}
    cls = known.get(class_name)
    if cls is None:
        raise ValueError(
            f"Unknown metric {class_name!r}; known metrics: {_known_names()}. Pass custom "
            "metrics with `custom_objects={name: class}`."
        )
    return cls.from_config(dict(config.get("config") or {}))


def get(identifier) -> Metric | None:
    """A metric from a name ("accuracy", "mae", "AUC"), a config dict, a class, an instance or a function.

    Functions `fn(y_true, y_pred)` become a `MeanMetricWrapper` named after the function.

    Example:
        >>> lamina.metrics.get("mae")
        <MeanAbsoluteError name=mean_absolute_error>
    """
    if identifier is None:
        return None
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = ALL_OBJECTS.get(identifier)
        if cls is None:
            raise ValueError(
                f"Could not interpret metric identifier {identifier!r}; known metrics: "
                f"{_known_names()}."
            )
        return cls()
    if inspect.isclass(identifier) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return MeanMetricWrapper(identifier, name=getattr(identifier, "__name__", None))
    raise ValueError(
        f"Could not interpret metric identifier: {identifier!r} (of type "
        f"{type(identifier).__name__}). Expected a metric name, a config dict, a Metric or a "
        "function `fn(y_true, y_pred)`."
    )
