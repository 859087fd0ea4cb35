"""`text_dataset_from_directory`: a folder of `.txt` files as a dataset."""

from __future__ import annotations

import numpy as np

from lamina.utils import _directory_index


def text_dataset_from_directory(
    directory: str,
    labels="inferred",
    label_mode: str | None = "int",
    class_names: list | None = None,
    batch_size: int | None = 32,
    max_length: int | None = None,
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: str | None = None,
    follow_links: bool = False,
    format: str = "tf",
    verbose: bool = True,
):
    """A dataset of the `.txt` files in `directory`, one subfolder per class.

    Each sample is a file's text, read as UTF-8 when its batch is read; a
    batch of texts is a NumPy array of `str`. The result is a
    `lamina.utils.PyDataset` (Keras returns a `tf.data.Dataset`) that gives
    the same batches on every engine; iterating it yields `(texts, labels)`,
    or `texts` without labels. It carries `class_names` and has `map`,
    `batch`, `unbatch`, `prefetch` and `cardinality`. Turn texts into numbers
    (e.g. with `.map`) before `fit`.

    Args:
        directory: the data folder; with `labels="inferred"`, one subfolder
            per class, whose `.txt` files (at any depth) get its index.
        labels: "inferred", None (no labels), or a list of integer labels,
            one per file in sorted path order.
        label_mode: "int" (int32), "categorical" (float32 one-hot), "binary"
            (float32 of shape `(batch, 1)`, two classes) or None (no labels).
        class_names: the class subfolders to use, in label order (default:
            all, sorted).
        batch_size: texts per batch; None yields single texts.
        max_length: keep at most this many characters of each text.
        shuffle: shuffle the files once and the batches' order every epoch;
            without it the files are read in sorted order.
        seed: the seed of the shuffling (required with `validation_split`
            and `shuffle`).
        validation_split: the fraction of the files kept for validation.
        subset: "training", "validation" or "both" (a list of the two).
        follow_links: also visit subfolders that are symbolic links.
        format: "tf" or "grain"; both give lamina's dataset.
        verbose: print how many files and classes were found.

    Returns:
        The dataset, or `[training, validation]` with `subset="both"`.

    Example:
        >>> reviews = lamina.utils.text_dataset_from_directory("reviews", batch_size=8, seed=1)
        >>> reviews.class_names
        ['neg', 'pos']
    """
    labels, label_mode = _directory_index.check_labels_arguments(labels, label_mode, class_names)
    _directory_index.check_format(format)
    _directory_index.check_validation_split(validation_split, subset, shuffle, seed)
    if max_length is not None and (isinstance(max_length, bool) or max_length < 0):
        raise ValueError(
            f"max_length must be None or a non-negative integer; got max_length={max_length!r}."
        )
    if seed is None:
        seed = np.random.randint(1_000_000)
    paths, labels, class_names = _directory_index.index_directory(
        directory,
        labels,
        (".txt",),
        class_names=class_names,
        shuffle=shuffle,
        seed=seed,
        follow_links=follow_links,
        verbose=verbose,
    )
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(
            f"label_mode='binary' needs exactly 2 classes; got class_names={class_names}. Use "
            "label_mode='int' or 'categorical' for more."
        )

    def read(paths: list) -> np.ndarray:
        texts = []
        for path in paths:
            with open(path, encoding="utf-8", newline="") as file:
                text = file.read()
            texts.append(text if max_length is None else text[:max_length])
        return np.array(texts, dtype=str)

    datasets = _directory_index.file_datasets(
        directory,
        paths,
        labels,
        class_names,
        label_mode,
        read,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        validation_split=validation_split,
        subset=subset,
        verbose=verbose,
        what="text files (allowed format: .txt)",
    )
    return datasets
