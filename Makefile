# fxe: the two entry points are `make demo` and `make test`; both set everything up first.
PYTHON ?= python3
OUT ?= demo-out

.PHONY: setup demo test lint docs bench clean

setup:
	PYTHON=$(PYTHON) bash scripts/setup.sh

demo: setup
	PYTHON=$(PYTHON) OUT=$(OUT) bash scripts/demo.sh

test: setup
	$(PYTHON) -m ruff check .
	$(PYTHON) -m pytest -q

lint:
	$(PYTHON) -m ruff check .

docs:
	$(PYTHON) scripts/gen_docs.py

bench:
	for b in benchmarks/bench_*.py; do $(PYTHON) $$b || exit 1; done

clean:
	rm -rf $(OUT) .pytest_cache build *.egg-info
