"""Optimizers: `lamina.optimizers`, as `keras.optimizers`."""

from __future__ import annotations

from lamina.optimizers import schedules as schedules
from lamina.optimizers.adadelta import Adadelta as Adadelta
from lamina.optimizers.adafactor import Adafactor as Adafactor
from lamina.optimizers.adagrad import Adagrad as Adagrad
from lamina.optimizers.adam import Adam as Adam
from lamina.optimizers.adamax import Adamax as Adamax
from lamina.optimizers.adamw import AdamW as AdamW
from lamina.optimizers.ftrl import Ftrl as Ftrl
from lamina.optimizers.lamb import Lamb as Lamb
from lamina.optimizers.lion import Lion as Lion
from lamina.optimizers.loss_scale_optimizer import LossScaleOptimizer as LossScaleOptimizer
from lamina.optimizers.nadam import Nadam as Nadam
from lamina.optimizers.optimizer import Optimizer as Optimizer
from lamina.optimizers.rmsprop import RMSprop as RMSprop
from lamina.optimizers.sgd import SGD as SGD

ALL_OBJECTS = {
    cls.__name__.lower(): cls
    for cls in (
        Adadelta,
        Adafactor,
        Adagrad,
        Adam,
        Adamax,
        AdamW,
        Ftrl,
        Lamb,
        Lion,
        Nadam,
        RMSprop,
        SGD,
    )
}
# Not made from a name: it wraps another optimizer. Configs name it.
_CONFIG_ONLY = {"lossscaleoptimizer": LossScaleOptimizer}


def serialize(optimizer: Optimizer) -> dict:
    """The Keras 3 serialized form: `{"module", "class_name", "config", "registered_name"}`."""
    return {
        "module": "keras.optimizers",
        "class_name": type(optimizer).__name__,
        "config": optimizer.get_config(),
        "registered_name": None,
    }


def _known_names() -> str:
    return ", ".join(sorted(ALL_OBJECTS))


def deserialize(config: dict, custom_objects: dict | None = None) -> Optimizer:
    """Rebuilds an optimizer from `serialize`'s output (or `{"class_name", "config"}`)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"A serialized optimizer must be a dict with 'class_name' and 'config'; got {config!r}."
        )
    class_name = config["class_name"]
    custom_objects = custom_objects or {}
    key = str(class_name).lower()
    cls = custom_objects.get(class_name) or ALL_OBJECTS.get(key) or _CONFIG_ONLY.get(key)
    if cls is None:
        raise ValueError(
            f"Unknown optimizer {class_name!r}; known optimizers: {_known_names()}. "
            "Pass custom optimizers with `custom_objects={name: class}`."
        )
    return cls.from_config(dict(config.get("config") or {}), custom_objects=custom_objects)


def get(identifier) -> Optimizer:
    """An optimizer from a name ("adam"), a config dict or an instance.

    Example:
        >>> lamina.optimizers.get("adam")
        <Adam name=adam>
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = ALL_OBJECTS.get(identifier.lower())
        if cls is None:
            raise ValueError(
                f"Could not interpret optimizer identifier {identifier!r}; known optimizers: "
                f"{_known_names()}."
            )
        return cls()
    raise ValueError(
        f"Could not interpret optimizer identifier: {identifier!r} (of type "
        f"{type(identifier).__name__}). Expected an optimizer name ({_known_names()}), a "
        "config dict or an Optimizer instance."
    )
