#!/usr/bin/env bash
# Builds a newer git (Debian trixie's source package, 2.47) for the client
# matrix: the git >= 2.46 Bearer path (capability[]=authtype) needs a real
# git that speaks it. Cached outside the checkout; prints the install dir.
set -euo pipefail
cache="${AZCRED_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/azcred-tools}"
dest="$cache/git-trixie"
if [ -x "$dest/bin/git" ]; then echo "$dest"; exit 0; fi
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! grep -rqs 'trixie' /etc/apt/sources.list.d/azcred-trixie-src.sources; then
  $sudo tee /etc/apt/sources.list.d/azcred-trixie-src.sources >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
$sudo apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq dpkg-dev build-essential libcurl4-openssl-dev libexpat1-dev zlib1g-dev libssl-dev >&2
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
( cd "$work" && apt-get source --download-only git >&2 && dpkg-source -x --skip-patches git_*.dsc src >&2 )
make -C "$work/src" -j"$(nproc)" NO_TCLTK=1 NO_GETTEXT=1 NO_PERL=1 NO_PYTHON=1 prefix="$dest" all install >&2
"$dest/bin/git" --version >&2
echo "$dest"
