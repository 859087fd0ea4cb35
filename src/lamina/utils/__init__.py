"""lamina.utils: helpers from Keras's `keras.utils`."""

from lamina.saving.object_registration import custom_object_scope as custom_object_scope
from lamina.saving.object_registration import get_custom_objects as get_custom_objects
from lamina.saving.object_registration import get_registered_name as get_registered_name
from lamina.saving.object_registration import get_registered_object as get_registered_object
from lamina.saving.object_registration import (
    register_keras_serializable as register_keras_serializable,
)
from lamina.utils.file_utils import get_file as get_file
from lamina.utils.numerical_utils import normalize as normalize
from lamina.utils.numerical_utils import to_categorical as to_categorical
from lamina.utils.progbar import Progbar as Progbar
from lamina.utils.py_dataset import PyDataset as PyDataset
from lamina.utils.py_dataset import Sequence as Sequence
from lamina.utils.random_utils import set_random_seed as set_random_seed
from lamina.utils.sequence_utils import pad_sequences as pad_sequences
