"""IntegerLookup: integer tokens to contiguous indices through a vocabulary."""

from __future__ import annotations

from lamina.layers.preprocessing._host_layer import encode_ops
from lamina.layers.preprocessing._index_lookup import IndexLookup


class IntegerLookup(IndexLookup):
    """Maps integer tokens to indices in a vocabulary (given, or learned by `adapt`).

    Index layout (output_mode `"int"`): the mask token at 0 when `mask_token`
    is set, then `num_oov_indices` indices for unknown tokens (the token
    modulo `num_oov_indices` picks one, or its hash with
    `oov_method="farmhash"`), then the vocabulary. Concrete inputs are looked
    up on the host; inside a compiled step (the layer in a model being
    trained) the lookup runs with the engine's ops.

    Args:
        max_tokens: the largest vocabulary size, special tokens included.
        num_oov_indices: how many indices unknown tokens share (default 1).
        mask_token: a token that maps to index 0 (default None: no mask).
        oov_token: the token `invert` gives for unknown indices (default -1).
        vocabulary: a list or array of integers, or a text file with one a line.
        vocabulary_dtype: must be `"int64"`.
        idf_weights: in `"tf_idf"` mode with a vocabulary, one weight per entry.
        invert: map indices back to tokens.
        output_mode: `"int"`, `"one_hot"`, `"multi_hot"`, `"count"` or `"tf_idf"`.
        sparse: sparse outputs are not supported; must be False.
        pad_to_max_tokens: make encoded outputs `max_tokens` wide.
        oov_method: `"floormod"` or `"farmhash"`, how unknown tokens are spread.
        salt: with `"farmhash"`, an integer or pair for the keyed hash.
        name: the layer's name.

    Example:
        >>> layer = lamina.layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
        >>> layer([[12, 1138, 42], [42, 1000, 36]])
        array([[1, 3, 4],
               [4, 0, 2]])
    """

    _is_string = False

    def __init__(
        self,
        max_tokens: int | None = None,
        num_oov_indices: int = 1,
        mask_token: int | None = None,
        oov_token: int = -1,
        vocabulary=None,
        vocabulary_dtype: str = "int64",
        idf_weights=None,
        invert: bool = False,
        output_mode: str = "int",
        sparse: bool = False,
        pad_to_max_tokens: bool = False,
        oov_method: str = "floormod",
        salt=None,
        name: str | None = None,
        **kwargs,
    ):
        if vocabulary_dtype != "int64":
            raise ValueError(
                f"IntegerLookup supports vocabulary_dtype='int64' only; got {vocabulary_dtype!r}."
            )
        super().__init__(
            max_tokens=max_tokens,
            num_oov_indices=num_oov_indices,
            mask_token=mask_token,
            oov_token=oov_token,
            vocabulary=vocabulary,
            vocabulary_dtype=vocabulary_dtype,
            idf_weights=idf_weights,
            invert=invert,
            output_mode=output_mode,
            sparse=sparse,
            pad_to_max_tokens=pad_to_max_tokens,
            oov_method=oov_method,
            salt=salt,
            name=name,
            **kwargs,
        )

    def call(self, inputs):
        if self.invert:
            return super().call(inputs)
        self._check_depth()
        indices = self._traced_lookup(inputs)
        if self.output_mode == "int":
            return indices
        from lamina import config as _config
        from lamina import ops

        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = encode_ops(indices, mode, self._depth(), _config.floatx())
        if self.output_mode == "tf_idf":
            out = ops.multiply(out, ops.convert_to_tensor(self.idf_weights))
        return out

    def get_config(self) -> dict:
        config = super().get_config()
        for key in ("oov_token", "mask_token"):
            if config[key] is not None:
                config[key] = int(config[key])
        if config["vocabulary"] is not None:
            config["vocabulary"] = [int(v) for v in config["vocabulary"]]
        return config
