"""image_dataset_from_directory, text_dataset_from_directory, timeseries_dataset_from_array:
batches against NumPy and Keras 3, fit on every engine."""

import os

import numpy as np
import pytest

import lamina
from lamina import utils

Image = pytest.importorskip("PIL.Image")


def _image(seed, height=6, width=5, channels=3):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(height, width, channels), dtype="uint8")


@pytest.fixture
def image_dir(tmp_path):
    """Two classes of PNG images (and a file that is not an image)."""
    pixels = {}
    for label, name in enumerate(["cats", "dogs"]):
        folder = tmp_path / "images" / name
        folder.mkdir(parents=True)
        for i in range(3 + label):
            path = folder / f"img_{i}.png"
            array = _image(10 * label + i)
            Image.fromarray(array).save(path)
            pixels[str(path)] = (array, label)
    (tmp_path / "images" / "cats" / "notes.txt").write_text("not an image")
    return tmp_path / "images", pixels


@pytest.fixture
def text_dir(tmp_path):
    texts = {}
    for label, name in enumerate(["neg", "pos"]):
        folder = tmp_path / "texts" / name
        folder.mkdir(parents=True)
        for i in range(3):
            path = folder / f"{i}.txt"
            text = f"{name} review number {i} é"
            path.write_text(text, encoding="utf-8")
            texts[str(path)] = (text, label)
    return tmp_path / "texts", texts


def test_images_in_sorted_order_without_shuffle(image_dir):
    directory, pixels = image_dir
    dataset = utils.image_dataset_from_directory(
        directory, image_size=(6, 5), batch_size=4, shuffle=False, verbose=False
    )
    assert isinstance(dataset, utils.PyDataset)
    assert dataset.class_names == ["cats", "dogs"] and len(dataset) == 2
    assert dataset.file_paths[0] == os.path.join(directory, "cats", "img_0.png")
    batches = list(dataset)
    images = np.concatenate([b[0] for b in batches])
    labels = np.concatenate([b[1] for b in batches])
    assert images.shape == (7, 6, 5, 3) and images.dtype == np.float32
    assert labels.dtype == np.int32
    for image, label, path in zip(images, labels, dataset.file_paths):
        expected, expected_label = pixels[path]
        np.testing.assert_array_equal(image, expected.astype("float32"))
        assert label == expected_label


def test_image_label_modes_sizes_and_layouts(image_dir):
    directory, _ = image_dir
    common = {"shuffle": False, "verbose": False, "batch_size": 8}
    images, labels = utils.image_dataset_from_directory(
        directory, label_mode="categorical", image_size=(3, 4), **common
    )[0]
    assert images.shape == (7, 3, 4, 3) and labels.shape == (7, 2) and labels.dtype == np.float32
    np.testing.assert_array_equal(labels.argmax(axis=1), [0, 0, 0, 1, 1, 1, 1])
    images, labels = utils.image_dataset_from_directory(
        directory, label_mode="binary", color_mode="grayscale", image_size=(6, 5), **common
    )[0]
    assert images.shape == (7, 6, 5, 1) and labels.shape == (7, 1)
    only_images = utils.image_dataset_from_directory(
        directory, labels=None, image_size=(6, 5), data_format="channels_first", **common
    )
    assert only_images.class_names is None
    assert only_images[0].shape == (7, 3, 6, 5)
    explicit = utils.image_dataset_from_directory(
        directory, labels=[1, 0, 1, 0, 1, 0, 1], image_size=(6, 5), **common
    )
    assert explicit.class_names == ["0", "1"]
    np.testing.assert_array_equal(explicit[0][1], [1, 0, 1, 0, 1, 0, 1])
    subset = utils.image_dataset_from_directory(
        directory, class_names=["dogs"], image_size=(6, 5), **common
    )
    assert len(subset.file_paths) == 4
    single = utils.image_dataset_from_directory(
        directory, batch_size=None, image_size=(6, 5), shuffle=False, verbose=False
    )
    assert len(single) == 7 and single[0][0].shape == (6, 5, 3) and single[0][1].shape == ()


def test_resizing_matches_lamina_resize(image_dir):
    directory, pixels = image_dir
    dataset = utils.image_dataset_from_directory(
        directory, image_size=(4, 4), shuffle=False, verbose=False, crop_to_aspect_ratio=True
    )
    images, _ = dataset[0]
    source = pixels[dataset.file_paths[0]][0].astype("float32")
    expected = lamina.ops.image.resize(source, (4, 4), crop_to_aspect_ratio=True)
    np.testing.assert_allclose(images[0], lamina.ops.convert_to_numpy(expected), atol=1e-4)


def test_shuffle_validation_split_and_errors(image_dir):
    directory, _ = image_dir
    common = {"image_size": (6, 5), "verbose": False, "seed": 5, "validation_split": 0.3}
    train, val = utils.image_dataset_from_directory(directory, subset="both", **common)
    assert len(train.file_paths) == 5 and len(val.file_paths) == 2
    assert not set(train.file_paths) & set(val.file_paths)
    again = utils.image_dataset_from_directory(directory, subset="validation", **common)
    assert again.file_paths == val.file_paths
    first = [b[1].tolist() for b in train]
    second = [b[1].tolist() for b in train]
    assert sorted(sum(first, [])) == sorted(sum(second, []))
    with pytest.raises(ValueError, match="seed"):
        utils.image_dataset_from_directory(directory, validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match="together"):
        utils.image_dataset_from_directory(directory, validation_split=0.2, seed=1)
    with pytest.raises(ValueError, match="exactly 2"):
        utils.image_dataset_from_directory(directory, label_mode="binary", class_names=["cats"])
    with pytest.raises(ValueError, match="label_mode"):
        utils.image_dataset_from_directory(directory, label_mode="sparse")
    with pytest.raises(ValueError, match="not in"):
        utils.image_dataset_from_directory(directory, class_names=["birds"])
    with pytest.raises(ValueError, match="one label per file"):
        utils.image_dataset_from_directory(directory, labels=[0, 1], verbose=False)


def test_image_dataset_trains(image_dir):
    directory, _ = image_dir
    train, val = utils.image_dataset_from_directory(
        directory,
        image_size=(6, 5),
        batch_size=4,
        validation_split=0.3,
        subset="both",
        seed=1,
        verbose=False,
    )
    model = lamina.Sequential(
        [
            lamina.Input((6, 5, 3)),
            lamina.layers.Flatten(),
            lamina.layers.Dense(2),
        ]
    )
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    history = model.fit(train, validation_data=val, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["val_loss"]).all()


def test_image_dataset_matches_keras(keras_ref, image_dir):
    directory, _ = image_dir
    for kwargs in (
        {"label_mode": "categorical"},
        {"validation_split": 0.4, "subset": "validation", "shuffle": True, "seed": 3},
    ):
        kwargs = {
            "image_size": (6, 5),
            "batch_size": 3,
            "verbose": False,
            "shuffle": False,
            **kwargs,
        }
        ours = utils.image_dataset_from_directory(directory, **kwargs)
        theirs = keras_ref.utils.image_dataset_from_directory(directory, **kwargs)
        assert ours.class_names == theirs.class_names
        assert sorted(ours.file_paths) == sorted(theirs.file_paths)
        if kwargs["shuffle"]:
            continue
        assert ours.file_paths == theirs.file_paths
        for (ox, oy), (tx, ty) in zip(ours, theirs):
            np.testing.assert_array_equal(ox, np.asarray(tx))
            np.testing.assert_array_equal(oy, np.asarray(ty))


def test_text_dataset(text_dir):
    directory, texts = text_dir
    dataset = utils.text_dataset_from_directory(
        directory, batch_size=4, shuffle=False, max_length=12, verbose=False
    )
    assert dataset.class_names == ["neg", "pos"] and len(dataset) == 2
    batch_texts, batch_labels = dataset[0]
    assert batch_texts.shape == (4,) and batch_labels.dtype == np.int32
    for text, label, path in zip(batch_texts, batch_labels, dataset.file_paths):
        assert text == texts[path][0][:12] and label == texts[path][1]
    only_texts = utils.text_dataset_from_directory(
        directory, labels=None, batch_size=None, shuffle=False, verbose=False
    )
    assert only_texts[5] == "pos review number 2 é"
    vectorized = dataset.map(lambda x, y: (np.array([[len(t)] for t in x], "float32"), y))
    np.testing.assert_array_equal(vectorized[1][0], [[12.0], [12.0]])
    train, val = utils.text_dataset_from_directory(
        directory, validation_split=0.5, subset="both", seed=2, verbose=False
    )
    assert len(train.file_paths) == 3 and len(val.file_paths) == 3
    with pytest.raises(ValueError, match="format"):
        utils.text_dataset_from_directory(directory, format="torch")


def test_text_dataset_matches_keras(keras_ref, text_dir):
    directory, _ = text_dir
    kwargs = {"batch_size": 4, "shuffle": False, "verbose": False, "label_mode": "binary"}
    ours = utils.text_dataset_from_directory(directory, **kwargs)
    theirs = keras_ref.utils.text_dataset_from_directory(directory, **kwargs)
    assert ours.class_names == theirs.class_names
    for (ox, oy), (tx, ty) in zip(ours, theirs):
        assert [t for t in ox] == [t.decode("utf-8") for t in np.asarray(tx)]
        np.testing.assert_array_equal(oy, np.asarray(ty))


def _windows(data, targets, length, stride=1, rate=1, start=0, end=None):
    end = len(data) if end is None else end
    xs, ys = [], []
    position = start
    while position + (length - 1) * rate < end:
        xs.append(data[position : position + length * rate : rate])
        ys.append(None if targets is None else targets[position])
        position += stride
    return np.array(xs), ys


def test_timeseries_against_numpy():
    data = np.arange(60, dtype="float32").reshape(30, 2)
    targets = np.arange(30) * 10
    for kwargs in (
        {"sequence_length": 5},
        {
            "sequence_length": 3,
            "sequence_stride": 4,
            "sampling_rate": 2,
            "start_index": 3,
            "end_index": 25,
        },
    ):
        dataset = utils.timeseries_dataset_from_array(data, targets, batch_size=4, **kwargs)
        xs = np.concatenate([b[0] for b in dataset])
        ys = np.concatenate([b[1] for b in dataset])
        expected_x, expected_y = _windows(
            data,
            targets,
            kwargs["sequence_length"],
            kwargs.get("sequence_stride", 1),
            kwargs.get("sampling_rate", 1),
            kwargs.get("start_index", 0),
            kwargs.get("end_index"),
        )
        np.testing.assert_array_equal(xs, expected_x)
        np.testing.assert_array_equal(ys, expected_y)
    shuffled = utils.timeseries_dataset_from_array(
        data, None, sequence_length=4, batch_size=None, shuffle=True, seed=1
    )
    starts = sorted(int(window[0, 0]) // 2 for window in shuffled)
    assert starts == list(range(27))
    with pytest.raises(ValueError, match="sampling_rate"):
        utils.timeseries_dataset_from_array(data, None, 3, sampling_rate=0)
    with pytest.raises(ValueError, match="end_index"):
        utils.timeseries_dataset_from_array(data, None, 3, start_index=5, end_index=4)


def test_timeseries_trains():
    series = np.sin(np.arange(40, dtype="float32") / 4)[:, None]
    dataset = utils.timeseries_dataset_from_array(
        series[:-3], series[3:, 0], sequence_length=3, batch_size=8
    )
    model = lamina.Sequential(
        [lamina.Input((3, 1)), lamina.layers.Flatten(), lamina.layers.Dense(1)]
    )
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(dataset, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_timeseries_matches_keras(keras_ref):
    data = np.arange(40, dtype="float32").reshape(20, 2)
    targets = np.arange(20)
    for kwargs in (
        {"sequence_length": 4, "batch_size": 3},
        {
            "sequence_length": 3,
            "sequence_stride": 2,
            "sampling_rate": 2,
            "batch_size": 2,
            "start_index": 1,
            "end_index": 18,
        },
    ):
        ours = list(utils.timeseries_dataset_from_array(data, targets, **kwargs))
        theirs = list(keras_ref.utils.timeseries_dataset_from_array(data, targets, **kwargs))
        assert len(ours) == len(theirs)
        for (ox, oy), (tx, ty) in zip(ours, theirs):
            np.testing.assert_array_equal(ox, np.asarray(tx))
            np.testing.assert_array_equal(oy, np.asarray(ty))
