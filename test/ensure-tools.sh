#!/usr/bin/env bash
# Runs before `npm test`: the suite needs Debian's chromium and firefox-esr (player page in real
# browsers) and redis-server (replica tests). When one is missing it installs it where it may (root,
# or passwordless sudo, with apt-get), or stops at once with the exact command. Nothing is skipped.
set -euo pipefail

missing=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
[ -x "${FIREFOX_PATH:-/usr/bin/firefox-esr}" ] || missing+=(firefox-esr)
command -v "${REDIS_SERVER:-redis-server}" >/dev/null 2>&1 || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get update && apt-get install -y ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else sudo="none"; fi
fi
if [ "$sudo" = "none" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "npm test needs: ${missing[*]}. Install them, then run npm test again:" >&2
  echo "  sudo sh -c '$cmd'" >&2
  exit 1
fi
echo "npm test: installing ${missing[*]} (Debian packages) ..." >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}" >/dev/null
