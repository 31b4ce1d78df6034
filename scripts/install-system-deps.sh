#!/usr/bin/env bash
# Debian packages the test suite needs: Chromium for the browser tests, and a Korean
# font (Nanum) so screenshots of the Korean form are legible.
# Playwright never downloads a browser here; it drives /usr/bin/chromium.
# Each one is checked on its own, so the message names exactly what is missing.
set -euo pipefail
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
missing=()
if [ ! -x "$CHROMIUM" ]; then
    missing+=(chromium)
fi
if ! fc-list 2>/dev/null | grep -qi nanum; then
    missing+=(fonts-nanum)
fi
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
describe() {
    case "$1" in
        chromium) echo "Chromium ($CHROMIUM, Debian package chromium)" ;;
        fonts-nanum) echo "the Nanum Korean font (Debian package fonts-nanum)" ;;
    esac
}
for package in "${missing[@]}"; do
    echo "missing: $(describe "$package")" >&2
done
if [ "$(id -u)" -ne 0 ]; then
    echo "run 'sudo apt-get install -y ${missing[*]}' once" >&2
    exit 1
fi
echo "installing: ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
