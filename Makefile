# The README's commands. Every target installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
CORPUS ?=
# make ui PORT=4300: the Prefect server and its UI on another port (the command line sets
# it; a PORT in the environment, as some hosts export, does not)
PORT := 4200
# The labelled sets make accuracy scores: written for the project (in-sample), and the real
# corpus's development and frozen blind parts (tests/fixtures/real/README.md).
ACCURACY_SETS := --set written=tests/fixtures/corpus --set dev=tests/fixtures/real/dev --set blind=tests/fixtures/real/blind
ACCURACY_FLOOR := tests/accuracy_floor.json
# The confidence model's training examples: the rules' out-of-sample choices, one file per round
# of the real corpus (each round's development pages as the rules stood before anyone read them;
# measure/unseen_examples.py, tests/fixtures/real/README.md), and the written corpus. Never the
# blind pages. Its threshold is chosen on each round as predicted by a model of the rounds before
# it (measure/train_confidence.py; rounds sort as numbers, round10 after round9), because random
# publisher folds overstated what the model gains on a new round (docs/EXTRACTION.md, section 7).
# The written corpus keeps it from withholding right figures of well-formed releases (none of
# its 262 are withheld).
CONFIDENCE_DIRS := tests/fixtures/corpus
CONFIDENCE_UNSEEN := $(sort $(wildcard tests/fixtures/real/unseen/*.json))
# Which real development pages report one operation (tests/fixtures/groupings/README.md).
GROUPING_SET := tests/fixtures/groupings/dev_groupings.json

export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: install demo test test-slow accuracy confidence-model grouping followups lint format ui bench clean

# setuptools warns on every editable install that a folder named like a package may shadow it;
# here the folders are the packages. PYTHONWARNINGS reaches pip's build subprocess.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	PYTHONWARNINGS=ignore $(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)  ## serve the sample site on 127.0.0.1 and run the whole flow into data/optally.db
	$(VENV)/bin/optally demo

test: $(STAMP)  ## unit, integration (SQLite; PostgreSQL when OPTALLY_TEST_POSTGRES_URL is set) and flow tests
	$(PY) -m pytest -q

test-slow: $(STAMP)  ## over a minute: SIGKILL crash points, concurrent runs, 10 MB pages (docs/RELIABILITY.md)
	$(PY) -m pytest -q -m slow

accuracy: $(STAMP)  ## written, dev and blind scores against their floors; make accuracy CORPUS=dir scores one folder
	$(PY) -m measure.accuracy $(if $(CORPUS),$(CORPUS),$(ACCURACY_SETS) --floor $(ACCURACY_FLOOR)) $(ARGS)

confidence-model: $(STAMP)  ## retrain tasks/figures/confidence_model.json on the rules' out-of-sample choices (never the blind pages)
	$(PY) -m measure.train_confidence $(CONFIDENCE_DIRS) $(addprefix --unseen ,$(CONFIDENCE_UNSEEN))

grouping: $(STAMP)  ## operation grouping's pairwise precision and recall on the labelled dev pages (ARGS=--details lists every wrong pair)
	$(PY) -m measure.grouping_accuracy --set $(GROUPING_SET) $(ARGS)

followups: $(STAMP)  ## follow-up recognition, linking precision/recall and outcome figure accuracy on the labelled set (ARGS=--details)
	$(PY) -m measure.followup_linking tests/fixtures/followups/labelled.yaml $(ARGS)

bench: $(STAMP)  ## benchmarks, under 10 minutes, not part of `make test`; writes docs/BENCHMARKS.md (BENCH_ARGS=--skip-pg without PostgreSQL)
	$(PY) -m benchmarks.bench $(BENCH_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

ui: $(STAMP)  ## Prefect server on http://127.0.0.1:$(PORT) (PORT=4200) plus `optally serve` (the deployments); Ctrl-C stops both
	$(PY) -m app.serve ui --port $(PORT) $(if $(SERVE_ARGS),-- $(SERVE_ARGS))

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
