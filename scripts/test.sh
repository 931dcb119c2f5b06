#!/usr/bin/env bash
# The whole test suite (`make test`): provision real PostgreSQL, MinIO and
# Chromium, check formatting, vet and types, run the Go tests against the
# real services, then the browser tests against the built binary.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { echo; echo "==> $* ($(($(date +%s) - start))s)"; }

step "provisioning PostgreSQL, MinIO, Mailpit, Chromium"
eval "$(scripts/provision.sh)"

step "frontend: install, type check, build"
make --no-print-directory frontend

step "gofmt, go vet"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './frontend/node_modules/*'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
go vet ./...

step "frontend unit tests"
(cd frontend && npm run --silent test:unit)

step "go test (SQLite and PostgreSQL, filesystem store and MinIO)"
go test -count=1 -timeout 30m ./...

step "browser tests (Chromium) against the built binary: embedded default"
make --no-print-directory build
LEITAI_E2E_ARTIFACTS="$PWD/test-artifacts/e2e-sqlite" scripts/e2e.sh sqlite

step "browser tests (Chromium) against the built binary: PostgreSQL + MinIO"
LEITAI_E2E_ARTIFACTS="$PWD/test-artifacts/e2e-postgres" scripts/e2e.sh postgres

step "all green in $(($(date +%s) - start))s"
