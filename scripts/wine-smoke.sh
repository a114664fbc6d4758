#!/usr/bin/env bash
# Manual check, not run by CI: the windows/amd64 binary under Wine —
# version, context list, the .exe helper names, and a Credential Manager
# (wincred) round trip across processes. Needs Debian's wine64 and
# binutils-mingw-w64-x86-64 (apt-get install wine64 binutils-mingw-w64-x86-64).
#
# Wine 8 (Debian 12) lacks bcryptprimitives.dll!ProcessPrng, which the Go
# runtime needs since Go 1.24; a five-instruction shim forwarding it to
# advapi32!SystemFunction036 (RtlGenRandom) is assembled into the throwaway
# Wine prefix. Real Windows has the DLL.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"; trap '"$wineserver" -k 2>/dev/null || true; rm -rf "$work"' EXIT
export WINEPREFIX="$work/prefix" WINEDEBUG=-all
wine=/usr/lib/wine/wine64; [ -x "$wine" ] || wine="$(command -v wine64 || command -v wine)"
wineserver="$(dirname "$wine")/wineserver"; [ -x "$wineserver" ] || wineserver=wineserver

GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$work/azcred.exe" .
cp "$work/azcred.exe" "$work/git-credential-azcred.exe"
cp "$work/azcred.exe" "$work/docker-credential-azcred.exe"

"$wine" wineboot -i >/dev/null 2>&1 || true
printf 'LIBRARY advapi32.dll\nEXPORTS\nSystemFunction036\n' >"$work/advapi32.def"
printf 'LIBRARY bcryptprimitives.dll\nEXPORTS\nProcessPrng\n' >"$work/bcp.def"
cat >"$work/prng.s" <<'ASM'
	.intel_syntax noprefix
	.text
	.globl ProcessPrng
ProcessPrng:
	sub rsp, 40
	call [rip + __imp_SystemFunction036]
	movzx eax, al
	add rsp, 40
	ret
	.globl DllMain
DllMain:
	mov eax, 1
	ret
ASM
x86_64-w64-mingw32-dlltool -d "$work/advapi32.def" -l "$work/libadvapi32.a"
x86_64-w64-mingw32-as "$work/prng.s" -o "$work/prng.o"
x86_64-w64-mingw32-ld --shared -e DllMain -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
  "$work/prng.o" "$work/bcp.def" "$work/libadvapi32.a"

cd "$work"
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
check "version" '"$wine" azcred.exe version | grep -q "windows/amd64"'
check "context list" '"$wine" azcred.exe context list >/dev/null 2>&1'
check "git-credential-azcred.exe: a host that is not ours gets nothing" \
  '[ -z "$(printf "protocol=https\nhost=example.com\n\n" | "$wine" git-credential-azcred.exe get)" ]'
check "docker-credential-azcred.exe store, then get in another process" \
  'echo "{\"ServerURL\":\"registry.example.com\",\"Username\":\"fake-user\",\"Secret\":\"fake-secret-value\"}" | "$wine" docker-credential-azcred.exe store &&
   echo registry.example.com | "$wine" docker-credential-azcred.exe get | grep -q fake-secret-value'
check "doctor names the wincred backend" '{ "$wine" azcred.exe doctor 2>/dev/null || true; } | grep -q "key     wincred backend"'
"$wineserver" -w 2>/dev/null || true # flush the registry to user.reg
check "the vault key is in Credential Manager" 'grep -q "Credential Manager.*azcred:azcred:vault-" "$WINEPREFIX/user.reg"'
check "no vault.key file" '! ls "$WINEPREFIX"/drive_c/users/*/AppData/Roaming/azcred/vault.key >/dev/null 2>&1'
exit $fail
