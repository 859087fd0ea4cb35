"""StringLookup: strings to integer indices through a vocabulary."""

from __future__ import annotations

from lamina.layers.preprocessing._index_lookup import IndexLookup


class StringLookup(IndexLookup):
    """Maps strings to indices in a vocabulary (given, or learned by `adapt`).

    Index layout (output_mode `"int"`): the mask token at 0 when `mask_token`
    is set, then `num_oov_indices` indices for unknown strings (hashed among
    them when there are several), then the vocabulary. Strings are handled on
    the host; the outputs are the engine's tensors (a NumPy array of strings
    with `invert=True`).

    Args:
        max_tokens: the largest vocabulary size, special tokens included.
        num_oov_indices: how many indices unknown strings share (default 1).
        mask_token: a string that maps to index 0 (default None: no mask).
        oov_token: the string `invert` gives for unknown indices.
        vocabulary: a list or array of strings, or a text file with one a line.
        idf_weights: in `"tf_idf"` mode with a vocabulary, one weight per entry.
        invert: map indices back to strings.
        output_mode: `"int"`, `"one_hot"`, `"multi_hot"`, `"count"` or `"tf_idf"`.
        pad_to_max_tokens: make encoded outputs `max_tokens` wide.
        sparse: sparse outputs are not supported; must be False.
        encoding: the text encoding of byte-string inputs (default UTF-8).
        name: the layer's name.
        salt: an integer or pair: hash unknown strings with the keyed hash.

    Example:
        >>> layer = lamina.layers.StringLookup(vocabulary=["a", "b", "c", "d"])
        >>> layer([["a", "c", "d"], ["d", "z", "b"]])
        array([[1, 3, 4],
               [4, 0, 2]])
    """

    def __init__(
        self,
        max_tokens: int | None = None,
        num_oov_indices: int = 1,
        mask_token: str | None = None,
        oov_token: str = "[UNK]",
        vocabulary=None,
        idf_weights=None,
        invert: bool = False,
        output_mode: str = "int",
        pad_to_max_tokens: bool = False,
        sparse: bool = False,
        encoding: str = "utf-8",
        name: str | None = None,
        salt=None,
        **kwargs,
    ):
        self.encoding = encoding
        kwargs.pop("vocabulary_dtype", None)
        super().__init__(
            max_tokens=max_tokens,
            num_oov_indices=num_oov_indices,
            mask_token=mask_token,
            oov_token=oov_token,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            invert=invert,
            output_mode=output_mode,
            pad_to_max_tokens=pad_to_max_tokens,
            sparse=sparse,
            name=name,
            salt=salt,
            vocabulary_dtype="string",
            **kwargs,
        )

    def get_config(self) -> dict:
        config = super().get_config()
        del config["vocabulary_dtype"]
        config["encoding"] = self.encoding
        return config
