#!/usr/bin/env bash
# The sign-in step of the azcred GitHub Action (action.yml): workload
# identity federation, no secret. Requests the job's OIDC token for
# api://AzureADTokenExchange (needs `permissions: id-token: write`), writes
# it to a 0600 file and runs
#   azcred login --service-principal --federated-token-file FILE --scope process
# then exports the session (AZCRED_SESSION, AZCRED_CONTEXT, AZCRED_AUTOSAVE)
# to $GITHUB_ENV so later steps use it, and to $GITHUB_OUTPUT.
#
# Environment: INPUT_TENANT_ID, INPUT_CLIENT_ID, optional
# INPUT_SUBSCRIPTION_ID, INPUT_ENVIRONMENT, INPUT_AUDIENCE; GitHub's
# ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN, RUNNER_TEMP, GITHUB_ENV, GITHUB_OUTPUT.
set -euo pipefail

die() { echo "azcred-action: error: $*" >&2; exit 1; }
[ -n "${INPUT_TENANT_ID:-}" ] || die "tenant-id is required"
[ -n "${INPUT_CLIENT_ID:-}" ] || die "client-id is required"
[ -n "${ACTIONS_ID_TOKEN_REQUEST_URL:-}" ] && [ -n "${ACTIONS_ID_TOKEN_REQUEST_TOKEN:-}" ] ||
  die "no OIDC token request URL: give the job 'permissions: id-token: write'"
audience="${INPUT_AUDIENCE:-api://AzureADTokenExchange}"
enc_audience="$(printf '%s' "$audience" | sed -e 's/%/%25/g' -e 's/:/%3A/g' -e 's#/#%2F#g')"

# The request token is a secret: keep it out of argv (curl reads the header from stdin).
resp="$(printf 'Authorization: bearer %s\n' "$ACTIONS_ID_TOKEN_REQUEST_TOKEN" |
  curl -fsS --max-time 30 -H @- "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=$enc_audience")" ||
  die "the OIDC token request to ${ACTIONS_ID_TOKEN_REQUEST_URL%%\?*} failed"
# {"count":N,"value":"<JWT>"}: a JWT has no quotes or backslashes.
token="$(printf '%s' "$resp" | sed -n 's/.*"value"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p')"
[ -n "$token" ] || die "the OIDC token response has no value"
[ -z "${GITHUB_ACTIONS:-}" ] || echo "::add-mask::$token"

file="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/azcred-oidc-token"
(umask 077 && printf '%s' "$token" >"$file")

args=(login --service-principal --tenant "$INPUT_TENANT_ID" --client-id "$INPUT_CLIENT_ID"
  --federated-token-file "$file" --scope process --shell sh)
[ -z "${INPUT_SUBSCRIPTION_ID:-}" ] || args+=(--subscription "$INPUT_SUBSCRIPTION_ID")
[ -z "${INPUT_ENVIRONMENT:-}" ] || args+=(--environment "$INPUT_ENVIRONMENT")
exports="$(azcred "${args[@]}")"
eval "$exports"

for name in AZCRED_SESSION AZCRED_CONTEXT AZCRED_AUTOSAVE; do
  [ -n "${!name:-}" ] || continue
  [ -z "${GITHUB_ENV:-}" ] || printf '%s=%s\n' "$name" "${!name}" >>"$GITHUB_ENV"
done
[ -n "${AZCRED_SESSION:-}" ] || die "azcred login printed no session"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  printf 'session=%s\ncontext=%s\n' "$AZCRED_SESSION" "${AZCRED_CONTEXT:-}" >>"$GITHUB_OUTPUT"
fi
echo "azcred-action: signed in; AZCRED_SESSION=$AZCRED_SESSION" >&2
