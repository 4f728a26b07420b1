"""The `baeum` command: list, train and evaluate the course's recipes.

    baeum recipes
    baeum train digits-cnn [--epochs N] [--batch-size N] [--lr X] [--seed N]
                           [--data-dir DIR] [--out DIR]
    baeum evaluate RUN_DIR
"""

import argparse
import json
import sys
import time
from pathlib import Path


def main(argv=None):
    parser = argparse.ArgumentParser(prog="baeum", description="Train the course's models.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("recipes", help="list the recipes and the results they reach")
    train = sub.add_parser("train", help="train a recipe and write a run folder")
    train.add_argument("recipe")
    train.add_argument("--epochs", type=int)
    train.add_argument("--batch-size", type=int)
    train.add_argument("--lr", type=float)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--data-dir", help="folder holding the datasets (default: $BAEUM_DATA)")
    train.add_argument("--out", help="run folder (default: runs/RECIPE-TIMESTAMP)")
    train.add_argument("--smoke", action="store_true",
                       help="a tiny budget (few steps, small subset) to check the pipeline")
    train.add_argument("--verbose", type=int, default=1, choices=[0, 1, 2])
    evaluate = sub.add_parser("evaluate", help="reload a run's model and reprint its result")
    evaluate.add_argument("run_dir")
    args = parser.parse_args(argv)

    from baeum.recipes import registry

    if args.command == "recipes":
        for r in registry.RECIPES.values():
            print(f"{r.name:<18} {r.model} | {r.dataset} | {r.expected}")
        return 0
    try:
        if args.command == "train":
            return _train(args, registry)
        return _evaluate(args, registry)
    except (KeyError, FileNotFoundError, ImportError, ValueError) as e:
        message = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f"baeum: error: {message}", file=sys.stderr)
        return 2


def _train(args, registry):
    import baeum
    from baeum.recipes.run import Run, Settings

    recipe = registry.get(args.recipe)
    settings = Settings(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                        seed=args.seed, data_dir=args.data_dir, out=args.out,
                        smoke=args.smoke, verbose=args.verbose)
    baeum.random.seed(settings.seed)
    run = Run(recipe.name, settings)
    print(f"baeum train {recipe.name}: {recipe.model} on {recipe.dataset}")
    print(f"run folder: {run.dir}")
    start = time.perf_counter()
    result = recipe.load().train(settings, run)
    result.extra.setdefault("wall_time_s", round(time.perf_counter() - start, 1))
    run.write_result(result)
    print(f"\n{result.line()}   [{result.extra['wall_time_s']} s]")
    return 0


def _evaluate(args, registry):
    from baeum.models import load_model
    from baeum.recipes.run import Run, Settings

    run_dir = Path(args.run_dir)
    config_path = run_dir / "config.json"
    if not config_path.is_file():
        raise FileNotFoundError(f"{run_dir} is not a run folder: no config.json in it")
    config = json.loads(config_path.read_text())
    recipe = registry.get(config["recipe"])
    known = Settings.__dataclass_fields__
    settings = Settings(**{k: v for k, v in config.items() if k in known})
    settings.out = str(run_dir)
    model_path = run_dir / "model.baeum"
    model = load_model(str(model_path)) if model_path.is_file() else None
    result = recipe.load().evaluate(model, settings, Run(recipe.name, settings))
    print(result.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
