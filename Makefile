# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
# Both create .venv and .cache/ (scripts/bootstrap.sh) before they run.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.bootstrap-stamp
BOOTSTRAP_INPUTS := requirements.txt requirements-dev.txt requirements.yml tests/constraints.txt \
	scripts/bootstrap.sh scripts/bootstrap.py scripts/find-python.sh \
	$(wildcard tests/librechat_schema/package.json tests/librechat_schema/package-lock.json)

.PHONY: setup test demo emulator benchmark docs lint sanity unit integration molecule e2e package integration-aws clean

setup: .cache/.ready

.cache/.ready: $(BOOTSTRAP_INPUTS)
	scripts/bootstrap.sh
	@touch $@

## Run every test (lint, sanity, unit, integration, molecule, package); CI runs exactly this.
test: setup
	$(PY) scripts/test.py

## Run the main job against the local AWS emulator, with no AWS account.
demo: setup
	PYTHONPATH=tests $(PY) scripts/demo.py

## Start the local AWS emulator in the foreground on 127.0.0.1:4599.
emulator: setup
	PYTHONPATH=tests $(PY) -m emulator --host 127.0.0.1 --port 4599

## Count the AWS calls of each module, the inference_profiles role and the site playbook (docs/performance.md).
benchmark: setup
	PYTHONPATH=tests $(PY) scripts/benchmark.py
	PYTHONPATH=tests $(PY) scripts/benchmark_roles.py
	PYTHONPATH=tests $(PY) scripts/benchmark_site.py

## Write docs/reference/ from the modules' documentation and the roles' argument specs (lint checks it is current).
docs: setup
	$(PY) scripts/gen_docs.py

lint sanity unit integration molecule e2e package: setup
	$(PY) scripts/test.py $@

## The integration targets against a real AWS sandbox account (credential chain, AWS_REGION); never run by CI.
## Each run names what it creates with its own prefix, tags it ManagedBy, and removes it (DEVELOPERS.md).
integration-aws: setup
	$(PY) scripts/test.py integration-aws

clean:
	rm -rf $(VENV) .cache .work tests/output
