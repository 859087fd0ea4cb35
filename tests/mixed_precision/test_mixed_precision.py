"""Dtype policies and mixed precision: float16/bfloat16 compute with float32
weights, autocasting, loss scaling, saving, and Keras parity."""

import warnings

import numpy as np
import pytest

import lamina
from lamina import dtype_policies, layers, ops, optimizers
from lamina.backend import engine
from lamina.testing.layer_test import keras_module

ENGINE = lamina.backend.backend()
# PyTensor has no C kernels for some float16 reductions and says so once per
# op; it falls back to Python kernels with the same results.
pytestmark = pytest.mark.filterwarnings("ignore:Disabling C code for .* float16:UserWarning")


@pytest.fixture(autouse=True)
def _policy_is_restored():
    yield
    dtype_policies.set_dtype_policy("float32")


@pytest.fixture
def keras():
    module = keras_module()
    if module is None:
        pytest.skip("Keras 3 cannot run on this engine here")
    if module.backend.backend() == "numpy":
        pytest.skip("Keras 3's numpy backend cannot train")
    yield module
    module.config.set_dtype_policy("float32")


@pytest.fixture
def keras_inference():
    module = keras_module()
    if module is None:
        pytest.skip("Keras 3 cannot run on this engine here")
    yield module
    module.config.set_dtype_policy("float32")


def _numpy(x):
    return np.asarray(engine.core.convert_to_numpy(x))


# ----------------------------------------------------------------- policies
@pytest.mark.parametrize(
    ("name", "compute", "variable"),
    [
        ("float32", "float32", "float32"),
        ("float16", "float16", "float16"),
        ("mixed_float16", "float16", "float32"),
        ("mixed_bfloat16", "bfloat16", "float32"),
        ("int32", "int32", "int32"),
    ],
)
def test_policy_dtypes(name, compute, variable):
    policy = dtype_policies.DTypePolicy(name)
    assert (policy.name, policy.compute_dtype, policy.variable_dtype) == (name, compute, variable)
    assert repr(policy) == f'<DTypePolicy "{name}">'
    assert dtype_policies.deserialize(dtype_policies.serialize(policy)) == policy
    assert dtype_policies.get(name) == policy
    assert dtype_policies.get({"class_name": "DTypePolicy", "config": {"name": name}}) == policy


def test_bad_policies_name_the_value_and_the_valid_names():
    with pytest.raises(ValueError, match="'mixed_float32'.*'mixed_float16'"):
        dtype_policies.DTypePolicy("mixed_float32")
    with pytest.raises(TypeError, match="must be a string"):
        dtype_policies.DTypePolicy(16)
    with pytest.raises(ValueError, match="DTypePolicy"):
        dtype_policies.deserialize({"class_name": "QuantizedDTypePolicy", "config": {}})
    with pytest.raises(ValueError, match="set_dtype_policy takes"):
        dtype_policies.set_dtype_policy(3)


def test_global_policy_applies_to_layers_made_afterwards():
    assert lamina.config.dtype_policy().name == "float32"
    lamina.mixed_precision.set_global_policy("mixed_float16")
    assert lamina.mixed_precision.global_policy() == lamina.DTypePolicy("mixed_float16")
    dense = layers.Dense(4)
    own = layers.Dense(4, dtype="float32")
    assert (dense.compute_dtype, dense.variable_dtype, dense.dtype) == (
        "float16",
        "float32",
        "float32",
    )
    assert own.dtype_policy.name == "float32"
    lamina.config.set_dtype_policy("float32")
    assert layers.Dense(4).compute_dtype == "float32"
    assert dense.compute_dtype == "float16"  # a layer keeps the policy it was made with


# ------------------------------------------------------------------ layers
class _Probe(layers.Layer):
    """Records the dtype its weight reads as inside call."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
        self.count = self.add_weight(shape=(), initializer="zeros", dtype="int32", trainable=False)
        self.seen = None

    def call(self, inputs):
        self.seen = ops.dtype(self.w.value)
        return inputs * self.w


def test_mixed_layer_computes_in_float16_and_keeps_float32_weights():
    layer = layers.Dense(3, dtype="mixed_float16")
    x = np.random.default_rng(0).random((2, 5), dtype=np.float32)
    out = layer(x)
    assert ops.dtype(out) == "float16"
    assert [w.dtype for w in layer.weights] == ["float32", "float32"]
    assert ops.dtype(layer.kernel.value) == "float32"  # outside the call: as stored
    expected = x.astype("float16") @ layer.kernel.numpy().astype("float16")
    np.testing.assert_allclose(_numpy(out), expected, rtol=2e-3, atol=2e-3)


def test_variables_read_in_the_compute_dtype_inside_call_only():
    probe = _Probe(dtype="mixed_float16")
    probe(np.ones((2, 3), "float32"))
    assert probe.seen == "float16"
    assert probe.count.dtype == "int32"
    off = _Probe(dtype="mixed_float16", autocast=False)
    off(np.ones((2, 3), "float32"))
    assert off.seen == "float32"


def test_a_float32_layer_inside_a_mixed_model_reads_float32():
    inner = _Probe(dtype="float32")
    lamina.mixed_precision.set_global_policy("mixed_float16")
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(3), inner])
    assert model.dtype_policy.name == "mixed_float16"
    out = model(np.ones((2, 3), "float32"))
    assert inner.seen == "float32"
    assert ops.dtype(out) == "float32"


def test_functional_model_dtypes_under_a_mixed_policy():
    lamina.mixed_precision.set_global_policy("mixed_float16")
    inputs = lamina.Input((4,))
    hidden = layers.Dense(8, activation="relu")(inputs)
    normed = layers.BatchNormalization()(hidden)
    outputs = layers.Activation("softmax", dtype="float32")(layers.Dense(3)(normed))
    model = lamina.Model(inputs, outputs)
    assert inputs.dtype == "float32"
    assert hidden.dtype == normed.dtype == "float16"
    assert outputs.dtype == "float32"
    result = model(np.random.default_rng(0).random((5, 4), dtype=np.float32))
    assert ops.dtype(result) == "float32"
    assert {w.dtype for w in model.weights} == {"float32"}


def test_policy_survives_config_and_saving(tmp_path):
    layer = layers.Dense(3, dtype="mixed_float16")
    config = layer.get_config()
    assert config["dtype"] == "mixed_float16"
    assert layers.Dense.from_config(config).dtype_policy.name == "mixed_float16"
    lamina.mixed_precision.set_global_policy("mixed_float16")
    model = lamina.Sequential(
        [lamina.Input((4,)), layers.Dense(6), layers.Dense(2, dtype="float32")]
    )
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(1).random((8, 4), dtype=np.float32)
    model.fit(x, x[:, :2], epochs=1, verbose=0)
    lamina.mixed_precision.set_global_policy("float32")
    model.save(tmp_path / "mixed.keras")
    loaded = lamina.saving.load_model(tmp_path / "mixed.keras")
    assert [lay.dtype_policy.name for lay in loaded.layers] == ["mixed_float16", "float32"]
    assert isinstance(loaded.optimizer, optimizers.LossScaleOptimizer)
    for a, b in zip(model.optimizer.variables, loaded.optimizer.variables, strict=True):
        assert a.path == b.path
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(model.predict(x, verbose=0), loaded.predict(x, verbose=0))


# ----------------------------------------------------------------- training
def _mixed_model(seed=0):
    lamina.utils.set_random_seed(seed)
    lamina.mixed_precision.set_global_policy("mixed_float16")
    model = lamina.Sequential(
        [
            lamina.Input((6,)),
            layers.Dense(16, activation="relu"),
            layers.Dense(3),
            layers.Activation("softmax", dtype="float32"),
        ]
    )
    lamina.mixed_precision.set_global_policy("float32")
    return model


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 6)).astype("float32"), rng.integers(0, 3, n)


def test_compile_wraps_the_optimizer_for_mixed_float16_only():
    model = _mixed_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    assert isinstance(model.optimizer, optimizers.LossScaleOptimizer)
    assert isinstance(model.optimizer.inner_optimizer, optimizers.Adam)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", auto_scale_loss=False)
    assert isinstance(model.optimizer, optimizers.Adam)
    lamina.mixed_precision.set_global_policy("mixed_bfloat16")
    bf16 = lamina.Sequential([lamina.Input((6,)), layers.Dense(3)])
    bf16.compile(optimizer="adam", loss="mse")
    assert isinstance(bf16.optimizer, optimizers.Adam)


def test_mixed_training_learns_and_counts_finite_steps():
    model = _mixed_model()
    model.compile(optimizer=optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    x, y = _data()
    history = model.fit(x, y, batch_size=16, epochs=6, verbose=0, shuffle=False)
    losses = history.history["loss"]
    assert np.isfinite(losses).all() and losses[-1] < losses[0]
    optimizer = model.optimizer
    assert int(optimizer.iterations) == 24
    assert int(optimizer.step_counter.numpy()) == 24
    assert float(optimizer.dynamic_scale.numpy()) == 2.0**15
    assert {w.dtype for w in model.weights} == {"float32"}


def test_a_step_with_overflowing_gradients_is_skipped():
    model = _mixed_model()
    model.compile(optimizer=optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    x, y = _data(16)
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    weights = model.get_weights()
    slots = [v.numpy() for v in model.optimizer.inner_optimizer.variables]
    x_bad = x.copy()
    x_bad[0, 0] = 6e4  # finite in float32, overflows the float16 activations' gradients
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the loss may be inf: lamina warns once
        model.train_on_batch(x_bad * 1e3, y)
    for before, after in zip(weights, model.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)
    for before, variable in zip(slots, model.optimizer.inner_optimizer.variables, strict=True):
        np.testing.assert_array_equal(before, variable.numpy())
    assert float(model.optimizer.dynamic_scale.numpy()) == 2.0**14
    assert int(model.optimizer.step_counter.numpy()) == 0


# ------------------------------------------------------- LossScaleOptimizer
def _variable(values):
    return lamina.Variable(np.asarray(values, "float32"))


def test_loss_scale_optimizer_unscales_skips_and_grows():
    var = _variable([1.0, 2.0])
    optimizer = optimizers.LossScaleOptimizer(
        optimizers.SGD(0.5), initial_scale=8.0, dynamic_growth_steps=2
    )
    assert float(ops.convert_to_numpy(optimizer.scale_loss(ops.convert_to_tensor(1.0)))) == 8.0
    optimizer.apply([np.array([8.0, 16.0], "float32")], [var])  # gradient 1, 2 unscaled
    np.testing.assert_allclose(var.numpy(), [0.5, 1.0])
    assert (float(optimizer.dynamic_scale.numpy()), int(optimizer.step_counter.numpy())) == (
        8.0,
        1,
    )
    optimizer.apply([np.array([8.0, 8.0], "float32")], [var])
    np.testing.assert_allclose(var.numpy(), [0.0, 0.5])
    assert (float(optimizer.dynamic_scale.numpy()), int(optimizer.step_counter.numpy())) == (
        16.0,
        0,
    )
    optimizer.apply([np.array([np.inf, 1.0], "float32")], [var])
    np.testing.assert_allclose(var.numpy(), [0.0, 0.5])
    assert (float(optimizer.dynamic_scale.numpy()), int(optimizer.step_counter.numpy())) == (
        8.0,
        0,
    )
    assert int(optimizer.iterations) == 2  # the wrapped optimizer's count: skipped steps excluded
    assert [v.path for v in optimizer.variables][:4] == [
        "loss_scale_optimizer/iteration",
        "loss_scale_optimizer/learning_rate",
        "loss_scale_optimizer/step_counter",
        "loss_scale_optimizer/dynamic_scale",
    ]


def test_loss_scale_optimizer_forwards_the_learning_rate():
    inner = optimizers.Adam(0.01)
    optimizer = optimizers.LossScaleOptimizer(inner)
    optimizer.learning_rate = 0.5
    assert float(inner.learning_rate.numpy()) == pytest.approx(0.5)
    assert float(optimizer.learning_rate.numpy()) == pytest.approx(0.5)


def test_loss_scale_optimizer_config_round_trip():
    optimizer = optimizers.LossScaleOptimizer(
        optimizers.Adam(0.02), initial_scale=64.0, dynamic_growth_steps=10
    )
    config = optimizers.serialize(optimizer)
    again = optimizers.deserialize(config)
    assert isinstance(again, optimizers.LossScaleOptimizer)
    assert (again.initial_scale, again.dynamic_growth_steps) == (64.0, 10)
    assert float(again.inner_optimizer.learning_rate.numpy()) == pytest.approx(0.02)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"dynamic": False}, "loss_scale_factor"),
        ({"clipnorm": 1.0}, "set `clipnorm` on the inner optimizer"),
        ({"momentum": 0.9}, "not recognized"),
        ({"dynamic_growth_steps": 0}, "positive integer"),
    ],
)
def test_loss_scale_optimizer_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        optimizers.LossScaleOptimizer(optimizers.SGD(), **kwargs)


def test_loss_scale_optimizer_needs_an_optimizer():
    with pytest.raises(TypeError, match="wraps an optimizer instance"):
        optimizers.LossScaleOptimizer("adam")


def test_loss_scale_factor_scales_the_loss_and_unscales_gradients():
    x, y = _data(32)
    results = []
    for factor in (None, 64.0):
        lamina.utils.set_random_seed(3)
        model = lamina.Sequential([lamina.Input((6,)), layers.Dense(3, activation="softmax")])
        model.compile(
            optimizer=optimizers.SGD(0.1, loss_scale_factor=factor),
            loss="sparse_categorical_crossentropy",
        )
        history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
        results.append((history.history["loss"], model.get_weights()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6)
    for a, b in zip(results[0][1], results[1][1], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


# ------------------------------------------------------------------- parity
def _keras_twin(keras, model):
    keras.config.set_dtype_policy("mixed_float16")
    twin = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(3),
            keras.layers.Activation("softmax", dtype="float32"),
        ]
    )
    keras.config.set_dtype_policy("float32")
    twin.set_weights(model.get_weights())
    return twin


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_mixed_training_matches_keras(keras, optimizer):
    x, y = _data()
    model = _mixed_model()
    twin = _keras_twin(keras, model)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    twin.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    ours = model.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False).history["loss"]
    theirs = twin.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False).history["loss"]
    np.testing.assert_allclose(ours, theirs, rtol=1e-3)
    for a, b in zip(model.get_weights(), twin.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-2, atol=1e-3)
    assert float(model.optimizer.dynamic_scale.numpy()) == float(
        np.asarray(twin.optimizer.dynamic_scale.numpy())
    )
    assert ops.dtype(model.predict(x[:2], verbose=0)) == str(twin.predict(x[:2], verbose=0).dtype)


def test_mixed_layer_outputs_match_keras(keras_inference):
    keras = keras_inference
    x = np.random.default_rng(2).standard_normal((4, 6)).astype("float32")
    ours = layers.Dense(5, activation="relu", dtype="mixed_float16")
    theirs = keras.layers.Dense(5, activation="relu", dtype="mixed_float16")
    out = ours(x)
    theirs(x)
    theirs.set_weights(ours.get_weights())
    expected = np.asarray(keras.ops.convert_to_numpy(theirs(x)))
    assert str(expected.dtype) == ops.dtype(out) == "float16"
    np.testing.assert_array_equal(_numpy(out), expected)


def test_mixed_models_move_between_keras_and_lamina_files(keras, tmp_path):
    # A reloaded model keeps its mixed policy, so compiling it again wraps the
    # optimizer and the saved loss-scale state loads (Keras itself drops the
    # Sequential model's policy and with it that state).
    x, y = _data(32)
    twin = _keras_twin(keras, _mixed_model())
    twin.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    twin.fit(x, y, epochs=1, verbose=0)
    twin.save(tmp_path / "keras.keras")
    model = lamina.saving.load_model(tmp_path / "keras.keras")
    assert model.dtype_policy.name == "mixed_float16"
    assert isinstance(model.optimizer, optimizers.LossScaleOptimizer)
    for ours, theirs in zip(model.optimizer.variables, twin.optimizer.variables, strict=True):
        np.testing.assert_array_equal(ours.numpy(), np.asarray(theirs.numpy()))
    np.testing.assert_array_equal(model.predict(x, verbose=0), twin.predict(x, verbose=0))
    model.save(tmp_path / "lamina.keras")
    again = keras.saving.load_model(tmp_path / "lamina.keras")
    assert [lay.dtype_policy.name for lay in again.layers] == [
        "mixed_float16",
        "mixed_float16",
        "float32",
    ]
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
