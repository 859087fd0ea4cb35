"""Keras's ImageNet models (`keras.applications`), layer for layer.

Each builds a functional `Model` whose layers carry Keras's names, so the
published pretrained weights load as they are: `weights="imagenet"` fetches
them once into `$LAMINA_HOME/models` and checks their hash. Each family's
module also has the `preprocess_input` its weights expect and
`decode_predictions`.

    model = lamina.applications.VGG16(weights=None, classes=10, input_shape=(64, 64, 3))
"""

from lamina.applications import imagenet_utils as imagenet_utils
from lamina.applications import vgg16 as vgg16
from lamina.applications import vgg19 as vgg19
from lamina.applications.vgg16 import VGG16 as VGG16
from lamina.applications.vgg19 import VGG19 as VGG19
