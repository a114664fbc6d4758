#!/usr/bin/env bash
# The install step of the azcred GitHub Action (action.yml): downloads the
# release archive for this runner, checks it against the release's
# checksums.txt, unpacks azcred and its helper names into
# $RUNNER_TEMP/azcred/bin and puts that on $GITHUB_PATH.
#
# Environment: AZCRED_VERSION (a tag such as v1.2.3, or "latest"),
# AZCRED_RELEASE_URL (default https://github.com/azcred/azcred/releases; a
# mirror or a test server can stand in), RUNNER_TEMP, GITHUB_PATH.
set -euo pipefail

die() { echo "azcred-action: error: $*" >&2; exit 1; }
base="${AZCRED_RELEASE_URL:-https://github.com/azcred/azcred/releases}"
tag="${AZCRED_VERSION:-latest}"
if [ "$tag" = latest ]; then
  # /releases/latest redirects to /releases/tag/vX.Y.Z.
  tag="$(curl -fsSL --max-time 60 -o /dev/null -w '%{url_effective}' "$base/latest")" || die "cannot resolve the latest release at $base/latest"
  tag="${tag##*/}"
fi
case "$tag" in v*) ;; *) tag="v$tag" ;; esac
version="${tag#v}"

case "${RUNNER_OS:-$(uname -s)}" in
  Linux) os=linux ;;
  macOS | Darwin) os=darwin ;;
  Windows | MINGW* | MSYS* | CYGWIN*) os=windows ;;
  *) die "unsupported runner OS ${RUNNER_OS:-$(uname -s)}" ;;
esac
case "${RUNNER_ARCH:-$(uname -m)}" in
  X64 | x86_64 | amd64) arch=amd64 ;;
  ARM64 | aarch64 | arm64) arch=arm64 ;;
  *) die "unsupported runner architecture ${RUNNER_ARCH:-$(uname -m)}" ;;
esac
ext=tar.gz
[ "$os" = windows ] && ext=zip
archive="azcred_${version}_${os}_${arch}.${ext}"

tmp="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
dest="$tmp/azcred/bin"
work="$(mktemp -d "$tmp/azcred-download.XXXXXX")"
trap 'rm -rf "$work"' EXIT
fetch() { curl -fsSL --retry 3 --max-time 300 -o "$work/$1" "$base/download/$tag/$1" || die "cannot download $base/download/$tag/$1"; }
fetch checksums.txt
fetch "$archive"

want="$(awk -v n="$archive" '$2 == n { print $1 }' "$work/checksums.txt")"
[ -n "$want" ] || die "$archive is not in the release's checksums.txt"
if command -v sha256sum >/dev/null; then
  got="$(sha256sum "$work/$archive" | cut -d' ' -f1)"
else
  got="$(shasum -a 256 "$work/$archive" | cut -d' ' -f1)"
fi
[ "$got" = "$want" ] || die "$archive: sha256 $got, checksums.txt says $want"

rm -rf "$dest" && mkdir -p "$dest"
if [ "$ext" = zip ]; then
  if command -v unzip >/dev/null; then
    unzip -q -o "$work/$archive" -d "$dest"
  else
    pwsh -NoProfile -Command "Expand-Archive -Force -Path '$work/$archive' -DestinationPath '$dest'"
  fi
else
  tar -xzf "$work/$archive" -C "$dest"
fi
exe=""
[ "$os" = windows ] && exe=.exe
"$dest/azcred$exe" version >&2 || die "the downloaded azcred does not run"
if [ -n "${GITHUB_PATH:-}" ]; then
  echo "$dest" >>"$GITHUB_PATH"
fi
echo "azcred $tag installed in $dest" >&2
