"""`model.summary()`: Keras 3's table of layers, output shapes and parameter counts.

    Model: "sequential"
    ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┓
    ┃ Layer (type)                     ┃ Output Shape             ┃        Param # ┃
    ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━┩
    │ dense (Dense)                    │ (None, 5)                │             25 │
    ...
     Total params: 118 (472.00 B)
     Trainable params: 118 (472.00 B)
     Non-trainable params: 0 (0.00 B)

Functional models whose graph is not a simple chain get a fourth column, "Connected
to", naming the layer outputs each layer reads (`dense[0][0]`: layer, call, output).
"""

import math
import shutil
import sys
import textwrap

_BOX = {  # heavy header, light body, as rich draws Keras's table
    "top": "┏━┳┓", "head": "┃┃┃", "head_bottom": "┡━╇┩", "row": "│││",
    "between": "├─┼┤", "bottom": "└─┴┘",
}
_ASCII = {
    "top": "+=++", "head": "|||", "head_bottom": "+=++", "row": "|||",
    "between": "+-++", "bottom": "+-++",
}


def readable_size(n_bytes):
    """472 -> '472.00 B', 2048 -> '2.00 KB' (Keras's units, powers of 1024)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n_bytes < 1024:
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.2f} PB"


def _count(weights):
    return sum(math.prod(w.shape) for w in weights)


def _nbytes(weights):
    return sum(math.prod(w.shape) * w.dtype.itemsize for w in weights)


def format_shape(shape):
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return "[" + ", ".join(format_shape(s) for s in shape) + "]"
    return "(" + ", ".join(str(d) for d in shape) + (",)" if len(shape) == 1 else ")")


def _params(layer):
    if not layer.built and not layer.weights:
        return "0 (unbuilt)"
    return f"{layer.count_params():,}"


def _rows_and_columns(model):
    """(header, alignments, rows, sequential_like) for the model's kind."""
    from baeum.models.functional import Functional, InputLayer
    from baeum.models.sequential import Sequential

    if isinstance(model, Sequential):
        shapes = model.layer_output_shapes() or [None] * len(model.layers)
        return None, [(layer, format_shape(s)) for layer, s in zip(model.layers, shapes)]
    if not isinstance(model, Functional):
        return None, [(layer, format_shape(_guess_output_shape(layer)))
                      for layer in model.layers]
    # Functional: shapes and connections from the recorded nodes.
    nodes_of = {}
    for node in model._nodes:
        nodes_of.setdefault(id(node.layer), []).append(node)
    input_layer_of = {id(t): layer for t, layer in zip(model._input_tensors,
                                                         model._input_layers)}
    chain = all(len(nodes_of[k]) == 1 for k in nodes_of) and all(
        len(node.input_tensors()) == 1 for node in model._nodes
    )
    rows, connections = [], []
    for layer in model.layers:
        if isinstance(layer, InputLayer):
            rows.append((layer, format_shape(layer.batch_shape)))
            connections.append("-")
            continue
        nodes = nodes_of.get(id(layer), [])
        outs = nodes[-1].outputs if nodes else []
        shape = [t.shape for t in outs] if len(outs) > 1 else outs[0].shape if outs else None
        rows.append((layer, format_shape(shape)))
        links = []
        for node in nodes:
            for t in node.input_tensors():
                if t.node is None:
                    links.append(f"{input_layer_of[id(t)].name}[0][0]")
                else:
                    producer = t.node.layer
                    k = nodes_of[id(producer)].index(t.node)
                    links.append(f"{producer.name}[{k}][{t.index}]")
        connections.append(", ".join(links) or "-")
    return (None if chain else connections), rows


def _guess_output_shape(layer):
    """Output shape of a layer of a subclassed model, from the shape it was built for."""
    shape = getattr(layer, "_build_input_shape", None)
    if shape is None:
        return None
    if hasattr(layer, "symbolic_output_shapes"):
        shapes = layer.symbolic_output_shapes()
        if shapes:
            return shapes[0] if len(shapes) == 1 else shapes
    try:
        out = layer.compute_output_shape(shape)
    except Exception:  # noqa: BLE001 - a display helper: an unknown shape prints as "?"
        return None
    if isinstance(out, tuple) and out and all(d is None or isinstance(d, int) for d in out):
        return (None, *out[1:])
    return None


def _table(header, aligns, rows, widths, box):
    def line(kind):
        left, fill, mid, right = box[kind]
        return left + mid.join(fill * (w) for w in widths) + right

    def cells(texts, kind):
        sep = box[kind][0]
        wrapped = [textwrap.wrap(t, w - 2, break_on_hyphens=False) or [""]
                   for t, w in zip(texts, widths)]
        out = []
        for k in range(max(len(c) for c in wrapped)):
            parts = []
            for c, w, a in zip(wrapped, widths, aligns):
                text = c[k] if k < len(c) else ""
                parts.append(" " + (text.rjust(w - 2) if a == "right" else text.ljust(w - 2))
                             + " ")
            out.append(sep + sep.join(parts) + sep)
        return out

    lines = [line("top"), *cells(header, "head"), line("head_bottom")]
    for i, row in enumerate(rows):
        if i:
            lines.append(line("between"))
        lines += cells(row, "row")
    lines.append(line("bottom"))
    return lines


def _box_for_stdout():
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "┏━┃│└".encode(encoding)
        return _BOX
    except (UnicodeEncodeError, LookupError):
        return _ASCII


def summary_text(model, line_length=None, positions=None, expand_nested=False,
                 show_trainable=False, layer_range=None, box=None):
    """The summary as a string (what `model.summary()` prints)."""
    connections, rows = _rows_and_columns(model)
    if layer_range is not None:
        rows, connections = _in_range(rows, connections, layer_range)
    header = ["Layer (type)", "Output Shape", "Param #"]
    aligns = ["left", "left", "right"]
    if connections is None:
        default_length, positions = 88, positions or [0.45, 0.80, 1.0]
    else:
        default_length, positions = 108, positions or [0.3, 0.56, 0.74, 1.0]
        header.append("Connected to")
        aligns.append("left")
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        aligns.append("center")
    columns = shutil.get_terminal_size((default_length + 4, 24)).columns
    line_length = line_length or min(default_length, max(columns - 4, 60))
    inner = line_length - len(positions) - 1   # the vertical borders take one column each
    widths, current = [], 0
    for pos in positions:
        pos = pos if pos > 1 else pos * inner  # Keras accepts fractions or columns
        widths.append(max(int(pos) - current, 6))
        current += widths[-1]

    table_rows = []
    for i, (layer, shape) in enumerate(rows):
        table_rows += _layer_rows(layer, shape, None if connections is None else connections[i],
                                  show_trainable, expand_nested, 0)
    lines = [f'Model: "{model.name}"']
    lines += _table(header, aligns, table_rows, widths, box or _box_for_stdout())
    trainable, non_trainable = model.trainable_weights, model.non_trainable_weights
    total = _count(trainable) + _count(non_trainable)
    total_bytes = _nbytes(trainable) + _nbytes(non_trainable)
    opt_vars = _optimizer_variables(model)
    total += _count(opt_vars)
    total_bytes += _nbytes(opt_vars)
    lines.append(f" Total params: {total:,} ({readable_size(total_bytes)})")
    lines.append(f" Trainable params: {_count(trainable):,} "
                 f"({readable_size(_nbytes(trainable))})")
    lines.append(f" Non-trainable params: {_count(non_trainable):,} "
                 f"({readable_size(_nbytes(non_trainable))})")
    if opt_vars:
        lines.append(f" Optimizer params: {_count(opt_vars):,} "
                     f"({readable_size(_nbytes(opt_vars))})")
    return "\n".join(lines)


def _layer_rows(layer, shape, connection, show_trainable, expand_nested, level):
    prefix = "   " * level + "└ " if level else ""
    row = [f"{prefix}{layer.name} ({type(layer).__name__})", shape, _params(layer)]
    if connection is not None:
        row.append(connection)
    if show_trainable:
        row.append(("Y" if layer.trainable else "N") if layer.weights else "-")
    rows = [row]
    if expand_nested and hasattr(layer, "summary") and layer.layers:
        for inner in layer.layers:
            rows += _layer_rows(inner, format_shape(_guess_output_shape(inner)),
                                "" if connection is not None else None, show_trainable,
                                expand_nested, level + 1)
    return rows


def _in_range(rows, connections, layer_range):
    import re

    if len(layer_range) != 2 or not all(isinstance(s, str) for s in layer_range):
        raise ValueError(
            f"layer_range must be two layer names (or regexes), got {layer_range!r}"
        )
    names = [layer.name for layer, _ in rows]
    lower = [i for i, n in enumerate(names) if re.match(layer_range[0], n)]
    upper = [i for i, n in enumerate(names) if re.match(layer_range[1], n)]
    if not lower or not upper:
        raise ValueError(f"layer_range {layer_range} matches no layer names of {names}")
    a, b = min(lower), max(upper) + 1
    return rows[a:b], (None if connections is None else connections[a:b])


def _optimizer_variables(model):
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not getattr(optimizer, "_weights", None):
        return []
    return [v for v in optimizer.variables if hasattr(v, "shape")]


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False,
                  show_trainable=False, layer_range=None):
    text = summary_text(model, line_length, positions, expand_nested, show_trainable,
                        layer_range)
    (print_fn or print)(text)
