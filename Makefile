# The two commands of README.md: `make run` and `make test`. Only Python (3.11, 3.12 or
# 3.13) and make needed.
#
# The Python that builds .venv: python3 if it is one of those, else the newest of them
# found here. Another one: `make test PYTHON=python3.13` (the venv is rebuilt on it), or
# beside the first with VENV=.venv-3.13.
ifndef PYTHON
PYTHON := $(shell for p in python3 python3.13 python3.12 python3.11; do \
	"$$p" -c 'import sys; assert (3, 11) <= sys.version_info[:2] <= (3, 13)' 2>/dev/null \
	&& { command -v "$$p"; break; }; done)
endif
PYVERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-python$(PYVERSION)
PORT ?= 8000

.PHONY: install lock run test lint format check worker messages clean

# The virtual environment, exactly as requirements-dev.txt locks it (hashes checked): pip
# installs uv from its locked lines, then uv installs the rest. The code is not installed:
# every command runs from this directory, which Python finds it in.
$(STAMP): requirements-dev.txt
	@case "$(PYVERSION)" in 3.11|3.12|3.13) ;; *) echo "Jalon runs on Python 3.11, 3.12 or" \
		"3.13: $(if $(PYTHON),$(PYTHON) does not run one here,none found here); install one, or" \
		"name it: make $(MAKECMDGOALS) PYTHON=/path/to/python3.x" >&2; exit 1;; esac
	$(PYTHON) -m venv --clear $(VENV)
	awk '/^uv==/ { found = 1 } found { print } found && !/\\$$/ { exit }' \
		requirements-dev.txt >$(VENV)/uv-requirement.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps \
		--require-hashes -r $(VENV)/uv-requirement.txt
	$(BIN)/uv pip sync --quiet --python $(BIN)/python --require-hashes requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

# The lock files, from pyproject.toml, for every Python of requires-python at once
# (--universal), with hashes: run after changing a dependency there. Every pin already in
# them stays unless pyproject.toml needs another (`make lock LOCK_FLAGS=--upgrade` moves
# them all to their newest release, `LOCK_FLAGS='--upgrade-package celery'` one).
# requirements.txt, what the image installs, keeps the versions of requirements-dev.txt.
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --universal --generate-hashes --quiet \
	--custom-compile-command 'make lock' $(LOCK_FLAGS)
lock: install
	$(UV_COMPILE) --extra dev --output-file requirements-dev.txt
	$(UV_COMPILE) --constraint requirements-dev.txt --output-file requirements.txt

# API with demo data on the embedded default (SQLite, files and Celery queue under var/),
# plus a Celery worker with its beat scheduler, at http://127.0.0.1:$(PORT) (8000 unless
# `make run PORT=8123`; the links of e-mails, JALON_PUBLIC_URL, follow unless it is set).
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@export JALON_PUBLIC_URL="$${JALON_PUBLIC_URL:-http://127.0.0.1:$(PORT)}"; \
	trap 'kill 0' INT TERM EXIT; \
	$(BIN)/celery -A backend worker --beat --pool=solo --loglevel=INFO \
		--schedule var/celerybeat-schedule & \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The whole test suite (on PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set).
test: install
	$(BIN)/python -m pytest

# Style, then the import contracts of pyproject.toml (the layers of README.md).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

worker: install
	$(BIN)/celery -A backend worker --beat --pool=solo --loglevel=INFO --schedule var/celerybeat-schedule

# Refresh the French catalogue after changing user-facing strings (needs GNU gettext).
messages: install
	$(BIN)/python manage.py makemessages --locale fr --ignore '.venv*' --ignore 'var/*'
	$(BIN)/python manage.py compilemessages --locale fr --ignore '.venv*'

clean:
	rm -rf $(VENV) .venv-* var .pytest_cache .ruff_cache .import_linter_cache *.egg-info
