"""The arguments IMDB and Reuters share, and their word-index files."""

from __future__ import annotations

import json

from lamina.datasets._preprocess import check_int
from lamina.datasets._readers import corrupt_file_error
from lamina.utils.file_utils import get_file


def check_arguments(loader, num_words, skip_top, maxlen, start_char, oov_char, index_from):
    """The arguments, checked: a ValueError names the first that is out of range."""
    return (
        check_int(loader, "num_words", num_words, 1, allow_none=True),
        check_int(loader, "skip_top", skip_top, 0),
        check_int(loader, "maxlen", maxlen, 1, allow_none=True),
        check_int(loader, "start_char", start_char, 0, allow_none=True),
        check_int(loader, "oov_char", oov_char, 0, allow_none=True),
        check_int(loader, "index_from", index_from, 0),
    )


def load_word_index(path: str, origin: str, md5: str) -> dict:
    """The `{word: index}` dict of the JSON file at `origin`, downloaded into the cache once."""
    local = get_file(fname=path, origin=origin, file_hash=md5)
    try:
        with open(local, encoding="utf-8") as f:
            index = json.load(f)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise corrupt_file_error(local, "a JSON word index", e) from e
    if not isinstance(index, dict):
        raise corrupt_file_error(
            local, "a JSON word index", f"it holds a {type(index).__name__}, not an object"
        )
    return index
