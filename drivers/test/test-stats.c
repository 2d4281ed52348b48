/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-test"

#include "test-driver.h"

/* synthetic runtime data. everything derives from the domain's cpu time, so counters
 * grow while it runs, stand still while it is paused, and every call agrees. */

/* libvirt's virDomainStatsTypes */
enum {
    VB_TEST_STATS_STATE = 1,
    VB_TEST_STATS_CPU_TOTAL = 2,
    VB_TEST_STATS_BALLOON = 4,
    VB_TEST_STATS_VCPU = 8,
    VB_TEST_STATS_INTERFACE = 16,
    VB_TEST_STATS_BLOCK = 32,
    VB_TEST_STATS_SUPPORTED = 63,
};
/* libvirt's virConnectGetAllDomainStatsFlags: the list filters, NOWAIT, BACKING and
 * ENFORCE_STATS */
#define VB_TEST_STATS_FLAGS_ALLOWED (0xffu | (1u << 29) | (1u << 30) | (1u << 31))
#define VB_TEST_STATS_ENFORCE       (1u << 31)

/* libvirt's virDomainMemoryStatTags */
enum {
    VB_TEST_MEMSTAT_SWAP_IN = 0,
    VB_TEST_MEMSTAT_SWAP_OUT = 1,
    VB_TEST_MEMSTAT_MAJOR_FAULT = 2,
    VB_TEST_MEMSTAT_MINOR_FAULT = 3,
    VB_TEST_MEMSTAT_UNUSED = 4,
    VB_TEST_MEMSTAT_AVAILABLE = 5,
    VB_TEST_MEMSTAT_ACTUAL_BALLOON = 6,
    VB_TEST_MEMSTAT_RSS = 7,
    VB_TEST_MEMSTAT_USABLE = 8,
    VB_TEST_MEMSTAT_LAST_UPDATE = 9,
    VB_TEST_MEMSTAT_DISK_CACHES = 10,
};

enum { VB_TEST_HOSTNAME_LEASE = 1, VB_TEST_HOSTNAME_AGENT = 2 };
enum { VB_TEST_ADDR_SRC_LEASE = 0, VB_TEST_ADDR_SRC_AGENT = 1, VB_TEST_ADDR_SRC_ARP = 2 };
enum { VB_TEST_VCPU_OFFLINE = 0, VB_TEST_VCPU_RUNNING = 1 };
enum { VB_TEST_CONTROL_OK = 0, VB_TEST_CONTROL_JOB = 1 };

#define VB_TEST_DISK_CAPACITY (G_GUINT64_CONSTANT(10) * 1024 * 1024 * 1024)

/* virDomainGetInfo's cpuTime; answers at once. a running guest uses half a cpu */
guint64
vb_test_domain_get_cpu_time(VbConn *conn, VbDomainObj *obj)
{
    guint64 ns = obj->cpu_time_ns;

    if (!vb_domain_obj_is_active(obj))
        return 0;
    if (obj->state == VB_DOMAIN_RUNNING && obj->started_us != 0)
        ns += (guint64)(g_get_monotonic_time() - obj->started_us) * 500;
    return ns;
}

/* virDomainGetHostname; answers at once */
char *
vb_test_domain_get_hostname(VbConn *conn, VbDomainObj *obj, guint flags, GError **error)
{
    if (!vb_error_check_flags(flags, VB_TEST_HOSTNAME_LEASE | VB_TEST_HOSTNAME_AGENT,
                              "virDomainGetHostname", error) ||
        !vb_test_check_active(obj, error))
        return NULL;
    return g_strdup_printf("%shost", vb_domain_obj_name(obj));
}

/* virDomainGetControlInfo; answers at once */
gboolean
vb_test_domain_get_control_info(VbConn *conn, VbDomainObj *obj, guint flags, VbControlInfo *info,
                                GError **error)
{
    VbTestDomain *dom = vb_test_dom(obj);

    if (!vb_error_check_flags(flags, 0, "virDomainGetControlInfo", error) ||
        !vb_test_check_active(obj, error))
        return FALSE;
    memset(info, 0, sizeof(*info));
    if (dom->job_active) {
        info->state = VB_TEST_CONTROL_JOB;
        info->state_time_ms = (g_get_monotonic_time() - dom->job_start_us) / 1000;
    } else {
        info->state = VB_TEST_CONTROL_OK;
    }
    return TRUE;
}

static guint
vb_test_online_vcpus(const VbDomainObj *obj)
{
    guint guest = vb_test_dom(obj)->guest_vcpus;

    return guest != 0 ? guest : obj->live->vcpus_current;
}

static int
vb_test_vcpu_host_cpu(VbConn *conn, const VbDomainDef *def, guint vcpu)
{
    for (guint i = 0; i < def->vcpupins->len; i++) {
        const VbDomainVcpuPin *pin = g_ptr_array_index(def->vcpupins, i);

        if (pin->vcpu == vcpu)
            return vb_cpuset_next(pin->cpuset, -1);
    }
    if (def->vcpu_cpuset != NULL)
        return vb_cpuset_next(def->vcpu_cpuset, -1);
    return vcpu % MAX(vb_test_conn(conn)->node.cpus, 1);
}

/* virDomainGetVcpus; answers at once */
GArray *
vb_test_domain_get_vcpu_info(VbConn *conn, VbDomainObj *obj, guint flags, GError **error)
{
    GArray *info;
    guint64 cpu;
    guint online;

    if (!vb_error_check_flags(flags, 0, "virDomainGetVcpus", error))
        return NULL;
    if (!vb_domain_obj_is_active(obj)) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID, "cannot list vcpus for an inactive domain");
        return NULL;
    }
    cpu = vb_test_domain_get_cpu_time(conn, obj);
    online = vb_test_online_vcpus(obj);
    info = g_array_sized_new(FALSE, TRUE, sizeof(VbVcpuInfo), obj->live->vcpus_current);
    for (guint i = 0; i < obj->live->vcpus_current; i++) {
        VbVcpuInfo one = {
            .number = i,
            .state = i < online ? VB_TEST_VCPU_RUNNING : VB_TEST_VCPU_OFFLINE,
            .cpu_time_ns = i < online ? cpu / online : 0,
            .cpu = vb_test_vcpu_host_cpu(conn, obj->live, i),
        };

        g_array_append_val(info, one);
    }
    return info;
}

static void
vb_test_block_counters(guint64 cpu_ns, guint index, VbBlockStats *stats)
{
    guint64 ms = cpu_ns / 1000000;

    stats->rd_req = ms * 4 / (index + 1);
    stats->rd_bytes = stats->rd_req * 4096;
    stats->wr_req = ms * 2 / (index + 1);
    stats->wr_bytes = stats->wr_req * 4096;
    stats->errs = 0;
}

static void
vb_test_net_counters(guint64 cpu_ns, guint index, VbInterfaceStats *stats)
{
    guint64 ms = cpu_ns / 1000000;

    memset(stats, 0, sizeof(*stats));
    stats->rx_packets = ms * 3 / (index + 1);
    stats->rx_bytes = stats->rx_packets * 600;
    stats->tx_packets = ms * 2 / (index + 1);
    stats->tx_bytes = stats->tx_packets * 400;
}

typedef struct {
    guint64 actual, unused, available, usable, rss, disk_caches, major, minor, last_update;
} VbTestMemory;

static void
vb_test_memory(VbConn *conn, VbDomainObj *obj, VbTestMemory *mem)
{
    guint64 ms = vb_test_domain_get_cpu_time(conn, obj) / 1000000;
    guint64 current = obj->live->current_kib;

    mem->actual = current;
    mem->available = current;
    mem->unused = current * 3 / 8;
    mem->usable = current / 2;
    mem->disk_caches = current / 8;
    mem->rss = current * 3 / 4;
    mem->major = ms / 10;
    mem->minor = ms * 10;
    mem->last_update = g_get_real_time() / G_USEC_PER_SEC;
}

static void
vb_test_stats_vcpu(VbConn *conn, VbDomainObj *obj, GVariantBuilder *b)
{
    const VbDomainDef *def = vb_domain_obj_def(obj);
    guint64 cpu;
    guint online;

    vb_driver_stats_add(b, g_variant_new_uint32(def->vcpus_current), "vcpu.current");
    vb_driver_stats_add(b, g_variant_new_uint32(def->vcpus_max), "vcpu.maximum");
    if (!vb_domain_obj_is_active(obj))
        return;
    cpu = vb_test_domain_get_cpu_time(conn, obj);
    online = vb_test_online_vcpus(obj);
    for (guint i = 0; i < def->vcpus_current; i++) {
        vb_driver_stats_add(
            b, g_variant_new_int32(i < online ? VB_TEST_VCPU_RUNNING : VB_TEST_VCPU_OFFLINE),
            "vcpu.%u.state", i);
        vb_driver_stats_add(b, g_variant_new_uint64(i < online ? cpu / online : 0), "vcpu.%u.time",
                            i);
        vb_driver_stats_add(b, g_variant_new_uint64(0), "vcpu.%u.wait", i);
    }
}

static void
vb_test_stats_balloon(VbConn *conn, VbDomainObj *obj, GVariantBuilder *b)
{
    const VbDomainDef *def = vb_domain_obj_def(obj);
    VbTestMemory mem;

    vb_driver_stats_add(b, g_variant_new_uint64(def->current_kib), "balloon.current");
    vb_driver_stats_add(b, g_variant_new_uint64(def->memory_kib), "balloon.maximum");
    if (!vb_domain_obj_is_active(obj))
        return;
    vb_test_memory(conn, obj, &mem);
    vb_driver_stats_add(b, g_variant_new_uint64(0), "balloon.swap_in");
    vb_driver_stats_add(b, g_variant_new_uint64(0), "balloon.swap_out");
    vb_driver_stats_add(b, g_variant_new_uint64(mem.major), "balloon.major_fault");
    vb_driver_stats_add(b, g_variant_new_uint64(mem.minor), "balloon.minor_fault");
    vb_driver_stats_add(b, g_variant_new_uint64(mem.unused), "balloon.unused");
    vb_driver_stats_add(b, g_variant_new_uint64(mem.available), "balloon.available");
    vb_driver_stats_add(b, g_variant_new_uint64(mem.usable), "balloon.usable");
    vb_driver_stats_add(b, g_variant_new_uint64(mem.rss), "balloon.rss");
    vb_driver_stats_add(b, g_variant_new_uint64(mem.last_update), "balloon.last-update");
    vb_driver_stats_add(b, g_variant_new_uint64(mem.disk_caches), "balloon.disk_caches");
}

static void
vb_test_stats_net(VbConn *conn, VbDomainObj *obj, GVariantBuilder *b)
{
    const VbDomainDef *def = obj->live;
    guint64 cpu = vb_test_domain_get_cpu_time(conn, obj);

    vb_driver_stats_add(b, g_variant_new_uint32(def->nets->len), "net.count");
    for (guint i = 0; i < def->nets->len; i++) {
        const VbDomainNetDef *net = g_ptr_array_index(def->nets, i);
        VbInterfaceStats s;

        vb_test_net_counters(cpu, i, &s);
        vb_driver_stats_add(b, g_variant_new_string(net->target_dev != NULL ? net->target_dev : ""),
                            "net.%u.name", i);
        vb_driver_stats_add(b, g_variant_new_uint64(s.rx_bytes), "net.%u.rx.bytes", i);
        vb_driver_stats_add(b, g_variant_new_uint64(s.rx_packets), "net.%u.rx.pkts", i);
        vb_driver_stats_add(b, g_variant_new_uint64(s.rx_errs), "net.%u.rx.errs", i);
        vb_driver_stats_add(b, g_variant_new_uint64(s.rx_drop), "net.%u.rx.drop", i);
        vb_driver_stats_add(b, g_variant_new_uint64(s.tx_bytes), "net.%u.tx.bytes", i);
        vb_driver_stats_add(b, g_variant_new_uint64(s.tx_packets), "net.%u.tx.pkts", i);
        vb_driver_stats_add(b, g_variant_new_uint64(s.tx_errs), "net.%u.tx.errs", i);
        vb_driver_stats_add(b, g_variant_new_uint64(s.tx_drop), "net.%u.tx.drop", i);
    }
}

static void
vb_test_stats_block(VbConn *conn, VbDomainObj *obj, GVariantBuilder *b)
{
    const VbDomainDef *def = vb_domain_obj_def(obj);
    gboolean active = vb_domain_obj_is_active(obj);
    guint64 cpu = vb_test_domain_get_cpu_time(conn, obj);

    vb_driver_stats_add(b, g_variant_new_uint32(def->disks->len), "block.count");
    for (guint i = 0; i < def->disks->len; i++) {
        const VbDomainDiskDef *disk = g_ptr_array_index(def->disks, i);
        VbBlockStats s;

        vb_driver_stats_add(b, g_variant_new_string(disk->dst), "block.%u.name", i);
        if (disk->src != NULL)
            vb_driver_stats_add(b, g_variant_new_string(disk->src), "block.%u.path", i);
        if (!active)
            continue;
        vb_test_block_counters(cpu, i, &s);
        vb_driver_stats_add(b, g_variant_new_uint64(s.rd_req), "block.%u.rd.reqs", i);
        vb_driver_stats_add(b, g_variant_new_uint64(s.rd_bytes), "block.%u.rd.bytes", i);
        vb_driver_stats_add(b, g_variant_new_uint64(s.rd_req * 100000), "block.%u.rd.times", i);
        vb_driver_stats_add(b, g_variant_new_uint64(s.wr_req), "block.%u.wr.reqs", i);
        vb_driver_stats_add(b, g_variant_new_uint64(s.wr_bytes), "block.%u.wr.bytes", i);
        vb_driver_stats_add(b, g_variant_new_uint64(s.wr_req * 200000), "block.%u.wr.times", i);
        vb_driver_stats_add(b, g_variant_new_uint64(s.wr_req / 4), "block.%u.fl.reqs", i);
        vb_driver_stats_add(b, g_variant_new_uint64(s.wr_req / 4 * 50000), "block.%u.fl.times", i);
        if (disk->src != NULL) {
            vb_driver_stats_add(
                b, g_variant_new_uint64(MIN((guint64)s.wr_bytes, VB_TEST_DISK_CAPACITY)),
                "block.%u.allocation", i);
            vb_driver_stats_add(b, g_variant_new_uint64(VB_TEST_DISK_CAPACITY), "block.%u.capacity",
                                i);
            vb_driver_stats_add(b, g_variant_new_uint64(VB_TEST_DISK_CAPACITY), "block.%u.physical",
                                i);
        }
    }
}

static GVariant *
vb_test_stats(VbConn *conn, VbDomainObj *obj, guint stats, guint flags, GError **error)
{
    GVariantBuilder b;
    gboolean active = vb_domain_obj_is_active(obj);

    if (!vb_error_check_flags(flags, VB_TEST_STATS_FLAGS_ALLOWED, "virDomainListGetStats", error))
        return NULL;
    if ((flags & VB_TEST_STATS_ENFORCE) != 0 && (stats & ~VB_TEST_STATS_SUPPORTED) != 0) {
        vb_error_set(error, VB_ERROR_OPERATION_UNSUPPORTED,
                     "Stats types bits 0x%x are not supported by this daemon",
                     stats & ~VB_TEST_STATS_SUPPORTED);
        return NULL;
    }
    if (stats == 0)
        stats = VB_TEST_STATS_SUPPORTED;

    g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
    if ((stats & VB_TEST_STATS_STATE) != 0) {
        vb_driver_stats_add(&b, g_variant_new_int32(obj->state), "state.state");
        vb_driver_stats_add(&b, g_variant_new_int32(obj->reason), "state.reason");
    }
    if ((stats & VB_TEST_STATS_CPU_TOTAL) != 0 && active) {
        guint64 cpu = vb_test_domain_get_cpu_time(conn, obj);

        vb_driver_stats_add(&b, g_variant_new_uint64(cpu), "cpu.time");
        vb_driver_stats_add(&b, g_variant_new_uint64(cpu / 10 * 7), "cpu.user");
        vb_driver_stats_add(&b, g_variant_new_uint64(cpu / 10 * 3), "cpu.system");
    }
    if ((stats & VB_TEST_STATS_BALLOON) != 0)
        vb_test_stats_balloon(conn, obj, &b);
    if ((stats & VB_TEST_STATS_VCPU) != 0)
        vb_test_stats_vcpu(conn, obj, &b);
    if ((stats & VB_TEST_STATS_INTERFACE) != 0 && active)
        vb_test_stats_net(conn, obj, &b);
    if ((stats & VB_TEST_STATS_BLOCK) != 0)
        vb_test_stats_block(conn, obj, &b);
    return g_variant_ref_sink(g_variant_builder_end(&b));
}

/* virDomainListGetStats for one domain; completes at once */
void
vb_test_domain_get_stats(VbConn *conn, VbDomainObj *obj, guint stats, guint flags, VbDone done,
                         gpointer data)
{
    GError *error = NULL;
    GVariant *result = vb_test_stats(conn, obj, stats, flags, &error);

    vb_test_complete(done, data, result, error);
}

static GVariant *
vb_test_memory_stats(VbConn *conn, VbDomainObj *obj, guint flags, GError **error)
{
    GVariantBuilder b;
    VbTestMemory mem;

    if (!vb_error_check_flags(flags, 0, "virDomainMemoryStats", error) ||
        !vb_test_check_active(obj, error))
        return NULL;
    vb_test_memory(conn, obj, &mem);
    g_variant_builder_init(&b, G_VARIANT_TYPE("a{it}"));
    g_variant_builder_add(&b, "{it}", VB_TEST_MEMSTAT_SWAP_IN, (guint64)0);
    g_variant_builder_add(&b, "{it}", VB_TEST_MEMSTAT_SWAP_OUT, (guint64)0);
    g_variant_builder_add(&b, "{it}", VB_TEST_MEMSTAT_MAJOR_FAULT, mem.major);
    g_variant_builder_add(&b, "{it}", VB_TEST_MEMSTAT_MINOR_FAULT, mem.minor);
    g_variant_builder_add(&b, "{it}", VB_TEST_MEMSTAT_UNUSED, mem.unused);
    g_variant_builder_add(&b, "{it}", VB_TEST_MEMSTAT_AVAILABLE, mem.available);
    g_variant_builder_add(&b, "{it}", VB_TEST_MEMSTAT_ACTUAL_BALLOON, mem.actual);
    g_variant_builder_add(&b, "{it}", VB_TEST_MEMSTAT_RSS, mem.rss);
    g_variant_builder_add(&b, "{it}", VB_TEST_MEMSTAT_USABLE, mem.usable);
    g_variant_builder_add(&b, "{it}", VB_TEST_MEMSTAT_LAST_UPDATE, mem.last_update);
    g_variant_builder_add(&b, "{it}", VB_TEST_MEMSTAT_DISK_CACHES, mem.disk_caches);
    return g_variant_ref_sink(g_variant_builder_end(&b));
}

/* virDomainMemoryStats; completes at once */
void
vb_test_domain_memory_stats(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;
    GVariant *result = vb_test_memory_stats(conn, obj, flags, &error);

    vb_test_complete(done, data, result, error);
}

static VbBlockStats *
vb_test_block_stats(VbConn *conn, VbDomainObj *obj, const char *disk, guint flags, GError **error)
{
    g_autofree VbBlockStats *sum = g_new0(VbBlockStats, 1);
    const VbDomainDef *def;
    guint64 cpu;
    gboolean found = FALSE;

    if (!vb_error_check_flags(flags, 0, "virDomainBlockStats", error) ||
        !vb_test_check_active(obj, error))
        return NULL;
    def = obj->live;
    cpu = vb_test_domain_get_cpu_time(conn, obj);
    /* an empty name sums every disk, as qemu does */
    for (guint i = 0; i < def->disks->len; i++) {
        const VbDomainDiskDef *d = g_ptr_array_index(def->disks, i);
        VbBlockStats one;

        if (disk != NULL && *disk != '\0' && g_strcmp0(d->dst, disk) != 0 &&
            g_strcmp0(d->src, disk) != 0)
            continue;
        vb_test_block_counters(cpu, i, &one);
        sum->rd_req += one.rd_req;
        sum->rd_bytes += one.rd_bytes;
        sum->wr_req += one.wr_req;
        sum->wr_bytes += one.wr_bytes;
        found = TRUE;
        if (disk != NULL && *disk != '\0')
            break;
    }
    if (!found && disk != NULL && *disk != '\0') {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "invalid path, '%s' is not a known disk", disk);
        return NULL;
    }
    return g_steal_pointer(&sum);
}

/* virDomainBlockStats; completes at once */
void
vb_test_domain_block_stats(VbConn *conn, VbDomainObj *obj, const char *disk, guint flags,
                           VbDone done, gpointer data)
{
    GError *error = NULL;
    VbBlockStats *result = vb_test_block_stats(conn, obj, disk, flags, &error);

    vb_test_complete(done, data, result, error);
}

static int
vb_test_find_nic(const VbDomainDef *def, const char *device)
{
    guint8 mac[VB_MAC_LEN];
    gboolean is_mac = vb_mac_parse(device, mac);

    for (guint i = 0; i < def->nets->len; i++) {
        const VbDomainNetDef *net = g_ptr_array_index(def->nets, i);

        if (g_strcmp0(net->target_dev, device) == 0 ||
            (is_mac && net->has_mac && memcmp(net->mac, mac, VB_MAC_LEN) == 0))
            return i;
    }
    return -1;
}

static VbInterfaceStats *
vb_test_interface_stats(VbConn *conn, VbDomainObj *obj, const char *device, guint flags,
                        GError **error)
{
    VbInterfaceStats *stats;
    int index;

    if (!vb_error_check_flags(flags, 0, "virDomainInterfaceStats", error) ||
        !vb_test_check_active(obj, error))
        return NULL;
    index = device != NULL ? vb_test_find_nic(obj->live, device) : -1;
    if (index < 0) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "invalid path, '%s' is not a known interface",
                     device != NULL ? device : "");
        return NULL;
    }
    stats = g_new0(VbInterfaceStats, 1);
    vb_test_net_counters(vb_test_domain_get_cpu_time(conn, obj), index, stats);
    return stats;
}

/* virDomainInterfaceStats; completes at once */
void
vb_test_domain_interface_stats(VbConn *conn, VbDomainObj *obj, const char *device, guint flags,
                               VbDone done, gpointer data)
{
    GError *error = NULL;
    VbInterfaceStats *result = vb_test_interface_stats(conn, obj, device, flags, &error);

    vb_test_complete(done, data, result, error);
}

static void
vb_test_add_iface(GVariantBuilder *b, const char *name, const char *mac, const char *ip,
                  guint prefix, const char *ip6, guint prefix6)
{
    GVariantBuilder addrs;

    g_variant_builder_init(&addrs, G_VARIANT_TYPE("a(isu)"));
    if (ip != NULL)
        g_variant_builder_add(&addrs, "(isu)", 0, ip, prefix);
    if (ip6 != NULL)
        g_variant_builder_add(&addrs, "(isu)", 1, ip6, prefix6);
    g_variant_builder_add(b, "(ssa(isu))", name, mac, &addrs);
}

static GVariant *
vb_test_interface_addresses(VbConn *conn, VbDomainObj *obj, guint source, guint flags,
                            GError **error)
{
    GVariantBuilder b;
    const VbDomainDef *def;

    if (!vb_error_check_flags(flags, 0, "virDomainInterfaceAddresses", error))
        return NULL;
    if (source > VB_TEST_ADDR_SRC_ARP) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "Unknown IP address data source %u", source);
        return NULL;
    }
    if (!vb_test_check_active(obj, error))
        return NULL;
    def = obj->live;
    g_variant_builder_init(&b, G_VARIANT_TYPE("a(ssa(isu))"));
    /* the guest agent also sees the loopback device and names NICs itself */
    if (source == VB_TEST_ADDR_SRC_AGENT)
        vb_test_add_iface(&b, "lo", "00:00:00:00:00:00", "127.0.0.1", 8, "::1", 128);
    for (guint i = 0; i < def->nets->len; i++) {
        const VbDomainNetDef *net = g_ptr_array_index(def->nets, i);
        VbNetworkObj *network = NULL;
        g_autofree char *ip = NULL;
        g_autofree char *agent_name = NULL;
        char mac[VB_MAC_STRING_LEN];
        guint prefix = 0;

        vb_mac_format(net->mac, mac);
        if (net->type == VB_DOMAIN_NET_NETWORK && net->source_network != NULL)
            network = vb_network_list_find_name(conn->networks, net->source_network);
        if (network != NULL)
            ip = vb_test_network_lease_address(conn, network, obj, i, &prefix);
        if (source == VB_TEST_ADDR_SRC_AGENT) {
            agent_name = g_strdup_printf("eth%u", i);
            vb_test_add_iface(&b, agent_name, mac, ip, prefix, NULL, 0);
        } else if (ip != NULL) {
            vb_test_add_iface(&b, net->target_dev != NULL ? net->target_dev : "", mac, ip, prefix,
                              NULL, 0);
        }
    }
    return g_variant_ref_sink(g_variant_builder_end(&b));
}

/* virDomainInterfaceAddresses; completes at once */
void
vb_test_domain_interface_addresses(VbConn *conn, VbDomainObj *obj, guint source, guint flags,
                                   VbDone done, gpointer data)
{
    GError *error = NULL;
    GVariant *result = vb_test_interface_addresses(conn, obj, source, flags, &error);

    vb_test_complete(done, data, result, error);
}
