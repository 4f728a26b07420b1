"""A DCGAN that learns to draw MNIST digits, with a hand-written training step.

    python examples/mnist_gan.py            # ~5 minutes per epoch on 2 cores
    BAEUM_DATA=/path/to/datasets python examples/mnist_gan.py

The generator turns 128 random numbers into a 28x28 image; the discriminator says
"real" or "fake" (one logit). Each step trains the discriminator on a real and a fake
batch, then the generator to fool it (the non-saturating loss). A grid of digits drawn
from the same fixed noise is saved after every epoch: watch them sharpen.
(`baeum train mnist-gan` is the full recipe: 8 epochs, digits drawn by a moving average
of the generator's weights, and a classifier that scores them.)
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import baeum  # noqa: E402
from baeum import layers, losses, optimizers  # noqa: E402
from baeum.datasets import mnist  # noqa: E402
from baeum.models import Sequential  # noqa: E402

EPOCHS, BATCH_SIZE, NOISE_DIM = 3, 64, 128
baeum.random.seed(0)
rng = baeum.random.get_generator()

(x_train, _), _ = mnist.load_data()
real_images = x_train[..., None].astype(np.float32) / 127.5 - 1  # pixels in [-1, 1], like tanh

# The networks InfoGAN used for MNIST: a strong discriminator (BatchNorm, Dense 1024)
# keeps telling real from fake, so the generator keeps getting a useful gradient.
generator = Sequential([
    layers.Input(shape=(NOISE_DIM,)),
    layers.Dense(1024, use_bias=False),
    layers.BatchNormalization(),
    layers.ReLU(),
    layers.Dense(7 * 7 * 128, use_bias=False),
    layers.BatchNormalization(),
    layers.ReLU(),
    layers.Reshape((7, 7, 128)),
    layers.Conv2DTranspose(64, 4, strides=2, padding="same", use_bias=False),  # 14x14x64
    layers.BatchNormalization(),
    layers.ReLU(),
    layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh"),  # 28x28x1
])
discriminator = Sequential([
    layers.Input(shape=(28, 28, 1)),
    layers.Conv2D(64, 4, strides=2, padding="same"),  # 14x14x64
    layers.LeakyReLU(0.2),
    layers.Conv2D(128, 4, strides=2, padding="same", use_bias=False),  # 7x7x128
    layers.BatchNormalization(),
    layers.LeakyReLU(0.2),
    layers.Flatten(),
    layers.Dense(1024, use_bias=False),
    layers.BatchNormalization(),
    layers.LeakyReLU(0.2),
    layers.Dense(1),  # a logit: > 0 means "real"
])
g_optimizer = optimizers.Adam(generator.trainable_weights, learning_rate=2e-4, beta_1=0.5)
d_optimizer = optimizers.Adam(discriminator.trainable_weights, learning_rate=2e-4, beta_1=0.5)
bce = losses.BinaryCrossentropy(from_logits=True)
real_label = np.ones((BATCH_SIZE, 1), np.float32)
fake_label = np.zeros((BATCH_SIZE, 1), np.float32)
fixed_noise = rng.standard_normal((64, NOISE_DIM), dtype=np.float32)

for epoch in range(1, EPOCHS + 1):
    order = rng.permutation(len(real_images))
    for step in range(len(real_images) // BATCH_SIZE):
        real = real_images[order[step * BATCH_SIZE:(step + 1) * BATCH_SIZE]]
        noise = rng.standard_normal((BATCH_SIZE, NOISE_DIM), dtype=np.float32)
        fake = generator(noise, training=True)

        # Discriminator: real -> 1, fake -> 0 (detach: this loss must not train G).
        loss_d = (bce(real_label, discriminator(real, training=True))
                  + bce(fake_label, discriminator(fake.detach(), training=True)))
        d_optimizer.zero_grad()
        loss_d.backward()
        d_optimizer.step()

        # Generator: make the discriminator say "real" about the fakes.
        loss_g = bce(real_label, discriminator(fake, training=True))
        g_optimizer.zero_grad()
        loss_g.backward()
        g_optimizer.step()

        if step % 200 == 0:
            print(f"epoch {epoch} step {step:4d}  loss_D {loss_d.item():.3f}  "
                  f"loss_G {loss_g.item():.3f}", flush=True)

    with baeum.no_grad():
        samples = generator(fixed_noise, training=False).numpy()[..., 0]
    fig, axes = plt.subplots(8, 8, figsize=(6, 6))
    for image, ax in zip(samples, axes.flat):
        ax.imshow(image, cmap="gray", vmin=-1, vmax=1)
        ax.axis("off")
    fig.suptitle(f"epoch {epoch}")
    fig.savefig(f"gan_epoch_{epoch:02d}.png", dpi=80)
    plt.close(fig)
    print(f"saved gan_epoch_{epoch:02d}.png")

generator.save("gan_generator.baeum")
