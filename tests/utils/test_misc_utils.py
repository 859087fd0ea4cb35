"""lamina.utils: batch packing, symbolic-tensor helpers, serialization re-exports,
clear_session, standardize_dtype, split_dataset."""

import random

import numpy as np
import pytest

import lamina
from lamina import utils


def test_pack_and_unpack():
    x, y, w = np.zeros(2), np.ones(2), np.full(2, 0.5)
    assert utils.pack_x_y_sample_weight(x) is x
    assert utils.pack_x_y_sample_weight([x, y]) == ([x, y],)
    assert utils.pack_x_y_sample_weight(x, y) == (x, y)
    assert utils.pack_x_y_sample_weight(x, y, w) == (x, y, w)
    assert utils.pack_x_y_sample_weight(x, None, w) is x
    assert utils.unpack_x_y_sample_weight(x) == (x, None, None)
    assert utils.unpack_x_y_sample_weight((x,)) == (x, None, None)
    assert utils.unpack_x_y_sample_weight([x, y]) == (x, y, None)
    assert utils.unpack_x_y_sample_weight((x, y, w)) == (x, y, w)
    with pytest.raises(ValueError, match="4 items"):
        utils.unpack_x_y_sample_weight((x, y, w, w))


def test_source_inputs_and_is_keras_tensor():
    a = lamina.Input((2,), name="left")
    b = lamina.Input((2,), name="right")
    out = lamina.layers.Dense(1)(lamina.layers.Add()([a, b, a]))
    assert utils.get_source_inputs(out) == [a, b]
    assert utils.get_source_inputs(a) == [a]
    plain = np.zeros(2)
    assert utils.get_source_inputs(plain) is plain
    assert utils.is_keras_tensor(out) and not utils.is_keras_tensor(plain)
    assert not utils.is_keras_tensor(lamina.ops.convert_to_tensor(plain))


def test_serialization_reexports_and_scope_alias():
    assert utils.serialize_keras_object is lamina.saving.serialize_keras_object
    assert utils.deserialize_keras_object is lamina.saving.deserialize_keras_object
    assert utils.CustomObjectScope is utils.custom_object_scope
    layer = lamina.layers.Dense(3, name="d")
    config = utils.serialize_keras_object(layer)
    assert config["class_name"] == "Dense"
    assert utils.deserialize_keras_object(config).get_config() == layer.get_config()

    class Scaled(lamina.layers.Dense):
        pass

    config = dict(utils.serialize_keras_object(Scaled(2)), module=None, registered_name="Scaled")
    config["class_name"] = "Scaled"
    with utils.CustomObjectScope({"Scaled": Scaled}):
        assert type(utils.deserialize_keras_object(config)) is Scaled


def test_clear_session_resets_names_and_policy():
    lamina.layers.Dense(1)
    lamina.layers.Dense(1)
    lamina.optimizers.Adam()
    lamina.dtype_policies.set_dtype_policy("mixed_float16")
    utils.clear_session()
    assert lamina.layers.Dense(1).name == "dense"
    assert lamina.layers.Dense(1).name == "dense_1"
    assert lamina.optimizers.Adam().name == "adam"
    assert lamina.metrics.Mean().name == "mean"
    assert lamina.dtype_policies.dtype_policy().name == lamina.backend.floatx()
    utils.clear_session(free_memory=False)
    assert lamina.Input((2,)).name == "input_layer"
    assert lamina.layers.Dense(1).name == "dense"


def test_clear_session_matches_keras(keras_ref):
    keras_ref.utils.clear_session()
    utils.clear_session()
    for _ in range(3):
        theirs = keras_ref.layers.Dense(1).name
        ours = lamina.layers.Dense(1).name
        assert ours == theirs
    keras_ref.utils.clear_session()
    utils.clear_session()
    assert lamina.layers.Dense(1).name == keras_ref.layers.Dense(1).name == "dense"


def test_standardize_dtype():
    assert utils.standardize_dtype(None) == lamina.backend.floatx()
    assert utils.standardize_dtype("float16") == "float16"
    assert utils.standardize_dtype(np.float64) == "float64"
    assert utils.standardize_dtype(np.dtype("int8")) == "int8"
    assert utils.standardize_dtype(bool) == "bool"
    expected_int = "int64" if lamina.backend.backend() == "tensorflow" else "int32"
    assert utils.standardize_dtype(int) == expected_int
    engine_dtype = lamina.backend.engine.core.dtype(lamina.ops.convert_to_tensor([1.0, 2.0]))
    assert utils.standardize_dtype(engine_dtype) == "float32"
    native = lamina.ops.convert_to_tensor(np.zeros(2, "int16"))
    assert utils.standardize_dtype(getattr(native, "dtype", "int16")) == "int16"
    with pytest.raises(ValueError, match="Invalid dtype"):
        utils.standardize_dtype("float31")


def test_standardize_dtype_matches_keras(keras_ref):
    for dtype in (None, "float32", np.int16, np.dtype("uint8"), int, float, bool, "bfloat16"):
        assert utils.standardize_dtype(dtype) == keras_ref.utils.standardize_dtype(dtype)
    tensor = keras_ref.ops.convert_to_tensor(np.zeros(2, "float16"))
    assert utils.standardize_dtype(tensor.dtype) == "float16"


def test_split_dataset_arrays_and_fractions():
    data = np.arange(20).reshape(10, 2)
    left, right = utils.split_dataset(data, left_size=0.8)
    assert len(left) == 8 and len(right) == 2
    np.testing.assert_array_equal(np.stack(list(left)), data[:8])
    np.testing.assert_array_equal(np.stack(list(right)), data[8:])
    x, y = np.arange(10.0), np.arange(10) % 2
    left, right = utils.split_dataset((x, y), left_size=3, right_size=5)
    assert len(left) == 3 and len(right) == 5
    lx, ly = zip(*left)
    np.testing.assert_array_equal(lx, x[:3])
    np.testing.assert_array_equal(ly, y[:3])
    rx, _ = zip(*right)
    np.testing.assert_array_equal(rx, x[5:])
    with pytest.raises(ValueError, match="left_size or right_size"):
        utils.split_dataset(data)
    with pytest.raises(ValueError, match="left_size"):
        utils.split_dataset(data, left_size=10)
    with pytest.raises(TypeError, match="left_size"):
        utils.split_dataset(data, left_size="half")
    with pytest.raises(ValueError, match="sum"):
        utils.split_dataset(data, left_size=0.7, right_size=0.6)


def test_split_dataset_shuffles_as_keras_does():
    data = np.arange(12)
    order = list(data)
    random.Random(3).shuffle(order)
    left, right = utils.split_dataset(data, right_size=4, shuffle=True, seed=3)
    assert [int(v) for v in left] == order[:8]
    assert [int(v) for v in right] == order[8:]


def test_split_dataset_output_batches_and_fits():
    x = np.random.default_rng(0).normal(size=(10, 3)).astype("float32")
    y = (x.sum(axis=1, keepdims=True) > 0).astype("float32")
    left, right = utils.split_dataset((x, y), left_size=0.6)
    train = left.batch(4)
    assert len(train) == 2
    bx, by = train[0]
    np.testing.assert_array_equal(bx, x[:4])
    np.testing.assert_array_equal(by, y[:4])
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(train, validation_data=right.batch(4), epochs=1, verbose=0)
    assert np.isfinite(history.history["val_loss"][0])
    rebatched_left, _ = utils.split_dataset(train, left_size=5)
    assert rebatched_left.batch_size == 4 and len(rebatched_left) == 2


def test_split_dataset_matches_keras(keras_ref):
    x = np.arange(30, dtype="float32").reshape(15, 2)
    y = np.arange(15)
    for kwargs in ({"left_size": 0.6}, {"right_size": 4, "shuffle": True, "seed": 7}):
        ours = utils.split_dataset((x, y), **kwargs)
        # Keras's torch path splits at random even without shuffle; lamina splits as its
        # tf.data path does, on every engine.
        theirs = keras_ref.utils.split_dataset((x, y), preferred_backend="tensorflow", **kwargs)
        for our_side, their_side in zip(ours, theirs):
            their_items = [(np.asarray(a), np.asarray(b)) for a, b in their_side]
            our_items = list(our_side)
            assert len(our_items) == len(their_items)
            for (ox, oy), (tx, ty) in zip(our_items, their_items):
                np.testing.assert_array_equal(ox, tx)
                np.testing.assert_array_equal(oy, ty)


def test_backend_clear_session_resets_names_as_keras_backend_does():
    lamina.layers.Dense(2)
    lamina.backend.clear_session()
    assert lamina.layers.Dense(2).name == "dense"
