"""Switching graph recording on and off: `no_grad()` and `enable_grad()`.

While recording is off, ops compute their result and build no graph: no backward
closure, no saved inputs kept alive. Inference and optimizer updates run this way.
"""

import functools

# Read directly by Function.apply on every op, so it is a plain module global.
enabled = True


def is_grad_enabled():
    return enabled


class _GradMode:
    """Context manager and decorator that sets recording to `self.mode`.

    Works as `with no_grad():`, `@no_grad()` and, like torch, bare `@no_grad`.
    """

    mode = True

    def __new__(cls, fn=None):
        self = super().__new__(cls)
        return self if fn is None else self(fn)

    def __enter__(self):
        global enabled
        self._prev = enabled
        enabled = self.mode

    def __exit__(self, *exc):
        global enabled
        enabled = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Build no graph inside the block (or the decorated function).

    >>> import baeum
    >>> w = baeum.ones(3, requires_grad=True)
    >>> with baeum.no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
    """

    mode = False


class enable_grad(_GradMode):
    """Record the graph again inside a `no_grad` block."""

    mode = True
