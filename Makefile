# Quick start:  make run   (set up .venv, open ClubDesk on the demo database)
#               make test  (set up .venv, run the whole test suite)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench build selfcheck translations clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("ClubDesk needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/clubdesk --demo

# PostgreSQL tests use the machine's real server: .ci/postgres.sh starts it when it can
# (root on a machine with PostgreSQL 15); otherwise they skip, or fail under CI.
test: $(STAMP)
	@pg="$${CLUBDESK_TEST_PG:-$$(bash .ci/postgres.sh 2>/dev/null | tail -n 1)}"; \
	echo "PostgreSQL for tests: $${pg:-none}"; \
	QT_QPA_PLATFORM=offscreen CLUBDESK_TEST_PG="$$pg" $(BIN)/python -m pytest
	$(BIN)/ruff check clubdesk ui tests tools
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/clubdesk bench

translations: $(STAMP)
	$(BIN)/pybabel -q extract --no-location --sort-output -k _ -k N_ -o clubdesk/i18n/clubdesk.pot clubdesk ui
	$(BIN)/pybabel -q update --no-fuzzy-matching -i clubdesk/i18n/clubdesk.pot -d clubdesk/i18n -D clubdesk -l en
	$(BIN)/pybabel -q compile -d clubdesk/i18n -D clubdesk -l en

build: $(STAMP)
	$(BIN)/pyinstaller --noconfirm --clean build.spec

selfcheck: build
	QT_QPA_PLATFORM=offscreen dist/clubdesk/clubdesk selfcheck

clean:
	rm -rf build dist $(VENV)
