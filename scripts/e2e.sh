#!/usr/bin/env bash
# Starts the built binary on a throwaway data dir and a free port, runs the
# Playwright tests in frontend/e2e against it, and stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${LEITAI_BIN:-bin/leitai}
[ -x "$bin" ] || { echo "e2e: $bin not built: run make build" >&2; exit 1; }
data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18080)
log="$data/server.log"
admin_password="e2e-admin-$RANDOM$RANDOM"
echo "$admin_password" | LEITAI_DATABASE_URL= "$bin" user create --username admin --role admin --display-name 组委会管理员 --data-dir "$data/data" >/dev/null
LEITAI_DATABASE_URL= LEITAI_S3_ENDPOINT= "$bin" serve --addr "127.0.0.1:$port" --data-dir "$data/data" --log-level warn >"$log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
	if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
	if ! kill -0 "$pid" 2>/dev/null; then echo "e2e: server exited:" >&2; cat "$log" >&2; exit 1; fi
	sleep 0.1
done
export LEITAI_E2E_BASE_URL="http://127.0.0.1:$port"
export LEITAI_E2E_DATA_DIR="$data/data"
export LEITAI_BIN="$bin"
export LEITAI_E2E_ADMIN_USER=admin LEITAI_E2E_ADMIN_PASSWORD="$admin_password"
if ! (cd frontend && npm run --silent test:e2e); then
	echo "e2e: server log:" >&2; tail -n 50 "$log" >&2; exit 1
fi
