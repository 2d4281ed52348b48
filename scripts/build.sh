#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# configure (once) and build virtbus into DIR with extra meson options.
# usage: scripts/build.sh DIR [meson options...]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$1
shift
if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$top" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; exit 1; }
fi
ninja -C "$dir" >"$dir.ninja.log" 2>&1 || { cat "$dir.ninja.log"; exit 1; }
