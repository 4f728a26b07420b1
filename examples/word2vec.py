"""word2vec (skip-gram with negative sampling) with baeum's low-level API.

    python examples/word2vec.py

Sentences about animals or vehicles (never both): words of one topic share contexts,
so their vectors end up close. Two tables, a sigmoid cross-entropy on dot products,
and a PyTorch-style loop. `baeum train word2vec` also trains on a novel.
"""

import numpy as np

import baeum
from baeum import functional as F
from baeum import optimizers
from baeum.datasets import synthetic, text
from baeum.losses import binary_crossentropy

baeum.random.seed(0)
rng = baeum.random.get_generator()
corpus = synthetic.two_topic_corpus(1000)
vocab = text.Vocabulary([w for s in corpus for w in s], unk_token=None)

# (center, context) pairs: words at most 2 apart in a sentence.
centers, contexts = [], []
for sentence in corpus:
    ids = vocab.encode(sentence)
    for i, c in enumerate(ids):
        for j in range(max(0, i - 2), min(len(ids), i + 3)):
            if j != i:
                centers.append(c)
                contexts.append(ids[j])
centers, contexts = np.array(centers), np.array(contexts)

V, dim, k, batch = len(vocab), 16, 5, 256
noise = vocab.counts ** 0.75 / np.sum(vocab.counts ** 0.75)  # negatives ~ unigram^(3/4)
w_in = baeum.tensor(rng.uniform(-0.5, 0.5, (V, dim)).astype(np.float32) / dim,
                    requires_grad=True)
w_out = baeum.zeros(V, dim, requires_grad=True)
optimizer = optimizers.Adam([w_in, w_out], learning_rate=0.01)
labels = np.zeros((batch, 1 + k), np.float32)
labels[:, 0] = 1                                   # the true context, then k negatives

for epoch in range(5):
    order = rng.permutation(len(centers))
    for lo in range(0, len(order) - batch + 1, batch):
        b = order[lo:lo + batch]
        words = np.concatenate([contexts[b, None], rng.choice(V, (batch, k), p=noise)], axis=1)
        center = F.embedding(centers[b], w_in)                       # (batch, dim)
        scores = (F.embedding(words, w_out) * center.expand_dims(1)).sum(axis=-1)
        loss = binary_crossentropy(labels, scores, from_logits=True).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch + 1}: loss {loss.item():.4f}")

vectors = w_in.numpy() / np.linalg.norm(w_in.numpy(), axis=1, keepdims=True)
similarity = vectors @ vectors.T
np.fill_diagonal(similarity, -np.inf)
nearest = similarity.argmax(axis=1)
topic = np.array([w in synthetic.ANIMALS for w in vocab.id_to_word])
print(f"nearest neighbour from the same topic: {np.mean(topic == topic[nearest]):.0%}")
for w in ("cat", "dog", "car", "train"):
    if w in vocab:
        print(f"{w:>6} -> {vocab.id_to_word[nearest[vocab.word_to_id[w]]]}")
