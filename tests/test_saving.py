"""baeum.saving: .baeum model files, weights files, the registry, atomic writes, clear errors."""

import io
import json
import os
import zipfile

import numpy as np
import pytest
from safetensors import numpy as st

import baeum
from baeum import layers
from baeum.saving import registry


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(24, 4)).astype(np.float32)
    y = rng.integers(0, 3, size=24)
    return x, y


def _sequential(units=8):
    return baeum.Sequential([layers.Input(shape=(4,)),
                             layers.Dense(units, activation="relu", name="dense"),
                             layers.Dense(3, name="out")])


@baeum.saving.register_serializable(package="Tests")
class PairSum(layers.Layer):
    """A two-input layer (x1 * scale + x2): tests list inputs in the functional graph."""

    def __init__(self, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, inputs):
        a, b = inputs
        return a * self.scale + b

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


@baeum.saving.register_serializable(package="Tests")
class TinyNet(baeum.Model):
    def __init__(self, units=6, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = layers.Dense(units, activation="tanh")
        self.norm = layers.BatchNormalization()
        self.out = layers.Dense(3)

    def call(self, inputs, training=None):
        return self.out(self.norm(self.hidden(inputs), training=training))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class Unregistered(baeum.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(2)

    def call(self, inputs):
        return self.dense(inputs)


def _functional():
    a = layers.Input(shape=(4,), name="features")
    b = layers.Input(shape=(4,), name="extra")
    shared = layers.Dense(5, name="shared")
    h1, h2 = shared(a), shared(b)                      # one layer, two nodes
    h = PairSum(0.5, name="pair")([h1, h2])            # a list input
    h = layers.Dropout(0.3, name="drop")(layers.Activation("relu", name="act")(h))
    out1 = layers.Dense(3, name="logits")(h)
    out2 = layers.Dense(1, activation="sigmoid", name="score")(shared(b))  # shared: a 3rd node
    return baeum.Model([a, b], [out1, out2], name="two_heads")


# --- round trips: identical predictions for all three model styles -------------------------------


def test_sequential_round_trip(tmp_path, data):
    x, y = data
    model = _sequential()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    path = tmp_path / "m.baeum"
    model.save(path)

    with zipfile.ZipFile(path) as zf:
        assert set(zf.namelist()) == {"config.json", "model.safetensors", "optimizer.safetensors"}
        config = json.loads(zf.read("config.json"))
        weights = st.load(zf.read("model.safetensors"))
    assert config["format_version"] == 1 and config["baeum_version"] == baeum.__version__
    assert config["class_name"] == "Sequential"
    assert config["compile_config"]["optimizer"]["class_name"] == "Adam"
    assert config["compile_config"]["loss"] == "sparse_categorical_crossentropy"
    assert config["compile_config"]["metrics"] == ["accuracy"]
    assert set(weights) == {"dense/kernel", "dense/bias", "out/kernel", "out/bias"}
    np.testing.assert_array_equal(weights["dense/kernel"], model.layers[0].kernel.data)

    loaded = baeum.models.load_model(path)
    assert type(loaded) is baeum.Sequential
    assert [type(layer) for layer in loaded.layers] == [layers.Dense, layers.Dense]
    assert np.array_equal(loaded.predict(x), model.predict(x))
    assert loaded.compiled and loaded.optimizer.iterations == model.optimizer.iterations
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)


def test_functional_round_trip_with_shared_layers_and_two_heads(tmp_path, data):
    x, y = data
    model = _functional()
    model.compile(optimizer="rmsprop",
                  loss=[baeum.losses.SparseCategoricalCrossentropy(from_logits=True), "mse"])
    model.fit([x, x[::-1]], [y, (y == 1).astype(np.float32)], epochs=1, verbose=0)
    model.save(tmp_path / "f.baeum")
    with zipfile.ZipFile(tmp_path / "f.baeum") as zf:
        config = json.loads(zf.read("config.json"))["config"]
    shared = next(entry for entry in config["layers"] if entry["name"] == "shared")
    assert len(shared["inbound_nodes"]) == 3
    assert shared["inbound_nodes"][1]["args"][0]["config"]["keras_history"] == ["extra", 0, 0]
    assert config["input_layers"] == [["features", 0, 0], ["extra", 0, 0]]
    assert config["output_layers"] == [["logits", 0, 0], ["score", 0, 0]]

    loaded = baeum.saving.load_model(tmp_path / "f.baeum")
    assert loaded.input_names == ["features", "extra"]
    for a, b in zip(loaded.predict([x, x[::-1]]), model.predict([x, x[::-1]])):
        assert np.isfinite(a).all() and np.array_equal(a, b)
    assert len(loaded.weights) == len(model.weights) == 6  # the shared layer's weights once


def test_cnn_with_batchnorm_round_trip(tmp_path):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(8, 6, 6, 1)).astype(np.float32)
    y = rng.integers(0, 2, size=8)
    model = baeum.Sequential([
        layers.Input(shape=(6, 6, 1)), layers.Conv2D(2, 3), layers.BatchNormalization(),
        layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(2),
    ])
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)  # moves the BatchNorm statistics
    model.save(tmp_path / "cnn.baeum")
    loaded = baeum.models.load_model(tmp_path / "cnn.baeum")
    assert np.array_equal(loaded.predict(x), model.predict(x))
    bn = loaded.layers[1]
    assert not np.array_equal(bn.moving_mean.data, np.zeros_like(bn.moving_mean.data))
    assert [w.requires_grad for w in loaded.weights] == [w.requires_grad for w in model.weights]


def test_registered_subclassed_model_round_trip(tmp_path, data):
    x, y = data
    model = TinyNet(units=7)
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    model.save(tmp_path / "sub.baeum")
    with zipfile.ZipFile(tmp_path / "sub.baeum") as zf:
        config = json.loads(zf.read("config.json"))
    assert config["registered_name"] == "Tests>TinyNet"
    assert config["build_config"]["input_shape"][1:] == [4]

    loaded = baeum.models.load_model(tmp_path / "sub.baeum")
    assert type(loaded) is TinyNet and loaded.units == 7
    assert np.array_equal(loaded.predict(x), model.predict(x))


@baeum.saving.register_serializable(package="Tests")
class Plain(baeum.Model):
    """The beginner's subclass: no arguments, no get_config of its own."""

    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(2)

    def call(self, inputs):
        return self.dense(inputs)


def test_subclass_without_init_arguments(tmp_path, data):
    x, _ = data
    model = Plain()
    model.name = "my_plain"
    model.predict(x)
    model.save(tmp_path / "plain.baeum")
    loaded = baeum.models.load_model(tmp_path / "plain.baeum")
    assert type(loaded) is Plain and loaded.name == "my_plain"
    assert np.array_equal(loaded.predict(x), model.predict(x))


def test_unregistered_subclass_needs_custom_objects(tmp_path, data):
    x, _ = data
    model = Unregistered()
    model(x)
    model.save(tmp_path / "u.baeum")
    with pytest.raises(ValueError, match=r"unknown .*'Unregistered'.*register_serializable"):
        baeum.models.load_model(tmp_path / "u.baeum")
    loaded = baeum.models.load_model(tmp_path / "u.baeum",
                                     custom_objects={"Unregistered": Unregistered})
    assert np.array_equal(loaded.predict(x), model.predict(x))


def test_nested_sequential_inside_functional(tmp_path, data):
    x, _ = data
    inner = baeum.Sequential([layers.Dense(4, activation="relu"), layers.Dense(2)], name="inner")
    inputs = layers.Input(shape=(4,))
    model = baeum.Model(inputs, layers.Softmax()(inner(inputs)))
    model.save(tmp_path / "nested.baeum")
    loaded = baeum.models.load_model(tmp_path / "nested.baeum")
    assert isinstance(loaded.layers[1], baeum.Sequential)
    assert np.array_equal(loaded.predict(x), model.predict(x))


# --- training resumes exactly ------------------------------------------------------------------


def fit_save_load(make, x, y, path, epochs, batch_size):
    """Two models from `make()`: one fit for 2 * epochs (returned first), and one fit for
    `epochs`, saved to `path` and loaded back (returned second), to be fit for the rest."""
    straight = make()
    straight.fit(x, y, epochs=2 * epochs, batch_size=batch_size, shuffle=False, verbose=0)
    resumed = make()
    resumed.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=False, verbose=0)
    resumed.save(path)
    return straight, baeum.models.load_model(path)


@pytest.mark.parametrize("optimizer", ["adam", "sgd_momentum"])
def test_training_continues_identically_after_load(tmp_path, data, optimizer):
    x, y = data

    def make():
        baeum.random.seed(7)
        model = _sequential()
        opt = baeum.optimizers.SGD(0.05, momentum=0.9) if optimizer == "sgd_momentum" \
            else baeum.optimizers.Adam(0.01)
        model.compile(optimizer=opt, loss="sparse_categorical_crossentropy")
        return model

    # 4 steps straight; 2 steps, saved and loaded
    straight, resumed = fit_save_load(make, x, y, tmp_path / "half.baeum", epochs=2,
                                      batch_size=24)
    assert resumed.optimizer.iterations == 2
    resumed.fit(x, y, epochs=2, batch_size=24, shuffle=False, verbose=0)    # 2 more

    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        assert np.array_equal(a, b)


def test_without_optimizer_state_training_starts_fresh(tmp_path, data):
    x, y = data
    model = _sequential()
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.baeum", include_optimizer=False)
    with zipfile.ZipFile(tmp_path / "m.baeum") as zf:
        assert "optimizer.safetensors" not in zf.namelist()
    loaded = baeum.models.load_model(tmp_path / "m.baeum")
    assert loaded.compiled and loaded.optimizer.iterations == 0
    not_compiled = baeum.models.load_model(tmp_path / "m.baeum", compile=False)
    assert not not_compiled.compiled
    assert np.array_equal(not_compiled.predict(x), model.predict(x))


def test_compile_settings_round_trip(tmp_path, data):
    x, y = data
    model = _sequential()
    model.compile(optimizer=baeum.optimizers.SGD(learning_rate=0.03, momentum=0.5, nesterov=True),
                  loss=baeum.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy", baeum.metrics.SparseTopKCategoricalAccuracy(k=2)])
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.baeum")
    loaded = baeum.models.load_model(tmp_path / "m.baeum")
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.compiled_loss.spec.from_logits is True
    assert loaded.evaluate(x, y, verbose=0, return_dict=True) == \
        model.evaluate(x, y, verbose=0, return_dict=True)


def test_custom_loss_function_registered_or_given(tmp_path, data):
    x, y = data

    def scaled_mse(y_true, y_pred):
        return baeum.losses.mean_squared_error(y_true, y_pred) * 2.0

    model = baeum.Sequential([layers.Input(shape=(4,)), layers.Dense(1)])
    model.compile("sgd", loss=scaled_mse)
    model.save(tmp_path / "m.baeum")
    with pytest.raises(ValueError, match=r"'scaled_mse'.*custom_objects.*compile=False"):
        baeum.models.load_model(tmp_path / "m.baeum")
    assert not baeum.models.load_model(tmp_path / "m.baeum", compile=False).compiled
    loaded = baeum.models.load_model(tmp_path / "m.baeum",
                                     custom_objects={"scaled_mse": scaled_mse})
    target = y.astype(np.float32)
    assert loaded.evaluate(x, target, verbose=0) == model.evaluate(x, target, verbose=0)


@baeum.saving.register_serializable(package="Tests")
def shifted_relu(x):
    return baeum.functional.relu(x - 0.1)


def test_registered_activation_function(tmp_path, data):
    x, _ = data
    model = baeum.Sequential([layers.Input(shape=(4,)), layers.Dense(3, activation=shifted_relu)])
    model.save(tmp_path / "act.baeum")
    loaded = baeum.models.load_model(tmp_path / "act.baeum")
    assert loaded.layers[0].activation is shifted_relu
    assert np.array_equal(loaded.predict(x), model.predict(x))

    def unregistered(v):
        return v * 2

    with pytest.raises(ValueError, match="register_serializable"):
        baeum.Sequential([layers.Input(shape=(4,)), layers.Dense(3, activation=unregistered)]) \
            .save(tmp_path / "bad.baeum")
    assert not (tmp_path / "bad.baeum").exists()


# --- weights files -------------------------------------------------------------------------------


def test_save_and_load_weights(tmp_path, data):
    x, _ = data
    model = _sequential()
    model.save_weights(tmp_path / "w.weights.safetensors")
    other = _sequential()
    assert not np.array_equal(other.predict(x), model.predict(x))
    other.load_weights(tmp_path / "w.weights.safetensors")
    assert np.array_equal(other.predict(x), model.predict(x))


def test_load_weights_into_same_architecture_with_new_automatic_names(tmp_path, data):
    x, _ = data

    def make():
        return baeum.Sequential([layers.Input(shape=(4,)), layers.Dense(3), layers.Dense(2)])

    model = make()                        # dense, dense_1 (or later numbers)
    model.save_weights(tmp_path / "w.weights.safetensors")
    rebuilt = make()                      # the same layers under new names
    assert [w.name for w in rebuilt.weights] != [w.name for w in model.weights]
    rebuilt.load_weights(tmp_path / "w.weights.safetensors")
    assert np.array_equal(rebuilt.predict(x), model.predict(x))


def test_load_weights_from_a_model_file(tmp_path, data):
    x, _ = data
    model = _sequential()
    model.save(tmp_path / "m.baeum")
    other = _sequential()
    other.load_weights(tmp_path / "m.baeum")
    assert np.array_equal(other.predict(x), model.predict(x))


def test_weights_file_errors(tmp_path):
    model = _sequential()
    with pytest.raises(ValueError, match=r"must end in '\.weights\.safetensors'"):
        model.save_weights(tmp_path / "w.h5")
    path = tmp_path / "w.weights.safetensors"
    model.save_weights(path)

    narrow = baeum.Sequential([layers.Input(shape=(4,)), layers.Dense(6, name="dense"),
                               layers.Dense(3, name="out")])
    with pytest.raises(ValueError, match=r"weight 'dense/kernel' has shape \(4, 6\) in the "
                                         r"model but \(4, 8\) in the file"):
        narrow.load_weights(path)

    arrays = st.load(path.read_bytes())
    del arrays["out/bias"]
    (tmp_path / "missing.weights.safetensors").write_bytes(st.save(arrays))
    with pytest.raises(ValueError, match=r"missing from the file: 'out/bias'"):
        model.load_weights(tmp_path / "missing.weights.safetensors")

    arrays = {**st.load(path.read_bytes()), "extra/w": np.zeros(2, np.float32)}
    (tmp_path / "extra.weights.safetensors").write_bytes(st.save(arrays))
    with pytest.raises(ValueError, match=r"in the file but not in the model: 'extra/w'"):
        model.load_weights(tmp_path / "extra.weights.safetensors")

    (tmp_path / "junk.weights.safetensors").write_bytes(b"\x10" + b"\x00" * 40)
    with pytest.raises(ValueError, match=r"junk\.weights\.safetensors is corrupted"):
        model.load_weights(tmp_path / "junk.weights.safetensors")

    unbuilt = baeum.Sequential([layers.Dense(2)])
    with pytest.raises(ValueError, match="has no weights yet"):
        unbuilt.save_weights(tmp_path / "u.weights.safetensors")


def test_failed_load_leaves_the_model_unchanged(tmp_path, data):
    x, _ = data
    model = _sequential()
    path = tmp_path / "w.weights.safetensors"
    model.save_weights(path)
    arrays = st.load(path.read_bytes())
    arrays["out/kernel"] = np.zeros((8, 4), np.float32)      # the last weight does not fit
    path.write_bytes(st.save(arrays))
    other = _sequential()
    before = other.predict(x)
    with pytest.raises(ValueError, match="out/kernel"):
        other.load_weights(path)
    assert np.array_equal(other.predict(x), before)


# --- atomic writes -----------------------------------------------------------------------------


def test_crash_mid_save_keeps_the_old_model_file(tmp_path, data, monkeypatch):
    x, _ = data
    model = _sequential()
    path = tmp_path / "m.baeum"
    model.save(path)
    good = path.read_bytes()

    model.layers[0].kernel.data[...] = 0.0
    real_writestr = zipfile.ZipFile.writestr

    def crash_on_weights(self, name, *args, **kwargs):
        if name == "model.safetensors":           # config.json is already in the temp file
            raise OSError("disk full")
        return real_writestr(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", crash_on_weights)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    monkeypatch.undo()

    assert os.listdir(tmp_path) == ["m.baeum"]              # no temporary file left behind
    assert path.read_bytes() == good
    fresh = _sequential()
    fresh.load_weights(path)
    assert not np.array_equal(fresh.layers[0].kernel.data, 0.0)


def test_crash_mid_save_weights_keeps_the_old_file(tmp_path, monkeypatch):
    model = _sequential()
    path = tmp_path / "w.weights.safetensors"
    model.save_weights(path)
    good = path.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        model.save_weights(path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["w.weights.safetensors"]
    assert path.read_bytes() == good


def test_save_keeps_the_file_mode_of_a_plain_file(tmp_path):
    model = _sequential()
    model.save(tmp_path / "m.baeum")
    reference = tmp_path / "plain"
    reference.write_bytes(b"")
    assert os.stat(tmp_path / "m.baeum").st_mode == os.stat(reference).st_mode


# --- broken model files: every failure names the file and the problem ---------------------------


def _members(path):
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _write_zip(path, members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    path.write_bytes(buffer.getvalue())


@pytest.fixture
def saved(tmp_path):
    model = _sequential()
    model.compile("adam", "mse")
    path = tmp_path / "good.baeum"
    model.save(path)
    return path


def test_not_a_zip(tmp_path):
    path = tmp_path / "text.baeum"
    path.write_text("hello, I am not a model")
    with pytest.raises(ValueError, match=r"text\.baeum is not a baeum model file \(not a zip"):
        baeum.models.load_model(path)


def test_truncated_file(tmp_path, saved):
    data = saved.read_bytes()
    path = tmp_path / "cut.baeum"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"cut\.baeum is not a baeum model file"):
        baeum.models.load_model(path)


def test_corrupted_weights(tmp_path, saved):
    data = bytearray(saved.read_bytes())
    with zipfile.ZipFile(saved) as zf:
        info = zf.getinfo("model.safetensors")
    # Flip bytes inside the stored (uncompressed) weights member: the CRC check catches it.
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.file_size - 8
    data[start:start + 4] = bytes(b ^ 0xFF for b in data[start:start + 4])
    path = tmp_path / "flipped.baeum"
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"flipped\.baeum is corrupted: model\.safetensors"):
        baeum.models.load_model(path)


def test_zip_without_config(tmp_path, saved):
    members = _members(saved)
    del members["config.json"]
    path = tmp_path / "noconfig.baeum"
    _write_zip(path, members)
    with pytest.raises(ValueError, match=r"noconfig\.baeum is not a baeum model file: the zip "
                                         r"archive has no config\.json"):
        baeum.models.load_model(path)


def test_zip_without_weights(tmp_path, saved):
    members = _members(saved)
    del members["model.safetensors"]
    path = tmp_path / "noweights.baeum"
    _write_zip(path, members)
    with pytest.raises(ValueError, match=r"noweights\.baeum is incomplete: .*model\.safetensors"):
        baeum.models.load_model(path)


def test_config_not_json(tmp_path, saved):
    members = {**_members(saved), "config.json": b"{not json"}
    path = tmp_path / "badjson.baeum"
    _write_zip(path, members)
    with pytest.raises(ValueError, match=r"badjson\.baeum is corrupted: config\.json is not "
                                         r"valid JSON"):
        baeum.models.load_model(path)


def test_newer_format_version(tmp_path, saved):
    members = _members(saved)
    config = json.loads(members["config.json"])
    config["format_version"] = 99
    path = tmp_path / "future.baeum"
    _write_zip(path, {**members, "config.json": json.dumps(config)})
    with pytest.raises(ValueError, match=r"future\.baeum .*format 99.*upgrade baeum"):
        baeum.models.load_model(path)


def _edit_config(saved, path, edit):
    members = _members(saved)
    config = json.loads(members["config.json"])
    edit(config)
    _write_zip(path, {**members, "config.json": json.dumps(config)})


def test_unknown_class_says_how_to_register_it(tmp_path, saved):
    path = tmp_path / "unknown.baeum"
    _edit_config(saved, path, lambda c: c["config"]["layers"][1].update(class_name="FancyLayer"))
    with pytest.raises(ValueError, match=r"unknown\.baeum names an unknown layer class "
                                         r"'FancyLayer'.*register_serializable.*custom_objects"):
        baeum.models.load_model(path)


@pytest.mark.parametrize("module, class_name", [
    ("os", "system"), ("subprocess", "Popen"), ("builtins", "eval"), ("baeum.layers", "Input"),
    ("baeum.layers", "clear_session"),
])
def test_config_never_reaches_code_outside_the_registry(tmp_path, saved, module, class_name):
    path = tmp_path / "evil.baeum"

    def edit(config):
        config["config"]["layers"][1].update(module=module, class_name=class_name)

    _edit_config(saved, path, edit)
    with pytest.raises(ValueError, match=rf"evil\.baeum.*'{class_name}'"):
        baeum.models.load_model(path)


def test_compiled_function_names_only_reach_registered_functions(tmp_path, saved):
    path = tmp_path / "fn.baeum"
    _edit_config(saved, path, lambda c: c["compile_config"].update(
        loss={"module": "baeum.losses", "class_name": "function", "config": "get",
              "registered_name": "get"}))
    with pytest.raises(ValueError, match=r"fn\.baeum: the compiled loss is a function 'get'"):
        baeum.models.load_model(path)
    assert not baeum.models.load_model(path, compile=False).compiled


def test_loss_wrapper_around_a_built_in_function(tmp_path, data):
    x, _ = data
    y = np.zeros((len(x), 1), np.float32)
    model = baeum.Sequential([layers.Input(shape=(4,)), layers.Dense(1)])
    model.compile("sgd", loss=baeum.losses.LossFunctionWrapper(baeum.losses.huber, delta=0.5))
    model.save(tmp_path / "h.baeum")
    loaded = baeum.models.load_model(tmp_path / "h.baeum")
    assert loaded.compiled_loss.spec.fn is baeum.losses.huber
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)


def test_unknown_registered_name_does_not_fall_back_to_a_built_in(tmp_path, saved):
    path = tmp_path / "renamed.baeum"
    _edit_config(saved, path,
                 lambda c: c["config"]["layers"][1].update(registered_name="Gone>Dense"))
    with pytest.raises(ValueError, match=r"'Gone>Dense'"):
        baeum.models.load_model(path)


def test_weight_shape_mismatch_in_model_file(tmp_path, saved):
    path = tmp_path / "shape.baeum"
    _edit_config(saved, path, lambda c: c["config"]["layers"][1]["config"].update(units=5))
    with pytest.raises(ValueError, match=r"shape\.baeum: weight 'dense/kernel' has shape "
                                         r"\(4, 5\) in the model but \(4, 8\) in the file"):
        baeum.models.load_model(path)


@pytest.mark.parametrize("change, message", [
    ("drop", r"missing from the file: 'out/bias'"),
    ("add", r"in the file but not in the model: 'surprise/w'"),
])
def test_missing_or_extra_weight_in_model_file(tmp_path, saved, change, message):
    members = _members(saved)
    arrays = st.load(members["model.safetensors"])
    if change == "drop":
        del arrays["out/bias"]
    else:
        arrays["surprise/w"] = np.ones(3, np.float32)
    path = tmp_path / f"{change}.baeum"
    _write_zip(path, {**members, "model.safetensors": st.save(arrays)})
    with pytest.raises(ValueError, match=rf"{change}\.baeum does not match .*{message}"):
        baeum.models.load_model(path)


def test_save_errors(tmp_path):
    model = _sequential()
    with pytest.raises(ValueError, match=r"must end in '\.baeum'"):
        model.save(tmp_path / "m.keras")
    with pytest.raises(ValueError, match="not built"):
        baeum.Sequential([layers.Dense(2)]).save(tmp_path / "u.baeum")
    model.save(tmp_path / "m.baeum")
    with pytest.raises(FileExistsError):
        model.save(tmp_path / "m.baeum", overwrite=False)
    with pytest.raises(FileNotFoundError, match="no model file"):
        baeum.models.load_model(tmp_path / "nothing.baeum")


# --- the registry ------------------------------------------------------------------------------


def test_registry_names_and_lookup():
    @baeum.saving.register_serializable(package="Lookup", name="Doubler")
    def double(x):
        return x * 2

    assert baeum.saving.get_registered_name(double) == "Lookup>Doubler"
    assert baeum.saving.get_registered_object("Lookup>Doubler") is double
    assert baeum.saving.get_registered_name(PairSum) == "Tests>PairSum"
    assert baeum.saving.get_registered_object("Nope>Nothing") is None
    assert baeum.saving.get_registered_object("x", custom_objects={"x": double}) is double
    with baeum.saving.custom_object_scope({"Scoped": PairSum}):
        assert baeum.saving.get_registered_object("Scoped") is PairSum
    assert baeum.saving.get_registered_object("Scoped") is None
    with pytest.raises(ValueError, match="without '>'"):
        baeum.saving.register_serializable(package="a>b")
    assert registry.builtin_objects("layers")["Dense"] is layers.Dense
    assert "Input" in registry.builtin_objects("layers")  # present, but not a Layer class
