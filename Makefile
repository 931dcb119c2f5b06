# Leitai 擂台 — `make run` to try it, `make test` for the whole suite.
SHELL := /bin/bash
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
ADDR ?= 127.0.0.1:8080
DATA_DIR ?= ./data

.PHONY: run build frontend test bench fuzz vet fmt clean screenshots

## run: build everything and serve on the embedded default (SQLite + files in ./data)
run: build
	./bin/leitai serve --addr $(ADDR) --data-dir $(DATA_DIR)

## build: the frontend, then the binary with it embedded, into bin/leitai
build: frontend
	go build -trimpath -ldflags '$(LDFLAGS)' -o bin/leitai .

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

## frontend: install npm packages (when the lock file changed), type check and build into frontend/dist
frontend: frontend/node_modules/.package-lock.json
	cd frontend && npm run --silent build

## test: provision PostgreSQL, MinIO and Chromium, then every test
test:
	scripts/test.sh

## screenshots: the README's screenshots (docs/screenshots/*.png), taken by the browser tests from the demo
screenshots: build
	eval "$$(scripts/provision.sh 2>/dev/null)" && LEITAI_SCREENSHOTS=1 LEITAI_E2E_FILES=e2e/screenshots.test.mjs scripts/e2e.sh sqlite

## bench: the benchmarks of BENCHMARKS.md, one JSON object per line
bench: build
	./bin/leitai bench start --runs 9
	./bin/leitai bench judging
	./bin/leitai bench upload --runs 3
	./bin/leitai bench scoring
	./bin/leitai bench live

## fuzz: every fuzz target for FUZZTIME each (make test runs their committed seed corpora only)
FUZZTIME ?= 30s
fuzz:
	@set -e; for pkg in $$(go list ./...); do \
		for target in $$(go test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "==> $$pkg $$target"; go test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

vet:
	go vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin frontend/dist/assets frontend/dist/index.html
