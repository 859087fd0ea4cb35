"""The shared machinery of StringLookup and IntegerLookup: a vocabulary on the host."""

from __future__ import annotations

import collections
import os

import numpy as np

from lamina import config as _config
from lamina import ops
from lamina.layers.preprocessing._hash_functions import hash_array
from lamina.layers.preprocessing._host_layer import (
    HostLayer,
    collect_batches,
    encode_numpy,
    encoded_shape,
    to_host,
)

_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
_INT64_MAX = np.iinfo("int64").max
VOCABULARY_FILE = "vocabulary.txt"


def listify(value):
    """A vocabulary or weights argument as config JSON holds it (lists stay lists)."""
    if value is None or isinstance(value, str):
        return value
    if hasattr(value, "tolist"):
        return value.tolist()
    if not isinstance(value, (list, tuple)):
        value = ops.convert_to_numpy(value).tolist()
    return list(value)


class IndexLookup(HostLayer):
    """Maps tokens to indices (or back, with `invert`) through a vocabulary.

    Indices are laid out as Keras lays them out: the mask token at 0 (when
    there is one and `output_mode="int"`), then `num_oov_indices` indices for
    tokens outside the vocabulary, then the vocabulary, most frequent first
    when adapted.
    """

    _is_string = True

    def __init__(
        self,
        max_tokens,
        num_oov_indices,
        mask_token,
        oov_token,
        vocabulary_dtype,
        vocabulary=None,
        idf_weights=None,
        invert=False,
        output_mode="int",
        sparse=False,
        pad_to_max_tokens=False,
        oov_method="floormod",
        name=None,
        salt=None,
        **kwargs,
    ):
        kind = type(self).__name__
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"{kind} needs max_tokens > 1 when set; got max_tokens={max_tokens}.")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"{kind} with pad_to_max_tokens=True needs max_tokens to be set.")
        if num_oov_indices < 0:
            raise ValueError(
                f"{kind} needs num_oov_indices >= 0; got num_oov_indices={num_oov_indices}."
            )
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(
                f"{kind} got oov_method={oov_method!r}; expected 'floormod' or 'farmhash'."
            )
        if salt is not None:
            if not self._is_string and oov_method != "farmhash":
                raise ValueError(
                    f"{kind} uses salt only with oov_method='farmhash'; got "
                    f"oov_method={oov_method!r}."
                )
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                salt = [int(s) for s in salt]
            elif isinstance(salt, int):
                salt = [salt, salt]
            else:
                raise ValueError(
                    f"{kind}'s salt must be an integer or a pair of integers; got salt={salt!r}."
                )
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        if output_mode not in _MODES:
            raise ValueError(f"{kind} got output_mode={output_mode!r}; expected one of {_MODES}.")
        if invert and output_mode != "int":
            raise ValueError(
                f"{kind} with invert=True gives tokens, so output_mode must be 'int'; got "
                f"output_mode={output_mode!r}."
            )
        if sparse:
            raise ValueError(
                f"{kind} does not support sparse=True in lamina: outputs are dense tensors. "
                "Pass sparse=False."
            )
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(
                f"{kind} uses idf_weights only in output_mode='tf_idf'; got "
                f"output_mode={output_mode!r}."
            )
        frozen_size = kwargs.pop("vocabulary_size", None)
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        kwargs.pop("trainable", None)
        kwargs.pop("dtype", None)
        if kwargs:
            raise ValueError(f"{kind} got unknown keyword arguments {sorted(kwargs)}.")
        super().__init__(name=name)
        self.invert = bool(invert)
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = False
        self.pad_to_max_tokens = pad_to_max_tokens
        self.vocabulary_dtype = vocabulary_dtype
        self.oov_method = oov_method
        self.salt = salt
        self._frozen_vocab_size = frozen_size
        self.input_vocabulary = None if isinstance(vocabulary, str) else vocabulary
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = has_input_vocabulary
        self._tokens: list = []
        self._index: dict = {}
        self.idf_weights = None
        self.reset_state()
        if output_mode == "tf_idf":
            if has_input_vocabulary and idf_weights is None:
                raise ValueError(
                    f"{kind} in output_mode='tf_idf' with a given vocabulary needs "
                    "idf_weights as well."
                )
            if idf_weights is not None:
                self.idf_weights = np.asarray(listify(idf_weights), dtype=_config.floatx())
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # ------------------------------------------------------------------ layout
    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def _token(self, value):
        return str(value) if self._is_string else int(value)

    def vocabulary_size(self) -> int:
        """The number of indices in use, special ones (mask, OOV) included."""
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The token of each index, in order; without the mask and OOV tokens when
        `include_special_tokens` is False."""
        vocab = [self.oov_token] * self._token_start_index() + list(self._tokens)
        if self.mask_token is not None and self.output_mode == "int":
            vocab[0] = self.mask_token
        if not include_special_tokens:
            vocab = vocab[self._token_start_index() :]
        return vocab

    # ------------------------------------------------------------------ vocabulary
    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Set the vocabulary (a list, an array, or a text file with one token a line)
        and, in `"tf_idf"` mode, the inverse document frequency of each token."""
        kind = type(self).__name__
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError(f"{kind} in output_mode='tf_idf' needs idf_weights.")
        elif idf_weights is not None:
            raise ValueError(
                f"{kind} uses idf_weights only in output_mode='tf_idf'; got "
                f"output_mode={self.output_mode!r}."
            )
        if isinstance(vocabulary, (str, os.PathLike)):
            if not os.path.exists(vocabulary):
                raise ValueError(f"{kind}'s vocabulary file {str(vocabulary)!r} does not exist.")
            if self.output_mode == "tf_idf":
                raise ValueError(
                    f"{kind} in output_mode='tf_idf' cannot read its vocabulary from a file; "
                    "pass a list with idf_weights."
                )
            with open(vocabulary, encoding="utf-8") as f:
                vocabulary = f.read().splitlines()
        values = [self._token(v) for v in np.asarray(to_host(vocabulary)).reshape(-1).tolist()]
        if not values:
            raise ValueError(f"{kind} cannot take an empty vocabulary.")
        token_start = self._token_start_index()
        special = [self.mask_token] * self._oov_start_index() + [self.oov_token] * (
            self.num_oov_indices
        )
        has_special = [None if t is None else self._token(t) for t in special] == values[
            :token_start
        ]
        tokens = values[token_start:] if has_special else values
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError(
                f"{kind}'s vocabulary repeats the tokens {repeated}; each token may appear once."
            )
        if self.mask_token is not None and self._token(self.mask_token) in tokens:
            raise ValueError(
                f"{kind}'s vocabulary holds the mask token {self.mask_token!r} past its start. "
                f"Leave the mask and OOV tokens out, or put them first, in this order: {special}."
            )
        if self.invert and self.oov_token is not None and self._token(self.oov_token) in tokens:
            raise ValueError(
                f"{kind}'s vocabulary holds the OOV token {self.oov_token!r} past its start. "
                f"Leave the mask and OOV tokens out, or put them first, in this order: {special}."
            )
        if self.max_tokens is not None and token_start + len(tokens) > self.max_tokens:
            raise ValueError(
                f"{kind}'s vocabulary has {token_start + len(tokens)} entries (special tokens "
                f"included), more than max_tokens={self.max_tokens}."
            )
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf" and idf_weights is not None:
            weights = np.asarray(listify(idf_weights), dtype="float64")
            if weights.ndim != 1 or len(weights) != len(values):
                raise ValueError(
                    f"{kind}'s idf_weights must be a vector with one weight per vocabulary "
                    f"entry ({len(values)}); got shape {weights.shape}."
                )
            front, front_value = (0, 0.0) if has_special else (token_start, np.average(weights))
            back = 0
            if self.pad_to_max_tokens and self.max_tokens is not None:
                back = self.max_tokens - front - len(weights)
            weights = np.pad(weights, (front, back), constant_values=(front_value, 0.0))
            self.idf_weights = weights.astype(_config.floatx())

    def _set_tokens(self, tokens: list) -> None:
        self._tokens = list(tokens)
        start = self._token_start_index()
        self._index = {t: i + start for i, t in enumerate(self._tokens)}
        self._frozen_vocab_size = self.vocabulary_size()

    # ------------------------------------------------------------------ adapt
    def adapt(self, data, steps: int | None = None) -> None:
        """Learn the vocabulary (and, in `"tf_idf"` mode, the document frequencies)
        from `data`: an array or list of tokens, or an iterable of batches (at most
        `steps` of them). Tokens are ranked by count, then by value, descending."""
        self.reset_state()
        batches = collect_batches(data, type(self).__name__)
        if len(batches) == 1 and batches[0] is data:
            array = self._host_tokens(data)
            if array.ndim == 1:
                array = array[:, None]
            self.update_state(array)
        else:
            for batch in batches[:steps] if steps is not None else batches:
                self.update_state(batch)
        self.finalize_state()

    def _host_tokens(self, data) -> np.ndarray:
        array = to_host(data)
        if not self._is_string and array.dtype != object:
            array = array.astype("int64")
        return array

    def update_state(self, data) -> None:
        array = self._host_tokens(data)
        if array.ndim < 2:
            array = array.reshape(1, -1)
        self._count_rows([[self._token(v) for v in row.reshape(-1).tolist()] for row in array])

    def _count_rows(self, rows: list) -> None:
        """Count the tokens of `rows`, lists of tokens, each one document."""
        if self._has_input_vocabulary:
            raise ValueError(
                f"{type(self).__name__} {self.name!r} was given its vocabulary and cannot be "
                "adapted."
            )
        for row in rows:
            self._token_counts.update(row)
        if self.output_mode == "tf_idf":
            for row in rows:
                self._document_counts.update(set(row))
            self._num_documents += len(rows)

    def finalize_state(self) -> None:
        if self._has_input_vocabulary or not self._token_counts:
            self._frozen_vocab_size = self.vocabulary_size()
            return
        counts = dict(self._token_counts)
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                counts.pop(self._token(special), None)
        ranked = sorted(counts.items(), key=lambda item: (item[1], item[0]), reverse=True)
        if self.max_tokens:
            ranked = ranked[: self.max_tokens - self._token_start_index()]
        tokens = [t for t, _ in ranked]
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            frequency = np.array([self._document_counts[t] for t in tokens], dtype="float64")
            idf = np.log(1 + self._num_documents / (1 + frequency)).astype(_config.floatx())
            mean = idf.mean() if idf.size else 0.0
            idf = np.pad(idf, (self._token_start_index(), 0), constant_values=mean)
            if self.pad_to_max_tokens and self.max_tokens is not None:
                idf = np.pad(idf, (0, self.max_tokens - idf.size))
            self.idf_weights = idf.astype(_config.floatx())
        self.reset_state()

    def reset_state(self) -> None:
        self._token_counts: collections.Counter = collections.Counter()
        self._document_counts: collections.Counter = collections.Counter()
        self._num_documents = 0

    # ------------------------------------------------------------------ lookup
    def _depth(self):
        return self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size

    def _check_depth(self) -> None:
        if self.output_mode != "int" and self._depth() is None:
            raise RuntimeError(
                f"{type(self).__name__} in output_mode={self.output_mode!r} needs its "
                "vocabulary before it is called: pass vocabulary=..., or call adapt(data) first."
            )

    def lookup_indices(self, array: np.ndarray) -> np.ndarray:
        """The index of each token of a NumPy array, as int64 (no encoding)."""
        flat = [self._token(v) for v in array.reshape(-1).tolist()]
        default = -1 if self.num_oov_indices != 1 else self._oov_start_index()
        out = np.array([self._index.get(t, default) for t in flat], dtype="int64")
        missing = np.array([t not in self._index for t in flat], dtype=bool)
        if self.num_oov_indices == 0 and missing.any():
            unknown = sorted({t for t, m in zip(flat, missing) if m}, key=str)[:10]
            raise ValueError(
                f"{type(self).__name__} has num_oov_indices=0, so every input must be in the "
                f"vocabulary; found {unknown}. Set num_oov_indices=1 to map unknown tokens."
            )
        if self.num_oov_indices > 1 and missing.any():
            values = np.array(flat, dtype=object if self._is_string else "int64")[missing]
            if not self._is_string and self.oov_method != "farmhash":
                buckets = np.mod(values, self.num_oov_indices)
            else:
                buckets = hash_array(values, self.num_oov_indices, self.salt)
            out[missing] = buckets + self._oov_start_index()
        if self.mask_token is not None:
            masked = np.array([t == self._token(self.mask_token) for t in flat], dtype=bool)
            out[masked] = 0 if self.output_mode == "int" else _INT64_MAX
        return out.reshape(array.shape)

    def _invert_indices(self, array: np.ndarray) -> np.ndarray:
        vocab = self.get_vocabulary()
        flat = array.astype("int64").reshape(-1).tolist()
        size = len(vocab)
        tokens = [
            vocab[i] if self._token_start_index() <= i < size else self.oov_token for i in flat
        ]
        if self.mask_token is not None:
            tokens = [self.mask_token if i == 0 else t for i, t in zip(flat, tokens)]
        out = np.array(tokens, dtype=object if self._is_string else "int64")
        return out.reshape(array.shape)

    def _encode_host(self, indices: np.ndarray):
        if self.output_mode == "int":
            return ops.convert_to_tensor(indices, dtype="int64")
        self._check_depth()
        depth = self._depth()
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = encode_numpy(indices, mode, depth, "float64")
        if self.output_mode == "tf_idf":
            out = out * self.idf_weights.astype("float64")
        floatx = _config.floatx()
        return ops.convert_to_tensor(out.astype(floatx), dtype=floatx)

    def _host_call(self, inputs):
        if self.invert:
            out = self._invert_indices(inputs)
            if self._is_string:
                return out.astype(str)
            return ops.convert_to_tensor(out, dtype="int64")
        self._check_depth()
        return self._encode_host(self.lookup_indices(inputs))

    def compute_output_shape(self, input_shape) -> tuple:
        return encoded_shape(input_shape, self.output_mode, self._depth())

    def _output_dtype(self) -> str:
        return "int64" if self.output_mode == "int" else _config.floatx()

    # ------------------------------------------------------------------ config and saving
    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "invert": self.invert,
                "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices,
                "oov_token": self.oov_token,
                "mask_token": self.mask_token,
                "output_mode": self.output_mode,
                "sparse": self.sparse,
                "pad_to_max_tokens": self.pad_to_max_tokens,
                "vocabulary_dtype": self.vocabulary_dtype,
                "idf_weights": listify(self.input_idf_weights),
                "vocabulary": listify(self.input_vocabulary),
                "vocabulary_size": self._frozen_vocab_size,
                "oov_method": self.oov_method,
                "salt": self.salt,
            }
        )
        return config

    def save_own_variables(self, store) -> None:
        """Write the idf weights (`"tf_idf"` mode) into a weights store, as Keras does."""
        if self.output_mode == "tf_idf" and self.idf_weights is not None:
            store["idf_weights"] = np.asarray(self.idf_weights)

    def load_own_variables(self, store) -> None:
        """Read the idf weights (`"tf_idf"` mode) from a weights store."""
        if self.output_mode == "tf_idf" and "idf_weights" in store:
            self.idf_weights = np.asarray(store["idf_weights"], dtype=_config.floatx())

    def save_assets(self, dir_path: str) -> None:
        """Write an adapted vocabulary to `dir_path/vocabulary.txt`, one token a line
        (nothing when the vocabulary was given, since the config holds it)."""
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, VOCABULARY_FILE), "w", encoding="utf-8") as f:
            f.write("\n".join(str(token) for token in self.get_vocabulary()))

    def load_assets(self, dir_path: str) -> None:
        """Read the vocabulary `save_assets` wrote into `dir_path`."""
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, VOCABULARY_FILE), encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        values = [self._token(line) for line in lines]
        if self.output_mode == "tf_idf":
            self.set_vocabulary(values, idf_weights=self.idf_weights)
        else:
            self.set_vocabulary(values)

    # ------------------------------------------------------------------ traced calls
    def _traced_lookup(self, inputs):
        """`lookup_indices` with `lamina.ops`, for integer vocabularies inside a compiled step."""
        inputs = ops.cast(inputs, "int32")
        start = self._token_start_index()
        if self._tokens:
            vocab = ops.convert_to_tensor(np.asarray(self._tokens, dtype="int32"))
            hits = ops.equal(ops.expand_dims(inputs, -1), vocab)
            found = ops.any(hits, axis=-1)
            position = ops.argmax(ops.cast(hits, "int32"), axis=-1)
            indices = ops.add(ops.cast(position, "int32"), start)
        else:
            found = ops.zeros_like(inputs, dtype="bool")
            indices = ops.zeros_like(inputs)
        if self.num_oov_indices > 1 and self.oov_method == "farmhash":
            raise ValueError(
                f"{type(self).__name__} with oov_method='farmhash' hashes on the host and cannot "
                "run inside a compiled function; apply it to the data before the model."
            )
        if self.num_oov_indices > 1:
            oov = ops.add(ops.mod(inputs, self.num_oov_indices), self._oov_start_index())
        elif self.num_oov_indices == 1:
            oov = ops.full_like(inputs, self._oov_start_index())
        else:
            oov = ops.full_like(inputs, -1)
        indices = ops.where(found, indices, oov)
        if self.mask_token is not None:
            # An index past every bin encodes to zeros, as Keras's out-of-range mask index does.
            masked_value = 0 if self.output_mode == "int" else -1
            indices = ops.where(ops.equal(inputs, int(self.mask_token)), masked_value, indices)
        return indices
