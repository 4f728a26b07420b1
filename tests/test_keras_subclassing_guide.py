"""Keras 3's guide "Making new layers and models via subclassing", on baeum.

Each test is one section of the guide, written as the guide writes it with `keras`
replaced by `baeum`: `add_weight(shape=..., initializer=...)`, non-trainable weights
updated with `assign_add`, `build(input_shape)`, nested layers, `add_loss`, the
`training` argument with `baeum.random.dropout`, and the variational autoencoder that
trains with `fit` on a loss it adds itself."""

import numpy as np
import pytest

import baeum
from baeum import layers, ops
from baeum.datasets import digits


class Linear(layers.Layer):
    """y = w.x + b, weights created in build (the guide's "best practice: deferring
    weight creation until the shape of the inputs is known")."""

    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal",
                                 trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_a_layer_holds_its_weights_and_computes():
    layer = Linear(4)
    y = layer(ops.ones((2, 2)))
    assert y.shape == (2, 4)
    assert layer.weights == [layer.w, layer.b]
    np.testing.assert_allclose(y.data, np.ones((2, 2)) @ layer.w.data + layer.b.data)


def test_add_weight_takes_keras_3s_positional_order_too():
    class Both(layers.Layer):
        def build(self, input_shape):
            self.a = self.add_weight((input_shape[-1], 3), "ones")       # Keras 3: shape first
            self.b = self.add_weight("b", (3,), "zeros")                 # Keras 2 / baeum
            self.count = self.add_weight(shape=(), dtype="int64", trainable=False)

        def call(self, inputs):
            return ops.matmul(inputs, self.a) + self.b

    layer = Both()
    np.testing.assert_array_equal(layer(np.ones((1, 2))).data, [[2.0, 2.0, 2.0]])
    assert layer.a.shape == (2, 3) and layer.b.name.endswith("/b")
    assert layer.count.dtype == np.int64 and layer.count.data == 0   # ints start at zero
    with pytest.raises(TypeError, match=r"add_weight got two values for 'shape'"):
        layer.add_weight((2,), shape=(2,))


def test_non_trainable_weights_are_updated_with_assign_add():
    class ComputeSum(layers.Layer):
        def __init__(self, input_dim):
            super().__init__()
            self.total = self.add_weight(initializer="zeros", shape=(input_dim,),
                                         trainable=False)

        def call(self, inputs):
            self.total.assign_add(ops.sum(inputs, axis=0))
            return self.total

    my_sum = ComputeSum(2)
    x = ops.ones((2, 2))
    np.testing.assert_array_equal(my_sum(x).numpy(), [2.0, 2.0])
    np.testing.assert_array_equal(my_sum(x).numpy(), [4.0, 4.0])
    assert (len(my_sum.weights), len(my_sum.non_trainable_weights),
            len(my_sum.trainable_weights)) == (1, 1, 0)
    with pytest.raises(ValueError, match=r"assign: a value of shape \(3,\) cannot replace a "
                                         r"tensor of shape \(2,\)"):
        my_sum.total.assign(np.zeros(3))


def test_layers_nest_and_their_weights_are_tracked():
    class MLPBlock(layers.Layer):
        def __init__(self):
            super().__init__()
            self.linear_1, self.linear_2, self.linear_3 = Linear(32), Linear(32), Linear(1)

        def call(self, inputs):
            x = ops.relu(self.linear_1(inputs))
            x = ops.relu(self.linear_2(x))
            return self.linear_3(x)

    mlp = MLPBlock()
    assert mlp(ops.ones(shape=(3, 64))).shape == (3, 1)
    assert len(mlp.weights) == 6 and len(mlp.trainable_weights) == 6


class ActivityRegularizationLayer(layers.Layer):
    def __init__(self, rate=1e-2):
        super().__init__()
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * ops.mean(inputs))
        return inputs


def test_add_loss_terms_start_afresh_at_each_outermost_call():
    class OuterLayer(layers.Layer):
        def __init__(self):
            super().__init__()
            self.activity_reg = ActivityRegularizationLayer(1e-2)

        def call(self, inputs):
            return self.activity_reg(inputs)

    layer = OuterLayer()
    assert len(layer.losses) == 0           # never called yet
    layer(ops.zeros((1, 1)))
    assert len(layer.losses) == 1           # one loss value, from this call
    layer(3 * ops.ones((1, 1)))
    assert len(layer.losses) == 1           # reset at the start of each __call__
    assert layer.losses[0].item() == pytest.approx(0.03)


def test_weight_regularizers_of_inner_layers_are_in_losses():
    class OuterLayerWithKernelRegularizer(layers.Layer):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(32, kernel_regularizer=baeum.regularizers.l2(1e-3))

        def call(self, inputs):
            return self.dense(inputs)

    layer = OuterLayerWithKernelRegularizer()
    layer(ops.zeros((1, 1)))
    assert len(layer.losses) == 1
    assert layer.losses[0].item() == pytest.approx(1e-3 * (layer.dense.kernel.data ** 2).sum(),
                                                   rel=1e-5)


def test_fit_minimizes_what_add_loss_adds_with_or_without_a_compiled_loss():
    rng = np.random.default_rng(0)
    x, y = rng.random((8, 3)).astype(np.float32), rng.random((8, 3)).astype(np.float32)
    inputs = baeum.Input(shape=(3,))
    outputs = ActivityRegularizationLayer(rate=1.0)(layers.Dense(3)(inputs))
    model = baeum.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mse")
    mse = float(np.mean((model.predict(x, verbose=0) - y) ** 2))
    mean_output = float(model.predict(x, verbose=0).mean())
    # The loss fit reports is the compiled loss plus the added term (the mean output).
    assert model.evaluate(x, y, verbose=0) == pytest.approx(mse + mean_output, rel=1e-5)

    model.compile(optimizer=baeum.optimizers.SGD(0.1))   # no compiled loss: the added one
    history = model.fit(x, y, epochs=5, verbose=0)
    losses = history.history["loss"]
    assert losses[0] == pytest.approx(mean_output, rel=1e-5) and losses[-1] < losses[0] - 0.1


def test_the_training_argument_reaches_a_custom_dropout():
    class CustomDropout(layers.Layer):
        def __init__(self, rate, **kwargs):
            super().__init__(**kwargs)
            self.rate = rate
            self.seed_generator = baeum.random.SeedGenerator(1337)

        def call(self, inputs, training=None):
            if training:
                return baeum.random.dropout(inputs, rate=self.rate, seed=self.seed_generator)
            return inputs

    layer = CustomDropout(0.5)
    x = ops.ones((200, 50))
    np.testing.assert_array_equal(layer(x).numpy(), x.numpy())
    dropped = layer(x, training=True).numpy()
    assert set(np.unique(dropped)) == {0.0, 2.0}
    assert 0.45 < (dropped == 0).mean() < 0.55
    assert not np.array_equal(dropped, layer(x, training=True).numpy())   # a stream


def test_get_config_round_trips_a_custom_layer():
    layer = Linear(64)
    clone = Linear.from_config(layer.get_config())
    assert clone.units == 64 and clone.get_config() == layer.get_config()


# --- the guide's end-to-end example: a variational autoencoder -------------------------
class Sampling(layers.Layer):
    """Draws z from N(z_mean, exp(z_log_var)) by the reparameterization trick."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = baeum.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch, dim = ops.shape(z_mean)
        epsilon = baeum.random.normal(shape=(batch, dim), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


class Encoder(layers.Layer):
    def __init__(self, latent_dim=2, intermediate_dim=32, **kwargs):
        super().__init__(**kwargs)
        self.dense_proj = layers.Dense(intermediate_dim, activation="relu")
        self.dense_mean = layers.Dense(latent_dim)
        self.dense_log_var = layers.Dense(latent_dim)
        self.sampling = Sampling()

    def call(self, inputs):
        x = self.dense_proj(inputs)
        z_mean, z_log_var = self.dense_mean(x), self.dense_log_var(x)
        return z_mean, z_log_var, self.sampling((z_mean, z_log_var))


class Decoder(layers.Layer):
    def __init__(self, original_dim, intermediate_dim=32, **kwargs):
        super().__init__(**kwargs)
        self.dense_proj = layers.Dense(intermediate_dim, activation="relu")
        self.dense_output = layers.Dense(original_dim, activation="sigmoid")

    def call(self, inputs):
        return self.dense_output(self.dense_proj(inputs))


class VariationalAutoEncoder(baeum.Model):
    def __init__(self, original_dim, intermediate_dim=32, latent_dim=2, **kwargs):
        super().__init__(**kwargs)
        self.encoder = Encoder(latent_dim=latent_dim, intermediate_dim=intermediate_dim)
        self.decoder = Decoder(original_dim, intermediate_dim=intermediate_dim)

    def call(self, inputs):
        z_mean, z_log_var, z = self.encoder(inputs)
        reconstructed = self.decoder(z)
        # The KL divergence regularization term.
        kl_loss = -0.5 * ops.mean(z_log_var - ops.square(z_mean) - ops.exp(z_log_var) + 1)
        self.add_loss(kl_loss)
        return reconstructed


def test_the_variational_autoencoder_trains_on_its_own_kl_loss():
    (x_train, _), _ = digits.load_data()
    x_train = x_train.reshape(len(x_train), 64).astype("float32") / 16.0
    baeum.random.seed(0)
    vae = VariationalAutoEncoder(64, 32, 2)
    vae.compile(baeum.optimizers.Adam(learning_rate=1e-3), loss=baeum.losses.MeanSquaredError())
    history = vae.fit(x_train, x_train, epochs=8, batch_size=64, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.75 * losses[0]
    # One KL term, from the last call, and it is part of the reported loss.
    vae(x_train[:64])
    assert len(vae.losses) == 1
    kl = vae.losses[0].item()
    reconstruction = float(np.mean((vae.predict(x_train, verbose=0) - x_train) ** 2))
    assert 0 < kl < losses[-1] and reconstruction < losses[-1]


def test_custom_layers_weights_load_into_a_model_built_again(tmp_path):
    # Unnamed weights are "<layer>/variable", "<layer>/variable_1", as Keras 3 names them;
    # a model built again (layers renamed linear_2, ...) still matches them in order.
    def build():
        return baeum.Sequential([baeum.Input(shape=(3,)), Linear(4), Linear(2)])

    model = build()
    assert [w.name for w in model.layers[0].weights] == [f"{model.layers[0].name}/variable"] * 2
    path = tmp_path / "linear.weights.safetensors"
    model.save_weights(path)
    again = build()
    again.load_weights(path)
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)
