/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-test"

#include "test-driver.h"

#define VB_TEST_SHARES_DEFAULT 1024
#define VB_TEST_PERIOD_DEFAULT 100000
#define VB_TEST_SHARES_MIN     2
#define VB_TEST_SHARES_MAX     262144
#define VB_TEST_PERIOD_MIN     1000
#define VB_TEST_PERIOD_MAX     1000000
#define VB_TEST_QUOTA_MIN      1000
#define VB_TEST_QUOTA_MAX      G_GINT64_CONSTANT(17592186044415)

enum { VB_TEST_DEVICE_MODIFY_FORCE = 4 };

/* replaces the definitions that changed; a config change of a running domain shows in
 * Updated */
static void
vb_test_commit(VbDomainObj *obj, VbDomainDef *live, VbDomainDef *config)
{
    if (live != NULL) {
        vb_domain_def_free(obj->live);
        obj->live = live;
    }
    if (config != NULL) {
        vb_domain_def_free(obj->config);
        obj->config = config;
        if (vb_domain_obj_is_active(obj))
            obj->updated = TRUE;
    }
    vb_domain_obj_changed(obj);
}

static gboolean
vb_test_prepare(const VbDomainObj *obj, guint flags, guint allowed, const char *function,
                VbDomainDef **live, VbDomainDef **config, GError **error)
{
    return vb_error_check_flags(flags, allowed, function, error) &&
           vb_test_check_busy(obj, error) &&
           vb_domain_obj_affected(obj, flags, live, config, error);
}

static gboolean
vb_test_set_memory(VbConn *conn, VbDomainObj *obj, guint64 kib, guint flags, const char *function,
                   GError **error)
{
    VbDomainDef *live = NULL;
    VbDomainDef *config = NULL;
    guint allowed = VB_TEST_AFFECT_LIVE | VB_TEST_AFFECT_CONFIG | VB_TEST_MEM_MAXIMUM;

    if (!vb_test_prepare(obj, flags, allowed, function, &live, &config, error))
        return FALSE;
    if (kib == 0) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "memory in %s must not be zero", function);
        return FALSE;
    }

    if ((flags & VB_TEST_MEM_MAXIMUM) != 0) {
        if (live != NULL) {
            vb_error_set(error, VB_ERROR_OPERATION_INVALID,
                         "cannot resize the maximum memory on an active domain");
            return FALSE;
        }
        if (config->has_max_memory && config->max_memory_kib < kib) {
            vb_error_set(error, VB_ERROR_OPERATION_INVALID,
                         "cannot set initial memory size greater than the maximum memory size");
            return FALSE;
        }
        config->memory_kib = kib;
        config->current_kib = MIN(config->current_kib, kib);
        if (vb_domain_obj_is_active(obj))
            obj->updated = TRUE;
        vb_domain_obj_changed(obj);
        return TRUE;
    }

    if ((live != NULL && kib > live->memory_kib) || (config != NULL && kib > config->memory_kib)) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "cannot set memory higher than max memory");
        return FALSE;
    }
    if (config != NULL) {
        config->current_kib = kib;
        if (vb_domain_obj_is_active(obj))
            obj->updated = TRUE;
    }
    if (live != NULL)
        live->current_kib = kib;
    vb_domain_obj_changed(obj);
    if (live != NULL)
        vb_conn_emit_domain_signal(conn, obj, "BalloonChange", g_variant_new("(t)", kib));
    return TRUE;
}

/* virDomainSetMemoryFlags; completes at once */
void
vb_test_domain_set_memory(VbConn *conn, VbDomainObj *obj, guint64 kib, guint flags, VbDone done,
                          gpointer data)
{
    GError *error = NULL;

    vb_test_set_memory(conn, obj, kib, flags, "virDomainSetMemoryFlags", &error);
    vb_test_complete(done, data, NULL, error);
}

/* virDomainSetMaxMemory; completes at once */
void
vb_test_domain_set_max_memory(VbConn *conn, VbDomainObj *obj, guint64 kib, guint flags, VbDone done,
                              gpointer data)
{
    GError *error = NULL;

    if (vb_error_check_flags(flags, VB_TEST_AFFECT_LIVE | VB_TEST_AFFECT_CONFIG,
                             "virDomainSetMaxMemory", &error))
        vb_test_set_memory(conn, obj, kib, flags | VB_TEST_MEM_MAXIMUM, "virDomainSetMaxMemory",
                           &error);
    vb_test_complete(done, data, NULL, error);
}

/* pins of vcpus that no longer exist go with them */
static void
vb_test_trim_vcpupins(VbDomainDef *def)
{
    for (guint i = def->vcpupins->len; i > 0; i--) {
        VbDomainVcpuPin *pin = g_ptr_array_index(def->vcpupins, i - 1);

        if (pin->vcpu >= def->vcpus_max)
            vb_domain_def_set_vcpupin(def, pin->vcpu, NULL);
    }
}

static gboolean
vb_test_set_guest_vcpus(VbDomainObj *obj, guint vcpus, guint flags, GError **error)
{
    if ((flags & VB_TEST_VCPU_MAXIMUM) != 0) {
        vb_error_set(error, VB_ERROR_INVALID_ARG,
                     "Flags 'VIR_DOMAIN_VCPU_MAXIMUM' and 'VIR_DOMAIN_VCPU_GUEST' are mutually "
                     "exclusive");
        return FALSE;
    }
    if ((flags & VB_TEST_AFFECT_CONFIG) != 0) {
        vb_error_set(error, VB_ERROR_INVALID_ARG,
                     "Flags 'VIR_DOMAIN_AFFECT_CONFIG' and 'VIR_DOMAIN_VCPU_GUEST' are mutually "
                     "exclusive");
        return FALSE;
    }
    if (!vb_test_check_busy(obj, error) || !vb_test_check_active(obj, error))
        return FALSE;
    if (vcpus > obj->live->vcpus_current) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "requested cpu amount exceeds maximum (%u > %u)",
                     vcpus, obj->live->vcpus_current);
        return FALSE;
    }
    vb_test_dom(obj)->guest_vcpus = vcpus;
    return TRUE;
}

static gboolean
vb_test_set_vcpus(VbDomainObj *obj, guint vcpus, guint flags, GError **error)
{
    VbDomainDef *live = NULL;
    VbDomainDef *config = NULL;
    guint allowed =
        VB_TEST_AFFECT_LIVE | VB_TEST_AFFECT_CONFIG | VB_TEST_VCPU_MAXIMUM | VB_TEST_VCPU_GUEST;

    if (!vb_error_check_flags(flags, allowed, "virDomainSetVcpusFlags", error))
        return FALSE;
    if (vcpus == 0) {
        vb_error_set(error, VB_ERROR_INVALID_ARG,
                     "nvcpus in virDomainSetVcpusFlags must not be zero");
        return FALSE;
    }
    if (vcpus > VB_TEST_MAX_VCPUS) {
        vb_error_set(error, VB_ERROR_INVALID_ARG,
                     "requested cpu amount exceeds maximum supported amount (%u > %d)", vcpus,
                     VB_TEST_MAX_VCPUS);
        return FALSE;
    }
    if ((flags & VB_TEST_VCPU_GUEST) != 0)
        return vb_test_set_guest_vcpus(obj, vcpus, flags, error);
    if (!vb_test_prepare(obj, flags, allowed, "virDomainSetVcpusFlags", &live, &config, error))
        return FALSE;

    if (live != NULL && (flags & VB_TEST_VCPU_MAXIMUM) != 0) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID,
                     "maximum vcpu count of a live domain can't be modified");
        return FALSE;
    }
    if (live != NULL && vcpus > live->vcpus_max) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "requested cpu amount exceeds maximum (%u > %u)",
                     vcpus, live->vcpus_max);
        return FALSE;
    }
    if (config != NULL && (flags & VB_TEST_VCPU_MAXIMUM) == 0 && vcpus > config->vcpus_max) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "requested cpu amount exceeds maximum (%u > %u)",
                     vcpus, config->vcpus_max);
        return FALSE;
    }

    if (live != NULL) {
        live->vcpus_current = vcpus;
        vb_test_dom(obj)->guest_vcpus = 0;
    }
    if (config != NULL) {
        if ((flags & VB_TEST_VCPU_MAXIMUM) != 0) {
            config->vcpus_max = vcpus;
            config->vcpus_current = MIN(config->vcpus_current, vcpus);
            vb_test_trim_vcpupins(config);
        } else {
            config->vcpus_current = vcpus;
        }
        if (vb_domain_obj_is_active(obj))
            obj->updated = TRUE;
    }
    vb_domain_obj_changed(obj);
    return TRUE;
}

/* virDomainSetVcpusFlags; completes at once */
void
vb_test_domain_set_vcpus(VbConn *conn, VbDomainObj *obj, guint vcpus, guint flags, VbDone done,
                         gpointer data)
{
    GError *error = NULL;

    vb_test_set_vcpus(obj, vcpus, flags, &error);
    vb_test_complete(done, data, NULL, error);
}

static gboolean
vb_test_pin_vcpu(VbConn *conn, VbDomainObj *obj, guint vcpu, const gboolean *cpumap, gsize ncpus,
                 guint flags, GError **error)
{
    VbDomainDef *live = NULL;
    VbDomainDef *config = NULL;
    g_autoptr(VbCpuSet) set = NULL;
    guint hostcpus = vb_test_conn(conn)->node.cpus;

    if (!vb_test_prepare(obj, flags, VB_TEST_AFFECT_LIVE | VB_TEST_AFFECT_CONFIG,
                         "virDomainPinVcpuFlags", &live, &config, error))
        return FALSE;
    /* cpus the host does not have are ignored, as libvirt truncates the map */
    set = vb_cpuset_new(hostcpus);
    for (gsize i = 0; i < ncpus && i < hostcpus; i++) {
        if (cpumap[i])
            vb_cpuset_set(set, i);
    }
    if (vb_cpuset_count(set) == 0) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "Empty cpu list for pinning");
        return FALSE;
    }
    if ((live != NULL && vcpu >= live->vcpus_current) ||
        (config != NULL && vcpu >= config->vcpus_max)) {
        vb_error_set(error, VB_ERROR_INVALID_ARG,
                     "requested vcpu '%u' is not present in the domain", vcpu);
        return FALSE;
    }
    if (live != NULL)
        vb_domain_def_set_vcpupin(live, vcpu, vb_cpuset_copy(set));
    if (config != NULL) {
        vb_domain_def_set_vcpupin(config, vcpu, vb_cpuset_copy(set));
        if (vb_domain_obj_is_active(obj))
            obj->updated = TRUE;
    }
    vb_domain_obj_changed(obj);
    return TRUE;
}

/* virDomainPinVcpuFlags; completes at once */
void
vb_test_domain_pin_vcpu(VbConn *conn, VbDomainObj *obj, guint vcpu, const gboolean *cpumap,
                        gsize ncpus, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;

    vb_test_pin_vcpu(conn, obj, vcpu, cpumap, ncpus, flags, &error);
    vb_test_complete(done, data, NULL, error);
}

/* virDomainGetSchedulerType; answers at once */
char *
vb_test_domain_get_scheduler_type(VbConn *conn, VbDomainObj *obj, int *nparams, GError **error)
{
    if (nparams != NULL)
        *nparams = 3;
    return g_strdup("posix");
}

/* virDomainGetSchedulerParametersFlags; answers at once */
GVariant *
vb_test_domain_get_scheduler_params(VbConn *conn, VbDomainObj *obj, guint flags, GError **error)
{
    const VbDomainDef *def;
    GVariantBuilder builder;
    gboolean active = vb_domain_obj_is_active(obj);

    if (!vb_error_check_flags(flags, VB_TEST_AFFECT_LIVE | VB_TEST_AFFECT_CONFIG,
                              "virDomainGetSchedulerParametersFlags", error))
        return NULL;
    if ((flags & VB_TEST_AFFECT_LIVE) != 0 && (flags & VB_TEST_AFFECT_CONFIG) != 0) {
        vb_error_set(error, VB_ERROR_INVALID_ARG,
                     "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are "
                     "mutually exclusive");
        return NULL;
    }
    if ((flags & VB_TEST_AFFECT_LIVE) != 0 && !active) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID, "domain is not running");
        return NULL;
    }
    if ((flags & VB_TEST_AFFECT_CONFIG) != 0 && !vb_domain_obj_is_persistent(obj)) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID,
                     "transient domains do not have any persistent config");
        return NULL;
    }
    def = (flags & VB_TEST_AFFECT_CONFIG) != 0 ? obj->config : vb_domain_obj_def(obj);

    g_variant_builder_init(&builder, G_VARIANT_TYPE("a{sv}"));
    g_variant_builder_add(
        &builder, "{sv}", "cpu_shares",
        g_variant_new_uint64(def->has_shares ? def->shares : VB_TEST_SHARES_DEFAULT));
    g_variant_builder_add(
        &builder, "{sv}", "vcpu_period",
        g_variant_new_uint64(def->has_period ? def->period : VB_TEST_PERIOD_DEFAULT));
    g_variant_builder_add(&builder, "{sv}", "vcpu_quota",
                          g_variant_new_int64(def->has_quota ? def->quota : -1));
    return g_variant_ref_sink(g_variant_builder_end(&builder));
}

typedef struct {
    gboolean set_shares, set_period, set_quota;
    guint64 shares, period;
    gint64 quota;
} VbTestSched;

static const char *
vb_test_typed_param_name(const GVariantType *type)
{
    static const struct {
        const char *gtype;
        const char *name;
    } names[] = {
        {"i", "int"},    {"u", "uint"},    {"x", "llong"},  {"t", "ullong"},
        {"d", "double"}, {"b", "boolean"}, {"s", "string"},
    };

    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        if (g_variant_type_equal(type, G_VARIANT_TYPE(names[i].gtype)))
            return names[i].name;
    }
    return "unknown";
}

static gboolean
vb_test_sched_expect(const char *field, GVariant *value, const char *type, GError **error)
{
    if (g_variant_is_of_type(value, G_VARIANT_TYPE(type)))
        return TRUE;
    vb_error_set(error, VB_ERROR_INVALID_ARG, "invalid type '%s' for parameter '%s', expected '%s'",
                 vb_test_typed_param_name(g_variant_get_type(value)), field,
                 vb_test_typed_param_name(G_VARIANT_TYPE(type)));
    return FALSE;
}

static gboolean
vb_test_sched_range(const char *field, gint64 value, gint64 min, gint64 max, GError **error)
{
    if (value >= min && value <= max)
        return TRUE;
    vb_error_set(error, VB_ERROR_INVALID_ARG,
                 "value of '%s' is out of range [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "]",
                 field, min, max);
    return FALSE;
}

/* unsigned values beyond G_MAXINT64 are out of every range here */
static gboolean
vb_test_sched_urange(const char *field, guint64 value, gint64 min, gint64 max, GError **error)
{
    return vb_test_sched_range(field, value > (guint64)G_MAXINT64 ? -1 : (gint64)value, min, max,
                               error);
}

static gboolean
vb_test_sched_parse(GVariant *params, VbTestSched *sched, GError **error)
{
    GVariantIter iter;
    const char *field;
    GVariant *raw;

    if (params == NULL || !g_variant_is_of_type(params, G_VARIANT_TYPE("a{sv}"))) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "scheduler parameters must be a{sv}");
        return FALSE;
    }
    g_variant_iter_init(&iter, params);
    while (g_variant_iter_next(&iter, "{&sv}", &field, &raw)) {
        g_autoptr(GVariant) value = raw;

        /* a client may wrap a value once more, as the stats replies do */
        while (g_variant_is_of_type(value, G_VARIANT_TYPE_VARIANT)) {
            GVariant *inner = g_variant_get_variant(value);

            g_variant_unref(value);
            value = inner;
        }
        if (g_str_equal(field, "cpu_shares")) {
            if (!vb_test_sched_expect(field, value, "t", error))
                return FALSE;
            sched->shares = g_variant_get_uint64(value);
            if (!vb_test_sched_urange(field, sched->shares, VB_TEST_SHARES_MIN, VB_TEST_SHARES_MAX,
                                      error))
                return FALSE;
            sched->set_shares = TRUE;
        } else if (g_str_equal(field, "vcpu_period")) {
            if (!vb_test_sched_expect(field, value, "t", error))
                return FALSE;
            sched->period = g_variant_get_uint64(value);
            /* zero leaves the value as it is, as in qemu */
            if (sched->period == 0)
                continue;
            if (!vb_test_sched_urange(field, sched->period, VB_TEST_PERIOD_MIN, VB_TEST_PERIOD_MAX,
                                      error))
                return FALSE;
            sched->set_period = TRUE;
        } else if (g_str_equal(field, "vcpu_quota")) {
            if (!vb_test_sched_expect(field, value, "x", error))
                return FALSE;
            sched->quota = g_variant_get_int64(value);
            if (sched->quota == 0)
                continue;
            if (sched->quota != -1 && !vb_test_sched_range(field, sched->quota, VB_TEST_QUOTA_MIN,
                                                           VB_TEST_QUOTA_MAX, error))
                return FALSE;
            sched->set_quota = TRUE;
        } else {
            vb_error_set(error, VB_ERROR_INVALID_ARG, "parameter '%s' not supported", field);
            return FALSE;
        }
    }
    return TRUE;
}

static void
vb_test_sched_apply(VbDomainDef *def, const VbTestSched *sched)
{
    if (sched->set_shares) {
        def->has_shares = TRUE;
        def->shares = sched->shares;
    }
    if (sched->set_period) {
        def->has_period = TRUE;
        def->period = sched->period;
    }
    if (sched->set_quota) {
        def->has_quota = TRUE;
        def->quota = sched->quota;
    }
}

static gboolean
vb_test_set_scheduler(VbDomainObj *obj, GVariant *params, guint flags, GError **error)
{
    VbDomainDef *live = NULL;
    VbDomainDef *config = NULL;
    VbTestSched sched = {0};

    if (!vb_test_prepare(obj, flags, VB_TEST_AFFECT_LIVE | VB_TEST_AFFECT_CONFIG,
                         "virDomainSetSchedulerParametersFlags", &live, &config, error) ||
        !vb_test_sched_parse(params, &sched, error))
        return FALSE;
    if (live != NULL)
        vb_test_sched_apply(live, &sched);
    if (config != NULL) {
        vb_test_sched_apply(config, &sched);
        if (vb_domain_obj_is_active(obj))
            obj->updated = TRUE;
    }
    vb_domain_obj_changed(obj);
    return TRUE;
}

/* virDomainSetSchedulerParametersFlags; completes at once */
void
vb_test_domain_set_scheduler_params(VbConn *conn, VbDomainObj *obj, GVariant *params, guint flags,
                                    VbDone done, gpointer data)
{
    GError *error = NULL;

    vb_test_set_scheduler(obj, params, flags, &error);
    vb_test_complete(done, data, NULL, error);
}

typedef enum {
    VB_TEST_DEVICE_ATTACH,
    VB_TEST_DEVICE_DETACH,
    VB_TEST_DEVICE_UPDATE,
} VbTestDeviceOp;

/* applies @op to a copy of @def: NULL and @error when it does not apply */
static VbDomainDef *
vb_test_device_apply(const VbDomainDef *def, const VbDomainDeviceDef *dev, VbTestDeviceOp op,
                     GError **error)
{
    g_autoptr(VbDomainDef) copy = vb_domain_def_copy(def);
    gboolean ok = FALSE;

    switch (op) {
    case VB_TEST_DEVICE_ATTACH: {
        VbDomainDeviceDef *mine = vb_domain_device_def_copy(dev);

        ok = vb_domain_def_attach_device(copy, mine, error);
        if (!ok)
            vb_domain_device_def_free(mine);
        break;
    }
    case VB_TEST_DEVICE_DETACH:
        ok = vb_domain_def_detach_device(copy, dev, error);
        break;
    case VB_TEST_DEVICE_UPDATE:
        ok = vb_domain_def_update_device(copy, dev, error);
        break;
    }
    return ok ? g_steal_pointer(&copy) : NULL;
}

static gboolean
vb_test_device(VbConn *conn, VbDomainObj *obj, const char *xml, guint flags, VbTestDeviceOp op,
               GError **error)
{
    static const char *const functions[] = {
        "virDomainAttachDeviceFlags",
        "virDomainDetachDeviceFlags",
        "virDomainUpdateDeviceFlags",
    };
    guint allowed = VB_TEST_AFFECT_LIVE | VB_TEST_AFFECT_CONFIG |
                    (op == VB_TEST_DEVICE_UPDATE ? VB_TEST_DEVICE_MODIFY_FORCE : 0);
    VbDomainDef *live = NULL;
    VbDomainDef *config = NULL;
    g_autoptr(VbDomainDeviceDef) dev = NULL;
    g_autoptr(VbDomainDef) new_live = NULL;
    g_autoptr(VbDomainDef) new_config = NULL;
    g_autofree char *alias = NULL;

    if (!vb_test_prepare(obj, flags, allowed, functions[op], &live, &config, error))
        return FALSE;
    if (xml == NULL) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "xml must not be NULL");
        return FALSE;
    }
    dev = vb_domain_device_def_parse(xml, -1, error);
    if (dev == NULL)
        return FALSE;
    /* one MAC for both definitions */
    if (op == VB_TEST_DEVICE_ATTACH)
        vb_domain_device_def_fill_mac(dev, live != NULL ? live : config, vb_test_mac_prefix);

    if (live != NULL) {
        if (op == VB_TEST_DEVICE_DETACH) {
            g_autoptr(VbDomainDeviceDef) found = vb_domain_def_find_device(live, dev, error);

            if (found == NULL)
                return FALSE;
            alias = g_strdup(vb_domain_device_def_alias(found));
        } else {
            alias = g_strdup(vb_domain_device_def_alias(dev));
        }
        new_live = vb_test_device_apply(live, dev, op, error);
        if (new_live == NULL)
            return FALSE;
    }
    if (config != NULL) {
        new_config = vb_test_device_apply(config, dev, op, error);
        if (new_config == NULL)
            return FALSE;
    }
    vb_test_commit(obj, g_steal_pointer(&new_live), g_steal_pointer(&new_config));
    if (live != NULL && op == VB_TEST_DEVICE_ATTACH)
        vb_conn_emit_domain_signal(conn, obj, "DeviceAdded", g_variant_new("(s)", alias));
    if (live != NULL && op == VB_TEST_DEVICE_DETACH)
        vb_conn_emit_domain_signal(conn, obj, "DeviceRemoved", g_variant_new("(s)", alias));
    return TRUE;
}

/* virDomainAttachDeviceFlags; completes at once */
void
vb_test_domain_attach_device(VbConn *conn, VbDomainObj *obj, const char *xml, guint flags,
                             VbDone done, gpointer data)
{
    GError *error = NULL;

    vb_test_device(conn, obj, xml, flags, VB_TEST_DEVICE_ATTACH, &error);
    vb_test_complete(done, data, NULL, error);
}

/* virDomainDetachDeviceFlags; completes at once */
void
vb_test_domain_detach_device(VbConn *conn, VbDomainObj *obj, const char *xml, guint flags,
                             VbDone done, gpointer data)
{
    GError *error = NULL;

    vb_test_device(conn, obj, xml, flags, VB_TEST_DEVICE_DETACH, &error);
    vb_test_complete(done, data, NULL, error);
}

/* virDomainUpdateDeviceFlags; completes at once */
void
vb_test_domain_update_device(VbConn *conn, VbDomainObj *obj, const char *xml, guint flags,
                             VbDone done, gpointer data)
{
    GError *error = NULL;

    vb_test_device(conn, obj, xml, flags, VB_TEST_DEVICE_UPDATE, &error);
    vb_test_complete(done, data, NULL, error);
}

static gboolean
vb_test_set_metadata(VbConn *conn, VbDomainObj *obj, int type, const char *metadata,
                     const char *key, const char *uri, guint flags, GError **error)
{
    VbDomainDef *live = NULL;
    VbDomainDef *config = NULL;
    g_autoptr(VbDomainDef) new_live = NULL;
    g_autoptr(VbDomainDef) new_config = NULL;

    if (!vb_test_prepare(obj, flags, VB_TEST_AFFECT_LIVE | VB_TEST_AFFECT_CONFIG,
                         "virDomainSetMetadata", &live, &config, error))
        return FALSE;
    if (live != NULL) {
        new_live = vb_domain_def_copy(live);
        if (!vb_domain_def_set_metadata(new_live, type, metadata, key, uri, error))
            return FALSE;
    }
    if (config != NULL) {
        new_config = vb_domain_def_copy(config);
        if (!vb_domain_def_set_metadata(new_config, type, metadata, key, uri, error))
            return FALSE;
    }
    vb_test_commit(obj, g_steal_pointer(&new_live), g_steal_pointer(&new_config));
    vb_conn_emit_domain_signal(
        conn, obj, "MetadataChange",
        g_variant_new("(is)", type, type == VB_DOMAIN_METADATA_ELEMENT && uri != NULL ? uri : ""));
    return TRUE;
}

/* virDomainSetMetadata; completes at once */
void
vb_test_domain_set_metadata(VbConn *conn, VbDomainObj *obj, int type, const char *metadata,
                            const char *key, const char *uri, guint flags, VbDone done,
                            gpointer data)
{
    GError *error = NULL;

    vb_test_set_metadata(conn, obj, type, metadata, key, uri, flags, &error);
    vb_test_complete(done, data, NULL, error);
}
