#!/usr/bin/env bash
# Installs the real clients the end-to-end tests drive: git, kubectl,
# crane, skopeo, oras, regctl and helm; and the real keyrings: a D-Bus session
# bus with gnome-keyring's Secret Service. Idempotent: a tool already on PATH is left alone.
# Needs root (or sudo) only for apt-get.
set -euo pipefail

gobin="$(go env GOBIN)"; [ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
export PATH="$PATH:$gobin"

apt_pkgs=()
command -v git >/dev/null || apt_pkgs+=(git)
command -v skopeo >/dev/null || apt_pkgs+=(skopeo)
[ -x /usr/bin/time ] || apt_pkgs+=(time)   # GNU time: peak RSS in bench/
command -v zsh >/dev/null || apt_pkgs+=(zsh)    # completion script checks
command -v fish >/dev/null || apt_pkgs+=(fish)
command -v curl >/dev/null || apt_pkgs+=(curl)     # the GitHub Action's scripts
command -v buildah >/dev/null || apt_pkgs+=(buildah) # builds the Dockerfile in release-check.sh
[ -s /etc/ssl/certs/ca-certificates.crt ] || apt_pkgs+=(ca-certificates)
command -v dbus-daemon >/dev/null || apt_pkgs+=(dbus)   # dbus-daemon, dbus-send (keyring_secretservice)
command -v gnome-keyring-daemon >/dev/null || apt_pkgs+=(gnome-keyring)
if ! command -v kubectl >/dev/null; then
  # Debian has kubectl as "kubectl" (cloud SDK repo, when configured) or "kubernetes-client".
  apt_pkgs+=(kubectl-or-client)
fi
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  for p in "${apt_pkgs[@]}"; do
    if [ "$p" = kubectl-or-client ]; then
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq kubectl >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq kubernetes-client
    else
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$p"
    fi
  done
fi
# Release tooling for scripts/release-check.sh (slow to build the first time).
command -v goreleaser >/dev/null || go install github.com/goreleaser/goreleaser/v2@v2.17.0  # v2.18 needs Go 1.27
command -v syft >/dev/null || go install github.com/anchore/syft/cmd/syft@v1.57.2 || echo "syft did not build: releases go without SBOMs" >&2
command -v crane >/dev/null || go install github.com/google/go-containerregistry/cmd/crane@v0.22.1
command -v gotestsum >/dev/null || go install gotest.tools/gotestsum@v1.12.3
# More registry clients for the docker matrix (testdata/script/docker_oras_regctl.txtar).
command -v oras >/dev/null || go install oras.land/oras/cmd/oras@v1.3.6
command -v regctl >/dev/null || go install github.com/regclient/regclient/cmd/regctl@v0.11.7
# helm 4 pushes and pulls an OCI chart (testdata/script/docker_helm.txtar); about 3 minutes to build.
command -v helm >/dev/null || go install helm.sh/helm/v4/cmd/helm@v4.3.2
# scripts/test runs staticcheck.
command -v staticcheck >/dev/null || go install honnef.co/go/tools/cmd/staticcheck@v0.8.2

for t in git kubectl crane skopeo oras regctl helm zsh fish gotestsum staticcheck dbus-daemon gnome-keyring-daemon; do
  printf '%-8s %s\n' "$t" "$(command -v $t)"
done
# The feed tests need cargo >= 1.74 and pip >= 23.1, newer than Debian 12
# ships (cargo 0.66/Rust 1.65, pip 23.0); they come with the machine image
# (rustup, pyenv) and the scripts skip, saying so, where they are missing.
printf '%-8s %s\n' cargo "$(cargo --version 2>/dev/null || echo 'missing: testdata/script/cargo_feed.txtar will skip')"
printf '%-8s %s\n' pip "$(python3 -m pip --version 2>/dev/null || echo 'missing: testdata/script/pip_feed.txtar will skip')"
