#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# install every Debian package virtbus needs to build, run and test.
# the quick start and the test command both call this; nothing else may be assumed.
set -eu

PACKAGES="
  meson ninja-build gcc clang pkg-config libclang-rt-14-dev
  libglib2.0-dev libglib2.0-bin libxml2-dev libxml2-utils
  libpolkit-gobject-1-dev polkitd libjson-glib-dev
  dbus dbus-bin systemd util-linux
  python3 python3-dbus python3-gi python3-pytest
  qemu-system-x86 qemu-utils
"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done

if [ -n "$missing" ]; then
    echo "virtbus: installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
