"""TensorBoard: the event files a fit writes, read back by a reader of the format written
here (CRCs checked, protobuf decoded by hand), by TensorBoard's own reader where it is
installed, and by TensorFlow's record reader on the TensorFlow engine."""

import json
import os
import struct
import zlib

import numpy as np
import pytest

import lamina
from lamina import callbacks
from lamina.callbacks import _event_file

# ---------------------------------------------------------------- a reader of event files


def _crc32c(data: bytes) -> int:
    # Bitwise, unlike the table-driven writer: an independent check.
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 * (crc & 1))
    return crc ^ 0xFFFFFFFF


def _masked(data: bytes) -> int:
    crc = _crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _records(path) -> list:
    with open(path, "rb") as f:
        data = f.read()
    records, i = [], 0
    while i < len(data):
        assert len(data) - i >= 12, f"{path}: a truncated record header at byte {i}"
        header = data[i : i + 8]
        (length,) = struct.unpack("<Q", header)
        (header_crc,) = struct.unpack("<I", data[i + 8 : i + 12])
        assert header_crc == _masked(header), f"{path}: bad length CRC at byte {i}"
        body = data[i + 12 : i + 12 + length]
        assert len(body) == length, f"{path}: a truncated record at byte {i}"
        (body_crc,) = struct.unpack("<I", data[i + 12 + length : i + 16 + length])
        assert body_crc == _masked(body), f"{path}: bad data CRC at byte {i}"
        records.append(body)
        i += 16 + length
    return records


def _varint(data: bytes, i: int):
    value = shift = 0
    while True:
        byte = data[i]
        value |= (byte & 0x7F) << shift
        shift += 7
        i += 1
        if not byte & 0x80:
            return value, i


def _fields(data: bytes) -> dict:
    """{field number: [values]} of a protobuf message: ints, or the bytes of the others."""
    out, i = {}, 0
    while i < len(data):
        key, i = _varint(data, i)
        field, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, i = _varint(data, i)
        elif wire_type == 1:
            value, i = data[i : i + 8], i + 8
        elif wire_type == 2:
            length, i = _varint(data, i)
            value, i = data[i : i + length], i + length
        elif wire_type == 5:
            value, i = data[i : i + 4], i + 4
        else:
            raise AssertionError(f"wire type {wire_type}")
        out.setdefault(field, []).append(value)
    assert i == len(data)
    return out


def _double(raw) -> float:
    return struct.unpack("<d", raw)[0]


def _events(path) -> list:
    events = []
    for body in _records(path):
        fields = _fields(body)
        event = {"wall_time": _double(fields[1][0]), "step": fields.get(2, [0])[0]}
        if 3 in fields:
            event["file_version"] = fields[3][0].decode()
        if 5 in fields:
            event["values"] = [_fields(v) for v in _fields(fields[5][0]).get(1, [])]
        events.append(event)
    return events


def _event_files(folder) -> list:
    names = sorted(n for n in os.listdir(folder) if n.startswith("events.out.tfevents."))
    return [os.path.join(folder, n) for n in names]


def _summaries(folder) -> dict:
    """{tag: [(step, Summary.Value fields)]} of every event file in `folder`."""
    out: dict = {}
    for path in _event_files(folder):
        events = _events(path)
        assert events[0]["file_version"] == "brain.Event:2"
        assert "values" not in events[0]
        for event in events[1:]:
            for value in event["values"]:
                out.setdefault(value[1][0].decode(), []).append((event["step"], value))
    return out


def _scalars(folder) -> dict:
    """{tag: [(step, float32 value)]} of the simple values in `folder`."""
    return {
        tag: [(step, struct.unpack("<f", v[2][0])[0]) for step, v in entries]
        for tag, entries in _summaries(folder).items()
        if all(2 in v for _, v in entries)
    }


def _histogram(value: dict) -> dict:
    histo = _fields(value[5][0])
    named = {name: _double(histo[i][0]) for i, name in enumerate(["min", "max", "num"], 1)}
    named["sum"], named["sum_squares"] = _double(histo[4][0]), _double(histo[5][0])
    named["bucket_limit"] = np.frombuffer(histo[6][0], "<f8")
    named["bucket"] = np.frombuffer(histo[7][0], "<f8")
    return named


# ---------------------------------------------------------------- the format


def test_crc32c_matches_the_standard_check_values():
    assert _event_file.crc32c(b"123456789") == 0xE3069283
    assert _event_file.crc32c(bytes(32)) == 0x8A9136AA  # RFC 3720's test vectors
    assert _event_file.crc32c(bytes(range(32))) == 0x46DD794E
    assert _event_file.crc32c(b"") == 0
    data = bytes(range(256)) * 3
    assert _event_file.crc32c(data) == _crc32c(data)


def test_the_writer_frames_whole_records(tmp_path):
    writer = _event_file.EventFileWriter(str(tmp_path / "run"))
    writer.write(7, [_event_file.scalar_value("loss", 0.25)])
    writer.write(-3, [_event_file.scalar_value("negative step", 1.0)])
    writer.close()
    writer.close()  # closing twice is harmless
    assert writer.closed
    (path,) = _event_files(tmp_path / "run")
    assert os.path.basename(path).endswith(".v2")
    events = _events(path)
    assert events[0]["file_version"] == "brain.Event:2"
    assert events[1]["step"] == 7
    assert events[1]["values"][0][1] == [b"loss"]
    assert struct.unpack("<f", events[1]["values"][0][2][0])[0] == 0.25
    assert events[2]["step"] - (1 << 64) == -3  # int64 as two's complement


# ---------------------------------------------------------------- a fit


def _model():
    model = lamina.Sequential(
        [
            lamina.Input(shape=(4,)),
            lamina.layers.Dense(8, activation="relu", name="dense"),
            lamina.layers.Dense(3, activation="softmax", name="dense_1"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(32, 4)).astype("float32"), rng.integers(0, 3, size=(32,))


class _Recorder(callbacks.Callback):
    """Batch logs, iterations and weights at the points TensorBoard writes them."""

    def __init__(self):
        super().__init__()
        self.batch_logs, self.iterations, self.weights = [], [], []

    def on_train_batch_end(self, batch, logs=None):
        self.batch_logs.append(dict(logs))

    def on_test_end(self, logs=None):
        self.iterations.append(int(self.model.optimizer.iterations.numpy()))

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append({w.path: w.numpy() for w in self.model.weights})


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One fit of 3 epochs of 3 batches, with every option that writes something."""
    log_dir = tmp_path_factory.mktemp("tensorboard") / "logs"
    x, y = _data()
    model = _model()
    recorder = _Recorder()
    tensorboard = callbacks.TensorBoard(
        log_dir=log_dir,
        histogram_freq=2,
        write_images=True,
        write_steps_per_second=True,
        update_freq=2,
    )
    history = model.fit(
        x,
        y,
        batch_size=8,
        epochs=3,
        validation_split=0.25,
        verbose=0,
        callbacks=[tensorboard, recorder],
    )
    return {
        "log_dir": log_dir,
        "history": history.history,
        "recorder": recorder,
        "tensorboard": tensorboard,
        "model": model,
    }


def _float32s(values) -> list:
    return [float(np.float32(v)) for v in values]


def test_epoch_scalars_equal_the_history(run):
    train = _scalars(run["log_dir"] / "train")
    validation = _scalars(run["log_dir"] / "validation")
    history = run["history"]
    for name in ("loss", "accuracy"):
        assert train[f"epoch_{name}"] == list(enumerate(_float32s(history[name])))
        assert validation[f"epoch_{name}"] == list(enumerate(_float32s(history[f"val_{name}"])))
    assert train["epoch_learning_rate"] == [(e, float(np.float32(0.001))) for e in range(3)]
    assert [step for step, _ in train["epoch_steps_per_second"]] == [0, 1, 2]
    assert all(value > 0 for _, value in train["epoch_steps_per_second"])
    assert not any(tag.startswith("epoch_val") for tag in train)


def test_validation_passes_log_against_iterations(run):
    validation = _scalars(run["log_dir"] / "validation")
    iterations = run["recorder"].iterations
    assert iterations == [3, 6, 9]
    expected = list(zip(iterations, _float32s(run["history"]["val_loss"])))
    assert validation["evaluation_loss_vs_iterations"] == expected
    assert [s for s, _ in validation["evaluation_accuracy_vs_iterations"]] == iterations


def test_batch_scalars_every_update_freq_batches(run):
    train = _scalars(run["log_dir"] / "train")
    logs = run["recorder"].batch_logs  # batch k (from 1) is logs[k - 1]
    assert len(logs) == 9
    for name in ("loss", "accuracy"):
        expected = [(k, float(np.float32(logs[k - 1][name]))) for k in (2, 4, 6, 8)]
        assert train[f"batch_{name}"] == expected
    assert [s for s, _ in train["batch_steps_per_second"]] == [2, 4, 6, 8]
    assert not any(tag.startswith("batch_") for tag in _scalars(run["log_dir"] / "validation"))


def test_histograms_of_the_weights(run):
    summaries = _summaries(run["log_dir"] / "train")
    paths = [w.path for w in run["model"].weights]
    assert paths == ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]
    for path in paths:
        entries = summaries[f"{path}/histogram"]
        assert [step for step, _ in entries] == [0, 2]  # histogram_freq=2
        for step, value in entries:
            weight = run["recorder"].weights[step][path].astype(np.float64).ravel()
            histo = _histogram(value)
            assert histo["num"] == weight.size
            assert histo["min"] == weight.min() and histo["max"] == weight.max()
            np.testing.assert_allclose(histo["sum"], weight.sum(), rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(histo["sum_squares"], (weight**2).sum(), rtol=1e-12)
            assert histo["bucket"].sum() == weight.size
            assert histo["bucket_limit"][-1] == weight.max()
            assert len(histo["bucket"]) in (1, 30)


def _png_size(png: bytes) -> tuple:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height, depth, color = struct.unpack(">IIBB", png[16:26])
    assert (depth, color) == (8, 0)  # 8-bit grayscale
    return height, width


def _png_pixels(png: bytes) -> np.ndarray:
    height, width = _png_size(png)
    i, data = 8, b""
    while i < len(png):
        (length,) = struct.unpack(">I", png[i : i + 4])
        kind, body = png[i + 4 : i + 8], png[i + 8 : i + 8 + length]
        assert struct.unpack(">I", png[i + 8 + length : i + 12 + length])[0] == zlib.crc32(
            kind + body
        )
        if kind == b"IDAT":
            data += body
        i += 12 + length
    rows = np.frombuffer(zlib.decompress(data), np.uint8).reshape(height, width + 1)
    assert not rows[:, 0].any()  # filter type 0
    return rows[:, 1:]


def test_weight_images(run):
    summaries = _summaries(run["log_dir"] / "train")
    kernel = run["recorder"].weights[2]["dense/kernel"]  # (4, 8): already wider than tall
    ((step, value),) = [e for e in summaries["dense/kernel/image"] if e[0] == 2]
    image = _fields(value[4][0])
    assert (image[1][0], image[2][0], image[3][0]) == (4, 8, 1)
    pixels = _png_pixels(image[4][0])
    expected = np.clip(kernel.astype(np.float64) * 255.5, 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(pixels, expected)
    kernel = run["recorder"].weights[0]["dense_1/kernel"]  # (8, 3): shown as (3, 8)
    ((_, value),) = [e for e in summaries["dense_1/kernel/image"] if e[0] == 0]
    assert _png_size(_fields(value[4][0])[4][0]) == (3, 8) == kernel.T.shape
    ((_, value),) = [e for e in summaries["dense/bias/image"] if e[0] == 0]
    assert _png_size(_fields(value[4][0])[4][0]) == (1, 8)


def test_the_model_config_for_the_graph_dashboard(run):
    ((step, value),) = _summaries(run["log_dir"] / "train")["keras"]
    assert step == 0
    metadata = _fields(_fields(value[9][0])[1][0])
    assert metadata[1] == [b"graph_keras_model"] and metadata[2] == [b"1"]
    tensor = _fields(value[8][0])
    assert tensor[1] == [7]  # DT_STRING
    config = json.loads(tensor[8][0])
    assert config == json.loads(run["model"].to_json())
    assert config["class_name"] == "Sequential"


def test_files_are_closed_and_complete_after_training(run):
    assert run["tensorboard"]._writers == {}
    for folder in ("train", "validation"):
        (path,) = _event_files(run["log_dir"] / folder)
        _records(path)  # every record whole, every CRC right
    assert sorted(os.listdir(run["log_dir"])) == ["train", "validation"]


def test_evaluate_logs_to_a_new_validation_file(run):
    model, tensorboard = run["model"], run["tensorboard"]
    x, y = _data()
    logs = model.evaluate(x, y, verbose=0, callbacks=[tensorboard], return_dict=True)
    assert tensorboard._writers == {}  # closed again
    files = _event_files(run["log_dir"] / "validation")
    assert len(files) == 2
    scalars = _scalars(run["log_dir"] / "validation")
    assert scalars["evaluation_loss_vs_iterations"][-1] == (9, float(np.float32(logs["loss"])))
    os.unlink(files[1])  # leave the run as the other tests expect it


def test_epoch_updates_add_no_batch_hooks_and_no_batch_tags(tmp_path):
    tensorboard = callbacks.TensorBoard(log_dir=str(tmp_path / "logs"), write_graph=False)
    plain = callbacks.CallbackList([tensorboard])
    assert not plain.reads_batch_logs("train") and not plain.runs_between_batches("train")
    assert callbacks.CallbackList([callbacks.TensorBoard(update_freq="batch")]).reads_batch_logs()
    x, y = _data()
    model = _model()
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0, callbacks=[tensorboard])
    train = _scalars(tmp_path / "logs" / "train")
    assert sorted(train) == ["epoch_accuracy", "epoch_learning_rate", "epoch_loss"]
    assert train["epoch_loss"] == list(enumerate(_float32s(history.history["loss"])))
    assert not (tmp_path / "logs" / "validation").exists()
    assert "keras" not in _summaries(tmp_path / "logs" / "train")  # write_graph=False
    # A second fit writes a second file; update_freq="batch" logs every batch.
    tensorboard.update_freq = "batch"
    model.fit(x, y, batch_size=16, epochs=1, verbose=0, callbacks=[tensorboard])
    assert len(_event_files(tmp_path / "logs" / "train")) == 2
    assert [s for s, _ in _scalars(tmp_path / "logs" / "train")["batch_loss"]] == [1, 2]


def _embedding_model():
    model = lamina.Sequential(
        [
            lamina.Input(shape=(3,), dtype="int32"),
            lamina.layers.Embedding(10, 2, name="words"),
            lamina.layers.GlobalAveragePooling1D(),
            lamina.layers.Dense(1),
        ]
    )
    model.compile("sgd", "mse")
    return model


def test_embeddings_write_a_projector_config_and_weights(tmp_path):
    model = _embedding_model()
    x = np.random.default_rng(0).integers(0, 10, (8, 3)).astype("int32")
    y = np.ones((8, 1), "float32")
    log_dir = tmp_path / "logs"
    tensorboard = callbacks.TensorBoard(
        log_dir=log_dir,
        embeddings_freq=2,
        embeddings_metadata={"words": 'meta "a".tsv'},
        write_graph=False,
    )
    model.fit(x, y, epochs=3, verbose=0, callbacks=[tensorboard])
    assert (log_dir / "projector_config.pbtxt").read_text() == (
        "embeddings {\n"
        '  tensor_name: "layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE"\n'
        '  metadata_path: "meta \\"a\\".tsv"\n'
        "}\n"
    )
    saved = sorted(n for n in os.listdir(log_dir / "train") if n.endswith(".h5"))
    assert saved == ["keras_embedding.ckpt-0.weights.h5", "keras_embedding.ckpt-2.weights.h5"]
    copy = _embedding_model()
    copy.load_weights(str(log_dir / "train" / saved[-1]))
    for a, b in zip(copy.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    tensorboard = callbacks.TensorBoard(
        log_dir=log_dir, embeddings_freq=1, embeddings_metadata={"nowhere": "m.tsv"}
    )
    with pytest.raises(
        ValueError, match=r"names \['nowhere'\].*its Embedding layers: \['words'\]"
    ):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[tensorboard])


def test_bad_arguments_name_the_value():
    with pytest.raises(
        ValueError, match=r'update_freq must be "epoch", "batch".*got update_freq=0'
    ):
        callbacks.TensorBoard(update_freq=0)
    with pytest.raises(ValueError, match=r"update_freq=.often."):
        callbacks.TensorBoard(update_freq="often")
    with pytest.raises(ValueError, match=r"histogram_freq must be a non-negative.*got .*=-1"):
        callbacks.TensorBoard(histogram_freq=-1)
    with pytest.raises(ValueError, match=r"profile_batch must be .*got profile_batch=\(5, 2\)"):
        callbacks.TensorBoard(profile_batch=(5, 2))
    with pytest.raises(ValueError, match=r"got profile_batch='a,b'"):
        callbacks.TensorBoard(profile_batch="a,b")
    with pytest.warns(UserWarning, match=r"profile_batch='2,4'\): lamina does not profile"):
        callbacks.TensorBoard(profile_batch="2,4")
    tensorboard = callbacks.TensorBoard("runs", update_freq="batch", profile_batch=0)
    assert (tensorboard.log_dir, tensorboard.update_freq) == ("runs", 1)
    assert (tensorboard.histogram_freq, tensorboard.write_graph) == (0, True)


# ---------------------------------------------------------------- other readers


def test_tensorboard_reads_the_same_scalars(run):
    accumulator = pytest.importorskip(
        "tensorboard.backend.event_processing.event_accumulator",
        reason="the tensorboard package is not installed",
    )
    # Keep every histogram (by default the accumulator samples one per tag).
    train = accumulator.EventAccumulator(str(run["log_dir"] / "train"), {"histograms": 0})
    train.Reload()
    history = run["history"]
    loss = train.Scalars("epoch_loss")
    assert [(e.step, e.value) for e in loss] == list(enumerate(_float32s(history["loss"])))
    assert [e.step for e in train.Scalars("batch_loss")] == [2, 4, 6, 8]
    histogram = train.Histograms("dense/kernel/histogram")
    assert [e.step for e in histogram] == [0, 2]
    assert histogram[0].histogram_value.num == 32
    assert [e.step for e in train.Images("dense/kernel/image")] == [0, 2]
    validation = accumulator.EventAccumulator(str(run["log_dir"] / "validation"))
    validation.Reload()
    val_loss = [(e.step, e.value) for e in validation.Scalars("epoch_loss")]
    assert val_loss == list(enumerate(_float32s(history["val_loss"])))
    ((graph,),) = [[e.tensor_proto.string_val[0] for e in train.Tensors("keras")]]
    assert json.loads(graph) == json.loads(run["model"].to_json())
    # What TensorBoard's server does with each value: migrate it to its plugins' formats.
    from tensorboard import data_compat
    from tensorboard.backend.event_processing import event_file_loader

    (path,) = _event_files(run["log_dir"] / "train")
    plugins = set()
    for event in event_file_loader.LegacyEventFileLoader(path).Load():
        for value in data_compat.migrate_event(event).summary.value:
            plugins.add(value.metadata.plugin_data.plugin_name)
    assert plugins == {"scalars", "histograms", "images", "graph_keras_model"}


def test_tensorflow_reads_the_records():
    if lamina.backend.backend() != "tensorflow":
        pytest.skip("runs on the TensorFlow engine only: other engines need not load TensorFlow")
    tf = pytest.importorskip("tensorflow")
    import tempfile

    folder = tempfile.mkdtemp(prefix="lamina-tensorboard-")
    writer = _event_file.EventFileWriter(folder)
    writer.write(3, [_event_file.scalar_value("epoch_loss", 0.5)])
    writer.write(4, [_event_file.histogram_value("w/histogram", np.arange(10.0))])
    writer.close()
    events = list(tf.compat.v1.train.summary_iterator(writer.path))  # checks every CRC
    assert events[0].file_version == "brain.Event:2"
    assert (events[1].step, events[1].summary.value[0].tag) == (3, "epoch_loss")
    assert events[1].summary.value[0].simple_value == 0.5
    histo = events[2].summary.value[0].histo
    assert (histo.min, histo.max, histo.num, histo.sum) == (0.0, 9.0, 10.0, 45.0)
    assert list(histo.bucket)[:3] == [1.0, 0.0, 0.0] and sum(histo.bucket) == 10
