#!/usr/bin/env bash
# Debian packages the test suite needs: Chromium for the browser tests, and a Korean
# font (Nanum) so screenshots of the Korean form are legible.
# Playwright never downloads a browser here; it drives /usr/bin/chromium.
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi nanum; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "chromium is missing: run 'sudo apt-get install -y chromium' once" >&2
    exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-nanum >/dev/null
