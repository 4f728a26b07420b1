"""Keras 3's guide "Customizing what happens in fit() with PyTorch", on baeum.

A Model subclass overrides train_step (zero_grad, forward, compute_loss, backward,
optimizer.apply, metrics) and is built functionally, `CustomModel(inputs, outputs)`;
fit, evaluate, saving and sample weights then work as the guide shows."""

import numpy as np
import pytest

import baeum
from baeum import layers, ops
from baeum.datasets import digits
from baeum.models import load_model


@baeum.saving.register_serializable(package="Guide")
class CustomModel(baeum.Model):
    def train_step(self, data):
        x, y = data                                      # no sample weights: (x, y)
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with baeum.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:                      # the loss tracker first
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def _data(n=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 32)).astype(np.float32)
    y = x @ rng.standard_normal((32, 1)).astype(np.float32) * 0.1
    return x, y


def _model(cls=CustomModel):
    inputs = baeum.Input(shape=(32,))
    return cls(inputs, layers.Dense(1)(inputs))


def test_a_subclass_built_functionally_keeps_its_train_step():
    model = _model()
    assert isinstance(model, CustomModel) and isinstance(model, baeum.models.Functional)
    assert type(model).__name__ == "CustomModel"
    model.compile(optimizer=baeum.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    x, y = _data()
    history = model.fit(x, y, epochs=5, verbose=0)
    assert set(history.history) == {"loss", "mae"}
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]


def test_the_lower_level_version_with_metrics_of_its_own():
    class LowLevel(baeum.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.loss_tracker = baeum.metrics.Mean(name="loss")
            self.mae_metric = baeum.metrics.MeanAbsoluteError(name="mae")
            self.dense = layers.Dense(1)

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = baeum.losses.mean_squared_error(y, y_pred).mean()
            loss.backward()
            weights = self.trainable_weights
            with baeum.no_grad():
                self.optimizer.apply([w.grad for w in weights], weights)
            self.loss_tracker.update_state(loss)
            self.mae_metric.update_state(y, y_pred)
            return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

        @property
        def metrics(self):
            return [self.loss_tracker, self.mae_metric]   # reset by fit at each epoch

    model = LowLevel()
    model.compile(optimizer=baeum.optimizers.Adam(0.01))   # no loss: the step has its own
    x, y = _data()
    history = model.fit(x, y, epochs=5, batch_size=32, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.3 * losses[0]
    # fit resets the step's own metrics at each epoch: the last value is the last epoch's
    # mean, which evaluating the same batches' losses again would give
    assert losses[-1] == pytest.approx(model.loss_tracker.result())


def test_sample_weights_reach_the_step_as_a_third_element():
    seen = []

    class Weighted(CustomModel):
        def train_step(self, data):
            x, y, sample_weight = data
            seen.append(None if sample_weight is None else np.asarray(sample_weight).copy())
            return super().train_step((x, y))

    model = _model(Weighted)
    model.compile("sgd", "mse")
    x, y = _data(64)
    model.fit(x, y, sample_weight=np.arange(64.0), batch_size=64, epochs=1, shuffle=False,
              verbose=0)
    np.testing.assert_array_equal(seen[0], np.arange(64.0))


def test_a_custom_test_step_serves_evaluate():
    class Evaluated(CustomModel):
        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            self.compute_loss(y=y, y_pred=y_pred)
            return {"double_mae": 2 * float(np.abs(y_pred.data - y).mean())}

    model = _model(Evaluated)
    model.compile("adam", "mse")
    x, y = _data(32)
    result = model.evaluate(x, y, batch_size=32, verbose=0, return_dict=True)
    expected = 2 * np.abs(model.predict(x, verbose=0) - y).mean()
    assert result["double_mae"] == pytest.approx(expected, rel=1e-5)


def test_the_subclass_saves_and_loads_as_itself(tmp_path):
    model = _model()
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    x, y = _data()
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "custom.baeum")
    again = load_model(tmp_path / "custom.baeum")
    assert type(again).__name__ == "CustomModel" and isinstance(again, CustomModel)
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    again.fit(x, y, epochs=1, verbose=0)                 # its own train_step, loaded


def test_a_subclass_with_its_own_init_still_refuses_inputs_and_outputs():
    class WithInit(baeum.Model):
        def __init__(self, units):
            super().__init__()
            self.dense = layers.Dense(units)

    inputs = baeum.Input(shape=(3,))
    with pytest.raises(TypeError, match=r"got unexpected|takes|positional"):
        WithInit(inputs, layers.Dense(2)(inputs))


# --- the guide's GAN: two optimizers, a compile of its own, a step with two updates -------
class GAN(baeum.Model):
    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.d_loss_tracker = baeum.metrics.Mean(name="d_loss")
        self.g_loss_tracker = baeum.metrics.Mean(name="g_loss")
        self.seed_generator = baeum.random.SeedGenerator(1337)
        self.built = True

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    def train_step(self, real_images):
        if isinstance(real_images, tuple):
            real_images = real_images[0]
        batch_size = real_images.shape[0]
        random_latent_vectors = baeum.random.normal(shape=(batch_size, self.latent_dim),
                                                    seed=self.seed_generator)
        generated_images = self.generator(random_latent_vectors)
        real_images = ops.convert_to_tensor(real_images)
        combined_images = ops.concatenate([generated_images, real_images], axis=0)
        labels = ops.concatenate([ops.ones((batch_size, 1)), ops.zeros((batch_size, 1))], axis=0)
        labels += 0.05 * baeum.random.uniform(labels.shape, seed=self.seed_generator)
        self.zero_grad()
        predictions = self.discriminator(combined_images)
        d_loss = self.loss_fn(labels, predictions)
        d_loss.backward()
        grads = [v.value.grad for v in self.discriminator.trainable_weights]
        with baeum.no_grad():
            self.d_optimizer.apply(grads, self.discriminator.trainable_weights)
        random_latent_vectors = baeum.random.normal(shape=(batch_size, self.latent_dim),
                                                    seed=self.seed_generator)
        misleading_labels = ops.zeros((batch_size, 1))
        self.zero_grad()
        predictions = self.discriminator(self.generator(random_latent_vectors))
        g_loss = self.loss_fn(misleading_labels, predictions)
        g_loss.backward()
        grads = [v.value.grad for v in self.generator.trainable_weights]
        with baeum.no_grad():
            self.g_optimizer.apply(grads, self.generator.trainable_weights)
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}


def test_the_guides_gan_trains_both_networks_through_fit():
    latent_dim = 16
    discriminator = baeum.Sequential([
        baeum.Input(shape=(8, 8, 1)), layers.Conv2D(16, 3, strides=2, padding="same"),
        layers.LeakyReLU(negative_slope=0.2), layers.Flatten(), layers.Dense(1)])
    generator = baeum.Sequential([
        baeum.Input(shape=(latent_dim,)), layers.Dense(4 * 4 * 16),
        layers.LeakyReLU(negative_slope=0.2), layers.Reshape((4, 4, 16)),
        layers.Conv2DTranspose(16, 4, strides=2, padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2D(1, 3, padding="same", activation="sigmoid")])
    (x, _), _ = digits.load_data()
    x = (x[..., None] / 16.0).astype("float32")
    before = [w.copy() for w in discriminator.get_weights() + generator.get_weights()]
    gan = GAN(discriminator=discriminator, generator=generator, latent_dim=latent_dim)
    gan.compile(d_optimizer=baeum.optimizers.Adam(learning_rate=0.0003),
                g_optimizer=baeum.optimizers.Adam(learning_rate=0.0003),
                loss_fn=baeum.losses.BinaryCrossentropy(from_logits=True))
    history = gan.fit(x, epochs=2, batch_size=64, verbose=0)   # no targets: x alone
    assert set(history.history) == {"d_loss", "g_loss"}
    assert all(np.isfinite(v) for values in history.history.values() for v in values)
    after = discriminator.get_weights() + generator.get_weights()
    assert all(not np.array_equal(a, b) for a, b in zip(before, after))   # both trained
    # The discriminator learned something: in the guide's labels generated images are 1 and
    # real ones 0, so generated images score higher.
    noise = baeum.random.normal((256, latent_dim), seed=0)
    fake = discriminator.predict(generator.predict(noise, verbose=0), verbose=0)
    real = discriminator.predict(x[:256], verbose=0)
    assert fake.mean() > real.mean()
