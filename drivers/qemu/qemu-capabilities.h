/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "capabilities-conf.h"

G_BEGIN_DECLS

/* what one QEMU binary offers, probed once over QMP (-machine none) and cached per
 * process by (path, mtime, ctime, size). a VbQemuCaps is immutable and atomically
 * refcounted: share it freely between threads. */

typedef struct {
    char *name;
    char *alias; /* "pc", "q35", ... or NULL */
    gboolean is_default;
    guint max_cpus;
    gboolean deprecated;
} VbQemuMachine;

typedef struct {
    char *binary;    /* absolute path */
    gint64 mtime_ns; /* of the binary when probed */
    gint64 ctime_ns;
    gint64 size;
    guint version;        /* major * 1000000 + minor * 1000 + micro */
    char *package;        /* "Debian 1:7.2+dfsg-7", or NULL */
    char *arch;           /* libvirt's name: "x86_64", "i686", "aarch64", ... */
    guint wordsize;       /* 32 or 64 */
    GPtrArray *machines;  /* VbQemuMachine*, in QEMU's order */
    gboolean kvm;         /* KVM usable: it was enabled when probing */
    gboolean kvm_present; /* QEMU is built with KVM */
    gboolean tcg;         /* always TRUE */
    gboolean sandbox;     /* -sandbox is accepted */
    GStrv cpu_models;     /* query-cpu-definitions names, sorted */
} VbQemuCaps;

VbQemuCaps *vb_qemu_caps_ref(VbQemuCaps *caps);
void vb_qemu_caps_unref(VbQemuCaps *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbQemuCaps, vb_qemu_caps_unref)

/* by name or alias, or NULL */
const VbQemuMachine *vb_qemu_caps_find_machine(const VbQemuCaps *caps, const char *name);
/* the is-default machine, or NULL */
const VbQemuMachine *vb_qemu_caps_default_machine(const VbQemuCaps *caps);
gboolean vb_qemu_caps_has_cpu_model(const VbQemuCaps *caps, const char *model);

/* the capabilities of @binary (a path, or a name looked up in PATH): from the cache
 * when the binary did not change, else probed by running it; concurrent requests from
 * one main context share a probe. does not block (a stat and a fork/exec aside) */
void vb_qemu_caps_get_async(const char *binary, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data);
/* a new reference, or NULL with VB_ERROR_SYSTEM (no such binary) or
 * VB_ERROR_INTERNAL "Failed to probe capabilities for BINARY: ..." */
VbQemuCaps *vb_qemu_caps_get_finish(GAsyncResult *result, GError **error);
/* the same, blocking on a private main context (for start-up and tests) */
VbQemuCaps *vb_qemu_caps_get(const char *binary, GError **error);
/* forgets every cached probe */
void vb_qemu_caps_cache_clear(void);

/* the QEMU system emulators in PATH (qemu-system-x86_64, qemu-system-i386, ...), as
 * absolute paths; blocks only on PATH lookups */
GPtrArray *vb_qemu_find_binaries(void);
/* the emulator for libvirt arch @arch ("i686" prefers qemu-system-i386, then
 * qemu-system-x86_64), or NULL */
char *vb_qemu_find_binary_for_arch(const char *arch);
/* libvirt's name for a QEMU target ("i386" -> "i686") and its word size; NULL when
 * unknown */
const char *vb_qemu_arch_from_target(const char *target, guint *wordsize);

/* probes every binary vb_qemu_find_binaries() finds; binaries that fail to probe are
 * left out. the result is a GPtrArray of VbQemuCaps* (freeing unrefs them) */
void vb_qemu_caps_probe_all_async(GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
GPtrArray *vb_qemu_caps_probe_all_finish(GAsyncResult *result, GError **error);

/* virConnectGetCapabilities' document: the host (arch, vendor and topology from
 * /proc/cpuinfo and sysfs, UUID, secmodel none) and one hvm guest per probed binary
 * with its machines and domain types qemu (TCG) and, when usable for that arch, kvm.
 * reads /proc and sysfs only */
VbCaps *vb_qemu_caps_build(const GPtrArray *all, GError **error);

G_END_DECLS
