#!/usr/bin/env bash
# Start the loopback fake cloud (Entra ID, Resource Manager, Azure DevOps, AKS, ACR) and
# print the exports and commands to play with azcred by hand from another shell. Every
# config file it names lives in a throwaway directory; yours are never touched. Ctrl-C
# stops it (it also stops by itself after an hour) and removes the directory.
#   bash scripts/fakecloud.sh [fakecloud flags, see go run ./internal/fakecloud/cmd/fakecloud -h]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d "${TMPDIR:-/tmp}/azcred-fakecloud-XXXXXX")
trap 'rm -rf "$dir"' EXIT
go run ./internal/fakecloud/cmd/fakecloud -dir "$dir" -ttl 1h -play \
  -repo contoso/proj/repo -cluster aks -acr contoso "$@"
