#!/usr/bin/env bash
# Try azcred offline: starts a loopback fake of Entra ID, Azure DevOps, AKS and ACR, signs a
# service principal in to it in a throwaway store, and runs real git, kubectl and crane
# through azcred, narrating on stderr. Leaves nothing behind; touches none of your config.
# Uses the azcred on PATH (CGO_ENABLED=0 go install .), else builds one into its temp dir;
# pass -build to always use this checkout. Needs git, kubectl and crane
# (scripts/install-test-tools.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
# go install puts azcred and crane in GOPATH/bin, which is not always on PATH.
export PATH="$PATH:$(go env GOPATH)/bin"
exec go run ./internal/demo "$@"
