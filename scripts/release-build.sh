#!/bin/sh
# Builds the release binary, as the Dockerfile does: static (no cgo: it
# runs on any Linux, in a scratch image), with trimmed paths, and with the
# version and commit stamped in (from git, or VERSION and COMMIT when there
# is no git, as in a Docker build). Usage: scripts/release-build.sh [OUT]
set -eu
cd "$(dirname "$0")/.."
out=${1:-portico}
version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo devel)}
commit=${COMMIT:-$(git rev-parse HEAD 2>/dev/null || true)}
pkg=github.com/portico-dev/portico/internal/version
CGO_ENABLED=0 go build -trimpath -buildvcs=false \
	-ldflags "-s -w -X $pkg.stampedVersion=$version -X $pkg.stampedCommit=$commit" \
	-o "$out" ./cmd/portico
