"""Metrics: `lamina.metrics`, as `keras.metrics`."""

from __future__ import annotations

import inspect

from lamina.losses.functions import binary_focal_crossentropy as binary_focal_crossentropy
from lamina.losses.functions import (
    categorical_focal_crossentropy as categorical_focal_crossentropy,
)
from lamina.losses.functions import categorical_hinge as categorical_hinge
from lamina.losses.functions import hinge as hinge
from lamina.losses.functions import huber as huber
from lamina.losses.functions import kl_divergence as kl_divergence
from lamina.losses.functions import log_cosh as log_cosh
from lamina.losses.functions import poisson as poisson
from lamina.losses.functions import squared_hinge as squared_hinge
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
from lamina.metrics.confusion_metrics import PrecisionAtRecall as PrecisionAtRecall
from lamina.metrics.confusion_metrics import Recall as Recall
from lamina.metrics.confusion_metrics import RecallAtPrecision as RecallAtPrecision
from lamina.metrics.confusion_metrics import SensitivityAtSpecificity as SensitivityAtSpecificity
from lamina.metrics.confusion_metrics import SpecificityAtSensitivity as SpecificityAtSensitivity
from lamina.metrics.confusion_metrics import TrueNegatives as TrueNegatives
from lamina.metrics.confusion_metrics import TruePositives as TruePositives
from lamina.metrics.correlation_metrics import ConcordanceCorrelation as ConcordanceCorrelation
from lamina.metrics.correlation_metrics import PearsonCorrelation as PearsonCorrelation
from lamina.metrics.correlation_metrics import concordance_correlation as concordance_correlation
from lamina.metrics.correlation_metrics import pearson_correlation as pearson_correlation
from lamina.metrics.f_score_metrics import F1Score as F1Score
from lamina.metrics.f_score_metrics import FBetaScore as FBetaScore
from lamina.metrics.hinge_metrics import CategoricalHinge as CategoricalHinge
from lamina.metrics.hinge_metrics import Hinge as Hinge
from lamina.metrics.hinge_metrics import SquaredHinge as SquaredHinge
from lamina.metrics.iou_metrics import BinaryIoU as BinaryIoU
from lamina.metrics.iou_metrics import IoU as IoU
from lamina.metrics.iou_metrics import MeanIoU as MeanIoU
from lamina.metrics.iou_metrics import OneHotIoU as OneHotIoU
from lamina.metrics.iou_metrics import OneHotMeanIoU as OneHotMeanIoU
from lamina.metrics.metric import Metric as Metric
from lamina.metrics.probabilistic_metrics import BinaryCrossentropy as BinaryCrossentropy
from lamina.metrics.probabilistic_metrics import CategoricalCrossentropy as CategoricalCrossentropy
from lamina.metrics.probabilistic_metrics import KLDivergence as KLDivergence
from lamina.metrics.probabilistic_metrics import Poisson as Poisson
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
from lamina.metrics.regression_metrics import CosineSimilarity as CosineSimilarity
from lamina.metrics.regression_metrics import LogCoshError as LogCoshError
from lamina.metrics.regression_metrics import MeanAbsoluteError as MeanAbsoluteError
from lamina.metrics.regression_metrics import (
    MeanAbsolutePercentageError as MeanAbsolutePercentageError,
)
from lamina.metrics.regression_metrics import MeanSquaredError as MeanSquaredError
from lamina.metrics.regression_metrics import (
    MeanSquaredLogarithmicError as MeanSquaredLogarithmicError,
)
from lamina.metrics.regression_metrics import R2Score as R2Score
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
    BinaryIoU,
    CategoricalAccuracy,
    CategoricalCrossentropy,
    CategoricalHinge,
    ConcordanceCorrelation,
    CosineSimilarity,
    F1Score,
    FBetaScore,
    FalseNegatives,
    FalsePositives,
    Hinge,
    IoU,
    KLDivergence,
    LogCoshError,
    Mean,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanIoU,
    MeanMetricWrapper,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Metric,
    OneHotIoU,
    OneHotMeanIoU,
    PearsonCorrelation,
    Poisson,
    Precision,
    PrecisionAtRecall,
    R2Score,
    Recall,
    RecallAtPrecision,
    RootMeanSquaredError,
    SensitivityAtSpecificity,
    SparseCategoricalAccuracy,
    SparseCategoricalCrossentropy,
    SparseTopKCategoricalAccuracy,
    SpecificityAtSensitivity,
    SquaredHinge,
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
