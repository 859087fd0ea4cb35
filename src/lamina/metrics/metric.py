"""The Metric base class: state in variables, updated imperatively, run statelessly.

`update_state` and `result` are written with `variable.value` and
`variable.assign(...)`; inside the trainer's compiled step they run under a
`StatelessScope`, so they never convert tensors to Python numbers and never
branch on tensor values.
"""

from __future__ import annotations

import numpy as np

from lamina import ops
from lamina.backend import floatx
from lamina.backend._variable import StatelessScope, Variable
from lamina.metrics._naming import auto_name


def _standardize_dtype(dtype) -> str:
    if dtype is None:
        return floatx()
    if isinstance(dtype, str):
        return dtype
    return np.dtype(getattr(dtype, "name", dtype)).name


class Metric:
    """The base class of metrics.

    Subclasses create state with `add_variable` in `__init__` and implement
    `update_state(...)`, `result()` and (when the state is not all zeros at
    start) `reset_state()`.

    Args:
        name: the metric's name (shown in training logs).
        dtype: the dtype of the metric's computations and state (default `floatx()`).

    Example:
        >>> class Total(lamina.metrics.Metric):
        ...     def __init__(self, name="total", dtype=None):
        ...         super().__init__(name=name, dtype=dtype)
        ...         self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        ...     def update_state(self, values):
        ...         self.total.assign(self.total.value + ops.sum(values))
        ...     def result(self):
        ...         return self.total.value
    """

    def __init__(self, dtype=None, name: str | None = None):
        self.name = name or auto_name(type(self).__name__)
        self._dtype = _standardize_dtype(dtype)
        self._variables: list[Variable] = []
        self._metrics: list[Metric] = []

    def __setattr__(self, name, value):
        if isinstance(value, Metric) and name != "_metrics" and "_metrics" in self.__dict__:
            if all(m is not value for m in self._metrics):
                self._metrics.append(value)
        object.__setattr__(self, name, value)

    @property
    def dtype(self) -> str:
        return self._dtype

    @property
    def variables(self) -> list[Variable]:
        """The metric's state variables, then those of metrics it holds."""
        variables = list(self._variables)
        for metric in self._metrics:
            variables.extend(metric.variables)
        return variables

    def add_variable(self, shape, initializer="zeros", dtype=None, name: str | None = None):
        """Creates a state variable (`initializer`: "zeros", "ones", a number, an array or a callable)."""
        if "_variables" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__}: call `super().__init__()` before `add_variable`."
            )
        dtype = _standardize_dtype(dtype or self._dtype)
        shape = tuple(shape)
        if isinstance(initializer, str):
            fills = {"zeros": 0, "ones": 1}
            if initializer in fills:
                value = np.full(shape, fills[initializer], dtype=dtype)
            else:
                from lamina import initializers

                value = initializers.get(initializer)(shape, dtype=dtype)
        elif isinstance(initializer, (int, float)):
            value = np.full(shape, initializer, dtype=dtype)
        elif callable(initializer):
            value = initializer(shape, dtype=dtype)
        else:
            value = np.broadcast_to(np.asarray(initializer, dtype=dtype), shape)
        variable = Variable(value, dtype=dtype, trainable=False, name=name)
        variable.path = f"{self.name}/{variable.name}"
        self._variables.append(variable)
        return variable

    add_weight = add_variable

    def update_state(self, *args, **kwargs) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement `update_state`.")

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must implement `result`.")

    def reset_state(self) -> None:
        """Sets every state variable to zeros."""
        for variable in self.variables:
            variable.assign(ops.zeros(variable.shape, dtype=variable.dtype))

    def __call__(self, *args, **kwargs):
        """Updates the state with one batch and returns the result."""
        self.update_state(*args, **kwargs)
        return self.result()

    # -- pure-function forms, for custom training loops
    def stateless_update_state(self, metric_variables, *args, **kwargs) -> list:
        """`update_state` on the values `metric_variables`; returns the new values."""
        variables = self.variables
        with StatelessScope(list(zip(variables, metric_variables, strict=True))) as scope:
            self.update_state(*args, **kwargs)
            return [scope.value_of(v) for v in variables]

    def stateless_result(self, metric_variables):
        with StatelessScope(list(zip(self.variables, metric_variables, strict=True))):
            return self.result()

    def stateless_reset_state(self) -> list:
        variables = self.variables
        with StatelessScope([(v, v.value) for v in variables]) as scope:
            self.reset_state()
            return [scope.value_of(v) for v in variables]

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"
