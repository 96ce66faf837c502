# The two commands of the README: `make run` and `make test`.
VENV    ?= .venv
PYTHON  := $(VENV)/bin/python
FLASK   := $(VENV)/bin/flask --app wsgi
PORT    ?= 5000
STAMP   := $(VENV)/.installed

.PHONY: run serve test lint translations extract-messages bench backup clean

$(STAMP): pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

translations: $(STAMP)
	$(VENV)/bin/pybabel compile --use-fuzzy -d translations -f

run: $(STAMP) translations
	$(FLASK) db upgrade
	BASE_URL=$${BASE_URL:-http://127.0.0.1:$(PORT)} $(FLASK) demo load --if-empty
	$(FLASK) run --host 127.0.0.1 --port $(PORT) --with-threads

# Every test, the slow ones too; a quick loop: make test PYTEST_ARGS='-m "not slow"'
test: $(STAMP) translations lint
	$(PYTHON) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check workshop tests bench wsgi.py gunicorn.conf.py
	$(VENV)/bin/bandit --quiet --recursive workshop

# Production-like: gunicorn with gunicorn.conf.py (see "Deploying for a province" in the README).
serve: $(STAMP) translations
	$(FLASK) db upgrade
	$(VENV)/bin/gunicorn -c gunicorn.conf.py wsgi:app

# A consistent copy of the SQLite database while the app runs (PostgreSQL: prints pg_dump).
backup: $(STAMP)
	$(FLASK) backup

# Check-in throughput and latency under gunicorn, as ratios to /healthz of the same run.
bench: $(STAMP)
	$(PYTHON) -m bench.run $(BENCH_ARGS)

# Refresh the English catalog after changing user-facing strings (Vietnamese is the source).
extract-messages: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations -l en --no-fuzzy-matching

clean:
	rm -rf $(VENV) instance/*.db .pytest_cache
