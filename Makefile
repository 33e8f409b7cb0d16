# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
# Both create .venv and .cache/ (scripts/bootstrap.sh) before they run.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.bootstrap-stamp
BOOTSTRAP_INPUTS := requirements.txt requirements-dev.txt requirements.yml tests/constraints.txt \
	tests/requirements-oldest.txt tests/constraints-oldest.txt \
	tests/requirements-galaxy-importer.txt tests/constraints-galaxy-importer.txt scripts/devtools.py \
	scripts/bootstrap.sh scripts/bootstrap.py scripts/find-python.sh scripts/docker_engine.py \
	$(wildcard tests/librechat_schema/package.json tests/librechat_schema/package-lock.json \
	           tests/librechat_app/package.json tests/librechat_app/package-lock.json)

.PHONY: docker-up docker-down setup test test-matrix demo emulator benchmark docs lint sanity unit integration molecule e2e package ee integration-aws clean

setup: .cache/.ready

.cache/.ready: $(BOOTSTRAP_INPUTS)
	scripts/bootstrap.sh
	@touch $@

## Run every test (lint, sanity, unit, integration, matrix, molecule, e2e, package, ee); CI runs exactly this.
## It writes only inside the checkout (.cache/, .work/): ANSIBLE_HOME and HOME of every tool point into .cache/.
test: setup
	$(PY) scripts/test.py

## sanity, unit and integration on every cell of the version matrix (noxfile.py): oldest and newest declared
## ansible-core and amazon.aws. `make test` covers the same cells (its matrix stage adds the oldest).
test-matrix: setup
	$(VENV)/bin/nox -f noxfile.py

## Run the main job against the local AWS emulator, with no AWS account.
demo: setup
	PYTHONPATH=tests $(PY) scripts/demo.py

## Start the local AWS emulator in the foreground on 127.0.0.1:4599.
emulator: setup
	PYTHONPATH=tests $(PY) -m emulator --host 127.0.0.1 --port 4599

## Count the AWS calls of each module, the inference_profiles role and the site playbook (docs/performance.md).
benchmark: setup
	PYTHONPATH=tests $(PY) scripts/benchmark.py
	PYTHONPATH=tests $(PY) scripts/benchmark_site.py

## Build the docs site (antsibull-docs + Sphinx, warnings as errors) into .cache/docs-site/html and screenshot it.
docs: setup
	$(PY) scripts/docs_site.py

lint sanity unit integration matrix molecule e2e package: setup
	$(PY) scripts/test.py $@

## Build the execution environment AWX and Automation Platform run the playbooks in (examples/ee/, docs/awx.md):
## a Debian trixie base and ansible-builder on the project's Docker engine; rebuilt only when its inputs change.
ee: setup
	$(PY) scripts/ee_image.py

## The integration targets against a real AWS sandbox account (credential chain, AWS_REGION); never run by CI.
## Each run names what it creates with its own prefix, tags it ManagedBy, and removes it (DEVELOPERS.md).
integration-aws: setup
	$(PY) scripts/test.py integration-aws

## The project's own Docker engine (.cache/docker/), by hand: the test stages and the demo start and stop it themselves.
docker-up: setup
	$(PY) scripts/docker_engine.py start

docker-down:
	$(PY) scripts/docker_engine.py stop

clean:
	-[ -x $(PY) ] && $(PY) scripts/docker_engine.py stop
	rm -rf --one-file-system $(VENV) .cache .work tests/output
