"""lamina.losses: training objectives (Keras's `keras.losses`).

Functions (`mean_squared_error`, ...) return per-sample losses; classes
(`MeanSquaredError`, ...) add sample weighting and reduction to a scalar.
"""

from __future__ import annotations

import difflib
import inspect

from lamina.losses.ctc import CTC as CTC
from lamina.losses.ctc import ctc as ctc
from lamina.losses.functions import BCE as BCE
from lamina.losses.functions import KLD as KLD
from lamina.losses.functions import MAE as MAE
from lamina.losses.functions import MAPE as MAPE
from lamina.losses.functions import MSE as MSE
from lamina.losses.functions import MSLE as MSLE
from lamina.losses.functions import bce as bce
from lamina.losses.functions import binary_crossentropy as binary_crossentropy
from lamina.losses.functions import binary_focal_crossentropy as binary_focal_crossentropy
from lamina.losses.functions import categorical_crossentropy as categorical_crossentropy
from lamina.losses.functions import (
    categorical_focal_crossentropy as categorical_focal_crossentropy,
)
from lamina.losses.functions import categorical_hinge as categorical_hinge
from lamina.losses.functions import cosine_similarity as cosine_similarity
from lamina.losses.functions import dice as dice
from lamina.losses.functions import hinge as hinge
from lamina.losses.functions import huber as huber
from lamina.losses.functions import kl_divergence as kl_divergence
from lamina.losses.functions import kld as kld
from lamina.losses.functions import log_cosh as log_cosh
from lamina.losses.functions import mae as mae
from lamina.losses.functions import mape as mape
from lamina.losses.functions import mean_absolute_error as mean_absolute_error
from lamina.losses.functions import (
    mean_absolute_percentage_error as mean_absolute_percentage_error,
)
from lamina.losses.functions import mean_squared_error as mean_squared_error
from lamina.losses.functions import (
    mean_squared_logarithmic_error as mean_squared_logarithmic_error,
)
from lamina.losses.functions import mse as mse
from lamina.losses.functions import msle as msle
from lamina.losses.functions import poisson as poisson
from lamina.losses.functions import (
    sparse_categorical_crossentropy as sparse_categorical_crossentropy,
)
from lamina.losses.functions import squared_hinge as squared_hinge
from lamina.losses.functions import tversky as tversky
from lamina.losses.loss import Loss as Loss
from lamina.losses.loss import reduce_weighted_values as reduce_weighted_values
from lamina.losses.loss import squeeze_or_expand_to_same_rank as squeeze_or_expand_to_same_rank
from lamina.losses.losses import BinaryCrossentropy as BinaryCrossentropy
from lamina.losses.losses import BinaryFocalCrossentropy as BinaryFocalCrossentropy
from lamina.losses.losses import CategoricalCrossentropy as CategoricalCrossentropy
from lamina.losses.losses import CategoricalFocalCrossentropy as CategoricalFocalCrossentropy
from lamina.losses.losses import CategoricalHinge as CategoricalHinge
from lamina.losses.losses import CosineSimilarity as CosineSimilarity
from lamina.losses.losses import Dice as Dice
from lamina.losses.losses import Hinge as Hinge
from lamina.losses.losses import Huber as Huber
from lamina.losses.losses import KLDivergence as KLDivergence
from lamina.losses.losses import LogCosh as LogCosh
from lamina.losses.losses import LossFunctionWrapper as LossFunctionWrapper
from lamina.losses.losses import MeanAbsoluteError as MeanAbsoluteError
from lamina.losses.losses import MeanAbsolutePercentageError as MeanAbsolutePercentageError
from lamina.losses.losses import MeanSquaredError as MeanSquaredError
from lamina.losses.losses import MeanSquaredLogarithmicError as MeanSquaredLogarithmicError
from lamina.losses.losses import Poisson as Poisson
from lamina.losses.losses import SparseCategoricalCrossentropy as SparseCategoricalCrossentropy
from lamina.losses.losses import SquaredHinge as SquaredHinge
from lamina.losses.losses import Tversky as Tversky

_CLASSES = (
    Loss,
    LossFunctionWrapper,
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    CTC,
    Dice,
    Hinge,
    Huber,
    KLDivergence,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
    Tversky,
)
_FUNCTIONS = (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    cosine_similarity,
    ctc,
    dice,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
    tversky,
)
_BY_NAME: dict = {obj.__name__: obj for obj in _CLASSES + _FUNCTIONS}
_BY_NAME.update(
    {
        "bce": binary_crossentropy,
        "BCE": binary_crossentropy,
        "kld": kl_divergence,
        "KLD": kl_divergence,
        "mae": mean_absolute_error,
        "MAE": mean_absolute_error,
        "mse": mean_squared_error,
        "MSE": mean_squared_error,
        "mape": mean_absolute_percentage_error,
        "MAPE": mean_absolute_percentage_error,
        "msle": mean_squared_logarithmic_error,
        "MSLE": mean_squared_logarithmic_error,
    }
)


def _lookup(name: str):
    obj = _BY_NAME.get(name)
    if obj is None:
        close = difflib.get_close_matches(name, _BY_NAME, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"Unknown loss {name!r}.{hint} Known losses: {', '.join(sorted(_BY_NAME))}."
        )
    return obj


def serialize_function(fn) -> str:
    """The name of a built-in loss function."""
    if any(fn is f for f in _FUNCTIONS):
        return fn.__name__
    raise ValueError(
        f"Cannot serialize loss function {fn!r}: it is not one of lamina's built-in losses."
    )


def serialize(loss) -> str | dict:
    """A built-in function's name, or the Keras-format dict of a `Loss` instance."""
    if isinstance(loss, Loss):
        return {
            "module": "keras.losses",
            "class_name": type(loss).__name__,
            "config": loss.get_config(),
            "registered_name": None,
        }
    return serialize_function(loss)


def deserialize(config, custom_objects: dict | None = None):
    """A loss from a name or a `{"class_name": ..., "config": {...}}` dict."""
    custom_objects = custom_objects or {}
    if isinstance(config, str):
        return custom_objects.get(config) or _lookup(config)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"deserialize() expects a name or a dict with 'class_name' and 'config'; got {config!r}."
        )
    name = config["class_name"]
    if name == "function":  # a serialized function: {"class_name": "function", "config": name}
        return deserialize(config["config"], custom_objects)
    obj = custom_objects.get(name) or _lookup(name)
    if not inspect.isclass(obj):
        return obj
    return obj.from_config(dict(config.get("config") or {}))


def get(identifier):
    """A loss from a name, a config dict, a `Loss` instance or class, or a callable.

    Function names ("mse", "mean_squared_error") give the function; class names
    ("MeanSquaredError") and dicts give a `Loss` instance, as in Keras.

    Example:
        >>> lamina.losses.get("categorical_crossentropy")
        >>> lamina.losses.get({"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}})
    """
    if identifier is None:
        return None
    obj = deserialize(identifier) if isinstance(identifier, (str, dict)) else identifier
    if inspect.isclass(obj):
        return obj()
    if callable(obj):
        return obj
    raise ValueError(
        f"Could not interpret loss identifier {identifier!r}: expected a name such as 'mse', "
        "a config dict, a Loss or a callable `fn(y_true, y_pred)`."
    )


__all__ = sorted({obj.__name__ for obj in _CLASSES + _FUNCTIONS}) + [
    "BCE",
    "KLD",
    "MAE",
    "MAPE",
    "MSE",
    "MSLE",
    "bce",
    "deserialize",
    "get",
    "kld",
    "mae",
    "mape",
    "mse",
    "msle",
    "reduce_weighted_values",
    "serialize",
    "squeeze_or_expand_to_same_rank",
]
