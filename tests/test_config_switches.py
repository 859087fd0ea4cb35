"""lamina.config's process switches (Keras's `keras.config` names): interactive
logging routed to `logging`, traceback filtering and flash attention as state,
the refusal behind enable_unsafe_deserialization, and the debugging caps
max_epochs / max_steps_per_epoch honoured by fit, evaluate and predict.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pytest

import lamina
from lamina import config
from lamina.testing.layer_test import keras_module


@pytest.fixture(autouse=True)
def _restore_switches():
    switches = dict(config._switches)
    limits = dict(config._limits)
    yield
    config._switches.update(switches)
    config._limits.update(limits)


def _model():
    model = lamina.Sequential([lamina.Input(shape=(3,)), lamina.layers.Dense(1, name="out")])
    model.compile(optimizer="sgd", loss="mse")
    return model


def _data(n=40):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 3)).astype("float32"), rng.normal(size=(n, 1)).astype("float32")


class _Counter(lamina.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs = self.train = self.test = self.predict = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs += 1

    def on_train_batch_begin(self, batch, logs=None):
        self.train += 1

    def on_test_batch_begin(self, batch, logs=None):
        self.test += 1

    def on_predict_batch_begin(self, batch, logs=None):
        self.predict += 1


# ------------------------------------------------------------------ defaults and state


def test_defaults_are_keras_defaults():
    assert config.is_interactive_logging_enabled() is True
    assert config.is_traceback_filtering_enabled() is True
    assert config.is_flash_attention_enabled() is None
    assert config.max_epochs() is None
    assert config.max_steps_per_epoch() is None


def test_switches_toggle():
    config.disable_interactive_logging()
    assert config.is_interactive_logging_enabled() is False
    config.enable_interactive_logging()
    assert config.is_interactive_logging_enabled() is True
    config.disable_traceback_filtering()
    assert config.is_traceback_filtering_enabled() is False
    config.enable_traceback_filtering()
    assert config.is_traceback_filtering_enabled() is True
    config.disable_flash_attention()
    assert config.is_flash_attention_enabled() is False
    config.enable_flash_attention()
    assert config.is_flash_attention_enabled() is None  # Keras's "where possible"


@pytest.mark.skipif(keras_module() is None, reason="Keras 3 cannot run on this engine")
def test_same_names_and_answers_as_keras():
    keras = keras_module()
    names = [
        "enable_interactive_logging",
        "disable_interactive_logging",
        "is_interactive_logging_enabled",
        "enable_traceback_filtering",
        "disable_traceback_filtering",
        "is_traceback_filtering_enabled",
        "enable_flash_attention",
        "disable_flash_attention",
        "is_flash_attention_enabled",
        "set_max_epochs",
        "max_epochs",
        "set_max_steps_per_epoch",
        "max_steps_per_epoch",
        "enable_unsafe_deserialization",
    ]
    for name in names:
        assert callable(getattr(config, name)) and callable(getattr(keras.config, name)), name
    for name in names:
        if name.startswith("is_") or name.startswith("max_"):
            assert getattr(config, name)() == getattr(keras.config, name)(), name
    keras.config.disable_flash_attention()
    config.disable_flash_attention()
    try:
        assert config.is_flash_attention_enabled() == keras.config.is_flash_attention_enabled()
    finally:
        keras.config.enable_flash_attention()


def test_limits_are_validated():
    with pytest.raises(
        ValueError, match=r"max_epochs must be None or a non-negative integer; got -1"
    ):
        config.set_max_epochs(-1)
    with pytest.raises(ValueError, match="got 2.5"):
        config.set_max_steps_per_epoch(2.5)
    config.set_max_epochs(np.int64(3))
    assert config.max_epochs() == 3 and type(config.max_epochs()) is int


def test_limits_read_the_environment(monkeypatch):
    monkeypatch.setenv("LAMINA_MAX_EPOCHS", "2")
    monkeypatch.setenv("LAMINA_MAX_STEPS_PER_EPOCH", "5")
    config._limits.update(max_epochs=config._UNREAD, max_steps_per_epoch=config._UNREAD)
    assert config.max_epochs() == 2 and config.max_steps_per_epoch() == 5
    config.set_max_epochs(None)  # a call wins over the environment
    assert config.max_epochs() is None
    monkeypatch.setenv("LAMINA_MAX_EPOCHS", "many")
    config._limits["max_epochs"] = config._UNREAD
    with pytest.raises(ValueError, match="LAMINA_MAX_EPOCHS"):
        config.max_epochs()


def test_unsafe_deserialization_warns_once_and_changes_nothing():
    config._switches["unsafe_deserialization_warned"] = False
    with pytest.warns(UserWarning, match="custom_objects"):
        config.enable_unsafe_deserialization()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        config.enable_unsafe_deserialization()  # once only


# ------------------------------------------------------------------ logging route


def test_progbar_goes_to_logging_when_not_interactive(capsys, caplog):
    bar = lamina.utils.Progbar(4, verbose=1)
    config.disable_interactive_logging()
    with caplog.at_level(logging.INFO, logger="lamina"):
        for step in range(4):
            bar.update(step + 1, {"loss": 0.5})
    assert capsys.readouterr().out == ""
    messages = [r.getMessage() for r in caplog.records if r.name == "lamina"]
    assert len(messages) == 1 and messages[0].startswith("4/4") and "loss: 0.5000" in messages[0]
    config.enable_interactive_logging()
    bar = lamina.utils.Progbar(2, verbose=2)
    bar.update(2, {"loss": 0.25})
    assert "2/2" in capsys.readouterr().out


def test_fit_and_summary_log_instead_of_printing(capsys, caplog):
    model = _model()
    x, y = _data(16)
    config.disable_interactive_logging()
    with caplog.at_level(logging.INFO, logger="lamina"):
        model.fit(x, y, batch_size=8, epochs=1, verbose=2)
        model.summary()
    out = capsys.readouterr().out
    messages = "\n".join(r.getMessage() for r in caplog.records if r.name == "lamina")
    assert "2/2" in messages and "loss:" in messages
    assert "Total params: 4" in messages
    assert "Total params" not in out and "2/2" not in out
    config.enable_interactive_logging()
    model.summary()
    assert "Total params: 4" in capsys.readouterr().out


# ------------------------------------------------------------------ caps on fit / evaluate / predict


def test_fit_honours_max_epochs_and_steps():
    model = _model()
    x, y = _data(40)  # 5 batches of 8
    counter = _Counter()
    model.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[counter])
    assert (counter.epochs, counter.train) == (3, 15)
    config.set_max_epochs(2)
    config.set_max_steps_per_epoch(3)
    counter = _Counter()
    with pytest.warns(UserWarning, match="Limiting") as record:
        history = model.fit(
            x, y, batch_size=8, epochs=3, verbose=0, callbacks=[counter], validation_data=(x, y)
        )
    messages = {str(w.message).split(" (")[0] for w in record}
    assert messages == {"Limiting epochs to 2", "Limiting steps_per_epoch to 3"}
    # As in Keras: 2 epochs of 3 steps, and each validation pass capped too.
    assert (counter.epochs, counter.train, counter.test) == (2, 6, 6)
    assert len(history.history["loss"]) == 2


def test_caps_that_do_not_cut_change_nothing():
    model = _model()
    x, y = _data(40)
    config.set_max_epochs(10)
    config.set_max_steps_per_epoch(50)
    counter = _Counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[counter])
    assert (counter.epochs, counter.train) == (2, 10)
    config.set_max_epochs(0)  # 0 means no limit, as in Keras
    assert config.max_epochs() == 0


def test_evaluate_and_predict_honour_max_steps():
    model = _model()
    x, y = _data(40)
    config.set_max_steps_per_epoch(2)
    counter = _Counter()
    with pytest.warns(UserWarning, match="Limiting steps_per_epoch to 2"):
        model.evaluate(x, y, batch_size=8, verbose=0, callbacks=[counter])
    with pytest.warns(UserWarning, match="Limiting steps_per_epoch to 2"):
        out = model.predict(x, batch_size=8, verbose=0, callbacks=[counter])
    assert (counter.test, counter.predict) == (2, 2)
    assert out.shape == (16, 1)


def test_generator_steps_are_capped():
    model = _model()
    x, y = _data(40)

    def batches():
        while True:
            for i in range(0, 40, 8):
                yield x[i : i + 8], y[i : i + 8]

    config.set_max_steps_per_epoch(2)
    counter = _Counter()
    with pytest.warns(UserWarning, match="Limiting steps_per_epoch to 2"):
        model.fit(batches(), epochs=2, verbose=0, callbacks=[counter])
    assert (counter.epochs, counter.train) == (2, 4)
