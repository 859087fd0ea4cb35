"""Ops called on symbolic tensors: graph nodes in functional models, saved as Keras 3
saves its operations, so such models move between lamina and Keras both ways."""

import json

import numpy as np
import pytest

import lamina
from lamina import ops
from lamina.backend._keras_tensor import KerasTensor

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

_rng = np.random.RandomState(0)
A = _rng.randn(2, 3, 4).astype("float32")
B = _rng.randn(2, 3, 4).astype("float32")


def _graph(K):
    """The same functional model, written with `K.ops` and operators: lamina or Keras."""
    a, b = K.Input((3, 4), name="a"), K.Input((3, 4), name="b")
    y = K.ops.exp(a) * 0.5 + 1.0
    z = K.ops.mean(y, axis=1, keepdims=True)
    c = K.ops.concatenate([z, K.ops.sum(b, axis=1, keepdims=True)], axis=-1)
    d = c[:, 0, 1:7]
    e = K.ops.where(d > 0.2, d, -d)
    f = K.ops.reshape(abs(e), (-1, 3, 2))
    g = f[..., None, 1]
    h = K.ops.einsum("bi,i->bi", K.ops.squeeze(g, -1), np.array([1.0, -2.0, 0.5], "float32"))
    s = K.ops.softmax(h, axis=-1)
    t = K.ops.cast(s > 0.3, "float32") - K.ops.max(b, axis=(1, 2))[:, None]
    u = 2.0 ** K.ops.clip(t, -1.0, 1.0) // 0.5 % 3.0
    return K.Model([a, b], [u, K.ops.transpose(f, (0, 2, 1))])


def _expected(a, b):
    y = np.exp(a) * 0.5 + 1.0
    c = np.concatenate([y.mean(1, keepdims=True), b.sum(1, keepdims=True)], -1)
    d = c[:, 0, 1:7]
    f = np.abs(np.where(d > 0.2, d, -d)).reshape(-1, 3, 2)
    h = np.einsum("bi,i->bi", f[..., None, 1][..., 0], np.array([1.0, -2.0, 0.5]))
    s = np.exp(h - h.max(-1, keepdims=True))
    s = s / s.sum(-1, keepdims=True)
    t = (s > 0.3).astype("float32") - b.max(axis=(1, 2))[:, None]
    return [2.0 ** np.clip(t, -1.0, 1.0) // 0.5 % 3.0, f.transpose(0, 2, 1)]


def _check(outputs, expected):
    for out, exp in zip(outputs, expected, strict=True):
        np.testing.assert_allclose(ops.convert_to_numpy(out), exp, rtol=1e-5, atol=1e-5)


def test_ops_on_symbolic_tensors_build_a_model_that_computes_them():
    model = _graph(lamina)
    assert [tuple(t.shape) for t in model.outputs] == [(None, 3), (None, 2, 3)]
    _check(model([A, B]), _expected(A, B))
    _check(model.predict([A, B], verbose=0), _expected(A, B))


def test_ops_describe_symbolic_tensors_without_nodes():
    x = lamina.Input((3, 4))
    assert ops.shape(x) == (None, 3, 4)
    assert ops.dtype(x) == "float32"
    assert isinstance(ops.mean(x), KerasTensor)


def test_the_config_round_trip_rebuilds_the_same_computation():
    model = _graph(lamina)
    config = json.loads(json.dumps(model.get_config()))
    _check(lamina.Model.from_config(config)([A, B]), _expected(A, B))


def test_a_symbolic_argument_where_keras_keeps_a_constant_saves_as_a_lamina_op(tmp_path):
    x, low, high = lamina.Input((4,)), lamina.Input((4,)), lamina.Input((4,))
    model = lamina.Model([x, low, high], ops.clip(x, low, high))
    entry = model.get_config()["layers"][-1]
    assert (entry["module"], entry["class_name"]) == ("lamina.ops", "Clip")
    path = str(tmp_path / "clip.keras")
    model.save(path)
    loaded = lamina.models.load_model(path)
    a, b = A.reshape(6, 4), B.reshape(6, 4) - 1.0
    clipped = ops.convert_to_numpy(loaded([a, b, b + 2.0]))
    np.testing.assert_allclose(clipped, np.clip(a, b, b + 2.0))


def test_models_from_earlier_files_with_operator_layers_still_load():
    from lamina.layers.core.lambda_layer import _SymbolicOp

    x = lamina.Input((3,))
    old = lamina.Model(x, _SymbolicOp("add", [2.0], [], name="add")(x))
    config = json.loads(json.dumps(old.get_config()))
    assert config["layers"][-1]["class_name"] == "_SymbolicOp"
    a = np.ones((2, 3), "float32")
    np.testing.assert_allclose(ops.convert_to_numpy(lamina.Model.from_config(config)(a)), a + 2)


def test_an_unknown_keras_operation_is_a_clear_error():
    config = json.loads(json.dumps(_graph(lamina).get_config()))
    config["layers"][-1]["class_name"] = "NoSuchOperation"
    with pytest.raises(Exception, match="NoSuchOperation"):
        lamina.Model.from_config(config)


def _strip_names(layers):
    """Configs without the automatic names, which count per process."""
    out = []
    for entry in layers:
        entry = json.loads(json.dumps(entry))
        entry.pop("name", None)
        entry.get("config", {}).pop("name", None)
        for node in entry.get("inbound_nodes", []):
            text = json.dumps(node)
            out_node = json.loads(text)
            _drop_history_names(out_node)
            entry["inbound_nodes"] = out_node
        out.append((entry.get("module"), entry.get("class_name"), entry))
    return out


def _drop_history_names(value):
    if isinstance(value, dict):
        if value.get("class_name") == "__tensor__":  # Keras's NumPy engine: its arrays are tensors
            value["class_name"] = "__numpy__"
        history = value.get("config", {}).get("keras_history") if "config" in value else None
        if isinstance(history, list):
            history[0] = None
        for v in value.values():
            _drop_history_names(v)
    elif isinstance(value, list):
        for v in value:
            _drop_history_names(v)


def test_the_config_matches_keras(keras_ref):
    ours = _strip_names(_graph(lamina).get_config()["layers"])
    theirs = _strip_names(_graph(keras_ref).get_config()["layers"])
    ours = [e for e in ours if e[1] != "InputLayer"]
    theirs = [e for e in theirs if e[1] != "InputLayer"]
    assert [e[:2] for e in ours] == [e[:2] for e in theirs]
    for (_, name, a), (_, _, b) in zip(ours, theirs, strict=True):
        assert a["config"] == b["config"], name
        assert a["inbound_nodes"] == b["inbound_nodes"], name


def test_a_lamina_file_with_ops_loads_in_keras(keras_ref, tmp_path):
    path = str(tmp_path / "ops.keras")
    _graph(lamina).save(path)
    loaded = keras_ref.saving.load_model(path)
    _check(loaded.predict([A, B], verbose=0), _expected(A, B))


def test_a_keras_file_with_ops_loads_in_lamina(keras_ref, tmp_path):
    path = str(tmp_path / "ops.keras")
    _graph(keras_ref).save(path)
    loaded = lamina.models.load_model(path)
    _check(loaded.predict([A, B], verbose=0), _expected(A, B))


def test_ops_with_several_outputs_give_one_symbolic_tensor_each():
    x = lamina.Input((6,))
    first, second = ops.split(x, 2, axis=-1)
    values, indices = ops.top_k(x, 2)
    model = lamina.Model(x, [first * second, values, indices])
    assert [tuple(t.shape) for t in model.outputs] == [(None, 3), (None, 2), (None, 2)]
    a = A.reshape(4, 6)
    product, top, where = model.predict(a, verbose=0)
    np.testing.assert_allclose(product, a[:, :3] * a[:, 3:], rtol=1e-6)
    np.testing.assert_allclose(top, -np.sort(-a, axis=-1)[:, :2], rtol=1e-6)
    np.testing.assert_array_equal(where, np.argsort(-a, axis=-1)[:, :2])
    restored = lamina.Model.from_config(json.loads(json.dumps(model.get_config())))
    np.testing.assert_allclose(restored.predict(a, verbose=0)[0], product, rtol=1e-6)


def test_op_nodes_are_not_layers_but_the_summary_lists_them():
    x = lamina.Input((3,))
    model = lamina.Model(x, lamina.layers.Dense(2, name="dense")(ops.exp(x) + 1.0))
    assert [layer.name for layer in model.layers] == [model.layers[0].name, "dense"]
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "(Exp)" in text and "(Add)" in text and "Operation" not in text


def test_a_model_with_op_nodes_trains_and_matches_keras(request):
    # Same initial weights, one epoch of SGD: op nodes pass gradients like any layer.
    def build(K):
        x = K.Input((4,))
        h = K.layers.Dense(8, kernel_initializer="glorot_uniform", name="hidden")(x)
        h = K.ops.tanh(h) * 0.5 + K.ops.mean(h, axis=-1, keepdims=True)
        out = K.layers.Dense(1, name="out")(K.ops.concatenate([h, x[:, :2]], axis=-1))
        model = K.Model(x, out)
        model.compile(optimizer=K.optimizers.SGD(0.05), loss="mse")
        return model

    rng = np.random.RandomState(1)
    x = rng.randn(64, 4).astype("float32")
    y = (x[:, :1] * 0.5 - x[:, 1:2]).astype("float32")
    model = build(lamina)
    start = [w.copy() for w in model.get_weights()]
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0, shuffle=False)
    losses = history.history["loss"]
    assert np.all(np.isfinite(losses)) and losses[-1] < losses[0]
    if lamina.backend.backend() in ("pytensor", "numpy"):
        return  # Keras has no PyTensor engine, and no fit on its NumPy one
    keras = request.getfixturevalue("keras_ref")
    reference = build(keras)
    reference.set_weights(start)
    theirs = reference.fit(x, y, epochs=3, batch_size=16, verbose=0, shuffle=False)
    np.testing.assert_allclose(losses, theirs.history["loss"], rtol=1e-4)


def _renamed_graph(K):
    """Ops whose tensor parameters lamina names otherwise than Keras (stack's `xs`,
    tensordot's `a, b`, slice's `x`, stop_gradient's `x`)."""
    a = K.Input((3, 4))
    stacked = K.ops.stack([a, K.ops.stop_gradient(a) * 2.0], axis=1)
    part = K.ops.slice(stacked, (0, 1, 0, 1), (2, 1, 3, 2))
    product = K.ops.tensordot(K.ops.reshape(part, (2, 6)), np.ones((6, 2), "float32"), axes=1)
    return K.Model(a, product)


def _renamed_expected(a):
    stacked = np.stack([a, a * 2.0], axis=1)
    part = stacked[0:2, 1:2, 0:3, 1:3]
    return part.reshape(2, 6) @ np.ones((6, 2), "float32")


@pytest.mark.parametrize("direction", ["lamina_to_keras", "keras_to_lamina"])
def test_ops_named_otherwise_in_keras_move_both_ways(keras_ref, tmp_path, direction):
    source, target = (lamina, keras_ref) if direction == "lamina_to_keras" else (keras_ref, lamina)
    path = str(tmp_path / "renamed.keras")
    model = _renamed_graph(source)
    if source is lamina:
        assert all(e["module"] != "lamina.ops" for e in model.get_config()["layers"])
    model.save(path)
    loaded = target.saving.load_model(path)
    np.testing.assert_allclose(
        ops.convert_to_numpy(loaded.predict(A[:2], verbose=0)), _renamed_expected(A[:2]), rtol=1e-5
    )
