# The two commands of README.md: `make run` and `make test`. Only Python 3.11 and make needed.
# The project runs on Python 3.11: prefer that interpreter when several are installed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint format check worker messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# API with demo data on the embedded default (SQLite, files and Celery queue under var/),
# plus a Celery worker with its beat scheduler, at http://127.0.0.1:8000.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/celery -A backend worker --beat --pool=solo --loglevel=INFO \
		--schedule var/celerybeat-schedule & \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

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
	$(BIN)/python manage.py makemessages --locale fr --ignore '.venv/*' --ignore 'var/*'
	$(BIN)/python manage.py compilemessages --locale fr --ignore '.venv/*'

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .import_linter_cache *.egg-info
