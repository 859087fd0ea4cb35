"""Keras's ImageNet models (`keras.applications`), layer for layer.

Each builds a functional `Model` whose layers carry Keras's names, so the
published pretrained weights load as they are: `weights="imagenet"` fetches
them once into `$LAMINA_HOME/models` and checks their hash. Each family's
module also has the `preprocess_input` its weights expect and
`decode_predictions`.

    model = lamina.applications.VGG16(weights=None, classes=10, input_shape=(64, 64, 3))
"""

from lamina.applications import convnext as convnext
from lamina.applications import densenet as densenet
from lamina.applications import efficientnet as efficientnet
from lamina.applications import efficientnet_v2 as efficientnet_v2
from lamina.applications import imagenet_utils as imagenet_utils
from lamina.applications import inception_resnet_v2 as inception_resnet_v2
from lamina.applications import inception_v3 as inception_v3
from lamina.applications import mobilenet as mobilenet
from lamina.applications import mobilenet_v2 as mobilenet_v2
from lamina.applications import mobilenet_v3 as mobilenet_v3
from lamina.applications import nasnet as nasnet
from lamina.applications import resnet as resnet
from lamina.applications import resnet50 as resnet50
from lamina.applications import resnet_v2 as resnet_v2
from lamina.applications import vgg16 as vgg16
from lamina.applications import vgg19 as vgg19
from lamina.applications import xception as xception
from lamina.applications.convnext import ConvNeXtBase as ConvNeXtBase
from lamina.applications.convnext import ConvNeXtLarge as ConvNeXtLarge
from lamina.applications.convnext import ConvNeXtSmall as ConvNeXtSmall
from lamina.applications.convnext import ConvNeXtTiny as ConvNeXtTiny
from lamina.applications.convnext import ConvNeXtXLarge as ConvNeXtXLarge
from lamina.applications.densenet import DenseNet121 as DenseNet121
from lamina.applications.densenet import DenseNet169 as DenseNet169
from lamina.applications.densenet import DenseNet201 as DenseNet201
from lamina.applications.efficientnet import EfficientNetB0 as EfficientNetB0
from lamina.applications.efficientnet import EfficientNetB1 as EfficientNetB1
from lamina.applications.efficientnet import EfficientNetB2 as EfficientNetB2
from lamina.applications.efficientnet import EfficientNetB3 as EfficientNetB3
from lamina.applications.efficientnet import EfficientNetB4 as EfficientNetB4
from lamina.applications.efficientnet import EfficientNetB5 as EfficientNetB5
from lamina.applications.efficientnet import EfficientNetB6 as EfficientNetB6
from lamina.applications.efficientnet import EfficientNetB7 as EfficientNetB7
from lamina.applications.efficientnet_v2 import EfficientNetV2B0 as EfficientNetV2B0
from lamina.applications.efficientnet_v2 import EfficientNetV2B1 as EfficientNetV2B1
from lamina.applications.efficientnet_v2 import EfficientNetV2B2 as EfficientNetV2B2
from lamina.applications.efficientnet_v2 import EfficientNetV2B3 as EfficientNetV2B3
from lamina.applications.efficientnet_v2 import EfficientNetV2L as EfficientNetV2L
from lamina.applications.efficientnet_v2 import EfficientNetV2M as EfficientNetV2M
from lamina.applications.efficientnet_v2 import EfficientNetV2S as EfficientNetV2S
from lamina.applications.inception_resnet_v2 import InceptionResNetV2 as InceptionResNetV2
from lamina.applications.inception_v3 import InceptionV3 as InceptionV3
from lamina.applications.mobilenet import MobileNet as MobileNet
from lamina.applications.mobilenet_v2 import MobileNetV2 as MobileNetV2
from lamina.applications.mobilenet_v3 import MobileNetV3Large as MobileNetV3Large
from lamina.applications.mobilenet_v3 import MobileNetV3Small as MobileNetV3Small
from lamina.applications.nasnet import NASNetLarge as NASNetLarge
from lamina.applications.nasnet import NASNetMobile as NASNetMobile
from lamina.applications.resnet import ResNet50 as ResNet50
from lamina.applications.resnet import ResNet101 as ResNet101
from lamina.applications.resnet import ResNet152 as ResNet152
from lamina.applications.resnet_v2 import ResNet50V2 as ResNet50V2
from lamina.applications.resnet_v2 import ResNet101V2 as ResNet101V2
from lamina.applications.resnet_v2 import ResNet152V2 as ResNet152V2
from lamina.applications.vgg16 import VGG16 as VGG16
from lamina.applications.vgg19 import VGG19 as VGG19
from lamina.applications.xception import Xception as Xception
