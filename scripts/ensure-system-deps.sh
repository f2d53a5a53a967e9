#!/usr/bin/env bash
# System packages the tests need, from Debian (nothing is downloaded outside the package
# registries): chromium for browser tests (vitest browser mode, Playwright; it also ships the
# SwiftShader Vulkan driver used where there is no GPU) and libvulkan1, the Vulkan loader that
# Dawn in Node (the `webgpu` package: CLI, Node GPU tests, benchmarks) opens.
set -euo pipefail
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
missing=()
[ -x "$chromium" ] || missing+=(chromium)
ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1 ' || missing+=(libvulkan1)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
  echo "Need root (or sudo) to run: apt-get install ${missing[*]}" >&2; exit 1
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
