/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-qemu"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "file-util.h"
#include "qemu-driver.h"
#include "qemu-host.h"

/* changes to a domain's configuration, live (over QMP, /proc) and persistent (the
 * definition file, written on a worker before the change is applied), and the small
 * guest inputs: keys and NMIs. every call is a job. */

#define VB_QEMU_SHARES_DEFAULT 1024
#define VB_QEMU_PERIOD_DEFAULT 100000
#define VB_QEMU_SEND_KEY_MAX   16

/* ---- autostart ---- */

typedef struct {
    char *link;
    char *target;
    gboolean on;
} VbQemuAutostart;

static void
vb_qemu_autostart_free(gpointer data)
{
    VbQemuAutostart *a = data;

    g_free(a->link);
    g_free(a->target);
    g_free(a);
}

/* a symlink made under a temp name and renamed into place */
static gpointer
vb_qemu_autostart_thread(gpointer data, GError **error)
{
    VbQemuAutostart *a = data;
    g_autofree char *dir = g_path_get_dirname(a->link);
    g_autofree char *tmp = NULL;

    if (!a->on) {
        vb_qemu_remove_file(a->link, error);
        return NULL;
    }
    if (!vb_qemu_make_dir(dir, 0700, error))
        return NULL;
    tmp = g_strdup_printf("%s.%08x", a->link, g_random_int());
    if (symlink(a->target, tmp) < 0 || rename(tmp, a->link) < 0) {
        int err = errno;

        unlink(tmp);
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "cannot create autostart link '%s': %s",
                     a->link, g_strerror(err));
    }
    return NULL;
}

static void
vb_qemu_autostart_written(VbQemuJob *job, gpointer result, GError *error)
{
    if (error == NULL)
        job->obj->autostart = job->number != 0;
    vb_qemu_job_finish(job, NULL, error);
}

static void
vb_qemu_autostart_start(VbQemuJob *job)
{
    VbQemuAutostart *a;
    GError *error = NULL;
    const char *name = vb_domain_obj_name(job->obj);

    if (!vb_domain_obj_is_persistent(job->obj)) {
        vb_error_set(&error, VB_ERROR_OPERATION_INVALID,
                     "cannot set autostart for transient domain");
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    if ((job->number != 0) == job->obj->autostart) {
        vb_qemu_job_finish(job, NULL, NULL);
        return;
    }
    a = g_new0(VbQemuAutostart, 1);
    a->link = vb_qemu_autostart_path(job->qc, name);
    a->target = g_strdup_printf("../%s.xml", name);
    a->on = job->number != 0;
    vb_qemu_job_work(job, vb_qemu_autostart_thread, a, vb_qemu_autostart_free, NULL,
                     vb_qemu_autostart_written);
}

/* virDomainSetAutostart; the link on a worker */
void
vb_qemu_domain_set_autostart(VbConn *conn, VbDomainObj *obj, gboolean autostart, VbDone done,
                             gpointer data)
{
    VbQemuJob *job = vb_qemu_job_new(conn, obj, "virDomainSetAutostart", 0, done, data);

    job->number = autostart ? 1 : 0;
    vb_qemu_job_begin(job, vb_qemu_autostart_start);
}

/* ---- the common shape: live part, then the config written, then both applied ---- */

static void
vb_qemu_config_done(VbQemuJob *job)
{
    vb_qemu_commit(job->obj, NULL, g_steal_pointer(&job->def));
    vb_qemu_job_finish(job, NULL, NULL);
}

/* job->def holds the new persistent definition, or NULL when only live changed */
static void
vb_qemu_finish_config(VbQemuJob *job)
{
    if (job->def == NULL) {
        vb_domain_obj_changed(job->obj);
        vb_qemu_job_finish(job, NULL, NULL);
        return;
    }
    vb_qemu_job_write_config(job, job->def, vb_qemu_config_done);
}

static gboolean
vb_qemu_job_defs(VbQemuJob *job, VbDomainDef **live, VbDomainDef **config)
{
    GError *error = NULL;

    if (vb_domain_obj_affected(job->obj, job->flags, live, config, &error))
        return TRUE;
    vb_qemu_job_finish(job, NULL, error);
    return FALSE;
}

static gboolean vb_qemu_job_error(VbQemuJob *job, VbErrorCode code, const char *format, ...)
    G_GNUC_PRINTF(3, 4);

static gboolean
vb_qemu_job_error(VbQemuJob *job, VbErrorCode code, const char *format, ...)
{
    g_autofree char *text = NULL;
    GError *error = NULL;
    va_list args;

    va_start(args, format);
    text = g_strdup_vprintf(format, args);
    va_end(args);
    vb_error_set(&error, code, "%s", text);
    vb_qemu_job_finish(job, NULL, error);
    return FALSE;
}

/* ---- memory ---- */

static void
vb_qemu_ballooned(GObject *source, GAsyncResult *res, gpointer data)
{
    VbQemuJob *job = data;
    gboolean failed;
    G_GNUC_UNUSED g_autoptr(JsonNode) ret = vb_qemu_job_qmp_finish(job, res, &failed);

    if (failed)
        return;
    job->obj->live->current_kib = job->number;
    vb_qemu_finish_config(job);
}

static void
vb_qemu_set_memory_start(VbQemuJob *job)
{
    VbDomainDef *live = NULL, *config = NULL;
    guint64 kib = job->number;
    JsonObject *args;
    JsonNode *node;

    if (!vb_qemu_job_defs(job, &live, &config))
        return;
    if ((job->flags & VB_QEMU_MEM_MAXIMUM) != 0) {
        if (live != NULL) {
            vb_qemu_job_error(job, VB_ERROR_OPERATION_INVALID,
                              "cannot resize the maximum memory on an active domain");
            return;
        }
        if (config->has_max_memory && config->max_memory_kib < kib) {
            vb_qemu_job_error(job, VB_ERROR_OPERATION_INVALID,
                              "cannot set initial memory size greater than the maximum memory "
                              "size");
            return;
        }
        job->def = vb_domain_def_copy(config);
        job->def->memory_kib = kib;
        job->def->current_kib = MIN(job->def->current_kib, kib);
        vb_qemu_finish_config(job);
        return;
    }
    if ((live != NULL && kib > live->memory_kib) || (config != NULL && kib > config->memory_kib)) {
        vb_qemu_job_error(job, VB_ERROR_INVALID_ARG, "cannot set memory higher than max memory");
        return;
    }
    if (config != NULL) {
        job->def = vb_domain_def_copy(config);
        job->def->current_kib = kib;
    }
    if (live == NULL) {
        vb_qemu_finish_config(job);
        return;
    }
    if (live->memballoon == NULL || live->memballoon->model != VB_DOMAIN_MEMBALLOON_VIRTIO) {
        vb_qemu_job_error(job, VB_ERROR_OPERATION_INVALID,
                          "Unable to change memory of active domain without the balloon device "
                          "and guest OS balloon driver");
        return;
    }
    args = json_object_new();
    json_object_set_int_member(args, "value", (gint64)kib * 1024);
    node = json_node_init_object(json_node_alloc(), args);
    json_object_unref(args);
    vb_qemu_job_qmp(job, "balloon", node, vb_qemu_ballooned);
}

static void
vb_qemu_set_memory_call(VbConn *conn, VbDomainObj *obj, guint64 kib, guint flags,
                        const char *function, VbDone done, gpointer data)
{
    GError *error = NULL;
    VbQemuJob *job;

    if (!vb_error_check_flags(flags,
                              VB_QEMU_AFFECT_LIVE | VB_QEMU_AFFECT_CONFIG | VB_QEMU_MEM_MAXIMUM,
                              function, &error)) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    if (kib == 0) {
        vb_error_set(&error, VB_ERROR_INVALID_ARG, "memory in %s must not be zero", function);
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    job = vb_qemu_job_new(conn, obj, function, flags, done, data);
    job->number = kib;
    vb_qemu_job_begin(job, vb_qemu_set_memory_start);
}

/* virDomainSetMemoryFlags; live through the balloon (QMP), config on a worker */
void
vb_qemu_domain_set_memory(VbConn *conn, VbDomainObj *obj, guint64 kib, guint flags, VbDone done,
                          gpointer data)
{
    vb_qemu_set_memory_call(conn, obj, kib, flags, "virDomainSetMemoryFlags", done, data);
}

/* virDomainSetMaxMemory; config on a worker */
void
vb_qemu_domain_set_max_memory(VbConn *conn, VbDomainObj *obj, guint64 kib, guint flags, VbDone done,
                              gpointer data)
{
    GError *error = NULL;

    if (!vb_error_check_flags(flags, VB_QEMU_AFFECT_LIVE | VB_QEMU_AFFECT_CONFIG,
                              "virDomainSetMaxMemory", &error)) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    vb_qemu_set_memory_call(conn, obj, kib, flags | VB_QEMU_MEM_MAXIMUM, "virDomainSetMaxMemory",
                            done, data);
}

/* ---- vcpus ---- */

static void
vb_qemu_trim_vcpupins(VbDomainDef *def)
{
    for (guint i = def->vcpupins->len; i > 0; i--) {
        VbDomainVcpuPin *pin = g_ptr_array_index(def->vcpupins, i - 1);

        if (pin->vcpu >= def->vcpus_max)
            vb_domain_def_set_vcpupin(def, pin->vcpu, NULL);
    }
}

static void
vb_qemu_vcpus_plugged(VbQemuJob *job)
{
    job->obj->live->vcpus_current = job->number;
    vb_qemu_finish_config(job);
}

static void
vb_qemu_vcpus_added(VbQemuJob *job)
{
    vb_qemu_job_refresh_vcpus(job, vb_qemu_vcpus_plugged);
}

static gint64
vb_qemu_cpu_prop(JsonObject *props, const char *name)
{
    gint64 value = -1;

    vb_qemu_json_int(props, name, &value);
    return value;
}

static gint
vb_qemu_cpu_order(gconstpointer a, gconstpointer b)
{
    JsonObject *pa = vb_qemu_json_object(*(JsonObject *const *)a, "props");
    JsonObject *pb = vb_qemu_json_object(*(JsonObject *const *)b, "props");
    static const char *const keys[] = {"node-id", "socket-id", "die-id", "core-id", "thread-id"};

    for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
        gint64 x = vb_qemu_cpu_prop(pa, keys[i]), y = vb_qemu_cpu_prop(pb, keys[i]);

        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

static void
vb_qemu_hotpluggable(GObject *source, GAsyncResult *res, gpointer data)
{
    VbQemuJob *job = data;
    gboolean failed;
    g_autoptr(JsonNode) ret = vb_qemu_job_qmp_finish(job, res, &failed);
    g_autoptr(GPtrArray) free_slots = g_ptr_array_new();
    guint want = job->number - job->obj->live->vcpus_current;
    GPtrArray *seq;
    JsonArray *list;

    if (failed)
        return;
    list = JSON_NODE_HOLDS_ARRAY(ret) ? json_node_get_array(ret) : NULL;
    for (guint i = 0; list != NULL && i < json_array_get_length(list); i++) {
        JsonObject *slot = json_array_get_object_element(list, i);

        if (slot != NULL && !json_object_has_member(slot, "qom-path"))
            g_ptr_array_add(free_slots, slot);
    }
    if (free_slots->len < want) {
        vb_qemu_job_error(job, VB_ERROR_OPERATION_FAILED,
                          "qemu has %u free vcpu slots, %u are needed", free_slots->len, want);
        return;
    }
    g_ptr_array_sort(free_slots, vb_qemu_cpu_order);
    seq = vb_qemu_qmp_seq_new();
    for (guint i = 0; i < want; i++) {
        JsonObject *slot = g_ptr_array_index(free_slots, i);
        JsonObject *props = vb_qemu_json_object(slot, "props");
        JsonObject *args = json_object_new();
        g_autofree char *id = g_strdup_printf("vcpu%u", job->obj->live->vcpus_current + i);
        JsonNode *node;

        json_object_set_string_member(args, "driver", vb_qemu_json_string(slot, "type"));
        json_object_set_string_member(args, "id", id);
        g_autoptr(GList) members = props != NULL ? json_object_get_members(props) : NULL;

        for (GList *l = members; l != NULL; l = l->next)
            json_object_set_member(args, l->data,
                                   json_node_copy(json_object_get_member(props, l->data)));
        node = json_node_init_object(json_node_alloc(), args);
        json_object_unref(args);
        vb_qemu_qmp_step_add(seq, "device_add", node, -1);
    }
    vb_qemu_job_qmp_seq(job, seq, vb_qemu_vcpus_added);
}

static void
vb_qemu_set_vcpus_start(VbQemuJob *job)
{
    VbDomainDef *live = NULL, *config = NULL;
    guint vcpus = job->number;
    gboolean maximum = (job->flags & VB_QEMU_VCPU_MAXIMUM) != 0;

    if (!vb_qemu_job_defs(job, &live, &config))
        return;
    if (live != NULL && maximum) {
        vb_qemu_job_error(job, VB_ERROR_OPERATION_INVALID,
                          "maximum vcpu count of a live domain can't be modified");
        return;
    }
    if (live != NULL && vcpus > live->vcpus_max) {
        vb_qemu_job_error(job, VB_ERROR_INVALID_ARG,
                          "requested cpu amount exceeds maximum (%u > %u)", vcpus, live->vcpus_max);
        return;
    }
    if (config != NULL && !maximum && vcpus > config->vcpus_max) {
        vb_qemu_job_error(job, VB_ERROR_INVALID_ARG,
                          "requested cpu amount exceeds maximum (%u > %u)", vcpus,
                          config->vcpus_max);
        return;
    }
    if (config != NULL) {
        job->def = vb_domain_def_copy(config);
        if (maximum) {
            job->def->vcpus_max = vcpus;
            job->def->vcpus_current = MIN(job->def->vcpus_current, vcpus);
            vb_qemu_trim_vcpupins(job->def);
        } else {
            job->def->vcpus_current = vcpus;
        }
    }
    if (live == NULL || vcpus == live->vcpus_current) {
        vb_qemu_finish_config(job);
        return;
    }
    if (vcpus < live->vcpus_current) {
        vb_qemu_job_error(job, VB_ERROR_OPERATION_UNSUPPORTED,
                          "vcpu hot-unplug is not supported by the QEMU driver: the guest would "
                          "have to release the vcpus; use AFFECT_CONFIG and restart it");
        return;
    }
    vb_qemu_job_qmp(job, "query-hotpluggable-cpus", NULL, vb_qemu_hotpluggable);
}

/* virDomainSetVcpusFlags; live by vcpu hotplug (QMP device_add), config on a worker */
void
vb_qemu_domain_set_vcpus(VbConn *conn, VbDomainObj *obj, guint vcpus, guint flags, VbDone done,
                         gpointer data)
{
    GError *error = NULL;
    guint allowed =
        VB_QEMU_AFFECT_LIVE | VB_QEMU_AFFECT_CONFIG | VB_QEMU_VCPU_MAXIMUM | VB_QEMU_VCPU_GUEST;
    VbQemuJob *job;

    vb_error_check_flags(flags, allowed, "virDomainSetVcpusFlags", &error);
    if (error == NULL && vcpus == 0)
        vb_error_set(&error, VB_ERROR_INVALID_ARG,
                     "nvcpus in virDomainSetVcpusFlags must not be zero");
    if (error == NULL && vcpus > VB_DOMAIN_VCPUS_MAX)
        vb_error_set(&error, VB_ERROR_INVALID_ARG,
                     "requested cpu amount exceeds maximum supported amount (%u > %d)", vcpus,
                     VB_DOMAIN_VCPUS_MAX);
    if (error == NULL && (flags & VB_QEMU_VCPU_GUEST) != 0)
        vb_error_set(&error, VB_ERROR_OPERATION_UNSUPPORTED, "QEMU guest agent is not configured");
    if (error != NULL) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    job = vb_qemu_job_new(conn, obj, "virDomainSetVcpusFlags", flags, done, data);
    job->number = vcpus;
    vb_qemu_job_begin(job, vb_qemu_set_vcpus_start);
}

/* ---- pinning ---- */

static void
vb_qemu_pin_start(VbQemuJob *job)
{
    VbDomainDef *live = NULL, *config = NULL;
    VbCpuSet *set = job->extra;
    guint vcpu = job->number;
    GError *error = NULL;

    if (!vb_qemu_job_defs(job, &live, &config))
        return;
    if ((live != NULL && vcpu >= live->vcpus_current) ||
        (config != NULL && vcpu >= config->vcpus_max)) {
        vb_qemu_job_error(job, VB_ERROR_INVALID_ARG,
                          "requested vcpu '%u' is not present in the domain", vcpu);
        return;
    }
    if (live != NULL) {
        GArray *tids = vb_qemu_dom(job->obj)->vcpu_tids;
        pid_t tid = tids != NULL && vcpu < tids->len ? g_array_index(tids, pid_t, vcpu) : 0;
        g_autofree gboolean *map = g_new0(gboolean, set->nbits);

        for (guint cpu = 0; cpu < set->nbits; cpu++)
            map[cpu] = vb_cpuset_is_set(set, cpu);
        if (tid <= 0) {
            vb_qemu_job_error(job, VB_ERROR_OPERATION_FAILED, "cannot find the thread of vcpu %u",
                              vcpu);
            return;
        }
        if (!vb_qemu_proc_set_affinity(tid, map, set->nbits, &error)) {
            vb_qemu_job_finish(job, NULL, error);
            return;
        }
        vb_domain_def_set_vcpupin(live, vcpu, vb_cpuset_copy(set));
    }
    if (config != NULL) {
        job->def = vb_domain_def_copy(config);
        vb_domain_def_set_vcpupin(job->def, vcpu, vb_cpuset_copy(set));
    }
    vb_qemu_finish_config(job);
}

/* virDomainPinVcpuFlags; the thread's affinity at once, config on a worker */
void
vb_qemu_domain_pin_vcpu(VbConn *conn, VbDomainObj *obj, guint vcpu, const gboolean *cpumap,
                        gsize ncpus, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;
    g_autoptr(GArray) online = NULL;
    g_autoptr(VbCpuSet) set = NULL;
    VbQemuJob *job;
    guint hostcpus;

    if (!vb_error_check_flags(flags, VB_QEMU_AFFECT_LIVE | VB_QEMU_AFFECT_CONFIG,
                              "virDomainPinVcpuFlags", &error) ||
        (online = vb_qemu_host_cpu_map(&error)) == NULL) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    /* cpus the host does not have are ignored, as libvirt truncates the map */
    hostcpus = MIN(online->len, VB_CPUSET_MAX);
    set = vb_cpuset_new(MAX(hostcpus, 1));
    for (gsize i = 0; i < ncpus && i < hostcpus; i++) {
        if (cpumap[i])
            vb_cpuset_set(set, i);
    }
    if (vb_cpuset_count(set) == 0) {
        vb_error_set(&error, VB_ERROR_INVALID_ARG, "Empty cpu list for pinning");
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    job = vb_qemu_job_new(conn, obj, "virDomainPinVcpuFlags", flags, done, data);
    job->number = vcpu;
    job->extra = g_steal_pointer(&set);
    job->extra_free = (GDestroyNotify)vb_cpuset_free;
    vb_qemu_job_begin(job, vb_qemu_pin_start);
}

/* ---- scheduler: recorded in the definition; without cgroups nothing enforces it ---- */

/* virDomainGetSchedulerType; answers at once */
char *
vb_qemu_domain_get_scheduler_type(VbConn *conn, VbDomainObj *obj, int *nparams, GError **error)
{
    if (nparams != NULL)
        *nparams = 3;
    return g_strdup("posix");
}

/* virDomainGetSchedulerParametersFlags; answers at once */
GVariant *
vb_qemu_domain_get_scheduler_params(VbConn *conn, VbDomainObj *obj, guint flags, GError **error)
{
    const VbDomainDef *def;
    GVariantBuilder b;

    if (!vb_error_check_flags(flags, VB_QEMU_AFFECT_LIVE | VB_QEMU_AFFECT_CONFIG,
                              "virDomainGetSchedulerParametersFlags", error))
        return NULL;
    if ((flags & VB_QEMU_AFFECT_LIVE) != 0 && (flags & VB_QEMU_AFFECT_CONFIG) != 0) {
        vb_error_set(error, VB_ERROR_INVALID_ARG,
                     "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are "
                     "mutually exclusive");
        return NULL;
    }
    if ((flags & VB_QEMU_AFFECT_LIVE) != 0 && !vb_qemu_check_active(obj, error))
        return NULL;
    if ((flags & VB_QEMU_AFFECT_CONFIG) != 0 && !vb_domain_obj_is_persistent(obj)) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID,
                     "transient domains do not have any persistent config");
        return NULL;
    }
    def = (flags & VB_QEMU_AFFECT_CONFIG) != 0 ? obj->config : vb_domain_obj_def(obj);
    g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
    g_variant_builder_add(
        &b, "{sv}", "cpu_shares",
        g_variant_new_uint64(def->has_shares ? def->shares : VB_QEMU_SHARES_DEFAULT));
    g_variant_builder_add(
        &b, "{sv}", "vcpu_period",
        g_variant_new_uint64(def->has_period ? def->period : VB_QEMU_PERIOD_DEFAULT));
    g_variant_builder_add(&b, "{sv}", "vcpu_quota",
                          g_variant_new_int64(def->has_quota ? def->quota : -1));
    return g_variant_ref_sink(g_variant_builder_end(&b));
}

static GVariant *
vb_qemu_unwrap(GVariant *value)
{
    while (g_variant_is_of_type(value, G_VARIANT_TYPE_VARIANT)) {
        GVariant *inner = g_variant_get_variant(value);

        g_variant_unref(value);
        value = inner;
    }
    return value;
}

static gboolean
vb_qemu_sched_apply(VbDomainDef *def, GVariant *params, GError **error)
{
    GVariantIter iter;
    const char *field;
    GVariant *raw;

    g_variant_iter_init(&iter, params);
    while (g_variant_iter_next(&iter, "{&sv}", &field, &raw)) {
        g_autoptr(GVariant) value = vb_qemu_unwrap(raw);
        gboolean is_quota = g_str_equal(field, "vcpu_quota");
        const char *want = is_quota ? "x" : "t";
        gint64 v;

        if (!g_str_equal(field, "cpu_shares") && !g_str_equal(field, "vcpu_period") && !is_quota) {
            vb_error_set(error, VB_ERROR_INVALID_ARG, "parameter '%s' not supported", field);
            return FALSE;
        }
        if (!g_variant_is_of_type(value, G_VARIANT_TYPE(want))) {
            vb_error_set(error, VB_ERROR_INVALID_ARG,
                         "invalid type for parameter '%s', expected '%s'", field,
                         is_quota ? "llong" : "ullong");
            return FALSE;
        }
        v = is_quota ? g_variant_get_int64(value)
                     : (gint64)MIN(g_variant_get_uint64(value), (guint64)G_MAXINT64);
        if (g_str_equal(field, "cpu_shares")) {
            if (v < 2 || v > 262144) {
                vb_error_set(error, VB_ERROR_INVALID_ARG,
                             "value of 'cpu_shares' is out of range [2, 262144]");
                return FALSE;
            }
            def->has_shares = TRUE;
            def->shares = v;
        } else if (g_str_equal(field, "vcpu_period") && v != 0) {
            if (v < 1000 || v > 1000000) {
                vb_error_set(error, VB_ERROR_INVALID_ARG,
                             "value of 'vcpu_period' is out of range [1000, 1000000]");
                return FALSE;
            }
            def->has_period = TRUE;
            def->period = v;
        } else if (is_quota && v != 0) {
            if (v != -1 && (v < 1000 || v > G_GINT64_CONSTANT(17592186044415))) {
                vb_error_set(error, VB_ERROR_INVALID_ARG,
                             "value of 'vcpu_quota' is out of range [1000, 17592186044415]");
                return FALSE;
            }
            def->has_quota = TRUE;
            def->quota = v;
        }
    }
    return TRUE;
}

static void
vb_qemu_sched_start(VbQemuJob *job)
{
    VbDomainDef *live = NULL, *config = NULL;
    GError *error = NULL;

    if (!vb_qemu_job_defs(job, &live, &config))
        return;
    if (live != NULL) {
        vb_qemu_job_error(job, VB_ERROR_OPERATION_INVALID,
                          "cgroup CPU controller is not mounted: scheduler parameters of a "
                          "running domain cannot be changed");
        return;
    }
    job->def = vb_domain_def_copy(config);
    if (!vb_qemu_sched_apply(job->def, job->extra, &error)) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    vb_qemu_finish_config(job);
}

/* virDomainSetSchedulerParametersFlags; config on a worker */
void
vb_qemu_domain_set_scheduler_params(VbConn *conn, VbDomainObj *obj, GVariant *params, guint flags,
                                    VbDone done, gpointer data)
{
    GError *error = NULL;
    VbQemuJob *job;

    if (vb_error_check_flags(flags, VB_QEMU_AFFECT_LIVE | VB_QEMU_AFFECT_CONFIG,
                             "virDomainSetSchedulerParametersFlags", &error) &&
        (params == NULL || !g_variant_is_of_type(params, G_VARIANT_TYPE("a{sv}"))))
        vb_error_set(&error, VB_ERROR_INVALID_ARG, "scheduler parameters must be a{sv}");
    if (error != NULL) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    job = vb_qemu_job_new(conn, obj, "virDomainSetSchedulerParametersFlags", flags, done, data);
    job->extra = g_variant_ref(params);
    job->extra_free = (GDestroyNotify)g_variant_unref;
    vb_qemu_job_begin(job, vb_qemu_sched_start);
}

/* ---- metadata ---- */

static void
vb_qemu_metadata_done(VbQemuJob *job)
{
    VbConn *conn = job->qc->conn;
    const char *uri = job->path;
    int type = job->state;

    vb_qemu_commit(job->obj, NULL, g_steal_pointer(&job->def));
    vb_conn_emit_domain_signal(
        conn, job->obj, "MetadataChange",
        g_variant_new("(is)", type, type == VB_DOMAIN_METADATA_ELEMENT && uri != NULL ? uri : ""));
    vb_qemu_job_finish(job, NULL, NULL);
}

static void
vb_qemu_metadata_start(VbQemuJob *job)
{
    VbDomainDef *live = NULL, *config = NULL;
    g_autoptr(VbDomainDef) new_live = NULL;
    GError *error = NULL;
    const char *key = job->text;

    if (!vb_qemu_job_defs(job, &live, &config))
        return;
    if (live != NULL) {
        new_live = vb_domain_def_copy(live);
        if (!vb_domain_def_set_metadata(new_live, job->state, job->xml, key, job->path, &error)) {
            vb_qemu_job_finish(job, NULL, error);
            return;
        }
    }
    if (config != NULL) {
        job->def = vb_domain_def_copy(config);
        if (!vb_domain_def_set_metadata(job->def, job->state, job->xml, key, job->path, &error)) {
            vb_qemu_job_finish(job, NULL, error);
            return;
        }
    }
    if (new_live != NULL) {
        vb_qemu_commit(job->obj, g_steal_pointer(&new_live), NULL);
        vb_qemu_domain_save_status(job->qc->conn, job->obj, NULL, NULL);
    }
    if (job->def == NULL) {
        vb_qemu_metadata_done(job);
        return;
    }
    vb_qemu_job_write_config(job, job->def, vb_qemu_metadata_done);
}

/* virDomainSetMetadata; config on a worker */
void
vb_qemu_domain_set_metadata(VbConn *conn, VbDomainObj *obj, int type, const char *metadata,
                            const char *key, const char *uri, guint flags, VbDone done,
                            gpointer data)
{
    GError *error = NULL;
    VbQemuJob *job;

    if (!vb_error_check_flags(flags, VB_QEMU_AFFECT_LIVE | VB_QEMU_AFFECT_CONFIG,
                              "virDomainSetMetadata", &error)) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    job = vb_qemu_job_new(conn, obj, "virDomainSetMetadata", flags, done, data);
    job->state = type;
    job->xml = g_strdup(metadata);
    job->text = g_strdup(key);
    job->path = g_strdup(uri);
    vb_qemu_job_begin(job, vb_qemu_metadata_start);
}

/* ---- rename ---- */

typedef struct {
    char *old_config, *new_config;
    char *old_link, *new_link, *target;
    char *xml;
    gboolean autostart;
} VbQemuRenameFiles;

static void
vb_qemu_rename_files_free(gpointer data)
{
    VbQemuRenameFiles *r = data;

    g_free(r->old_config);
    g_free(r->new_config);
    g_free(r->old_link);
    g_free(r->new_link);
    g_free(r->target);
    g_free(r->xml);
    g_free(r);
}

/* the new file first: a crash leaves both names, never none */
static gpointer
vb_qemu_rename_thread(gpointer data, GError **error)
{
    VbQemuRenameFiles *r = data;

    if (!vb_file_write_atomic(r->new_config, r->xml, strlen(r->xml), 0600, error))
        return NULL;
    if (r->autostart) {
        vb_qemu_remove_file(r->new_link, NULL);
        if (symlink(r->target, r->new_link) < 0) {
            int err = errno;

            vb_qemu_remove_file(r->new_config, NULL);
            vb_error_set(error, VB_ERROR_OPERATION_FAILED, "cannot create autostart link '%s': %s",
                         r->new_link, g_strerror(err));
            return NULL;
        }
        vb_qemu_remove_file(r->old_link, NULL);
    }
    vb_qemu_remove_file(r->old_config, error);
    return NULL;
}

static void
vb_qemu_renamed(VbQemuJob *job, gpointer result, GError *error)
{
    VbConn *conn = job->qc->conn;

    if (error == NULL) {
        vb_conn_emit_domain(conn, job->obj, VB_EVENT_UNDEFINED, VB_EVENT_UNDEFINED_RENAMED);
        if (vb_domain_list_rename(conn->domains, job->obj, job->text, &error))
            vb_conn_emit_domain(conn, job->obj, VB_EVENT_DEFINED, VB_EVENT_DEFINED_RENAMED);
    }
    vb_qemu_job_finish(job, NULL, error);
}

static void
vb_qemu_rename_start(VbQemuJob *job)
{
    VbDomainObj *obj = job->obj;
    const char *name = job->text;
    g_autoptr(VbDomainDef) def = NULL;
    VbQemuRenameFiles *r;

    if (vb_domain_obj_is_active(obj)) {
        vb_qemu_job_error(job, VB_ERROR_OPERATION_INVALID, "cannot rename active domain");
        return;
    }
    if (!vb_domain_obj_is_persistent(obj)) {
        vb_qemu_job_error(job, VB_ERROR_OPERATION_INVALID, "cannot rename a transient domain");
        return;
    }
    if (obj->managed_save) {
        vb_qemu_job_error(job, VB_ERROR_OPERATION_INVALID,
                          "domain with a managed saved state can't be renamed");
        return;
    }
    if (g_strcmp0(vb_domain_obj_name(obj), name) == 0) {
        vb_qemu_job_error(job, VB_ERROR_OPERATION_INVALID, "Can't rename domain to itself");
        return;
    }
    if (vb_domain_list_find_name(job->qc->conn->domains, name) != NULL ||
        g_hash_table_contains(job->qc->defining, name)) {
        vb_qemu_job_error(job, VB_ERROR_OPERATION_INVALID, "domain with name '%s' already exists",
                          name);
        return;
    }
    def = vb_domain_def_copy(obj->config);
    g_free(def->name);
    def->name = g_strdup(name);
    r = g_new0(VbQemuRenameFiles, 1);
    r->old_config = vb_qemu_config_path(job->qc, vb_domain_obj_name(obj));
    r->new_config = vb_qemu_config_path(job->qc, name);
    r->old_link = vb_qemu_autostart_path(job->qc, vb_domain_obj_name(obj));
    r->new_link = vb_qemu_autostart_path(job->qc, name);
    r->target = g_strdup_printf("../%s.xml", name);
    r->xml = vb_domain_def_format(def, VB_DOMAIN_XML_INACTIVE | VB_DOMAIN_XML_SECURE);
    r->autostart = obj->autostart;
    vb_qemu_job_work(job, vb_qemu_rename_thread, r, vb_qemu_rename_files_free, NULL,
                     vb_qemu_renamed);
}

/* virDomainRename; the files on a worker */
void
vb_qemu_domain_rename(VbConn *conn, VbDomainObj *obj, const char *name, guint flags, VbDone done,
                      gpointer data)
{
    GError *error = NULL;
    VbQemuJob *job;

    if (!vb_error_check_flags(flags, 0, "virDomainRename", &error) ||
        !vb_name_check(name, "domain", VB_ERROR_INVALID_ARG, &error)) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    job = vb_qemu_job_new(conn, obj, "virDomainRename", flags, done, data);
    job->text = g_strdup(name);
    vb_qemu_job_begin(job, vb_qemu_rename_start);
}

/* ---- NMI and keys ---- */

static void
vb_qemu_input_reply(GObject *source, GAsyncResult *res, gpointer data)
{
    VbQemuJob *job = data;
    gboolean failed;
    G_GNUC_UNUSED g_autoptr(JsonNode) ret = vb_qemu_job_qmp_finish(job, res, &failed);

    if (!failed)
        vb_qemu_job_finish(job, NULL, NULL);
}

static void
vb_qemu_inject_nmi_start(VbQemuJob *job)
{
    GError *error = NULL;

    if (!vb_qemu_check_running(job->obj, &error)) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    vb_qemu_job_qmp(job, "inject-nmi", NULL, vb_qemu_input_reply);
}

/* virDomainInjectNMI; completes on the QMP reply */
void
vb_qemu_domain_inject_nmi(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;

    if (!vb_error_check_flags(flags, 0, "virDomainInjectNMI", &error)) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    vb_qemu_job_begin(vb_qemu_job_new(conn, obj, "virDomainInjectNMI", flags, done, data),
                      vb_qemu_inject_nmi_start);
}

/* libvirt's virKeycodeSet, in order */
static const char *const vb_qemu_keycode_sets[] = {
    "linux", "xt", "atset1", "atset2", "atset3", "os_x", "xt_kbd", "usb", "win32", "rfb", "qnum",
};
enum {
    VB_QEMU_KEYS_LINUX = 0,
    VB_QEMU_KEYS_XT = 1,
    VB_QEMU_KEYS_ATSET1 = 2,
    VB_QEMU_KEYS_XT_KBD = 6,
    VB_QEMU_KEYS_RFB = 9,
    VB_QEMU_KEYS_QNUM = 10,
};

/* linux keycodes beyond the XT-compatible 1..88, to qemu's numbers (0x80 | e0 code) */
static const struct {
    guint16 linux_code;
    guint16 qnum;
} vb_qemu_linux_extended[] = {
    {96, 0x9c},  {97, 0x9d},  {98, 0xb5},  {99, 0x54},  {100, 0xb8}, {102, 0xc7},
    {103, 0xc8}, {104, 0xc9}, {105, 0xcb}, {106, 0xcd}, {107, 0xcf}, {108, 0xd0},
    {109, 0xd1}, {110, 0xd2}, {111, 0xd3}, {113, 0xa0}, {114, 0xae}, {115, 0xb0},
    {116, 0xde}, {117, 0x59}, {119, 0xc6}, {125, 0xdb}, {126, 0xdc}, {127, 0xdd},
};

/* qemu's "number" keys are its qnum codes; -1 for a key this driver cannot map */
static int
vb_qemu_keycode_to_qnum(guint codeset, guint code)
{
    switch (codeset) {
    case VB_QEMU_KEYS_QNUM:
    case VB_QEMU_KEYS_RFB:
        return code <= 0xff ? (int)code : -1;
    case VB_QEMU_KEYS_XT:
    case VB_QEMU_KEYS_ATSET1:
        return code >= 1 && code <= 0x7f ? (int)code : -1;
    case VB_QEMU_KEYS_XT_KBD:
        if ((code & 0xff00) == 0xe000)
            return 0x80 | (code & 0x7f);
        return code >= 1 && code <= 0x7f ? (int)code : -1;
    case VB_QEMU_KEYS_LINUX:
        if (code >= 1 && code <= 83)
            return (int)code;
        if (code >= 86 && code <= 88)
            return (int)code;
        for (guint i = 0; i < G_N_ELEMENTS(vb_qemu_linux_extended); i++) {
            if (vb_qemu_linux_extended[i].linux_code == code)
                return vb_qemu_linux_extended[i].qnum;
        }
        return -1;
    default:
        return -1;
    }
}

static void
vb_qemu_send_key_start(VbQemuJob *job)
{
    GError *error = NULL;

    if (!vb_qemu_check_running(job->obj, &error)) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    vb_qemu_job_qmp(job, "send-key", json_node_ref(job->extra), vb_qemu_input_reply);
}

/* virDomainSendKey; completes on the QMP reply */
void
vb_qemu_domain_send_key(VbConn *conn, VbDomainObj *obj, guint codeset, guint holdtime,
                        const guint *keycodes, gsize nkeycodes, guint flags, VbDone done,
                        gpointer data)
{
    GError *error = NULL;
    JsonArray *keys;
    JsonObject *args;
    VbQemuJob *job;

    vb_error_check_flags(flags, 0, "virDomainSendKey", &error);
    if (error == NULL && codeset >= G_N_ELEMENTS(vb_qemu_keycode_sets))
        vb_error_set(&error, VB_ERROR_INVALID_ARG, "unknown keycode set %u", codeset);
    if (error == NULL && (nkeycodes == 0 || nkeycodes > VB_QEMU_SEND_KEY_MAX))
        vb_error_set(&error, VB_ERROR_INVALID_ARG, "nkeycodes in virDomainSendKey must be <= %d",
                     VB_QEMU_SEND_KEY_MAX);
    if (error != NULL) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    keys = json_array_new();
    for (gsize i = 0; i < nkeycodes && error == NULL; i++) {
        int qnum = vb_qemu_keycode_to_qnum(codeset, keycodes[i]);
        JsonObject *key;

        if (qnum < 0) {
            vb_error_set(&error, VB_ERROR_INVALID_ARG, "invalid keycode %u of %s codeset",
                         keycodes[i], vb_qemu_keycode_sets[codeset]);
            break;
        }
        key = json_object_new();
        json_object_set_string_member(key, "type", "number");
        json_object_set_int_member(key, "data", qnum);
        json_array_add_object_element(keys, key);
    }
    if (error != NULL) {
        json_array_unref(keys);
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    args = json_object_new();
    json_object_set_array_member(args, "keys", keys);
    if (holdtime > 0)
        json_object_set_int_member(args, "hold-time", holdtime);
    job = vb_qemu_job_new(conn, obj, "virDomainSendKey", flags, done, data);
    job->extra = json_node_init_object(json_node_alloc(), args);
    job->extra_free = (GDestroyNotify)json_node_unref;
    json_object_unref(args);
    vb_qemu_job_begin(job, vb_qemu_send_key_start);
}
