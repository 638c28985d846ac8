# The two commands a new user runs:  make demo   and   make test
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
TORCH  ?= torch==2.14.1 torchvision==0.29.1

.PHONY: install demo serve test lint openapi client clean

$(BIN)/labelq: pyproject.toml examples/labelq-plugin-example/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q $(TORCH)
	$(BIN)/pip install -q -e '.[ml,dev]'
	$(BIN)/pip install -q --no-deps -e examples/labelq-plugin-example  # the example plugin, tested
	@touch $@

install: $(BIN)/labelq  ## create .venv with torch and labelq

demo: install  ## the MNIST -> digits active domain adaptation loop on the embedded default
	$(BIN)/labelq demo

serve: install  ## the API and one worker on the embedded default
	$(BIN)/labelq serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: lint  ## lint, layer contracts, then every test (real PostgreSQL/Redis when reachable; required under CI=true)
	$(BIN)/python -m pytest -q

openapi: install  ## rewrite the committed OpenAPI schema (openapi.json) from the app
	$(BIN)/python -m service.api.openapi openapi.json

client: openapi  ## regenerate the Python SDK (labelq_client/) from openapi.json
	$(BIN)/python scripts/generate_sdk.py --schema openapi.json --out labelq_client

clean:
	rm -rf $(VENV) .labelq .pytest_cache .ruff_cache
