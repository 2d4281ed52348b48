/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus"

#include "convert.h"
#include "dispatch.h"

/* AFFECT flags of the setters */
#define VB_AFFECT_LIVE   1u
#define VB_AFFECT_CONFIG 2u

/* virDomainIsActive; main loop */
static GVariant *
vb_domain_get_active(VbCall *call, GError **error)
{
    return g_variant_new_boolean(vb_domain_obj_is_active(call->dom));
}

/* virDomainGetAutostart; main loop */
static GVariant *
vb_domain_get_autostart(VbCall *call, GError **error)
{
    return g_variant_new_boolean(call->dom->autostart);
}

/* virDomainSetAutostart; completes when the driver does */
static gboolean
vb_domain_set_autostart(VbCall *call, GVariant *value, GError **error)
{
    if (!VB_DRIVER_FN(call, domain_set_autostart, "virDomainSetAutostart", error))
        return FALSE;
    vb_call_driver(call)->domain_set_autostart(vb_call_conn(call), call->dom,
                                               g_variant_get_boolean(value), vb_call_done,
                                               vb_call_pend(call));
    return TRUE;
}

/* virDomainGetID: 0 for an inactive domain, as libvirt-dbus; main loop */
static GVariant *
vb_domain_get_id(VbCall *call, GError **error)
{
    return g_variant_new_uint32(call->dom->id >= 0 ? (guint32)call->dom->id : 0);
}

/* virDomainGetName; main loop */
static GVariant *
vb_domain_get_name(VbCall *call, GError **error)
{
    return g_variant_new_string(vb_domain_obj_name(call->dom));
}

/* virDomainGetOSType; main loop */
static GVariant *
vb_domain_get_os_type(VbCall *call, GError **error)
{
    return g_variant_new_string(vb_domain_os_type_to_string(vb_domain_obj_def(call->dom)->os_type));
}

/* virDomainIsPersistent; main loop */
static GVariant *
vb_domain_get_persistent(VbCall *call, GError **error)
{
    return g_variant_new_boolean(vb_domain_obj_is_persistent(call->dom));
}

/* virDomainGetSchedulerType; main loop */
static GVariant *
vb_domain_get_scheduler_type(VbCall *call, GError **error)
{
    g_autofree char *type = NULL;
    int nparams = 0;

    if (!VB_DRIVER_FN(call, domain_get_scheduler_type, "virDomainGetSchedulerType", error))
        return NULL;
    type = vb_call_driver(call)->domain_get_scheduler_type(vb_call_conn(call), call->dom, &nparams,
                                                           error);
    if (type == NULL)
        return NULL;
    /* by value: GetAll asks for it on every poll, and a format string is parsed each time */
    return g_variant_new_tuple(
        (GVariant *[]){g_variant_new_string(type), g_variant_new_int32(nparams)}, 2);
}

/* virDomainIsUpdated; main loop */
static GVariant *
vb_domain_get_updated(VbCall *call, GError **error)
{
    return g_variant_new_boolean(call->dom->updated);
}

/* virDomainGetUUIDString; main loop */
static GVariant *
vb_domain_get_uuid(VbCall *call, GError **error)
{
    return g_variant_new_string(call->dom->uuid_str);
}

/* virDomainGetXMLDesc; main loop, the flags-0 form is cached */
static GVariant *
vb_domain_get_xml_desc(VbCall *call, GVariant *params, GError **error)
{
    g_autofree char *xml = NULL;
    guint flags;

    g_variant_get(params, "(u)", &flags);
    xml = vb_domain_obj_format(call->dom, flags);
    return g_variant_new("(s)", xml);
}

/* virDomainGetState; main loop */
static GVariant *
vb_domain_get_state(VbCall *call, GVariant *params, GError **error)
{
    guint flags;

    g_variant_get(params, "(u)", &flags);
    return g_variant_new("((ii))", (gint32)call->dom->state, (gint32)call->dom->reason);
}

/* virDomainListGetStats for one domain; completes when the driver does */
static GVariant *
vb_domain_get_stats(VbCall *call, GVariant *params, GError **error)
{
    guint stats, flags;

    g_variant_get(params, "(uu)", &stats, &flags);
    if (!VB_DRIVER_FN(call, domain_get_stats, "virDomainListGetStats", error))
        return NULL;
    call->convert = vb_convert_typed_params;
    vb_call_driver(call)->domain_get_stats(vb_call_conn(call), call->dom, stats, flags,
                                           vb_call_done, vb_call_pend(call));
    return NULL;
}

/* the lifecycle calls that take only flags share one shape */
#define VB_DOMAIN_FLAGS_OP(func, field, api)                                                       \
    static GVariant *func(VbCall *call, GVariant *params, GError **error)                          \
    {                                                                                              \
        guint flags;                                                                               \
                                                                                                   \
        g_variant_get(params, "(u)", &flags);                                                      \
        if (!VB_DRIVER_FN(call, field, api, error))                                                \
            return NULL;                                                                           \
        vb_call_driver(call)->field(vb_call_conn(call), call->dom, flags, vb_call_done,            \
                                    vb_call_pend(call));                                           \
        return NULL;                                                                               \
    }

/* virDomainCreateWithFlags; completes when the driver does */
static GVariant *
vb_domain_create(VbCall *call, GVariant *params, GError **error)
{
    guint flags;

    g_variant_get(params, "(u)", &flags);
    if (!VB_DRIVER_FN(call, domain_create, "virDomainCreateWithFlags", error))
        return NULL;
    /* START_AUTODESTROY */
    if ((flags & 2u) != 0)
        call->convert = vb_convert_autodestroy_started;
    vb_call_driver(call)->domain_create(vb_call_conn(call), call->dom, flags, vb_call_done,
                                        vb_call_pend(call));
    return NULL;
}

/* each completes when the driver does */
VB_DOMAIN_FLAGS_OP(vb_domain_shutdown, domain_shutdown, "virDomainShutdownFlags")
VB_DOMAIN_FLAGS_OP(vb_domain_reboot, domain_reboot, "virDomainReboot")
VB_DOMAIN_FLAGS_OP(vb_domain_reset, domain_reset, "virDomainReset")
VB_DOMAIN_FLAGS_OP(vb_domain_destroy, domain_destroy, "virDomainDestroyFlags")
VB_DOMAIN_FLAGS_OP(vb_domain_managed_save, domain_managed_save, "virDomainManagedSave")
VB_DOMAIN_FLAGS_OP(vb_domain_managed_save_remove, domain_managed_save_remove,
                   "virDomainManagedSaveRemove")
VB_DOMAIN_FLAGS_OP(vb_domain_undefine, domain_undefine, "virDomainUndefineFlags")
VB_DOMAIN_FLAGS_OP(vb_domain_inject_nmi, domain_inject_nmi, "virDomainInjectNMI")

/* virDomainSuspend; completes when the driver does */
static GVariant *
vb_domain_suspend(VbCall *call, GVariant *params, GError **error)
{
    if (!VB_DRIVER_FN(call, domain_suspend, "virDomainSuspend", error))
        return NULL;
    vb_call_driver(call)->domain_suspend(vb_call_conn(call), call->dom, vb_call_done,
                                         vb_call_pend(call));
    return NULL;
}

/* virDomainResume; completes when the driver does */
static GVariant *
vb_domain_resume(VbCall *call, GVariant *params, GError **error)
{
    if (!VB_DRIVER_FN(call, domain_resume, "virDomainResume", error))
        return NULL;
    vb_call_driver(call)->domain_resume(vb_call_conn(call), call->dom, vb_call_done,
                                        vb_call_pend(call));
    return NULL;
}

/* virDomainSaveFlags; the driver writes the file on a worker */
static GVariant *
vb_domain_save(VbCall *call, GVariant *params, GError **error)
{
    const char *to, *xml;
    guint flags;

    g_variant_get(params, "(&s&su)", &to, &xml, &flags);
    if (!VB_DRIVER_FN(call, domain_save, "virDomainSaveFlags", error))
        return NULL;
    vb_call_driver(call)->domain_save(vb_call_conn(call), call->dom, to, *xml != '\0' ? xml : NULL,
                                      flags, vb_call_done, vb_call_pend(call));
    return NULL;
}

/* virDomainHasManagedSaveImage; main loop */
static GVariant *
vb_domain_has_managed_save_image(VbCall *call, GVariant *params, GError **error)
{
    guint flags;

    g_variant_get(params, "(u)", &flags);
    return g_variant_new("(b)", call->dom->managed_save);
}

/* virDomainCoreDumpWithFormat; the driver writes the file on a worker */
static GVariant *
vb_domain_core_dump(VbCall *call, GVariant *params, GError **error)
{
    const char *to;
    guint format, flags;

    g_variant_get(params, "(&suu)", &to, &format, &flags);
    if (!VB_DRIVER_FN(call, domain_core_dump, "virDomainCoreDumpWithFormat", error))
        return NULL;
    vb_call_driver(call)->domain_core_dump(vb_call_conn(call), call->dom, to, format, flags,
                                           vb_call_done, vb_call_pend(call));
    return NULL;
}

/* virDomainSetMemoryFlags; completes when the driver does */
static GVariant *
vb_domain_set_memory(VbCall *call, GVariant *params, GError **error)
{
    guint64 kib;
    guint flags;

    g_variant_get(params, "(tu)", &kib, &flags);
    if (!VB_DRIVER_FN(call, domain_set_memory, "virDomainSetMemoryFlags", error))
        return NULL;
    vb_call_driver(call)->domain_set_memory(vb_call_conn(call), call->dom, kib, flags, vb_call_done,
                                            vb_call_pend(call));
    return NULL;
}

/* virDomainSetMaxMemory; completes when the driver does */
static GVariant *
vb_domain_set_max_memory(VbCall *call, GVariant *params, GError **error)
{
    guint64 kib;
    guint flags;

    g_variant_get(params, "(tu)", &kib, &flags);
    if (!VB_DRIVER_FN(call, domain_set_max_memory, "virDomainSetMaxMemory", error))
        return NULL;
    vb_call_driver(call)->domain_set_max_memory(vb_call_conn(call), call->dom, kib, flags,
                                                vb_call_done, vb_call_pend(call));
    return NULL;
}

/* virDomainSetVcpusFlags; completes when the driver does */
static GVariant *
vb_domain_set_vcpus(VbCall *call, GVariant *params, GError **error)
{
    guint vcpus, flags;

    g_variant_get(params, "(uu)", &vcpus, &flags);
    if (!VB_DRIVER_FN(call, domain_set_vcpus, "virDomainSetVcpusFlags", error))
        return NULL;
    vb_call_driver(call)->domain_set_vcpus(vb_call_conn(call), call->dom, vcpus, flags,
                                           vb_call_done, vb_call_pend(call));
    return NULL;
}

/* the definition an AFFECT flag word reads: live or config, as libvirt decides */
static const VbDomainDef *
vb_domain_affected_def(VbDomainObj *obj, guint flags, const char *api, GError **error)
{
    VbDomainDef *live = NULL, *config = NULL;

    if (!vb_error_check_flags(flags & ~4u, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, api, error))
        return NULL;
    if ((flags & VB_AFFECT_LIVE) != 0 && (flags & VB_AFFECT_CONFIG) != 0) {
        vb_error_set(error, VB_ERROR_INVALID_ARG,
                     "flags 'affect live' and 'affect config' are mutually exclusive");
        return NULL;
    }
    if ((flags & (VB_AFFECT_LIVE | VB_AFFECT_CONFIG)) == 0)
        return vb_domain_obj_def(obj);
    if (!vb_domain_obj_affected(obj, flags, &live, &config, error))
        return NULL;
    return config != NULL ? config : vb_domain_obj_def(obj);
}

/* virDomainGetVcpusFlags; main loop */
static GVariant *
vb_domain_get_vcpus(VbCall *call, GVariant *params, GError **error)
{
    const VbDomainDef *def;
    guint flags;

    g_variant_get(params, "(u)", &flags);
    /* VCPU_MAXIMUM 4; VCPU_GUEST 8 needs an agent */
    if ((flags & 8u) != 0) {
        vb_error_no_support(error, "virDomainGetVcpusFlags");
        return NULL;
    }
    def = vb_domain_affected_def(call->dom, flags, "virDomainGetVcpusFlags", error);
    if (def == NULL)
        return NULL;
    return g_variant_new("(u)", (flags & 4u) != 0 ? def->vcpus_max : def->vcpus_current);
}

/* virDomainPinVcpuFlags; completes when the driver does */
static GVariant *
vb_domain_pin_vcpu(VbCall *call, GVariant *params, GError **error)
{
    g_autoptr(GVariant) map = NULL;
    g_autofree gboolean *cpus = NULL;
    gsize ncpus = 0;
    guint vcpu, flags;
    const gboolean *data;

    g_variant_get(params, "(u@abu)", &vcpu, &map, &flags);
    if (!VB_DRIVER_FN(call, domain_pin_vcpu, "virDomainPinVcpuFlags", error))
        return NULL;
    data = g_variant_get_fixed_array(map, &ncpus, sizeof(guchar));
    cpus = g_new0(gboolean, MAX(ncpus, 1));
    for (gsize i = 0; i < ncpus; i++)
        cpus[i] = ((const guchar *)data)[i] != 0;
    vb_call_driver(call)->domain_pin_vcpu(vb_call_conn(call), call->dom, vcpu, cpus, ncpus, flags,
                                          vb_call_done, vb_call_pend(call));
    return NULL;
}

static guint
vb_host_cpus(VbCall *call)
{
    const VbDriver *driver = vb_call_driver(call);
    VbNodeInfo info = {0};

    if (driver->node_get_info == NULL || !driver->node_get_info(vb_call_conn(call), &info, NULL))
        return 1;
    g_free(info.model);
    return MAX(info.cpus, 1);
}

/* virDomainGetVcpuPinInfo; main loop */
static GVariant *
vb_domain_get_vcpu_pin_info(VbCall *call, GVariant *params, GError **error)
{
    const VbDomainDef *def;
    GVariantBuilder outer;
    guint flags, ncpus = vb_host_cpus(call);
    guint next_pin = 0;

    g_variant_get(params, "(u)", &flags);
    def = vb_domain_affected_def(call->dom, flags, "virDomainGetVcpuPinInfo", error);
    if (def == NULL)
        return NULL;
    g_variant_builder_init(&outer, G_VARIANT_TYPE("aab"));
    for (guint vcpu = 0; vcpu < def->vcpus_max; vcpu++) {
        const VbCpuSet *set = def->vcpu_cpuset;
        GVariantBuilder inner;

        /* vcpupins is sorted by vcpu */
        if (next_pin < def->vcpupins->len) {
            const VbDomainVcpuPin *pin = g_ptr_array_index(def->vcpupins, next_pin);

            if (pin->vcpu == vcpu) {
                set = pin->cpuset;
                next_pin++;
            }
        }
        g_variant_builder_init(&inner, G_VARIANT_TYPE("ab"));
        for (guint cpu = 0; cpu < ncpus; cpu++)
            g_variant_builder_add(&inner, "b", set == NULL || vb_cpuset_is_set(set, cpu));
        g_variant_builder_add_value(&outer, g_variant_builder_end(&inner));
    }
    return g_variant_new("(aab)", &outer);
}

/* virDomainGetSchedulerParametersFlags; main loop; values double-wrapped like
 * every typed-parameter list of libvirt-dbus */
static GVariant *
vb_domain_get_scheduler_parameters(VbCall *call, GVariant *params, GError **error)
{
    g_autoptr(GVariant) values = NULL;
    guint flags;

    g_variant_get(params, "(u)", &flags);
    if (!VB_DRIVER_FN(call, domain_get_scheduler_params, "virDomainGetSchedulerParametersFlags",
                      error))
        return NULL;
    values = vb_call_driver(call)->domain_get_scheduler_params(vb_call_conn(call), call->dom, flags,
                                                               error);
    if (values == NULL)
        return NULL;
    g_variant_ref_sink(values);
    return g_variant_new("(@a{sv})", vb_wrap_typed_params(values));
}

/* virDomainSetSchedulerParametersFlags; completes when the driver does */
static GVariant *
vb_domain_set_scheduler_parameters(VbCall *call, GVariant *params, GError **error)
{
    g_autoptr(GVariant) values = NULL;
    guint flags;

    g_variant_get(params, "(@a{sv}u)", &values, &flags);
    if (!VB_DRIVER_FN(call, domain_set_scheduler_params, "virDomainSetSchedulerParametersFlags",
                      error))
        return NULL;
    vb_call_driver(call)->domain_set_scheduler_params(vb_call_conn(call), call->dom, values, flags,
                                                      vb_call_done, vb_call_pend(call));
    return NULL;
}

/* device calls share (s xml, u flags) */
#define VB_DOMAIN_DEVICE_OP(func, field, api)                                                      \
    static GVariant *func(VbCall *call, GVariant *params, GError **error)                          \
    {                                                                                              \
        const char *xml;                                                                           \
        guint flags;                                                                               \
                                                                                                   \
        g_variant_get(params, "(&su)", &xml, &flags);                                              \
        if (!VB_DRIVER_FN(call, field, api, error))                                                \
            return NULL;                                                                           \
        vb_call_driver(call)->field(vb_call_conn(call), call->dom, xml, flags, vb_call_done,       \
                                    vb_call_pend(call));                                           \
        return NULL;                                                                               \
    }

/* each completes when the driver does */
VB_DOMAIN_DEVICE_OP(vb_domain_attach_device, domain_attach_device, "virDomainAttachDeviceFlags")
VB_DOMAIN_DEVICE_OP(vb_domain_detach_device, domain_detach_device, "virDomainDetachDeviceFlags")
VB_DOMAIN_DEVICE_OP(vb_domain_update_device, domain_update_device, "virDomainUpdateDeviceFlags")

/* virDomainGetMetadata; main loop */
static GVariant *
vb_domain_get_metadata(VbCall *call, GVariant *params, GError **error)
{
    g_autofree char *text = NULL;
    const VbDomainDef *def;
    const char *uri;
    gint32 type;
    guint flags;

    g_variant_get(params, "(i&su)", &type, &uri, &flags);
    def = vb_domain_affected_def(call->dom, flags & ~4u, "virDomainGetMetadata", error);
    if (def == NULL)
        return NULL;
    text = vb_domain_def_get_metadata(def, type, *uri != '\0' ? uri : NULL, error);
    return text != NULL ? g_variant_new("(s)", text) : NULL;
}

/* virDomainSetMetadata; completes when the driver does */
static GVariant *
vb_domain_set_metadata(VbCall *call, GVariant *params, GError **error)
{
    const char *metadata, *key, *uri;
    gint32 type;
    guint flags;

    g_variant_get(params, "(i&s&s&su)", &type, &metadata, &key, &uri, &flags);
    if (!VB_DRIVER_FN(call, domain_set_metadata, "virDomainSetMetadata", error))
        return NULL;
    vb_call_driver(call)->domain_set_metadata(vb_call_conn(call), call->dom, type,
                                              *metadata != '\0' ? metadata : NULL,
                                              *key != '\0' ? key : NULL, *uri != '\0' ? uri : NULL,
                                              flags, vb_call_done, vb_call_pend(call));
    return NULL;
}

/* virDomainRename; completes when the driver does */
static GVariant *
vb_domain_rename(VbCall *call, GVariant *params, GError **error)
{
    const char *name;
    guint flags;

    g_variant_get(params, "(&su)", &name, &flags);
    if (!VB_DRIVER_FN(call, domain_rename, "virDomainRename", error))
        return NULL;
    vb_call_driver(call)->domain_rename(vb_call_conn(call), call->dom, name, flags, vb_call_done,
                                        vb_call_pend(call));
    return NULL;
}

/* virDomainSendKey; completes when the driver does */
static GVariant *
vb_domain_send_key(VbCall *call, GVariant *params, GError **error)
{
    g_autoptr(GVariant) keys = NULL;
    guint codeset, holdtime, flags;
    const guint32 *codes;
    gsize ncodes = 0;

    g_variant_get(params, "(uu@auu)", &codeset, &holdtime, &keys, &flags);
    if (!VB_DRIVER_FN(call, domain_send_key, "virDomainSendKey", error))
        return NULL;
    codes = g_variant_get_fixed_array(keys, &ncodes, sizeof(guint32));
    vb_call_driver(call)->domain_send_key(vb_call_conn(call), call->dom, codeset, holdtime, codes,
                                          ncodes, flags, vb_call_done, vb_call_pend(call));
    return NULL;
}

/* virDomainMemoryStats; completes when the driver does */
static GVariant *
vb_domain_memory_stats(VbCall *call, GVariant *params, GError **error)
{
    guint flags;

    g_variant_get(params, "(u)", &flags);
    if (!VB_DRIVER_FN(call, domain_memory_stats, "virDomainMemoryStats", error))
        return NULL;
    call->convert = vb_convert_variant;
    vb_call_driver(call)->domain_memory_stats(vb_call_conn(call), call->dom, flags, vb_call_done,
                                              vb_call_pend(call));
    return NULL;
}

/* virDomainGetControlInfo; main loop */
static GVariant *
vb_domain_get_control_info(VbCall *call, GVariant *params, GError **error)
{
    VbControlInfo info = {0};
    guint flags;

    g_variant_get(params, "(u)", &flags);
    if (!VB_DRIVER_FN(call, domain_get_control_info, "virDomainGetControlInfo", error))
        return NULL;
    if (!vb_call_driver(call)->domain_get_control_info(vb_call_conn(call), call->dom, flags, &info,
                                                       error))
        return NULL;
    return g_variant_new("((uut))", info.state, info.details, info.state_time_ms);
}

/* virDomainGetHostname; main loop */
static GVariant *
vb_domain_get_hostname(VbCall *call, GVariant *params, GError **error)
{
    g_autofree char *name = NULL;
    guint flags;

    g_variant_get(params, "(u)", &flags);
    if (!VB_DRIVER_FN(call, domain_get_hostname, "virDomainGetHostname", error))
        return NULL;
    name = vb_call_driver(call)->domain_get_hostname(vb_call_conn(call), call->dom, flags, error);
    return name != NULL ? g_variant_new("(s)", name) : NULL;
}

/* virDomainInterfaceAddresses; completes when the driver does */
static GVariant *
vb_domain_interface_addresses(VbCall *call, GVariant *params, GError **error)
{
    guint source, flags;

    g_variant_get(params, "(uu)", &source, &flags);
    if (!VB_DRIVER_FN(call, domain_interface_addresses, "virDomainInterfaceAddresses", error))
        return NULL;
    call->convert = vb_convert_variant;
    vb_call_driver(call)->domain_interface_addresses(vb_call_conn(call), call->dom, source, flags,
                                                     vb_call_done, vb_call_pend(call));
    return NULL;
}

/* virDomainMigrateToURI3; completes when the driver does */
static GVariant *
vb_domain_migrate_to_uri3(VbCall *call, GVariant *params, GError **error)
{
    g_autoptr(GVariant) values = NULL;
    const char *uri;
    guint flags;

    g_variant_get(params, "(&s@a{sv}u)", &uri, &values, &flags);
    if (!VB_DRIVER_FN(call, domain_migrate, "virDomainMigrateToURI3", error))
        return NULL;
    vb_call_driver(call)->domain_migrate(vb_call_conn(call), call->dom, uri, values, flags,
                                         vb_call_done, vb_call_pend(call));
    return NULL;
}

static guint64
vb_domain_cpu_time(VbCall *call)
{
    const VbDriver *driver = vb_call_driver(call);

    return driver->domain_get_cpu_time != NULL
               ? driver->domain_get_cpu_time(vb_call_conn(call), call->dom)
               : call->dom->cpu_time_ns;
}

/* virDomainGetInfo; main loop */
static GVariant *
vb_domain_get_info(VbCall *call, GVariant *params, GError **error)
{
    const VbDomainDef *def = vb_domain_obj_def(call->dom);
    guint flags;

    g_variant_get(params, "(u)", &flags);
    return g_variant_new("((ittut))", (gint32)call->dom->state, def->memory_kib, def->current_kib,
                         def->vcpus_current, vb_domain_cpu_time(call));
}

/* virDomainGetMaxMemory; main loop */
static GVariant *
vb_domain_get_max_memory(VbCall *call, GVariant *params, GError **error)
{
    return g_variant_new("(t)", vb_domain_obj_def(call->dom)->memory_kib);
}

/* virDomainGetMaxVcpus; main loop */
static GVariant *
vb_domain_get_max_vcpus(VbCall *call, GVariant *params, GError **error)
{
    if (!vb_domain_obj_is_active(call->dom)) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID, "domain is not running");
        return NULL;
    }
    return g_variant_new("(u)", vb_domain_obj_def(call->dom)->vcpus_max);
}

/* virDomainGetVcpus; main loop */
static GVariant *
vb_domain_get_vcpu_info(VbCall *call, GVariant *params, GError **error)
{
    g_autoptr(GArray) info = NULL;
    GVariantBuilder builder;
    guint flags;

    g_variant_get(params, "(u)", &flags);
    if (!VB_DRIVER_FN(call, domain_get_vcpu_info, "virDomainGetVcpus", error))
        return NULL;
    info = vb_call_driver(call)->domain_get_vcpu_info(vb_call_conn(call), call->dom, flags, error);
    if (info == NULL)
        return NULL;
    g_variant_builder_init(&builder, G_VARIANT_TYPE("a(uitu)"));
    for (guint i = 0; i < info->len; i++) {
        const VbVcpuInfo *v = &g_array_index(info, VbVcpuInfo, i);

        g_variant_builder_add(&builder, "(uitu)", v->number, (gint32)v->state, v->cpu_time_ns,
                              (guint32)MAX(v->cpu, 0));
    }
    return g_variant_new("(a(uitu))", &builder);
}

static GVariant *
vb_convert_block_stats(VbCall *call, gpointer result)
{
    g_autofree VbBlockStats *s = result;

    return g_variant_new_parsed("({'rd_req': %x, 'rd_bytes': %x, 'wr_req': %x, 'wr_bytes': %x, "
                                "'errs': %x},)",
                                s->rd_req, s->rd_bytes, s->wr_req, s->wr_bytes, s->errs);
}

/* virDomainBlockStats; completes when the driver does */
static GVariant *
vb_domain_block_stats(VbCall *call, GVariant *params, GError **error)
{
    const char *disk;
    guint flags;

    g_variant_get(params, "(&su)", &disk, &flags);
    if (!VB_DRIVER_FN(call, domain_block_stats, "virDomainBlockStats", error))
        return NULL;
    call->convert = vb_convert_block_stats;
    vb_call_driver(call)->domain_block_stats(vb_call_conn(call), call->dom, disk, flags,
                                             vb_call_done, vb_call_pend(call));
    return NULL;
}

static GVariant *
vb_convert_interface_stats(VbCall *call, gpointer result)
{
    g_autofree VbInterfaceStats *s = result;

    return g_variant_new_parsed(
        "({'rx_bytes': %x, 'rx_packets': %x, 'rx_errs': %x, 'rx_drop': %x, 'tx_bytes': %x, "
        "'tx_packets': %x, 'tx_errs': %x, 'tx_drop': %x},)",
        s->rx_bytes, s->rx_packets, s->rx_errs, s->rx_drop, s->tx_bytes, s->tx_packets, s->tx_errs,
        s->tx_drop);
}

/* virDomainInterfaceStats; completes when the driver does */
static GVariant *
vb_domain_interface_stats(VbCall *call, GVariant *params, GError **error)
{
    const char *device;
    guint flags;

    g_variant_get(params, "(&su)", &device, &flags);
    if (!VB_DRIVER_FN(call, domain_interface_stats, "virDomainInterfaceStats", error))
        return NULL;
    call->convert = vb_convert_interface_stats;
    vb_call_driver(call)->domain_interface_stats(vb_call_conn(call), call->dom, device, flags,
                                                 vb_call_done, vb_call_pend(call));
    return NULL;
}

static const VbProperty vb_domain_properties[] = {
    {"Active", vb_domain_get_active, NULL, "domain.read", NULL},
    {"Autostart", vb_domain_get_autostart, vb_domain_set_autostart, "domain.read", "domain.write"},
    {"Id", vb_domain_get_id, NULL, "domain.getattr", NULL},
    {"Name", vb_domain_get_name, NULL, "domain.getattr", NULL},
    {"OSType", vb_domain_get_os_type, NULL, "domain.read", NULL},
    {"Persistent", vb_domain_get_persistent, NULL, "domain.read", NULL},
    {"SchedulerType", vb_domain_get_scheduler_type, NULL, "domain.read", NULL},
    {"Updated", vb_domain_get_updated, NULL, "domain.read", NULL},
    {"UUID", vb_domain_get_uuid, NULL, "domain.getattr", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

#define SAVE VB_PERM_FLAG_SAVE

static const VbMethod vb_domain_methods[] = {
    {"GetXMLDesc",
     vb_domain_get_xml_desc,
     {"domain.read"},
     VB_PERM_FLAG_SECURE,
     0,
     0xf,
     "virDomainGetXMLDesc"},
    {"GetState", vb_domain_get_state, {"domain.read"}, 0, 0, 0, "virDomainGetState"},
    {"GetStats",
     vb_domain_get_stats,
     {"domain.read"},
     0,
     1,
     VB_STATS_FLAGS,
     "virDomainListGetStats"},
    {"Create", vb_domain_create, {"domain.start"}, 0, 0, 0x1f, "virDomainCreateWithFlags"},
    {"Shutdown", vb_domain_shutdown, {"domain.init-control"}, 0, 0, 0x1f, "virDomainShutdownFlags"},
    {"Reboot", vb_domain_reboot, {"domain.init-control"}, 0, 0, 0x1f, "virDomainReboot"},
    {"Reset", vb_domain_reset, {"domain.reset"}, 0, 0, 0, "virDomainReset"},
    {"Destroy", vb_domain_destroy, {"domain.stop"}, 0, 0, 0x3, "virDomainDestroyFlags"},
    {"Suspend", vb_domain_suspend, {"domain.suspend"}, 0, -1, 0, NULL},
    {"Resume", vb_domain_resume, {"domain.suspend"}, 0, -1, 0, NULL},
    {"Save", vb_domain_save, {"domain.hibernate"}, 0, 2, 0xf, "virDomainSaveFlags"},
    {"ManagedSave",
     vb_domain_managed_save,
     {"domain.hibernate"},
     0,
     0,
     0xf,
     "virDomainManagedSave"},
    {"HasManagedSaveImage",
     vb_domain_has_managed_save_image,
     {"domain.read"},
     0,
     0,
     0,
     "virDomainHasManagedSaveImage"},
    {"ManagedSaveRemove",
     vb_domain_managed_save_remove,
     {"domain.hibernate"},
     0,
     0,
     0,
     "virDomainManagedSaveRemove"},
    {"CoreDump",
     vb_domain_core_dump,
     {"domain.core-dump"},
     0,
     2,
     0x1f,
     "virDomainCoreDumpWithFormat"},
    {"Undefine", vb_domain_undefine, {"domain.delete"}, 0, 0, 0x7f, "virDomainUndefineFlags"},
    {"SetMemory", vb_domain_set_memory, {"domain.write"}, SAVE, 1, 0x7, "virDomainSetMemoryFlags"},
    {"SetVcpus", vb_domain_set_vcpus, {"domain.write"}, SAVE, 1, 0x1f, "virDomainSetVcpusFlags"},
    {"GetVcpus", vb_domain_get_vcpus, {"domain.read"}, 0, 0, 0xf, "virDomainGetVcpusFlags"},
    {"PinVcpu", vb_domain_pin_vcpu, {"domain.write"}, SAVE, 2, 0x3, "virDomainPinVcpuFlags"},
    {"GetVcpuPinInfo",
     vb_domain_get_vcpu_pin_info,
     {"domain.read"},
     0,
     0,
     0x3,
     "virDomainGetVcpuPinInfo"},
    {"GetSchedulerParameters",
     vb_domain_get_scheduler_parameters,
     {"domain.read"},
     0,
     0,
     0x3,
     "virDomainGetSchedulerParametersFlags"},
    {"SetSchedulerParameters",
     vb_domain_set_scheduler_parameters,
     {"domain.write"},
     SAVE,
     1,
     0x3,
     "virDomainSetSchedulerParametersFlags"},
    {"AttachDevice",
     vb_domain_attach_device,
     {"domain.write"},
     SAVE,
     1,
     0x7,
     "virDomainAttachDeviceFlags"},
    {"DetachDevice",
     vb_domain_detach_device,
     {"domain.write"},
     SAVE,
     1,
     0x7,
     "virDomainDetachDeviceFlags"},
    {"UpdateDevice",
     vb_domain_update_device,
     {"domain.write"},
     SAVE,
     1,
     0x7,
     "virDomainUpdateDeviceFlags"},
    {"GetMetadata", vb_domain_get_metadata, {"domain.read"}, 0, 2, 0x3, "virDomainGetMetadata"},
    {"SetMetadata", vb_domain_set_metadata, {"domain.write"}, SAVE, 4, 0x3, "virDomainSetMetadata"},
    {"Rename", vb_domain_rename, {"domain.write", "domain.save"}, 0, 1, 0, "virDomainRename"},
    {"InjectNMI", vb_domain_inject_nmi, {"domain.inject-nmi"}, 0, 0, 0, "virDomainInjectNMI"},
    {"SendKey", vb_domain_send_key, {"domain.send-input"}, 0, 3, 0, "virDomainSendKey"},
    {"MemoryStats", vb_domain_memory_stats, {"domain.read"}, 0, 0, 0, "virDomainMemoryStats"},
    {"GetControlInfo",
     vb_domain_get_control_info,
     {"domain.read"},
     0,
     0,
     0,
     "virDomainGetControlInfo"},
    {"GetHostname", vb_domain_get_hostname, {"domain.read"}, 0, 0, 0x3, "virDomainGetHostname"},
    /* source 1 (the guest agent) also needs domain.write, checked with the source */
    {"InterfaceAddresses",
     vb_domain_interface_addresses,
     {"domain.read"},
     0,
     1,
     0,
     "virDomainInterfaceAddresses"},
    {"MigrateToURI3",
     vb_domain_migrate_to_uri3,
     {"domain.migrate"},
     0,
     2,
     G_MAXUINT32,
     "virDomainMigrateToURI3"},
    {"GetInfo", vb_domain_get_info, {"domain.read"}, 0, 0, 0, "virDomainGetInfo"},
    {"GetMaxMemory", vb_domain_get_max_memory, {"domain.read"}, 0, -1, 0, NULL},
    {"SetMaxMemory",
     vb_domain_set_max_memory,
     {"domain.write"},
     SAVE,
     1,
     0x7,
     "virDomainSetMaxMemory"},
    {"GetMaxVcpus", vb_domain_get_max_vcpus, {"domain.read"}, 0, -1, 0, NULL},
    {"GetVcpuInfo", vb_domain_get_vcpu_info, {"domain.read"}, 0, 0, 0, "virDomainGetVcpus"},
    {"BlockStats", vb_domain_block_stats, {"domain.read"}, 0, 1, 0, "virDomainBlockStats"},
    {"InterfaceStats",
     vb_domain_interface_stats,
     {"domain.read"},
     0,
     1,
     0,
     "virDomainInterfaceStats"},
    {NULL, NULL, {NULL}, 0, -1, 0, NULL},
};

const VbInterface vb_domain_interface = {
    VB_IFACE_DOMAIN,
    VB_OBJECT_DOMAIN,
    vb_domain_methods,
    vb_domain_properties,
};
