/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-qemu"

#include <unistd.h>

#include "file-util.h"
#include "qemu-driver.h"

/* save images and core dumps. a save image is our header with the inactive domain
 * XML, then qemu's migration stream: the driver writes the header into a temp file,
 * hands its descriptor to qemu (getfd over the monitor socket) and lets "migrate"
 * append the stream; restore starts qemu with that file as "-incoming fd:N". files
 * are created and renamed into place on workers. */

#define VB_QEMU_MIGRATE_POLL_MS 50
#define VB_QEMU_MIGRATE_FD      "vb-migrate"
#define VB_QEMU_DUMP_FD         "vb-dump"

enum { VB_QEMU_SAVE_IMAGE_XML_SECURE = 1 };
enum {
    VB_QEMU_DUMP_CRASH = 1,
    VB_QEMU_DUMP_LIVE = 2,
    VB_QEMU_DUMP_BYPASS_CACHE = 4,
    VB_QEMU_DUMP_RESET = 8,
    VB_QEMU_DUMP_MEMORY_ONLY = 16,
};

static JsonNode *
vb_qemu_args1(const char *key, const char *value)
{
    JsonObject *o = json_object_new();
    JsonNode *node;

    json_object_set_string_member(o, key, value);
    node = json_node_init_object(json_node_alloc(), o);
    json_object_unref(o);
    return node;
}

/* ---- files on workers ---- */

typedef struct {
    char *path;
    char *tmp;
    GBytes *header;
    int fd;
} VbQemuImageFile;

static void
vb_qemu_image_file_free(gpointer data)
{
    VbQemuImageFile *f = data;

    if (f->fd >= 0)
        close(f->fd);
    g_free(f->path);
    g_free(f->tmp);
    g_clear_pointer(&f->header, g_bytes_unref);
    g_free(f);
}

static gpointer
vb_qemu_image_create_thread(gpointer data, GError **error)
{
    VbQemuImageFile *f = data;
    VbQemuImageFile *out = g_new0(VbQemuImageFile, 1);

    out->fd = vb_qemu_image_create(f->path, f->header, &out->tmp, error);
    if (out->fd < 0) {
        g_free(out);
        return NULL;
    }
    return out;
}

static gpointer
vb_qemu_image_commit_thread(gpointer data, GError **error)
{
    VbQemuImageFile *f = data;
    int fd = f->fd;

    f->fd = -1;
    vb_file_atomic_commit(fd, f->tmp, f->path, 0, error);
    return NULL;
}

static gpointer
vb_qemu_unlink_thread(gpointer data, GError **error)
{
    vb_qemu_remove_file(data, error);
    return NULL;
}

static gpointer
vb_qemu_image_open_thread(gpointer data, GError **error)
{
    VbQemuImageFile *f = data;
    VbQemuImage *image = NULL;
    VbQemuImageFile *out = g_new0(VbQemuImageFile, 1);

    out->fd = vb_qemu_image_open(f->path, &image, error);
    if (out->fd < 0) {
        g_free(out);
        return NULL;
    }
    out->header = g_bytes_new_with_free_func(image, sizeof(*image),
                                             (GDestroyNotify)vb_qemu_image_free, image);
    return out;
}

static void
vb_qemu_job_image_file(VbQemuJob *job, VbQemuWorkFunc func, const char *path, int fd,
                       const char *tmp, GBytes *header, VbQemuJobStep step)
{
    VbQemuImageFile *f = g_new0(VbQemuImageFile, 1);

    f->path = g_strdup(path);
    f->tmp = g_strdup(tmp);
    f->fd = fd;
    f->header = header != NULL ? g_bytes_ref(header) : NULL;
    vb_qemu_job_work(job, func, f, vb_qemu_image_file_free, vb_qemu_image_file_free, step);
}

/* ---- save ---- */

static void
vb_qemu_save_cleaned(VbQemuJob *job, gpointer result, GError *error)
{
    g_clear_error(&error);
    vb_qemu_job_finish(job, NULL, g_steal_pointer(&job->error));
}

static void
vb_qemu_save_resumed(GObject *source, GAsyncResult *res, gpointer data)
{
    VbQemuJob *job = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) ret = vb_qemu_monitor_command_finish(res, &error);

    if (!vb_qemu_job_alive(job))
        return;
    if (ret == NULL && vb_qemu_dom(job->obj)->expect_resume > 0)
        vb_qemu_dom(job->obj)->expect_resume--;
    if (ret != NULL && vb_domain_obj_is_active(job->obj))
        vb_qemu_domain_run_state(job->obj, VB_RUNNING_SAVE_CANCELED);
    if (job->fd >= 0) {
        close(job->fd);
        job->fd = -1;
    }
    vb_qemu_job_work(job, vb_qemu_unlink_thread, g_strdup(job->text), g_free, NULL,
                     vb_qemu_save_cleaned);
}

/* a save that failed: the guest runs on as before, the temp file goes */
static void
vb_qemu_save_failed(VbQemuJob *job, GError *error)
{
    VbDomainObj *obj = job->obj;

    g_clear_error(&job->error);
    job->error = error;
    if (job->number != 0 && vb_domain_obj_is_active(obj) && vb_qemu_dom(obj)->mon != NULL) {
        vb_qemu_dom(obj)->expect_resume++;
        vb_qemu_job_qmp(job, "cont", NULL, vb_qemu_save_resumed);
        return;
    }
    if (job->fd >= 0) {
        close(job->fd);
        job->fd = -1;
    }
    vb_qemu_job_work(job, vb_qemu_unlink_thread, g_strdup(job->text), g_free, NULL,
                     vb_qemu_save_cleaned);
}

static void
vb_qemu_save_gone(GObject *source, GAsyncResult *res, gpointer data)
{
    VbQemuJob *job = data;
    GError *error = NULL;

    vb_qemu_process_kill_finish(res, &error);
    if (vb_qemu_job_alive(job))
        vb_qemu_job_finish(job, NULL, error);
    else
        g_clear_error(&error);
}

static void
vb_qemu_save_committed(VbQemuJob *job, gpointer result, GError *error)
{
    if (error != NULL) {
        vb_qemu_save_failed(job, error);
        return;
    }
    /* the image is complete: qemu is not needed any more */
    if (job->number2 != 0)
        job->obj->managed_save = TRUE;
    vb_qemu_domain_kill(job->qc->conn, job->obj, VB_SHUTOFF_SAVED, job->qc->kill_grace_ms,
                        vb_qemu_save_gone, job);
}

static void vb_qemu_save_poll_answer(GObject *source, GAsyncResult *res, gpointer data);

static gboolean
vb_qemu_save_poll(gpointer data)
{
    VbQemuJob *job = data;

    vb_qemu_job_qmp(job, "query-migrate", NULL, vb_qemu_save_poll_answer);
    return G_SOURCE_REMOVE;
}

static void
vb_qemu_save_poll_answer(GObject *source, GAsyncResult *res, gpointer data)
{
    VbQemuJob *job = data;
    GError *error = NULL;
    g_autoptr(JsonNode) ret = vb_qemu_monitor_command_finish(res, &error);
    JsonObject *info;
    const char *status;
    int fd;

    if (!vb_qemu_job_alive(job)) {
        g_clear_error(&error);
        return;
    }
    if (ret == NULL) {
        vb_qemu_save_failed(job, error);
        return;
    }
    info = JSON_NODE_HOLDS_OBJECT(ret) ? json_node_get_object(ret) : NULL;
    status = vb_qemu_json_string(info, "status");
    if (g_strcmp0(status, "completed") == 0) {
        fd = job->fd;
        job->fd = -1;
        vb_qemu_job_image_file(job, vb_qemu_image_commit_thread, job->path, fd, job->text, NULL,
                               vb_qemu_save_committed);
        return;
    }
    if (g_strcmp0(status, "failed") == 0 || g_strcmp0(status, "cancelled") == 0) {
        const char *desc = vb_qemu_json_string(info, "error-desc");

        vb_error_set(&error, VB_ERROR_OPERATION_FAILED, "job: unexpectedly failed%s%s",
                     desc != NULL ? ": " : "", desc != NULL ? desc : "");
        vb_qemu_save_failed(job, error);
        return;
    }
    g_timeout_add(VB_QEMU_MIGRATE_POLL_MS, vb_qemu_save_poll, job);
}

static void
vb_qemu_save_migrating(GObject *source, GAsyncResult *res, gpointer data)
{
    VbQemuJob *job = data;
    GError *error = NULL;
    g_autoptr(JsonNode) ret = vb_qemu_monitor_command_finish(res, &error);

    if (!vb_qemu_job_alive(job)) {
        g_clear_error(&error);
        return;
    }
    if (ret == NULL) {
        vb_qemu_save_failed(job, error);
        return;
    }
    vb_qemu_save_poll(job);
}

static void
vb_qemu_save_fd_given(GObject *source, GAsyncResult *res, gpointer data)
{
    VbQemuJob *job = data;
    GError *error = NULL;
    g_autoptr(JsonNode) ret = vb_qemu_monitor_command_finish(res, &error);

    if (!vb_qemu_job_alive(job)) {
        g_clear_error(&error);
        return;
    }
    if (ret == NULL) {
        vb_qemu_save_failed(job, error);
        return;
    }
    vb_qemu_job_qmp(job, "migrate", vb_qemu_args1("uri", "fd:" VB_QEMU_MIGRATE_FD),
                    vb_qemu_save_migrating);
}

/* a save and a dump stream the guest into a file the same way; they differ in these */
typedef struct {
    void (*failed)(VbQemuJob *job, GError *error);
    int paused_reason;
    const char *fdname;
    GAsyncReadyCallback fd_given; /* "getfd" answered */
    GAsyncReadyCallback paused;   /* "stop" answered: calls vb_qemu_stream_paused() */
} VbQemuStreamOps;

static void
vb_qemu_stream_paused(GAsyncResult *res, VbQemuJob *job, const VbQemuStreamOps *ops)
{
    GError *error = NULL;
    g_autoptr(JsonNode) ret = vb_qemu_monitor_command_finish(res, &error);

    if (!vb_qemu_job_alive(job)) {
        g_clear_error(&error);
        return;
    }
    if (ret == NULL) {
        if (vb_qemu_dom(job->obj)->expect_stop > 0)
            vb_qemu_dom(job->obj)->expect_stop--;
        job->number = 0;
        ops->failed(job, error);
        return;
    }
    vb_qemu_domain_pause_state(job->obj, ops->paused_reason);
    vb_qemu_job_qmp_fd(job, "getfd", vb_qemu_args1("fdname", ops->fdname), job->fd, ops->fd_given);
}

/* the file exists: pause a running guest unless @live, then hand the file to QEMU */
static void
vb_qemu_stream_created(VbQemuJob *job, gpointer result, GError *error, gboolean live,
                       const VbQemuStreamOps *ops)
{
    VbQemuImageFile *f = result;

    if (error != NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    job->fd = f->fd;
    f->fd = -1;
    job->text = g_steal_pointer(&f->tmp);
    vb_qemu_image_file_free(f);
    if (!vb_domain_obj_is_active(job->obj)) {
        vb_qemu_check_active(job->obj, &error);
        ops->failed(job, error);
        return;
    }
    /* the stream must hold a guest that does not move */
    job->number = !live && job->obj->state == VB_DOMAIN_RUNNING;
    if (job->number != 0) {
        vb_qemu_dom(job->obj)->expect_stop++;
        vb_qemu_job_qmp(job, "stop", NULL, ops->paused);
        return;
    }
    vb_qemu_job_qmp_fd(job, "getfd", vb_qemu_args1("fdname", ops->fdname), job->fd, ops->fd_given);
}

static void vb_qemu_save_paused(GObject *source, GAsyncResult *res, gpointer data);

static const VbQemuStreamOps vb_qemu_save_stream = {
    .failed = vb_qemu_save_failed,
    .paused_reason = VB_PAUSED_SAVE,
    .fdname = VB_QEMU_MIGRATE_FD,
    .fd_given = vb_qemu_save_fd_given,
    .paused = vb_qemu_save_paused,
};

static void
vb_qemu_save_paused(GObject *source, GAsyncResult *res, gpointer data)
{
    vb_qemu_stream_paused(res, data, &vb_qemu_save_stream);
}

static void
vb_qemu_save_created(VbQemuJob *job, gpointer result, GError *error)
{
    vb_qemu_stream_created(job, result, error, FALSE, &vb_qemu_save_stream);
}

static void
vb_qemu_save_start(VbQemuJob *job)
{
    VbDomainObj *obj = job->obj;
    const VbDomainDef *def = obj->live;
    g_autoptr(VbDomainDef) other = NULL;
    g_autoptr(GBytes) header = NULL;
    g_autofree char *xml = NULL;
    GError *error = NULL;
    guint64 offset = 0;
    int state;

    if (!vb_qemu_check_active(obj, &error)) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    if (job->xml != NULL && *job->xml != '\0') {
        other = vb_domain_def_parse(job->xml, -1, VB_DOMAIN_PARSE_INACTIVE, &error);
        if (other == NULL || !vb_qemu_check_def(other, &error) ||
            !vb_domain_check_same(other, def, &error)) {
            vb_qemu_job_finish(job, NULL, error);
            return;
        }
        def = other;
    }
    state = (job->flags & VB_QEMU_SAVE_RUNNING) != 0  ? VB_DOMAIN_RUNNING
            : (job->flags & VB_QEMU_SAVE_PAUSED) != 0 ? VB_DOMAIN_PAUSED
            : obj->state == VB_DOMAIN_PAUSED          ? VB_DOMAIN_PAUSED
                                                      : VB_DOMAIN_RUNNING;
    xml = vb_domain_def_format(def, VB_DOMAIN_XML_SECURE | VB_DOMAIN_XML_INACTIVE);
    header = vb_qemu_image_header(state, xml, &offset);
    vb_qemu_job_image_file(job, vb_qemu_image_create_thread, job->path, -1, NULL, header,
                           vb_qemu_save_created);
}

/* virDomainSaveFlags; the file on a worker, the stream from qemu, complete when qemu
 * is gone (STOPPED/SAVED) */
void
vb_qemu_domain_save(VbConn *conn, VbDomainObj *obj, const char *to, const char *xml, guint flags,
                    VbDone done, gpointer data)
{
    GError *error = NULL;
    guint allowed = VB_QEMU_SAVE_BYPASS_CACHE | VB_QEMU_SAVE_RUNNING | VB_QEMU_SAVE_PAUSED;
    VbQemuJob *job;

    if (!vb_domain_check_save_flags(flags, allowed, "virDomainSaveFlags", &error) ||
        !vb_file_check_absolute(to, &error)) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    job = vb_qemu_job_new(conn, obj, "virDomainSaveFlags", flags, done, data);
    job->path = g_strdup(to);
    job->xml = g_strdup(xml);
    vb_qemu_job_begin(job, vb_qemu_save_start);
}

static void
vb_qemu_managed_save_start(VbQemuJob *job)
{
    GError *error = NULL;

    if (!vb_domain_obj_is_persistent(job->obj)) {
        vb_error_set(&error, VB_ERROR_OPERATION_INVALID,
                     "cannot do managed save for transient domain");
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    job->path = vb_qemu_managed_path(job->qc, vb_domain_obj_name(job->obj));
    job->number2 = 1;
    vb_qemu_save_start(job);
}

/* virDomainManagedSave; as Save, into the driver's own file */
void
vb_qemu_domain_managed_save(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;
    guint allowed = VB_QEMU_SAVE_BYPASS_CACHE | VB_QEMU_SAVE_RUNNING | VB_QEMU_SAVE_PAUSED;

    if (!vb_domain_check_save_flags(flags, allowed, "virDomainManagedSave", &error)) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    vb_qemu_job_begin(vb_qemu_job_new(conn, obj, "virDomainManagedSave", flags, done, data),
                      vb_qemu_managed_save_start);
}

static void
vb_qemu_managed_removed(VbQemuJob *job, gpointer result, GError *error)
{
    if (error == NULL)
        job->obj->managed_save = FALSE;
    vb_qemu_job_finish(job, NULL, error);
}

static void
vb_qemu_managed_remove_start(VbQemuJob *job)
{
    if (!job->obj->managed_save) {
        vb_qemu_job_finish(job, NULL, NULL);
        return;
    }
    vb_qemu_job_work(job, vb_qemu_unlink_thread,
                     vb_qemu_managed_path(job->qc, vb_domain_obj_name(job->obj)), g_free, NULL,
                     vb_qemu_managed_removed);
}

/* virDomainManagedSaveRemove; removes the image on a worker */
void
vb_qemu_domain_managed_save_remove(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                                   gpointer data)
{
    GError *error = NULL;

    if (!vb_error_check_flags(flags, 0, "virDomainManagedSaveRemove", &error)) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    vb_qemu_job_begin(vb_qemu_job_new(conn, obj, "virDomainManagedSaveRemove", flags, done, data),
                      vb_qemu_managed_remove_start);
}

/* ---- restore ---- */

/* the image's definition, replaced by @override when that describes the same domain */
static VbDomainDef *
vb_qemu_image_def(const VbQemuImage *image, const char *override, GError **error)
{
    g_autoptr(VbDomainDef) def =
        vb_domain_def_parse(image->xml, -1, VB_DOMAIN_PARSE_INACTIVE, error);

    if (def == NULL || !vb_qemu_check_def(def, error))
        return NULL;
    if (override != NULL && *override != '\0') {
        g_autoptr(VbDomainDef) other = vb_qemu_parse(override, FALSE, error);

        if (other == NULL || !vb_domain_check_same(other, def, error))
            return NULL;
        vb_domain_def_free(def);
        def = g_steal_pointer(&other);
    }
    vb_domain_def_fill_macs(def, vb_qemu_mac_prefix);
    return g_steal_pointer(&def);
}

static void
vb_qemu_restore_locked(VbQemuJob *job)
{
    GError *error = NULL;

    if (vb_domain_obj_is_active(job->obj)) {
        vb_error_set(&error, VB_ERROR_OPERATION_INVALID, "domain '%s' is already active",
                     vb_domain_obj_name(job->obj));
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    vb_qemu_domain_start(job, g_steal_pointer(&job->def), job->fd, job->state);
}

static void
vb_qemu_restore_opened(VbQemuJob *job, gpointer result, GError *error)
{
    VbConn *conn = job->qc->conn;
    VbQemuImageFile *f = result;
    const VbQemuImage *image;
    g_autoptr(VbDomainDef) def = NULL;
    g_autoptr(VbDomainObj) fresh = NULL;
    VbDomainObj *obj;

    if (error != NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    image = g_bytes_get_data(f->header, NULL);
    job->fd = f->fd;
    f->fd = -1;
    job->state = image->state;
    def = vb_qemu_image_def(image, job->xml, &error);
    vb_qemu_image_file_free(f);
    if (def == NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    obj = vb_domain_list_find_uuid(conn->domains, def->uuid);
    if (obj != NULL && g_strcmp0(vb_domain_obj_name(obj), def->name) != 0) {
        vb_error_set(&error, VB_ERROR_OPERATION_FAILED,
                     "domain '%s' is already defined with uuid %s", vb_domain_obj_name(obj),
                     obj->uuid_str);
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    if (obj == NULL) {
        fresh = vb_qemu_domain_obj_new(vb_domain_def_copy(def), FALSE);
        if (!vb_domain_list_add(conn->domains, fresh, &error)) {
            vb_qemu_job_finish(job, NULL, error);
            return;
        }
        obj = fresh;
    }
    job->def = g_steal_pointer(&def);
    job->obj = vb_domain_obj_ref(obj);
    vb_qemu_job_begin(job, vb_qemu_restore_locked);
}

static void
vb_qemu_restore_start(VbQemuJob *job)
{
    vb_qemu_job_image_file(job, vb_qemu_image_open_thread, job->path, -1, NULL, NULL,
                           vb_qemu_restore_opened);
}

/* virDomainRestoreFlags; reads the header on a worker, completes when qemu runs the
 * restored guest (STARTED/RESTORED) */
void
vb_qemu_domain_restore(VbConn *conn, const char *from, const char *xml, guint flags, VbDone done,
                       gpointer data)
{
    GError *error = NULL;
    guint allowed = VB_QEMU_SAVE_BYPASS_CACHE | VB_QEMU_SAVE_RUNNING | VB_QEMU_SAVE_PAUSED;
    VbQemuJob *job;

    if (!vb_domain_check_save_flags(flags, allowed, "virDomainRestoreFlags", &error) ||
        !vb_file_check_absolute(from, &error)) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    job = vb_qemu_job_new(conn, NULL, "virDomainRestoreFlags", flags, done, data);
    job->path = g_strdup(from);
    job->xml = g_strdup(xml);
    job->started_detail = VB_EVENT_STARTED_RESTORED;
    job->start_paused = (flags & VB_QEMU_SAVE_PAUSED) != 0;
    job->start_running = (flags & VB_QEMU_SAVE_RUNNING) != 0;
    vb_qemu_job_begin(job, vb_qemu_restore_start);
}

/* ---- Create from a managed save image ---- */

static void
vb_qemu_managed_cleaned(VbQemuJob *job, gpointer result, GError *error)
{
    /* the guest runs from the image already; a stale file is only left over */
    g_clear_error(&error);
    vb_qemu_job_finish(job, NULL, NULL);
}

static void
vb_qemu_managed_started(VbQemuJob *job)
{
    job->obj->managed_save = FALSE;
    vb_qemu_job_work(job, vb_qemu_unlink_thread,
                     vb_qemu_managed_path(job->qc, vb_domain_obj_name(job->obj)), g_free, NULL,
                     vb_qemu_managed_cleaned);
}

static void
vb_qemu_managed_opened(VbQemuJob *job, gpointer result, GError *error)
{
    VbQemuImageFile *f = result;
    const VbQemuImage *image;
    g_autoptr(VbDomainDef) def = NULL;

    if (error != NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    image = g_bytes_get_data(f->header, NULL);
    job->fd = f->fd;
    f->fd = -1;
    def = vb_qemu_image_def(image, NULL, &error);
    if (def != NULL && !vb_domain_check_same(def, job->obj->config, &error))
        g_clear_pointer(&def, vb_domain_def_free);
    job->state = image->state;
    vb_qemu_image_file_free(f);
    if (def == NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    job->started_detail = VB_EVENT_STARTED_RESTORED;
    job->after_start = vb_qemu_managed_started;
    vb_qemu_domain_start(job, g_steal_pointer(&def), job->fd, job->state);
}

void
vb_qemu_domain_start_managed(VbQemuJob *job)
{
    g_autofree char *path = vb_qemu_managed_path(job->qc, vb_domain_obj_name(job->obj));

    vb_qemu_job_image_file(job, vb_qemu_image_open_thread, path, -1, NULL, NULL,
                           vb_qemu_managed_opened);
}

/* ---- the save image calls ---- */

static void
vb_qemu_image_xml_opened(VbQemuJob *job, gpointer result, GError *error)
{
    VbQemuImageFile *f = result;
    g_autoptr(VbDomainDef) def = NULL;
    guint xml_flags = VB_DOMAIN_XML_INACTIVE;

    if (error != NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    def = vb_qemu_image_def(g_bytes_get_data(f->header, NULL), NULL, &error);
    vb_qemu_image_file_free(f);
    if ((job->flags & VB_QEMU_SAVE_IMAGE_XML_SECURE) != 0)
        xml_flags |= VB_DOMAIN_XML_SECURE;
    vb_qemu_job_finish(job, def != NULL ? vb_domain_def_format(def, xml_flags) : NULL, error);
}

static void
vb_qemu_image_xml_start(VbQemuJob *job)
{
    vb_qemu_job_image_file(job, vb_qemu_image_open_thread, job->path, -1, NULL, NULL,
                           vb_qemu_image_xml_opened);
}

/* virDomainSaveImageGetXMLDesc; reads the header on a worker */
void
vb_qemu_save_image_get_xml(VbConn *conn, const char *file, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;
    VbQemuJob *job;

    if (!vb_error_check_flags(flags, VB_QEMU_SAVE_IMAGE_XML_SECURE, "virDomainSaveImageGetXMLDesc",
                              &error) ||
        !vb_file_check_absolute(file, &error)) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    job = vb_qemu_job_new(conn, NULL, "virDomainSaveImageGetXMLDesc", flags, done, data);
    job->path = g_strdup(file);
    vb_qemu_job_begin(job, vb_qemu_image_xml_start);
}

typedef struct {
    char *path;
    char *xml;
    int state;
} VbQemuRewrite;

static void
vb_qemu_rewrite_free(gpointer data)
{
    VbQemuRewrite *r = data;

    g_free(r->path);
    g_free(r->xml);
    g_free(r);
}

static gpointer
vb_qemu_rewrite_thread(gpointer data, GError **error)
{
    VbQemuRewrite *r = data;

    vb_qemu_image_rewrite(r->path, r->state, r->xml, error);
    return NULL;
}

static void
vb_qemu_image_define_written(VbQemuJob *job, gpointer result, GError *error)
{
    vb_qemu_job_finish(job, NULL, error);
}

static void
vb_qemu_image_define_opened(VbQemuJob *job, gpointer result, GError *error)
{
    VbQemuImageFile *f = result;
    const VbQemuImage *image;
    g_autoptr(VbDomainDef) def = NULL;
    VbQemuRewrite *r;

    if (error != NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    image = g_bytes_get_data(f->header, NULL);
    def = vb_qemu_image_def(image, job->xml, &error);
    r = g_new0(VbQemuRewrite, 1);
    r->state = (job->flags & VB_QEMU_SAVE_RUNNING) != 0  ? VB_DOMAIN_RUNNING
               : (job->flags & VB_QEMU_SAVE_PAUSED) != 0 ? VB_DOMAIN_PAUSED
                                                         : image->state;
    vb_qemu_image_file_free(f);
    if (def == NULL) {
        vb_qemu_rewrite_free(r);
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    r->path = g_strdup(job->path);
    r->xml = vb_domain_def_format(def, VB_DOMAIN_XML_SECURE | VB_DOMAIN_XML_INACTIVE);
    vb_qemu_job_work(job, vb_qemu_rewrite_thread, r, vb_qemu_rewrite_free, NULL,
                     vb_qemu_image_define_written);
}

static void
vb_qemu_image_define_start(VbQemuJob *job)
{
    vb_qemu_job_image_file(job, vb_qemu_image_open_thread, job->path, -1, NULL, NULL,
                           vb_qemu_image_define_opened);
}

/* virDomainSaveImageDefineXML; copies the image behind a new header on a worker */
void
vb_qemu_save_image_define_xml(VbConn *conn, const char *file, const char *xml, guint flags,
                              VbDone done, gpointer data)
{
    GError *error = NULL;
    VbQemuJob *job;

    if (vb_domain_check_save_flags(flags, VB_QEMU_SAVE_RUNNING | VB_QEMU_SAVE_PAUSED,
                                   "virDomainSaveImageDefineXML", &error) &&
        vb_file_check_absolute(file, &error) && (xml == NULL || *xml == '\0'))
        vb_error_set(&error, VB_ERROR_INVALID_ARG, "xml must not be empty");
    if (error != NULL) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    job = vb_qemu_job_new(conn, NULL, "virDomainSaveImageDefineXML", flags, done, data);
    job->path = g_strdup(file);
    job->xml = g_strdup(xml);
    vb_qemu_job_begin(job, vb_qemu_image_define_start);
}

/* ---- core dump ---- */

static void vb_qemu_dump_end(VbQemuJob *job);

static void
vb_qemu_dump_gone(GObject *source, GAsyncResult *res, gpointer data)
{
    VbQemuJob *job = data;
    GError *error = NULL;

    vb_qemu_process_kill_finish(res, &error);
    if (vb_qemu_job_alive(job))
        vb_qemu_job_finish(job, NULL, error);
    else
        g_clear_error(&error);
}

static void
vb_qemu_dump_after(GObject *source, GAsyncResult *res, gpointer data)
{
    VbQemuJob *job = data;
    gboolean failed;
    g_autoptr(JsonNode) ret = NULL;

    if (vb_qemu_dom(job->obj)->expect_resume > 0 && g_task_had_error(G_TASK(res)))
        vb_qemu_dom(job->obj)->expect_resume--;
    ret = vb_qemu_job_qmp_finish(job, res, &failed);
    if (failed)
        return;
    if (job->number != 0 && vb_domain_obj_is_active(job->obj))
        vb_qemu_domain_run_state(job->obj, VB_RUNNING_UNPAUSED);
    vb_qemu_job_finish(job, NULL, NULL);
}

static void
vb_qemu_dump_cleaned(VbQemuJob *job, gpointer result, GError *error)
{
    g_clear_error(&error);
    if (job->number != 0 && vb_domain_obj_is_active(job->obj)) {
        vb_qemu_dom(job->obj)->expect_resume++;
        vb_qemu_job_qmp(job, "cont", NULL, vb_qemu_dump_after);
        /* the first error wins: cont is done for the guest's sake */
        return;
    }
    vb_qemu_job_finish(job, NULL, g_steal_pointer(&job->error));
}

static void
vb_qemu_dump_failed(VbQemuJob *job, GError *error)
{
    g_clear_error(&job->error);
    job->error = error;
    if (job->fd >= 0) {
        close(job->fd);
        job->fd = -1;
    }
    vb_qemu_job_work(job, vb_qemu_unlink_thread, g_strdup(job->text), g_free, NULL,
                     vb_qemu_dump_cleaned);
}

static void
vb_qemu_dump_committed(VbQemuJob *job, gpointer result, GError *error)
{
    if (error != NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    vb_qemu_dump_end(job);
}

static void
vb_qemu_dump_end(VbQemuJob *job)
{
    if ((job->flags & VB_QEMU_DUMP_CRASH) != 0) {
        vb_qemu_domain_kill(job->qc->conn, job->obj, VB_SHUTOFF_CRASHED, job->qc->kill_grace_ms,
                            vb_qemu_dump_gone, job);
        return;
    }
    if ((job->flags & VB_QEMU_DUMP_RESET) != 0) {
        vb_qemu_job_qmp(job, "system_reset", NULL, vb_qemu_dump_after);
        return;
    }
    if (job->number != 0) {
        vb_qemu_dom(job->obj)->expect_resume++;
        vb_qemu_job_qmp(job, "cont", NULL, vb_qemu_dump_after);
        return;
    }
    vb_qemu_job_finish(job, NULL, NULL);
}

static void vb_qemu_dump_poll_answer(GObject *source, GAsyncResult *res, gpointer data);

static gboolean
vb_qemu_dump_poll(gpointer data)
{
    VbQemuJob *job = data;

    vb_qemu_job_qmp(job, "query-dump", NULL, vb_qemu_dump_poll_answer);
    return G_SOURCE_REMOVE;
}

static void
vb_qemu_dump_poll_answer(GObject *source, GAsyncResult *res, gpointer data)
{
    VbQemuJob *job = data;
    GError *error = NULL;
    g_autoptr(JsonNode) ret = vb_qemu_monitor_command_finish(res, &error);
    const char *status;
    int fd;

    if (!vb_qemu_job_alive(job)) {
        g_clear_error(&error);
        return;
    }
    if (ret == NULL) {
        vb_qemu_dump_failed(job, error);
        return;
    }
    status = vb_qemu_json_string(JSON_NODE_HOLDS_OBJECT(ret) ? json_node_get_object(ret) : NULL,
                                 "status");
    if (g_strcmp0(status, "completed") == 0) {
        fd = job->fd;
        job->fd = -1;
        vb_qemu_job_image_file(job, vb_qemu_image_commit_thread, job->path, fd, job->text, NULL,
                               vb_qemu_dump_committed);
        return;
    }
    if (g_strcmp0(status, "failed") == 0) {
        vb_error_set(&error, VB_ERROR_OPERATION_FAILED, "memory-only dump failed");
        vb_qemu_dump_failed(job, error);
        return;
    }
    g_timeout_add(VB_QEMU_MIGRATE_POLL_MS, vb_qemu_dump_poll, job);
}

static void
vb_qemu_dump_requested(GObject *source, GAsyncResult *res, gpointer data)
{
    VbQemuJob *job = data;
    GError *error = NULL;
    g_autoptr(JsonNode) ret = vb_qemu_monitor_command_finish(res, &error);
    JsonObject *args;
    JsonNode *node;

    if (!vb_qemu_job_alive(job)) {
        g_clear_error(&error);
        return;
    }
    if (ret == NULL) {
        vb_qemu_dump_failed(job, error);
        return;
    }
    if (job->result == NULL) {
        /* getfd done: now the dump itself, detached so the monitor stays free */
        static const char *const formats[] = {"elf", "kdump-zlib", "kdump-lzo", "kdump-snappy",
                                              "win-dmp"};

        job->result = GINT_TO_POINTER(1);
        args = json_object_new();
        json_object_set_boolean_member(args, "paging", FALSE);
        json_object_set_string_member(args, "protocol", "fd:" VB_QEMU_DUMP_FD);
        json_object_set_boolean_member(args, "detach", TRUE);
        json_object_set_string_member(args, "format", formats[job->state]);
        node = json_node_init_object(json_node_alloc(), args);
        json_object_unref(args);
        vb_qemu_job_qmp(job, "dump-guest-memory", node, vb_qemu_dump_requested);
        return;
    }
    job->result = NULL;
    vb_qemu_dump_poll(job);
}

static void vb_qemu_dump_paused(GObject *source, GAsyncResult *res, gpointer data);

static const VbQemuStreamOps vb_qemu_dump_stream = {
    .failed = vb_qemu_dump_failed,
    .paused_reason = VB_PAUSED_DUMP,
    .fdname = VB_QEMU_DUMP_FD,
    .fd_given = vb_qemu_dump_requested,
    .paused = vb_qemu_dump_paused,
};

static void
vb_qemu_dump_paused(GObject *source, GAsyncResult *res, gpointer data)
{
    vb_qemu_stream_paused(res, data, &vb_qemu_dump_stream);
}

static void
vb_qemu_dump_created(VbQemuJob *job, gpointer result, GError *error)
{
    vb_qemu_stream_created(job, result, error, (job->flags & VB_QEMU_DUMP_LIVE) != 0,
                           &vb_qemu_dump_stream);
}

static void
vb_qemu_dump_start(VbQemuJob *job)
{
    g_autoptr(GBytes) empty = g_bytes_new(NULL, 0);
    GError *error = NULL;

    if (!vb_qemu_check_active(job->obj, &error)) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    vb_qemu_job_image_file(job, vb_qemu_image_create_thread, job->path, -1, NULL, empty,
                           vb_qemu_dump_created);
}

/* virDomainCoreDumpWithFormat; dump-guest-memory into a file made on a worker,
 * complete when qemu says the dump is done */
void
vb_qemu_domain_core_dump(VbConn *conn, VbDomainObj *obj, const char *to, guint format, guint flags,
                         VbDone done, gpointer data)
{
    static const struct {
        guint a, b;
        const char *text;
    } exclusive[] = {
        {VB_QEMU_DUMP_CRASH, VB_QEMU_DUMP_LIVE, "'VIR_DUMP_CRASH' and 'VIR_DUMP_LIVE'"},
        {VB_QEMU_DUMP_CRASH, VB_QEMU_DUMP_RESET, "'VIR_DUMP_CRASH' and 'VIR_DUMP_RESET'"},
        {VB_QEMU_DUMP_LIVE, VB_QEMU_DUMP_RESET, "'VIR_DUMP_LIVE' and 'VIR_DUMP_RESET'"},
    };
    guint allowed = VB_QEMU_DUMP_CRASH | VB_QEMU_DUMP_LIVE | VB_QEMU_DUMP_BYPASS_CACHE |
                    VB_QEMU_DUMP_RESET | VB_QEMU_DUMP_MEMORY_ONLY;
    GError *error = NULL;
    VbQemuJob *job;

    vb_error_check_flags(flags, allowed, "virDomainCoreDumpWithFormat", &error);
    for (guint i = 0; error == NULL && i < G_N_ELEMENTS(exclusive); i++) {
        if ((flags & exclusive[i].a) != 0 && (flags & exclusive[i].b) != 0)
            vb_error_set(&error, VB_ERROR_INVALID_ARG, "Flags %s are mutually exclusive",
                         exclusive[i].text);
    }
    if (error == NULL && format > 4)
        vb_error_set(&error, VB_ERROR_INVALID_ARG, "dumpformat '%u' is not supported", format);
    if (error == NULL)
        vb_file_check_absolute(to, &error);
    if (error != NULL) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    job = vb_qemu_job_new(conn, obj, "virDomainCoreDumpWithFormat", flags, done, data);
    job->path = g_strdup(to);
    job->state = (int)format;
    vb_qemu_job_begin(job, vb_qemu_dump_start);
}
