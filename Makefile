# The two commands a fresh machine needs: `make run` (terminal chat) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test test-fast lint bench eval clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[llm,dev]'
	rm -f $(VENV)/.installed-* && touch $@

run: $(STAMP)
	$(BIN)/anning chat

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Everything but the tests marked slow (end-to-end runs of several seconds each); `make test` and CI run them all.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not network"

lint: $(STAMP)
	$(BIN)/ruff check bot tests bench scripts
	$(BIN)/mypy
	$(BIN)/anning lint

bench: $(STAMP)
	$(BIN)/python bench/qa_bench.py
	$(BIN)/python bench/sms_bench.py
	$(BIN)/python bench/export_bench.py
	$(BIN)/python bench/ocr_bench.py
	$(BIN)/python bench/telegram_bench.py
	$(BIN)/python bench/wechat_bench.py
	$(BIN)/python bench/understand_bench.py
	$(BIN)/python bench/llm_bench.py

eval: $(STAMP)
	$(BIN)/anning eval

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
