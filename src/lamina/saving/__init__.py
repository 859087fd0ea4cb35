"""lamina.saving: the `.keras` format, weights files and the registry of serializable objects.

Loading never runs code: configs name classes, which are looked up in lamina's
own registry and in the objects you pass or register.
"""

from lamina.saving.object_registration import CustomObjectScope as CustomObjectScope
from lamina.saving.object_registration import custom_object_scope as custom_object_scope
from lamina.saving.object_registration import get_custom_objects as get_custom_objects
from lamina.saving.object_registration import get_registered_name as get_registered_name
from lamina.saving.object_registration import get_registered_object as get_registered_object
from lamina.saving.object_registration import (
    register_keras_serializable as register_keras_serializable,
)
from lamina.saving.saving_api import load_model as load_model
from lamina.saving.saving_api import load_weights as load_weights
from lamina.saving.saving_api import save_model as save_model
from lamina.saving.saving_api import save_weights as save_weights
from lamina.saving.serialization import DeserializationError as DeserializationError
from lamina.saving.serialization import deserialize_keras_object as deserialize_keras_object
from lamina.saving.serialization import serialize_keras_object as serialize_keras_object
