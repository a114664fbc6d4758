#!/usr/bin/env bash
# Installs the real clients the end-to-end tests drive: git, kubectl,
# crane and skopeo; and the real keyrings: a D-Bus session bus with
# gnome-keyring's Secret Service. Idempotent: a tool already on PATH is left alone.
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
command -v crane >/dev/null || go install github.com/google/go-containerregistry/cmd/crane@v0.22.1
command -v gotestsum >/dev/null || go install gotest.tools/gotestsum@v1.12.3

for t in git kubectl crane skopeo zsh fish gotestsum dbus-daemon gnome-keyring-daemon; do
  printf '%-8s %s\n' "$t" "$(command -v $t)"
done
