/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-qemu"

#include "file-util.h"
#include "qemu-driver.h"

/* the lifecycle calls of the QEMU driver: define, undefine, start, stop, pause. each
 * checks its flags at once, then runs as a job holding the domain's state change lock
 * and checks the domain's state when it gets it. */

enum { VB_QEMU_DEFINE_VALIDATE = 1 };
enum { VB_QEMU_DESTROY_GRACEFUL = 1 };
enum {
    VB_QEMU_SHUTDOWN_ACPI = 1,
    VB_QEMU_SHUTDOWN_AGENT = 2,
    VB_QEMU_SHUTDOWN_PARAVIRT = 16,
};
enum {
    VB_QEMU_UNDEFINE_MANAGED_SAVE = 1,
    VB_QEMU_UNDEFINE_SNAPSHOTS_METADATA = 2,
    VB_QEMU_UNDEFINE_NVRAM = 4,
    VB_QEMU_UNDEFINE_KEEP_NVRAM = 8,
};

static void
vb_qemu_job_done_reply(GObject *source, GAsyncResult *result, gpointer data)
{
    VbQemuJob *job = data;
    gboolean failed;
    G_GNUC_UNUSED g_autoptr(JsonNode) ret = vb_qemu_job_qmp_finish(job, result, &failed);

    if (!failed)
        vb_qemu_job_finish(job, NULL, NULL);
}

/* ---- define ---- */

typedef struct {
    char *path;
    char *xml;
} VbQemuDefineWrite;

static void
vb_qemu_define_write_free(gpointer data)
{
    VbQemuDefineWrite *w = data;

    g_free(w->path);
    g_free(w->xml);
    g_free(w);
}

static gpointer
vb_qemu_define_write_thread(gpointer data, GError **error)
{
    VbQemuDefineWrite *w = data;
    g_autofree char *dir = g_path_get_dirname(w->path);

    if (vb_qemu_make_dir(dir, 0700, error))
        vb_file_write_atomic(w->path, w->xml, strlen(w->xml), 0600, error);
    return NULL;
}

static void
vb_qemu_job_config_written(VbQemuJob *job, gpointer result, GError *error)
{
    VbQemuJobFunc next = job->start;

    if (error != NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    next(job);
}

void
vb_qemu_job_write_config(VbQemuJob *job, const VbDomainDef *def, VbQemuJobFunc next)
{
    VbQemuDefineWrite *w = g_new0(VbQemuDefineWrite, 1);

    w->path = vb_qemu_config_path(job->qc, def->name);
    w->xml = vb_domain_def_format(def, VB_DOMAIN_XML_INACTIVE | VB_DOMAIN_XML_SECURE);
    job->start = next;
    vb_qemu_job_work(job, vb_qemu_define_write_thread, w, vb_qemu_define_write_free, NULL,
                     vb_qemu_job_config_written);
}

void
vb_qemu_commit(VbDomainObj *obj, VbDomainDef *live, VbDomainDef *config)
{
    if (live != NULL) {
        if (obj->live != obj->config)
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

static void
vb_qemu_define_new_written(VbQemuJob *job, gpointer result, GError *error)
{
    VbConn *conn = job->qc->conn;
    g_autoptr(VbDomainObj) obj = NULL;

    g_hash_table_remove(job->qc->defining, job->def->name);
    if (error == NULL) {
        obj = vb_qemu_domain_obj_new(g_steal_pointer(&job->def), TRUE);
        vb_domain_list_add(conn->domains, obj, &error);
    }
    if (error != NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    vb_conn_emit_domain(conn, obj, VB_EVENT_DEFINED, VB_EVENT_DEFINED_ADDED);
    vb_qemu_job_finish(job, g_steal_pointer(&obj), NULL);
}

static void
vb_qemu_define_update_written(VbQemuJob *job)
{
    VbDomainObj *obj = job->obj;
    int detail = obj->config != NULL ? VB_EVENT_DEFINED_UPDATED : VB_EVENT_DEFINED_ADDED;

    vb_qemu_commit(obj, NULL, g_steal_pointer(&job->def));
    vb_conn_emit_domain(job->qc->conn, obj, VB_EVENT_DEFINED, detail);
    job->return_obj = TRUE;
    vb_qemu_job_finish(job, NULL, NULL);
}

static void
vb_qemu_define_update_start(VbQemuJob *job)
{
    GError *error = NULL;

    /* a rename since the call was made */
    if (g_strcmp0(vb_domain_obj_name(job->obj), job->def->name) != 0) {
        vb_error_set(&error, VB_ERROR_OPERATION_FAILED,
                     "domain '%s' is already defined with uuid %s", vb_domain_obj_name(job->obj),
                     job->obj->uuid_str);
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    vb_qemu_job_write_config(job, job->def, vb_qemu_define_update_written);
}

/* virDomainDefineXMLFlags; writes the definition on a worker */
void
vb_qemu_domain_define_xml(VbConn *conn, const char *xml, guint flags, VbDone done, gpointer data)
{
    VbQemuConn *qc = vb_qemu_conn(conn);
    GError *error = NULL;
    g_autoptr(VbDomainDef) def = NULL;
    VbDomainObj *obj, *other;
    const char *pending;
    VbQemuJob *job;
    VbQemuDefineWrite *w;
    char uuid[VB_UUID_STRING_LEN];

    if (vb_error_check_flags(flags, VB_QEMU_DEFINE_VALIDATE, "virDomainDefineXMLFlags", &error))
        def = vb_qemu_parse(xml, (flags & VB_QEMU_DEFINE_VALIDATE) != 0, &error);
    if (def == NULL) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    vb_uuid_format(def->uuid, uuid);
    obj = vb_domain_list_find_uuid(conn->domains, def->uuid);
    other = vb_domain_list_find_name(conn->domains, def->name);
    pending = g_hash_table_lookup(qc->defining, def->name);
    if (obj != NULL && g_strcmp0(vb_domain_obj_name(obj), def->name) != 0)
        vb_error_set(&error, VB_ERROR_OPERATION_FAILED,
                     "domain '%s' is already defined with uuid %s", vb_domain_obj_name(obj),
                     obj->uuid_str);
    else if (obj == NULL && other != NULL)
        vb_error_set(&error, VB_ERROR_OPERATION_FAILED, "domain '%s' already exists with uuid %s",
                     def->name, other->uuid_str);
    else if (obj == NULL && pending != NULL)
        vb_error_set(&error, VB_ERROR_OPERATION_FAILED, "domain '%s' already exists with uuid %s",
                     def->name, pending);
    if (error != NULL) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    job = vb_qemu_job_new(conn, obj, "virDomainDefineXMLFlags", flags, done, data);
    job->def = g_steal_pointer(&def);
    if (obj != NULL) {
        vb_qemu_job_begin(job, vb_qemu_define_update_start);
        return;
    }
    /* no two definitions of one name on their way to disk */
    g_hash_table_insert(qc->defining, g_strdup(job->def->name), g_strdup(uuid));
    w = g_new0(VbQemuDefineWrite, 1);
    w->path = vb_qemu_config_path(qc, job->def->name);
    w->xml = vb_domain_def_format(job->def, VB_DOMAIN_XML_INACTIVE | VB_DOMAIN_XML_SECURE);
    vb_qemu_job_work(job, vb_qemu_define_write_thread, w, vb_qemu_define_write_free, NULL,
                     vb_qemu_define_new_written);
}

/* ---- create ---- */

static void
vb_qemu_create_boot(VbQemuJob *job)
{
    vb_qemu_domain_start(job, vb_domain_def_copy(vb_domain_obj_config(job->obj)), -1,
                         VB_DOMAIN_RUNNING);
}

static void
vb_qemu_create_image_removed(VbQemuJob *job, gpointer result, GError *error)
{
    if (error != NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    job->obj->managed_save = FALSE;
    vb_qemu_create_boot(job);
}

static gpointer
vb_qemu_unlink_thread(gpointer data, GError **error)
{
    vb_qemu_remove_file(data, error);
    return NULL;
}

static void
vb_qemu_create_start(VbQemuJob *job)
{
    VbDomainObj *obj = job->obj;
    GError *error = NULL;

    if (vb_domain_obj_is_active(obj)) {
        vb_error_set(&error, VB_ERROR_OPERATION_INVALID, "domain is already running");
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    if (obj->managed_save && (job->flags & VB_QEMU_START_FORCE_BOOT) == 0) {
        vb_qemu_domain_start_managed(job);
        return;
    }
    if (obj->managed_save) {
        vb_qemu_job_work(job, vb_qemu_unlink_thread,
                         vb_qemu_managed_path(job->qc, vb_domain_obj_name(obj)), g_free, NULL,
                         vb_qemu_create_image_removed);
        return;
    }
    vb_qemu_create_boot(job);
}

/* virDomainCreateWithFlags; completes once qemu runs the guest (QMP "cont" answered) */
void
vb_qemu_domain_create(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;
    guint allowed = VB_QEMU_START_PAUSED | VB_QEMU_START_AUTODESTROY | VB_QEMU_START_BYPASS_CACHE |
                    VB_QEMU_START_FORCE_BOOT;
    VbQemuJob *job;

    if (!vb_error_check_flags(flags, allowed, "virDomainCreateWithFlags", &error)) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    job = vb_qemu_job_new(conn, obj, "virDomainCreateWithFlags", flags, done, data);
    job->start_paused = (flags & VB_QEMU_START_PAUSED) != 0;
    job->autodestroy = (flags & VB_QEMU_START_AUTODESTROY) != 0;
    vb_qemu_job_begin(job, vb_qemu_create_start);
}

static void
vb_qemu_create_xml_start(VbQemuJob *job)
{
    GError *error = NULL;

    if (vb_domain_obj_is_active(job->obj)) {
        vb_error_set(&error, VB_ERROR_OPERATION_INVALID, "domain '%s' is already active",
                     vb_domain_obj_name(job->obj));
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    vb_qemu_domain_start(job, g_steal_pointer(&job->def), -1, VB_DOMAIN_RUNNING);
}

/* virDomainCreateXML; completes once qemu runs the guest */
void
vb_qemu_domain_create_xml(VbConn *conn, const char *xml, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;
    guint allowed = VB_QEMU_START_PAUSED | VB_QEMU_START_AUTODESTROY | VB_QEMU_START_VALIDATE;
    g_autoptr(VbDomainDef) def = NULL;
    g_autoptr(VbDomainObj) fresh = NULL;
    VbDomainObj *obj;
    VbQemuJob *job;

    if (vb_error_check_flags(flags, allowed, "virDomainCreateXML", &error))
        def = vb_qemu_parse(xml, (flags & VB_QEMU_START_VALIDATE) != 0, &error);
    if (def == NULL) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    obj = vb_domain_list_find_uuid(conn->domains, def->uuid);
    if (obj != NULL && g_strcmp0(vb_domain_obj_name(obj), def->name) != 0) {
        vb_error_set(&error, VB_ERROR_OPERATION_FAILED,
                     "domain '%s' is already defined with uuid %s", vb_domain_obj_name(obj),
                     obj->uuid_str);
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    if (obj == NULL) {
        fresh = vb_qemu_domain_obj_new(vb_domain_def_copy(def), FALSE);
        if (!vb_domain_list_add(conn->domains, fresh, &error)) {
            vb_qemu_complete(done, data, NULL, error);
            return;
        }
        obj = fresh;
    }
    job = vb_qemu_job_new(conn, obj, "virDomainCreateXML", flags, done, data);
    job->def = g_steal_pointer(&def);
    job->start_paused = (flags & VB_QEMU_START_PAUSED) != 0;
    job->autodestroy = (flags & VB_QEMU_START_AUTODESTROY) != 0;
    job->return_obj = TRUE;
    vb_qemu_job_begin(job, vb_qemu_create_xml_start);
}

/* ---- shutdown, reboot, reset ---- */

static gboolean
vb_qemu_job_check_active(VbQemuJob *job)
{
    GError *error = NULL;

    if (vb_qemu_check_active(job->obj, &error))
        return TRUE;
    vb_qemu_job_finish(job, NULL, error);
    return FALSE;
}

static void
vb_qemu_shutdown_start(VbQemuJob *job)
{
    if (!vb_qemu_job_check_active(job))
        return;
    vb_qemu_dom(job->obj)->fake_reboot = FALSE;
    vb_qemu_job_qmp(job, "system_powerdown", NULL, vb_qemu_job_done_reply);
}

static gboolean
vb_qemu_check_shutdown_flags(guint flags, guint allowed, const char *function, GError **error)
{
    if (!vb_error_check_flags(flags, allowed, function, error))
        return FALSE;
    /* no guest agent channel: the agent alone cannot be asked */
    if ((flags & VB_QEMU_SHUTDOWN_AGENT) != 0 && (flags & ~VB_QEMU_SHUTDOWN_AGENT) == 0) {
        vb_error_set(error, VB_ERROR_OPERATION_UNSUPPORTED, "QEMU guest agent is not configured");
        return FALSE;
    }
    return TRUE;
}

/* virDomainShutdownFlags; completes when qemu took system_powerdown (the guest powers
 * off later: SHUTDOWN/FINISHED, then STOPPED/SHUTDOWN) */
void
vb_qemu_domain_shutdown(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;

    if (!vb_qemu_check_shutdown_flags(flags, VB_QEMU_SHUTDOWN_ACPI | VB_QEMU_SHUTDOWN_AGENT,
                                      "virDomainShutdownFlags", &error)) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    vb_qemu_job_begin(vb_qemu_job_new(conn, obj, "virDomainShutdownFlags", flags, done, data),
                      vb_qemu_shutdown_start);
}

static void
vb_qemu_reboot_start(VbQemuJob *job)
{
    if (!vb_qemu_job_check_active(job))
        return;
    if ((job->flags & VB_QEMU_SHUTDOWN_PARAVIRT) != 0) {
        vb_qemu_job_qmp(job, "system_reset", NULL, vb_qemu_job_done_reply);
        return;
    }
    /* the guest powers off; the SHUTDOWN event turns that into a reset */
    vb_qemu_dom(job->obj)->fake_reboot = TRUE;
    vb_qemu_job_qmp(job, "system_powerdown", NULL, vb_qemu_job_done_reply);
}

/* virDomainReboot; completes when qemu took the request: system_powerdown remembered
 * as a reboot, or with PARAVIRT a system_reset at once */
void
vb_qemu_domain_reboot(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;

    if (!vb_qemu_check_shutdown_flags(
            flags, VB_QEMU_SHUTDOWN_ACPI | VB_QEMU_SHUTDOWN_AGENT | VB_QEMU_SHUTDOWN_PARAVIRT,
            "virDomainReboot", &error)) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    vb_qemu_job_begin(vb_qemu_job_new(conn, obj, "virDomainReboot", flags, done, data),
                      vb_qemu_reboot_start);
}

static void
vb_qemu_reset_start(VbQemuJob *job)
{
    if (vb_qemu_job_check_active(job))
        vb_qemu_job_qmp(job, "system_reset", NULL, vb_qemu_job_done_reply);
}

/* virDomainReset; completes on the QMP reply (the RESET event gives the Reboot signal) */
void
vb_qemu_domain_reset(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;

    if (!vb_error_check_flags(flags, 0, "virDomainReset", &error)) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    vb_qemu_job_begin(vb_qemu_job_new(conn, obj, "virDomainReset", flags, done, data),
                      vb_qemu_reset_start);
}

/* ---- destroy ---- */

typedef struct {
    VbDone done;
    gpointer data;
    VbDomainObj *obj;
} VbQemuDestroy;

static void
vb_qemu_destroy_killed(GObject *source, GAsyncResult *result, gpointer user_data)
{
    VbQemuDestroy *d = user_data;
    GError *error = NULL;

    vb_qemu_process_kill_finish(result, &error);
    vb_qemu_complete(d->done, d->data, NULL, error);
    vb_domain_obj_unref(d->obj);
    g_free(d);
}

/* virDomainDestroyFlags; completes when the process is gone. it takes no job: a job
 * stuck on a frozen qemu ends with the process, as in libvirt */
void
vb_qemu_domain_destroy(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;
    VbQemuDestroy *d;

    if (!vb_error_check_flags(flags, VB_QEMU_DESTROY_GRACEFUL, "virDomainDestroyFlags", &error) ||
        !vb_qemu_check_active(obj, &error)) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    d = g_new0(VbQemuDestroy, 1);
    d->done = done;
    d->data = data;
    d->obj = vb_domain_obj_ref(obj);
    vb_qemu_domain_kill(conn, obj, VB_SHUTOFF_DESTROYED, vb_qemu_conn(conn)->kill_grace_ms,
                        vb_qemu_destroy_killed, d);
}

/* ---- suspend and resume ---- */

static void
vb_qemu_suspended(VbQemuJob *job)
{
    VbConn *conn = job->qc->conn;

    vb_qemu_domain_pause_state(job->obj, VB_PAUSED_USER);
    vb_conn_emit_domain(conn, job->obj, VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_PAUSED);
    vb_qemu_domain_save_status(conn, job->obj, NULL, NULL);
    vb_qemu_job_finish(job, NULL, NULL);
}

static void
vb_qemu_suspend_start(VbQemuJob *job)
{
    GError *error = NULL;

    if (!vb_qemu_job_check_active(job))
        return;
    if (job->obj->state == VB_DOMAIN_PAUSED) {
        vb_error_set(&error, VB_ERROR_OPERATION_INVALID, "domain is already paused");
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    vb_qemu_job_pause(job, vb_qemu_suspended);
}

/* virDomainSuspend; completes on the QMP reply to "stop" */
void
vb_qemu_domain_suspend(VbConn *conn, VbDomainObj *obj, VbDone done, gpointer data)
{
    vb_qemu_job_begin(vb_qemu_job_new(conn, obj, "virDomainSuspend", 0, done, data),
                      vb_qemu_suspend_start);
}

static void
vb_qemu_resumed(VbQemuJob *job)
{
    VbConn *conn = job->qc->conn;

    vb_qemu_domain_run_state(job->obj, VB_RUNNING_UNPAUSED);
    vb_conn_emit_domain(conn, job->obj, VB_EVENT_RESUMED, VB_EVENT_RESUMED_UNPAUSED);
    vb_qemu_domain_save_status(conn, job->obj, NULL, NULL);
    vb_qemu_job_finish(job, NULL, NULL);
}

static void
vb_qemu_resume_start(VbQemuJob *job)
{
    GError *error = NULL;

    if (!vb_qemu_job_check_active(job))
        return;
    if (job->obj->state != VB_DOMAIN_PAUSED) {
        vb_error_set(&error, VB_ERROR_OPERATION_INVALID, "domain is not paused");
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    vb_qemu_job_cont(job, vb_qemu_resumed);
}

/* virDomainResume; completes on the QMP reply to "cont" */
void
vb_qemu_domain_resume(VbConn *conn, VbDomainObj *obj, VbDone done, gpointer data)
{
    vb_qemu_job_begin(vb_qemu_job_new(conn, obj, "virDomainResume", 0, done, data),
                      vb_qemu_resume_start);
}

/* ---- undefine ---- */

typedef struct {
    char *config;
    char *autostart;
    char *managed; /* or NULL */
} VbQemuUndefineFiles;

static void
vb_qemu_undefine_files_free(gpointer data)
{
    VbQemuUndefineFiles *f = data;

    g_free(f->config);
    g_free(f->autostart);
    g_free(f->managed);
    g_free(f);
}

static gpointer
vb_qemu_undefine_thread(gpointer data, GError **error)
{
    VbQemuUndefineFiles *f = data;

    if ((f->managed == NULL || vb_qemu_remove_file(f->managed, error)) &&
        vb_qemu_remove_file(f->autostart, error))
        vb_qemu_remove_file(f->config, error);
    return NULL;
}

static void
vb_qemu_undefined(VbQemuJob *job, gpointer result, GError *error)
{
    VbConn *conn = job->qc->conn;
    VbDomainObj *obj = job->obj;

    if (error != NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    if ((job->flags & VB_QEMU_UNDEFINE_MANAGED_SAVE) != 0)
        obj->managed_save = FALSE;
    obj->autostart = FALSE;
    vb_conn_emit_domain(conn, obj, VB_EVENT_UNDEFINED, VB_EVENT_UNDEFINED_REMOVED);
    if (vb_domain_obj_is_active(obj)) {
        /* it keeps running, as a transient domain */
        vb_domain_def_free(obj->config);
        obj->config = NULL;
        obj->updated = FALSE;
        vb_domain_obj_changed(obj);
        vb_qemu_domain_save_status(conn, obj, NULL, NULL);
    } else {
        vb_domain_list_remove(conn->domains, obj);
    }
    vb_qemu_job_finish(job, NULL, NULL);
}

static void
vb_qemu_undefine_start(VbQemuJob *job)
{
    VbDomainObj *obj = job->obj;
    const char *name = vb_domain_obj_name(obj);
    VbQemuUndefineFiles *files;
    GError *error = NULL;

    if (!vb_domain_obj_is_persistent(obj))
        vb_error_set(&error, VB_ERROR_OPERATION_INVALID, "cannot undefine transient domain");
    else if (obj->managed_save && (job->flags & VB_QEMU_UNDEFINE_MANAGED_SAVE) == 0)
        vb_error_set(&error, VB_ERROR_OPERATION_INVALID,
                     "Refusing to undefine while domain managed save image exists");
    if (error != NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    files = g_new0(VbQemuUndefineFiles, 1);
    files->config = vb_qemu_config_path(job->qc, name);
    files->autostart = vb_qemu_autostart_path(job->qc, name);
    if ((job->flags & VB_QEMU_UNDEFINE_MANAGED_SAVE) != 0)
        files->managed = vb_qemu_managed_path(job->qc, name);
    vb_qemu_job_work(job, vb_qemu_undefine_thread, files, vb_qemu_undefine_files_free, NULL,
                     vb_qemu_undefined);
}

/* virDomainUndefineFlags; removes the files on a worker */
void
vb_qemu_domain_undefine(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;
    guint allowed = VB_QEMU_UNDEFINE_MANAGED_SAVE | VB_QEMU_UNDEFINE_SNAPSHOTS_METADATA |
                    VB_QEMU_UNDEFINE_NVRAM | VB_QEMU_UNDEFINE_KEEP_NVRAM;

    if (vb_error_check_flags(flags, allowed, "virDomainUndefineFlags", &error) &&
        (flags & VB_QEMU_UNDEFINE_NVRAM) != 0 && (flags & VB_QEMU_UNDEFINE_KEEP_NVRAM) != 0)
        vb_error_set(&error, VB_ERROR_OPERATION_INVALID, "cannot both keep and delete nvram");
    if (error != NULL) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    vb_qemu_job_begin(vb_qemu_job_new(conn, obj, "virDomainUndefineFlags", flags, done, data),
                      vb_qemu_undefine_start);
}
