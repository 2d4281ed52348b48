#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# build-guest.sh [DIR]: a tiny bootable x86_64 guest for the QEMU tests.
#
# DIR (default ${XDG_CACHE_HOME:-~/.cache}/virtbus-test-guest) receives
#   vmlinuz    the kernel of Debian's linux-image-cloud-amd64
#   initrd.gz  an initramfs with busybox-static, the virtio/ACPI modules and /init
#   stamp      what they were built from (package versions + this script's checksum)
# and the two paths are printed, one a line ("kernel PATH", "initrd PATH").
#
# Nothing gets installed: the two packages are fetched with `apt-get download` and
# unpacked with dpkg-deb into a scratch folder. When DIR already holds a guest whose
# stamp matches the packages apt would fetch now, it is reused as is (no download);
# when apt cannot tell (no package lists) but a guest is there, that one is reused.
#
# The guest (boot it with console=ttyS0 on the first serial port):
#   - loads virtio_pci, virtio_blk, virtio_balloon, button and evdev;
#   - an ACPI power button press (QMP system_powerdown) powers it off at once
#     (poweroff -f: ACPI S5, which QEMU reports as a guest shutdown);
#   - prints "GUEST-READY" on the console once that is set up;
#   - then runs a shell on the console, restarted whenever it exits.
set -eu

say() { printf 'build-guest: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

out=${1:-${XDG_CACHE_HOME:-${HOME:?}/.cache}/virtbus-test-guest}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# the modules /init loads, in the order given; their dependencies come first
want="virtio_pci virtio_blk virtio_balloon button evdev"

# what apt would fetch now: the candidate versions of the kernel metapackage (it
# moves with every new kernel ABI) and of busybox-static, in one apt-cache call
versions=$(LC_ALL=C apt-cache policy linux-image-cloud-amd64 busybox-static 2>/dev/null |
           awk '/^[^ ].*:$/ {p = $1} /^  Candidate:/ && $2 != "(none)" {print p $2}' |
           sort | tr '\n' ' ') || true
self_sum=$(cksum < "$0" | cut -d' ' -f1)
stamp="${versions}modules=$(echo "$want" | tr ' ' ,) script=$self_sum"

have_guest() { [ -s "$out/vmlinuz" ] && [ -s "$out/initrd.gz" ] && [ -f "$out/stamp" ]; }
done_msg() { printf 'kernel %s\ninitrd %s\n' "$out/vmlinuz" "$out/initrd.gz"; }

case $versions in
    *busybox-static:*linux-image-cloud-amd64:*) known=1 ;;
    *) known= ;;
esac
if [ -z "$known" ]; then
    if have_guest; then
        say "apt cannot name the packages (no package lists?); reusing $out ($(cat "$out/stamp"))"
        done_msg
        exit 0
    fi
    die "cannot find linux-image-cloud-amd64 / busybox-static with apt-cache (run apt-get update)"
fi
if have_guest && [ "$(cat "$out/stamp")" = "$stamp" ]; then
    done_msg
    exit 0
fi

# one builder at a time per DIR (parallel test runs share the cache)
if command -v flock >/dev/null 2>&1 && [ -z "${VB_GUEST_LOCKED:-}" ]; then
    VB_GUEST_LOCKED=1 exec flock "$out/.lock" sh "$0" "$out"
fi
if have_guest && [ "$(cat "$out/stamp")" = "$stamp" ]; then
    done_msg    # another builder finished while we waited
    exit 0
fi

# scratch space beside the output, removed whatever happens
work=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP
cd "$work"

# the kernel package proper (linux-image-ABI-cloud-amd64) is what the metapackage needs
kpkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
       sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\).*/\1/p' | head -n 1) || true
[ -n "$kpkg" ] || die "linux-image-cloud-amd64 depends on no linux-image-VERSION package"
say "fetching $kpkg and busybox-static ($versions)"
apt-get download "$kpkg" busybox-static >download.log 2>&1 ||
    { cat download.log >&2; die "apt-get download failed"; }
kdeb=$(ls "$kpkg"_*.deb)
bdeb=$(ls busybox-static_*.deb)

dpkg-deb -x "$bdeb" bb
bb="$work/bb/bin/busybox"
[ -x "$bb" ] || die "no bin/busybox in $bdeb"

# one pass over the kernel package: everything lands in k/
dpkg-deb -x "$kdeb" k
set -- k/boot/vmlinuz-*
[ -f "$1" ] || die "no boot/vmlinuz-* in $kdeb"
vmlinuz=$1
kmods=$(echo k/lib/modules/*)
[ -d "$kmods" ] || die "no lib/modules/VERSION in $kdeb"

mkdir -p root/bin root/sbin root/dev root/proc root/sys root/tmp root/lib/modules
cp "$bb" root/bin/busybox

# "name path" for every module file ("-" and "_" are the same in module names)
find "$kmods" -name '*.ko*' | sed 's|^\(.*/\)\([^/]*\)\(\.ko[.a-z]*\)$|\2 \1\2\3|' |
    awk '{gsub("-", "_", $1); print}' > modules.idx
module_file() { awk -v n="$1" '$1 == n {print $2; exit}' modules.idx; }
order=
add_module() {
    case " $order " in *" $1 "*) return 0 ;; esac
    f=$(module_file "$1")
    [ -n "$f" ] || { grep -q "/$1.ko" "$kmods/modules.builtin" 2>/dev/null && return 0;
                     die "module $1 is neither in $kdeb nor built in"; }
    case $f in
        *.ko) cp "$f" "root/lib/modules/$1.ko" ;;
        *.ko.xz) xz -dc "$f" > "root/lib/modules/$1.ko" ;;
        *.ko.zst) zstd -qdc "$f" > "root/lib/modules/$1.ko" ;;
        *.ko.gz) gzip -dc "$f" > "root/lib/modules/$1.ko" ;;
        *) die "cannot unpack $f" ;;
    esac
    deps=$(grep -a -o 'depends=[A-Za-z0-9_,-]*' "root/lib/modules/$1.ko" | head -n 1 |
           cut -d= -f2 | tr , ' ')
    for d in $deps; do add_module "$(echo "$d" | tr - _)"; done
    order="$order $1"
}
for m in $want; do add_module "$m"; done

[ "$(id -u)" = 0 ] && mknod -m 600 root/dev/console c 5 1

cat > root/init <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
for m in$order; do insmod /lib/modules/\$m.ko 2>/dev/null; done
# the ACPI power button: one key event on its input device -> power off now.
# GUEST-READY waits until the device is open: a press before that would be lost
for dev in /sys/class/input/event*; do
    [ "\$(cat \$dev/device/name 2>/dev/null)" = "Power Button" ] || continue
    node=/dev/input/\${dev##*/}
    ( dd if=\$node of=/dev/null bs=24 count=1 2>/dev/null; poweroff -f ) &
    n=0
    while [ \$n -lt 500 ]; do
        for fd in /proc/[0-9]*/fd/*; do
            [ "\$(readlink \$fd 2>/dev/null)" = "\$node" ] && break 2
        done
        usleep 10000
        n=\$((n + 1))
    done
done
echo "GUEST-READY uptime=\$(cut -d' ' -f1 /proc/uptime)"
while :; do setsid cttyhack sh; done
EOF
chmod 755 root/init

(cd root && find . | "$bb" cpio -o -H newc 2>/dev/null) | gzip -6 > initrd.gz
cp "$vmlinuz" vmlinuz

# publish: old stamp away, files, then the stamp, each by rename
rm -f "$out/stamp"
mv vmlinuz "$out/vmlinuz.new" && mv "$out/vmlinuz.new" "$out/vmlinuz"
mv initrd.gz "$out/initrd.gz.new" && mv "$out/initrd.gz.new" "$out/initrd.gz"
printf '%s\n' "$stamp" > "$out/stamp.new" && mv "$out/stamp.new" "$out/stamp"
say "built $out (modules:$order)"
done_msg
