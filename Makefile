# The README's two commands are `make demo` and `make test`; both set up the machine first (idempotent).
.PHONY: setup demo test lint bench
PY := .venv/bin/python

setup:
	bash scripts/setup.sh

demo: setup
	$(PY) main.py standalone --debug --demo

test:
	bash scripts/test.sh

lint: setup
	.venv/bin/ruff check .

bench: setup
	for b in benchmarks/*_bench.py; do echo "== $$b"; $(PY) $$b || exit 1; done
