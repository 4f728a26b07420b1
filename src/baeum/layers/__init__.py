"""`baeum.layers`: every layer, with Keras names, arguments and defaults."""

from baeum import not_in_baeum as _not_in_baeum
from baeum.layers.activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from baeum.layers.attention import AdditiveAttention, Attention, MultiHeadAttention
from baeum.layers.convolutional import (
    Conv2D,
    Conv2DTranspose,
    DepthwiseConv2D,
    SeparableConv2D,
)
from baeum.layers.convolutional1d import (
    AveragePooling1D,
    AvgPool1D,
    Conv1D,
    Conv1DTranspose,
    DepthwiseConv1D,
    MaxPool1D,
    MaxPooling1D,
    SeparableConv1D,
)
from baeum.layers.convolutional3d import (
    AveragePooling3D,
    AvgPool3D,
    Conv3D,
    Conv3DTranspose,
    GlobalAveragePooling3D,
    GlobalMaxPooling3D,
    MaxPool3D,
    MaxPooling3D,
    UpSampling3D,
)
from baeum.layers.convolutional_recurrent import ConvLSTM1D, ConvLSTM2D
from baeum.layers.core import Activation, Dense, Dropout, Flatten, Identity, Lambda, Reshape
from baeum.layers.einsum_dense import EinsumDense
from baeum.layers.embedding import Embedding
from baeum.layers.image_preprocessing import (
    CenterCrop,
    RandomBrightness,
    RandomContrast,
    RandomCrop,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Resizing,
)
from baeum.layers.input_layer import InputLayer
from baeum.layers.input_spec import InputSpec
from baeum.layers.layer import Layer, clear_session
from baeum.layers.masking import Masking
from baeum.layers.merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)
from baeum.layers.normalization import (
    BatchNormalization,
    GroupNormalization,
    LayerNormalization,
    UnitNormalization,
)
from baeum.layers.pooling import (
    AveragePooling2D,
    AvgPool2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPool2D,
    MaxPooling2D,
    UpSampling2D,
)
from baeum.layers.preprocessing import Normalization, Rescaling
from baeum.layers.recurrent import GRU, LSTM, SimpleRNN
from baeum.layers.regularization import (
    ActivityRegularization,
    AlphaDropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
)
from baeum.layers.reshaping import (
    Cropping1D,
    Cropping2D,
    Cropping3D,
    Permute,
    RepeatVector,
    UpSampling1D,
    ZeroPadding1D,
    ZeroPadding2D,
    ZeroPadding3D,
)
from baeum.layers.rnn_cells import RNN, GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells
from baeum.layers.symbolic import Input, KerasTensor
from baeum.layers.tensor_op import TensorOp
from baeum.layers.text_preprocessing import (
    CategoryEncoding,
    Discretization,
    Hashing,
    IntegerLookup,
    StringLookup,
    TextVectorization,
)
from baeum.layers.wrappers import Bidirectional, TimeDistributed

# Keras names baeum does not have: the error says what to use instead.
__getattr__ = _not_in_baeum.module_getattr(__name__)

