"""`image_dataset_from_directory`: a folder of images as a dataset `fit` takes."""

from __future__ import annotations

import numpy as np

from lamina import config as _config
from lamina.utils import _directory_index

ALLOWED_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_CHANNELS = {"rgb": 3, "rgba": 4, "grayscale": 1}
_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5")


def image_dataset_from_directory(
    directory: str,
    labels="inferred",
    label_mode: str | None = "int",
    class_names: list | None = None,
    color_mode: str = "rgb",
    batch_size: int | None = 32,
    image_size: tuple = (256, 256),
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: str | None = None,
    interpolation: str = "bilinear",
    follow_links: bool = False,
    crop_to_aspect_ratio: bool = False,
    pad_to_aspect_ratio: bool = False,
    data_format: str | None = None,
    format: str = "tf",
    verbose: bool = True,
):
    """A dataset of the images in `directory`, one subfolder per class.

    Images are read with Pillow when a batch is read, resized to `image_size`
    and returned as float32 arrays with values in [0, 255]. The result is a
    `lamina.utils.PyDataset` that `fit`, `evaluate` and `predict` take on
    every engine (Keras returns a `tf.data.Dataset`); iterating it yields
    `(images, labels)` batches as NumPy arrays, or `images` without labels. It
    carries `class_names` and `file_paths`, and has `map`, `batch`,
    `unbatch`, `prefetch` and `cardinality` like a `tf.data.Dataset`.

    Args:
        directory: the data folder; with `labels="inferred"`, one subfolder
            per class, whose images (at any depth) get its index.
        labels: "inferred", None (no labels), or a list of integer labels,
            one per image in sorted path order.
        label_mode: "int" (int32), "categorical" (float32 one-hot), "binary"
            (float32 of shape `(batch, 1)`, two classes) or None (no labels).
        class_names: the class subfolders to use, in label order (default:
            all, sorted).
        color_mode: "grayscale", "rgb" or "rgba" (1, 3 or 4 channels).
        batch_size: images per batch; None yields single images.
        image_size: `(height, width)` (or an int for both) to resize to.
        shuffle: shuffle the files once and the batches' order every epoch;
            without it the files are read in sorted order.
        seed: the seed of the shuffling (required with `validation_split`
            and `shuffle`).
        validation_split: the fraction of the files kept for validation.
        subset: "training", "validation" or "both" (a list of the two).
        interpolation: "bilinear", "nearest", "bicubic", "lanczos3",
            "lanczos5", or "area" (TensorFlow engine only).
        follow_links: also visit subfolders that are symbolic links.
        crop_to_aspect_ratio: resize the largest centered crop with the
            aspect ratio of `image_size` (no distortion).
        pad_to_aspect_ratio: pad the image to the aspect ratio of
            `image_size` before resizing (no distortion).
        data_format: "channels_last" or "channels_first"; None:
            `image_data_format()`.
        format: "tf" or "grain"; both give lamina's dataset.
        verbose: print how many files and classes were found.

    Returns:
        The dataset, or `[training, validation]` with `subset="both"`.

    Example:
        >>> train, val = lamina.utils.image_dataset_from_directory(
        ...     "photos", image_size=(64, 64), validation_split=0.2, subset="both", seed=1)
        >>> model.fit(train, validation_data=val, epochs=3)
    """
    labels, label_mode = _directory_index.check_labels_arguments(labels, label_mode, class_names)
    if color_mode not in _CHANNELS:
        raise ValueError(
            f"color_mode must be 'rgb', 'rgba' or 'grayscale'; got color_mode={color_mode!r}."
        )
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    if not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError(
            f"image_size must be (height, width), two integers; got image_size={image_size!r}."
        )
    image_size = (int(image_size[0]), int(image_size[1]))
    interpolation = interpolation.lower()
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(
            f"interpolation must be one of {', '.join(_INTERPOLATIONS)}; got "
            f"interpolation={interpolation!r}."
        )
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(
            "crop_to_aspect_ratio and pad_to_aspect_ratio cannot both be True; pick one way to "
            "keep the aspect ratio."
        )
    _directory_index.check_format(format)
    _directory_index.check_validation_split(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1_000_000)
    paths, labels, class_names = _directory_index.index_directory(
        directory,
        labels,
        ALLOWED_FORMATS,
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
    data_format = data_format or _config.image_data_format()
    reader = _ImageReader(
        image_size,
        color_mode,
        interpolation,
        crop_to_aspect_ratio,
        pad_to_aspect_ratio,
        data_format,
    )

    return _directory_index.file_datasets(
        directory,
        paths,
        labels,
        class_names,
        label_mode,
        lambda paths: np.stack([reader(path) for path in paths]),
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        validation_split=validation_split,
        subset=subset,
        verbose=verbose,
        what=f"images (allowed formats: {', '.join(ALLOWED_FORMATS)})",
    )


class _ImageReader:
    """Reads one image file as a float32 array of the dataset's size and layout."""

    def __init__(self, size, color_mode, interpolation, crop, pad, data_format):
        self.size = size
        self.color_mode = color_mode
        self.interpolation = interpolation
        self.crop = crop
        self.pad = pad
        self.data_format = data_format

    def __call__(self, path: str) -> np.ndarray:
        from lamina import ops
        from lamina.utils.image_utils import img_to_array, load_img

        image = img_to_array(
            load_img(path, color_mode=self.color_mode), "channels_last", dtype="float32"
        )
        if self.color_mode == "grayscale" and image.shape[-1] != 1:
            image = image[..., :1]
        if image.shape[:2] != self.size:
            image = ops.convert_to_numpy(
                ops.image.resize(
                    image,
                    self.size,
                    interpolation=self.interpolation,
                    crop_to_aspect_ratio=self.crop,
                    pad_to_aspect_ratio=self.pad,
                    data_format="channels_last",
                )
            ).astype("float32")
        if self.data_format == "channels_first":
            image = image.transpose(2, 0, 1)
        return image
