#!/usr/bin/env bash
# Browser tests (vitest browser mode, Playwright) use Debian's Chromium, never a downloaded one
# (no network for browser downloads here). Installs it with apt-get when it is missing.
set -euo pipefail
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$chromium" ] && exit 0
echo "Chromium not found at $chromium; installing Debian's chromium package..." >&2
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
  echo "Need root (or sudo) to run: apt-get install chromium" >&2; exit 1
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
"$chromium" --version
