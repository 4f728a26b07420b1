# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed

.PHONY: demo test test-slow bench lint clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test]'
	@# PyTorch is the test oracle; this version is the one on the machine's disk.
	$(PIP) install --quiet torch==2.13.0 || echo "torch not installed: the PyTorch comparison tests will be skipped (they fail instead when CI=true)"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/baeum train digits-cnn

# Two test workers on two cores: one BLAS thread each, or OpenBLAS threads fight for the
# cores and small matrix products get 100x slower.
test: $(STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(VENV)/bin/pytest -q -n 2 --dist loadfile

test-slow: $(STAMP)
	$(VENV)/bin/pytest -q -m slow

bench: $(STAMP)
	$(PY) benchmarks/bench_core.py
	$(PY) benchmarks/bench_keras.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache
