#!/usr/bin/env bash
# Make sure Debian's nginx is there for the deployment test (tests/browser/test_deploy_proxy.py starts
# its own nginx on 127.0.0.1 with deploy/nginx/; the system service is never started or enabled).
set -euo pipefail
if [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ]; then
  echo "Installing Debian's nginx for the deployment test..."
  apt-get update -qq
  # policy-rc.d-less containers may try to start the service: keep it from starting (101 = not allowed)
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
  exit 0
fi
if [ "${CI:-}" = "true" ]; then
  echo "ERROR: nginx is missing and this user cannot install it (not root)." >&2
  exit 1
fi
echo "NOTE: nginx is missing; the deployment test will be skipped (run as root or install 'nginx')." >&2
