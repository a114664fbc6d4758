#!/usr/bin/env bash
# Try azcred offline: starts a loopback fake of Entra ID, Azure DevOps, AKS and ACR, signs a
# service principal in to it in a throwaway store, and runs real git, kubectl and crane
# through azcred, narrating on stderr. Leaves nothing behind; touches none of your config.
# Uses the azcred on PATH (CGO_ENABLED=0 go install .), else builds one into its temp dir;
# pass -build to always use this checkout. A missing git, kubectl or crane is skipped, and
# the demo says how to get it (scripts/install-test-tools.sh installs them all).
# To play by hand against the fake cloud instead: bash scripts/fakecloud.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# go install puts azcred and crane in GOBIN, else the first GOPATH entry's bin, which is
# not always on PATH.
gobin=$(go env GOBIN)
if [ -z "$gobin" ]; then
  gopath=$(go env GOPATH)
  gobin="${gopath%%:*}/bin"
fi
export PATH="$PATH:$gobin"
exec go run ./internal/demo "$@"
