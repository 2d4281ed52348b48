/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-qemu"

#include <signal.h>

#include "file-util.h"
#include "qemu-command.h"
#include "qemu-driver.h"

/* the machinery under every domain of the QEMU driver: per-domain jobs (the state
 * change lock), starting a process, watching it and its monitor, turning QMP events
 * into libvirt events, and tearing down when the process is gone. */

#define VB_QEMU_INCOMING_POLL_MS     50
#define VB_QEMU_MONITOR_EOF_GRACE_MS 3000

const guint8 vb_qemu_mac_prefix[3] = {0x52, 0x54, 0x00};

/* ---- objects and checks ---- */

static void
vb_qemu_domain_priv_free(gpointer data)
{
    VbQemuDomain *dom = data;

    g_clear_pointer(&dom->mon, vb_qemu_monitor_free);
    g_clear_pointer(&dom->proc, vb_qemu_process_free);
    g_clear_object(&dom->open_cancel);
    if (dom->dispatch != NULL) {
        g_source_destroy(dom->dispatch);
        g_source_unref(dom->dispatch);
    }
    g_free(dom->monitor_path);
    g_free(dom->log_path);
    g_free(dom->exit_reason);
    g_clear_pointer(&dom->vcpu_tids, g_array_unref);
    g_clear_pointer(&dom->owners, g_ptr_array_unref);
    g_clear_pointer(&dom->exit_waiters, g_ptr_array_unref);
    g_clear_pointer(&dom->unplugs, g_ptr_array_unref);
    g_free(dom);
}

VbDomainObj *
vb_qemu_domain_obj_new(VbDomainDef *def, gboolean persistent)
{
    VbDomainObj *obj = vb_domain_obj_new(def, persistent);
    VbQemuDomain *dom = g_new0(VbQemuDomain, 1);

    g_queue_init(&dom->waiters);
    dom->stop_reason = -1;
    dom->pause_reason = -1;
    dom->exit_waiters = g_ptr_array_new();
    dom->unplugs = g_ptr_array_new();
    obj->priv = dom;
    obj->priv_free = vb_qemu_domain_priv_free;
    return obj;
}

gboolean
vb_qemu_check_def(const VbDomainDef *def, GError **error)
{
    g_autofree char *emulator = NULL;

    if (def->type != VB_DOMAIN_VIRT_QEMU && def->type != VB_DOMAIN_VIRT_KVM) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "could not find capabilities for domaintype=%s",
                     vb_domain_virt_type_to_string(def->type));
        return FALSE;
    }
    if (def->os_type != VB_DOMAIN_OS_HVM) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "could not find capabilities for ostype=%s",
                     vb_domain_os_type_to_string(def->os_type));
        return FALSE;
    }
    /* an arch needs an emulator: named, or found for it */
    if (def->emulator == NULL && def->os_arch != NULL) {
        emulator = vb_qemu_find_binary_for_arch(def->os_arch);
        if (emulator == NULL) {
            vb_error_set(error, VB_ERROR_INVALID_ARG, "could not find capabilities for arch=%s",
                         def->os_arch);
            return FALSE;
        }
    }
    return TRUE;
}

VbDomainDef *
vb_qemu_parse(const char *xml, gboolean validate, GError **error)
{
    g_autoptr(VbDomainDef) def = NULL;
    guint parse_flags = VB_DOMAIN_PARSE_INACTIVE | (validate ? VB_DOMAIN_PARSE_VALIDATE : 0);

    if (xml == NULL) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "xml must not be NULL");
        return NULL;
    }
    def = vb_domain_def_parse(xml, -1, parse_flags, error);
    if (def == NULL || !vb_qemu_check_def(def, error))
        return NULL;
    vb_domain_def_fill_macs(def, vb_qemu_mac_prefix);
    return g_steal_pointer(&def);
}

gboolean
vb_qemu_check_active(const VbDomainObj *obj, GError **error)
{
    if (!vb_domain_obj_is_active(obj)) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID, "domain is not running");
        return FALSE;
    }
    return TRUE;
}

gboolean
vb_qemu_check_running(const VbDomainObj *obj, GError **error)
{
    if (!vb_qemu_check_active(obj, error))
        return FALSE;
    if (obj->state != VB_DOMAIN_RUNNING) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID, "domain is not running");
        return FALSE;
    }
    return TRUE;
}

void
vb_qemu_complete(VbDone done, gpointer data, gpointer result, GError *error)
{
    done(error != NULL ? NULL : result, error, data);
    g_clear_error(&error);
}

/* ---- jobs ---- */

VbQemuJob *
vb_qemu_job_new(VbConn *conn, VbDomainObj *obj, const char *op, guint flags, VbDone done,
                gpointer data)
{
    VbQemuJob *job = g_new0(VbQemuJob, 1);

    job->qc = vb_qemu_conn_ref(vb_qemu_conn(conn));
    job->obj = obj != NULL ? vb_domain_obj_ref(obj) : NULL;
    job->op = op;
    job->flags = flags;
    job->done = done;
    job->data = data;
    job->fd = -1;
    job->state = VB_DOMAIN_RUNNING;
    job->started_detail = VB_EVENT_STARTED_BOOTED;
    return job;
}

static void
vb_qemu_job_free(VbQemuJob *job)
{
    if (job->wait_timer != NULL) {
        g_source_destroy(job->wait_timer);
        g_source_unref(job->wait_timer);
    }
    if (job->fd >= 0)
        close(job->fd);
    if (job->result != NULL && job->result_free != NULL)
        job->result_free(job->result);
    if (job->extra != NULL && job->extra_free != NULL)
        job->extra_free(job->extra);
    g_clear_error(&job->error);
    g_clear_pointer(&job->seq, g_ptr_array_unref);
    g_free(job->path);
    g_free(job->xml);
    g_free(job->text);
    vb_domain_def_free(job->def);
    vb_domain_device_def_free(job->dev);
    if (job->obj != NULL)
        vb_domain_obj_unref(job->obj);
    vb_qemu_conn_unref(job->qc);
    g_free(job);
}

static void
vb_qemu_job_acquire(VbQemuJob *job)
{
    VbQemuDomain *dom = vb_qemu_dom(job->obj);

    dom->job = job;
    job->holds_lock = TRUE;
    job->start_us = g_get_monotonic_time();
}

/* the checks every job repeats when it gets the lock: the world may have moved on */
static gboolean
vb_qemu_job_ready(VbQemuJob *job)
{
    GError *error = NULL;

    if (job->obj != NULL && job->obj->removed)
        vb_error_set(&error, VB_ERROR_NO_DOMAIN, "no domain with matching uuid '%s'",
                     job->obj->uuid_str);
    if (error != NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return FALSE;
    }
    return vb_qemu_job_alive(job);
}

static gboolean
vb_qemu_job_dispatch(gpointer data)
{
    VbDomainObj *obj = data;
    VbQemuDomain *dom = vb_qemu_dom(obj);
    VbQemuJob *job;

    g_clear_pointer(&dom->dispatch, g_source_unref);
    if (dom->job != NULL || (job = g_queue_pop_head(&dom->waiters)) == NULL)
        return G_SOURCE_REMOVE;
    if (job->wait_timer != NULL) {
        g_source_destroy(job->wait_timer);
        g_clear_pointer(&job->wait_timer, g_source_unref);
    }
    vb_qemu_job_acquire(job);
    if (vb_qemu_job_ready(job))
        job->start(job);
    return G_SOURCE_REMOVE;
}

static void
vb_qemu_job_schedule(VbDomainObj *obj)
{
    VbQemuDomain *dom = vb_qemu_dom(obj);

    if (dom->dispatch != NULL || g_queue_is_empty(&dom->waiters))
        return;
    dom->dispatch = g_idle_source_new();
    g_source_set_callback(dom->dispatch, vb_qemu_job_dispatch, vb_domain_obj_ref(obj),
                          (GDestroyNotify)vb_domain_obj_unref);
    g_source_attach(dom->dispatch, NULL);
}

static gboolean
vb_qemu_job_wait_timeout(gpointer data)
{
    VbQemuJob *job = data;
    VbQemuDomain *dom = vb_qemu_dom(job->obj);
    GError *error = NULL;

    g_clear_pointer(&job->wait_timer, g_source_unref);
    g_queue_remove(&dom->waiters, job);
    vb_error_set(&error, VB_ERROR_OPERATION_TIMEOUT,
                 "cannot acquire state change lock (held by %s)",
                 dom->job != NULL ? dom->job->op : "another operation");
    vb_qemu_job_finish(job, NULL, error);
    return G_SOURCE_REMOVE;
}

void
vb_qemu_job_begin(VbQemuJob *job, VbQemuJobFunc start)
{
    VbQemuDomain *dom;

    job->start = start;
    if (job->obj == NULL) {
        if (vb_qemu_job_alive(job))
            start(job);
        return;
    }
    dom = vb_qemu_dom(job->obj);
    if (dom->job == NULL && g_queue_is_empty(&dom->waiters)) {
        vb_qemu_job_acquire(job);
        if (vb_qemu_job_ready(job))
            start(job);
        return;
    }
    g_queue_push_tail(&dom->waiters, job);
    job->wait_timer = g_timeout_source_new(job->qc->job_timeout_ms);
    g_source_set_callback(job->wait_timer, vb_qemu_job_wait_timeout, job, NULL);
    g_source_attach(job->wait_timer, NULL);
}

void
vb_qemu_job_finish(VbQemuJob *job, gpointer result, GError *error)
{
    VbDomainObj *obj = job->obj;
    VbConn *conn = job->qc->conn;

    /* a start that fails half-way leaves no half-started qemu behind */
    if (error != NULL && obj != NULL && conn != NULL && job->holds_lock &&
        vb_qemu_dom(obj)->starting && vb_qemu_dom(obj)->proc != NULL &&
        vb_qemu_process_is_running(vb_qemu_dom(obj)->proc)) {
        VbQemuDomain *dom = vb_qemu_dom(obj);

        dom->ran = FALSE;
        g_clear_error(&job->error);
        job->error = error;
        g_ptr_array_add(dom->exit_waiters, job);
        vb_qemu_process_kill_async(dom->proc, 0, vb_qemu_kill_noop, NULL);
        return;
    }
    if (job->holds_lock) {
        vb_qemu_dom(obj)->job = NULL;
        job->holds_lock = FALSE;
        vb_qemu_job_schedule(obj);
    }
    /* a transient domain exists only while it runs: a failed start leaves nothing */
    if (error != NULL && obj != NULL && conn != NULL && !obj->removed &&
        !vb_domain_obj_is_persistent(obj) && !vb_domain_obj_is_active(obj))
        vb_domain_list_remove(conn->domains, obj);
    if (error == NULL && result == NULL && job->return_obj && obj != NULL)
        result = vb_domain_obj_ref(obj);
    job->done(error != NULL ? NULL : result, error, job->data);
    g_clear_error(&error);
    vb_qemu_job_free(job);
}

gboolean
vb_qemu_job_alive(VbQemuJob *job)
{
    GError *error = NULL;

    if (job->qc->conn != NULL)
        return TRUE;
    vb_error_set(&error, VB_ERROR_OPERATION_FAILED,
                 "the connection was closed during the operation");
    vb_qemu_job_finish(job, NULL, error);
    return FALSE;
}

static void
vb_qemu_fail_task(gpointer source_tag, GAsyncReadyCallback callback, gpointer data, GError *error)
{
    g_autoptr(GTask) task = g_task_new(NULL, NULL, callback, data);

    g_task_set_source_tag(task, source_tag);
    g_task_return_error(task, error);
}

void
vb_qemu_job_qmp_fd(VbQemuJob *job, const char *execute, JsonNode *args, int fd,
                   GAsyncReadyCallback callback)
{
    VbQemuDomain *dom = vb_qemu_dom(job->obj);
    GError *error = NULL;

    if (dom->mon == NULL || !vb_qemu_monitor_is_open(dom->mon)) {
        if (args != NULL)
            json_node_unref(args);
        if (!vb_domain_obj_is_active(job->obj))
            vb_error_set(&error, VB_ERROR_OPERATION_INVALID, "domain is not running");
        else
            vb_error_set(&error, VB_ERROR_OPERATION_FAILED, "QEMU monitor is not available");
        vb_qemu_fail_task(vb_qemu_job_qmp_fd, callback, job, error);
        return;
    }
    vb_qemu_monitor_command_with_fd(dom->mon, execute, args, fd, job->qc->monitor_timeout_ms,
                                    callback, job);
}

void
vb_qemu_job_qmp(VbQemuJob *job, const char *execute, JsonNode *args, GAsyncReadyCallback callback)
{
    vb_qemu_job_qmp_fd(job, execute, args, -1, callback);
}

void
vb_qemu_job_fail_when_gone(VbQemuJob *job, GError *error)
{
    VbQemuDomain *dom = vb_qemu_dom(job->obj);

    if (dom->proc == NULL || !vb_qemu_process_is_running(dom->proc)) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    g_clear_error(&job->error);
    job->error = error;
    g_ptr_array_add(dom->exit_waiters, job);
}

JsonNode *
vb_qemu_job_qmp_finish(VbQemuJob *job, GAsyncResult *result, gboolean *failed)
{
    GError *error = NULL;
    JsonNode *node = vb_qemu_monitor_command_finish(result, &error);
    VbQemuDomain *dom;

    *failed = TRUE;
    if (!vb_qemu_job_alive(job)) {
        g_clear_pointer(&node, json_node_unref);
        g_clear_error(&error);
        return NULL;
    }
    if (node != NULL) {
        *failed = FALSE;
        return node;
    }
    dom = vb_qemu_dom(job->obj);
    /* a monitor that closed means qemu is going: say why once it is gone */
    if (dom->mon != NULL && !vb_qemu_monitor_is_open(dom->mon) && dom->proc != NULL) {
        vb_qemu_job_fail_when_gone(job, error);
        return NULL;
    }
    vb_qemu_job_finish(job, NULL, error);
    return NULL;
}

gboolean
vb_qemu_domain_qmp(VbConn *conn, VbDomainObj *obj, const char *execute, JsonNode *args,
                   GAsyncReadyCallback callback, gpointer data, GError **error)
{
    VbQemuDomain *dom = vb_qemu_dom(obj);

    if (dom->mon == NULL || !vb_qemu_monitor_is_open(dom->mon)) {
        if (args != NULL)
            json_node_unref(args);
        if (!vb_domain_obj_is_active(obj))
            vb_error_set(error, VB_ERROR_OPERATION_INVALID, "domain is not running");
        else
            vb_error_set(error, VB_ERROR_OPERATION_FAILED, "QEMU monitor is not available");
        return FALSE;
    }
    vb_qemu_monitor_command(dom->mon, execute, args, vb_qemu_conn(conn)->monitor_timeout_ms,
                            callback, data);
    return TRUE;
}

/* ---- command sequences ---- */

static void
vb_qemu_qmp_step_free(gpointer data)
{
    VbQemuQmpStep *step = data;

    g_free(step->execute);
    if (step->args != NULL)
        json_node_unref(step->args);
    if (step->fd >= 0)
        close(step->fd);
    g_free(step);
}

GPtrArray *
vb_qemu_qmp_seq_new(void)
{
    return g_ptr_array_new_with_free_func(vb_qemu_qmp_step_free);
}

void
vb_qemu_qmp_step_add(GPtrArray *seq, const char *execute, JsonNode *args, int fd)
{
    VbQemuQmpStep *step = g_new0(VbQemuQmpStep, 1);

    step->execute = g_strdup(execute);
    step->args = args;
    step->fd = fd;
    g_ptr_array_add(seq, step);
}

static void vb_qemu_job_seq_step(VbQemuJob *job);

static void
vb_qemu_job_seq_done(GObject *source, GAsyncResult *result, gpointer data)
{
    VbQemuJob *job = data;
    gboolean failed;
    G_GNUC_UNUSED g_autoptr(JsonNode) ret = vb_qemu_job_qmp_finish(job, result, &failed);

    if (!failed)
        vb_qemu_job_seq_step(job);
}

static void
vb_qemu_job_seq_step(VbQemuJob *job)
{
    VbQemuQmpStep *step;
    VbQemuJobFunc next;

    if (job->seq == NULL || job->seq->len == 0) {
        next = job->seq_next;
        g_clear_pointer(&job->seq, g_ptr_array_unref);
        next(job);
        return;
    }
    step = g_ptr_array_steal_index(job->seq, 0);
    vb_qemu_job_qmp_fd(job, step->execute, g_steal_pointer(&step->args), step->fd,
                       vb_qemu_job_seq_done);
    vb_qemu_qmp_step_free(step);
}

void
vb_qemu_job_qmp_seq(VbQemuJob *job, GPtrArray *seq, VbQemuJobFunc next)
{
    g_clear_pointer(&job->seq, g_ptr_array_unref);
    job->seq = seq;
    job->seq_next = next;
    vb_qemu_job_seq_step(job);
}

/* ---- stop and cont of our own ---- */

static void
vb_qemu_job_paused(GObject *source, GAsyncResult *result, gpointer data)
{
    VbQemuJob *job = data;
    VbQemuDomain *dom = vb_qemu_dom(job->obj);
    VbQemuJobFunc next = job->start;
    gboolean failed;
    g_autoptr(JsonNode) ret = NULL;

    /* the event never comes for a command that failed */
    if (dom->expect_stop > 0 && g_task_had_error(G_TASK(result)))
        dom->expect_stop--;
    ret = vb_qemu_job_qmp_finish(job, result, &failed);
    if (!failed)
        next(job);
}

void
vb_qemu_job_pause(VbQemuJob *job, VbQemuJobFunc next)
{
    vb_qemu_dom(job->obj)->expect_stop++;
    job->start = next;
    vb_qemu_job_qmp(job, "stop", NULL, vb_qemu_job_paused);
}

static void
vb_qemu_job_resumed(GObject *source, GAsyncResult *result, gpointer data)
{
    VbQemuJob *job = data;
    VbQemuDomain *dom = vb_qemu_dom(job->obj);
    VbQemuJobFunc next = job->start;
    gboolean failed;
    g_autoptr(JsonNode) ret = NULL;

    if (dom->expect_resume > 0 && g_task_had_error(G_TASK(result)))
        dom->expect_resume--;
    ret = vb_qemu_job_qmp_finish(job, result, &failed);
    if (!failed)
        next(job);
}

void
vb_qemu_job_cont(VbQemuJob *job, VbQemuJobFunc next)
{
    vb_qemu_dom(job->obj)->expect_resume++;
    job->start = next;
    vb_qemu_job_qmp(job, "cont", NULL, vb_qemu_job_resumed);
}

void
vb_qemu_domain_pause_state(VbDomainObj *obj, int reason)
{
    vb_domain_obj_set_state(obj, VB_DOMAIN_PAUSED, reason);
}

void
vb_qemu_domain_run_state(VbDomainObj *obj, int reason)
{
    vb_qemu_dom(obj)->ran = TRUE;
    vb_domain_obj_set_state(obj, VB_DOMAIN_RUNNING, reason);
}

/* ---- status files ---- */

static char *
vb_qemu_status_text(VbDomainObj *obj, gsize *len)
{
    VbQemuDomain *dom = vb_qemu_dom(obj);
    VbQemuStatus status = {0};
    g_autofree char *xml = vb_domain_def_format(obj->live, VB_DOMAIN_XML_SECURE);

    status.pid = dom->proc != NULL ? vb_qemu_process_get_pid(dom->proc) : 0;
    status.start_time = dom->proc != NULL ? vb_qemu_process_get_start_time(dom->proc) : 0;
    status.id = obj->id;
    status.monitor_path = dom->monitor_path;
    status.xml = xml;
    status.persistent = vb_domain_obj_is_persistent(obj);
    status.autodestroy = obj->autodestroy;
    status.ran = dom->ran;
    status.state = obj->state;
    status.reason = obj->reason;
    status.owners = dom->owners;
    return vb_qemu_status_format(&status, len);
}

typedef struct {
    char *path;
    char *text;
    gsize len;
} VbQemuWrite;

static void
vb_qemu_write_free(gpointer data)
{
    VbQemuWrite *w = data;

    g_free(w->path);
    g_free(w->text);
    g_free(w);
}

static gpointer
vb_qemu_write_thread(gpointer data, GError **error)
{
    VbQemuWrite *w = data;

    vb_file_write_atomic(w->path, w->text, w->len, 0600, error);
    return NULL;
}

static void
vb_qemu_status_written(gpointer result, GError *error, gpointer user_data)
{
    if (error != NULL)
        g_warning("%s", error->message);
    g_clear_error(&error);
}

static void
vb_qemu_job_status_written(VbQemuJob *job, gpointer result, GError *error)
{
    VbQemuJobFunc next = job->start;

    g_clear_error(&job->error);
    job->error = error;
    next(job);
}

void
vb_qemu_domain_save_status(VbConn *conn, VbDomainObj *obj, VbQemuJob *job, VbQemuJobFunc done)
{
    VbQemuWrite *w = g_new0(VbQemuWrite, 1);

    w->path = vb_qemu_status_path(vb_qemu_conn(conn), vb_domain_obj_name(obj));
    w->text = vb_qemu_status_text(obj, &w->len);
    if (job == NULL) {
        vb_qemu_work_serial(vb_qemu_write_thread, w, vb_qemu_write_free, NULL,
                            vb_qemu_status_written, NULL);
        return;
    }
    job->start = done;
    vb_qemu_job_work_serial(job, vb_qemu_write_thread, w, vb_qemu_write_free, NULL,
                            vb_qemu_job_status_written);
}

/* ---- a process is gone ---- */

/* what a gone process leaves: disk owners to give back, files, a line in the log */
typedef struct {
    GPtrArray *owners;
    GPtrArray *files;
    char *log_path;
    char *log_line;
} VbQemuCleanup;

static gpointer
vb_qemu_cleanup_thread(gpointer data, GError **error)
{
    VbQemuCleanup *c = data;

    vb_qemu_log_append(c->log_path, c->log_line);
    vb_qemu_owners_restore(c->owners);
    for (guint i = 0; i < c->files->len; i++)
        vb_qemu_remove_file(g_ptr_array_index(c->files, i), NULL);
    return NULL;
}

static void
vb_qemu_cleanup_free(gpointer data)
{
    VbQemuCleanup *c = data;

    g_clear_pointer(&c->owners, g_ptr_array_unref);
    g_ptr_array_unref(c->files);
    g_free(c->log_path);
    g_free(c->log_line);
    g_free(c);
}

static void
vb_qemu_cleanup_done(gpointer result, GError *error, gpointer user_data)
{
    g_clear_error(&error);
}

static int
vb_qemu_stopped_detail(int reason)
{
    switch (reason) {
    case VB_SHUTOFF_SHUTDOWN:
        return VB_EVENT_STOPPED_SHUTDOWN;
    case VB_SHUTOFF_DESTROYED:
        return VB_EVENT_STOPPED_DESTROYED;
    case VB_SHUTOFF_CRASHED:
        return VB_EVENT_STOPPED_CRASHED;
    case VB_SHUTOFF_MIGRATED:
        return VB_EVENT_STOPPED_MIGRATED;
    case VB_SHUTOFF_SAVED:
        return VB_EVENT_STOPPED_SAVED;
    default:
        return VB_EVENT_STOPPED_FAILED;
    }
}

static const char *
vb_qemu_reason_name(int reason)
{
    static const char *const names[] = {"unknown", "shutdown",      "destroyed",
                                        "crashed", "migrated",      "saved",
                                        "failed",  "from-snapshot", "daemon"};

    return reason >= 0 && reason < (int)G_N_ELEMENTS(names) ? names[reason] : "unknown";
}

static void vb_qemu_restart_done(gpointer result, const GError *error, gpointer user_data);

void
vb_qemu_domain_gone(VbConn *conn, VbDomainObj *obj_in, const char *tail)
{
    g_autoptr(VbDomainObj) obj = vb_domain_obj_ref(obj_in);
    VbQemuDomain *dom = vb_qemu_dom(obj);
    gboolean expected = dom->stop_reason >= 0;
    gboolean starting = dom->starting;
    gboolean restart = dom->restart_after && vb_domain_obj_is_persistent(obj);
    int reason = expected ? dom->stop_reason : dom->ran ? VB_SHUTOFF_CRASHED : VB_SHUTOFF_FAILED;
    g_autoptr(GPtrArray) waiters = g_steal_pointer(&dom->exit_waiters);
    VbQemuCleanup *cleanup = g_new0(VbQemuCleanup, 1);
    const char *name = vb_domain_obj_name(obj);

    dom->exit_waiters = g_ptr_array_new();
    cleanup->files = g_ptr_array_new_with_free_func(g_free);
    cleanup->log_path = g_strdup(dom->log_path);
    cleanup->log_line = g_strdup_printf("shutting down, reason=%s%s%s", vb_qemu_reason_name(reason),
                                        !expected && tail != NULL ? ": " : "",
                                        !expected && tail != NULL ? tail : "");
    g_free(dom->exit_reason);
    dom->exit_reason = g_strdup(tail);

    vb_qemu_hotplug_clear(obj);
    if (dom->open_cancel != NULL)
        g_cancellable_cancel(dom->open_cancel);
    g_clear_object(&dom->open_cancel);
    g_clear_pointer(&dom->mon, vb_qemu_monitor_free);
    g_clear_pointer(&dom->proc, vb_qemu_process_free);
    g_clear_pointer(&dom->vcpu_tids, g_array_unref);
    cleanup->owners = g_steal_pointer(&dom->owners);
    g_ptr_array_add(cleanup->files, vb_qemu_status_path(vb_qemu_conn(conn), name));
    if (dom->monitor_path != NULL)
        g_ptr_array_add(cleanup->files, g_steal_pointer(&dom->monitor_path));
    vb_qemu_work_serial(vb_qemu_cleanup_thread, cleanup, vb_qemu_cleanup_free, NULL,
                        vb_qemu_cleanup_done, NULL);

    vb_domain_list_set_id(conn->domains, obj, -1);
    if (obj->config != NULL) {
        if (obj->live != obj->config)
            vb_domain_def_free(obj->live);
        obj->live = NULL;
    } else if (obj->live != NULL) {
        obj->live->id = -1;
    }
    vb_domain_obj_set_state(obj, VB_DOMAIN_SHUTOFF, reason);
    obj->updated = FALSE;
    obj->autodestroy = FALSE;
    vb_domain_obj_changed(obj);
    dom->conn = NULL;
    dom->starting = FALSE;
    dom->ran = FALSE;
    dom->stopping = FALSE;
    dom->stop_reason = -1;
    dom->restart_after = FALSE;
    dom->expect_stop = 0;
    dom->expect_resume = 0;
    dom->fake_reboot = FALSE;
    dom->shutting_down = FALSE;
    dom->pause_reason = -1;
    dom->hotplug_ports = 0;

    if (!starting)
        vb_conn_emit_domain(conn, obj, VB_EVENT_STOPPED, vb_qemu_stopped_detail(reason));
    for (guint i = 0; i < waiters->len; i++) {
        VbQemuJob *job = g_ptr_array_index(waiters, i);
        GError *error = g_steal_pointer(&job->error);

        if (!expected && tail != NULL) {
            GError *better =
                g_error_new(VB_ERROR, error->domain == VB_ERROR ? error->code : VB_ERROR_INTERNAL,
                            "%s: %s", error->message, tail);

            g_clear_error(&error);
            error = better;
        }
        vb_qemu_job_finish(job, NULL, error);
    }
    if (!vb_domain_obj_is_persistent(obj) && !obj->removed)
        vb_domain_list_remove(conn->domains, obj);
    if (restart)
        vb_qemu_domain_create(conn, obj, 0, vb_qemu_restart_done, vb_domain_obj_ref(obj));
}

static void
vb_qemu_restart_done(gpointer result, const GError *error, gpointer user_data)
{
    g_autoptr(VbDomainObj) obj = user_data;

    if (error != NULL)
        g_warning("cannot restart domain '%s': %s", vb_domain_obj_name(obj), error->message);
}

void
vb_qemu_on_exit(VbQemuProcess *proc, const VbQemuExit *exit, gpointer data)
{
    VbDomainObj *obj = data;
    VbQemuDomain *dom = vb_qemu_dom(obj);
    g_autofree char *how = NULL;

    if (exit->known)
        how = exit->signaled ? g_strdup_printf("qemu was killed by signal %d", exit->code)
                             : g_strdup_printf("qemu exited with status %d", exit->code);
    else
        how = g_strdup("qemu is gone");
    /* a qemu that said nothing still says how it ended */
    vb_qemu_domain_gone(dom->conn, obj, exit->log_tail != NULL ? exit->log_tail : how);
}

void
vb_qemu_kill_noop(GObject *source, GAsyncResult *result, gpointer data)
{
    g_autoptr(GError) error = NULL;

    if (!vb_qemu_process_kill_finish(result, &error))
        g_warning("%s", error->message);
}

void
vb_qemu_domain_kill(VbConn *conn, VbDomainObj *obj, int reason, guint grace_ms,
                    GAsyncReadyCallback callback, gpointer data)
{
    VbQemuDomain *dom = vb_qemu_dom(obj);

    if (dom->stop_reason < 0)
        dom->stop_reason = reason;
    dom->stopping = TRUE;
    if (callback == NULL)
        callback = vb_qemu_kill_noop;
    if (dom->proc == NULL) {
        g_autoptr(GTask) task = g_task_new(NULL, NULL, callback, data);

        g_task_return_boolean(task, TRUE);
        return;
    }
    vb_qemu_process_kill_async(dom->proc, grace_ms, callback, data);
}

/* ---- QMP events ---- */

static void
vb_qemu_event_reply(GObject *source, GAsyncResult *result, gpointer data)
{
    g_autoptr(VbDomainObj) obj = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) ret = vb_qemu_monitor_command_finish(result, &error);

    if (ret == NULL && !obj->removed && vb_domain_obj_is_active(obj))
        g_warning("domain '%s': %s", vb_domain_obj_name(obj), error->message);
}

static void
vb_qemu_fake_reboot_reset(GObject *source, GAsyncResult *result, gpointer data)
{
    g_autoptr(VbDomainObj) obj = data;
    VbQemuDomain *dom = vb_qemu_dom(obj);
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) ret = vb_qemu_monitor_command_finish(result, &error);

    if (ret == NULL || dom->conn == NULL) {
        if (ret == NULL && vb_domain_obj_is_active(obj))
            g_warning("domain '%s': cannot reboot: %s", vb_domain_obj_name(obj), error->message);
        return;
    }
    dom->expect_resume++;
    if (!vb_qemu_domain_qmp(dom->conn, obj, "cont", NULL, vb_qemu_event_reply,
                            vb_domain_obj_ref(obj), NULL)) {
        dom->expect_resume--;
        vb_domain_obj_unref(obj);
        return;
    }
    dom->shutting_down = FALSE;
    vb_qemu_domain_run_state(obj, VB_RUNNING_BOOTED);
}

static void
vb_qemu_event_shutdown(VbConn *conn, VbDomainObj *obj, JsonObject *data)
{
    VbQemuDomain *dom = vb_qemu_dom(obj);
    VbDomainLifecycleAction action = obj->live->on_poweroff;

    /* a panic was handled when qemu reported it */
    if (g_strcmp0(vb_qemu_json_string(data, "reason"), "guest-panic") == 0)
        return;
    dom->shutting_down = TRUE;
    if (dom->fake_reboot || action == VB_DOMAIN_LIFECYCLE_RESTART ||
        action == VB_DOMAIN_LIFECYCLE_RENAME_RESTART) {
        dom->fake_reboot = FALSE;
        vb_qemu_domain_qmp(conn, obj, "system_reset", NULL, vb_qemu_fake_reboot_reset,
                           vb_domain_obj_ref(obj), NULL);
        return;
    }
    vb_domain_obj_set_state(obj, VB_DOMAIN_SHUTDOWN, VB_SHUTDOWN_UNKNOWN);
    vb_conn_emit_domain(conn, obj, VB_EVENT_SHUTDOWN, VB_EVENT_SHUTDOWN_FINISHED);
    if (action != VB_DOMAIN_LIFECYCLE_PRESERVE)
        vb_qemu_domain_kill(conn, obj, VB_SHUTOFF_SHUTDOWN, vb_qemu_conn(conn)->kill_grace_ms, NULL,
                            NULL);
}

static void
vb_qemu_event_stop(VbConn *conn, VbDomainObj *obj)
{
    VbQemuDomain *dom = vb_qemu_dom(obj);
    int reason = dom->pause_reason >= 0 ? dom->pause_reason : VB_PAUSED_UNKNOWN;
    int detail = dom->pause_reason >= 0 ? dom->pause_detail : VB_EVENT_SUSPENDED_PAUSED;

    if (dom->expect_stop > 0) {
        dom->expect_stop--;
        return;
    }
    if (dom->shutting_down || obj->state != VB_DOMAIN_RUNNING)
        return;
    dom->pause_reason = -1;
    vb_qemu_domain_pause_state(obj, reason);
    vb_conn_emit_domain(conn, obj, VB_EVENT_SUSPENDED, detail);
    vb_qemu_domain_save_status(conn, obj, NULL, NULL);
}

static void
vb_qemu_event_resume(VbConn *conn, VbDomainObj *obj)
{
    VbQemuDomain *dom = vb_qemu_dom(obj);

    if (dom->expect_resume > 0) {
        dom->expect_resume--;
        return;
    }
    dom->shutting_down = FALSE;
    if (obj->state != VB_DOMAIN_PAUSED && obj->state != VB_DOMAIN_SHUTDOWN)
        return;
    vb_qemu_domain_run_state(obj, VB_RUNNING_UNPAUSED);
    vb_conn_emit_domain(conn, obj, VB_EVENT_RESUMED, VB_EVENT_RESUMED_UNPAUSED);
    vb_qemu_domain_save_status(conn, obj, NULL, NULL);
}

static void
vb_qemu_event_reset(VbConn *conn, VbDomainObj *obj, JsonObject *data)
{
    vb_conn_emit_domain_signal(conn, obj, "Reboot", g_variant_new("()"));
    /* libvirt starts such a guest with -no-reboot; here the reset happened already */
    if (vb_qemu_json_bool(data, "guest", FALSE) &&
        obj->live->on_reboot == VB_DOMAIN_LIFECYCLE_DESTROY)
        vb_qemu_domain_kill(conn, obj, VB_SHUTOFF_SHUTDOWN, vb_qemu_conn(conn)->kill_grace_ms, NULL,
                            NULL);
}

static void
vb_qemu_event_balloon(VbConn *conn, VbDomainObj *obj, JsonObject *data)
{
    gint64 actual = 0;

    if (!vb_qemu_json_int(data, "actual", &actual) || actual < 0)
        return;
    obj->live->current_kib = (guint64)actual / 1024;
    vb_domain_obj_changed(obj);
    vb_conn_emit_domain_signal(conn, obj, "BalloonChange",
                               g_variant_new("(t)", obj->live->current_kib));
}

static void
vb_qemu_event_watchdog(VbConn *conn, VbDomainObj *obj, JsonObject *data)
{
    static const char *const actions[] = {"none",     "pause", "reset",     "poweroff",
                                          "shutdown", "debug", "inject-nmi"};
    const char *action = vb_qemu_json_string(data, "action");
    int code = 0;

    for (guint i = 0; i < G_N_ELEMENTS(actions); i++) {
        if (g_strcmp0(action, actions[i]) == 0)
            code = i;
    }
    if (code == 1) {
        vb_qemu_dom(obj)->pause_reason = VB_PAUSED_WATCHDOG;
        vb_qemu_dom(obj)->pause_detail = VB_EVENT_SUSPENDED_WATCHDOG;
    }
    vb_conn_emit_domain_signal(conn, obj, "Watchdog", g_variant_new("(i)", code));
}

static void
vb_qemu_event_io_error(VbConn *conn, VbDomainObj *obj, JsonObject *data)
{
    const char *node = vb_qemu_json_string(data, "node-name");
    const char *action = vb_qemu_json_string(data, "action");
    const char *reason = vb_qemu_json_string(data, "reason");
    const VbDomainDiskDef *disk = NULL;
    int code = 0;

    for (guint i = 0; node != NULL && i < obj->live->disks->len; i++) {
        const VbDomainDiskDef *d = g_ptr_array_index(obj->live->disks, i);
        g_autofree char *format = vb_qemu_disk_node_name(d);
        g_autofree char *storage = vb_qemu_disk_storage_node_name(d);

        if (g_strcmp0(node, format) == 0 || g_strcmp0(node, storage) == 0)
            disk = d;
    }
    if (g_strcmp0(action, "stop") == 0) {
        code = 1;
        vb_qemu_dom(obj)->pause_reason = VB_PAUSED_IOERROR;
        vb_qemu_dom(obj)->pause_detail = VB_EVENT_SUSPENDED_IOERROR;
    } else if (g_strcmp0(action, "report") == 0) {
        code = 2;
    }
    vb_conn_emit_domain_signal(conn, obj, "IOError",
                               g_variant_new("(ssis)",
                                             disk != NULL && disk->src != NULL ? disk->src : "",
                                             disk != NULL ? disk->dst : (node != NULL ? node : ""),
                                             code, reason != NULL ? reason : ""));
}

static void
vb_qemu_event_panic(VbConn *conn, VbDomainObj *obj)
{
    VbQemuDomain *dom = vb_qemu_dom(obj);
    VbDomainLifecycleAction action = obj->live->on_crash;

    dom->shutting_down = TRUE;
    vb_domain_obj_set_state(obj, VB_DOMAIN_CRASHED, VB_CRASHED_PANICKED);
    vb_conn_emit_domain(conn, obj, VB_EVENT_CRASHED, VB_EVENT_CRASHED_PANICKED);
    if (action == VB_DOMAIN_LIFECYCLE_PRESERVE)
        return;
    dom->restart_after = action == VB_DOMAIN_LIFECYCLE_RESTART ||
                         action == VB_DOMAIN_LIFECYCLE_RENAME_RESTART ||
                         action == VB_DOMAIN_LIFECYCLE_COREDUMP_RESTART;
    vb_qemu_domain_kill(conn, obj, VB_SHUTOFF_CRASHED, vb_qemu_conn(conn)->kill_grace_ms, NULL,
                        NULL);
}

static void
vb_qemu_on_event(VbQemuMonitor *mon, const char *name, JsonObject *data, gpointer user_data)
{
    VbDomainObj *obj = user_data;
    VbQemuDomain *dom = vb_qemu_dom(obj);
    VbConn *conn = dom->conn;

    g_debug("domain '%s': QMP event %s", vb_domain_obj_name(obj), name);
    if (conn == NULL || dom->stopping || obj->live == NULL)
        return;
    if (g_str_equal(name, "SHUTDOWN"))
        vb_qemu_event_shutdown(conn, obj, data);
    else if (g_str_equal(name, "STOP"))
        vb_qemu_event_stop(conn, obj);
    else if (g_str_equal(name, "RESUME"))
        vb_qemu_event_resume(conn, obj);
    else if (g_str_equal(name, "RESET"))
        vb_qemu_event_reset(conn, obj, data);
    else if (g_str_equal(name, "BALLOON_CHANGE"))
        vb_qemu_event_balloon(conn, obj, data);
    else if (g_str_equal(name, "DEVICE_DELETED") && vb_qemu_json_string(data, "device") != NULL)
        vb_qemu_hotplug_device_deleted(conn, obj, vb_qemu_json_string(data, "device"));
    else if (g_str_equal(name, "WATCHDOG"))
        vb_qemu_event_watchdog(conn, obj, data);
    else if (g_str_equal(name, "BLOCK_IO_ERROR"))
        vb_qemu_event_io_error(conn, obj, data);
    else if (g_str_equal(name, "GUEST_PANICKED"))
        vb_qemu_event_panic(conn, obj);
}

static void
vb_qemu_on_monitor_closed(VbQemuMonitor *mon, const GError *error, gpointer user_data)
{
    VbDomainObj *obj = user_data;
    VbQemuDomain *dom = vb_qemu_dom(obj);

    if (dom->stopping || dom->proc == NULL)
        return;
    /* qemu is on its way out; make sure it goes, and blame it, not us */
    g_debug("domain '%s': %s", vb_domain_obj_name(obj), error->message);
    vb_qemu_process_kill_async(dom->proc, VB_QEMU_MONITOR_EOF_GRACE_MS, vb_qemu_kill_noop, NULL);
}

const VbQemuMonitorCallbacks vb_qemu_monitor_callbacks = {
    .event = vb_qemu_on_event,
    .closed = vb_qemu_on_monitor_closed,
};

/* ---- detaching at close ---- */

void
vb_qemu_domain_detach(VbConn *conn, VbDomainObj *obj)
{
    VbQemuDomain *dom = vb_qemu_dom(obj);
    g_autoptr(GPtrArray) waiters = g_steal_pointer(&dom->exit_waiters);
    VbQemuJob *job;

    dom->exit_waiters = g_ptr_array_new();
    while ((job = g_queue_pop_head(&dom->waiters)) != NULL) {
        GError *error = NULL;

        vb_error_set(&error, VB_ERROR_OPERATION_FAILED,
                     "the connection was closed during the operation");
        vb_qemu_job_finish(job, NULL, error);
    }
    for (guint i = 0; i < waiters->len; i++) {
        job = g_ptr_array_index(waiters, i);
        vb_qemu_job_finish(job, NULL, g_steal_pointer(&job->error));
    }
    /* a half-started qemu has no status file: nobody could find it again */
    if (dom->starting && dom->proc != NULL)
        vb_qemu_process_signal(dom->proc, SIGKILL, NULL);
    if (dom->open_cancel != NULL)
        g_cancellable_cancel(dom->open_cancel);
    vb_qemu_hotplug_clear(obj);
    g_clear_pointer(&dom->mon, vb_qemu_monitor_free);
    g_clear_pointer(&dom->proc, vb_qemu_process_free);
    dom->conn = NULL;
}
