"""Keras names that baeum does not have, each with what to use instead.

A Keras tutorial ported to baeum may reach for one; instead of Python's bare "module has
no attribute", the error says what baeum offers for the same job:

    >>> import baeum
    >>> baeum.callbacks.TensorBoard  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AttributeError: baeum.callbacks has no TensorBoard (Keras's): ... CSVLogger('log.csv') ...
"""

MISSING = {
    "baeum.callbacks": {
        "TensorBoard": "baeum writes no TensorBoard logs; CSVLogger('log.csv') records every "
                       "epoch's logs and History.plot('curves.png') draws them",
        "BackupAndRestore": "save with ModelCheckpoint('ckpt.baeum') and resume with "
                            "load_model('ckpt.baeum').fit(..., initial_epoch=n)",
        "RemoteMonitor": "baeum sends nothing over the network; use a LambdaCallback",
    },
    "baeum.layers": {
        "ConvLSTM3D": "not implemented in baeum; its convolutional LSTMs are ConvLSTM1D "
                      "and ConvLSTM2D",
        "TFSMLayer": "baeum loads only its own .baeum files (baeum.models.load_model)",
        "JaxLayer": "baeum runs on NumPy only",
        "FlaxLayer": "baeum runs on NumPy only",
    },
    "baeum.utils": {
        "plot_model": "baeum draws no model graphs; model.summary() lists every layer with "
                      "its output shape and what it is connected to",
        "get_file": "baeum never downloads implicitly: the datasets' load_data(path=..., "
                    "download=True) fetch explicitly and check their checksums",
    },
}


def module_getattr(module_name):
    """A module-level `__getattr__` for `module_name` that explains the missing Keras names."""
    missing = MISSING.get(module_name, {})

    def __getattr__(name):  # noqa: N807 - the module hook's name
        if name in missing:
            raise AttributeError(f"{module_name} has no {name} (Keras's): {missing[name]}")
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}")

    return __getattr__
