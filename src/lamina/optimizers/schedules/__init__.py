"""Learning-rate schedules: `lamina.optimizers.schedules`, as `keras.optimizers.schedules`."""

from __future__ import annotations

from lamina.optimizers.schedules.cosine_decay_restarts import (
    CosineDecayRestarts as CosineDecayRestarts,
)
from lamina.optimizers.schedules.learning_rate_schedule import CosineDecay as CosineDecay
from lamina.optimizers.schedules.learning_rate_schedule import (
    ExponentialDecay as ExponentialDecay,
)
from lamina.optimizers.schedules.learning_rate_schedule import (
    InverseTimeDecay as InverseTimeDecay,
)
from lamina.optimizers.schedules.learning_rate_schedule import (
    LearningRateSchedule as LearningRateSchedule,
)
from lamina.optimizers.schedules.learning_rate_schedule import (
    PiecewiseConstantDecay as PiecewiseConstantDecay,
)
from lamina.optimizers.schedules.learning_rate_schedule import (
    PolynomialDecay as PolynomialDecay,
)

ALL_OBJECTS = {
    cls.__name__: cls
    for cls in (
        CosineDecay,
        CosineDecayRestarts,
        ExponentialDecay,
        InverseTimeDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
    )
}


def serialize(schedule: LearningRateSchedule) -> dict:
    """The Keras 3 serialized form: `{"module", "class_name", "config", "registered_name"}`."""
    return {
        "module": "keras.optimizers.schedules",
        "class_name": type(schedule).__name__,
        "config": schedule.get_config(),
        "registered_name": None,
    }


def deserialize(config: dict, custom_objects: dict | None = None) -> LearningRateSchedule:
    """Rebuilds a schedule from `serialize`'s output (or `{"class_name", "config"}`)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "A serialized learning-rate schedule must be a dict with 'class_name' and "
            f"'config'; got {config!r}."
        )
    known = dict(ALL_OBJECTS)
    known.update(custom_objects or {})
    class_name = config["class_name"]
    if class_name not in known:
        raise ValueError(
            f"Unknown learning-rate schedule {class_name!r}; known: {', '.join(sorted(known))}. "
            "Pass custom schedules with `custom_objects={name: class}`."
        )
    return known[class_name].from_config(dict(config.get("config", {})))
