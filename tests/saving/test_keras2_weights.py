"""Keras 2 weights-only `.h5` files load as Keras 3 loads them: layer by
layer in order by default, by layer name with `by_name=True`."""

import warnings

import h5py
import numpy as np
import pytest

import lamina


def _model(names=("first", "second"), units=(4, 2)):
    inputs = lamina.Input((3,))
    x = lamina.layers.Dense(units[0], name=names[0])(inputs)
    x = lamina.layers.Dropout(0.1)(x)  # no weights: not counted
    x = lamina.layers.Dense(units[1], name=names[1])(x)
    return lamina.Model(inputs, x)


def _write(model, path):
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [layer.name.encode() for layer in model.layers]
        f.attrs["keras_version"] = b"2.15.0"
        for layer in model.layers:
            group = f.create_group(layer.name)
            names = [f"{layer.name}/{w.name}:0" for w in layer.weights]
            for name, w in zip(names, layer.weights):
                group.create_dataset(name, data=w.numpy())
            group.attrs["weight_names"] = [n.encode() for n in names]


def test_layers_load_in_order_whatever_their_names(tmp_path):
    # Keras 1 and 2 files name layers by their own counters ("dense_7"): the
    # published Xception weights among them.
    source = _model(names=("dense_7", "dense_8"))
    path = tmp_path / "w.h5"
    _write(source, path)
    target = _model()
    target.load_weights(path)
    for a, b in zip(source.get_weights(), target.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_a_different_layer_count_says_to_match_by_name(tmp_path):
    path = tmp_path / "w.h5"
    _write(_model(), path)
    inputs = lamina.Input((3,))
    other = lamina.Model(inputs, lamina.layers.Dense(2, name="second")(inputs))
    with pytest.raises(ValueError, match=r"2 layers, but model .* has 1 .*by_name=True"):
        other.load_weights(path)


def test_by_name_matches_names(tmp_path):
    source = _model()
    path = tmp_path / "w.h5"
    _write(source, path)
    inputs = lamina.Input((3,))
    other = lamina.Model(inputs, lamina.layers.Dense(2, name="second")(inputs))
    with pytest.raises(ValueError, match="which the model does not have"):
        other.load_weights(path, by_name=True)
    # "first" is not in this model, and "second" in the file has a (4, 2)
    # kernel against this model's (3, 2): both are left out.
    with pytest.warns(UserWarning, match=r"Skipped: 'second/kernel:0' .* \(4, 2\)"):
        other.load_weights(path, by_name=True, skip_mismatch=True)
    target = _model(names=("x", "second"))
    target.load_weights(path, by_name=True, skip_mismatch=True)
    np.testing.assert_array_equal(
        target.get_layer("second").kernel.numpy(), source.layers[-1].kernel.numpy()
    )


def test_skip_mismatch_in_order_warns_and_keeps_the_rest(tmp_path):
    source = _model(units=(4, 2))
    path = tmp_path / "w.h5"
    _write(source, path)
    target = _model(units=(4, 5))
    before = target.get_layer("second").kernel.numpy().copy()
    with pytest.raises(ValueError, match=r"shape \(4, 2\); layer #1"):
        target.load_weights(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        target.load_weights(path, skip_mismatch=True)
    assert any("Skipped" in str(w.message) for w in caught)
    np.testing.assert_array_equal(
        target.get_layer("first").kernel.numpy(), source.layers[1].kernel.numpy()
    )
    np.testing.assert_array_equal(target.get_layer("second").kernel.numpy(), before)


def test_by_name_is_for_keras2_files_only(tmp_path):
    model = _model()
    path = tmp_path / "m.weights.h5"
    model.save_weights(path)
    with pytest.raises(ValueError, match="by_name=True applies to Keras 2 .h5 files only"):
        model.load_weights(path, by_name=True)
    with pytest.raises(TypeError, match=r"unexpected keyword arguments \['bogus'\]"):
        model.load_weights(path, bogus=1)
