"""PyTorch's side of the benchmarks: each function builds one training (or inference) step
and returns it as a closure. This module imports torch and NumPy only, never baeum: it
runs in a process of its own (common.TorchWorker)."""

import numpy as np


def train_step(torch, model, opt, xt, yt):
    """torch's training step for `model` (cross-entropy on its logits), as a closure."""
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(xt), yt)
        loss.backward()
        opt.step()
        return loss

    return step


def mlp(torch, x, y, lr=0.1):
    """784-256-256-10 MLP, ReLU, SGD."""
    nn = torch.nn
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                          nn.Linear(256, 10))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    return train_step(torch, model, opt, torch.from_numpy(x), torch.from_numpy(y))


def cnn_model(torch):
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 256), nn.ReLU(), nn.Linear(256, 10))


def _nchw(torch, x):
    return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))  # NHWC -> NCHW


def cnn(torch, x, y):
    """The MNIST CNN, Adam 1e-3."""
    model = cnn_model(torch)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return train_step(torch, model, opt, _nchw(torch, x), torch.from_numpy(y))


def cnn_inference(torch, x):
    net = cnn_model(torch).eval()
    xt = _nchw(torch, x)

    def step():
        with torch.no_grad():
            net(xt)

    return step


def hihello(torch, x, y):
    """LSTM(5) + Linear(5) on the 6-step one-hot "hihell" sequence, Adam 0.1."""

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTM(5, 5, batch_first=True)
            self.dense = torch.nn.Linear(5, 5)

        def forward(self, inputs):
            return self.dense(self.lstm(inputs)[0])

    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=0.1)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(net(xt).reshape(-1, 5), yt.reshape(-1))
        loss.backward()
        opt.step()

    return step


def iris(torch, x, y):
    """4-10-20-10-3 MLP, ReLU, Adam 1e-3, full batch."""
    nn = torch.nn
    net = nn.Sequential(nn.Linear(4, 10), nn.ReLU(), nn.Linear(10, 20), nn.ReLU(),
                        nn.Linear(20, 10), nn.ReLU(), nn.Linear(10, 3))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    return train_step(torch, net, opt, torch.from_numpy(x), torch.from_numpy(y))
