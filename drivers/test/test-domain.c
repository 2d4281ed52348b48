/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-test"

#include "test-driver.h"

/* libvirt's virKeycodeSet, in order */
static const char *const vb_test_keycode_sets[] = {
    "linux", "xt", "atset1", "atset2", "atset3", "os_x", "xt_kbd", "usb", "win32", "rfb", "qnum",
};
#define VB_TEST_SEND_KEY_MAX 16

enum { VB_TEST_DEFINE_VALIDATE = 1 };
enum { VB_TEST_DESTROY_GRACEFUL = 1 };
enum { VB_TEST_SHUTDOWN_ALL = 1 | 2 | 4 | 8 | 16 };

void
vb_test_complete(VbDone done, gpointer data, gpointer result, GError *error)
{
    done(error != NULL ? NULL : result, error, data);
    g_clear_error(&error);
}

static void
vb_test_domain_priv_free(gpointer priv)
{
    g_free(priv);
}

VbDomainObj *
vb_test_domain_obj_new(VbDomainDef *def, gboolean persistent)
{
    VbDomainObj *obj = vb_domain_obj_new(def, persistent);

    obj->priv = g_new0(VbTestDomain, 1);
    obj->priv_free = vb_test_domain_priv_free;
    return obj;
}

gboolean
vb_test_check_def(const VbDomainDef *def, GError **error)
{
    if (def->type != VB_DOMAIN_VIRT_TEST) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "could not find capabilities for domaintype=%s",
                     vb_domain_virt_type_to_string(def->type));
        return FALSE;
    }
    if (def->os_type != VB_DOMAIN_OS_HVM) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "could not find capabilities for ostype=%s",
                     vb_domain_os_type_to_string(def->os_type));
        return FALSE;
    }
    if (def->os_arch != NULL && g_strcmp0(def->os_arch, "x86_64") != 0 &&
        g_strcmp0(def->os_arch, "i686") != 0) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "could not find capabilities for arch=%s",
                     def->os_arch);
        return FALSE;
    }
    return TRUE;
}

gboolean
vb_test_check_busy(const VbDomainObj *obj, GError **error)
{
    if (vb_test_dom(obj)->job_active) {
        vb_error_set(error, VB_ERROR_BUSY, "another operation is in progress");
        return FALSE;
    }
    return TRUE;
}

gboolean
vb_test_check_active(const VbDomainObj *obj, GError **error)
{
    if (!vb_domain_obj_is_active(obj)) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID, "domain is not running");
        return FALSE;
    }
    return TRUE;
}

/* host side names of the NICs, as a running guest's tap devices would have */
static void
vb_test_domain_name_nics(VbDomainDef *def)
{
    guint next = 0;

    for (guint i = 0; i < def->nets->len; i++) {
        VbDomainNetDef *net = g_ptr_array_index(def->nets, i);
        gboolean taken = TRUE;
        g_autofree char *name = NULL;

        if (net->target_dev != NULL)
            continue;
        while (taken) {
            g_free(name);
            name = g_strdup_printf("testnet%u", next++);
            taken = FALSE;
            for (guint j = 0; j < def->nets->len && !taken; j++) {
                VbDomainNetDef *other = g_ptr_array_index(def->nets, j);

                taken = g_strcmp0(other->target_dev, name) == 0;
            }
        }
        net->target_dev = g_steal_pointer(&name);
    }
}

void
vb_test_domain_start(VbConn *conn, VbDomainObj *obj, VbDomainDef *live, int reason)
{
    int id = vb_domain_list_next_id(conn->domains);

    if (live != NULL && live != obj->live) {
        if (obj->live != obj->config)
            vb_domain_def_free(obj->live);
        obj->live = live;
    }
    if (obj->live == NULL)
        obj->live = vb_domain_def_copy(obj->config);
    vb_test_domain_name_nics(obj->live);
    obj->live->id = id;
    vb_domain_list_set_id(conn->domains, obj, id);
    vb_domain_obj_set_state(obj, VB_DOMAIN_RUNNING, reason);
    obj->cpu_time_ns = 0;
    obj->started_us = g_get_monotonic_time();
    obj->updated = FALSE;
    vb_test_dom(obj)->guest_vcpus = 0;
    vb_domain_obj_changed(obj);
}

void
vb_test_domain_stop(VbConn *conn, VbDomainObj *obj, VbShutoffReason reason)
{
    obj->cpu_time_ns = vb_test_domain_get_cpu_time(conn, obj);
    obj->started_us = 0;
    vb_domain_list_set_id(conn->domains, obj, -1);
    if (obj->config != NULL) {
        vb_domain_def_free(obj->live);
        obj->live = NULL;
    } else if (obj->live != NULL) {
        obj->live->id = -1;
    }
    vb_domain_obj_set_state(obj, VB_DOMAIN_SHUTOFF, reason);
    obj->updated = FALSE;
    obj->autodestroy = FALSE;
    vb_domain_obj_changed(obj);
}

void
vb_test_domain_pause(VbDomainObj *obj, VbPausedReason reason)
{
    if (obj->state == VB_DOMAIN_RUNNING && obj->started_us != 0)
        obj->cpu_time_ns += (guint64)(g_get_monotonic_time() - obj->started_us) * 500;
    obj->started_us = 0;
    vb_domain_obj_set_state(obj, VB_DOMAIN_PAUSED, reason);
}

void
vb_test_domain_unpause(VbDomainObj *obj, VbRunningReason reason)
{
    obj->started_us = g_get_monotonic_time();
    vb_domain_obj_set_state(obj, VB_DOMAIN_RUNNING, reason);
}

void
vb_test_domain_stopped(VbConn *conn, VbDomainObj *obj, VbShutoffReason reason, int detail)
{
    vb_test_domain_stop(conn, obj, reason);
    vb_conn_emit_domain(conn, obj, VB_EVENT_STOPPED, detail);
    /* the list's reference may be the last: nothing touches @obj after this */
    if (!vb_domain_obj_is_persistent(obj))
        vb_domain_list_remove(conn->domains, obj);
}

VbDomainObj *
vb_test_domain_add_live(VbConn *conn, VbDomainDef *def_in, int reason, GError **error)
{
    g_autoptr(VbDomainDef) def = def_in;
    VbDomainObj *obj = vb_domain_list_find_uuid(conn->domains, def->uuid);
    g_autoptr(VbDomainObj) fresh = NULL;

    if (obj != NULL) {
        if (g_strcmp0(vb_domain_obj_name(obj), def->name) != 0) {
            vb_error_set(error, VB_ERROR_OPERATION_FAILED,
                         "domain '%s' is already defined with uuid %s", vb_domain_obj_name(obj),
                         obj->uuid_str);
            return NULL;
        }
        if (!vb_test_check_busy(obj, error))
            return NULL;
        if (vb_domain_obj_is_active(obj)) {
            vb_error_set(error, VB_ERROR_OPERATION_INVALID, "domain '%s' is already active",
                         vb_domain_obj_name(obj));
            return NULL;
        }
        vb_test_domain_start(conn, obj, g_steal_pointer(&def), reason);
        return vb_domain_obj_ref(obj);
    }
    fresh = vb_test_domain_obj_new(g_steal_pointer(&def), FALSE);
    if (!vb_domain_list_add(conn->domains, fresh, error))
        return NULL;
    vb_test_domain_start(conn, fresh, NULL, reason);
    return g_steal_pointer(&fresh);
}

static VbDomainDef *
vb_test_parse(const char *xml, gboolean validate, GError **error)
{
    g_autoptr(VbDomainDef) def = NULL;
    guint parse_flags = VB_DOMAIN_PARSE_INACTIVE | (validate ? VB_DOMAIN_PARSE_VALIDATE : 0);

    if (xml == NULL) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "xml must not be NULL");
        return NULL;
    }
    def = vb_domain_def_parse(xml, -1, parse_flags, error);
    if (def == NULL || !vb_test_check_def(def, error))
        return NULL;
    vb_domain_def_fill_macs(def, vb_test_mac_prefix);
    return g_steal_pointer(&def);
}

static VbDomainObj *
vb_test_define(VbConn *conn, const char *xml, guint flags, GError **error)
{
    g_autoptr(VbDomainDef) def = NULL;
    VbDomainObj *obj;
    int detail;

    if (!vb_error_check_flags(flags, VB_TEST_DEFINE_VALIDATE, "virDomainDefineXMLFlags", error))
        return NULL;
    def = vb_test_parse(xml, (flags & VB_TEST_DEFINE_VALIDATE) != 0, error);
    if (def == NULL)
        return NULL;

    obj = vb_domain_list_find_uuid(conn->domains, def->uuid);
    if (obj == NULL) {
        g_autoptr(VbDomainObj) fresh = vb_test_domain_obj_new(g_steal_pointer(&def), TRUE);

        if (!vb_domain_list_add(conn->domains, fresh, error))
            return NULL;
        vb_conn_emit_domain(conn, fresh, VB_EVENT_DEFINED, VB_EVENT_DEFINED_ADDED);
        return g_steal_pointer(&fresh);
    }
    if (g_strcmp0(vb_domain_obj_name(obj), def->name) != 0) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED,
                     "domain '%s' is already defined with uuid %s", vb_domain_obj_name(obj),
                     obj->uuid_str);
        return NULL;
    }
    if (!vb_test_check_busy(obj, error))
        return NULL;

    /* a running domain keeps its live definition; the new one applies at next start */
    detail = obj->config != NULL ? VB_EVENT_DEFINED_UPDATED : VB_EVENT_DEFINED_ADDED;
    vb_domain_def_free(obj->config);
    obj->config = g_steal_pointer(&def);
    if (vb_domain_obj_is_active(obj))
        obj->updated = TRUE;
    vb_domain_obj_changed(obj);
    vb_conn_emit_domain(conn, obj, VB_EVENT_DEFINED, detail);
    return vb_domain_obj_ref(obj);
}

/* virDomainDefineXMLFlags; completes at once */
void
vb_test_domain_define_xml(VbConn *conn, const char *xml, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;
    VbDomainObj *obj = vb_test_define(conn, xml, flags, &error);

    vb_test_complete(done, data, obj, error);
}

void
vb_test_domain_booted(VbConn *conn, VbDomainObj *obj, guint flags)
{
    vb_conn_emit_domain(conn, obj, VB_EVENT_STARTED, VB_EVENT_STARTED_BOOTED);
    if ((flags & VB_TEST_START_PAUSED) != 0) {
        vb_test_domain_pause(obj, VB_PAUSED_USER);
        vb_conn_emit_domain(conn, obj, VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_PAUSED);
    }
    if ((flags & VB_TEST_START_AUTODESTROY) != 0)
        obj->autodestroy = TRUE;
}

static VbDomainObj *
vb_test_create_xml(VbConn *conn, const char *xml, guint flags, GError **error)
{
    g_autoptr(VbDomainDef) def = NULL;
    VbDomainObj *obj;
    guint allowed = VB_TEST_START_PAUSED | VB_TEST_START_AUTODESTROY | VB_TEST_START_VALIDATE;

    if (!vb_error_check_flags(flags, allowed, "virDomainCreateXML", error))
        return NULL;
    def = vb_test_parse(xml, (flags & VB_TEST_START_VALIDATE) != 0, error);
    if (def == NULL)
        return NULL;
    obj = vb_test_domain_add_live(conn, g_steal_pointer(&def), VB_RUNNING_BOOTED, error);
    if (obj != NULL)
        vb_test_domain_booted(conn, obj, flags);
    return obj;
}

/* virDomainCreateXML; completes at once */
void
vb_test_domain_create_xml(VbConn *conn, const char *xml, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;
    VbDomainObj *obj = vb_test_create_xml(conn, xml, flags, &error);

    vb_test_complete(done, data, obj, error);
}

/* virDomainCreateWithFlags; completes at once, or on a worker when a managed save
 * image is restored */
void
vb_test_domain_create(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;
    guint allowed = VB_TEST_START_PAUSED | VB_TEST_START_AUTODESTROY | VB_TEST_START_BYPASS_CACHE |
                    VB_TEST_START_FORCE_BOOT;

    if (vb_error_check_flags(flags, allowed, "virDomainCreateWithFlags", &error) &&
        vb_test_check_busy(obj, &error) && vb_domain_obj_is_active(obj))
        vb_error_set(&error, VB_ERROR_OPERATION_INVALID, "domain is already running");
    if (error == NULL && obj->managed_save) {
        vb_test_domain_start_managed(conn, obj, flags, done, data);
        return;
    }
    if (error == NULL) {
        vb_test_domain_start(conn, obj, NULL, VB_RUNNING_BOOTED);
        vb_test_domain_booted(conn, obj, flags);
    }
    vb_test_complete(done, data, NULL, error);
}

/* what a guest does when it powers off or reboots itself, by its lifecycle action */
static void
vb_test_domain_lifecycle(VbConn *conn, VbDomainObj *obj, VbDomainLifecycleAction action)
{
    if (action == VB_DOMAIN_LIFECYCLE_RESTART || action == VB_DOMAIN_LIFECYCLE_RENAME_RESTART) {
        if (obj->state == VB_DOMAIN_PAUSED) {
            vb_test_domain_unpause(obj, VB_RUNNING_BOOTED);
            vb_conn_emit_domain(conn, obj, VB_EVENT_RESUMED, VB_EVENT_RESUMED_UNPAUSED);
        }
        vb_domain_obj_set_state(obj, VB_DOMAIN_RUNNING, VB_RUNNING_BOOTED);
        vb_conn_emit_domain_signal(conn, obj, "Reboot", g_variant_new("()"));
        return;
    }
    vb_test_domain_stopped(conn, obj, VB_SHUTOFF_SHUTDOWN, VB_EVENT_STOPPED_SHUTDOWN);
}

static gboolean
vb_test_check_op(const VbDomainObj *obj, guint flags, guint allowed, const char *function,
                 GError **error)
{
    return vb_error_check_flags(flags, allowed, function, error) &&
           vb_test_check_busy(obj, error) && vb_test_check_active(obj, error);
}

/* virDomainShutdownFlags; completes at once */
void
vb_test_domain_shutdown(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;

    if (vb_test_check_op(obj, flags, VB_TEST_SHUTDOWN_ALL, "virDomainShutdownFlags", &error))
        vb_test_domain_lifecycle(conn, obj, obj->live->on_poweroff);
    vb_test_complete(done, data, NULL, error);
}

/* virDomainReboot; completes at once */
void
vb_test_domain_reboot(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;

    if (vb_test_check_op(obj, flags, VB_TEST_SHUTDOWN_ALL, "virDomainReboot", &error))
        vb_test_domain_lifecycle(conn, obj, obj->live->on_reboot);
    vb_test_complete(done, data, NULL, error);
}

/* virDomainReset; completes at once */
void
vb_test_domain_reset(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;

    /* the guest restarts at once; like qemu's, a reset shows as a reboot */
    if (vb_test_check_op(obj, flags, 0, "virDomainReset", &error))
        vb_conn_emit_domain_signal(conn, obj, "Reboot", g_variant_new("()"));
    vb_test_complete(done, data, NULL, error);
}

/* virDomainDestroyFlags; completes at once */
void
vb_test_domain_destroy(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;

    if (vb_test_check_op(obj, flags, VB_TEST_DESTROY_GRACEFUL, "virDomainDestroyFlags", &error))
        vb_test_domain_stopped(conn, obj, VB_SHUTOFF_DESTROYED, VB_EVENT_STOPPED_DESTROYED);
    vb_test_complete(done, data, NULL, error);
}

/* virDomainSuspend; completes at once */
void
vb_test_domain_suspend(VbConn *conn, VbDomainObj *obj, VbDone done, gpointer data)
{
    GError *error = NULL;

    if (vb_test_check_op(obj, 0, 0, "virDomainSuspend", &error)) {
        if (obj->state == VB_DOMAIN_PAUSED) {
            vb_error_set(&error, VB_ERROR_OPERATION_INVALID, "domain is already paused");
        } else {
            vb_test_domain_pause(obj, VB_PAUSED_USER);
            vb_conn_emit_domain(conn, obj, VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_PAUSED);
        }
    }
    vb_test_complete(done, data, NULL, error);
}

/* virDomainResume; completes at once */
void
vb_test_domain_resume(VbConn *conn, VbDomainObj *obj, VbDone done, gpointer data)
{
    GError *error = NULL;

    if (vb_test_check_op(obj, 0, 0, "virDomainResume", &error)) {
        if (obj->state != VB_DOMAIN_PAUSED) {
            vb_error_set(&error, VB_ERROR_OPERATION_INVALID, "domain is not paused");
        } else {
            vb_test_domain_unpause(obj, VB_RUNNING_UNPAUSED);
            vb_conn_emit_domain(conn, obj, VB_EVENT_RESUMED, VB_EVENT_RESUMED_UNPAUSED);
        }
    }
    vb_test_complete(done, data, NULL, error);
}

void
vb_test_domain_undefine_finish(VbConn *conn, VbDomainObj *obj)
{
    vb_conn_emit_domain(conn, obj, VB_EVENT_UNDEFINED, VB_EVENT_UNDEFINED_REMOVED);
    obj->autostart = FALSE;
    if (vb_domain_obj_is_active(obj)) {
        /* it keeps running, as a transient domain */
        vb_domain_def_free(obj->config);
        obj->config = NULL;
        obj->updated = FALSE;
        vb_domain_obj_changed(obj);
        return;
    }
    vb_domain_list_remove(conn->domains, obj);
}

static gboolean
vb_test_undefine_check(const VbDomainObj *obj, guint flags, GError **error)
{
    guint allowed = VB_TEST_UNDEFINE_MANAGED_SAVE | VB_TEST_UNDEFINE_SNAPSHOTS_METADATA |
                    VB_TEST_UNDEFINE_NVRAM | VB_TEST_UNDEFINE_KEEP_NVRAM;

    if (!vb_error_check_flags(flags, allowed, "virDomainUndefineFlags", error) ||
        !vb_test_check_busy(obj, error))
        return FALSE;
    if ((flags & VB_TEST_UNDEFINE_NVRAM) != 0 && (flags & VB_TEST_UNDEFINE_KEEP_NVRAM) != 0) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID, "cannot both keep and delete nvram");
        return FALSE;
    }
    if (!vb_domain_obj_is_persistent(obj)) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID, "cannot undefine transient domain");
        return FALSE;
    }
    if (obj->managed_save && (flags & VB_TEST_UNDEFINE_MANAGED_SAVE) == 0) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID,
                     "Refusing to undefine while domain managed save image exists");
        return FALSE;
    }
    return TRUE;
}

/* virDomainUndefineFlags; completes at once, or on a worker that removes the managed
 * save image first */
void
vb_test_domain_undefine(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;

    if (vb_test_undefine_check(obj, flags, &error) && obj->managed_save) {
        vb_test_domain_undefine_managed(conn, obj, done, data);
        return;
    }
    if (error == NULL)
        vb_test_domain_undefine_finish(conn, obj);
    vb_test_complete(done, data, NULL, error);
}

/* virDomainSetAutostart; completes at once */
void
vb_test_domain_set_autostart(VbConn *conn, VbDomainObj *obj, gboolean autostart, VbDone done,
                             gpointer data)
{
    GError *error = NULL;

    if (!vb_domain_obj_is_persistent(obj))
        vb_error_set(&error, VB_ERROR_OPERATION_INVALID,
                     "cannot set autostart for transient domain");
    else
        obj->autostart = autostart;
    vb_test_complete(done, data, NULL, error);
}

static gboolean
vb_test_rename(VbConn *conn, VbDomainObj *obj, const char *name, guint flags, GError **error)
{
    if (!vb_error_check_flags(flags, 0, "virDomainRename", error) ||
        !vb_name_check(name, "domain", VB_ERROR_INVALID_ARG, error) ||
        !vb_test_check_busy(obj, error))
        return FALSE;
    if (vb_domain_obj_is_active(obj)) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID, "cannot rename active domain");
        return FALSE;
    }
    if (!vb_domain_obj_is_persistent(obj)) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID, "cannot rename a transient domain");
        return FALSE;
    }
    if (obj->managed_save) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID,
                     "domain with a managed saved state can't be renamed");
        return FALSE;
    }
    if (g_strcmp0(vb_domain_obj_name(obj), name) == 0) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID, "Can't rename domain to itself");
        return FALSE;
    }
    if (vb_domain_list_find_name(conn->domains, name) != NULL) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID, "domain with name '%s' already exists",
                     name);
        return FALSE;
    }
    vb_conn_emit_domain(conn, obj, VB_EVENT_UNDEFINED, VB_EVENT_UNDEFINED_RENAMED);
    if (!vb_domain_list_rename(conn->domains, obj, name, error))
        return FALSE;
    vb_conn_emit_domain(conn, obj, VB_EVENT_DEFINED, VB_EVENT_DEFINED_RENAMED);
    return TRUE;
}

/* virDomainRename; completes at once */
void
vb_test_domain_rename(VbConn *conn, VbDomainObj *obj, const char *name, guint flags, VbDone done,
                      gpointer data)
{
    GError *error = NULL;

    vb_test_rename(conn, obj, name, flags, &error);
    vb_test_complete(done, data, NULL, error);
}

static gboolean
vb_test_check_running(const VbDomainObj *obj, GError **error)
{
    if (obj->state != VB_DOMAIN_RUNNING) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID, "domain is not running");
        return FALSE;
    }
    return TRUE;
}

/* virDomainInjectNMI; completes at once */
void
vb_test_domain_inject_nmi(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;

    if (vb_test_check_op(obj, flags, 0, "virDomainInjectNMI", &error))
        vb_test_check_running(obj, &error);
    vb_test_complete(done, data, NULL, error);
}

static gboolean
vb_test_send_key(VbDomainObj *obj, guint codeset, const guint *keycodes, gsize nkeycodes,
                 guint flags, GError **error)
{
    if (!vb_error_check_flags(flags, 0, "virDomainSendKey", error))
        return FALSE;
    if (codeset >= G_N_ELEMENTS(vb_test_keycode_sets)) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "unknown keycode set %u", codeset);
        return FALSE;
    }
    if (nkeycodes == 0 || nkeycodes > VB_TEST_SEND_KEY_MAX) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "nkeycodes in virDomainSendKey must be <= %d",
                     VB_TEST_SEND_KEY_MAX);
        return FALSE;
    }
    for (gsize i = 0; i < nkeycodes; i++) {
        /* every keycode set fits in 16 bits */
        if (keycodes[i] > G_MAXUINT16) {
            vb_error_set(error, VB_ERROR_INVALID_ARG, "invalid keycode %u of %s codeset",
                         keycodes[i], vb_test_keycode_sets[codeset]);
            return FALSE;
        }
    }
    return vb_test_check_busy(obj, error) && vb_test_check_running(obj, error);
}

/* virDomainSendKey; completes at once */
void
vb_test_domain_send_key(VbConn *conn, VbDomainObj *obj, guint codeset, guint holdtime,
                        const guint *keycodes, gsize nkeycodes, guint flags, VbDone done,
                        gpointer data)
{
    GError *error = NULL;

    vb_test_send_key(obj, codeset, keycodes, nkeycodes, flags, &error);
    vb_test_complete(done, data, NULL, error);
}
