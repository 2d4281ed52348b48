/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-qemu"

#include <sys/stat.h>

#include "qemu-command.h"
#include "qemu-driver.h"

/* runtime data of running guests: /proc for cpu time and vcpu threads, sysfs for tap
 * counters, QMP for the balloon and block devices. reads: they never wait for a job. */

/* libvirt's virDomainStatsTypes */
enum {
    VB_QEMU_STATS_STATE = 1,
    VB_QEMU_STATS_CPU_TOTAL = 2,
    VB_QEMU_STATS_BALLOON = 4,
    VB_QEMU_STATS_VCPU = 8,
    VB_QEMU_STATS_INTERFACE = 16,
    VB_QEMU_STATS_BLOCK = 32,
    VB_QEMU_STATS_SUPPORTED = 63,
};
#define VB_QEMU_STATS_FLAGS_ALLOWED (0xffu | (1u << 29) | (1u << 30) | (1u << 31))
#define VB_QEMU_STATS_ENFORCE       (1u << 31)

/* libvirt's virDomainMemoryStatTags */
enum {
    VB_QEMU_MEMSTAT_SWAP_IN = 0,
    VB_QEMU_MEMSTAT_SWAP_OUT = 1,
    VB_QEMU_MEMSTAT_MAJOR_FAULT = 2,
    VB_QEMU_MEMSTAT_MINOR_FAULT = 3,
    VB_QEMU_MEMSTAT_UNUSED = 4,
    VB_QEMU_MEMSTAT_AVAILABLE = 5,
    VB_QEMU_MEMSTAT_ACTUAL_BALLOON = 6,
    VB_QEMU_MEMSTAT_RSS = 7,
    VB_QEMU_MEMSTAT_USABLE = 8,
    VB_QEMU_MEMSTAT_LAST_UPDATE = 9,
    VB_QEMU_MEMSTAT_DISK_CACHES = 10,
};

enum { VB_QEMU_ADDR_SRC_LEASE = 0, VB_QEMU_ADDR_SRC_AGENT = 1, VB_QEMU_ADDR_SRC_ARP = 2 };
enum { VB_QEMU_VCPU_RUNNING = 1 };
enum {
    VB_QEMU_CONTROL_OK = 0,
    VB_QEMU_CONTROL_JOB = 1,
    VB_QEMU_CONTROL_ERROR = 3,
    VB_QEMU_CONTROL_ERROR_MONITOR = 2,
};

/* qemu's balloon statistics: name, libvirt tag, divisor to KiB */
static const struct {
    const char *name;
    int tag;
    guint64 scale;
    const char *field;
} vb_qemu_balloon_stats[] = {
    {"stat-swap-in", VB_QEMU_MEMSTAT_SWAP_IN, 1024, "swap_in"},
    {"stat-swap-out", VB_QEMU_MEMSTAT_SWAP_OUT, 1024, "swap_out"},
    {"stat-major-faults", VB_QEMU_MEMSTAT_MAJOR_FAULT, 1, "major_fault"},
    {"stat-minor-faults", VB_QEMU_MEMSTAT_MINOR_FAULT, 1, "minor_fault"},
    {"stat-free-memory", VB_QEMU_MEMSTAT_UNUSED, 1024, "unused"},
    {"stat-total-memory", VB_QEMU_MEMSTAT_AVAILABLE, 1024, "available"},
    {"stat-available-memory", VB_QEMU_MEMSTAT_USABLE, 1024, "usable"},
    {"stat-disk-caches", VB_QEMU_MEMSTAT_DISK_CACHES, 1024, "disk_caches"},
};

static pid_t
vb_qemu_pid(const VbDomainObj *obj)
{
    VbQemuDomain *dom = vb_qemu_dom(obj);

    return dom->proc != NULL ? vb_qemu_process_get_pid(dom->proc) : 0;
}

/* virDomainGetInfo's cpuTime: the whole qemu process, from /proc; at once */
guint64
vb_qemu_domain_get_cpu_time(VbConn *conn, VbDomainObj *obj)
{
    guint64 ns = 0;
    pid_t pid = vb_qemu_pid(obj);

    if (!vb_domain_obj_is_active(obj) || pid == 0 || !vb_qemu_proc_cpu_time(pid, &ns, NULL))
        return 0;
    return ns;
}

/* virDomainGetControlInfo; answers at once */
gboolean
vb_qemu_domain_get_control_info(VbConn *conn, VbDomainObj *obj, guint flags, VbControlInfo *info,
                                GError **error)
{
    VbQemuDomain *dom = vb_qemu_dom(obj);

    if (!vb_error_check_flags(flags, 0, "virDomainGetControlInfo", error) ||
        !vb_qemu_check_active(obj, error))
        return FALSE;
    memset(info, 0, sizeof(*info));
    if (dom->job != NULL) {
        info->state = VB_QEMU_CONTROL_JOB;
        info->state_time_ms = (g_get_monotonic_time() - dom->job->start_us) / 1000;
    } else if (dom->mon == NULL || !vb_qemu_monitor_is_open(dom->mon)) {
        info->state = VB_QEMU_CONTROL_ERROR;
        info->details = VB_QEMU_CONTROL_ERROR_MONITOR;
    }
    return TRUE;
}

static pid_t
vb_qemu_vcpu_tid(const VbDomainObj *obj, guint vcpu)
{
    GArray *tids = vb_qemu_dom(obj)->vcpu_tids;

    return tids != NULL && vcpu < tids->len ? g_array_index(tids, pid_t, vcpu) : 0;
}

/* virDomainGetVcpus; answers at once from /proc */
GArray *
vb_qemu_domain_get_vcpu_info(VbConn *conn, VbDomainObj *obj, guint flags, GError **error)
{
    GArray *info;
    pid_t pid = vb_qemu_pid(obj);

    if (!vb_error_check_flags(flags, 0, "virDomainGetVcpus", error))
        return NULL;
    if (!vb_domain_obj_is_active(obj)) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID, "cannot list vcpus for an inactive domain");
        return NULL;
    }
    info = g_array_sized_new(FALSE, TRUE, sizeof(VbVcpuInfo), obj->live->vcpus_current);
    for (guint i = 0; i < obj->live->vcpus_current; i++) {
        VbQemuProcStat st = {0};
        pid_t tid = vb_qemu_vcpu_tid(obj, i);
        VbVcpuInfo one = {.number = i, .state = VB_QEMU_VCPU_RUNNING, .cpu = 0};

        if (tid > 0 && vb_qemu_proc_stat(pid, tid, &st, NULL)) {
            one.cpu_time_ns = st.user_ns + st.system_ns;
            one.cpu = st.processor;
        }
        g_array_append_val(info, one);
    }
    return info;
}

/* ---- vcpu threads ---- */

static gboolean
vb_qemu_pin_thread(pid_t tid, const VbCpuSet *set, GError **error)
{
    g_autofree gboolean *map = g_new0(gboolean, MAX(set->nbits, 1));

    for (guint cpu = 0; cpu < set->nbits; cpu++)
        map[cpu] = vb_cpuset_is_set(set, cpu);
    return vb_qemu_proc_set_affinity(tid, map, set->nbits, error);
}

static void
vb_qemu_vcpus_listed(GObject *source, GAsyncResult *result, gpointer data)
{
    VbQemuJob *job = data;
    gboolean failed;
    g_autoptr(JsonNode) ret = vb_qemu_job_qmp_finish(job, result, &failed);
    VbQemuDomain *dom;
    const VbDomainDef *live;
    JsonArray *cpus;
    GError *error = NULL;
    VbQemuJobFunc next = job->start;

    if (failed)
        return;
    dom = vb_qemu_dom(job->obj);
    live = job->obj->live;
    g_clear_pointer(&dom->vcpu_tids, g_array_unref);
    dom->vcpu_tids = g_array_new(FALSE, TRUE, sizeof(pid_t));
    cpus = JSON_NODE_HOLDS_ARRAY(ret) ? json_node_get_array(ret) : NULL;
    for (guint i = 0; cpus != NULL && i < json_array_get_length(cpus); i++) {
        JsonObject *cpu = json_array_get_object_element(cpus, i);
        gint64 index, tid;

        if (!vb_qemu_json_int(cpu, "cpu-index", &index) ||
            !vb_qemu_json_int(cpu, "thread-id", &tid) || index < 0 || index >= 4096)
            continue;
        if ((guint)index >= dom->vcpu_tids->len)
            g_array_set_size(dom->vcpu_tids, index + 1);
        g_array_index(dom->vcpu_tids, pid_t, index) = (pid_t)tid;
    }
    /* <vcpu cpuset> and <vcpupin>: threads are pinned as they appear */
    for (guint i = 0; i < dom->vcpu_tids->len && error == NULL; i++) {
        pid_t tid = g_array_index(dom->vcpu_tids, pid_t, i);
        const VbCpuSet *set = live->vcpu_cpuset;

        for (guint j = 0; j < live->vcpupins->len; j++) {
            const VbDomainVcpuPin *pin = g_ptr_array_index(live->vcpupins, j);

            if (pin->vcpu == i)
                set = pin->cpuset;
        }
        if (tid > 0 && set != NULL)
            vb_qemu_pin_thread(tid, set, &error);
    }
    if (error != NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    next(job);
}

void
vb_qemu_job_refresh_vcpus(VbQemuJob *job, VbQemuJobFunc next)
{
    job->start = next;
    vb_qemu_job_qmp(job, "query-cpus-fast", NULL, vb_qemu_vcpus_listed);
}

/* ---- reads over QMP, outside jobs ---- */

typedef enum {
    VB_QEMU_Q_BALLOON,
    VB_QEMU_Q_GUEST_STATS,
    VB_QEMU_Q_BLOCKSTATS,
    VB_QEMU_Q_BLOCK,
    VB_QEMU_Q_LAST,
} VbQemuQuery;

typedef struct _VbQemuRead VbQemuRead;
typedef gpointer (*VbQemuReadBuild)(VbQemuRead *read, GError **error);

struct _VbQemuRead {
    VbQemuConn *qc;
    VbDomainObj *obj;
    guint stats;
    char *name; /* the disk or NIC asked for */
    VbDone done;
    gpointer data;
    JsonNode *answers[VB_QEMU_Q_LAST];
    guint pending; /* VbQemuQuery bits still to ask */
    VbQemuReadBuild build;
    GDestroyNotify result_free;
};

static void
vb_qemu_read_free(VbQemuRead *read)
{
    for (guint i = 0; i < VB_QEMU_Q_LAST; i++)
        g_clear_pointer(&read->answers[i], json_node_unref);
    vb_domain_obj_unref(read->obj);
    vb_qemu_conn_unref(read->qc);
    g_free(read->name);
    g_free(read);
}

static void vb_qemu_read_next(VbQemuRead *read);

static void
vb_qemu_read_answer(GObject *source, GAsyncResult *result, gpointer data)
{
    VbQemuRead *read = data;
    g_autoptr(GError) error = NULL;
    JsonNode *ret = vb_qemu_monitor_command_finish(result, &error);
    guint which = 0;

    while (which < VB_QEMU_Q_LAST && (read->pending & (1u << which)) == 0)
        which++;
    read->pending &= ~(1u << which);
    /* a missing answer leaves its fields out, as libvirt does */
    if (which < VB_QEMU_Q_LAST)
        read->answers[which] = ret;
    else if (ret != NULL)
        json_node_unref(ret);
    vb_qemu_read_next(read);
}

static JsonNode *
vb_qemu_read_args(VbQemuQuery which, const char **execute)
{
    JsonObject *o;
    JsonNode *node;

    switch (which) {
    case VB_QEMU_Q_BALLOON:
        *execute = "query-balloon";
        return NULL;
    case VB_QEMU_Q_GUEST_STATS:
        *execute = "qom-get";
        o = json_object_new();
        json_object_set_string_member(o, "path", VB_QEMU_BALLOON_QOM_PATH);
        json_object_set_string_member(o, "property", "guest-stats");
        node = json_node_init_object(json_node_alloc(), o);
        json_object_unref(o);
        return node;
    case VB_QEMU_Q_BLOCKSTATS:
        *execute = "query-blockstats";
        return NULL;
    default:
        *execute = "query-block";
        return NULL;
    }
}

static void
vb_qemu_read_next(VbQemuRead *read)
{
    GError *error = NULL;
    gpointer result;

    while (read->pending != 0 && read->qc->conn != NULL && vb_domain_obj_is_active(read->obj)) {
        guint which = 0;
        const char *execute = NULL;
        JsonNode *args;

        while ((read->pending & (1u << which)) == 0)
            which++;
        args = vb_qemu_read_args(which, &execute);
        if (vb_qemu_domain_qmp(read->qc->conn, read->obj, execute, args, vb_qemu_read_answer, read,
                               NULL))
            return;
        read->pending &= ~(1u << which);
    }
    if (read->qc->conn == NULL) {
        vb_error_set(&error, VB_ERROR_OPERATION_FAILED,
                     "the connection was closed during the operation");
        result = NULL;
    } else {
        result = read->build(read, &error);
    }
    vb_qemu_complete(read->done, read->data, result, error);
    vb_qemu_read_free(read);
}

static void
vb_qemu_read_start(VbConn *conn, VbDomainObj *obj, guint queries, const char *name, guint stats,
                   VbQemuReadBuild build, VbDone done, gpointer data)
{
    VbQemuRead *read = g_new0(VbQemuRead, 1);

    read->qc = vb_qemu_conn_ref(vb_qemu_conn(conn));
    read->obj = vb_domain_obj_ref(obj);
    read->name = g_strdup(name);
    read->stats = stats;
    read->done = done;
    read->data = data;
    read->build = build;
    read->pending = vb_domain_obj_is_active(obj) ? queries : 0;
    vb_qemu_read_next(read);
}

static JsonObject *
vb_qemu_answer_object(VbQemuRead *read, VbQemuQuery which)
{
    JsonNode *node = read->answers[which];

    return node != NULL && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
}

static JsonArray *
vb_qemu_answer_array(VbQemuRead *read, VbQemuQuery which)
{
    JsonNode *node = read->answers[which];

    return node != NULL && JSON_NODE_HOLDS_ARRAY(node) ? json_node_get_array(node) : NULL;
}

static gboolean
vb_qemu_has_balloon(const VbDomainDef *def)
{
    return def->memballoon != NULL && def->memballoon->model == VB_DOMAIN_MEMBALLOON_VIRTIO;
}

/* the blockstats entry of disk @dst: qdev "disk-<dst>" or its QOM path */
static JsonObject *
vb_qemu_find_blockstats(JsonArray *list, const char *dst, const char *member)
{
    g_autofree char *id = g_strdup_printf("disk-%s", dst);
    g_autofree char *path = g_strdup_printf("/machine/peripheral/disk-%s/", dst);

    for (guint i = 0; list != NULL && i < json_array_get_length(list); i++) {
        JsonObject *entry = json_array_get_object_element(list, i);
        const char *qdev = vb_qemu_json_string(entry, "qdev");

        if (qdev != NULL && (g_str_equal(qdev, id) || g_str_has_prefix(qdev, path)))
            return member != NULL ? vb_qemu_json_object(entry, member) : entry;
    }
    return NULL;
}

static gint64
vb_qemu_int(JsonObject *obj, const char *member)
{
    gint64 value = 0;

    return vb_qemu_json_int(obj, member, &value) ? value : 0;
}

static guint64
vb_qemu_rss_kib(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
    g_autofree char *text = NULL;
    const char *line;
    guint64 kib = 0;

    if (pid == 0 || !g_file_get_contents(path, &text, NULL, NULL))
        return 0;
    line = strstr(text, "\nVmRSS:");
    if (line != NULL)
        kib = g_ascii_strtoull(line + strlen("\nVmRSS:"), NULL, 10);
    return kib;
}

/* ---- GetStats ---- */

static void
vb_qemu_stats_balloon(VbQemuRead *read, GVariantBuilder *b)
{
    VbDomainObj *obj = read->obj;
    const VbDomainDef *def = vb_domain_obj_def(obj);
    JsonObject *balloon = vb_qemu_answer_object(read, VB_QEMU_Q_BALLOON);
    JsonObject *guest = vb_qemu_answer_object(read, VB_QEMU_Q_GUEST_STATS);
    JsonObject *stats = vb_qemu_json_object(guest, "stats");
    gint64 actual = 0, last = 0;

    if (balloon != NULL && vb_qemu_json_int(balloon, "actual", &actual))
        vb_driver_stats_add(b, g_variant_new_uint64((guint64)actual / 1024), "balloon.current");
    else
        vb_driver_stats_add(b, g_variant_new_uint64(def->current_kib), "balloon.current");
    vb_driver_stats_add(b, g_variant_new_uint64(def->memory_kib), "balloon.maximum");
    if (!vb_domain_obj_is_active(obj))
        return;
    for (guint i = 0; stats != NULL && i < G_N_ELEMENTS(vb_qemu_balloon_stats); i++) {
        gint64 value;

        if (vb_qemu_json_int(stats, vb_qemu_balloon_stats[i].name, &value) && value >= 0)
            vb_driver_stats_add(
                b, g_variant_new_uint64((guint64)value / vb_qemu_balloon_stats[i].scale),
                "balloon.%s", vb_qemu_balloon_stats[i].field);
    }
    vb_driver_stats_add(b, g_variant_new_uint64(vb_qemu_rss_kib(vb_qemu_pid(obj))), "balloon.rss");
    if (vb_qemu_json_int(guest, "last-update", &last) && last > 0)
        vb_driver_stats_add(b, g_variant_new_uint64(last), "balloon.last-update");
}

static void
vb_qemu_stats_vcpu(VbQemuRead *read, GVariantBuilder *b)
{
    VbDomainObj *obj = read->obj;
    const VbDomainDef *def = vb_domain_obj_def(obj);
    pid_t pid = vb_qemu_pid(obj);

    vb_driver_stats_add(b, g_variant_new_uint32(def->vcpus_current), "vcpu.current");
    vb_driver_stats_add(b, g_variant_new_uint32(def->vcpus_max), "vcpu.maximum");
    if (!vb_domain_obj_is_active(obj))
        return;
    for (guint i = 0; i < def->vcpus_current; i++) {
        VbQemuProcStat st = {0};
        pid_t tid = vb_qemu_vcpu_tid(obj, i);

        if (tid > 0)
            vb_qemu_proc_stat(pid, tid, &st, NULL);
        vb_driver_stats_add(b, g_variant_new_int32(VB_QEMU_VCPU_RUNNING), "vcpu.%u.state", i);
        vb_driver_stats_add(b, g_variant_new_uint64(st.user_ns + st.system_ns), "vcpu.%u.time", i);
        vb_driver_stats_add(b, g_variant_new_uint64(0), "vcpu.%u.wait", i);
    }
}

static void
vb_qemu_stats_net(VbQemuRead *read, GVariantBuilder *b)
{
    const VbDomainDef *def = read->obj->live;

    vb_driver_stats_add(b, g_variant_new_uint32(def->nets->len), "net.count");
    for (guint i = 0; i < def->nets->len; i++) {
        const VbDomainNetDef *net = g_ptr_array_index(def->nets, i);
        VbInterfaceStats s;

        vb_driver_stats_add(b, g_variant_new_string(net->target_dev != NULL ? net->target_dev : ""),
                            "net.%u.name", i);
        if (net->target_dev == NULL || !vb_qemu_tap_stats(net->target_dev, &s, NULL))
            continue;
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
vb_qemu_stats_block(VbQemuRead *read, GVariantBuilder *b)
{
    const VbDomainDef *def = vb_domain_obj_def(read->obj);
    JsonArray *blockstats = vb_qemu_answer_array(read, VB_QEMU_Q_BLOCKSTATS);
    JsonArray *block = vb_qemu_answer_array(read, VB_QEMU_Q_BLOCK);

    vb_driver_stats_add(b, g_variant_new_uint32(def->disks->len), "block.count");
    for (guint i = 0; i < def->disks->len; i++) {
        const VbDomainDiskDef *disk = g_ptr_array_index(def->disks, i);
        JsonObject *s = vb_qemu_find_blockstats(blockstats, disk->dst, "stats");
        JsonObject *info =
            vb_qemu_json_object(vb_qemu_find_blockstats(block, disk->dst, NULL), "inserted");
        JsonObject *image = vb_qemu_json_object(info, "image");
        gint64 capacity;
        struct stat st;

        vb_driver_stats_add(b, g_variant_new_string(disk->dst), "block.%u.name", i);
        if (disk->src != NULL)
            vb_driver_stats_add(b, g_variant_new_string(disk->src), "block.%u.path", i);
        if (s != NULL) {
            vb_driver_stats_add(b, g_variant_new_uint64(vb_qemu_int(s, "rd_operations")),
                                "block.%u.rd.reqs", i);
            vb_driver_stats_add(b, g_variant_new_uint64(vb_qemu_int(s, "rd_bytes")),
                                "block.%u.rd.bytes", i);
            vb_driver_stats_add(b, g_variant_new_uint64(vb_qemu_int(s, "rd_total_time_ns")),
                                "block.%u.rd.times", i);
            vb_driver_stats_add(b, g_variant_new_uint64(vb_qemu_int(s, "wr_operations")),
                                "block.%u.wr.reqs", i);
            vb_driver_stats_add(b, g_variant_new_uint64(vb_qemu_int(s, "wr_bytes")),
                                "block.%u.wr.bytes", i);
            vb_driver_stats_add(b, g_variant_new_uint64(vb_qemu_int(s, "wr_total_time_ns")),
                                "block.%u.wr.times", i);
            vb_driver_stats_add(b, g_variant_new_uint64(vb_qemu_int(s, "flush_operations")),
                                "block.%u.fl.reqs", i);
            vb_driver_stats_add(b, g_variant_new_uint64(vb_qemu_int(s, "flush_total_time_ns")),
                                "block.%u.fl.times", i);
            vb_driver_stats_add(b, g_variant_new_uint64(vb_qemu_int(s, "wr_highest_offset")),
                                "block.%u.allocation", i);
        }
        if (image != NULL && vb_qemu_json_int(image, "virtual-size", &capacity))
            vb_driver_stats_add(b, g_variant_new_uint64(capacity), "block.%u.capacity", i);
        if (disk->src != NULL && stat(disk->src, &st) == 0 && S_ISREG(st.st_mode))
            vb_driver_stats_add(b, g_variant_new_uint64(st.st_size), "block.%u.physical", i);
    }
}

static gpointer
vb_qemu_build_stats(VbQemuRead *read, GError **error)
{
    VbDomainObj *obj = read->obj;
    gboolean active = vb_domain_obj_is_active(obj);
    guint stats = read->stats;
    GVariantBuilder b;

    g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
    if ((stats & VB_QEMU_STATS_STATE) != 0) {
        vb_driver_stats_add(&b, g_variant_new_int32(obj->state), "state.state");
        vb_driver_stats_add(&b, g_variant_new_int32(obj->reason), "state.reason");
    }
    if ((stats & VB_QEMU_STATS_CPU_TOTAL) != 0 && active) {
        VbQemuProcStat st = {0};

        if (vb_qemu_proc_stat(vb_qemu_pid(obj), 0, &st, NULL)) {
            vb_driver_stats_add(&b, g_variant_new_uint64(st.user_ns + st.system_ns), "cpu.time");
            vb_driver_stats_add(&b, g_variant_new_uint64(st.user_ns), "cpu.user");
            vb_driver_stats_add(&b, g_variant_new_uint64(st.system_ns), "cpu.system");
        }
    }
    if ((stats & VB_QEMU_STATS_BALLOON) != 0)
        vb_qemu_stats_balloon(read, &b);
    if ((stats & VB_QEMU_STATS_VCPU) != 0)
        vb_qemu_stats_vcpu(read, &b);
    if ((stats & VB_QEMU_STATS_INTERFACE) != 0 && active)
        vb_qemu_stats_net(read, &b);
    if ((stats & VB_QEMU_STATS_BLOCK) != 0)
        vb_qemu_stats_block(read, &b);
    return g_variant_ref_sink(g_variant_builder_end(&b));
}

/* virDomainListGetStats for one domain; completes on the QMP answers it needs */
void
vb_qemu_domain_get_stats(VbConn *conn, VbDomainObj *obj, guint stats, guint flags, VbDone done,
                         gpointer data)
{
    GError *error = NULL;
    const VbDomainDef *def = vb_domain_obj_def(obj);
    guint queries = 0;

    if (!vb_error_check_flags(flags, VB_QEMU_STATS_FLAGS_ALLOWED, "virDomainListGetStats",
                              &error)) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    if ((flags & VB_QEMU_STATS_ENFORCE) != 0 && (stats & ~VB_QEMU_STATS_SUPPORTED) != 0) {
        vb_error_set(&error, VB_ERROR_OPERATION_UNSUPPORTED,
                     "Stats types bits 0x%x are not supported by this daemon",
                     stats & ~VB_QEMU_STATS_SUPPORTED);
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    if (stats == 0)
        stats = VB_QEMU_STATS_SUPPORTED;
    if ((stats & VB_QEMU_STATS_BALLOON) != 0 && vb_qemu_has_balloon(def)) {
        queries |= 1u << VB_QEMU_Q_BALLOON;
        if (def->memballoon->has_stats_period)
            queries |= 1u << VB_QEMU_Q_GUEST_STATS;
    }
    if ((stats & VB_QEMU_STATS_BLOCK) != 0 && def->disks->len > 0)
        queries |= (1u << VB_QEMU_Q_BLOCKSTATS) | (1u << VB_QEMU_Q_BLOCK);
    vb_qemu_read_start(conn, obj, queries, NULL, stats, vb_qemu_build_stats, done, data);
}

/* ---- MemoryStats ---- */

static gpointer
vb_qemu_build_memory_stats(VbQemuRead *read, GError **error)
{
    VbDomainObj *obj = read->obj;
    JsonObject *balloon = vb_qemu_answer_object(read, VB_QEMU_Q_BALLOON);
    JsonObject *guest = vb_qemu_answer_object(read, VB_QEMU_Q_GUEST_STATS);
    JsonObject *stats = vb_qemu_json_object(guest, "stats");
    gint64 actual = 0, last = 0;
    GVariantBuilder b;

    if (!vb_qemu_check_active(obj, error))
        return NULL;
    g_variant_builder_init(&b, G_VARIANT_TYPE("a{it}"));
    for (guint i = 0; stats != NULL && i < G_N_ELEMENTS(vb_qemu_balloon_stats); i++) {
        gint64 value;

        if (vb_qemu_json_int(stats, vb_qemu_balloon_stats[i].name, &value) && value >= 0)
            g_variant_builder_add(&b, "{it}", vb_qemu_balloon_stats[i].tag,
                                  (guint64)value / vb_qemu_balloon_stats[i].scale);
    }
    if (balloon == NULL || !vb_qemu_json_int(balloon, "actual", &actual))
        actual = (gint64)obj->live->current_kib * 1024;
    g_variant_builder_add(&b, "{it}", VB_QEMU_MEMSTAT_ACTUAL_BALLOON, (guint64)actual / 1024);
    g_variant_builder_add(&b, "{it}", VB_QEMU_MEMSTAT_RSS, vb_qemu_rss_kib(vb_qemu_pid(obj)));
    if (vb_qemu_json_int(guest, "last-update", &last) && last > 0)
        g_variant_builder_add(&b, "{it}", VB_QEMU_MEMSTAT_LAST_UPDATE, (guint64)last);
    return g_variant_ref_sink(g_variant_builder_end(&b));
}

/* virDomainMemoryStats; completes on the balloon's QMP answers */
void
vb_qemu_domain_memory_stats(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;
    guint queries = 0;

    if (!vb_error_check_flags(flags, 0, "virDomainMemoryStats", &error) ||
        !vb_qemu_check_active(obj, &error)) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    if (vb_qemu_has_balloon(obj->live)) {
        queries |= 1u << VB_QEMU_Q_BALLOON;
        if (obj->live->memballoon->has_stats_period)
            queries |= 1u << VB_QEMU_Q_GUEST_STATS;
    }
    vb_qemu_read_start(conn, obj, queries, NULL, 0, vb_qemu_build_memory_stats, done, data);
}

/* ---- BlockStats ---- */

static gpointer
vb_qemu_build_block_stats(VbQemuRead *read, GError **error)
{
    g_autofree VbBlockStats *sum = g_new0(VbBlockStats, 1);
    JsonArray *list = vb_qemu_answer_array(read, VB_QEMU_Q_BLOCKSTATS);
    const char *name = read->name;
    gboolean all = name == NULL || *name == '\0';
    gboolean found = FALSE;

    if (!vb_qemu_check_active(read->obj, error))
        return NULL;
    if (list == NULL) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "cannot read block statistics from QEMU");
        return NULL;
    }
    /* an empty name sums every disk, as qemu's driver does */
    for (guint i = 0; i < read->obj->live->disks->len; i++) {
        const VbDomainDiskDef *d = g_ptr_array_index(read->obj->live->disks, i);
        JsonObject *s;

        if (!all && g_strcmp0(d->dst, name) != 0 && g_strcmp0(d->src, name) != 0)
            continue;
        found = TRUE;
        s = vb_qemu_find_blockstats(list, d->dst, "stats");
        sum->rd_req += vb_qemu_int(s, "rd_operations");
        sum->rd_bytes += vb_qemu_int(s, "rd_bytes");
        sum->wr_req += vb_qemu_int(s, "wr_operations");
        sum->wr_bytes += vb_qemu_int(s, "wr_bytes");
        if (!all)
            break;
    }
    if (!found && !all) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "invalid path, '%s' is not a known disk", name);
        return NULL;
    }
    /* qemu counts no errors */
    sum->errs = -1;
    return g_steal_pointer(&sum);
}

/* virDomainBlockStats; completes on query-blockstats */
void
vb_qemu_domain_block_stats(VbConn *conn, VbDomainObj *obj, const char *disk, guint flags,
                           VbDone done, gpointer data)
{
    GError *error = NULL;

    if (!vb_error_check_flags(flags, 0, "virDomainBlockStats", &error) ||
        !vb_qemu_check_active(obj, &error)) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    vb_qemu_read_start(conn, obj, 1u << VB_QEMU_Q_BLOCKSTATS, disk, 0, vb_qemu_build_block_stats,
                       done, data);
}

/* ---- interfaces ---- */

static int
vb_qemu_find_nic(const VbDomainDef *def, const char *device)
{
    guint8 mac[VB_MAC_LEN];
    gboolean is_mac = device != NULL && vb_mac_parse(device, mac);

    for (guint i = 0; device != NULL && i < def->nets->len; i++) {
        const VbDomainNetDef *net = g_ptr_array_index(def->nets, i);

        if (g_strcmp0(net->target_dev, device) == 0 ||
            (is_mac && net->has_mac && memcmp(net->mac, mac, VB_MAC_LEN) == 0))
            return i;
    }
    return -1;
}

/* virDomainInterfaceStats; completes at once from the tap's sysfs counters */
void
vb_qemu_domain_interface_stats(VbConn *conn, VbDomainObj *obj, const char *device, guint flags,
                               VbDone done, gpointer data)
{
    GError *error = NULL;
    g_autofree VbInterfaceStats *stats = g_new0(VbInterfaceStats, 1);
    const VbDomainNetDef *net;
    int index;

    if (!vb_error_check_flags(flags, 0, "virDomainInterfaceStats", &error) ||
        !vb_qemu_check_active(obj, &error)) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    index = vb_qemu_find_nic(obj->live, device);
    if (index < 0) {
        vb_error_set(&error, VB_ERROR_INVALID_ARG, "invalid path, '%s' is not a known interface",
                     device != NULL ? device : "");
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    net = g_ptr_array_index(obj->live->nets, index);
    if (net->target_dev == NULL)
        vb_error_set(&error, VB_ERROR_OPERATION_UNSUPPORTED,
                     "interface statistics are not available for a '%s' interface",
                     vb_domain_net_type_to_string(net->type));
    else
        vb_qemu_tap_stats(net->target_dev, stats, &error);
    vb_qemu_complete(done, data, error == NULL ? g_steal_pointer(&stats) : NULL, error);
}

/* the IPv4 neighbours the host saw with @mac */
static void
vb_qemu_arp_addresses(const char *mac, GVariantBuilder *addrs)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents("/proc/net/arp", &text, NULL, NULL))
        return;
    lines = g_strsplit(text, "\n", -1);
    for (guint i = 1; lines[i] != NULL; i++) {
        g_auto(GStrv) f = g_strsplit_set(lines[i], " \t", -1);
        g_autoptr(GPtrArray) fields = g_ptr_array_new();

        for (guint j = 0; f[j] != NULL; j++) {
            if (*f[j] != '\0')
                g_ptr_array_add(fields, f[j]);
        }
        if (fields->len >= 4 && g_ascii_strcasecmp(g_ptr_array_index(fields, 3), mac) == 0)
            g_variant_builder_add(addrs, "(isu)", 0, (const char *)g_ptr_array_index(fields, 0), 0);
    }
}

/* virDomainInterfaceAddresses; answers at once: ARP from the host's table, LEASE
 * knows no virtual networks yet, AGENT needs a guest agent */
void
vb_qemu_domain_interface_addresses(VbConn *conn, VbDomainObj *obj, guint source, guint flags,
                                   VbDone done, gpointer data)
{
    GError *error = NULL;
    GVariantBuilder b;

    if (vb_error_check_flags(flags, 0, "virDomainInterfaceAddresses", &error) &&
        source > VB_QEMU_ADDR_SRC_ARP)
        vb_error_set(&error, VB_ERROR_INVALID_ARG, "Unknown IP address data source %u", source);
    if (error == NULL && source == VB_QEMU_ADDR_SRC_AGENT)
        vb_error_set(&error, VB_ERROR_OPERATION_UNSUPPORTED, "QEMU guest agent is not configured");
    if (error != NULL || !vb_qemu_check_active(obj, &error)) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    g_variant_builder_init(&b, G_VARIANT_TYPE("a(ssa(isu))"));
    for (guint i = 0; source == VB_QEMU_ADDR_SRC_ARP && i < obj->live->nets->len; i++) {
        const VbDomainNetDef *net = g_ptr_array_index(obj->live->nets, i);
        char mac[VB_MAC_STRING_LEN];
        GVariantBuilder addrs;
        g_autoptr(GVariant) list = NULL;

        vb_mac_format(net->mac, mac);
        g_variant_builder_init(&addrs, G_VARIANT_TYPE("a(isu)"));
        vb_qemu_arp_addresses(mac, &addrs);
        list = g_variant_ref_sink(g_variant_builder_end(&addrs));
        if (g_variant_n_children(list) > 0)
            g_variant_builder_add(&b, "(ss@a(isu))", net->target_dev != NULL ? net->target_dev : "",
                                  mac, list);
    }
    vb_qemu_complete(done, data, g_variant_ref_sink(g_variant_builder_end(&b)), NULL);
}
