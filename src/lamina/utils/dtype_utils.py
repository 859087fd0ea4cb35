"""`standardize_dtype`: any dtype spelling as lamina's dtype name."""

from __future__ import annotations

ALLOWED_DTYPES = (
    "float16",
    "float32",
    "float64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "int8",
    "int16",
    "int32",
    "int64",
    "bfloat16",
    "bool",
    "string",
    "float8_e4m3fn",
    "float8_e5m2",
    "complex64",
    "complex128",
)


def _python_types() -> dict:
    from lamina import config

    # Keras's rule: Python ints are int64 on TensorFlow, int32 elsewhere.
    wide = config.backend() == "tensorflow"
    return {
        bool: "bool",
        int: "int64" if wide else "int32",
        "int": "int64" if wide else "int32",
        float: "float32",
        str: "string",
        complex: "complex128" if wide else "complex64",
    }


def standardize_dtype(dtype) -> str:
    """The name of `dtype` ("float32", "int64", ...), from any engine's or NumPy's dtype.

    Args:
        dtype: a name, a NumPy, TensorFlow, JAX or torch dtype, a Python type
            (`int`, `float`, `bool`, `str`, `complex`), or None for `floatx()`.

    Example:
        >>> lamina.utils.standardize_dtype(np.float64), lamina.utils.standardize_dtype(None)
        ('float64', 'float32')
    """
    if dtype is None:
        from lamina import config

        return config.floatx()
    try:
        dtype = _python_types().get(dtype, dtype)
    except TypeError:  # an unhashable value: not a dtype; reported below
        pass
    if hasattr(dtype, "name") and isinstance(dtype.name, str):
        dtype = dtype.name
    elif hasattr(dtype, "__name__"):
        dtype = dtype.__name__
    elif "torch" in str(dtype) or "jax.numpy" in str(dtype):
        dtype = str(dtype).split(".")[-1]
    if dtype not in ALLOWED_DTYPES:
        raise ValueError(
            f"Invalid dtype: {dtype!r}. Expected one of {', '.join(ALLOWED_DTYPES)}, or a NumPy "
            "or engine dtype with one of these names."
        )
    return dtype
