#!/usr/bin/env bash
# Runs the Playwright tests in frontend/e2e against the built binary.
#   scripts/e2e.sh sqlite     embedded default: SQLite + media files in a throwaway data dir
#   scripts/e2e.sh postgres   a throwaway PostgreSQL cluster and MinIO server (real services)
# Needs the variables scripts/provision.sh prints (LEITAI_TEST_PG_BIN, LEITAI_TEST_MINIO, and
# LEITAI_TEST_MAILPIT: the server sends its e-mail to a real Mailpit the notification test reads).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-sqlite}
bin=${LEITAI_BIN:-bin/leitai}
[ -x "$bin" ] || { echo "e2e: $bin not built: run make build" >&2; exit 1; }
work=$(mktemp -d)
chmod 755 "$work"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
pg_dir=""
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	if [ -n "$pg_dir" ]; then as_pg "$LEITAI_TEST_PG_BIN/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
wait_http() { # url what pid
	for _ in $(seq 1 200); do
		if curl -fsS "$1" >/dev/null 2>&1; then return 0; fi
		if [ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null; then echo "e2e: $2 exited" >&2; return 1; fi
		sleep 0.1
	done
	echo "e2e: $2 did not answer $1" >&2; return 1
}

export LEITAI_DATA_DIR="$work/data" LEITAI_DATABASE_URL= LEITAI_S3_ENDPOINT=
if [ "$mode" = postgres ]; then
	: "${LEITAI_TEST_PG_BIN:?run scripts/provision.sh first (make test does)}"
	: "${LEITAI_TEST_MINIO:?run scripts/provision.sh first (make test does)}"
	pg_dir="$work/pg"; mkdir -p "$pg_dir"
	[ "$(id -u)" -eq 0 ] && chown postgres "$pg_dir"
	pg_port=$(free_port)
	as_pg "$LEITAI_TEST_PG_BIN/initdb" -D "$pg_dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
	as_pg "$LEITAI_TEST_PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
		-o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
	export LEITAI_DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/postgres?sslmode=disable"
	minio_port=$(free_port); console_port=$(free_port)
	export MINIO_ROOT_USER="e2e-$RANDOM" MINIO_ROOT_PASSWORD="e2e-secret-$RANDOM$RANDOM" MINIO_BROWSER=off
	"$LEITAI_TEST_MINIO" server "$work/minio" --address "127.0.0.1:$minio_port" --console-address "127.0.0.1:$console_port" >"$work/minio.log" 2>&1 &
	pids+=($!)
	wait_http "http://127.0.0.1:$minio_port/minio/health/live" MinIO "${pids[-1]}" || { cat "$work/minio.log" >&2; exit 1; }
	export LEITAI_S3_ENDPOINT="127.0.0.1:$minio_port" LEITAI_S3_ACCESS_KEY="$MINIO_ROOT_USER" LEITAI_S3_SECRET_KEY="$MINIO_ROOT_PASSWORD" LEITAI_S3_BUCKET=leitai-e2e
	"$bin" migrate >/dev/null
fi

if [ -n "${LEITAI_TEST_MAILPIT:-}" ]; then
	smtp_port=$(free_port); mail_port=$(free_port)
	"$LEITAI_TEST_MAILPIT" --smtp "127.0.0.1:$smtp_port" --listen "127.0.0.1:$mail_port" --database "$work/mailpit.db" \
		--smtp-auth-accept-any --smtp-auth-allow-insecure --disable-version-check >"$work/mailpit.log" 2>&1 &
	pids+=($!)
	wait_http "http://127.0.0.1:$mail_port/readyz" Mailpit "${pids[-1]}" || { cat "$work/mailpit.log" >&2; exit 1; }
	export LEITAI_SMTP_URL="smtp://127.0.0.1:$smtp_port" LEITAI_SMTP_FROM=leitai@example.org
	export LEITAI_E2E_MAILPIT="http://127.0.0.1:$mail_port"
fi

port=$(free_port)
log="$work/server.log"
admin_password="e2e-admin-$RANDOM$RANDOM"
echo "$admin_password" | "$bin" user create --username admin --role admin --display-name 组委会管理员 >/dev/null
"$bin" serve --addr "127.0.0.1:$port" --log-level warn >"$log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$port/readyz" leitai "${pids[-1]}" || { cat "$log" >&2; exit 1; }

export LEITAI_E2E_BASE_URL="http://127.0.0.1:$port"
export LEITAI_E2E_MODE="$mode"
export LEITAI_E2E_DATA_DIR="$LEITAI_DATA_DIR" LEITAI_E2E_DATABASE_URL="$LEITAI_DATABASE_URL"
export LEITAI_E2E_ADMIN_USER=admin LEITAI_E2E_ADMIN_PASSWORD="$admin_password"
export LEITAI_BIN="$bin"
# Screenshots (failures, and the big screen at the reveal) are kept here.
if [ -n "${LEITAI_E2E_ARTIFACTS:-}" ]; then mkdir -p "$LEITAI_E2E_ARTIFACTS"; echo "e2e: artefacts in $LEITAI_E2E_ARTIFACTS"; fi
echo "e2e: $mode at $LEITAI_E2E_BASE_URL"
# LEITAI_E2E_FILES narrows the run to some files (e.g. e2e/live.test.mjs) while working on them.
if ! (cd frontend && if [ -n "${LEITAI_E2E_FILES:-}" ]; then node --test $LEITAI_E2E_FILES; else npm run --silent test:e2e; fi); then
	echo "e2e: server log:" >&2; tail -n 50 "$log" >&2; exit 1
fi
