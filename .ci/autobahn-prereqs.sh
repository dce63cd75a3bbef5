#!/usr/bin/env bash
# What ../shared/conformance/autobahn-setup.sh needs but does not install itself on a fresh
# Debian 12 machine (seen failing there): setuptools importable by python2.7 (its pip bootstrap
# builds `scandir` from source) and the python2.7 headers (autobahntestsuite builds `wsaccel`).
# Both come from Debian 11, pinned low exactly as the setup script pins it. Idempotent.
set -euo pipefail
root=${AUTOBAHN_HOME:-$HOME/.cache/autobahn}
if [ -x "$root/venv/bin/wstest" ]; then exit 0; fi
if [ ! -f /etc/apt/sources.list.d/bullseye.sources ]; then
  cat > /etc/apt/sources.list.d/bullseye.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bullseye
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  printf 'Package: *\nPin: release n=bullseye\nPin-Priority: 100\n' > /etc/apt/preferences.d/bullseye-low
fi
if ! dpkg -s python2.7-dev >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bullseye python2.7 python2.7-dev >/dev/null
fi
if ! /usr/bin/python2.7 -c 'import setuptools' 2>/dev/null; then
  wheels=$root/wheels
  mkdir -p "$wheels"
  python3 -m pip download -q --no-deps -d "$wheels" pip==20.3.4 setuptools==44.1.1
  /usr/bin/python2.7 "$wheels"/pip-20.3.4-py2.py3-none-any.whl/pip install -q \
    --disable-pip-version-check "$wheels"/setuptools-44.1.1-py2.py3-none-any.whl 2>&1 |
    grep -v DEPRECATION >&2 || true
fi
