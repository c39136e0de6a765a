# Build, test and run the Cognito + Go Lambda API. `make help` lists the targets.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
# requirements.txt's packages come from python3's own when they satisfy its pins, else from .venv/,
# which scripts/python-env.sh makes once: every recipe finds .venv/bin's python3 and tools first.
export PATH := $(CURDIR)/.venv/bin:$(PATH)
.DEFAULT_GOAL := help

# The Go command
GO ?= go
# What the functions are built for: linux/arm64, their template's Architectures. Only the command
# line changes it (make build GOARCH=amd64; the local stack builds for the machine it runs on): a GOOS
# or GOARCH exported in the shell must not make `sam build` package a binary Lambda cannot run.
# OS of the functions' bootstraps (command line only)
GOOS ?= linux
# Architecture of the functions' bootstraps (command line only; Lambda runs arm64)
GOARCH ?= arm64
ifeq ($(origin GOOS),environment)
GOOS := linux
endif
ifeq ($(origin GOARCH),environment)
GOARCH := arm64
endif
FUNCTIONS := $(notdir $(wildcard functions/*))
GO_BUILD_FLAGS := -tags lambda.norpc -trimpath -ldflags "-s -w"
TEMPLATES := template.yaml auth-stack/template.yaml api-stack/template.yaml account-stack/template.yaml pipeline-stack/template.yaml
# Port of the local stack's API on 127.0.0.1 (`make local`)
API_PORT ?= 3000
# Port of the local stack's emulated Cognito (`make local`)
COGNITO_PORT ?= 5000
# Port of the browser client (web/) on 127.0.0.1, the API's CORS origin for the run; 0 or empty: no page
WEB_PORT ?= 8080
# 1: `make local` rebuilds and reloads a function when its Go code changes; 0: no watching
WATCH ?= 1
# Logical id of the function `make local` runs under Delve (EchoFunction, LoginFunction, ...); empty: none
DEBUG ?=
# Port of Delve's headless server on 127.0.0.1 with DEBUG
DEBUG_PORT ?= 2345
# Everything one local stack writes (outputs.json, builds, logs, mail); one directory per stack
STATE_DIR ?= .local
# Template parameters for `make local` and `make deploy`, as sam deploy --parameter-overrides takes them
PARAMETER_OVERRIDES ?=
# `sam local start-api` on Linux needs the Cognito emulator on an address Docker's containers reach.
# Address the local stack's Cognito listens on (another than 127.0.0.1 only for sam local; see README)
COGNITO_HOST ?= 127.0.0.1
# FUZZTIME is a count, not a duration: with a duration, Go 1.26's fuzz coordinator can report
# "context deadline exceeded" at the deadline with no failing input under CPU contention
# (golang/go#75804, fixed in Go 1.27). 30000 executions take 10 to 15 s per target here.
# How many inputs each fuzz target runs inside `make test` (NNNx; a duration such as 10s works too).
FUZZTIME ?= 30000x

# `make help` lists every `NAME ?= default` variable: scripts/make-help.sh reads the Makefile, and gets
# each value and origin here, one NAME<TAB>origin<TAB>value line each (single quotes escaped).
HELP_VARS = $(sort $(shell sed -n 's/^\([A-Z][A-Z0-9_]*\)[[:space:]]*?=.*/\1/p' $(MAKEFILE_LIST)))
.PHONY: help
help: ## List the targets, and the variables with their defaults
	@{ $(foreach v,$(HELP_VARS),printf '%s\t%s\t%s\n' $(v) '$(origin $(v))' '$(subst ','\'',$($(v)))';) } \
	  | scripts/make-help.sh $(MAKEFILE_LIST)

.PHONY: build
build: ## Build build/<function>/bootstrap for $(GOOS)/$(GOARCH) (default linux/arm64), static and stripped
	@for f in $(FUNCTIONS); do \
	  CGO_ENABLED=0 GOOS=$(GOOS) GOARCH=$(GOARCH) $(GO) build $(GO_BUILD_FLAGS) -o build/$$f/bootstrap ./functions/$$f; \
	  echo "build/$$f/bootstrap ($(GOOS)/$(GOARCH), $$(wc -c < build/$$f/bootstrap | tr -d ' ') bytes)"; \
	done

# build-<LogicalId>: what `sam build` runs for a function with Metadata: BuildMethod: makefile, as
# `make --makefile <CodeUri>/Makefile build-<LogicalId>` with ARTIFACTS_DIR in the environment
# (CustomMakeAction in aws/aws-lambda-builders); the local stack calls them the same way, with its own
# GOOS/GOARCH. The function's package is functions/<logical id without "Function", lower-cased>.
function_package = ./functions/$(shell echo '$(1)' | sed 's/Function$$//' | tr '[:upper:]' '[:lower:]')
build-%:
	@[ -n "$(ARTIFACTS_DIR)" ] || { echo "$@: ARTIFACTS_DIR is not set (sam build sets it)"; exit 2; }
	@[ -d $(call function_package,$*) ] || { echo "$@: no $(call function_package,$*) for the logical id $*"; exit 2; }
	CGO_ENABLED=0 GOOS=$(GOOS) GOARCH=$(GOARCH) $(GO) build $(GO_BUILD_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap $(call function_package,$*)

# The route `make function` adds (NAME, METHOD, AUTH); README "Add your own route".
# Name of the function `make function` adds (lower-case letters and digits)
NAME ?=
# HTTP method of the route `make function` adds: get, post, put, patch or delete
METHOD ?= get
# Who may call the route `make function` adds: cognito (an ID token) or none (public)
AUTH ?= cognito
.PHONY: function
function: ## Add a function and its route (NAME, METHOD, AUTH): code, handler test, template, OpenAPI, Portman, Postman
	@[ -n "$(NAME)" ] || { echo "usage: make function NAME=<name> METHOD=<get|post|put|patch|delete> AUTH=<cognito|none>"; exit 2; }
	@[ -e node_modules/.bin/portman ] || { echo "make function: Portman is missing (it regenerates postman/): run npm ci first"; exit 2; }
	$(GO) run ./cmd/scaffold -name '$(NAME)' -method '$(METHOD)' -auth '$(AUTH)'
	node portman/postman.mjs

.PHONY: test
test: preflight-test lint check-size fuzz contract test-browser test-go ## Everything CI runs: lint, templates, Go tests (with the local-stack end-to-end suite), fuzzing, contract and browser tests
# No silent minute: a recipe line running longer than 30 s says so every 30 s.
test: SHELL := $(CURDIR)/scripts/progress-shell.sh

# Go, Python 3, Node.js and Chromium present, requirements.txt's packages importable (installed into
# .venv/ when python3 lacks them): one message for each thing missing, before anything compiles.
.PHONY: preflight-test python-env
preflight-test:
	@GO='$(GO)' scripts/preflight.sh test
python-env: ## Make requirements.txt's packages importable: python3's own if they match its pins, else .venv/ (made once)
	@scripts/python-env.sh

.PHONY: test-go
test-go: python-env ## Go tests, including the Cognito conformance suite and end-to-end tests against a local stack
	$(GO) test -race -count=1 ./...

.PHONY: fuzz
fuzz: ## Each fuzz target for FUZZTIME executions
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeLogin$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 1s ./internal/login
	$(GO) test -run '^$$' -fuzz '^FuzzAuthorize$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 1s ./internal/emulator/apigateway/authorizer
	$(GO) test -run '^$$' -fuzz '^FuzzParseProxyResult$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 1s ./internal/emulator/apigateway

.PHONY: lint
lint: lint-go lint-templates lint-workflows ## gofmt, go vet, staticcheck, cfn-lint, the SAM translator, actionlint

.PHONY: lint-go
lint-go:
	@unformatted=$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	$(GO) mod tidy -diff

.PHONY: lint-templates
lint-templates: python-env
	cfn-lint $(TEMPLATES)
	python3 scripts/sam-translate.py $(TEMPLATES)

.PHONY: lint-workflows
lint-workflows: ## actionlint on .github/workflows (and shellcheck on their run: blocks when it is installed)
	scripts/actionlint.sh

# npm ci again whenever package.json or package-lock.json changes.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20 or later"; exit 1; }
	npm ci --no-audit --no-fund

.PHONY: contract
contract: python-env node_modules/.package-lock.json ## Portman contract tests against a local stack started (and stopped) for the run
	scripts/contract-local.sh

.PHONY: test-browser
test-browser: python-env node_modules/.package-lock.json ## The browser client (web/) in Debian's chromium, against a local stack started for the run; screenshots in build/playwright/
	@mkdir -p build
	$(GO) build -o build/local ./cmd/local
	node --test --test-reporter=spec scripts/browser/flow.test.mjs

.PHONY: contract-remote
contract-remote: node_modules/.package-lock.json ## Contract tests against API_URL; needs PORTMAN_TOKEN, USERNAME, PASSWORD
	@[ -n "$(API_URL)" ] || { echo "usage: make contract-remote API_URL=<stack output ApiUrl>, with PORTMAN_TOKEN, USERNAME and PASSWORD set"; exit 2; }
	API_URL='$(API_URL)' scripts/contract.sh

.PHONY: postman
postman: node_modules/.package-lock.json ## Rewrite postman/ (collection and environments) from docs/openapi.yaml with Portman (portman/postman-config.json)
	node portman/postman.mjs

.PHONY: check-size
check-size: ## linux/arm64 bootstraps within their size budgets (echo <= 6.5 MiB, login <= 7.5 MiB)
	GO=$(GO) scripts/check-size.sh

.PHONY: bench
bench: ## Cold starts, per-request cost, local throughput and sizes against same-run baselines (bench/); rewrites docs/PERFORMANCE.md; exit 3: figures void (busy machine)
	GO=$(GO) bench/bench.sh

.PHONY: local
local: ## Run the whole API on 127.0.0.1:$(API_PORT), an emulated Cognito on $(COGNITO_HOST):$(COGNITO_PORT), the browser client on 127.0.0.1 port $(WEB_PORT) (0: none), state in $(STATE_DIR)
	@GO='$(GO)' API_PORT='$(API_PORT)' COGNITO_PORT='$(COGNITO_PORT)' COGNITO_HOST='$(COGNITO_HOST)' WEB_PORT='$(WEB_PORT)' STATE_DIR='$(STATE_DIR)' scripts/preflight.sh local
	@mkdir -p $(STATE_DIR)
	@echo "make local: building the local stack (the first build compiles the AWS SDK: 2 to 3 minutes on 2 idle cores)..."
	@scripts/progress-shell.sh -c '$(GO) build -o $(STATE_DIR)/local ./cmd/local'
	exec $(STATE_DIR)/local -watch=$(if $(filter 0,$(WATCH)),false,true) -debug '$(DEBUG)' -debug-port $(DEBUG_PORT) -api-port $(API_PORT) -cognito-port $(COGNITO_PORT) -cognito-host $(COGNITO_HOST) -web-port $(or $(WEB_PORT),0) -state-dir $(STATE_DIR) -mail-quota $(or $(COGNITO_MAIL_QUOTA),0)
# Passed in the environment, so that quotes inside the overrides reach cmd/local as written.
local: export PARAMETER_OVERRIDES := $(PARAMETER_OVERRIDES)
# The function builds cmd/local runs (make build-<LogicalId>) say so every 30 s while they compile.
local: export PROGRESS_SHELL := $(CURDIR)/scripts/progress-shell.sh
ifdef PROGRESS_SHELL
SHELL := $(PROGRESS_SHELL)
endif

.PHONY: conformance-aws
conformance-aws: ## The Cognito conformance suite against a throwaway pool in your AWS account (credentials and region from the environment; the pool is always deleted)
	GO=$(GO) scripts/conformance-aws.sh

.PHONY: local-reset
local-reset: ## Forget the local stack's state in $(STATE_DIR): Cognito's pools, users, keys, codes and revocations, and the mailbox (refused while a stack runs on it)
	@if [ -e '$(STATE_DIR)/.lock' ] && ! flock -n '$(STATE_DIR)/.lock' true; then \
	  echo "make local-reset: a local stack is running on $(STATE_DIR): stop it first"; exit 1; fi
	rm -rf '$(STATE_DIR)/cognito' '$(STATE_DIR)/mail.jsonl'

.PHONY: clean
clean: ## Remove build output and local-stack state
	rm -rf build .aws-sam .local

# ---- Recipes for newcomers: a user and a token for the running local stack, and deploying.
# They run the tools as built binaries (never `go run`, which turns every failure into exit 1), so
# the tools' exit codes reach the caller: 2 for a missing setting, 1 when Cognito refuses or fails.

# `make user`, `token` and `users` read $(STATE_DIR)/outputs.json; `make deploy` takes PARAMETER_OVERRIDES.
# The samconfig.toml environment `make deploy` uses: default (both stacks), auth or api
CONFIG_ENV ?= default

RECIPE_ENV = STATE_DIR='$(subst ','\'',$(STATE_DIR))'

.PHONY: tools
tools: ## Build build/testuser and build/token (run them as built: they keep their exit codes)
	@mkdir -p build
	@$(GO) build -o build/testuser ./cmd/testuser
	@$(GO) build -o build/token ./cmd/token

.PHONY: user
user: tools ## Create a throwaway confirmed user in the running local stack (STATE_DIR); prints USERNAME= and PASSWORD=
	@$(RECIPE_ENV) scripts/recipes.sh user

.PHONY: token
token: tools ## Print an ID token for USERNAME and PASSWORD (from `make user`) from the running local stack
	@$(RECIPE_ENV) scripts/recipes.sh token

.PHONY: users
users: tools ## List the users of the running local stack's pool
	@$(RECIPE_ENV) scripts/recipes.sh users

DEPLOY_ENV = CONFIG_ENV='$(subst ','\'',$(CONFIG_ENV))' PARAMETER_OVERRIDES='$(subst ','\'',$(PARAMETER_OVERRIDES))'

.PHONY: deploy
deploy: ## Pre-flight, then sam build && sam deploy for CONFIG_ENV, with PARAMETER_OVERRIDES (first time: DomainPrefix=<unique>)
	@$(DEPLOY_ENV) scripts/recipes.sh deploy

.PHONY: deploy-preflight
deploy-preflight: ## Check PARAMETER_OVERRIDES against CONFIG_ENV's template and that DomainPrefix is free (AWS CLI), deploying nothing
	@$(DEPLOY_ENV) scripts/recipes.sh preflight
