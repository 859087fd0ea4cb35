"""DTypePolicy: the dtypes a layer computes in and keeps its weights in."""

from __future__ import annotations

import numpy as np

_MIXED = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}
_global_policy: list[DTypePolicy] = []


def _dtype_name(name: str) -> str:
    if name == "bfloat16":  # NumPy has no bfloat16; every engine has
        return name
    return np.dtype(name).name


class DTypePolicy:
    """The compute and variable dtypes of a layer.

    Args:
        name: a dtype name such as `"float32"` (compute and variables in
            that dtype), or `"mixed_float16"` / `"mixed_bfloat16"`: compute
            in float16 / bfloat16, keep variables in float32. Default: the
            global policy's name (`lamina.config.dtype_policy()`).

    Under a mixed policy a layer casts its floating inputs to the compute
    dtype and reads its float variables in the compute dtype inside `call`,
    while the optimizer updates them in float32.

    Example:
        >>> lamina.config.set_dtype_policy("mixed_float16")
        >>> layer = lamina.layers.Dense(10)
        >>> layer.compute_dtype, layer.variable_dtype
        ('float16', 'float32')
        >>> lamina.config.set_dtype_policy("float32")
    """

    def __init__(self, name: str | None = None):
        if name is None:
            name = dtype_policy().name
        if not isinstance(name, str):
            raise TypeError(
                f"A DTypePolicy name must be a string such as 'mixed_float16'; got {name!r} "
                f"of type {type(name).__name__}."
            )
        if name in _MIXED:
            compute, variable = _MIXED[name], "float32"
        else:
            try:
                compute = variable = _dtype_name(name)
            except TypeError:
                raise ValueError(
                    f"Cannot make a DTypePolicy from {name!r}. Valid names are "
                    "'mixed_float16', 'mixed_bfloat16' and dtype names such as 'float32'."
                ) from None
        self._name = name
        self._compute_dtype = compute
        self._variable_dtype = variable

    @property
    def name(self) -> str:
        return self._name

    @property
    def compute_dtype(self) -> str:
        """The dtype of the layer's computations and outputs."""
        return self._compute_dtype

    @property
    def variable_dtype(self) -> str:
        """The dtype the layer creates its variables in."""
        return self._variable_dtype

    @property
    def quantization_mode(self) -> None:
        return None

    @property
    def is_mixed(self) -> bool:
        return self._compute_dtype != self._variable_dtype

    def get_config(self) -> dict:
        return {"name": self._name}

    @classmethod
    def from_config(cls, config: dict) -> DTypePolicy:
        return cls(**config)

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other._name == self._name

    def __hash__(self) -> int:
        return hash((type(self), self._name))

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self._name}">'


FloatDTypePolicy = DTypePolicy


def set_dtype_policy(policy) -> None:
    """Sets the policy of layers created from now on without a `dtype` argument.

    Args:
        policy: a `DTypePolicy` or its name, e.g. `"mixed_float16"`.
    """
    if not isinstance(policy, (str, DTypePolicy)):
        raise ValueError(
            "set_dtype_policy takes a DTypePolicy or a policy name such as "
            f"'mixed_float16'; got {policy!r}."
        )
    _global_policy[:] = [get(policy)]


def dtype_policy() -> DTypePolicy:
    """The global policy: the one set by `set_dtype_policy`, else `floatx()`'s."""
    if _global_policy:
        return _global_policy[0]
    from lamina.config import floatx

    return DTypePolicy(floatx())


def get(identifier) -> DTypePolicy:
    """A `DTypePolicy` from a policy, a name, a serialized policy or None (the global one)."""
    if identifier is None:
        return dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    name = getattr(identifier, "name", None)
    if isinstance(name, str):  # a NumPy or engine dtype
        return DTypePolicy(name)
    try:
        return DTypePolicy(np.dtype(identifier).name)
    except TypeError:
        raise ValueError(
            f"Cannot interpret {identifier!r} as a dtype policy: pass a DTypePolicy, a "
            "policy name such as 'mixed_float16' or a dtype such as 'float32'."
        ) from None


def serialize(policy: DTypePolicy) -> dict:
    """The policy as Keras stores it in configs."""
    return {
        "module": "keras",
        "class_name": "DTypePolicy",
        "config": policy.get_config(),
        "registered_name": None,
    }


def deserialize(config: dict) -> DTypePolicy:
    class_name = config.get("class_name")
    if class_name not in ("DTypePolicy", "FloatDTypePolicy", "Policy"):
        raise ValueError(
            f"Cannot load a dtype policy of class {class_name!r}: lamina knows DTypePolicy "
            "(and its aliases FloatDTypePolicy and Policy)."
        )
    return DTypePolicy.from_config(config.get("config", {}))
