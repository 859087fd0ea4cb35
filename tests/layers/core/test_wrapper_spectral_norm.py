"""Wrapper and SpectralNormalization: NumPy reference, Keras parity, config, saving, fit."""

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.saving import serialize_keras_object
from lamina.testing.layer_test import keras_module, run_layer_test

TOLERANCE = 1e-5


def _keras():
    keras = keras_module()
    if keras is None:
        pytest.skip(f"Keras 3 has no {lamina.backend.backend()} backend: no parity reference.")
    return keras


def _x(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


# ---------------------------------------------------------------------- Wrapper


class _Doubled(layers.Wrapper):
    def call(self, inputs):
        return ops.multiply(self.layer(inputs), 2.0)


def test_wrapper_builds_and_tracks_the_wrapped_layer():
    wrapper = _Doubled(layers.Dense(3, kernel_initializer="ones"), name="doubled")
    assert not wrapper.layer.built
    wrapper.build((None, 4))
    assert wrapper.layer.built and wrapper.built
    assert [tuple(w.shape) for w in wrapper.trainable_weights] == [(4, 3), (3,)]
    x = _x((2, 4))
    np.testing.assert_allclose(
        ops.convert_to_numpy(wrapper(x)), 2 * x @ np.ones((4, 3)), atol=1e-5
    )


def test_wrapper_config_round_trip():
    wrapper = _Doubled(layers.Dense(3, activation="relu"), name="doubled")
    config = wrapper.get_config()
    assert config["name"] == "doubled"
    assert config["layer"]["class_name"] == "Dense"
    assert config["layer"]["config"]["units"] == 3
    clone = _Doubled.from_config(config)
    assert isinstance(clone.layer, layers.Dense) and clone.layer is not wrapper.layer
    assert clone.layer.activation is wrapper.layer.activation
    # A serialized layer is accepted in place of the layer.
    assert isinstance(_Doubled(config["layer"]).layer, layers.Dense)


def test_wrapper_rejects_a_non_layer():
    with pytest.raises(ValueError, match="wraps a layer instance"):
        _Doubled("dense")


def test_wrapper_is_public():
    assert lamina.layers.Wrapper is layers.Wrapper
    assert issubclass(layers.SpectralNormalization, layers.Wrapper)


# ---------------------------------------------------------------------- SpectralNormalization


def _numpy_power_iteration(kernel, u, iterations):
    matrix = kernel.reshape(-1, kernel.shape[-1]).astype("float64")
    u = u.astype("float64")

    def normalize(x):
        return x / max(np.sqrt(np.sum(x**2)), 1e-7)

    for _ in range(iterations):
        v = normalize(u @ matrix.T)
        u = normalize(v @ matrix)
    sigma = (v @ matrix @ u.T).item()
    return u, kernel / sigma


@pytest.mark.parametrize("iterations", [1, 3])
def test_training_call_matches_numpy(iterations):
    layer = layers.SpectralNormalization(layers.Dense(3), power_iterations=iterations)
    x = _x((5, 4))
    layer(x)
    kernel, u = layer.layer.kernel.numpy(), layer.vector_u.numpy()
    for _ in range(2):
        expected_u, expected_kernel = _numpy_power_iteration(kernel, u, iterations)
        bias = layer.layer.bias.numpy()
        outputs = ops.convert_to_numpy(layer(x, training=True))
        np.testing.assert_allclose(layer.vector_u.numpy(), expected_u, atol=TOLERANCE)
        np.testing.assert_allclose(layer.layer.kernel.numpy(), expected_kernel, atol=TOLERANCE)
        np.testing.assert_allclose(outputs, x @ expected_kernel + bias, atol=TOLERANCE)
        kernel, u = expected_kernel, expected_u


def test_inference_call_leaves_weights_alone():
    layer = layers.SpectralNormalization(layers.Dense(3))
    x = _x((2, 4))
    first = ops.convert_to_numpy(layer(x))
    kernel, u = layer.layer.kernel.numpy(), layer.vector_u.numpy()
    np.testing.assert_allclose(first, x @ kernel, atol=TOLERANCE)
    np.testing.assert_array_equal(ops.convert_to_numpy(layer(x, training=False)), first)
    np.testing.assert_array_equal(layer.layer.kernel.numpy(), kernel)
    np.testing.assert_array_equal(layer.vector_u.numpy(), u)


def test_many_iterations_give_unit_spectral_norm():
    layer = layers.SpectralNormalization(
        layers.Conv2D(4, 3, kernel_initializer=lamina.initializers.HeNormal(seed=3)),
        power_iterations=60,
    )
    outputs = layer(_x((1, 6, 6, 2)), training=True)
    assert tuple(ops.shape(outputs)) == (1, 4, 4, 4)
    matrix = layer.layer.kernel.numpy().reshape(-1, 4)
    # Power iteration converges on the largest singular value from below.
    np.testing.assert_allclose(np.linalg.norm(matrix, 2), 1.0, atol=2e-3)


def test_embedding_is_normalized():
    layer = layers.SpectralNormalization(layers.Embedding(6, 3), power_iterations=60)
    indices = np.array([[0, 1, 5]], "int32")
    outputs = layer(indices, training=True)
    assert tuple(ops.shape(outputs)) == (1, 3, 3)
    assert layer.kernel is layer.layer.embeddings
    np.testing.assert_allclose(np.linalg.norm(layer.layer.embeddings.numpy(), 2), 1.0, atol=2e-3)


def test_all_zero_kernel_is_left_alone():
    layer = layers.SpectralNormalization(layers.Dense(2, kernel_initializer="zeros"))
    x = _x((2, 3))
    layer(x)
    u = layer.vector_u.numpy()
    outputs = ops.convert_to_numpy(layer(x, training=True))
    np.testing.assert_array_equal(layer.layer.kernel.numpy(), np.zeros((3, 2), "float32"))
    np.testing.assert_array_equal(layer.vector_u.numpy(), u)
    np.testing.assert_array_equal(outputs, np.zeros((2, 2), "float32"))


def test_weights_layout():
    layer = layers.SpectralNormalization(layers.Dense(3), name="sn")
    layer.build((None, 4))
    # The wrapper's own variables: the wrapped kernel, then vector_u (Keras's `vars/0, 1`).
    assert layer._trainable_variables == [layer.layer.kernel]
    assert [v.name for v in layer._non_trainable_variables] == ["vector_u"]
    assert tuple(layer.vector_u.shape) == (1, 3)
    assert [v.name for v in layer.trainable_weights] == ["kernel", "bias"]
    assert [v.name for v in layer.non_trainable_weights] == ["vector_u"]


def test_errors():
    with pytest.raises(ValueError, match="power_iterations"):
        layers.SpectralNormalization(layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="neither"):
        layers.SpectralNormalization(layers.Activation("relu"))(_x((2, 3)))


def test_layer_helper_and_config():
    dense = serialize_keras_object(layers.Dense(3))
    run_layer_test(
        layers.SpectralNormalization,
        {"layer": dense, "power_iterations": 2},
        input_shape=(4, 5),
        expected_output_shape=(4, 3),
        expected_num_trainable_weights=2,
        expected_num_non_trainable_weights=1,
        run_training=False,  # test_fit_updates_vector_u_and_trains fits
    )
    config = layers.SpectralNormalization(layers.Dense(3), power_iterations=2).get_config()
    assert config["power_iterations"] == 2 and config["layer"]["class_name"] == "Dense"
    restored = lamina.saving.deserialize_keras_object(
        serialize_keras_object(layers.SpectralNormalization.from_config(config))
    )
    assert isinstance(restored, layers.SpectralNormalization)
    assert restored.power_iterations == 2


def test_fit_updates_vector_u_and_trains():
    model = lamina.Sequential(
        [lamina.Input((4,)), layers.SpectralNormalization(layers.Dense(2)), layers.Dense(1)]
    )
    model.compile(optimizer=lamina.optimizers.SGD(0.1), loss="mse")
    x, y = _x((16, 4), 1), _x((16, 1), 2)
    u = model.layers[0].vector_u.numpy()
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0, shuffle=False)
    assert not np.allclose(model.layers[0].vector_u.numpy(), u)
    assert history.history["loss"][-1] < history.history["loss"][0]


def _copy_weights(ours, theirs):
    theirs.layer.kernel.assign(ours.layer.kernel.numpy())
    theirs.layer.bias.assign(ours.layer.bias.numpy())
    theirs.vector_u.assign(ours.vector_u.numpy())


def test_matches_keras_training_and_inference():
    keras = _keras()
    x = _x((3, 4))
    ours = layers.SpectralNormalization(layers.Dense(5), power_iterations=2)
    theirs = keras.layers.SpectralNormalization(keras.layers.Dense(5), power_iterations=2)
    ours(x)
    theirs(x)
    _copy_weights(ours, theirs)
    for training in (True, True, False):
        expected = keras.ops.convert_to_numpy(theirs(x, training=training))
        actual = ops.convert_to_numpy(ours(x, training=training))
        np.testing.assert_allclose(actual, expected, atol=TOLERANCE)
        np.testing.assert_allclose(
            ours.vector_u.numpy(), keras.ops.convert_to_numpy(theirs.vector_u), atol=TOLERANCE
        )
    assert ours.get_config()["power_iterations"] == theirs.get_config()["power_iterations"]
    assert len(ours.weights) == len(theirs.weights)


def test_saved_files_move_both_ways_with_keras(tmp_path):
    keras = _keras()
    theirs = keras.Sequential(
        [keras.Input((4,)), keras.layers.SpectralNormalization(keras.layers.Dense(3))]
    )
    x = _x((2, 4))
    theirs.layers[0](x, training=True)  # a vector_u that differs from its initial value
    path = str(tmp_path / "keras.keras")
    theirs.save(path)
    ours = lamina.saving.load_model(path)
    wrapper = ours.layers[0]
    assert isinstance(wrapper, layers.SpectralNormalization)
    np.testing.assert_array_equal(
        wrapper.vector_u.numpy(), keras.ops.convert_to_numpy(theirs.layers[0].vector_u)
    )
    np.testing.assert_array_equal(
        wrapper.layer.kernel.numpy(), keras.ops.convert_to_numpy(theirs.layers[0].layer.kernel)
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(ours(x)), keras.ops.convert_to_numpy(theirs(x)), atol=TOLERANCE
    )
    wrapper(x, training=True)
    back = str(tmp_path / "lamina.keras")
    ours.save(back)
    again = keras.saving.load_model(back)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(again.layers[0].vector_u), wrapper.vector_u.numpy()
    )
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(again.layers[0].layer.kernel), wrapper.layer.kernel.numpy()
    )
