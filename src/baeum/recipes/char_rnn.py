"""char-rnn: an LSTM character language model on Pride and Prejudice (Karpathy's char-rnn).

The first 200,000 characters of the novel (illustration captions dropped, runs of
whitespace made one space); the first 90% trains, the last 10% validates. Sequences
of 64 characters, each target the input shifted by one:

    Embedding(V, 32) -> LSTM(256, return_sequences=True) -> Dense(V) logits per step

with sparse categorical cross-entropy from logits and Adam. Perplexity is exp of the
mean validation cross-entropy per character. The yardstick is the unigram model
(each character drawn with its training-part frequency, add-one smoothed): it knows
which letters are common but nothing about order. Headline: validation perplexity,
expected <= 0.5 x the unigram perplexity.

The trained model then writes text: start from a seed string, sample the next
character from softmax(logits / temperature), feed it back, carrying the LSTM state
(samples.txt).
"""

import csv
import re

import numpy as np

import baeum
from baeum import layers, losses, optimizers
from baeum.datasets import text
from baeum.models import Sequential
from baeum.recipes import figures
from baeum.recipes.run import Result

TARGET_RATIO = 0.5  # perplexity <= 0.5 x unigram perplexity
SEQ_LEN = 64
SEED_TEXT = "Elizabeth "
TEMPERATURES = (0.5, 1.0)


def load_text(settings):
    """The cleaned slice of the novel as one string."""
    folder = None if settings.data_dir is None else f"{settings.data_dir}/text"
    raw = text.load_corpus(path=folder)
    raw = raw[raw.find("It is a truth"):]  # skip the title pages, preface and illustrations
    raw = re.sub(r"\[Illustration[^\]]*\]", " ", raw)
    raw = re.sub(r"\s+", " ", raw)
    return raw[:20_000 if settings.smoke else 200_000]


def sequences(ids):
    """ids (T,) -> x, y (T // 64, 64): non-overlapping windows, y = x shifted by one."""
    n = (len(ids) - 1) // SEQ_LEN
    x = ids[:n * SEQ_LEN].reshape(n, SEQ_LEN)
    y = ids[1:n * SEQ_LEN + 1].reshape(n, SEQ_LEN)
    return x, y


def load(settings):
    """(x_train, y_train), (x_val, y_val), vocab, unigram perplexity."""
    corpus = load_text(settings)
    vocab = text.char_vocabulary(corpus)
    ids = np.array(vocab.encode(corpus), dtype=np.int32)
    split = int(0.9 * len(ids))
    train_ids, val_ids = ids[:split], ids[split:]
    # Unigram model: character frequencies of the training part, add-one smoothed so a
    # character seen only in validation does not get probability 0.
    counts = np.bincount(train_ids, minlength=len(vocab)) + 1.0
    p = counts / counts.sum()
    unigram = float(np.exp(-np.mean(np.log(p[val_ids]))))
    return sequences(train_ids), sequences(val_ids), vocab, unigram


def build_model(vocab_size, units, lr):
    model = Sequential([
        layers.Input(shape=(SEQ_LEN,), dtype="int32"),
        layers.Embedding(vocab_size, 32),
        layers.LSTM(units, return_sequences=True),  # (batch, 64, units)
        layers.Dense(vocab_size),                   # (batch, 64, V) next-character logits
    ])
    model.compile(optimizer=optimizers.Adam(learning_rate=lr),
                  loss=losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def sample(model, vocab, seed_text, length, temperature, rng):
    """Generate `length` characters after `seed_text`, one at a time, carrying (h, c)."""
    embedding, lstm, dense = model.layers
    # The same weights in an LSTM that also returns its state, so each new character
    # continues from where the last one left off instead of rereading the whole text.
    stepper = layers.LSTM(lstm.units, return_sequences=True, return_state=True)
    stepper.build((None, None, embedding.output_dim))
    stepper.set_weights(lstm.get_weights())
    out = list(seed_text)
    with baeum.no_grad():
        ids = np.array([vocab.encode(seed_text)])
        outputs, h, c = stepper(embedding(ids))
        for _ in range(length):
            logits = dense(outputs[:, -1]).numpy()[0].astype(np.float64) / temperature
            p = np.exp(logits - logits.max())
            next_id = rng.choice(len(p), p=p / p.sum())
            out.append(vocab.id_to_word[next_id])
            outputs, h, c = stepper(embedding(np.array([[next_id]])), initial_state=[h, c])
    return "".join(out)


def train(settings, run):
    (x_train, y_train), val_data, vocab, unigram = load(settings)
    units = 32 if settings.smoke else 256
    epochs = 1 if settings.smoke else settings.pick("epochs", 10)
    model = build_model(len(vocab), units, settings.pick("lr", 3e-3))
    run.write_config(epochs=epochs, units=units, seq_len=SEQ_LEN, vocabulary=len(vocab),
                     characters=len(x_train) * SEQ_LEN, model=f"Embedding-LSTM({units})-Dense")
    if settings.verbose:
        model.summary()
    history = model.fit(x_train, y_train, batch_size=settings.pick("batch_size", 64),
                        epochs=epochs, validation_data=val_data, verbose=settings.verbose)
    history = dict(history.history)
    history["perplexity"] = np.exp(history["loss"]).tolist()
    history["val_perplexity"] = np.exp(history["val_loss"]).tolist()
    run.write_history(history)
    run.save_model(model)
    return evaluate(model, settings, run)


def evaluate(model, settings, run):
    _, (x_val, y_val), vocab, unigram = load(settings)
    perplexity = float(np.exp(model.evaluate(x_val, y_val, batch_size=256, verbose=0)))
    target = round(TARGET_RATIO * unigram, 2)
    if settings.verbose:
        print(f"validation perplexity {perplexity:.2f}, unigram baseline {unigram:.2f}")

    rng = np.random.default_rng(settings.seed)
    length = 60 if settings.smoke else 400
    samples = [f"temperature {t}:\n{sample(model, vocab, SEED_TEXT, length, t, rng)}\n"
               for t in TEMPERATURES]
    run.path("samples.txt").write_text("\n".join(samples))
    if settings.verbose:
        print("\n" + "\n".join(samples))

    with open(run.path("history.csv")) as f:
        val = [float(row["val_perplexity"]) for row in csv.DictReader(f)]
    epochs = np.arange(1, len(val) + 1)
    figures.lines({"validation perplexity": (epochs, val),
                   "unigram baseline": (epochs, [unigram] * len(val)),
                   f"target ({TARGET_RATIO} x unigram)": (epochs, [target] * len(val))},
                  run.path("perplexity.png"), xlabel="epoch", ylabel="perplexity",
                  title=f"char-rnn: validation perplexity {perplexity:.2f} "
                        f"(unigram {unigram:.2f})")
    return Result("validation perplexity", perplexity, target, higher_is_better=False,
                  extra={"unigram_perplexity": unigram, "vocabulary": len(vocab)})
