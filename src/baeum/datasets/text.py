"""Plain-text corpora, word tokens and vocabularies for word2vec and char-rnn.

The bundled corpora are two public-domain novels, looked up by name in
``$BAEUM_DATA/text`` and then in the user cache ``~/.cache/baeum/text``:

- ``"pride_and_prejudice"``: ``pride_and_prejudice.txt`` (~128 k words, ~6.7 k distinct)
- ``"moby_dick"``: ``moby_dick.txt`` (~219 k words, ~17 k distinct)

Any other ``<name>.txt`` put in those folders loads the same way.

    >>> from baeum.datasets import text
    >>> tokens = text.tokenize("It is a truth universally acknowledged, that it's...")
    >>> tokens
    ['it', 'is', 'a', 'truth', 'universally', 'acknowledged', 'that', 'it', 's']
    >>> vocab = text.Vocabulary(tokens)
    >>> vocab.encode(["it", "is", "unseen"])
    [1, 2, 0]
    >>> vocab.decode([1, 2, 0])
    ['it', 'is', '<unk>']
"""

import re
from collections import Counter
from pathlib import Path

import numpy as np

from . import _download

NAME = "text"
CORPORA = ("pride_and_prejudice", "moby_dick")

# Runs of Unicode letters: digits, underscores, punctuation, apostrophes and dashes
# all separate words.
_WORD = re.compile(r"[^\W\d_]+")


def load_corpus(path=None, name="pride_and_prejudice"):
    """Read a corpus as one string (UTF-8; a leading byte-order mark is dropped).

    Args:
        path: a ``.txt`` file to read, or a folder holding ``<name>.txt``.
            When given, only this place is used.
        name: the corpus to look up in a folder (see ``CORPORA``).

    Search order without `path`: ``$BAEUM_DATA/text/<name>.txt``, then
    ``~/.cache/baeum/text/<name>.txt`` (``$XDG_CACHE_HOME/baeum/text``).

    Raises:
        FileNotFoundError: the file is in none of those places; the message
            lists where it looked and how to provide the file.
    """
    filename = f"{name}.txt"
    if path is not None:
        path = Path(path).expanduser()
        places = [(path if path.is_file() else path / filename, "path argument")]
    else:
        env = _download.env_data_dir(NAME)
        places = [
            (env / filename if env is not None else None, f"${_download.DATA_ENV}/{NAME}"),
            (_download.cache_dir(NAME) / filename, "user cache"),
        ]

    looked = []
    for file, label in places:
        if file is None:
            env = _download.DATA_ENV
            looked.append(f"${env}/{NAME}/{filename} ({env} is not set)")
        elif file.is_file():
            return file.read_text(encoding="utf-8-sig")
        else:
            looked.append(f"{file} ({label}): not found")

    where = "\n".join(f"  - {line}" for line in looked)
    raise FileNotFoundError(
        f"text corpus {name!r} not found. Looked in:\n{where}\n"
        f"Known corpora: {', '.join(CORPORA)}. Provide the file in one of these ways:\n"
        f"  - set {_download.DATA_ENV} to a folder that contains {NAME}/{filename},\n"
        f"  - pass path='some/file.txt' (or a folder holding {filename}) to load_corpus,\n"
        f"  - or copy {filename} into {_download.cache_dir(NAME)}."
    )


def tokenize(text):
    """Lower-case `text` and split it into words: runs of letters, split on everything else.

    Apostrophes split words too ("it's" -> "it", "s"), as do digits, hyphens
    and underscores. This is the usual word-level split for these corpora.

    Returns:
        list of str.
    """
    return _WORD.findall(text.lower())


class Vocabulary:
    """A token <-> id mapping with a frequency cutoff.

    Ids are given in order of decreasing count (ties keep the order of first
    appearance), so id 1 is the most frequent word; with ``order="sorted"``
    they follow the sorted tokens instead (the habit for characters).

    Args:
        tokens: an iterable of tokens (words, or characters: a string works).
        min_count: keep only tokens seen at least this often.
        max_size: keep at most this many entries, ``<unk>`` included (the most
            frequent tokens win).
        unk_token: the entry unknown tokens map to, always id 0; ``None`` for
            no such entry, in which case `encode` drops unknown tokens.
        order: ``"frequency"`` (default) or ``"sorted"``.

    Attributes:
        id_to_word: list of tokens, indexed by id.
        word_to_id: dict token -> id.
        counts: int64 array (len(vocab),): how often each id's token occurs in
            `tokens`; the ``<unk>`` entry counts every token left out. Handy
            for word2vec's subsampling and negative-sampling distribution.

    Example:
        >>> v = Vocabulary("the cat and the hat and the bat".split(), min_count=2)
        >>> v.id_to_word, v.counts.tolist()
        (['<unk>', 'the', 'and'], [3, 3, 2])
    """

    def __init__(self, tokens, min_count=1, max_size=None, unk_token="<unk>", order="frequency"):
        if not isinstance(min_count, (int, np.integer)) or min_count < 1:
            raise ValueError(f"min_count must be an integer >= 1, got {min_count!r}")
        reserved = 1 if unk_token is not None else 0
        if max_size is not None and (
            not isinstance(max_size, (int, np.integer)) or max_size < reserved + 1
        ):
            raise ValueError(
                f"max_size must be None or an integer >= {reserved + 1}, got {max_size!r}"
            )
        if order not in ("frequency", "sorted"):
            raise ValueError(f"order must be 'frequency' or 'sorted', got {order!r}")

        counter = Counter(tokens)
        if unk_token is not None and unk_token in counter:
            raise ValueError(f"the unknown token {unk_token!r} occurs in the tokens; pick another")
        kept = [(w, c) for w, c in counter.most_common() if c >= min_count]
        if max_size is not None:
            kept = kept[: max_size - reserved]  # most_common order: the most frequent win
        if order == "sorted":
            kept.sort(key=lambda wc: wc[0])

        self.unk_token = unk_token
        self.id_to_word = ([unk_token] if unk_token is not None else []) + [w for w, _ in kept]
        self.word_to_id = {w: i for i, w in enumerate(self.id_to_word)}
        kept_counts = [c for _, c in kept]
        if unk_token is not None:
            kept_counts.insert(0, sum(counter.values()) - sum(kept_counts))
        self.counts = np.array(kept_counts, dtype=np.int64)

    @property
    def unk_id(self):
        """Id of the unknown token (0), or None when there is none."""
        return 0 if self.unk_token is not None else None

    def __len__(self):
        return len(self.id_to_word)

    def __contains__(self, token):
        return token in self.word_to_id

    def __repr__(self):
        return f"Vocabulary(size={len(self)}, unk_token={self.unk_token!r})"

    def encode(self, tokens):
        """Tokens -> list of ids; unknown ones become ``unk_id`` (dropped if there is no unk)."""
        w2i = self.word_to_id
        if self.unk_token is None:
            return [w2i[t] for t in tokens if t in w2i]
        return [w2i.get(t, 0) for t in tokens]

    def decode(self, ids):
        """Ids -> list of tokens. Raises ValueError for an id outside 0..len-1."""
        n = len(self.id_to_word)
        out = []
        for i in ids:
            i = int(i)
            if not 0 <= i < n:
                raise ValueError(f"id {i} is out of range for a vocabulary of size {n}")
            out.append(self.id_to_word[i])
        return out


def char_vocabulary(text):
    """The character vocabulary of `text` for a char-rnn: every character, sorted, no ``<unk>``.

    >>> v = char_vocabulary("hello")
    >>> v.id_to_word, v.encode("hell")
    (['e', 'h', 'l', 'o'], [1, 0, 2, 2])
    >>> "".join(v.decode([1, 0, 2, 2, 3]))
    'hello'
    """
    return Vocabulary(text, unk_token=None, order="sorted")
