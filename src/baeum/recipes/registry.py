"""The list of recipes: name, model, dataset and the result the course reports.

Each recipe lives in its own module under baeum.recipes with two functions:
`train(settings, run) -> Result` and `evaluate(model, settings, run) -> Result`.
"""

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Recipe:
    name: str
    model: str
    dataset: str
    expected: str
    module: str

    def load(self):
        return importlib.import_module(f"baeum.recipes.{self.module}")


RECIPES = {r.name: r for r in [
    Recipe("perceptron-gates", "one perceptron, step activation, perceptron rule",
           "AND / OR / XOR truth tables", "learns AND and OR exactly; fails XOR",
           "perceptron_gates"),
    Recipe("xor-mlp", "2-8-1 MLP, tanh + sigmoid", "XOR truth table", "100% accuracy", "xor_mlp"),
    Recipe("iris-mlp", "4-10-20-10-3 MLP, ReLU, softmax", "iris (scikit-learn)",
           "test accuracy >= 0.93", "iris_mlp"),
    Recipe("mnist-softmax", "784 -> 10 softmax regression, SGD, batch 100, 1,000 steps", "MNIST",
           "test accuracy >= 0.91", "mnist_softmax"),
    Recipe("mnist-mlp", "784-256-256-10 MLP, ReLU", "MNIST", "test accuracy >= 0.975",
           "mnist_mlp"),
    Recipe("mnist-cnn", "conv32-pool-conv64-pool-dense256-dense10, Adam 1e-3 x 0.7 per epoch",
           "MNIST", "test accuracy >= 0.991", "mnist_cnn"),
    Recipe("mnist-cnn-dropout", "the CNN with dropout after each block and 0.5 before the output",
           "MNIST", "test accuracy >= 0.991", "mnist_cnn_dropout"),
    Recipe("digits-cnn", "small CNN", "8x8 digits (scikit-learn)",
           "test accuracy >= 0.97 in under a minute", "digits_cnn"),
    Recipe("hihello-lstm", "LSTM(5) + Dense(5), Adam 0.1", "'hihell' -> 'ihello'",
           "predicts 'ihello' within 50 steps", "hihello_lstm"),
    Recipe("sine-rnn", "LSTM forecaster", "noisy sine series",
           "validation MSE <= half the last-value baseline's", "sine_rnn"),
    Recipe("char-rnn", "LSTM character language model", "text corpus (Pride and Prejudice)",
           "perplexity well below the unigram baseline", "char_rnn"),
    Recipe("word2vec", "skip-gram with negative sampling", "text corpus + two-topic corpus",
           ">= 90% of nearest neighbours share the topic", "word2vec"),
    Recipe("mnist-gan", "DCGAN: CNN generator and discriminator, 128-d noise", "MNIST",
           ">= 80% of generated digits classified with confidence >= 0.9, all ten digits",
           "mnist_gan"),
    Recipe("cartpole-dqn", "DQN with replay buffer and target network", "gymnasium CartPole-v1",
           "mean return >= 475 over 100 greedy episodes", "cartpole_dqn"),
    Recipe("pue-regression", "DNN regression", "data-centre simulator (19 sensors -> PUE)",
           "MAPE <= 1% and better than linear regression", "pue_regression"),
]}


def get(name):
    if name not in RECIPES:
        raise KeyError(
            f"unknown recipe {name!r}; the recipes are: {', '.join(RECIPES)} "
            "(see `baeum recipes`)"
        )
    return RECIPES[name]
