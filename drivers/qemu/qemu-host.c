/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-qemu"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "domain-conf.h"
#include "qemu-host.h"

static char *vb_qemu_host_root;

/* for tests only: does not block */
void
vb_qemu_host_set_root(const char *root)
{
    g_free(vb_qemu_host_root);
    vb_qemu_host_root = g_strdup(root);
}

static char *
vb_qemu_host_path(const char *path)
{
    return g_strconcat(vb_qemu_host_root != NULL ? vb_qemu_host_root : "", path, NULL);
}

static char *
vb_qemu_host_read(const char *path, GError **error)
{
    g_autofree char *full = vb_qemu_host_path(path);
    g_autoptr(GError) local = NULL;
    char *text = NULL;

    if (!g_file_get_contents(full, &text, NULL, &local)) {
        vb_error_set(error, VB_ERROR_SYSTEM, "cannot read %s: %s", path, local->message);
        return NULL;
    }
    return text;
}

/* a sysfs cpu list ("0-3,6") or NULL */
static VbCpuSet *
vb_qemu_host_read_cpuset(const char *path)
{
    g_autofree char *text = vb_qemu_host_read(path, NULL);

    return text != NULL ? vb_cpuset_parse(g_strstrip(text)) : NULL;
}

/* an unsigned number from a one-line sysfs file, or @fallback */
static guint64
vb_qemu_host_read_number(const char *path, guint64 fallback)
{
    g_autofree char *text = vb_qemu_host_read(path, NULL);
    guint64 value;

    if (text == NULL ||
        !g_ascii_string_to_unsigned(g_strstrip(text), 10, 0, G_MAXUINT64, &value, NULL))
        return fallback;
    return value;
}

/* the value of "Key: 123 kB" lines in /proc/meminfo or a node's meminfo ("Node 0
 * Key: 123 kB") */
static gboolean
vb_qemu_host_meminfo_value(const char *text, const char *key, guint64 *value)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    gsize klen = strlen(key);

    for (guint i = 0; lines[i] != NULL; i++) {
        const char *line = lines[i];
        const char *p;

        if (g_str_has_prefix(line, "Node ")) {
            line = strchr(line + 5, ' ');
            if (line == NULL)
                continue;
            line++;
        }
        if (strncmp(line, key, klen) != 0 || line[klen] != ':')
            continue;
        p = line + klen + 1;
        while (*p == ' ')
            p++;
        *value = g_ascii_strtoull(p, NULL, 10);
        return TRUE;
    }
    return FALSE;
}

static guint
vb_qemu_host_nodes(void)
{
    g_autoptr(VbCpuSet) online = vb_qemu_host_read_cpuset("/sys/devices/system/node/online");
    guint n = online != NULL ? vb_cpuset_count(online) : 0;

    return n > 0 ? n : 1;
}

static char *
vb_qemu_host_cpuinfo_value(const char *cpuinfo, const char *key)
{
    g_auto(GStrv) lines = g_strsplit(cpuinfo, "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++) {
        const char *colon = strchr(lines[i], ':');
        g_autofree char *name = NULL;

        if (colon == NULL)
            continue;
        name = g_strstrip(g_strndup(lines[i], colon - lines[i]));
        if (strcmp(name, key) == 0)
            return g_strstrip(g_strdup(colon + 1));
    }
    return NULL;
}

/* frees the strings of a VbQemuHostCpu: does not block */
void
vb_qemu_host_cpu_clear(VbQemuHostCpu *cpu)
{
    g_clear_pointer(&cpu->arch, g_free);
    g_clear_pointer(&cpu->vendor, g_free);
    g_clear_pointer(&cpu->model_name, g_free);
}

/* counts packages, dies and cores among the online cpus from their topology files */
static void
vb_qemu_host_topology(const VbCpuSet *online, VbQemuHostCpu *cpu)
{
    g_autoptr(GHashTable) packages = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) dies = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) cores = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    guint np, nd, nc;

    for (int n = vb_cpuset_next(online, -1); n >= 0; n = vb_cpuset_next(online, n)) {
        g_autofree char *dir = g_strdup_printf("/sys/devices/system/cpu/cpu%d/topology", n);
        g_autofree char *pkg_path = g_strconcat(dir, "/physical_package_id", NULL);
        g_autofree char *die_path = g_strconcat(dir, "/die_id", NULL);
        g_autofree char *core_path = g_strconcat(dir, "/core_id", NULL);
        guint64 pkg = vb_qemu_host_read_number(pkg_path, 0);
        guint64 die = vb_qemu_host_read_number(die_path, 0);
        guint64 core = vb_qemu_host_read_number(core_path, n);

        g_hash_table_add(packages, g_strdup_printf("%" G_GUINT64_FORMAT, pkg));
        g_hash_table_add(dies,
                         g_strdup_printf("%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, pkg, die));
        g_hash_table_add(cores, g_strdup_printf("%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
                                                "/%" G_GUINT64_FORMAT,
                                                pkg, die, core));
    }
    np = g_hash_table_size(packages);
    nd = g_hash_table_size(dies);
    nc = g_hash_table_size(cores);
    cpu->nodes = vb_qemu_host_nodes();
    if (np > 0 && nd % np == 0 && nc % nd == 0 && cpu->online % nc == 0 && np % cpu->nodes == 0) {
        cpu->sockets = np / cpu->nodes;
        cpu->dies = nd / np;
        cpu->cores = nc / nd;
        cpu->threads = cpu->online / nc;
        return;
    }
    cpu->nodes = 1;
    cpu->sockets = 1;
    cpu->dies = 1;
    cpu->cores = cpu->online;
    cpu->threads = 1;
}

/* the capabilities document's <host><cpu>: reads /proc/cpuinfo and sysfs */
gboolean
vb_qemu_host_cpu(VbQemuHostCpu *cpu, GError **error)
{
    g_autoptr(VbCpuSet) online = vb_qemu_host_read_cpuset("/sys/devices/system/cpu/online");
    g_autofree char *cpuinfo = vb_qemu_host_read("/proc/cpuinfo", NULL);
    g_autofree char *vendor = NULL;
    g_autofree char *mhz = NULL;
    struct utsname uts;

    memset(cpu, 0, sizeof(*cpu));
    if (online == NULL) {
        vb_error_set(error, VB_ERROR_SYSTEM, "cannot read the online cpus of the host");
        return FALSE;
    }
    cpu->arch = g_strdup(uname(&uts) == 0 ? uts.machine : "unknown");
    cpu->online = vb_cpuset_count(online);
    if (cpuinfo != NULL) {
        vendor = vb_qemu_host_cpuinfo_value(cpuinfo, "vendor_id");
        cpu->model_name = vb_qemu_host_cpuinfo_value(cpuinfo, "model name");
        mhz = vb_qemu_host_cpuinfo_value(cpuinfo, "cpu MHz");
    }
    if (g_strcmp0(vendor, "GenuineIntel") == 0)
        cpu->vendor = g_strdup("Intel");
    else if (g_strcmp0(vendor, "AuthenticAMD") == 0)
        cpu->vendor = g_strdup("AMD");
    else if (g_strcmp0(vendor, "HygonGenuine") == 0)
        cpu->vendor = g_strdup("Hygon");
    else
        cpu->vendor = g_steal_pointer(&vendor);
    if (mhz != NULL)
        cpu->mhz = (guint)(g_ascii_strtod(mhz, NULL) + 0.5);
    else
        cpu->mhz =
            vb_qemu_host_read_number("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", 0) /
            1000;
    vb_qemu_host_topology(online, cpu);
    return TRUE;
}

/* virNodeGetInfo: reads /proc and sysfs on the calling thread */
gboolean
vb_qemu_host_node_info(VbNodeInfo *info, GError **error)
{
    g_auto(VbQemuHostCpu) cpu = {0};
    g_autofree char *meminfo = vb_qemu_host_read("/proc/meminfo", error);
    guint64 total = 0;

    memset(info, 0, sizeof(*info));
    if (meminfo == NULL || !vb_qemu_host_cpu(&cpu, error))
        return FALSE;
    if (!vb_qemu_host_meminfo_value(meminfo, "MemTotal", &total)) {
        vb_error_set(error, VB_ERROR_SYSTEM, "no MemTotal in /proc/meminfo");
        return FALSE;
    }
    info->model = g_steal_pointer(&cpu.arch);
    info->memory_kib = total;
    info->cpus = cpu.online;
    info->mhz = cpu.mhz;
    info->nodes = cpu.nodes;
    info->sockets = cpu.sockets;
    info->cores = cpu.cores * cpu.dies;
    info->threads = cpu.threads;
    return TRUE;
}

/* virNodeGetCPUMap: reads sysfs on the calling thread */
GArray *
vb_qemu_host_cpu_map(GError **error)
{
    g_autoptr(VbCpuSet) present = vb_qemu_host_read_cpuset("/sys/devices/system/cpu/present");
    g_autoptr(VbCpuSet) online = vb_qemu_host_read_cpuset("/sys/devices/system/cpu/online");
    GArray *map;
    int last = -1;

    if (present == NULL || online == NULL) {
        vb_error_set(error, VB_ERROR_SYSTEM, "cannot read the cpus of the host");
        return NULL;
    }
    for (int n = vb_cpuset_next(present, -1); n >= 0; n = vb_cpuset_next(present, n))
        last = n;
    map = g_array_sized_new(FALSE, TRUE, sizeof(gboolean), last + 1);
    for (int n = 0; n <= last; n++) {
        gboolean on = vb_cpuset_is_set(online, n);

        g_array_append_val(map, on);
    }
    return map;
}

/* virNodeGetCPUStats: reads /proc/stat on the calling thread */
gboolean
vb_qemu_host_cpu_stats(int cpu, VbQemuHostStats *stats, GError **error)
{
    g_autofree char *text = vb_qemu_host_read("/proc/stat", error);
    g_autofree char *want = cpu < 0 ? g_strdup("cpu") : g_strdup_printf("cpu%d", cpu);
    g_auto(GStrv) lines = NULL;
    guint64 ns_per_tick = 1000000000ULL / (guint64)MAX(sysconf(_SC_CLK_TCK), 1);

    memset(stats, 0, sizeof(*stats));
    if (text == NULL)
        return FALSE;
    lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++) {
        g_auto(GStrv) f = g_strsplit_set(lines[i], " ", -1);
        guint64 v[8] = {0};
        guint nv = 0;

        if (f[0] == NULL || strcmp(f[0], want) != 0)
            continue;
        /* user nice system idle iowait irq softirq steal */
        for (guint j = 1; f[j] != NULL && nv < G_N_ELEMENTS(v); j++) {
            if (*f[j] != '\0')
                v[nv++] = g_ascii_strtoull(f[j], NULL, 10);
        }
        stats->n = 4;
        stats->fields[0].name = "kernel";
        stats->fields[0].value = (v[2] + v[5] + v[6]) * ns_per_tick;
        stats->fields[1].name = "user";
        stats->fields[1].value = (v[0] + v[1]) * ns_per_tick;
        stats->fields[2].name = "idle";
        stats->fields[2].value = v[3] * ns_per_tick;
        stats->fields[3].name = "iowait";
        stats->fields[3].value = v[4] * ns_per_tick;
        return TRUE;
    }
    vb_error_set(error, VB_ERROR_INVALID_ARG, "Invalid cpuNum in virNodeGetCPUStats");
    return FALSE;
}

/* virNodeGetMemoryStats: reads /proc/meminfo or a node's meminfo on the calling thread */
gboolean
vb_qemu_host_memory_stats(int cell, VbQemuHostStats *stats, GError **error)
{
    static const char *const keys[] = {"MemTotal", "MemFree", "Buffers", "Cached"};
    static const char *const names[] = {"total", "free", "buffers", "cached"};
    g_autofree char *text = NULL;
    guint nkeys = cell < 0 ? 4 : 2;

    memset(stats, 0, sizeof(*stats));
    if (cell < 0) {
        text = vb_qemu_host_read("/proc/meminfo", error);
    } else {
        guint nodes = vb_qemu_host_nodes();
        g_autofree char *path = NULL;

        if ((guint)cell >= nodes) {
            vb_error_set(error, VB_ERROR_INVALID_ARG,
                         "cellNum in virNodeGetMemoryStats must be less than %u", nodes);
            return FALSE;
        }
        path = g_strdup_printf("/sys/devices/system/node/node%d/meminfo", cell);
        text = vb_qemu_host_read(path, NULL);
        /* a kernel without NUMA has no node files: the host is the only cell */
        if (text == NULL && cell == 0)
            text = vb_qemu_host_read("/proc/meminfo", error);
    }
    if (text == NULL)
        return FALSE;
    for (guint i = 0; i < nkeys; i++) {
        guint64 value = 0;

        if (!vb_qemu_host_meminfo_value(text, keys[i], &value)) {
            vb_error_set(error, VB_ERROR_SYSTEM, "no %s in the host's meminfo", keys[i]);
            return FALSE;
        }
        stats->fields[i].name = names[i];
        stats->fields[i].value = value;
    }
    stats->n = nkeys;
    return TRUE;
}

/* virNodeGetFreeMemory: reads /proc/meminfo on the calling thread */
guint64
vb_qemu_host_free_memory(GError **error)
{
    g_autofree char *text = vb_qemu_host_read("/proc/meminfo", error);
    guint64 kib = 0;

    if (text == NULL)
        return 0;
    if (!vb_qemu_host_meminfo_value(text, "MemFree", &kib)) {
        vb_error_set(error, VB_ERROR_SYSTEM, "no MemFree in /proc/meminfo");
        return 0;
    }
    return kib * 1024;
}

/* virGetHostUUID: reads DMI or machine-id on the calling thread */
gboolean
vb_qemu_host_uuid(guint8 uuid[VB_UUID_LEN])
{
    static const char *const sources[] = {"/sys/class/dmi/id/product_uuid", "/etc/machine-id"};

    for (guint i = 0; i < G_N_ELEMENTS(sources); i++) {
        g_autofree char *text = vb_qemu_host_read(sources[i], NULL);

        if (text != NULL && vb_uuid_parse(g_strstrip(text), uuid) && !vb_uuid_is_null(uuid))
            return TRUE;
    }
    return FALSE;
}
