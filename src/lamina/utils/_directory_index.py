"""Listing the files of a dataset directory, with labels, as Keras's dataset utilities do."""

from __future__ import annotations

import os

import numpy as np


def print_msg(message: str) -> None:
    print(message)


def _class_folders(directory: str, class_names) -> list[str]:
    folders = [
        name
        for name in sorted(os.listdir(directory))
        if os.path.isdir(os.path.join(directory, name)) and not name.startswith(".")
    ]
    if class_names is None:
        return folders
    if not set(class_names) <= set(folders):
        raise ValueError(
            f"class_names={list(class_names)} names folders that are not in {directory!r}; its "
            f"class folders are {folders}. Pass a subset of them, in the order you want."
        )
    return list(class_names)


def _files_under(folder: str, follow_links: bool, formats: tuple) -> list[str]:
    """The files of `folder` and its subfolders with an allowed extension, in sorted order."""
    found = []
    for root, _, files in sorted(os.walk(folder, followlinks=follow_links), key=lambda w: w[0]):
        found.extend(os.path.join(root, f) for f in sorted(files) if f.lower().endswith(formats))
    return found


def index_directory(
    directory: str,
    labels,
    formats: tuple,
    class_names=None,
    shuffle: bool = True,
    seed: int | None = None,
    follow_links: bool = False,
    verbose: bool = True,
):
    """`(file_paths, labels, class_names)` for the files of `directory`.

    With `labels="inferred"` each subfolder is a class (sorted by name, or in
    the order of `class_names`) and its files, at any depth, get its index.
    With a list of labels, the files of the whole directory get them in
    sorted path order; with None, there are no labels. Shuffling uses
    NumPy's `RandomState(seed)`, so a seed picks the same files for a
    validation split as in Keras.
    """
    if not os.path.isdir(directory):
        raise ValueError(
            f"directory={directory!r} is not a directory. Pass the folder that holds the data."
        )
    if labels == "inferred":
        folders = _class_folders(directory, class_names)
    else:
        if class_names is not None:
            raise ValueError(
                "class_names can only be given with labels='inferred' (the class names of explicit "
                f"labels are their sorted values); got labels={labels!r:.80}."
            )
        folders = [""]
    paths: list[str] = []
    inferred: list[int] = []
    for index, folder in enumerate(folders):
        files = _files_under(os.path.join(directory, folder), follow_links, formats)
        paths.extend(files)
        inferred.extend([index] * len(files))
    if labels == "inferred":
        labels = np.asarray(inferred, dtype="int32")
        class_names = folders
    elif labels is not None:
        if len(labels) != len(paths):
            raise ValueError(
                f"labels has {len(labels)} entries but {directory!r} holds {len(paths)} files with "
                f"extensions {formats}. Give one label per file, in sorted path order."
            )
        class_names = [str(label) for label in sorted(set(labels))]
    if verbose:
        if labels is None:
            print_msg(f"Found {len(paths)} files.")
        else:
            print_msg(f"Found {len(paths)} files belonging to {len(class_names)} classes.")
    if shuffle:
        if seed is None:
            seed = np.random.randint(1_000_000)
        np.random.RandomState(seed).shuffle(paths)
        if labels is not None:
            labels = np.array(labels)
            np.random.RandomState(seed).shuffle(labels)
    return paths, labels, class_names


def check_validation_split(validation_split, subset, shuffle: bool, seed) -> None:
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(
            f"validation_split must be between 0 and 1; got validation_split={validation_split}."
        )
    if bool(validation_split) != bool(subset):
        raise ValueError(
            "validation_split and subset go together: give both or neither; got "
            f"validation_split={validation_split!r}, subset={subset!r}."
        )
    if subset not in ("training", "validation", "both", None):
        raise ValueError(
            f"subset must be 'training', 'validation' or 'both'; got subset={subset!r}."
        )
    if validation_split and shuffle and seed is None:
        raise ValueError(
            "With validation_split and shuffle=True, pass a seed, so that the training and "
            "validation subsets (made by two calls) do not overlap."
        )


def split_subset(paths: list, labels, validation_split, subset: str, verbose: bool = True):
    """The training (first) or validation (last) `validation_split` fraction of the files."""
    if not validation_split:
        return paths, labels
    num_validation = int(validation_split * len(paths))
    keep = (
        slice(0, len(paths) - num_validation)
        if subset == "training"
        else slice(len(paths) - num_validation, len(paths))
    )
    if verbose:
        print_msg(f"Using {keep.stop - keep.start} files for {subset}.")
    return paths[keep], None if labels is None else labels[keep]


def encode_labels(labels: np.ndarray, label_mode: str, num_classes: int) -> np.ndarray:
    """Integer labels as `label_mode` asks: int32, float32 one-hot, or float32 of shape (n, 1)."""
    if label_mode == "binary":
        return labels.astype("float32")[:, None]
    if label_mode == "categorical":
        # As tf.one_hot: a label outside [0, num_classes) is a row of zeros.
        one_hot = np.zeros((len(labels), num_classes), dtype="float32")
        rows = np.flatnonzero((labels >= 0) & (labels < num_classes))
        one_hot[rows, labels[rows]] = 1.0
        return one_hot
    return labels.astype("int32")


def check_labels_arguments(labels, label_mode, class_names):
    """Normalizes `labels`/`label_mode` (None if either is None) after checking them."""
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                "labels must be 'inferred' (from the subfolders), None (no labels) or a list of "
                f"integer labels, one per file in sorted path order; got labels={labels!r:.80}."
            )
        if class_names:
            raise ValueError(
                "class_names can only be given with labels='inferred'; got labels as a list and "
                f"class_names={class_names!r}."
            )
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(
            "label_mode must be 'int', 'categorical', 'binary' or None; got "
            f"label_mode={label_mode!r}."
        )
    if labels is None or label_mode is None:
        return None, None
    return labels, label_mode


def check_format(format: str) -> None:
    if format not in ("tf", "grain"):
        raise ValueError(
            f"format must be 'tf' or 'grain'; got format={format!r}. lamina returns its own "
            "dataset for both."
        )


def file_datasets(
    directory: str,
    paths: list,
    labels,
    class_names,
    label_mode,
    read,
    *,
    batch_size,
    shuffle: bool,
    seed,
    validation_split,
    subset,
    verbose: bool,
    what: str,
):
    """The dataset (or `[training, validation]` for subset "both") of the indexed files.

    `read(paths)` returns the stacked samples of a list of paths.
    """
    from lamina.utils._batched_dataset import BatchedDataset

    def make(subset_name, shuffled):
        subset_paths, subset_labels = split_subset(
            paths, labels, validation_split, subset_name, verbose
        )
        if len(subset_paths) == 0:
            kind = f"{subset_name} {what}" if subset_name else what
            raise ValueError(f"No {kind} found in directory {directory!r}.")
        subset_paths = list(subset_paths)
        encoded = (
            None
            if subset_labels is None
            else encode_labels(np.asarray(subset_labels), label_mode, len(class_names))
        )

        def load(indices):
            samples = read([subset_paths[i] for i in indices])
            return samples if encoded is None else (samples, encoded[indices])

        dataset = BatchedDataset(load, len(subset_paths), batch_size, shuffled, seed)
        dataset.class_names = class_names
        dataset.file_paths = subset_paths
        return dataset

    if subset == "both":
        return [make("training", shuffle), make("validation", False)]
    return make(subset, shuffle)
