"""Layer assets in `.keras` files: what a layer's `save_assets(dir)` writes is stored
under `assets/<its weights path>/` and handed back to `load_assets(dir)` on load."""

import os
import zipfile

import numpy as np
import pytest

import lamina
from lamina import ops

# Keras warns when it saves a Sequential model that was never called; the layers
# hold their state all the same.
pytestmark = pytest.mark.filterwarnings(
    "ignore:You are saving a model that has not yet been built"
)


@lamina.saving.register_keras_serializable(package="assets_test")
class Vocabulary(lamina.layers.Layer):
    """Maps the integers 0..n-1 to their rank in a vocabulary kept only in assets."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.words: list[str] = []

    def call(self, x):
        return ops.cast(x, "float32") * float(len(self.words))

    def save_assets(self, dir_path):
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(self.words))
        os.makedirs(os.path.join(dir_path, "extra"))
        with open(os.path.join(dir_path, "extra", "count.bin"), "wb") as f:
            f.write(bytes([len(self.words)]))

    def load_assets(self, dir_path):
        with open(os.path.join(dir_path, "vocabulary.txt"), encoding="utf-8") as f:
            self.words = f.read().split("\n")
        with open(os.path.join(dir_path, "extra", "count.bin"), "rb") as f:
            assert f.read() == bytes([len(self.words)])


def _model(words):
    inputs = lamina.Input((2,))
    first, second = Vocabulary(name="first"), Vocabulary(name="second")
    first.words, second.words = list(words), list(words[:1])
    model = lamina.Model(inputs, first(inputs) + second(inputs))
    return model, first, second


def test_assets_are_stored_under_each_layers_path_and_restored(tmp_path):
    model, _, _ = _model(["un", "deux", "trois"])
    path = str(tmp_path / "vocab.keras")
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        assert archive.read("assets/layers/vocabulary/vocabulary.txt") == b"un\ndeux\ntrois"
    assert "assets/layers/vocabulary_1/extra/count.bin" in names
    loaded = lamina.models.load_model(path)
    assert loaded.get_layer("first").words == ["un", "deux", "trois"]
    assert loaded.get_layer("second").words == ["un"]
    x = np.ones((1, 2), "float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_an_asset_path_leaving_the_archive_is_refused(tmp_path):
    model, _, _ = _model(["a"])
    path = str(tmp_path / "evil.keras")
    model.save(path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("assets/../../escape.txt", b"x")
    with pytest.raises(lamina.saving.serialization.DeserializationError, match="leaves"):
        lamina.models.load_model(path)
    assert not (tmp_path.parent / "escape.txt").exists()


WORDS = np.array([["the cat sat"], ["the dog sat down"], ["a cat and a dog"]])


def _vectorizers(K):
    """An adapted StringLookup and a tf-idf TextVectorization: vocabulary in assets,
    idf weights in the weights file."""
    lookup = K.layers.StringLookup(name="lookup")
    lookup.adapt(np.array(["b", "a", "c", "a", "b", "a"]))
    vectorize = K.layers.TextVectorization(output_mode="tf_idf", name="vectorize")
    vectorize.adapt(WORDS[:, 0])
    return lookup, vectorize


def _string_outputs(lookup, vectorize):
    return (
        np.asarray(lookup(np.array(["a", "c", "zz"]))),
        np.asarray(vectorize(WORDS[:, 0])),
    )


def _sequential(K, layer):
    return K.Sequential([layer])


@pytest.mark.parametrize("direction", ["lamina_to_lamina", "lamina_to_keras", "keras_to_lamina"])
def test_adapted_lookup_and_tf_idf_layers_move_through_keras_files(direction, tmp_path, request):
    keras = None if direction == "lamina_to_lamina" else request.getfixturevalue("keras_ref")
    if keras is not None and lamina.backend.backend() == "numpy":
        pytest.skip("Keras 3's string layers fail on its NumPy backend (Invalid dtype: str64)")
    source = keras if direction == "keras_to_lamina" else lamina
    target = keras if direction == "lamina_to_keras" else lamina
    layers = _vectorizers(source)
    expected = _string_outputs(*layers)
    restored = []
    for i, layer in enumerate(layers):
        path = str(tmp_path / f"layer{i}.keras")
        _sequential(source, layer).save(path)
        restored.append(target.models.load_model(path).layers[0])
    assert restored[0].get_vocabulary() == layers[0].get_vocabulary()
    assert restored[1].get_vocabulary() == layers[1].get_vocabulary()
    for out, exp in zip(_string_outputs(*restored), expected, strict=True):
        np.testing.assert_allclose(out.astype("float64"), exp.astype("float64"), rtol=1e-6)
