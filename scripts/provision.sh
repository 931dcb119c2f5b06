#!/usr/bin/env bash
# Provisions what the test suite needs and prints `export` lines for it:
# PostgreSQL server binaries (Debian package), MinIO built once from the
# pinned version into the user's cache, Debian's chromium and CJK fonts, and
# Debian's ffmpeg for media processing, and Mailpit (a real SMTP server the
# notification tests read mail from) built once from the pinned version.
# Anything that cannot be provisioned fails the run with the command that
# installs it; nothing is skipped.
set -euo pipefail

MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
MAILPIT_VERSION=v1.33.1
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/leitai

log() { echo "provision: $*" >&2; }

apt_install() {
	local pkgs=("$@")
	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		if sudo -n true 2>/dev/null; then sudo=(sudo -n); else
			log "missing Debian packages: ${pkgs[*]}"
			log "install them with: sudo apt-get update && sudo apt-get install -y ${pkgs[*]}"
			exit 1
		fi
	fi
	log "installing ${pkgs[*]} (apt-get)"
	if ! { "${sudo[@]}" apt-get update -qq >&2 &&
		DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >&2; }; then
		log "could not install ${pkgs[*]}; install with: apt-get update && apt-get install -y ${pkgs[*]}"
		exit 1
	fi
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

missing=()
[ -n "$(pg_bin)" ] || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
# Media processing (thumbnails of HEIC photos, video posters and transcodes).
{ command -v ffmpeg && command -v ffprobe; } >/dev/null 2>&1 || missing+=(ffmpeg)
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || missing+=(fonts-noto-cjk) # not grep -q: under pipefail its early exit fails fc-list with SIGPIPE
if [ ${#missing[@]} -gt 0 ]; then
	apt_install "${missing[@]}"
fi
PG_BIN=$(pg_bin)
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
	log "PostgreSQL server binaries not found after install; install with: apt-get install -y postgresql"
	exit 1
fi

MINIO="$CACHE/minio-$MINIO_VERSION/minio"
if [ ! -x "$MINIO" ]; then
	log "building MinIO $MINIO_VERSION into $CACHE (once; several minutes)"
	mkdir -p "$(dirname "$MINIO")"
	if ! GOBIN="$(dirname "$MINIO")" go install "github.com/minio/minio@$MINIO_VERSION" >&2; then
		log "could not build MinIO; run: GOBIN=$(dirname "$MINIO") go install github.com/minio/minio@$MINIO_VERSION"
		exit 1
	fi
fi

MAILPIT="$CACHE/mailpit-$MAILPIT_VERSION/mailpit"
if [ ! -x "$MAILPIT" ]; then
	log "building Mailpit $MAILPIT_VERSION into $CACHE (once; a few minutes)"
	mkdir -p "$(dirname "$MAILPIT")"
	if ! GOBIN="$(dirname "$MAILPIT")" go install "github.com/axllent/mailpit@$MAILPIT_VERSION" >&2; then
		log "could not build Mailpit; run: GOBIN=$(dirname "$MAILPIT") go install github.com/axllent/mailpit@$MAILPIT_VERSION"
		exit 1
	fi
fi

echo "export LEITAI_TEST_PG_BIN=$PG_BIN"
echo "export LEITAI_TEST_MINIO=$MINIO"
echo "export LEITAI_TEST_MAILPIT=$MAILPIT"
echo "export CHROMIUM_PATH=/usr/bin/chromium"
