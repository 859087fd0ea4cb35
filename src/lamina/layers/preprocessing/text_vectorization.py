"""TextVectorization: text to token indices or bag-of-words vectors."""

from __future__ import annotations

import re
import string

import numpy as np

from lamina import ops
from lamina.layers.preprocessing._host_layer import (
    HostLayer,
    collect_batches,
    encode_numpy,
    to_host,
)
from lamina.layers.preprocessing._index_lookup import listify
from lamina.layers.preprocessing.string_lookup import StringLookup

_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")
_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
# Keras lowercases ASCII letters only, splits on ASCII whitespace only, and
# strips ASCII punctuation, as TensorFlow's string ops do.
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_NO_PUNCTUATION = str.maketrans("", "", string.punctuation)
_WHITESPACE = re.compile("[ \t\n\r\v\f]+")


class TextVectorization(HostLayer):
    """Turns strings into sequences of token indices or into token-count vectors.

    Each string is standardized, split into tokens, optionally joined into
    n-grams, and looked up in a vocabulary (given, or learned by `adapt`, most
    frequent first). Index 0 is padding (the empty token) and 1 the unknown
    token in `"int"` mode. Text is handled on the host with Python; outputs
    are the engine's tensors.

    Args:
        max_tokens: the largest vocabulary size, padding and unknown included.
        standardize: `"lower_and_strip_punctuation"` (default), `"lower"`,
            `"strip_punctuation"`, None, or a function from an array of strings
            to an array of strings.
        split: `"whitespace"` (default), `"character"`, None (each string is one
            token), or a function from an array of strings to lists of tokens.
        ngrams: None, an integer n (all n-grams up to n) or a tuple of sizes.
        output_mode: `"int"` (index sequences), `"multi_hot"`, `"count"`,
            `"tf_idf"` or `"one_hot"` (one vector per string).
        output_sequence_length: in `"int"` mode, pad or cut every sequence to
            this length (default: the longest in the batch).
        pad_to_max_tokens: make encoded outputs `max_tokens` wide.
        vocabulary: a list of tokens, or a text file with one a line.
        idf_weights: in `"tf_idf"` mode with a vocabulary, one weight per entry.
        sparse: sparse outputs are not supported; must be False.
        ragged: ragged outputs are not supported; must be False.
        encoding: the text encoding of byte-string inputs (default UTF-8).
        name: the layer's name.

    Example:
        >>> layer = lamina.layers.TextVectorization(output_sequence_length=4)
        >>> layer.adapt(["the cat sat", "the dog"])
        >>> layer(["the dog sat!"])
        array([[2, 4, 3, 0]])
    """

    def __init__(
        self,
        max_tokens: int | None = None,
        standardize="lower_and_strip_punctuation",
        split="whitespace",
        ngrams=None,
        output_mode: str = "int",
        output_sequence_length: int | None = None,
        pad_to_max_tokens: bool = False,
        vocabulary=None,
        idf_weights=None,
        sparse: bool = False,
        ragged: bool = False,
        encoding: str = "utf-8",
        name: str | None = None,
        **kwargs,
    ):
        if not (standardize is None or callable(standardize) or standardize in _STANDARDIZE):
            raise ValueError(
                f"TextVectorization got standardize={standardize!r}; expected one of "
                f"{_STANDARDIZE}, None or a function."
            )
        if not (split is None or callable(split) or split in _SPLIT):
            raise ValueError(
                f"TextVectorization got split={split!r}; expected one of {_SPLIT}, None or a "
                "function."
            )
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        if output_mode not in _MODES:
            raise ValueError(
                f"TextVectorization got output_mode={output_mode!r}; expected one of {_MODES}."
            )
        if not (
            ngrams is None
            or isinstance(ngrams, int)
            or (isinstance(ngrams, tuple) and all(isinstance(n, int) for n in ngrams))
        ):
            raise ValueError(
                f"TextVectorization's ngrams must be None, an integer or a tuple of integers; "
                f"got ngrams={ngrams!r}."
            )
        if output_mode == "int" and not (
            output_sequence_length is None or isinstance(output_sequence_length, int)
        ):
            raise ValueError(
                "TextVectorization's output_sequence_length must be None or an integer; got "
                f"{output_sequence_length!r}."
            )
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError(
                "TextVectorization uses output_sequence_length only in output_mode='int'; got "
                f"output_mode={output_mode!r}."
            )
        if ragged or sparse:
            raise ValueError(
                "TextVectorization does not support ragged=True or sparse=True in lamina: "
                "outputs are dense tensors. Use output_sequence_length to fix their length."
            )
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        kwargs.pop("dtype", None)
        super().__init__(name=name, **kwargs)
        self._max_tokens = max_tokens
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._ragged = False
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens,
            mask_token="",
            output_mode=output_mode,
            encoding=encoding,
            has_input_vocabulary=has_input_vocabulary,
            vocabulary_size=vocabulary_size,
        )

    # ------------------------------------------------------------------ text to tokens
    def _standardize_text(self, texts: np.ndarray) -> np.ndarray:
        if callable(self._standardize):
            result = to_host(self._standardize(texts))
            return np.asarray(result, dtype=object).reshape(texts.shape)
        flat = texts.reshape(-1).tolist()
        if self._standardize in ("lower", "lower_and_strip_punctuation"):
            flat = [t.translate(_ASCII_LOWER) for t in flat]
        if self._standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            flat = [t.translate(_NO_PUNCTUATION) for t in flat]
        out = np.empty(len(flat), dtype=object)
        out[:] = flat
        return out.reshape(texts.shape)

    def _tokenize(self, inputs) -> list:
        """The token rows of a batch of strings: one list of tokens per string."""
        texts = to_host(inputs)
        if texts.dtype != object:
            raise ValueError(
                f"TextVectorization takes strings; got an array of dtype {texts.dtype}."
            )
        texts = self._standardize_text(texts)
        if texts.ndim == 0:
            texts = texts.reshape(1)
        if self._split is None:
            rows = [list(r) for r in texts.reshape(len(texts), -1).tolist()]
        else:
            if texts.ndim > 1:
                if texts.shape[-1] != 1 or texts.ndim > 2:
                    raise ValueError(
                        "TextVectorization splits strings of shape (batch,) or (batch, 1); got "
                        f"shape {texts.shape}."
                    )
                texts = texts[:, 0]
            if callable(self._split):
                rows = [[str(t) for t in row] for row in self._split(texts)]
            elif self._split == "whitespace":
                rows = [[t for t in _WHITESPACE.split(s) if t] for s in texts.tolist()]
            else:
                rows = [list(s) for s in texts.tolist()]
        if self._ngrams is not None:
            rows = [_ngrams(row, self._ngrams) for row in rows]
        return rows

    # ------------------------------------------------------------------ vocabulary
    def adapt(self, data, batch_size=None, steps: int | None = None) -> None:
        """Learn the vocabulary (and idf weights) from `data`: an array or list of
        strings, or an iterable of batches of them (at most `steps`)."""
        self.reset_state()
        batches = collect_batches(data, "TextVectorization")
        if steps is not None:
            batches = batches[:steps]
        for batch in batches:
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data) -> None:
        self._lookup_layer._count_rows(self._tokenize(data))

    def finalize_state(self) -> None:
        self._lookup_layer.finalize_state()

    def reset_state(self) -> None:
        self._lookup_layer.reset_state()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The token of each index, in order (with padding and unknown unless asked not)."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        """The number of indices in use, padding and unknown included."""
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Set the vocabulary (and, in `"tf_idf"` mode, the idf weights)."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # ------------------------------------------------------------------ calling
    def _host_call(self, inputs):
        out = self._vectorize(inputs)
        # One string gives one sequence (or vector), without a batch axis.
        return out[0] if np.ndim(inputs) == 0 else out

    def _vectorize(self, inputs):
        rows = self._tokenize(inputs)
        lookup = self._lookup_layer
        indices = [lookup.lookup_indices(_object_array(row)).tolist() for row in rows]
        if self._output_mode == "int":
            length = self._output_sequence_length
            if length is None:
                length = max((len(r) for r in rows), default=0)
            out = np.zeros((len(rows), length), dtype="int64")
            for i, row in enumerate(indices):
                row = row[:length]
                out[i, : len(row)] = row
            return ops.convert_to_tensor(out, dtype="int64")
        width = max((len(r) for r in rows), default=0)
        padded = np.full((len(rows), max(width, 1)), -1, dtype="int64")
        for i, row in enumerate(indices):
            padded[i, : len(row)] = row
        if self._output_mode == "one_hot" and width > 1:
            raise ValueError(
                "TextVectorization in output_mode='one_hot' encodes one token per string; got "
                f"strings of up to {width} tokens. Use 'multi_hot' or 'count', or split=None."
            )
        lookup._check_depth()
        mode = "count" if self._output_mode == "tf_idf" else self._output_mode
        out = encode_numpy(padded, mode, lookup._depth(), "float64")
        if self._output_mode == "tf_idf":
            out = out * lookup.idf_weights.astype("float64")
        dtype = lookup._output_dtype()
        return ops.convert_to_tensor(out.astype(dtype), dtype=dtype)

    def _output_dtype(self) -> str:
        return self._lookup_layer._output_dtype()

    def compute_output_shape(self, input_shape) -> tuple:
        if self._output_mode == "int":
            return (input_shape[0], self._output_sequence_length)
        return (input_shape[0], self._lookup_layer._depth())

    # ------------------------------------------------------------------ config and saving
    def get_config(self) -> dict:
        config = super().get_config()
        lookup = self._lookup_layer
        config.update(
            {
                "max_tokens": lookup.max_tokens,
                "standardize": self._standardize,
                "split": self._split,
                "ngrams": self._ngrams_arg,
                "output_mode": self._output_mode,
                "output_sequence_length": self._output_sequence_length,
                "pad_to_max_tokens": lookup.pad_to_max_tokens,
                "sparse": False,
                "ragged": False,
                "vocabulary": listify(lookup.input_vocabulary),
                "idf_weights": listify(lookup.input_idf_weights),
                "encoding": self._encoding,
                "vocabulary_size": self.vocabulary_size(),
            }
        )
        return config

    @classmethod
    def from_config(cls, config: dict) -> TextVectorization:
        config = dict(config)
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return cls(**config)

    def save_own_variables(self, store) -> None:
        """Write the idf weights (`"tf_idf"` mode) into a weights store, as Keras does."""
        self._lookup_layer.save_own_variables(store)

    def load_own_variables(self, store) -> None:
        """Read the idf weights (`"tf_idf"` mode) from a weights store."""
        self._lookup_layer.load_own_variables(store)

    def save_assets(self, dir_path: str) -> None:
        """Write an adapted vocabulary to `dir_path/vocabulary.txt`, one token a line."""
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path: str) -> None:
        """Read the vocabulary `save_assets` wrote into `dir_path`."""
        self._lookup_layer.load_assets(dir_path)


def _ngrams(tokens: list, widths) -> list:
    grams = []
    for width in widths:
        grams.extend(" ".join(tokens[i : i + width]) for i in range(len(tokens) - width + 1))
    return grams


def _object_array(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out
