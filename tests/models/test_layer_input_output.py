"""`layer.input` / `layer.output` and `model.input` / `model.output`, as
Keras 3 has them: the tensors of the first call on symbolic tensors. The
feature-extractor idiom `Model(model.input, model.layers[-2].output)` rests
on them."""

import numpy as np
import pytest

import lamina


def test_a_layer_keeps_its_first_call():
    dense = lamina.layers.Dense(2)
    x = lamina.Input((3,))
    y = dense(x)
    dense(lamina.Input((3,)))  # a second call does not change them
    assert dense.input is x and dense.output is y


def test_several_tensors_come_as_a_list():
    a, b = lamina.Input((2,)), lamina.Input((2,))
    concat = lamina.layers.Concatenate()
    out = concat([a, b])
    assert concat.input == [a, b] and concat.output is out


def test_an_uncalled_layer_says_so():
    with pytest.raises(AttributeError, match="'never_called' has never been called"):
        _ = lamina.layers.Dense(2, name="never_called").output


def test_feature_extractor_from_a_sequential_model():
    model = lamina.Sequential(
        [lamina.Input((3,)), lamina.layers.Dense(4, name="hidden"), lamina.layers.Dense(2)]
    )
    assert tuple(model.input.shape) == (None, 3) and tuple(model.output.shape) == (None, 2)
    features = lamina.Model(model.input, model.get_layer("hidden").output)
    x = np.ones((2, 3), "float32")
    hidden = model.get_layer("hidden")
    expected = x @ hidden.kernel.numpy() + hidden.bias.numpy()
    np.testing.assert_allclose(features.predict(x, verbose=0), expected, rtol=1e-6)


def test_an_unbuilt_sequential_model_says_so():
    with pytest.raises(AttributeError, match="is not built yet"):
        _ = lamina.Sequential([lamina.layers.Dense(2)]).input


def test_the_input_layer_output_is_the_input():
    x = lamina.Input((3,))
    model = lamina.Model(x, lamina.layers.Dense(1)(x))
    assert model.layers[0].output is x
