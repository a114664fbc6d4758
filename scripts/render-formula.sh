#!/usr/bin/env bash
# Renders the Homebrew formula for a GoReleaser dist/ into
# DIST/homebrew/azcred.rb: version and tag from metadata.json, one url and
# sha256 per macOS/Linux archive from checksums.txt. A release publishes
# that file to the tap; nothing here uploads it.
#   usage: scripts/render-formula.sh [DIST] [DOWNLOAD_BASE]
set -euo pipefail
cd "$(dirname "$0")/.."
dist="${1:-dist}"
meta="$(cat "$dist/metadata.json")"
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" <<<"$meta"; }
version="$(field version)"
tag="$(field tag)"
[ -n "$version" ] && [ -n "$tag" ] || { echo "render-formula: no version/tag in $dist/metadata.json" >&2; exit 1; }
base="${2:-https://github.com/azcred/azcred/releases/download/$tag}"

args=(-e "s|@VERSION@|$version|g")
for p in darwin_amd64 darwin_arm64 linux_amd64 linux_arm64; do
  name="azcred_${version}_${p}.tar.gz"
  sum="$(awk -v n="$name" '$2 == n { print $1 }' "$dist/checksums.txt")"
  [ -n "$sum" ] || { echo "render-formula: $name is not in $dist/checksums.txt" >&2; exit 1; }
  args+=(-e "s|@URL_${p}@|$base/$name|g" -e "s|@SHA_${p}@|$sum|g")
done
mkdir -p "$dist/homebrew"
sed "${args[@]}" packaging/homebrew/azcred.rb.in >"$dist/homebrew/azcred.rb"
if grep -q '@[A-Za-z_0-9]*@' "$dist/homebrew/azcred.rb"; then
  echo "render-formula: placeholders left in $dist/homebrew/azcred.rb" >&2
  exit 1
fi
echo "$dist/homebrew/azcred.rb"
