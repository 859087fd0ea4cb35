"""lamina.config: sources and their order, validation, the home file, and what
`import lamina` does (announcement, engine selection), checked in fresh processes
where import-time behaviour matters.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile

import pytest

import lamina
from lamina import config
from lamina._engines import ENGINES, IMPLEMENTED, EngineNotInstalledError

CURRENT = lamina.backend.backend()
DISPLAY = ENGINES[CURRENT].display
INSTALLED = [name for name in IMPLEMENTED if ENGINES[name].installed()]
ENGINE_MODULES = ("tensorflow", "jax", "torch", "pytensor", "autograd")


def clean_env(tmp_path, **overrides: str | None) -> dict[str, str]:
    """The environment for a fresh lamina process: no LAMINA_* or VIRTUAL_ENV from
    outside, a new home, the suite's engine, and `overrides` (None removes a variable)."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("LAMINA_") and k != "VIRTUAL_ENV"
    }
    env.update(
        LAMINA_HOME=str(tmp_path / "home"), LAMINA_BACKEND=CURRENT, TF_CPP_MIN_LOG_LEVEL="2"
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )


def announcements(stderr: str) -> list[str]:
    return [
        line for line in stderr.splitlines() if line.startswith("Using ") and "backend" in line
    ]


def write_json(path, data) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """A process environment with no config sources but an empty home in tmp_path."""
    for key in list(os.environ):
        if key.startswith("LAMINA_") and key != "LAMINA_QUIET" or key == "VIRTUAL_ENV":
            monkeypatch.delenv(key)
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(config, "_fallback_home", None)
    return tmp_path


# --------------------------------------------------------------------------- import lamina


# Records, for each engine module imported for the first time, the file whose code
# imported it. (TensorFlow imports JAX itself when JAX is installed; that is not lamina.)
WATCH_IMPORTS = f"""
import json, sys
ENGINE_MODULES = {ENGINE_MODULES!r}
importers = {{}}
class Watch:
    def find_spec(self, name, path=None, target=None):
        if name in ENGINE_MODULES and name not in importers:
            frame = sys._getframe(1)
            while frame is not None and frame.f_code.co_filename.startswith("<frozen"):
                frame = frame.f_back
            importers[name] = frame.f_code.co_filename if frame is not None else None
        return None
sys.meta_path.insert(0, Watch())
import lamina
c = lamina.config
print(json.dumps({{"importers": importers, "backends": sorted(
    m for m in sys.modules if m.startswith("lamina.backend.") and m.count(".") == 2),
    "settings": [c.backend(), c.floatx(), c.epsilon(), c.image_data_format()]}}))
"""


@pytest.mark.parametrize("engine", INSTALLED)
def test_import_announces_engine_once_reads_sources_and_imports_no_other_engine(tmp_path, engine):
    write_json(tmp_path / "venv" / "lamina.json", {"floatx": "float16", "epsilon": 0.2})
    explicit = write_json(tmp_path / "explicit.json", {"floatx": "float64"})
    env = clean_env(
        tmp_path,
        LAMINA_BACKEND=engine,
        LAMINA_CONFIG=explicit,
        VIRTUAL_ENV=str(tmp_path / "venv"),
        LAMINA_IMAGE_DATA_FORMAT="channels_first",
    )
    proc = run_python(WATCH_IMPORTS, env)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)  # import lamina itself wrote nothing to stdout
    assert proc.stdout == json.dumps(result) + "\n"
    assert announcements(proc.stderr) == [f"Using {ENGINES[engine].display} backend."]

    lamina_dir = os.path.dirname(lamina.__file__)
    by_lamina = {m for m, f in result["importers"].items() if f and f.startswith(lamina_dir)}
    assert by_lamina <= {ENGINES[engine].module}
    other_backends = {f"lamina.backend.{name}" for name in IMPLEMENTED if name != engine}
    assert not other_backends & set(result["backends"])

    # env > LAMINA_CONFIG > $VIRTUAL_ENV/lamina.json > home (all orders: test_source_order)
    assert result["settings"] == [engine, "float64", 0.2, "channels_first"]
    home_file = tmp_path / "home" / "lamina.json"
    assert json.loads(home_file.read_text()) == {
        "floatx": "float32",
        "epsilon": 1e-07,
        "backend": "tensorflow",
        "image_data_format": "channels_last",
    }


def test_no_announcement_in_multiprocessing_child(tmp_path):
    # Only the child imports lamina; the announcement goes to the shared stderr.
    code = (
        "import importlib, multiprocessing\n"
        "if __name__ == '__main__':\n"
        "    p = multiprocessing.get_context('spawn').Process(\n"
        "        target=importlib.import_module, args=('lamina',))\n"
        "    p.start(); p.join()\n"
        "    assert p.exitcode == 0, p.exitcode\n"
    )
    proc = run_python(code, clean_env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert announcements(proc.stderr) == []
    assert (tmp_path / "home" / "lamina.json").exists()  # the child did import lamina


def test_import_with_broken_config_raises_config_error(tmp_path):
    path = write_json(tmp_path / "home" / "lamina.json", {"floatx": "float8"})
    proc = run_python("import lamina", clean_env(tmp_path))
    assert proc.returncode == 1
    assert "lamina.config.ConfigError" in proc.stderr
    assert path in proc.stderr and "'float8'" in proc.stderr and "'float32'" in proc.stderr
    assert announcements(proc.stderr) == []


def test_unwritable_home_falls_back_to_temp_dir_with_warning_quietly(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    env = clean_env(
        tmp_path, LAMINA_HOME=str(blocker / "home"), TMPDIR=str(tmp_path / "tmp"), LAMINA_QUIET="1"
    )
    (tmp_path / "tmp").mkdir()
    proc = run_python("import lamina; print(lamina.config.floatx())", env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "float32\n"
    assert "UserWarning" in proc.stderr and "cannot write its config folder" in proc.stderr
    assert str(tmp_path / "tmp" / "lamina") in proc.stderr
    assert (
        json.loads((tmp_path / "tmp" / "lamina" / "lamina.json").read_text())["epsilon"] == 1e-07
    )
    assert announcements(proc.stderr) == []  # LAMINA_QUIET=1


def test_unwritable_home_in_process(isolated, monkeypatch):
    blocker = isolated / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("LAMINA_HOME", str(blocker / "home"))
    monkeypatch.setattr(tempfile, "tempdir", str(isolated / "tmp"))
    (isolated / "tmp").mkdir()
    with pytest.warns(UserWarning, match="Set LAMINA_HOME to a writable folder"):
        written = config.ensure_home_file()
    assert written == str(isolated / "tmp" / "lamina" / "lamina.json")
    homes = [f for f in config.config_files() if f.role == "LAMINA_HOME"]
    assert homes[0].path == written and homes[0].exists


@pytest.mark.parametrize("spelling", ["theano", "Theano"])
def test_theano_means_pytensor(tmp_path, spelling):
    proc = run_python("import lamina", clean_env(tmp_path, LAMINA_BACKEND=spelling))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [
        "lamina: backend 'theano' means PyTensor, Theano's maintained successor; using 'pytensor'.",
        "Using PyTensor backend.",
    ]


def test_theano_alias_is_canonical():
    assert config.validate_value("backend", "theano") == "pytensor"
    assert config.validate_value("backend", " JAX ") == "jax"


def test_engine_not_installed_names_pip_command(monkeypatch):
    missing = dataclasses.replace(ENGINES[CURRENT], module="lamina_no_such_engine")
    monkeypatch.setitem(lamina.backend.ENGINES, CURRENT, missing)
    with pytest.raises(EngineNotInstalledError) as info:
        lamina.backend._select()
    message = str(info.value)
    assert ENGINES[CURRENT].pip_command in message
    assert f"'{CURRENT}'" in message and "LAMINA_BACKEND" in message


# --------------------------------------------------------------------------- sources


def test_defaults_and_home_file_written(isolated):
    settings = config.resolve()
    assert {k: s.value for k, s in settings.items()} == config.DEFAULTS
    home = isolated / "home" / "lamina.json"
    assert json.loads(home.read_text()) == config.DEFAULTS
    assert all(s.source == f"{home} (LAMINA_HOME)" for s in settings.values())


def test_source_order(isolated, monkeypatch):
    home = write_json(
        isolated / "home" / "lamina.json",
        {
            "floatx": "float16",
            "epsilon": 0.1,
            "image_data_format": "channels_first",
            "backend": "numpy",
        },
    )
    venv = write_json(
        isolated / "venv" / "lamina.json",
        {"floatx": "bfloat16", "epsilon": 0.2, "image_data_format": "channels_last"},
    )
    explicit = write_json(isolated / "explicit.json", {"floatx": "float64", "epsilon": 0.3})
    monkeypatch.setenv("VIRTUAL_ENV", str(isolated / "venv"))
    monkeypatch.setenv("LAMINA_CONFIG", explicit)
    monkeypatch.setenv("LAMINA_FLOATX", "float32")
    settings = config.resolve()
    got = {k: (s.value, s.source) for k, s in settings.items()}
    assert got == {
        "floatx": ("float32", "environment variable LAMINA_FLOATX"),
        "epsilon": (0.3, f"{explicit} (LAMINA_CONFIG)"),
        "image_data_format": ("channels_last", f"{venv} (VIRTUAL_ENV)"),
        "backend": ("numpy", f"{home} (LAMINA_HOME)"),
    }
    assert [f.role for f in config.config_files()] == [
        "LAMINA_CONFIG",
        "VIRTUAL_ENV",
        "LAMINA_HOME",
    ]


def test_env_values_are_parsed_and_empty_env_is_ignored(isolated, monkeypatch):
    monkeypatch.setenv("LAMINA_EPSILON", "1e-5")
    monkeypatch.setenv("LAMINA_IMAGE_DATA_FORMAT", "")
    settings = config.resolve(write_home=False)
    assert settings["epsilon"].value == 1e-5
    assert settings["image_data_format"].source == "default"
    assert not (isolated / "home" / "lamina.json").exists()


def test_missing_lamina_config_file_is_an_error(isolated, monkeypatch):
    monkeypatch.setenv("LAMINA_CONFIG", str(isolated / "nope.json"))
    with pytest.raises(
        config.ConfigError, match="LAMINA_CONFIG names .*nope.json, which does not exist"
    ):
        config.resolve()


BROKEN = [
    ("{not json", None, None, ["not valid JSON", "floatx"]),
    ({"backnd": "jax"}, "backnd", "'jax'", ["Unknown config key", "Known keys", "'backend'"]),
    (
        {"backend": "tensorflw"},
        "backend",
        "'tensorflw'",
        ["'tensorflow', 'jax'", "Did you mean 'tensorflow'"],
    ),
    ({"floatx": "float8"}, "floatx", "'float8'", ["'float16', 'bfloat16', 'float32', 'float64'"]),
    ({"epsilon": "small"}, "epsilon", "'small'", ["a positive number"]),
    ({"epsilon": -1}, "epsilon", "-1", ["a positive number"]),
    (
        {"image_data_format": "channels_middle"},
        "image_data_format",
        "'channels_middle'",
        ["'channels_last', 'channels_first'"],
    ),
    ({"backend": ["jax"]}, "backend", "['jax']", ["'tensorflow'"]),
    ([1, 2], None, None, ["holds a JSON list", "expected an object"]),
]


@pytest.mark.parametrize(("content", "key", "value", "expected"), BROKEN)
def test_broken_config_names_file_key_value_and_allowed(isolated, content, key, value, expected):
    path = write_json(isolated / "home" / "lamina.json", content)
    with pytest.raises(config.ConfigError) as info:
        config.resolve()
    message = str(info.value)
    assert path in message
    if key is not None:
        assert repr(key) in message and value in message
    for fragment in expected:
        assert fragment in message
    if key is not None and key in config.DEFAULTS:
        assert f"lamina config set --file {path} {key} {config.DEFAULTS[key]}" in message


def test_bad_env_value_says_to_fix_the_variable(isolated, monkeypatch):
    monkeypatch.setenv("LAMINA_FLOATX", "float8")
    with pytest.raises(config.ConfigError) as info:
        config.resolve()
    message = str(info.value)
    assert "environment variable LAMINA_FLOATX" in message and "'float8'" in message
    assert "Set LAMINA_FLOATX to an allowed value, or unset it" in message


# --------------------------------------------------------------------------- python API


@pytest.fixture
def restore_settings(monkeypatch):
    """Let a test change this process's settings; put the old ones back afterwards."""
    monkeypatch.setattr(config, "_settings", dict(config._state()))


@pytest.mark.parametrize("module", [lamina.config, lamina.backend], ids=["config", "backend"])
def test_python_api(restore_settings, module):
    assert module.backend() == CURRENT
    assert module.floatx() == "float32"
    assert module.epsilon() == 1e-07
    assert module.image_data_format() == "channels_last"

    module.set_floatx("float64")
    module.set_epsilon(1e-4)
    module.set_image_data_format("channels_first")
    assert (module.floatx(), module.epsilon(), module.image_data_format()) == (
        "float64",
        1e-4,
        "channels_first",
    )
    assert config.settings()["floatx"].source == "set_floatx() call"
    assert config.standardize_data_format(None) == "channels_first"


def test_python_api_rejects_bad_values(restore_settings):
    with pytest.raises(ValueError, match="'float8'.*'float32'"):
        config.set_floatx("float8")
    with pytest.raises(ValueError, match="positive number"):
        config.set_epsilon(0)
    with pytest.raises(ValueError, match="'channels_last', 'channels_first'"):
        config.set_image_data_format("channels_middle")
    assert config.floatx() == "float32"


def test_settings_restored_after_api_tests():
    assert config.floatx() == "float32" and config.image_data_format() == "channels_last"
