#!/usr/bin/env bash
# The package as users get it: npm pack, a global install of the tarball into a temporary prefix, then
# the installed command. Run by .ci/run; needs the npm registry for the runtime dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d "${TMPDIR:-/tmp}/delegaudit-pack-XXXXXX")"
trap 'rm -rf "$work"' EXIT
tarball="$(npm pack --silent --pack-destination "$work")"
listing="$(tar -tzf "$work/$tarball")"
for wanted in package/LICENSE package/README.md package/docs/report.png package/dist/delegaudit.mjs package/dist/src/index.js; do
  grep -qx "$wanted" <<<"$listing" || { echo "pack-check: $wanted is missing from $tarball" >&2; exit 1; }
done
# The on-demand chunks of the command (zod's schemas) ship with it.
for chunk in dist/chunks/*.mjs; do
  grep -qx "package/$chunk" <<<"$listing" || { echo "pack-check: $chunk is missing from $tarball" >&2; exit 1; }
done
if grep -q '\.map$' <<<"$listing"; then echo "pack-check: $tarball ships source maps without their sources" >&2; exit 1; fi
npm install --global --silent --no-audit --no-fund --prefix "$work/prefix" "$work/$tarball"
version="$("$work/prefix/bin/delegaudit" --version)"
[ "$version" = "$(node -p "require('./package.json').version")" ] || { echo "pack-check: delegaudit --version says $version" >&2; exit 1; }
"$work/prefix/bin/delegaudit" explain --list | grep -q '0x8009030E' || { echo "pack-check: explain --list does not list 0x8009030E" >&2; exit 1; }
# A config file loads its chunk and zod: a mistyped key is refused with the nearest one (exit 2).
printf '{"grups": []}\n' >"$work/config.json"
code=0
said="$("$work/prefix/bin/delegaudit" audit --config "$work/config.json" 2>&1)" || code=$?
[ "$code" = 2 ] && grep -q 'did you mean groups' <<<"$said" || { echo "pack-check: --config with a mistyped key gave exit $code: $said" >&2; exit 1; }
echo "pack-check: $tarball installs globally; delegaudit $version runs explain --list and validates a config file"
