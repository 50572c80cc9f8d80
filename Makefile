# AMICo — commandes de l'équipe. `make help` les liste.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The stamp carries a hash of pyproject.toml: changing the pins reinstalls, nothing else does.
DEPS_HASH := $(shell cat pyproject.toml lab/pyproject.toml | sha256sum | cut -c1-12)
STAMP := $(VENV)/.installed-$(DEPS_HASH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(CURDIR)/$(BIN):$(PATH)

# Debian packages the tests and the demo use (installed when missing, never upgraded)
SYSTEM_PACKAGES := chromium graphviz git openssh-client

.PHONY: help setup system-packages lab-image lint test test-fast test-role demo bench bench-rapide bench-flotte bench-awx clean

help:
	@echo "make setup      crée .venv et installe les dépendances épinglées (idempotent)"
	@echo "make test       installation + lint + tous les tests (ce que lance la CI)"
	@echo "make test-fast  tests sans conteneurs ni émulateurs (boucle rapide)"
	@echo "make demo       installation + tâche principale sur le labo de démonstration"
	@echo "make bench      mesures de performance (ratios, voir bench/)"
	@echo "make bench-flotte  dérive de toute la flotte (5 à 148 sites) à côté du plancher, long"
	@echo "make bench-awx  deux tranches AWX de 25 collèges contre un job de 50"
	@echo "make test-role ROLE=nom   lint + molecule d'un seul rôle (voir docs/ecrire-un-role.md)"

setup: $(STAMP)

$(STAMP): pyproject.toml lab/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]' -e lab
	rm -f $(VENV)/.installed-*
	touch $@

system-packages:
	lab/debian/install-packages.sh $(SYSTEM_PACKAGES)

# Debian 12 systemd image of the lab (debootstrap once, reused while its recipe is unchanged)
lab-image:
	lab/podman/build-image.sh

lint: setup
	$(BIN)/ruff check src lab/amico_lab tests bench plugins
	$(BIN)/ruff format --check src lab/amico_lab tests bench plugins
	$(BIN)/amico referentiel verifier referentiel
	$(BIN)/ansible-lint --offline

test-fast: setup
	$(BIN)/pytest -q -m "not slow"

test-role: setup
	@test -n "$(ROLE)" || { echo "usage : make test-role ROLE=<nom du rôle>" >&2; exit 2; }
	$(BIN)/amico role tester $(ROLE)

test: setup system-packages lint
	$(BIN)/pytest -q

# KEEP=1 leaves the lab running (amico labo etat / amico labo arreter)
demo: setup system-packages
	lab/podman/build-image.sh || echo "Image du labo non construite : la démo se fera sans les serveurs (elle le dira)."
	KEEP=$(KEEP) $(BIN)/amico demo

bench: setup system-packages lab-image
	$(BIN)/python bench/run_all.py

# the same benchmarks at reduced sizes (about 4 minutes)
bench-rapide: setup system-packages lab-image
	$(BIN)/python bench/run_all.py --rapide

# the whole fleet (148 sites, ~18,000 hosts): hours on a 2-core machine
bench-flotte: setup system-packages
	$(BIN)/python bench/flotte_bench.py --sites 5 --sites 20 --sites 50 --sites 148

# AWX job slicing: two slices of 25 sites through ansible-runner against one job of 50
bench-awx: setup system-packages
	$(BIN)/python bench/awx_tranches_bench.py --sites 50

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
