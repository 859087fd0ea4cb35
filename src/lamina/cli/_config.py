"""`lamina config show | path | set | validate`."""

from __future__ import annotations

import argparse
import json
import os
import sys

from lamina import config
from lamina._atomic import atomic_write

PATH_HELP = """\
The file `lamina config set` writes to, the first of:
  1. the file named by LAMINA_CONFIG, when that variable is set (created if missing);
  2. $VIRTUAL_ENV/lamina.json, when a virtual environment is active and that file exists;
  3. lamina's home config, $LAMINA_HOME/lamina.json (default ~/.lamina/lamina.json).
Writing to the highest-priority file that is in use means a value you set is the
value lamina reads (unless an environment variable overrides it). To start a
per-environment config, name the file: lamina config set --file "$VIRTUAL_ENV/lamina.json" KEY VALUE
"""


def add_parser(commands: argparse._SubParsersAction) -> None:
    keys = ", ".join(config.KEYS)
    parser = commands.add_parser(
        "config",
        help="show, locate, change or check lamina's settings",
        description=(
            "lamina's settings are the keys of Keras's keras.json: "
            f"{keys}. Each comes from the first source that has it: the environment "
            "(LAMINA_BACKEND, LAMINA_FLOATX, LAMINA_EPSILON, LAMINA_IMAGE_DATA_FORMAT), "
            "the file named by LAMINA_CONFIG, $VIRTUAL_ENV/lamina.json, "
            "$LAMINA_HOME/lamina.json (default ~/.lamina/lamina.json), the defaults."
        ),
    )
    sub = parser.add_subparsers(dest="config_command", metavar="COMMAND", required=True)

    show = sub.add_parser(
        "show",
        help="print each effective setting and where it came from",
        description="Print each effective setting, its source, and the config files considered.",
    )
    show.add_argument("--json", action="store_true", help="print the same as JSON")
    show.set_defaults(run=run_show)

    path = sub.add_parser(
        "path",
        help="print the file `lamina config set` writes to",
        description=PATH_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    path.set_defaults(run=run_path)

    set_ = sub.add_parser(
        "set",
        help="set one key in a config file",
        description=(
            f"Validate VALUE for KEY ({keys}) and store it in a config file, keeping "
            "the file's other keys. The write is atomic.\n\n" + PATH_HELP
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    set_.add_argument("key", metavar="KEY", help=f"one of: {keys}")
    set_.add_argument("value", metavar="VALUE", help="the new value, e.g. jax, float64, 1e-07")
    set_.add_argument(
        "--file",
        metavar="PATH",
        help="write this file instead of the one `lamina config path` names",
    )
    set_.set_defaults(run=run_set)

    validate = sub.add_parser(
        "validate",
        help="check config files; exit 1 on the first problem in each",
        description=(
            "Check FILE, or every config file lamina considers and the LAMINA_* "
            "environment variables. Prints OK, or each problem and exits 1."
        ),
    )
    validate.add_argument("file", metavar="FILE", nargs="?", help="the file to check")
    validate.set_defaults(run=run_validate)


def write_path() -> str:
    """The file `lamina config set` writes to; see PATH_HELP."""
    explicit = os.environ.get("LAMINA_CONFIG")
    if explicit:
        return explicit
    venv = os.environ.get("VIRTUAL_ENV")
    if venv:
        path = os.path.join(venv, config.FILE_NAME)
        if os.path.exists(path):
            return path
    return _home_file()


def _home_file() -> str:
    return os.path.join(config._home_in_use(), config.FILE_NAME)


def _file_state(cfg: config.ConfigFile) -> str:
    if cfg.exists:
        return "exists"
    if cfg.role == "LAMINA_HOME":
        return "missing (written with the defaults by the first `import lamina`)"
    if cfg.role == "LAMINA_CONFIG":
        return "missing (an error: create it or unset LAMINA_CONFIG)"
    return "missing"


def run_show(args: argparse.Namespace) -> int:
    files = config.config_files()
    settings = config.resolve(write_home=False)
    if args.json:
        data = {
            "settings": {
                key: {"value": settings[key].value, "source": settings[key].source}
                for key in config.KEYS
            },
            "files": [{"role": f.role, "path": f.path, "exists": f.exists} for f in files],
        }
        print(json.dumps(data, indent=2))
        return 0
    width = max(len(key) for key in config.KEYS) + 2
    values = {key: json.dumps(settings[key].value).strip('"') for key in config.KEYS}
    value_width = max(len(v) for v in values.values()) + 2
    print(f"{'key':<{width}}{'value':<{value_width}}source")
    for key in config.KEYS:
        print(f"{key:<{width}}{values[key]:<{value_width}}{settings[key].source}")
    print()
    print("Config files considered, highest priority first:")
    role_width = max(len(f.role) for f in files) + 2
    for f in files:
        print(f"  {f.role:<{role_width}}{f.path}  [{_file_state(f)}]")
    envs = ", ".join(config.ENV_VARS[key] for key in config.KEYS)
    print(f"Environment variables override every file: {envs}.")
    return 0


def run_path(args: argparse.Namespace) -> int:
    print(write_path())
    return 0


def _load_for_update(path: str) -> dict:
    """The JSON object stored at `path`, unvalidated, so that `set` can repair a bad value."""
    if not os.path.exists(path):
        # A new home file starts from the defaults, as `import lamina` would write it.
        return dict(config.DEFAULTS) if path == _home_file() else {}
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        data = json.loads(text) if text.strip() else {}
    except OSError as e:
        raise config.ConfigError(f"Cannot read config file {path}: {e.strerror}.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise config.ConfigError(
            f"Cannot update {path}: it is not valid JSON ({e}). Fix the file, or delete it "
            "and run the command again."
        ) from None
    if not isinstance(data, dict):
        raise config.ConfigError(
            f"Cannot update {path}: it holds a JSON {type(data).__name__}, expected an object. "
            "Fix the file, or delete it and run the command again."
        )
    return data


def run_set(args: argparse.Namespace) -> int:
    path = args.file or write_path()
    key = args.key
    if key not in config.DEFAULTS:
        raise config.ConfigError(
            f"Unknown config key {key!r}. Known keys: {', '.join(config.KEYS)}.{config._suggest(key, config.KEYS)}"
        )
    value = config.validate_value(key, args.value, f"`lamina config set {key}`")
    data = _load_for_update(path)
    data[key] = value
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        atomic_write(path, json.dumps(data, indent=4) + "\n")
    except OSError as e:
        raise config.ConfigError(
            f"Cannot write config file {path}: {e.strerror}. Choose a writable file with "
            "--file PATH or LAMINA_CONFIG, or a writable LAMINA_HOME."
        ) from None
    print(f"{path}: {key} = {json.dumps(value)}")
    if args.value.strip().lower() in config.BACKEND_ALIASES and key == "backend":
        print(f"note: {args.value!r} is stored as its successor {value!r}.", file=sys.stderr)
    _warn_if_shadowed(path, key)
    try:
        config.read_file(path)
    except config.ConfigError as e:
        print(f"lamina: {key} was written, but the file still has a problem: {e}", file=sys.stderr)
        return 1
    return 0


def _warn_if_shadowed(path: str, key: str) -> None:
    env = config.ENV_VARS[key]
    if os.environ.get(env):
        print(f"note: {env} is set in the environment and overrides this file.", file=sys.stderr)
        return
    for cfg in config.config_files():
        if os.path.abspath(cfg.path) == os.path.abspath(path):
            return
        if not cfg.exists:
            continue
        try:
            data = config.read_file(cfg.path)
        except config.ConfigError:
            continue
        if key in data:
            print(
                f"note: {cfg.path} ({cfg.role}) also sets {key!r} and takes priority over this file.",
                file=sys.stderr,
            )
            return
    # `path` is not among the files lamina reads.
    print(
        f"note: lamina does not read {path} unless LAMINA_CONFIG names it.",
        file=sys.stderr,
    )


def run_validate(args: argparse.Namespace) -> int:
    problems: list[str] = []
    checked: list[str] = []
    if args.file:
        paths = [args.file]
    else:
        paths = []
        for cfg in config.config_files():
            if cfg.exists:
                paths.append(cfg.path)
            elif cfg.role == "LAMINA_CONFIG":
                problems.append(
                    f"LAMINA_CONFIG names {cfg.path}, which does not exist. Create it "
                    "(lamina config set KEY VALUE writes it) or unset LAMINA_CONFIG."
                )
        for key in config.KEYS:
            env = config.ENV_VARS[key]
            raw = os.environ.get(env)
            if raw:
                try:
                    config.validate_value(
                        key, raw, f"environment variable {env}", config.env_fix(key)
                    )
                    checked.append(f"{env}={raw}")
                except config.ConfigError as e:
                    problems.append(str(e))
    for path in paths:
        try:
            config.read_file(path)
            checked.append(path)
        except config.ConfigError as e:
            problems.append(str(e))
    for problem in problems:
        print(f"lamina: {problem}", file=sys.stderr)
    if problems:
        return 1
    for item in checked:
        print(f"OK: {item}")
    if not checked:
        print("OK: no config file exists yet; the defaults apply")
    return 0
