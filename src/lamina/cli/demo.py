"""`lamina demo`: a small CNN learns scikit-learn's handwritten digits.

The model is ordinary Keras 3 code; only the import differs. It trains on the
engine lamina is configured with and fails (exit status 1) when the held-out
accuracy is below 95%.
"""

from __future__ import annotations

import argparse
import sys

REQUIRED_ACCURACY = 0.95


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "demo",
        help="train a small CNN on scikit-learn's 8x8 digits and report its accuracy",
        description=(
            "Train a small convolutional network on scikit-learn's 1,797 handwritten 8x8 "
            "digits with the configured engine, then report the accuracy on 20%% held-out "
            f"digits. Exits 1 when it is below {REQUIRED_ACCURACY:.0%}."
        ),
    )
    parser.add_argument("--epochs", type=int, default=15, help="training epochs (default 15)")
    parser.add_argument("--batch-size", type=int, default=32, help="batch size (default 32)")
    parser.add_argument("--seed", type=int, default=1337, help="random seed (default 1337)")
    parser.set_defaults(run=run)


def load_digits(data_format: str, seed: int):
    """Train and held-out splits of the digits, as float32 images in `data_format`."""
    from sklearn.datasets import load_digits as sklearn_digits
    from sklearn.model_selection import train_test_split

    digits = sklearn_digits()
    x = (digits.images / 16.0).astype("float32")
    x = x[:, None, :, :] if data_format == "channels_first" else x[:, :, :, None]
    return train_test_split(
        x, digits.target.astype("int32"), test_size=0.2, random_state=seed, stratify=digits.target
    )


def build_model(keras, input_shape):
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            keras.layers.Conv2D(32, (3, 3), activation="relu", padding="same"),
            keras.layers.MaxPooling2D((2, 2)),
            keras.layers.Conv2D(64, (3, 3), activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def run(args: argparse.Namespace) -> int:
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print(
            "lamina demo needs scikit-learn for its dataset. Install it with:\n"
            '    pip install "lamina[demo]"',
            file=sys.stderr,
        )
        return 1
    from lamina import _cli_mode

    keras = _cli_mode.load_api()
    x_train, x_test, y_train, y_test = load_digits(keras.config.image_data_format(), args.seed)
    keras.utils.set_random_seed(args.seed)

    model = build_model(keras, x_train.shape[1:])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.summary()
    model.fit(
        x_train,
        y_train,
        epochs=args.epochs,
        batch_size=args.batch_size,
        validation_split=0.1,
        verbose=1,
    )
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"held-out accuracy: {accuracy:.3f}")
    if accuracy < REQUIRED_ACCURACY:
        print(
            f"lamina demo: the accuracy is below {REQUIRED_ACCURACY:.2f}; training did not "
            "work as it should on this engine. Run `lamina doctor` to check the installation.",
            file=sys.stderr,
        )
        return 1
    return 0
