/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "driver.h"
#include "ids.h"

G_BEGIN_DECLS

/* facts about the host, read from /proc and /sys: small virtual files, so these are
 * called on the main loop */

/* the host cpu as the capabilities document describes it */
typedef struct {
    char *arch;       /* uname's machine: "x86_64" */
    char *vendor;     /* "Intel", "AMD", ... or NULL */
    char *model_name; /* /proc/cpuinfo's "model name", or NULL */
    guint mhz;        /* 0 when unknown */
    guint online;     /* online cpus */
    guint nodes;      /* NUMA nodes, 1 without NUMA */
    guint sockets;    /* per NUMA node */
    guint dies;       /* per socket */
    guint cores;      /* per die */
    guint threads;    /* per core */
} VbQemuHostCpu;

void vb_qemu_host_cpu_clear(VbQemuHostCpu *cpu);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VbQemuHostCpu, vb_qemu_host_cpu_clear)
/* fills @cpu; when sysfs describes a topology that does not multiply up to the online
 * cpus, reports 1 node, 1 socket, 1 die, online cores and 1 thread as libvirt does */
gboolean vb_qemu_host_cpu(VbQemuHostCpu *cpu, GError **error);

/* virNodeGetInfo: model is the arch, memory from MemTotal; @info->model is owned */
gboolean vb_qemu_host_node_info(VbNodeInfo *info, GError **error);
/* virNodeGetCPUMap: a gboolean per present cpu, TRUE when online */
GArray *vb_qemu_host_cpu_map(GError **error);

/* named counters, as virNodeGetCPUStats and virNodeGetMemoryStats list them */
typedef struct {
    guint n;
    struct {
        const char *name; /* static */
        guint64 value;
    } fields[4];
} VbQemuHostStats;

/* virNodeGetCPUStats: kernel, user, idle, iowait in ns, for one cpu or all (-1) */
gboolean vb_qemu_host_cpu_stats(int cpu, VbQemuHostStats *stats, GError **error);
/* virNodeGetMemoryStats: total, free, buffers, cached in KiB for the host (-1), or
 * total, free of one NUMA cell */
gboolean vb_qemu_host_memory_stats(int cell, VbQemuHostStats *stats, GError **error);
/* virNodeGetFreeMemory: bytes */
guint64 vb_qemu_host_free_memory(GError **error);
/* the host's UUID: DMI product_uuid when readable, else /etc/machine-id */
gboolean vb_qemu_host_uuid(guint8 uuid[VB_UUID_LEN]);

/* for tests: read /proc, /sys and /etc below @root (NULL: the real ones) */
void vb_qemu_host_set_root(const char *root);

G_END_DECLS
