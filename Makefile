# Two commands on a fresh machine (Python 3.11+, pip, make):
#   make run    set up, then chat in the terminal (or run the Telegram bot if TELEGRAM_BOT_TOKEN is set)
#   make test   set up, then run ruff, mypy and the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install run chat test lint check eval bench clean messages

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

run: install
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then exec $(BIN)/ktbot run; \
	else echo "TELEGRAM_BOT_TOKEN is not set: starting the terminal chat (Ctrl-D to leave)."; \
	exec $(BIN)/ktbot chat; fi

chat: install
	$(BIN)/ktbot chat

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# pytest exits 5 when it collects no test: that is a failure here, not a pass.
test: lint
	$(BIN)/ktbot check
	$(BIN)/python -m pytest -q; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$status

check: install
	$(BIN)/ktbot check

eval: install
	$(BIN)/ktbot eval ../shared/eval/public.jsonl

# Interface strings: extract them from bot/ and merge them into every catalog (then translate
# the new entries in bot/locale/<language>/LC_MESSAGES/ktbot.po; README, "Languages").
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ -c NOTE: -c "Telegram HTML" -c "The command" \
		--no-location --sort-output --project ktbot -o bot/locale/ktbot.pot .
	$(BIN)/pybabel update -i bot/locale/ktbot.pot -d bot/locale -D ktbot -w 100 \
		--no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis
