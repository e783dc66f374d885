#!/usr/bin/env bash
# Make sure Debian's tools the tests drive are there (no downloads beyond Debian's packages):
# chromium for the browser tests (Playwright drives it) and poppler-utils (pdftoppm, pdftotext) to
# check the PDF outputs page by page.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/pdftoppm ] || missing+=(poppler-utils)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ]; then
  echo "Installing Debian's ${missing[*]} for the tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
if [ "${CI:-}" = "true" ]; then
  echo "ERROR: ${missing[*]} missing and this user cannot install it (not root)." >&2
  exit 1
fi
echo "NOTE: ${missing[*]} missing; the tests that need it will be skipped (run as root or install it)." >&2
