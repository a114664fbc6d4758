#!/usr/bin/env bash
# CI's release check (.ci/run runs it after the tests): builds a snapshot
# release with GoReleaser exactly as a tag would, publishes nothing, and
# checks what it made (internal/releasecheck): every archive with azcred and
# its helper names, checksums, the host binary's stamped version and commit,
# the Scoop/winget/Homebrew manifests, the SBOMs, the GitHub Action's
# install step against the snapshot served on loopback, and the container
# image built from the Dockerfile with buildah (when installed).
# GoReleaser and syft come from scripts/install-test-tools.sh (go install).
set -euo pipefail
cd "$(dirname "$0")/.."
gobin="$(go env GOBIN)"; [ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
export PATH="$PATH:$gobin"
start=$SECONDS

command -v goreleaser >/dev/null || { echo "release-check: goreleaser missing: run scripts/install-test-tools.sh" >&2; exit 1; }
sbom=(-sbom)
if ! command -v syft >/dev/null; then
  echo "release-check: syft missing: building without SBOMs" >&2
  export AZCRED_NO_SBOM=1
  sbom=()
fi

# GoReleaser reads the remote URL; a clone without one still gets real
# commit data this way (the URL is only used for release links).
if [ -z "$(git remote)" ] && [ -z "${GIT_CONFIG_COUNT:-}" ]; then
  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0=https://github.com/azcred/azcred.git
fi

echo "== goreleaser release --snapshot --clean --skip=publish ($(go version -m "$(command -v goreleaser)" | awk '$1 == "mod" { print $3 }'); syft: $(command -v syft || echo none))"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! goreleaser release --snapshot --clean --skip=publish >"$log" 2>&1; then
  cat "$log"
  exit 1
fi
grep -E 'building |archiving|sbom|writing |took:|succeeded' "$log" || true
bash scripts/render-formula.sh dist >/dev/null

echo "== checking dist/"
go run ./internal/releasecheck -dist dist -commit "$(git rev-parse HEAD)" "${sbom[@]}" -action-install scripts/action-install.sh

echo "== container image (Dockerfile)"
if command -v buildah >/dev/null; then
  bash scripts/image-context.sh dist dist/image >/dev/null
  store="$(mktemp -d)"
  b() { buildah --storage-driver vfs --root "$store/root" --runroot "$store/run" "$@"; }
  cleanup_image() { b rm --all >/dev/null 2>&1 || true; rm -rf "$store" "$log"; }
  trap cleanup_image EXIT
  for arch in amd64 arm64; do
    b bud -q --platform "linux/$arch" -f Dockerfile -t "localhost/azcred:$arch" dist/image >/dev/null
  done
  img="localhost/azcred:$(go env GOARCH)"
  [ "$(b inspect --format '{{.OCIv1.Config.User}}' "$img")" = 65532:65532 ] || { echo "image: not user 65532" >&2; exit 1; }
  ctr="$(b from -q "$img")"
  mnt="$(b mount "$ctr")"
  for n in git-credential-azcred docker-credential-azcred; do
    [ "$(readlink "$mnt/usr/local/bin/$n")" = azcred ] || { echo "image: /usr/local/bin/$n is not a link to azcred" >&2; exit 1; }
  done
  [ -s "$mnt/etc/ssl/certs/ca-certificates.crt" ] || { echo "image: no CA certificates" >&2; exit 1; }
  b umount "$ctr" >/dev/null
  # Run it as the image's user: version under two names, and a store write in its home.
  b run --isolation chroot "$ctr" -- /usr/local/bin/azcred version
  b run --isolation chroot "$ctr" -- /usr/local/bin/docker-credential-azcred version
  b run --isolation chroot "$ctr" -- /usr/local/bin/azcred autosave enable
  echo "ok image: linux/amd64 and linux/arm64 built FROM scratch; links, CA certificates, user 65532 with a writable home"
else
  echo "skipped: buildah is not installed (scripts/install-test-tools.sh installs it)"
fi
echo "release check passed in $((SECONDS - start))s"
