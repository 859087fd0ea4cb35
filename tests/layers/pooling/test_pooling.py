"""Max/average pooling and global pooling layers: shapes, config, fit, Keras parity."""

import numpy as np
import pytest

from lamina import layers, ops
from lamina.layers.input_spec import InputShapeError
from lamina.testing.layer_test import assert_keras_parity, keras_module, run_layer_test

FORMATS = ["channels_last", "channels_first"]

# (class name, constructor kwargs, channels_last input shape with batch)
CASES = [
    ("MaxPooling1D", {}, (2, 9, 3)),
    ("MaxPooling1D", {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 9, 3)),
    ("MaxPooling2D", {}, (2, 7, 6, 3)),
    ("MaxPooling2D", {"pool_size": (3, 2), "strides": 1, "padding": "same"}, (2, 7, 6, 3)),
    ("MaxPooling3D", {"pool_size": 2, "strides": (1, 2, 2)}, (2, 4, 5, 5, 2)),
    ("AveragePooling1D", {"pool_size": 3, "padding": "same"}, (2, 10, 3)),
    ("AveragePooling2D", {"pool_size": 2}, (2, 7, 6, 3)),
    ("AveragePooling2D", {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 7, 6, 3)),
    ("AveragePooling3D", {"pool_size": (2, 3, 2), "padding": "same"}, (2, 4, 5, 5, 2)),
    ("GlobalMaxPooling1D", {}, (2, 9, 3)),
    ("GlobalMaxPooling2D", {"keepdims": True}, (2, 7, 6, 3)),
    ("GlobalMaxPooling3D", {}, (2, 4, 5, 5, 2)),
    ("GlobalAveragePooling1D", {"keepdims": True}, (2, 9, 3)),
    ("GlobalAveragePooling2D", {}, (2, 7, 6, 3)),
    ("GlobalAveragePooling3D", {"keepdims": True}, (2, 4, 5, 5, 2)),
]
IDS = [f"{name}-{i}" for i, (name, _, _) in enumerate(CASES)]
# The short fit (a compile per case, the slow part) runs once per class, on its
# first case, in channels_last; the other cases vary arguments that the shape,
# config and parity checks cover in both formats.
FIT_CASES = {name: kwargs for name, kwargs, _ in reversed(CASES)}


def _fits(name, kwargs, data_format):
    return FIT_CASES[name] is kwargs and data_format == "channels_last"


def _in_format(shape, data_format):
    if data_format == "channels_last":
        return tuple(shape)
    return (shape[0], shape[-1], *shape[1:-1])


def _inputs(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize(("name", "kwargs", "shape"), CASES, ids=IDS)
def test_layer_behaviour(name, kwargs, shape, data_format):
    cls = getattr(layers, name)
    kwargs_in, kwargs = kwargs, {**kwargs, "data_format": data_format}
    input_shape = _in_format(shape, data_format)
    run_layer_test(
        cls,
        kwargs,
        input_shape,
        expected_output_shape=cls(**kwargs).compute_output_shape(input_shape),
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        run_training=_fits(name, kwargs_in, data_format),
    )


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize(("name", "kwargs", "shape"), CASES, ids=IDS)
def test_keras_parity(name, kwargs, shape, data_format):
    keras = keras_module()
    if keras is None:
        pytest.skip("Keras 3 is not importable on this engine")
    if name in ("AveragePooling2D", "AveragePooling3D") and kwargs.get("padding") == "same":
        if keras.backend.backend() == "torch":
            # lamina matches TensorFlow and JAX (and tests/ops checks it against NumPy).
            pytest.skip("Keras 3's torch 'same' average pooling pads unlike its other backends")
    kwargs = {**kwargs, "data_format": data_format}
    ours = getattr(layers, name)(**kwargs)
    theirs = getattr(keras.layers, name)(**kwargs)
    x = _inputs(_in_format(shape, data_format))
    assert_keras_parity(ours, theirs, x)
    unknown_batch = (None, *x.shape[1:])
    assert ours.compute_output_shape(unknown_batch) == theirs.compute_output_shape(unknown_batch)
    assert ours.get_config().keys() == theirs.get_config().keys()
    for key, value in theirs.get_config().items():
        if key not in ("name", "dtype"):
            assert ours.get_config()[key] == value, key


# --------------------------------------------------------------------------- values


def test_max_pooling2d_matches_numpy():
    x = _inputs((2, 6, 4, 3))
    y = ops.convert_to_numpy(layers.MaxPooling2D(data_format="channels_last")(x))
    expected = x.reshape(2, 3, 2, 2, 2, 3).max(axis=(2, 4))
    np.testing.assert_allclose(y, expected)


def test_average_pooling_same_counts_real_cells_only():
    x = np.arange(1, 6, dtype="float32").reshape(1, 5, 1)
    y = ops.convert_to_numpy(
        layers.AveragePooling1D(2, padding="same", data_format="channels_last")(x)
    )
    # Windows [1, 2], [3, 4] and the lone border cell [5].
    np.testing.assert_allclose(y[0, :, 0], [1.5, 3.5, 5.0])


@pytest.mark.parametrize("data_format", FORMATS)
def test_global_pooling_matches_numpy(data_format):
    x = _inputs((2, 4, 5, 3))
    axes = (1, 2) if data_format == "channels_last" else (2, 3)
    avg = layers.GlobalAveragePooling2D(data_format=data_format)(x)
    top = layers.GlobalMaxPooling2D(data_format=data_format, keepdims=True)(x)
    np.testing.assert_allclose(ops.convert_to_numpy(avg), x.mean(axis=axes), atol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(top), x.max(axis=axes, keepdims=True))


@pytest.mark.parametrize("data_format", FORMATS)
def test_global_average_pooling1d_mask(data_format):
    x = _inputs((2, 5, 3))
    mask = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 0, 1]], dtype=bool)
    expected = np.stack([x[i][mask[i]].mean(axis=0) for i in range(2)])
    if data_format == "channels_first":
        x = np.moveaxis(x, -1, 1)
    layer = layers.GlobalAveragePooling1D(data_format=data_format)
    y = ops.convert_to_numpy(layer(x, mask=mask))
    np.testing.assert_allclose(y, expected, atol=1e-6)
    keras = keras_module()
    if keras is not None:
        theirs = keras.layers.GlobalAveragePooling1D(data_format=data_format)(x, mask=mask)
        np.testing.assert_allclose(y, ops.convert_to_numpy(theirs), atol=1e-6)


# --------------------------------------------------------------------------- shapes


@pytest.mark.parametrize(
    ("layer", "input_shape", "expected"),
    [
        (
            layers.MaxPooling2D(data_format="channels_last"),
            (None, 28, None, 3),
            (None, 14, None, 3),
        ),
        (layers.MaxPooling2D(data_format="channels_first"), (None, 3, 28, 27), (None, 3, 14, 13)),
        (layers.AveragePooling1D(3, strides=2, padding="same"), (4, 9, 2), (4, 5, 2)),
        (layers.MaxPooling3D(data_format="channels_first"), (1, 2, 4, 5, 6), (1, 2, 2, 2, 3)),
        (
            layers.GlobalAveragePooling3D(data_format="channels_first", keepdims=True),
            (None, 4, 2, 3, 5),
            (None, 4, 1, 1, 1),
        ),
        (layers.GlobalMaxPooling1D(), (None, None, 7), (None, 7)),
    ],
)
def test_compute_output_shape(layer, input_shape, expected):
    assert layer.compute_output_shape(input_shape) == expected


def test_strides_default_to_pool_size():
    layer = layers.AveragePooling2D(pool_size=(3, 2))
    assert layer.strides == (3, 2)
    assert layer.get_config()["strides"] == (3, 2)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("layer", "shape"),
    [
        (layers.MaxPooling2D(), (2, 8, 3)),
        (layers.AveragePooling1D(2), (2, 8, 8, 3)),
        (layers.GlobalAveragePooling2D(), (2, 8, 3)),
        (layers.GlobalMaxPooling3D(), (2, 8, 8, 3)),
    ],
)
def test_wrong_rank_names_layer_and_shape(layer, shape):
    with pytest.raises(InputShapeError, match="expected rank") as info:
        layer(np.zeros(shape, "float32"))
    assert layer.name in str(info.value) and str(shape) in str(info.value)


def test_wrong_rank_symbolic():
    layer = layers.MaxPooling2D()
    with pytest.raises(InputShapeError, match=layer.name):
        layer(layers.Input(shape=(8, 3)))


def test_pool_larger_than_input():
    with pytest.raises(ValueError, match="too small"):
        layers.MaxPooling2D(4)(np.zeros((1, 3, 3, 1), "float32"))


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: layers.MaxPooling2D(padding="causal"), "padding"),
        (lambda: layers.MaxPooling2D((2, 2, 2)), "pool_size"),
        (lambda: layers.AveragePooling1D(0), "pool_size"),
        (lambda: layers.GlobalMaxPooling2D(data_format="NHWC"), "data_format"),
    ],
)
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_aliases():
    assert layers.MaxPool2D is layers.MaxPooling2D
    assert layers.AvgPool3D is layers.AveragePooling3D
    assert layers.GlobalAvgPool1D is layers.GlobalAveragePooling1D
    assert layers.GlobalMaxPool2D is layers.GlobalMaxPooling2D
