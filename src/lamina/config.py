"""lamina's settings: `lamina.json` with the keys of Keras's `keras.json`.

Each setting comes from the first of these sources that has it:

1. the environment: `LAMINA_BACKEND`, `LAMINA_FLOATX`, `LAMINA_EPSILON`,
   `LAMINA_IMAGE_DATA_FORMAT`;
2. the file named by `LAMINA_CONFIG`;
3. `$VIRTUAL_ENV/lamina.json` (one config per virtual environment);
4. `$LAMINA_HOME/lamina.json` (default `~/.lamina/lamina.json`), written with the
   defaults on first import when it is missing;
5. the built-in defaults.

Every effective value remembers where it came from (`lamina config show`).
A broken file or a bad value is an error that names the file, the key, the
value and what is allowed: never a silent fallback.
"""

from __future__ import annotations

import difflib
import json
import math
import numbers
import os
import shlex
import sys
import tempfile
import warnings
from dataclasses import dataclass

from lamina._atomic import atomic_write

__all__ = [
    "ConfigError",
    "backend",
    "disable_flash_attention",
    "disable_interactive_logging",
    "disable_traceback_filtering",
    "dtype_policy",
    "enable_flash_attention",
    "enable_interactive_logging",
    "enable_traceback_filtering",
    "enable_unsafe_deserialization",
    "epsilon",
    "floatx",
    "image_data_format",
    "is_flash_attention_enabled",
    "is_interactive_logging_enabled",
    "is_traceback_filtering_enabled",
    "max_epochs",
    "max_steps_per_epoch",
    "set_dtype_policy",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "set_max_epochs",
    "set_max_steps_per_epoch",
]

BACKENDS = ("tensorflow", "jax", "torch", "pytensor", "numpy")
BACKEND_ALIASES = {"theano": "pytensor"}
FLOATX = ("float16", "bfloat16", "float32", "float64")
IMAGE_DATA_FORMATS = ("channels_last", "channels_first")
DEFAULTS = {
    "floatx": "float32",
    "epsilon": 1e-07,
    "backend": "tensorflow",
    "image_data_format": "channels_last",
}
KEYS = tuple(DEFAULTS)
ENV_VARS = {key: "LAMINA_" + key.upper() for key in KEYS}
FILE_NAME = "lamina.json"


class ConfigError(ValueError):
    """A configuration file or value that lamina cannot use."""


@dataclass(frozen=True)
class Setting:
    """One effective setting and where it came from."""

    key: str
    value: object
    source: str


@dataclass(frozen=True)
class ConfigFile:
    """A config file lamina considers, in priority order."""

    role: str  # "LAMINA_CONFIG", "VIRTUAL_ENV" or "LAMINA_HOME"
    path: str
    exists: bool


# --------------------------------------------------------------------------- validation


def _allowed(key: str) -> str:
    if key == "backend":
        return ", ".join(repr(b) for b in BACKENDS) + " (or 'theano', an alias of 'pytensor')"
    if key == "floatx":
        return ", ".join(repr(f) for f in FLOATX)
    if key == "epsilon":
        return "a positive number such as 1e-07"
    return ", ".join(repr(f) for f in IMAGE_DATA_FORMATS)


def _where(origin: str | None) -> str:
    return f" in {origin}" if origin else ""


def _suggest(word: object, choices: tuple[str, ...]) -> str:
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word.strip().lower(), choices, n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


def _tail(fix: str | None) -> str:
    return f" {fix}" if fix else ""


def validate_value(
    key: str, value: object, origin: str | None = None, fix: str | None = None
) -> object:
    """Return the canonical form of `value` for `key`, or raise ConfigError.

    `origin` says where the value came from ("config file /x/lamina.json") and
    `fix` how to correct it there; both appear in the error message.
    """
    if key not in DEFAULTS:
        raise ConfigError(
            f"Unknown config key {key!r}{_where(origin)} (value {value!r}). "
            f"Known keys: {', '.join(KEYS)}.{_suggest(key, KEYS)} Remove or rename the key."
        )
    if key == "epsilon":
        number = value
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                number = None
        if (
            isinstance(number, bool)
            or not isinstance(number, (int, float))
            or not math.isfinite(number)
            or number <= 0
        ):
            raise ConfigError(
                f"Bad value for 'epsilon'{_where(origin)}: {value!r}. "
                f"Expected {_allowed(key)}.{_tail(fix)}"
            )
        return float(number)
    allowed = {"backend": BACKENDS, "floatx": FLOATX, "image_data_format": IMAGE_DATA_FORMATS}[key]
    canonical = value.strip().lower() if isinstance(value, str) else None
    if key == "backend" and canonical in BACKEND_ALIASES:
        canonical = BACKEND_ALIASES[canonical]
    if canonical not in allowed:
        raise ConfigError(
            f"Bad value for {key!r}{_where(origin)}: {value!r}. Expected one of "
            f"{_allowed(key)}.{_suggest(value, allowed)}{_tail(fix)}"
        )
    return canonical


def file_fix(path: str, key: str) -> str | None:
    """How to correct `key` in the config file at `path`, as a command line."""
    if key not in DEFAULTS:
        return None
    return f"Fix it with: lamina config set --file {shlex.quote(path)} {key} {DEFAULTS[key]}"


def env_fix(key: str) -> str:
    """How to correct a bad environment variable for `key`."""
    return f"Set {ENV_VARS[key]} to an allowed value, or unset it."


def read_file(path: str) -> dict:
    """Read and validate one config file; return its settings (canonical values)."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise ConfigError(f"Cannot read config file {path}: {e.strerror}.") from None
    try:
        text = raw.decode("utf-8")
        data = json.loads(text) if text.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ConfigError(
            f"Config file {path} is not valid JSON: {e}. Expected an object such as "
            f"{json.dumps(DEFAULTS)}. Fix the file, or delete it to get the defaults back."
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"Config file {path} holds a JSON {type(data).__name__}, expected an object "
            f"with the keys {', '.join(KEYS)}."
        )
    return {
        key: validate_value(key, value, f"config file {path}", file_fix(path, key))
        for key, value in data.items()
    }


# --------------------------------------------------------------------------- sources


def home_dir() -> str:
    return os.path.expanduser(os.environ.get("LAMINA_HOME") or os.path.join("~", ".lamina"))


def config_files() -> list[ConfigFile]:
    """The config files lamina considers, highest priority first."""
    files = []
    explicit = os.environ.get("LAMINA_CONFIG")
    if explicit:
        files.append(ConfigFile("LAMINA_CONFIG", explicit, os.path.exists(explicit)))
    venv = os.environ.get("VIRTUAL_ENV")
    if venv:
        path = os.path.join(venv, FILE_NAME)
        files.append(ConfigFile("VIRTUAL_ENV", path, os.path.exists(path)))
    path = os.path.join(_home_in_use(), FILE_NAME)
    files.append(ConfigFile("LAMINA_HOME", path, os.path.exists(path)))
    return files


_fallback_home: str | None = None


def _home_in_use() -> str:
    return _fallback_home or home_dir()


def ensure_home_file() -> str | None:
    """Write `lamina.json` with the defaults in lamina's home when it is missing.

    When the home folder cannot be written, lamina uses a temporary folder and
    warns once. Returns the path written, or None when nothing was written.
    """
    global _fallback_home
    path = os.path.join(_home_in_use(), FILE_NAME)
    if os.path.exists(path):
        return None
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        atomic_write(path, json.dumps(DEFAULTS, indent=4) + "\n")
        return path
    except OSError as e:
        _fallback_home = os.path.join(tempfile.gettempdir(), "lamina")
        warnings.warn(
            f"lamina cannot write its config folder {os.path.dirname(path)} ({e.strerror}); "
            f"using {_fallback_home} instead. Set LAMINA_HOME to a writable folder to keep "
            "your settings.",
            stacklevel=3,
        )
        fallback = os.path.join(_fallback_home, FILE_NAME)
        if os.path.exists(fallback):
            return None
        try:
            os.makedirs(_fallback_home, exist_ok=True)
            atomic_write(fallback, json.dumps(DEFAULTS, indent=4) + "\n")
            return fallback
        except OSError:
            return None


def resolve(write_home: bool = True) -> dict[str, Setting]:
    """Read every source and return the effective settings, each with its source."""
    if write_home:
        ensure_home_file()
    settings: dict[str, Setting] = {}
    for key in KEYS:
        env = ENV_VARS[key]
        raw = os.environ.get(env)
        if raw is not None and raw != "":
            value = validate_value(key, raw, f"environment variable {env}", env_fix(key))
            settings[key] = Setting(key, value, f"environment variable {env}")
    for cfg in config_files():
        if not cfg.exists:
            if cfg.role == "LAMINA_CONFIG":
                raise ConfigError(
                    f"LAMINA_CONFIG names {cfg.path}, which does not exist. Create it "
                    "(lamina config set KEY VALUE writes it) or unset LAMINA_CONFIG."
                )
            continue
        for key, value in read_file(cfg.path).items():
            settings.setdefault(key, Setting(key, value, f"{cfg.path} ({cfg.role})"))
    for key in KEYS:
        settings.setdefault(key, Setting(key, DEFAULTS[key], "default"))
    return settings


def raw_backend_name(settings: dict[str, Setting] | None = None) -> str | None:
    """The backend name as the user spelled it, when it was the alias 'theano'."""
    for env in (ENV_VARS["backend"],):
        raw = os.environ.get(env)
        if raw:
            return raw.strip().lower()
    for cfg in config_files():
        if cfg.exists:
            try:
                with open(cfg.path, encoding="utf-8") as f:
                    data = json.load(f)
            except (OSError, ValueError):
                return None
            if isinstance(data, dict) and "backend" in data:
                value = data["backend"]
                return value.strip().lower() if isinstance(value, str) else None
    return None


# --------------------------------------------------------------------------- state

_settings: dict[str, Setting] | None = None


def _state() -> dict[str, Setting]:
    global _settings
    if _settings is None:
        _settings = resolve()
    return _settings


def settings() -> dict[str, Setting]:
    """The effective settings of this process, each with its source."""
    return dict(_state())


def _set(key: str, value: object, caller: str) -> None:
    value = validate_value(key, value, f"{caller} call")
    _state()[key] = Setting(key, value, f"{caller} call")


def backend() -> str:
    """The name of the engine lamina runs on: 'tensorflow', 'jax', 'torch', 'pytensor' or 'numpy'."""
    return _state()["backend"].value


def floatx() -> str:
    """The default float dtype, as a string such as 'float32'."""
    return _state()["floatx"].value


def set_floatx(value: str) -> None:
    """Set the default float dtype: 'float16', 'bfloat16', 'float32' or 'float64'."""
    _set("floatx", value, "set_floatx()")


def epsilon() -> float:
    """The fuzz factor used in numeric expressions (default 1e-07)."""
    return _state()["epsilon"].value


def set_epsilon(value: float) -> None:
    """Set the fuzz factor used in numeric expressions."""
    _set("epsilon", value, "set_epsilon()")


def image_data_format() -> str:
    """The default image layout: 'channels_last' (N, H, W, C) or 'channels_first' (N, C, H, W)."""
    return _state()["image_data_format"].value


def set_image_data_format(value: str) -> None:
    """Set the default image layout: 'channels_last' or 'channels_first'."""
    _set("image_data_format", value, "set_image_data_format()")


def set_dtype_policy(policy) -> None:
    """Set the dtype policy of layers made from now on, e.g. 'mixed_float16'.

    See `lamina.dtype_policies.DTypePolicy`; the policy lives in the process,
    not in lamina.json.
    """
    from lamina.dtype_policies import set_dtype_policy as set_policy

    set_policy(policy)


def dtype_policy():
    """The global `DTypePolicy`: the one set, else the `floatx()` one."""
    from lamina.dtype_policies import dtype_policy as policy

    return policy()


def standardize_data_format(data_format: str | None) -> str:
    """Return `data_format`, or the configured default when it is None."""
    if data_format is None:
        return image_data_format()
    value = data_format.lower() if isinstance(data_format, str) else data_format
    if value not in IMAGE_DATA_FORMATS:
        raise ValueError(
            f"data_format must be 'channels_last' or 'channels_first'; got {data_format!r}. "
            "Leave it as None to use the configured image_data_format."
        )
    return value


def _notice(message: str) -> None:
    print(message, file=sys.stderr)


# --------------------------------------------------------------------------- process switches
# Keras's `keras.config` switches. They live in the process, not in lamina.json.

_switches: dict = {
    "interactive_logging": True,
    "traceback_filtering": True,
    "flash_attention": None,
    "unsafe_deserialization_warned": False,
}

_UNREAD = object()
_limits: dict = {"max_epochs": _UNREAD, "max_steps_per_epoch": _UNREAD}
LIMIT_ENV_VARS = {
    "max_epochs": "LAMINA_MAX_EPOCHS",
    "max_steps_per_epoch": "LAMINA_MAX_STEPS_PER_EPOCH",
}


def enable_interactive_logging() -> None:
    """Print progress bars and model summaries to stdout (the default).

    Example:
        >>> lamina.config.enable_interactive_logging()
    """
    _switches["interactive_logging"] = True


def disable_interactive_logging() -> None:
    """Send progress bars and model summaries to Python's `logging` instead of stdout.

    The lines go to the logger named "lamina" at level INFO, one record per
    finished line, which suits jobs whose output is a log file rather than a
    terminal.

    Example:
        >>> import logging
        >>> logging.basicConfig(level=logging.INFO)
        >>> lamina.config.disable_interactive_logging()
        >>> model.fit(x, y, epochs=2)  # the epoch lines arrive as log records
    """
    _switches["interactive_logging"] = False


def is_interactive_logging_enabled() -> bool:
    """Whether progress bars and summaries print to stdout (True) or go to `logging` (False).

    Example:
        >>> lamina.config.is_interactive_logging_enabled()
        True
    """
    return _switches["interactive_logging"]


def enable_traceback_filtering() -> None:
    """Record that tracebacks may be filtered (the default).

    lamina raises its errors with their full tracebacks whatever this switch
    says; it exists so that Keras code which sets it runs unchanged, and
    `is_traceback_filtering_enabled` reports what was set.

    Example:
        >>> lamina.config.enable_traceback_filtering()
    """
    _switches["traceback_filtering"] = True


def disable_traceback_filtering() -> None:
    """Record that tracebacks must not be filtered.

    lamina never removes its own frames from tracebacks, so this changes
    nothing but the answer of `is_traceback_filtering_enabled`.

    Example:
        >>> lamina.config.disable_traceback_filtering()
        >>> lamina.config.is_traceback_filtering_enabled()
        False
    """
    _switches["traceback_filtering"] = False


def is_traceback_filtering_enabled() -> bool:
    """The traceback-filtering switch as last set (True by default).

    Example:
        >>> lamina.config.is_traceback_filtering_enabled()
        True
    """
    return _switches["traceback_filtering"]


def enable_flash_attention() -> None:
    """Allow attention layers to use a flash-attention kernel (the default).

    lamina's attention computes the softmax of the scaled scores itself on
    every engine and has no flash-attention kernel, so the switch only
    changes what `is_flash_attention_enabled` returns. As in Keras, enabling
    resets the switch to its default, None ("use it where possible").

    Example:
        >>> lamina.config.enable_flash_attention()
        >>> lamina.config.is_flash_attention_enabled() is None
        True
    """
    _switches["flash_attention"] = None


def disable_flash_attention() -> None:
    """Forbid flash attention; `is_flash_attention_enabled()` then returns False.

    lamina's attention never uses a flash-attention kernel, so its results are
    the same either way.

    Example:
        >>> lamina.config.disable_flash_attention()
        >>> lamina.config.is_flash_attention_enabled()
        False
    """
    _switches["flash_attention"] = False


def is_flash_attention_enabled() -> bool | None:
    """False when flash attention was disabled, else None (Keras's "where possible").

    Example:
        >>> lamina.config.is_flash_attention_enabled() is None
        True
    """
    return _switches["flash_attention"]


def enable_unsafe_deserialization() -> None:
    """Accepted for Keras compatibility; lamina still never runs code stored in files.

    Keras lets this switch load a `Lambda` layer's stored bytecode. lamina
    refuses stored code whatever is set, so that opening a model file cannot
    run code from it. The first call warns once and says how to load such a
    model: pass the functions by name with `custom_objects`.

    Example:
        >>> lamina.config.enable_unsafe_deserialization()  # warns once
        >>> lamina.saving.load_model("m.keras", custom_objects={"double": double})
    """
    if _switches["unsafe_deserialization_warned"]:
        return
    _switches["unsafe_deserialization_warned"] = True
    warnings.warn(
        "enable_unsafe_deserialization() has no effect in lamina: lamina never runs code "
        "stored in a model file (such as a Lambda layer's bytecode). Pass the functions such "
        "a model uses with custom_objects, e.g. "
        "lamina.saving.load_model(path, custom_objects={'my_fn': my_fn}).",
        UserWarning,
        stacklevel=2,
    )


def _check_limit(name: str, value, origin: str):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(
            f"{name} must be None or a non-negative integer; got {value!r} from {origin}. "
            "Pass None (or 0) for no limit."
        )
    return int(value)


def _limit(name: str):
    value = _limits[name]
    if value is _UNREAD:
        env = LIMIT_ENV_VARS[name]
        raw = os.environ.get(env)
        value = None
        if raw not in (None, ""):
            try:
                value = int(raw)
            except ValueError:
                value = raw
            value = _check_limit(name, value, f"the environment variable {env}")
        _limits[name] = value
    return value


def set_max_epochs(max_epochs: int | None) -> None:
    """Cap the number of epochs of every `fit` call, for quick debugging runs.

    `fit` then runs `min(epochs, max_epochs)` epochs and warns when it cuts.
    The environment variable `LAMINA_MAX_EPOCHS` sets the cap without a code
    change.

    Args:
        max_epochs: the cap; None or 0 for no limit.

    Example:
        >>> lamina.config.set_max_epochs(1)
        >>> model.fit(x, y, epochs=100)  # runs one epoch
    """
    _limits["max_epochs"] = _check_limit("max_epochs", max_epochs, "set_max_epochs()")


def max_epochs() -> int | None:
    """The cap on `fit`'s epochs set by `set_max_epochs` (or LAMINA_MAX_EPOCHS); None if none.

    Example:
        >>> lamina.config.max_epochs() is None
        True
    """
    return _limit("max_epochs")


def set_max_steps_per_epoch(max_steps_per_epoch: int | None) -> None:
    """Cap the steps of each epoch of `fit`, and of `evaluate` and `predict`.

    Each pass then runs at most `max_steps_per_epoch` batches and warns when
    it cuts. The environment variable `LAMINA_MAX_STEPS_PER_EPOCH` sets the
    cap without a code change.

    Args:
        max_steps_per_epoch: the cap; None or 0 for no limit.

    Example:
        >>> lamina.config.set_max_steps_per_epoch(2)
        >>> model.fit(x, y, epochs=3)  # two batches per epoch
    """
    _limits["max_steps_per_epoch"] = _check_limit(
        "max_steps_per_epoch", max_steps_per_epoch, "set_max_steps_per_epoch()"
    )


def max_steps_per_epoch() -> int | None:
    """The cap set by `set_max_steps_per_epoch` (or LAMINA_MAX_STEPS_PER_EPOCH); None if none.

    Example:
        >>> lamina.config.max_steps_per_epoch() is None
        True
    """
    return _limit("max_steps_per_epoch")
