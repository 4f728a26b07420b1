"""word2vec: skip-gram with negative sampling (Mikolov et al., 2013), with baeum's low level.

Two tables of word vectors, `w_in` (the embeddings we keep) and `w_out` (context
vectors). For a center word c, a word o seen within `window` words of it, and k
"negative" words drawn from the unigram distribution raised to 3/4:

    score(c, w) = w_in[c] . w_out[w]
    loss = BCE(sigmoid(score(c, o)), 1) + sum over negatives n of BCE(sigmoid(score(c, n)), 0)

trained with Adam in a PyTorch-style loop (zero_grad, backward, step). Words that
share contexts end up with similar vectors.

Two corpora:
- `synthetic.two_topic_corpus` (animals vs vehicles): the checkable result (headline),
  the fraction of words whose nearest neighbour (cosine) is from their own topic,
  and a 2-D PCA figure coloured by topic;
- Pride and Prejudice (a capped number of steps): nearest neighbours of a few
  frequent words, written to neighbours.txt.

Run folder: embeddings.npy + vocab.txt (two-topic corpus), text_embeddings.npy +
text_vocab.txt (the novel), neighbours.txt, embeddings_pca.png, history.csv/curves.png.
"""

import numpy as np

import baeum
from baeum import functional as F
from baeum import optimizers
from baeum.datasets import synthetic, text
from baeum.losses import binary_crossentropy
from baeum.recipes.run import Result

TARGET = 0.9
# Frequent words of Pride and Prejudice whose neighbours we print.
QUERY_WORDS = ("elizabeth", "darcy", "sister", "mother", "letter", "house", "happy", "good",
               "said", "morning")


# ---------------------------------------------------------------- data


def skipgram_pairs(sentences, window):
    """(center, context) id pairs from sentences of word ids, never across a sentence border.

    sentences: list of int arrays. Returns centers (P,), contexts (P,) int64.
    """
    ids = np.concatenate(sentences)
    sentence = np.repeat(np.arange(len(sentences)), [len(s) for s in sentences])
    centers, contexts = [], []
    for offset in range(1, window + 1):
        same = sentence[offset:] == sentence[:-offset]  # both ends in one sentence
        left, right = ids[:-offset][same], ids[offset:][same]
        centers += [left, right]
        contexts += [right, left]
    return np.concatenate(centers), np.concatenate(contexts)


def subsample(sentences, counts, threshold, rng):
    """Drop frequent words at random (Mikolov's subsampling): keep w with probability
    sqrt(t / f(w)) + t / f(w), where f is the word's frequency; `threshold` None keeps all."""
    if threshold is None:
        return sentences
    freq = counts / counts.sum()
    keep = np.minimum(1.0, np.sqrt(threshold / freq) + threshold / freq)
    return [s[rng.random(len(s)) < keep[s]] for s in sentences]


def noise_distribution(counts):
    """The cumulative unigram^(3/4) distribution negatives are drawn from."""
    p = counts.astype(np.float64) ** 0.75
    cdf = np.cumsum(p / p.sum())
    cdf[-1] = 1.0
    return cdf


# ---------------------------------------------------------------- model


def init_tables(vocab_size, dim):
    """w_in uniform in +-0.5/dim, w_out zeros (as the original word2vec)."""
    rng = baeum.random.get_generator()
    w_in = (rng.uniform(-0.5, 0.5, (vocab_size, dim)) / dim).astype(np.float32)
    return baeum.tensor(w_in, requires_grad=True), baeum.zeros(vocab_size, dim,
                                                                  requires_grad=True)


def sgns_loss(w_in, w_out, centers, words, labels):
    """Mean sigmoid cross-entropy of the scores w_in[center] . w_out[word].

    centers (B,) ids; words (B, 1+k): the true context, then k negatives; labels (B, 1+k).
    """
    center = F.embedding(centers, w_in)               # (B, dim)
    candidates = F.embedding(words, w_out)            # (B, 1+k, dim)
    scores = (candidates * center.expand_dims(1)).sum(axis=-1)  # (B, 1+k)
    return binary_crossentropy(labels, scores, from_logits=True).mean()


def train_skipgram(sentences, counts, *, dim, window, negatives, epochs, batch_size, lr,
                   max_steps=None, subsample_threshold=None, on_epoch_end=None, verbose=1,
                   name=""):
    """Train the two tables on `sentences` (list of id arrays); returns (w_in, losses)."""
    rng = baeum.random.get_generator()
    w_in, w_out = init_tables(len(counts), dim)
    optimizer = optimizers.Adam([w_in, w_out], learning_rate=lr)
    cdf = noise_distribution(counts)
    labels = np.zeros((batch_size, 1 + negatives), np.float32)
    labels[:, 0] = 1
    losses, step = [], 0
    for epoch in range(epochs):
        centers, contexts = skipgram_pairs(subsample(sentences, counts, subsample_threshold,
                                                     rng), window)
        order = rng.permutation(len(centers))
        total, n_batches = 0.0, 0
        for lo in range(0, len(order), batch_size):
            batch = order[lo:lo + batch_size]
            noise = np.searchsorted(cdf, rng.random((len(batch), negatives)))
            words = np.concatenate([contexts[batch, None], noise], axis=1)
            loss = sgns_loss(w_in, w_out, centers[batch], words, labels[:len(batch)])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
            n_batches += 1
            step += 1
            if max_steps is not None and step >= max_steps:
                break
        losses.append(total / n_batches)
        if verbose:
            print(f"{name} epoch {epoch + 1}/{epochs}: loss {losses[-1]:.4f} ({step} steps)")
        if on_epoch_end is not None:
            on_epoch_end(w_in.numpy())
        if max_steps is not None and step >= max_steps:
            break
    return w_in.numpy(), losses


# ---------------------------------------------------------------- evaluation


def nearest(embeddings, k):
    """Ids of the k nearest neighbours (cosine) of every word, itself excluded: (V, k)."""
    unit = embeddings / np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-8)
    similarity = unit @ unit.T
    np.fill_diagonal(similarity, -np.inf)
    return np.argsort(-similarity, axis=1)[:, :k]


def topic_of(words):
    animals = set(synthetic.ANIMALS)
    return np.array([0 if w in animals else 1 for w in words])


def same_topic_fraction(embeddings, words):
    """Fraction of words whose nearest neighbour belongs to their own topic."""
    topic = topic_of(words)
    return float(np.mean(topic[nearest(embeddings, 1)[:, 0]] == topic))


def neighbour_table(embeddings, words, queries, k=5):
    index = {w: i for i, w in enumerate(words)}
    near = nearest(embeddings, k)
    rows = [f"{'word':<12} nearest neighbours (cosine)"]
    rows += [f"{q:<12} " + ", ".join(words[j] for j in near[index[q]])
             for q in queries if q in index]
    return "\n".join(rows)


def pca_figure(embeddings, words, path, title):
    """2-D PCA projection of the embeddings, one colour per topic, each point labelled."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    centred = embeddings - embeddings.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    xy = centred @ vt[:2].T
    topic = topic_of(words)
    fig, ax = plt.subplots(figsize=(7, 6))
    for t, (label, colour) in enumerate((("animals", "tab:orange"), ("vehicles", "tab:blue"))):
        ax.scatter(xy[topic == t, 0], xy[topic == t, 1], c=colour, label=label)
    for (x, y), w in zip(xy, words):
        ax.annotate(w, (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel("principal component 1")
    ax.set_ylabel("principal component 2")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# ---------------------------------------------------------------- recipe


def novel_sentences(settings, max_vocab):
    """Pride and Prejudice as sentences of word ids (words seen < 5 times dropped)."""
    folder = None if settings.data_dir is None else f"{settings.data_dir}/text"
    raw = text.load_corpus(path=folder)
    raw = raw[raw.find("It is a truth"):]  # skip the title pages and the preface
    if settings.smoke:
        raw = raw[:20_000]
    sentences = [text.tokenize(s) for s in raw.replace("!", ".").replace("?", ".").split(".")]
    sentences = [s for s in sentences if len(s) > 1]
    vocab = text.Vocabulary([w for s in sentences for w in s], min_count=5,
                            max_size=max_vocab, unk_token=None)
    return [np.array(vocab.encode(s), dtype=np.int64) for s in sentences], vocab


def train(settings, run):
    smoke = settings.smoke
    lr = settings.pick("lr", 0.01)
    batch_size = settings.pick("batch_size", 256)
    epochs = settings.pick("epochs", 5)
    config = dict(dim=16, window=2, negatives=5, epochs=1 if smoke else epochs,
                  batch_size=batch_size, lr=lr)
    # About 1,000 steps per pass over the novel's pairs; the smoke run stops after 20.
    text_config = dict(dim=100, window=4, negatives=5, epochs=3, batch_size=512, lr=2e-3,
                       subsample_threshold=1e-3, max_steps=20 if smoke else None)
    run.write_config(two_topic=config, text=text_config)

    # 1. Two-topic corpus: the headline.
    corpus = synthetic.two_topic_corpus(200 if smoke else 1000, seed=settings.seed)
    vocab = text.Vocabulary([w for s in corpus for w in s], unk_token=None)
    sentences = [np.array(vocab.encode(s), dtype=np.int64) for s in corpus]
    fractions = []
    embeddings, losses = train_skipgram(
        sentences, vocab.counts, **config, verbose=settings.verbose, name="two-topic",
        on_epoch_end=lambda e: fractions.append(same_topic_fraction(e, vocab.id_to_word)))
    np.save(run.path("embeddings.npy"), embeddings)
    run.path("vocab.txt").write_text("\n".join(vocab.id_to_word) + "\n")

    # 2. The novel: a neighbour table for a few frequent words.
    novel, novel_vocab = novel_sentences(settings, max_vocab=5000)
    text_embeddings, text_losses = train_skipgram(
        novel, novel_vocab.counts, **text_config, verbose=settings.verbose, name="novel")
    np.save(run.path("text_embeddings.npy"), text_embeddings)
    run.path("text_vocab.txt").write_text("\n".join(novel_vocab.id_to_word) + "\n")

    run.write_history({"two_topic_loss": losses, "two_topic_same_topic_nn": fractions,
                       "novel_loss": text_losses})
    return evaluate(None, settings, run)


def evaluate(model, settings, run):
    """Reads the embeddings from the run folder (no baeum model: the tables are the model)."""
    embeddings = np.load(run.path("embeddings.npy"))
    words = run.path("vocab.txt").read_text().split()
    fraction = same_topic_fraction(embeddings, words)
    pca_figure(embeddings, words, run.path("embeddings_pca.png"),
               f"word2vec, two-topic corpus: {fraction:.0%} same-topic nearest neighbours")

    text_embeddings = np.load(run.path("text_embeddings.npy"))
    text_words = run.path("text_vocab.txt").read_text().split()
    table = neighbour_table(text_embeddings, text_words, QUERY_WORDS)
    run.path("neighbours.txt").write_text(table + "\n")
    if settings.verbose:
        print("\nPride and Prejudice, nearest neighbours:\n" + table + "\n")
    return Result("two-topic words whose nearest neighbour shares the topic", fraction, TARGET,
                  extra={"vocabulary": len(words), "novel_vocabulary": len(text_words)})
