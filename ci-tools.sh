#!/usr/bin/env bash
# Installs the real clients the docker end-to-end scripts
# (testdata/script/docker_*.txtar) drive: crane from the Go module proxy,
# skopeo from Debian. Idempotent; .ci/run calls it before go test.
set -euo pipefail

# crane: the version go.mod already pins for go-containerregistry.
if ! command -v crane >/dev/null 2>&1; then
	go install github.com/google/go-containerregistry/cmd/crane@v0.22.1
fi

# skopeo: Debian's package (1.9.x on bookworm).
if ! command -v skopeo >/dev/null 2>&1; then
	sudo=""
	if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
	$sudo apt-get update
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y skopeo
fi

# go install puts crane in GOBIN (or GOPATH/bin): the scripts need it on PATH.
gobin="$(go env GOBIN)"
if [ -z "$gobin" ]; then gobin="$(go env GOPATH)/bin"; fi
case ":$PATH:" in
*":$gobin:"*) ;;
*) echo "ci-tools.sh: add $gobin to PATH so the tests find crane" >&2 ;;
esac
