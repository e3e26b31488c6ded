#!/usr/bin/env bash
# A machine with only Node and npm, simulated: PATH keeps the system's commands but none of the optional
# tools (Chromium, ldap-utils, openssl, Samba, Kerberos, tcpdump). `npm run demo` and `npm test` must pass,
# and the tests that need a missing tool must say which one. Run by .ci/run before the Samba lab starts
# (with a lab running, its tests would run, and they need samba-tool).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -e .ad-lab/connection.json ]; then echo "fresh-machine-check: a Samba lab is running here; stop it first (npm run lab:stop)" >&2; exit 2; fi
bin="$(mktemp -d "${TMPDIR:-/tmp}/delegaudit-fresh-XXXXXX")"
trap 'rm -rf "$bin"' EXIT
optional='^(chromium.*|ldap[a-z]*|openssl|samba.*|smbd|nmbd|winbindd|kinit|klist|kdestroy|kvno|tcpdump)$'
for dir in /usr/local/bin /usr/bin /bin; do
  [ -d "$dir" ] || continue
  for tool in "$dir"/*; do
    name="$(basename "$tool")"
    [[ "$name" =~ $optional ]] && continue
    [ -e "$bin/$name" ] || ln -s "$tool" "$bin/$name"
  done
done
ln -sf "$(command -v node)" "$bin/node"
for tool in chromium ldapmodify openssl kinit; do
  if PATH="$bin" command -v "$tool" >/dev/null; then echo "fresh-machine-check: $tool is still on the restricted PATH" >&2; exit 1; fi
done
log="$bin/test.log"
echo "== npm run demo, with PATH lacking the optional tools"
env -u DELEGAUDIT_AD_LAB PATH="$bin" npm run --silent demo >/dev/null
echo "== npm test, with PATH lacking the optional tools"
env -u DELEGAUDIT_AD_LAB PATH="$bin" npm test >"$log" 2>&1 || { tail -60 "$log"; exit 1; }
grep -E 'passing|pending|failing' "$log"
for reason in 'chromium is missing' 'ldapmodify is missing' 'no Samba AD DC lab'; do
  grep -q "$reason" "$log" || { echo "fresh-machine-check: no skip says \"$reason\"" >&2; exit 1; }
done
echo "fresh-machine-check: demo and tests pass without the optional tools; the skips name them"
