"""The course's models as runnable, reproducible recipes (`baeum recipes`, `baeum train`)."""

from baeum.recipes.registry import RECIPES, Recipe, get
