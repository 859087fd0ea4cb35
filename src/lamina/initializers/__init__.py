"""lamina.initializers: initial values of weights (Keras's `keras.initializers`).

Initializers run on the host with NumPy and return NumPy arrays, so initial
weights are identical on every engine for the same seed.
"""

from __future__ import annotations

import difflib
import inspect

import numpy as np

from lamina.initializers.constant_initializers import Constant as Constant
from lamina.initializers.constant_initializers import Identity as Identity
from lamina.initializers.constant_initializers import Ones as Ones
from lamina.initializers.constant_initializers import Zeros as Zeros
from lamina.initializers.initializer import Initializer as Initializer
from lamina.initializers.random_initializers import GlorotNormal as GlorotNormal
from lamina.initializers.random_initializers import GlorotUniform as GlorotUniform
from lamina.initializers.random_initializers import HeNormal as HeNormal
from lamina.initializers.random_initializers import HeUniform as HeUniform
from lamina.initializers.random_initializers import LecunNormal as LecunNormal
from lamina.initializers.random_initializers import LecunUniform as LecunUniform
from lamina.initializers.random_initializers import Orthogonal as Orthogonal
from lamina.initializers.random_initializers import RandomInitializer as RandomInitializer
from lamina.initializers.random_initializers import RandomNormal as RandomNormal
from lamina.initializers.random_initializers import RandomUniform as RandomUniform
from lamina.initializers.random_initializers import TruncatedNormal as TruncatedNormal
from lamina.initializers.random_initializers import VarianceScaling as VarianceScaling
from lamina.initializers.random_initializers import compute_fans as compute_fans

# Keras's lower-case aliases name the classes themselves.
constant = Constant
identity = Identity
ones = Ones
zeros = Zeros
glorot_normal = GlorotNormal
glorot_uniform = GlorotUniform
he_normal = HeNormal
he_uniform = HeUniform
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
orthogonal = Orthogonal
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling

# Keras's alternative class names: the same classes, so configs keep saying
# "Identity" and "Orthogonal" as Keras's do.
IdentityInitializer = Identity
OrthogonalInitializer = Orthogonal

_CLASSES = (
    Initializer,
    Constant,
    Identity,
    Ones,
    Zeros,
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
)
_BY_NAME: dict[str, type] = {cls.__name__: cls for cls in _CLASSES}
_BY_NAME.update(
    {
        "constant": Constant,
        "identity": Identity,
        "IdentityInitializer": Identity,
        "ones": Ones,
        "one": Ones,
        "zeros": Zeros,
        "zero": Zeros,
        "glorot_normal": GlorotNormal,
        "glorot_uniform": GlorotUniform,
        "he_normal": HeNormal,
        "he_uniform": HeUniform,
        "lecun_normal": LecunNormal,
        "lecun_uniform": LecunUniform,
        "orthogonal": Orthogonal,
        "OrthogonalInitializer": Orthogonal,
        "random_normal": RandomNormal,
        "normal": RandomNormal,
        "random_uniform": RandomUniform,
        "uniform": RandomUniform,
        "truncated_normal": TruncatedNormal,
        "variance_scaling": VarianceScaling,
    }
)


def _lookup(name: str) -> type:
    cls = _BY_NAME.get(name)
    if cls is None:
        close = difflib.get_close_matches(name, _BY_NAME, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"Unknown initializer {name!r}.{hint} Known initializers: "
            f"{', '.join(sorted(_BY_NAME))}."
        )
    return cls


def serialize(initializer: Initializer) -> dict:
    """The Keras-format dict that `deserialize` turns back into `initializer`."""
    if not isinstance(initializer, Initializer):
        raise ValueError(
            f"serialize() expects an Initializer instance; got {initializer!r}. "
            "Plain functions cannot be serialized."
        )
    return {
        "module": "keras.initializers",
        "class_name": type(initializer).__name__,
        "config": initializer.get_config(),
        "registered_name": None,
    }


def deserialize(config, custom_objects: dict | None = None) -> Initializer:
    """An initializer from `{"class_name": ..., "config": {...}}` or a name."""
    custom_objects = custom_objects or {}
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"deserialize() expects a dict with 'class_name' and 'config' keys; got {config!r}."
        )
    name = config["class_name"]
    cls = custom_objects.get(name) or _lookup(name)
    return cls.from_config(dict(config.get("config") or {}))


def _from_array(value):
    array = np.asarray(value)

    def initialize(shape, dtype=None):
        from lamina.initializers.initializer import numpy_dtype

        if tuple(shape) != array.shape:
            raise ValueError(
                f"An array used as initializer has shape {array.shape}; "
                f"the weight's shape is {tuple(shape)}."
            )
        return array.astype(numpy_dtype(dtype))

    return initialize


def get(identifier):
    """An initializer from a name, a config dict, an instance, a class, a callable or an array.

    Example:
        >>> lamina.initializers.get("he_normal")
        >>> lamina.initializers.get({"class_name": "Constant", "config": {"value": 2.0}})
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return _lookup(identifier)()
    if inspect.isclass(identifier):
        return identifier()
    if isinstance(identifier, (np.ndarray, np.generic)) or hasattr(identifier, "__array__"):
        if not isinstance(identifier, Initializer):
            return _from_array(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret initializer identifier {identifier!r}: expected None, a name "
        "such as 'glorot_uniform', a config dict, an Initializer or a callable "
        "`fn(shape, dtype=None)`."
    )


__all__ = [cls.__name__ for cls in _CLASSES] + [
    "IdentityInitializer",
    "OrthogonalInitializer",
    "RandomInitializer",
    "compute_fans",
    "constant",
    "deserialize",
    "get",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "identity",
    "lecun_normal",
    "lecun_uniform",
    "ones",
    "orthogonal",
    "random_normal",
    "random_uniform",
    "serialize",
    "truncated_normal",
    "variance_scaling",
    "zeros",
]
