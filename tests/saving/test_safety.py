"""Loading never runs code: the payload shapes of known Keras CVEs, and malformed
files, are refused with clear errors and no side effect."""

import base64
import io
import json
import marshal
import os
import uuid
import zipfile

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lamina
from lamina.saving import DeserializationError

_ALLOWED = (ValueError, TypeError, OSError, NotImplementedError)


class Trap(lamina.layers.Layer):
    """A class a hostile config may name by module path; building it is the side effect."""

    built_from_file = False

    def __init__(self, **kwargs):
        Trap.built_from_file = True
        super().__init__(**kwargs)


def _sentinel_path(tmp_path) -> str:
    return str(tmp_path / f"sentinel-{uuid.uuid4().hex}")


def _valid_archive(tmp_path) -> bytes:
    model = lamina.Sequential([lamina.Input(shape=(2,)), lamina.layers.Dense(1)])
    path = tmp_path / "valid.keras"
    model.save(path)
    return path.read_bytes()


def _archive(tmp_path, config, extra: dict | None = None, weights: bytes | None = None) -> str:
    """A .keras file with the given config.json (dict or raw bytes) and members."""
    valid = zipfile.ZipFile(io.BytesIO(_valid_archive(tmp_path)))
    path = str(tmp_path / f"{uuid.uuid4().hex}.keras")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata.json", valid.read("metadata.json"))
        raw = config if isinstance(config, bytes) else json.dumps(config).encode()
        archive.writestr("config.json", raw)
        archive.writestr("model.weights.h5", weights or valid.read("model.weights.h5"))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def _model_config(layer: dict) -> dict:
    return {
        "module": "keras",
        "class_name": "Sequential",
        "config": {
            "name": "sequential",
            "layers": [
                {
                    "module": "keras.layers",
                    "class_name": "InputLayer",
                    "config": {"batch_shape": [None, 2], "dtype": "float32", "name": "in"},
                    "registered_name": None,
                },
                layer,
            ],
        },
        "registered_name": None,
    }


def _file_writing_bytecode(target: str) -> str:
    def payload(x):
        with open(target, "w") as f:
            f.write("pwned")
        return x

    return base64.b64encode(marshal.dumps(payload.__code__)).decode()


# ---------------------------------------------------------------------- CVE payloads
@pytest.mark.parametrize("safe_mode", [True, False])
def test_cve_2024_3660_lambda_bytecode_is_refused(tmp_path, safe_mode):
    sentinel = _sentinel_path(tmp_path)
    lambda_layer = {
        "module": "keras.layers",
        "class_name": "Lambda",
        "config": {
            "name": "lambda",
            "function": {
                "class_name": "__lambda__",
                "config": {
                    "code": _file_writing_bytecode(sentinel),
                    "defaults": None,
                    "closure": None,
                },
            },
            "arguments": {},
        },
        "registered_name": None,
    }
    path = _archive(tmp_path, _model_config(lambda_layer))
    with pytest.raises(DeserializationError, match="never runs code"):
        lamina.models.load_model(path, safe_mode=safe_mode)
    with pytest.raises(DeserializationError, match="bytecode"):
        lamina.models.model_from_json(json.dumps(_model_config(lambda_layer)))
    assert not os.path.exists(sentinel)


def test_cve_2025_1550_module_and_function_names_are_never_imported(tmp_path):
    sentinel = _sentinel_path(tmp_path)
    payloads = [
        {"module": "os", "class_name": "system", "config": {"command": f"touch {sentinel}"}},
        {"module": "builtins", "class_name": "exec", "config": {"source": "1"}},
        {
            "module": "os",
            "class_name": "function",
            "config": "system",
            "registered_name": "function",
        },
        {"module": __name__, "class_name": "Trap", "config": {}, "registered_name": "Trap"},
    ]
    for payload in payloads:
        payload.setdefault("registered_name", None)
        with pytest.raises(DeserializationError, match="never imports"):
            lamina.models.load_model(_archive(tmp_path, payload))
        with pytest.raises(DeserializationError, match="never imports"):
            lamina.models.load_model(_archive(tmp_path, _model_config(dict(payload))))
    # Inside a layer's arguments too: an activation or initializer naming os.system.
    nested = {
        "module": "keras.layers",
        "class_name": "Dense",
        "config": {
            "units": 1,
            "activation": {"module": "os", "class_name": "function", "config": "system"},
            "kernel_initializer": {"module": "os", "class_name": "system", "config": {}},
        },
        "registered_name": None,
    }
    with pytest.raises(DeserializationError, match="[Uu]nknown"):
        lamina.models.load_model(_archive(tmp_path, _model_config(nested)))
    assert not os.path.exists(sentinel)
    assert Trap.built_from_file is False


@pytest.mark.parametrize(
    "gadget",
    [
        {"module": "keras.config", "class_name": "enable_unsafe_deserialization", "config": {}},
        {
            "module": "keras.src.saving.serialization_lib",
            "class_name": "function",
            "config": "enable_unsafe_deserialization",
        },
        {"module": "keras.utils", "class_name": "function", "config": "get_file"},
        {
            "module": "keras.utils",
            "class_name": "get_file",
            "config": {"fname": "x", "origin": "file:///etc/passwd"},
        },
        {"module": "keras.src.ops", "class_name": "function", "config": "convert_to_numpy"},
    ],
)
def test_cve_2025_8747_and_9906_gadgets_are_refused(tmp_path, gadget):
    gadget = {**gadget, "registered_name": gadget.get("registered_name")}
    before = set(os.listdir(tmp_path))
    with pytest.raises(DeserializationError):
        lamina.models.load_model(_archive(tmp_path, gadget))
    layer = {
        "module": "keras.layers",
        "class_name": "Dense",
        "config": {"units": 1, "activation": gadget},
        "registered_name": None,
    }
    with pytest.raises(DeserializationError):
        lamina.models.load_model(_archive(tmp_path, _model_config(layer)))
    # A Lambda naming a lamina op by a string is refused too: functions come from the caller.
    lambda_layer = {
        "module": "keras.layers",
        "class_name": "Lambda",
        "config": {"name": "l", "function": gadget.get("config") or "exp"},
        "registered_name": None,
    }
    if isinstance(lambda_layer["config"]["function"], dict):
        lambda_layer["config"]["function"] = "exp"
    with pytest.raises(DeserializationError, match="custom_objects"):
        lamina.models.load_model(_archive(tmp_path, _model_config(lambda_layer)))
    created = set(os.listdir(tmp_path)) - before
    assert all(name.endswith(".keras") for name in created)
    assert not os.path.exists(os.path.expanduser("~/.keras/datasets/x"))


@pytest.mark.parametrize("safe_mode", [True, False])
def test_cve_2025_9905_legacy_h5_lambda_is_refused(tmp_path, safe_mode):
    sentinel = _sentinel_path(tmp_path)
    config = {
        "class_name": "Sequential",
        "config": {
            "name": "sequential",
            "layers": [
                {
                    "class_name": "Lambda",
                    "config": {
                        "name": "lambda",
                        "batch_input_shape": [None, 2],
                        "function": [_file_writing_bytecode(sentinel), None, None],
                        "function_type": "lambda",
                        "output_shape": None,
                        "arguments": {},
                    },
                }
            ],
        },
    }
    path = str(tmp_path / "legacy.h5")
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps(config)
        f.attrs["keras_version"] = "2.15.0"
        f.create_group("model_weights").attrs["layer_names"] = [b"lambda"]
    with pytest.raises(DeserializationError, match="bytecode"):
        lamina.models.load_model(path, safe_mode=safe_mode)
    assert not os.path.exists(sentinel)


@pytest.mark.parametrize(
    "member", ["../../{name}", "/tmp/{name}", "..\\..\\{name}", "a/../../{name}"]
)
def test_cve_2025_12060_zip_path_traversal_is_refused(tmp_path, member):
    name = f"lamina-traversal-{uuid.uuid4().hex}"
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    path = _archive(
        work,
        _model_config({"module": "keras.layers", "class_name": "Dense", "config": {"units": 1}}),
        extra={member.format(name=name): b"x"},
    )
    with pytest.raises(DeserializationError, match="leaves the archive"):
        lamina.models.load_model(path)
    with pytest.raises(DeserializationError, match="leaves the archive"):
        lamina.Sequential([lamina.Input(shape=(2,)), lamina.layers.Dense(1)]).load_weights(path)
    assert not (tmp_path / name).exists()
    assert not os.path.exists(os.path.join("/tmp", name))


# ---------------------------------------------------------------------- malformed files
def test_truncated_and_garbage_files(tmp_path):
    data = _valid_archive(tmp_path)
    for cut in (10, len(data) // 2, len(data) - 5):
        path = tmp_path / f"cut{cut}.keras"
        path.write_bytes(data[:cut])
        with pytest.raises(_ALLOWED):
            lamina.models.load_model(path)
    garbage = tmp_path / "garbage.keras"
    garbage.write_bytes(b"\x00\x01not a zip" * 10)
    with pytest.raises(DeserializationError, match="not a zip"):
        lamina.models.load_model(garbage)
    with pytest.raises(FileNotFoundError):
        lamina.models.load_model(tmp_path / "missing.keras")


def test_wrong_member_types(tmp_path):
    with pytest.raises(DeserializationError, match="UTF-8"):
        lamina.models.load_model(_archive(tmp_path, b"\xff\xfe\x00{bad"))
    with pytest.raises(DeserializationError, match="JSON object"):
        lamina.models.load_model(_archive(tmp_path, b"[1, 2, 3]"))
    with pytest.raises(DeserializationError, match="not valid JSON"):
        lamina.models.load_model(_archive(tmp_path, b'{"class_name": '))
    with pytest.raises(DeserializationError, match="nested too deeply"):
        lamina.models.load_model(_archive(tmp_path, b"[" * 200000 + b"]" * 200000))
    config = _model_config(
        {"module": "keras.layers", "class_name": "Dense", "config": {"units": 1}}
    )
    with pytest.raises(DeserializationError, match="HDF5"):
        lamina.models.load_model(_archive(tmp_path, config, weights=b'{"not": "hdf5"}'))
    bad_layers = {"class_name": "Sequential", "config": {"layers": "dense"}}
    with pytest.raises(DeserializationError, match="'layers' list"):
        lamina.models.load_model(_archive(tmp_path, bad_layers))
    no_config = tmp_path / "noconfig.keras"
    with zipfile.ZipFile(no_config, "w") as archive:
        archive.writestr("metadata.json", "{}")
    with pytest.raises(DeserializationError, match="config.json"):
        lamina.models.load_model(no_config)


def test_absurd_sizes_are_refused_before_allocation(tmp_path):
    huge = {"module": "keras.layers", "class_name": "Dense", "config": {"units": 10**12}}
    with pytest.raises(DeserializationError, match="larger than any layer size"):
        lamina.models.load_model(_archive(tmp_path, _model_config(huge)))
    # A weights file declaring a 10**12-element dataset (stored lazily, a few bytes on disk).
    model = lamina.Sequential([lamina.Input(shape=(2,)), lamina.layers.Dense(1)])
    path = tmp_path / "huge.weights.h5"
    with h5py.File(path, "w") as f:
        group = f.create_group("layers/dense/vars")
        group.create_dataset("0", shape=(10**6, 10**6), dtype="float32", chunks=(1, 1))
        group.create_dataset("1", shape=(1,), dtype="float32")
    assert os.path.getsize(path) < 1 << 20
    with pytest.raises(ValueError, match="shape"):
        model.load_weights(path)


def test_decompression_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.keras"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", b" " * (65 << 20))
        archive.writestr("model.weights.h5", b"\x00" * (8 << 20))
    assert os.path.getsize(path) < 1 << 20
    with pytest.raises(DeserializationError, match="limit|bomb"):
        lamina.models.load_model(path)
    ratio = tmp_path / "ratio.keras"
    with zipfile.ZipFile(ratio, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", b"{}")
        archive.writestr("model.weights.h5", b"\x00" * (32 << 20))
    with pytest.raises(DeserializationError, match="bomb"):
        lamina.models.load_model(ratio)


def test_weights_file_links_are_refused(tmp_path):
    model = lamina.Sequential([lamina.Input(shape=(2,)), lamina.layers.Dense(1)])
    outside = tmp_path / "outside.h5"
    with h5py.File(outside, "w") as f:
        f.create_dataset("secret", data=np.zeros((2, 1), "float32"))
    path = tmp_path / "linked.weights.h5"
    with h5py.File(path, "w") as f:
        group = f.create_group("layers/dense/vars")
        group["0"] = h5py.ExternalLink(str(outside), "secret")
        group.create_dataset("1", data=np.zeros((1,), "float32"))
    with pytest.raises(DeserializationError, match="link"):
        model.load_weights(path)


# ---------------------------------------------------------------------- fuzz
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_fuzzed_archives_fail_cleanly(tmp_path, data):
    base = getattr(test_fuzzed_archives_fail_cleanly, "_base", None)
    if base is None:
        base = test_fuzzed_archives_fail_cleanly._base = _valid_archive(tmp_path)
    raw = bytearray(base)
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    path = tmp_path / "fuzz.keras"
    path.write_bytes(bytes(raw))
    try:
        lamina.models.load_model(path)
    except _ALLOWED:
        pass


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(["Dense", "relu", "x", ""]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["class_name", "config", "module", "layers", "units", "name", "inbound_nodes"]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(config=_json_values)
def test_fuzzed_configs_fail_cleanly(config):
    try:
        lamina.models.model_from_json(json.dumps(config))
    except _ALLOWED:
        pass
