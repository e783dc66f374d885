#!/usr/bin/env bash
# Make sure Debian's Chromium is there for the browser tests (Playwright drives it; no downloads).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ]; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
if [ "${CI:-}" = "true" ]; then
  echo "ERROR: /usr/bin/chromium is missing and this user cannot install it (not root)." >&2
  exit 1
fi
echo "NOTE: /usr/bin/chromium is missing; browser tests will be skipped (run as root or install 'chromium')." >&2
