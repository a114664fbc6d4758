#!/usr/bin/env bash
# Makes the build context for the Dockerfile from a GoReleaser dist/:
# OUT/linux/{amd64,arm64}/ unpacked from the Linux archives (azcred plus the
# helper-name symlinks), OUT/ca-certificates.crt from this machine's
# trust store, and OUT/home/azcred/ (the image user's empty home).
#   usage: scripts/image-context.sh [DIST] [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
dist="${1:-dist}"
out="${2:-$dist/image}"
version="$(sed -n 's/.*"version":"\([^"]*\)".*/\1/p' "$dist/metadata.json")"
[ -n "$version" ] || { echo "image-context: no version in $dist/metadata.json" >&2; exit 1; }
certs=/etc/ssl/certs/ca-certificates.crt
[ -s "$certs" ] || { echo "image-context: $certs missing (apt-get install ca-certificates)" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/home/azcred"
chmod 700 "$out/home/azcred"
cp "$certs" "$out/ca-certificates.crt"
for arch in amd64 arm64; do
  mkdir -p "$out/linux/$arch"
  tar -xzf "$dist/azcred_${version}_linux_${arch}.tar.gz" -C "$out/linux/$arch" \
    azcred git-credential-azcred docker-credential-azcred
done
echo "$out"
