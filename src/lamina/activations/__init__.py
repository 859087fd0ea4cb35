"""lamina.activations: activation functions (Keras's `keras.activations`)."""

from __future__ import annotations

import difflib

from lamina.activations.activations import celu as celu
from lamina.activations.activations import elu as elu
from lamina.activations.activations import exponential as exponential
from lamina.activations.activations import gelu as gelu
from lamina.activations.activations import glu as glu
from lamina.activations.activations import hard_shrink as hard_shrink
from lamina.activations.activations import hard_sigmoid as hard_sigmoid
from lamina.activations.activations import hard_silu as hard_silu
from lamina.activations.activations import hard_swish as hard_swish
from lamina.activations.activations import hard_tanh as hard_tanh
from lamina.activations.activations import leaky_relu as leaky_relu
from lamina.activations.activations import linear as linear
from lamina.activations.activations import log_sigmoid as log_sigmoid
from lamina.activations.activations import log_softmax as log_softmax
from lamina.activations.activations import mish as mish
from lamina.activations.activations import relu as relu
from lamina.activations.activations import relu6 as relu6
from lamina.activations.activations import selu as selu
from lamina.activations.activations import sigmoid as sigmoid
from lamina.activations.activations import silu as silu
from lamina.activations.activations import soft_shrink as soft_shrink
from lamina.activations.activations import softmax as softmax
from lamina.activations.activations import softplus as softplus
from lamina.activations.activations import softsign as softsign
from lamina.activations.activations import sparse_plus as sparse_plus
from lamina.activations.activations import sparse_sigmoid as sparse_sigmoid
from lamina.activations.activations import squareplus as squareplus
from lamina.activations.activations import swish as swish
from lamina.activations.activations import tanh as tanh
from lamina.activations.activations import tanh_shrink as tanh_shrink
from lamina.activations.activations import threshold as threshold

_FUNCTIONS = (
    celu,
    elu,
    exponential,
    gelu,
    glu,
    hard_shrink,
    hard_sigmoid,
    hard_silu,
    hard_tanh,
    leaky_relu,
    linear,
    log_sigmoid,
    log_softmax,
    mish,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    soft_shrink,
    softmax,
    softplus,
    softsign,
    sparse_plus,
    sparse_sigmoid,
    squareplus,
    tanh,
    tanh_shrink,
    threshold,
)
_BY_NAME = {fn.__name__: fn for fn in _FUNCTIONS}
_BY_NAME.update({"swish": silu, "hard_swish": hard_silu})


def _lookup(name: str):
    fn = _BY_NAME.get(name)
    if fn is None:
        close = difflib.get_close_matches(name, _BY_NAME, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"Unknown activation {name!r}.{hint} Known activations: {', '.join(sorted(_BY_NAME))}."
        )
    return fn


def serialize(activation) -> str | dict:
    """The name of a built-in activation ("relu"), or the config dict of an activation object."""
    if any(activation is fn for fn in _FUNCTIONS):
        return activation.__name__
    if hasattr(activation, "get_config"):
        return {
            "module": type(activation).__module__,
            "class_name": type(activation).__name__,
            "config": activation.get_config(),
            "registered_name": None,
        }
    raise ValueError(
        f"Cannot serialize activation {activation!r}: it is not one of lamina's built-in "
        f"activations ({', '.join(sorted(_BY_NAME))})."
    )


def deserialize(config, custom_objects: dict | None = None):
    """An activation from its name or a Keras-format dict."""
    custom_objects = custom_objects or {}
    if isinstance(config, dict):
        name = config.get("config") if config.get("class_name") == "function" else None
        name = name or config.get("class_name")
    else:
        name = config
    if not isinstance(name, str):
        raise ValueError(f"Cannot deserialize activation from {config!r}.")
    return custom_objects.get(name) or _lookup(name)


def get(identifier):
    """An activation from None (linear), a name, a Keras-format dict or a callable.

    Example:
        >>> lamina.activations.get("relu")
    """
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret activation identifier {identifier!r}: expected None, a name "
        "such as 'relu', or a callable."
    )


__all__ = sorted(_BY_NAME) + ["deserialize", "get", "serialize"]
