"""A character-level LSTM language model on Pride and Prejudice, then text sampling.

    BAEUM_DATA=/path/to/datasets python examples/char_rnn.py

Trains on 200,000 characters for a few epochs (minutes on a laptop), reports the
validation perplexity next to the unigram baseline, and writes some text.
`baeum train char-rnn` is the full recipe.
"""

import re

import numpy as np

import baeum
from baeum import layers, losses, optimizers
from baeum.datasets import text
from baeum.models import Sequential

baeum.random.seed(0)
corpus = text.load_corpus(name="pride_and_prejudice")
corpus = corpus[corpus.find("It is a truth"):]
corpus = re.sub(r"\s+", " ", re.sub(r"\[Illustration[^\]]*\]", " ", corpus))[:200_000]
vocab = text.char_vocabulary(corpus)
ids = np.array(vocab.encode(corpus), dtype=np.int32)


def windows(ids, length=64):
    """Non-overlapping windows; the target is the input shifted by one character."""
    n = (len(ids) - 1) // length
    return ids[:n * length].reshape(n, length), ids[1:n * length + 1].reshape(n, length)


split = int(0.9 * len(ids))
x_train, y_train = windows(ids[:split])
x_val, y_val = windows(ids[split:])

model = Sequential([
    layers.Input(shape=(64,), dtype="int32"),
    layers.Embedding(len(vocab), 32),
    layers.LSTM(256, return_sequences=True),
    layers.Dense(len(vocab)),                  # next-character logits at every position
])
model.compile(optimizer=optimizers.Adam(learning_rate=3e-3),
              loss=losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(x_train, y_train, batch_size=64, epochs=5, validation_data=(x_val, y_val), verbose=2)

counts = np.bincount(ids[:split], minlength=len(vocab)) + 1.0    # add-one smoothed unigram
unigram = np.exp(-np.mean(np.log((counts / counts.sum())[ids[split:]])))
perplexity = np.exp(model.evaluate(x_val, y_val, verbose=0))
print(f"validation perplexity {perplexity:.2f} (unigram baseline {unigram:.2f})")

# Sampling: an LSTM with the same weights that also returns its state (h, c), so each
# new character continues from the state the previous one left.
embedding, lstm, dense = model.layers
stepper = layers.LSTM(256, return_sequences=True, return_state=True)
stepper.build((None, None, 32))
stepper.set_weights(lstm.get_weights())
rng = np.random.default_rng(0)
generated = "Elizabeth "
with baeum.no_grad():
    out, h, c = stepper(embedding(np.array([vocab.encode(generated)])))
    for _ in range(300):
        logits = dense(out[:, -1]).numpy()[0].astype(np.float64) / 0.7  # temperature 0.7
        p = np.exp(logits - logits.max())
        next_id = rng.choice(len(p), p=p / p.sum())
        generated += vocab.id_to_word[next_id]
        out, h, c = stepper(embedding(np.array([[next_id]])), initial_state=[h, c])
print(generated)
