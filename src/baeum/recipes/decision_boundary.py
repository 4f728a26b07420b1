"""Decision-boundary figure for 2-input classifiers (the logic-gate recipes).

Each panel shades what a model outputs over the input square, draws the 0.5 contour
(the boundary) and marks the truth-table points by their target.
"""

import numpy as np

from baeum.recipes.figures import _plt


def plot(panels, path, suptitle=None, lo=-0.25, hi=1.25, steps=121):
    """panels: list of (title, predict, x, y); predict maps (n, 2) inputs -> (n,) in [0, 1].

    x: (k, 2) points to mark, y: (k,) their 0/1 targets.
    """
    plt = _plt()
    grid = np.linspace(lo, hi, steps, dtype=np.float32)
    g1, g2 = np.meshgrid(grid, grid)
    inputs = np.stack([g1.ravel(), g2.ravel()], axis=1)
    fig, axes = plt.subplots(1, len(panels), figsize=(3.4 * len(panels) + 1, 4),
                             squeeze=False, layout="constrained")
    for ax, (title, predict, x, y) in zip(axes[0], panels):
        out = np.asarray(predict(inputs), dtype=np.float64).reshape(g1.shape)
        shade = ax.contourf(g1, g2, out, levels=np.linspace(0, 1, 11), cmap="RdBu_r",
                            alpha=0.35, vmin=0, vmax=1)
        if out.min() < 0.5 < out.max():
            ax.contour(g1, g2, out, levels=[0.5], colors="k", linewidths=1.5)
        for target, marker, color in ((0, "o", "tab:blue"), (1, "s", "tab:red")):
            pick = np.asarray(y) == target
            ax.scatter(x[pick, 0], x[pick, 1], marker=marker, s=90, c=color,
                       edgecolors="k", label=f"target {target}", zorder=3)
        ax.plot([], [], "k-", label="boundary (output 0.5)")
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
        ax.set_title(title, fontsize=10)
        ax.set_aspect("equal")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=9)
    fig.colorbar(shade, ax=axes[0].tolist(), fraction=0.025, label="model output")
    if suptitle:
        fig.suptitle(suptitle)
    fig.savefig(path, dpi=100)
    plt.close(fig)
