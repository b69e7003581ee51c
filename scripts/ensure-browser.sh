#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the web UI's browser tests (Playwright
# drives /usr/bin/chromium; it never downloads a browser of its own).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
echo "installing chromium (Debian package) for the browser tests"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
