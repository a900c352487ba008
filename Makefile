# Two entry points (see README): `make demo` and `make test`. Everything else is a helper.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
RAG := $(VENV)/bin/rag
export HF_HUB_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False
DEMO_INDEX ?= .rag/index
QUESTION ?= What was the two-way trade between Vietnam and Laos in 2025?
# llama-cpp-python compiles llama.cpp for the CPU it is built on, leaving out the AMX kernels: virtual machines can
# report AMX without enabling it, and the first matrix product then dies with SIGILL. Set CMAKE_ARGS yourself to
# build otherwise (a GPU, or AMX on a machine that has it).
NO_AMX := -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
export CMAKE_ARGS ?= -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF "-DCMAKE_C_FLAGS=$(NO_AMX)" "-DCMAKE_CXX_FLAGS=$(NO_AMX)"

.PHONY: demo test install install-test chromium clean

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip wheel

# torch is only needed by the sentence-transformers backend; it must be installed pinned and FIRST,
# or a dependency pulls the multi-GB CUDA build.
install: $(VENV)/bin/python
	$(PIP) install -q -e '.[large,app]'

install-test: $(VENV)/bin/python
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[st,server,app,test,large]'

chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

demo: install
	$(RAG) --index $(DEMO_INDEX) ingest seeds
	$(RAG) --index $(DEMO_INDEX) ask "$(QUESTION)"
	@if [ -n "$$CI" ] || [ -n "$$NO_SERVE" ]; then echo "(CI/NO_SERVE set: not opening the chat)"; \
	else echo "Opening the chat at http://127.0.0.1:7860 (Ctrl-C to stop)"; $(RAG) --index $(DEMO_INDEX) serve; fi

test: install-test chromium
	$(PY) -m pytest -q -rs tests; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

clean:
	rm -rf $(VENV) .rag build *.egg-info
