/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-test"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file-util.h"
#include "test-driver.h"
#include "xml-util.h"

/* a save image is a text header, an empty line, then the domain XML:
 *   virtbus-test-save-image
 *   version 1
 *   state running|paused
 *   xml-length <bytes>
 *   xml-sha256 <hex>
 * a core dump has the same shape with its own magic, followed by synthetic memory. */
#define VB_TEST_SAVE_MAGIC    "virtbus-test-save-image"
#define VB_TEST_DUMP_MAGIC    "virtbus-test-core-dump"
#define VB_TEST_IMAGE_VERSION "1"
#define VB_TEST_HEADER_MAX    1024
#define VB_TEST_IMAGE_MAX     (VB_XML_MAX_SIZE + VB_TEST_HEADER_MAX)
#define VB_TEST_DUMP_MEMORY   (64 * 1024)

enum { VB_TEST_SAVE_IMAGE_XML_SECURE = 1 };
enum {
    VB_TEST_DUMP_CRASH = 1,
    VB_TEST_DUMP_LIVE = 2,
    VB_TEST_DUMP_BYPASS_CACHE = 4,
    VB_TEST_DUMP_RESET = 8,
    VB_TEST_DUMP_MEMORY_ONLY = 16,
};
enum {
    VB_TEST_DUMP_FORMAT_RAW = 0,
    VB_TEST_DUMP_FORMAT_KDUMP_SNAPPY = 3,
    VB_TEST_DUMP_FORMAT_WIN_DMP = 4,
};

/* ---- the worker side: plain file I/O, no driver state ---- */

typedef enum {
    VB_TEST_IO_READ,
    VB_TEST_IO_WRITE,
    VB_TEST_IO_UNLINK,
} VbTestIoOp;

typedef struct {
    VbTestIoOp op;
    char *path;
    GBytes *data; /* WRITE: the contents */
} VbTestIo;

static void
vb_test_io_free(gpointer data)
{
    VbTestIo *io = data;

    g_free(io->path);
    g_clear_pointer(&io->data, g_bytes_unref);
    g_free(io);
}

static GBytes *
vb_test_read_file(const char *path, GError **error)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    struct stat st;
    g_autofree char *buf = NULL;
    gsize len = 0;

    if (fd < 0) {
        int err = errno;

        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "cannot open save image '%s': %s", path,
                     g_strerror(err));
        return NULL;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        vb_error_set(error, VB_ERROR_INVALID_ARG, "'%s' is not a regular file", path);
        return NULL;
    }
    buf = g_malloc(VB_TEST_IMAGE_MAX + 1);
    while (len <= VB_TEST_IMAGE_MAX) {
        gssize n = read(fd, buf + len, VB_TEST_IMAGE_MAX + 1 - len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;

            close(fd);
            vb_error_set(error, VB_ERROR_OPERATION_FAILED, "cannot read save image '%s': %s", path,
                         g_strerror(err));
            return NULL;
        }
        if (n == 0)
            break;
        len += n;
    }
    close(fd);
    if (len > VB_TEST_IMAGE_MAX) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "'%s' is too large for a save image", path);
        return NULL;
    }
    return g_bytes_new_take(g_realloc(g_steal_pointer(&buf), MAX(len, 1)), len);
}

static void
vb_test_io_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
    VbTestIo *io = task_data;
    GError *error = NULL;
    GBytes *result = NULL;

    switch (io->op) {
    case VB_TEST_IO_READ:
        result = vb_test_read_file(io->path, &error);
        break;
    case VB_TEST_IO_WRITE:
        if (vb_file_write_atomic(io->path, g_bytes_get_data(io->data, NULL),
                                 g_bytes_get_size(io->data), 0600, &error))
            result = g_bytes_new(NULL, 0);
        break;
    case VB_TEST_IO_UNLINK:
        if (unlink(io->path) == 0 || errno == ENOENT) {
            result = g_bytes_new(NULL, 0);
        } else {
            int err = errno;

            vb_error_set(&error, VB_ERROR_OPERATION_FAILED, "cannot remove '%s': %s", io->path,
                         g_strerror(err));
        }
        break;
    }
    if (result != NULL)
        g_task_return_pointer(task, result, (GDestroyNotify)g_bytes_unref);
    else
        g_task_return_error(task, error);
}

/* ---- the main loop side: jobs ---- */

typedef struct _VbTestJob VbTestJob;
/* a step owns @error; @bytes is what a READ gave */
typedef void (*VbTestStep)(VbTestJob *job, GBytes *bytes, GError *error);

struct _VbTestJob {
    VbTestConn *tc;
    VbDomainObj *obj; /* holds the domain's job flag, or NULL */
    VbDone done;
    gpointer data;
    guint flags;
    char *path;
    char *xml;
    VbTestStep step;
};

static VbTestJob *
vb_test_job_new(VbConn *conn, VbDomainObj *obj, guint flags, const char *path, VbDone done,
                gpointer data)
{
    VbTestJob *job = g_new0(VbTestJob, 1);

    job->tc = vb_test_conn_ref(vb_test_conn(conn));
    if (obj != NULL) {
        job->obj = vb_domain_obj_ref(obj);
        vb_test_dom(obj)->job_active = TRUE;
        vb_test_dom(obj)->job_start_us = g_get_monotonic_time();
    }
    job->flags = flags;
    job->path = g_strdup(path);
    job->done = done;
    job->data = data;
    return job;
}

static void
vb_test_job_finish(VbTestJob *job, gpointer result, GError *error)
{
    if (job->obj != NULL) {
        vb_test_dom(job->obj)->job_active = FALSE;
        vb_domain_obj_unref(job->obj);
    }
    job->done(error != NULL ? NULL : result, error, job->data);
    g_clear_error(&error);
    vb_test_conn_unref(job->tc);
    g_free(job->path);
    g_free(job->xml);
    g_free(job);
}

static void
vb_test_io_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
    VbTestJob *job = user_data;
    GError *error = NULL;
    g_autoptr(GBytes) bytes = g_task_propagate_pointer(G_TASK(res), &error);

    if (job->tc->conn == NULL) {
        g_clear_error(&error);
        vb_error_set(&error, VB_ERROR_OPERATION_FAILED,
                     "the connection was closed during the operation");
        vb_test_job_finish(job, NULL, error);
        return;
    }
    job->step(job, bytes, error);
}

static void
vb_test_job_io(VbTestJob *job, VbTestIoOp op, const char *path, GBytes *data, VbTestStep step)
{
    g_autoptr(GTask) task = g_task_new(NULL, NULL, vb_test_io_done, job);
    VbTestIo *io = g_new0(VbTestIo, 1);

    io->op = op;
    io->path = g_strdup(path);
    io->data = data != NULL ? g_bytes_ref(data) : NULL;
    job->step = step;
    g_task_set_task_data(task, io, vb_test_io_free);
    g_task_run_in_thread(task, vb_test_io_thread);
}

/* ---- image files ---- */

static GBytes *
vb_test_image_build(const char *magic, const char *state, const char *xml, GBytes *tail)
{
    g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, xml, -1);
    GString *out = g_string_new(NULL);

    g_string_append_printf(out, "%s\nversion %s\n", magic, VB_TEST_IMAGE_VERSION);
    if (state != NULL)
        g_string_append_printf(out, "state %s\n", state);
    g_string_append_printf(out, "xml-length %zu\nxml-sha256 %s\n\n%s", strlen(xml), sum, xml);
    if (tail != NULL)
        g_string_append_len(out, g_bytes_get_data(tail, NULL), g_bytes_get_size(tail));
    return g_string_free_to_bytes(out);
}

static gboolean
vb_test_image_corrupt(const char *path, const char *why, GError **error)
{
    vb_error_set(error, VB_ERROR_OPERATION_FAILED, "save image '%s' is corrupt: %s", path, why);
    return FALSE;
}

/* checks a save image's header, length and checksum; @xml gets the domain XML */
static gboolean
vb_test_image_parse(GBytes *bytes, const char *path, VbDomainState *state, char **xml,
                    GError **error)
{
    gsize len;
    const char *buf = g_bytes_get_data(bytes, &len);
    gsize magic_len = strlen(VB_TEST_SAVE_MAGIC);
    const char *end;
    g_autofree char *header = NULL;
    g_auto(GStrv) lines = NULL;
    const char *version = NULL, *state_str = NULL, *length_str = NULL, *sum = NULL;
    guint64 xml_len;
    gsize avail;
    g_autofree char *actual = NULL;

    if (buf == NULL || len <= magic_len || memcmp(buf, VB_TEST_SAVE_MAGIC, magic_len) != 0 ||
        buf[magic_len] != '\n') {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "'%s' is not a test driver save image", path);
        return FALSE;
    }
    end = g_strstr_len(buf, MIN(len, VB_TEST_HEADER_MAX), "\n\n");
    if (end == NULL) {
        if (len < VB_TEST_HEADER_MAX)
            vb_error_set(error, VB_ERROR_OPERATION_FAILED, "save image '%s' is truncated", path);
        else
            vb_test_image_corrupt(path, "header too long", error);
        return FALSE;
    }
    header = g_strndup(buf, end - buf);
    lines = g_strsplit(header, "\n", -1);
    for (guint i = 1; lines[i] != NULL; i++) {
        char *value = strchr(lines[i], ' ');

        if (value == NULL)
            return vb_test_image_corrupt(path, "malformed header", error);
        *value++ = '\0';
        if (g_str_equal(lines[i], "version") && version == NULL)
            version = value;
        else if (g_str_equal(lines[i], "state") && state_str == NULL)
            state_str = value;
        else if (g_str_equal(lines[i], "xml-length") && length_str == NULL)
            length_str = value;
        else if (g_str_equal(lines[i], "xml-sha256") && sum == NULL)
            sum = value;
        else
            return vb_test_image_corrupt(path, "malformed header", error);
    }
    if (version == NULL || state_str == NULL || length_str == NULL || sum == NULL)
        return vb_test_image_corrupt(path, "incomplete header", error);
    if (!g_str_equal(version, VB_TEST_IMAGE_VERSION)) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED,
                     "save image '%s' has unsupported version '%s'", path, version);
        return FALSE;
    }
    if (g_str_equal(state_str, "running"))
        *state = VB_DOMAIN_RUNNING;
    else if (g_str_equal(state_str, "paused"))
        *state = VB_DOMAIN_PAUSED;
    else
        return vb_test_image_corrupt(path, "unknown domain state", error);
    if (!vb_parse_uint64(length_str, 10, &xml_len))
        return vb_test_image_corrupt(path, "malformed header", error);

    avail = len - (end + 2 - buf);
    if (avail < xml_len) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED,
                     "save image '%s' is truncated: %zu of %" G_GUINT64_FORMAT
                     " bytes of domain XML",
                     path, avail, xml_len);
        return FALSE;
    }
    if (avail > xml_len)
        return vb_test_image_corrupt(path, "data after the domain XML", error);
    actual = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)end + 2, avail);
    if (g_ascii_strcasecmp(actual, sum) != 0)
        return vb_test_image_corrupt(path, "checksum mismatch", error);
    if (memchr(end + 2, '\0', avail) != NULL)
        return vb_test_image_corrupt(path, "NUL byte in the domain XML", error);
    *xml = g_strndup(end + 2, avail);
    return TRUE;
}

/* the definition in a save image, replaced by @override when that describes the same
 * domain */
static VbDomainDef *
vb_test_image_load(GBytes *bytes, const char *path, const char *override, VbDomainState *state,
                   GError **error)
{
    g_autofree char *xml = NULL;
    g_autoptr(VbDomainDef) def = NULL;

    if (!vb_test_image_parse(bytes, path, state, &xml, error))
        return NULL;
    def = vb_domain_def_parse(xml, -1, VB_DOMAIN_PARSE_INACTIVE, error);
    if (def == NULL || !vb_test_check_def(def, error))
        return NULL;
    if (override != NULL && *override != '\0') {
        g_autoptr(VbDomainDef) other =
            vb_domain_def_parse(override, -1, VB_DOMAIN_PARSE_INACTIVE, error);

        if (other == NULL || !vb_test_check_def(other, error) ||
            !vb_domain_check_same(other, def, error))
            return NULL;
        vb_domain_def_free(def);
        def = g_steal_pointer(&other);
    }
    vb_domain_def_fill_macs(def, vb_test_mac_prefix);
    return g_steal_pointer(&def);
}

static GBytes *
vb_test_save_image(const VbDomainDef *def, VbDomainState state)
{
    g_autofree char *xml = vb_domain_def_format(def, VB_DOMAIN_XML_SECURE | VB_DOMAIN_XML_INACTIVE);

    return vb_test_image_build(VB_TEST_SAVE_MAGIC, state == VB_DOMAIN_PAUSED ? "paused" : "running",
                               xml, NULL);
}

static VbDomainState
vb_test_saved_state(guint flags, VbDomainState state)
{
    if ((flags & VB_TEST_SAVE_RUNNING) != 0)
        return VB_DOMAIN_RUNNING;
    if ((flags & VB_TEST_SAVE_PAUSED) != 0)
        return VB_DOMAIN_PAUSED;
    return state;
}

/* a domain just restored from an image: STARTED/RESTORED, then paused when asked */
static void
vb_test_domain_restored(VbConn *conn, VbDomainObj *obj, VbDomainState image_state,
                        gboolean want_paused, gboolean want_running)
{
    vb_conn_emit_domain(conn, obj, VB_EVENT_STARTED, VB_EVENT_STARTED_RESTORED);
    if (want_paused) {
        vb_test_domain_pause(obj, VB_PAUSED_USER);
        vb_conn_emit_domain(conn, obj, VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_PAUSED);
    } else if (image_state == VB_DOMAIN_PAUSED && !want_running) {
        vb_test_domain_pause(obj, VB_PAUSED_USER);
        vb_conn_emit_domain(conn, obj, VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_RESTORED);
    }
}

/* ---- Save ---- */

static GBytes *
vb_test_save_prepare(VbDomainObj *obj, const char *xml, guint flags, GError **error)
{
    const VbDomainDef *def = obj->live;
    g_autoptr(VbDomainDef) other = NULL;

    if (!vb_test_check_busy(obj, error) || !vb_test_check_active(obj, error))
        return NULL;
    if (xml != NULL && *xml != '\0') {
        other = vb_domain_def_parse(xml, -1, VB_DOMAIN_PARSE_INACTIVE, error);
        if (other == NULL || !vb_test_check_def(other, error) ||
            !vb_domain_check_same(other, def, error))
            return NULL;
        def = other;
    }
    return vb_test_save_image(def, vb_test_saved_state(flags, obj->state));
}

static void
vb_test_save_written(VbTestJob *job, GBytes *bytes, GError *error)
{
    if (error == NULL)
        vb_test_domain_stopped(job->tc->conn, job->obj, VB_SHUTOFF_SAVED, VB_EVENT_STOPPED_SAVED);
    vb_test_job_finish(job, NULL, error);
}

/* virDomainSaveFlags; writes the image on a worker, then stops the domain */
void
vb_test_domain_save(VbConn *conn, VbDomainObj *obj, const char *to, const char *xml, guint flags,
                    VbDone done, gpointer data)
{
    GError *error = NULL;
    g_autoptr(GBytes) image = NULL;
    guint allowed = VB_TEST_SAVE_BYPASS_CACHE | VB_TEST_SAVE_RUNNING | VB_TEST_SAVE_PAUSED;

    if (vb_domain_check_save_flags(flags, allowed, "virDomainSaveFlags", &error) &&
        vb_file_check_absolute(to, &error))
        image = vb_test_save_prepare(obj, xml, flags, &error);
    if (image == NULL) {
        vb_test_complete(done, data, NULL, error);
        return;
    }
    vb_test_job_io(vb_test_job_new(conn, obj, flags, to, done, data), VB_TEST_IO_WRITE, to, image,
                   vb_test_save_written);
}

/* ---- Restore and the save image calls ---- */

static void
vb_test_restore_read(VbTestJob *job, GBytes *bytes, GError *error)
{
    VbConn *conn = job->tc->conn;
    VbDomainState state = VB_DOMAIN_RUNNING;
    g_autoptr(VbDomainDef) def = NULL;
    g_autoptr(VbDomainObj) obj = NULL;

    if (error == NULL)
        def = vb_test_image_load(bytes, job->path, job->xml, &state, &error);
    if (def != NULL)
        obj = vb_test_domain_add_live(conn, g_steal_pointer(&def), VB_RUNNING_RESTORED, &error);
    if (obj != NULL)
        vb_test_domain_restored(conn, obj, state, (job->flags & VB_TEST_SAVE_PAUSED) != 0,
                                (job->flags & VB_TEST_SAVE_RUNNING) != 0);
    vb_test_job_finish(job, NULL, error);
}

/* virDomainRestoreFlags; reads the image on a worker, then starts the domain */
void
vb_test_domain_restore(VbConn *conn, const char *from, const char *xml, guint flags, VbDone done,
                       gpointer data)
{
    GError *error = NULL;
    guint allowed = VB_TEST_SAVE_BYPASS_CACHE | VB_TEST_SAVE_RUNNING | VB_TEST_SAVE_PAUSED;
    VbTestJob *job;

    if (!vb_domain_check_save_flags(flags, allowed, "virDomainRestoreFlags", &error) ||
        !vb_file_check_absolute(from, &error)) {
        vb_test_complete(done, data, NULL, error);
        return;
    }
    job = vb_test_job_new(conn, NULL, flags, from, done, data);
    job->xml = g_strdup(xml);
    vb_test_job_io(job, VB_TEST_IO_READ, from, NULL, vb_test_restore_read);
}

static void
vb_test_image_xml_read(VbTestJob *job, GBytes *bytes, GError *error)
{
    VbDomainState state = VB_DOMAIN_RUNNING;
    g_autoptr(VbDomainDef) def = NULL;
    guint xml_flags = VB_DOMAIN_XML_INACTIVE;

    if (error == NULL)
        def = vb_test_image_load(bytes, job->path, NULL, &state, &error);
    if ((job->flags & VB_TEST_SAVE_IMAGE_XML_SECURE) != 0)
        xml_flags |= VB_DOMAIN_XML_SECURE;
    vb_test_job_finish(job, def != NULL ? vb_domain_def_format(def, xml_flags) : NULL, error);
}

/* virDomainSaveImageGetXMLDesc; reads the image on a worker */
void
vb_test_save_image_get_xml(VbConn *conn, const char *file, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;

    if (!vb_error_check_flags(flags, VB_TEST_SAVE_IMAGE_XML_SECURE, "virDomainSaveImageGetXMLDesc",
                              &error) ||
        !vb_file_check_absolute(file, &error)) {
        vb_test_complete(done, data, NULL, error);
        return;
    }
    vb_test_job_io(vb_test_job_new(conn, NULL, flags, file, done, data), VB_TEST_IO_READ, file,
                   NULL, vb_test_image_xml_read);
}

static void
vb_test_image_written(VbTestJob *job, GBytes *bytes, GError *error)
{
    vb_test_job_finish(job, NULL, error);
}

static void
vb_test_image_define_read(VbTestJob *job, GBytes *bytes, GError *error)
{
    VbDomainState state = VB_DOMAIN_RUNNING;
    g_autoptr(VbDomainDef) def = NULL;
    g_autoptr(GBytes) image = NULL;

    if (error == NULL)
        def = vb_test_image_load(bytes, job->path, job->xml, &state, &error);
    if (def == NULL) {
        vb_test_job_finish(job, NULL, error);
        return;
    }
    image = vb_test_save_image(def, vb_test_saved_state(job->flags, state));
    vb_test_job_io(job, VB_TEST_IO_WRITE, job->path, image, vb_test_image_written);
}

/* virDomainSaveImageDefineXML; reads and rewrites the image on a worker */
void
vb_test_save_image_define_xml(VbConn *conn, const char *file, const char *xml, guint flags,
                              VbDone done, gpointer data)
{
    GError *error = NULL;
    VbTestJob *job;

    if (vb_domain_check_save_flags(flags, VB_TEST_SAVE_RUNNING | VB_TEST_SAVE_PAUSED,
                                   "virDomainSaveImageDefineXML", &error) &&
        vb_file_check_absolute(file, &error) && (xml == NULL || *xml == '\0'))
        vb_error_set(&error, VB_ERROR_INVALID_ARG, "xml must not be empty");
    if (error != NULL) {
        vb_test_complete(done, data, NULL, error);
        return;
    }
    job = vb_test_job_new(conn, NULL, flags, file, done, data);
    job->xml = g_strdup(xml);
    vb_test_job_io(job, VB_TEST_IO_READ, file, NULL, vb_test_image_define_read);
}

/* ---- managed save ---- */

static void
vb_test_managed_written(VbTestJob *job, GBytes *bytes, GError *error)
{
    if (error == NULL) {
        job->obj->managed_save = TRUE;
        vb_test_domain_stopped(job->tc->conn, job->obj, VB_SHUTOFF_SAVED, VB_EVENT_STOPPED_SAVED);
    }
    vb_test_job_finish(job, NULL, error);
}

/* virDomainManagedSave; writes the image on a worker, then stops the domain */
void
vb_test_domain_managed_save(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;
    g_autoptr(GBytes) image = NULL;
    g_autofree char *path = NULL;
    guint allowed = VB_TEST_SAVE_BYPASS_CACHE | VB_TEST_SAVE_RUNNING | VB_TEST_SAVE_PAUSED;

    if (vb_domain_check_save_flags(flags, allowed, "virDomainManagedSave", &error) &&
        !vb_domain_obj_is_persistent(obj))
        vb_error_set(&error, VB_ERROR_OPERATION_INVALID,
                     "cannot do managed save for transient domain");
    if (error == NULL)
        image = vb_test_save_prepare(obj, NULL, flags, &error);
    if (image == NULL) {
        vb_test_complete(done, data, NULL, error);
        return;
    }
    path = vb_test_managed_save_path(vb_test_conn(conn), obj);
    vb_test_job_io(vb_test_job_new(conn, obj, flags, path, done, data), VB_TEST_IO_WRITE, path,
                   image, vb_test_managed_written);
}

static void
vb_test_managed_removed(VbTestJob *job, GBytes *bytes, GError *error)
{
    if (error == NULL)
        job->obj->managed_save = FALSE;
    vb_test_job_finish(job, NULL, error);
}

/* virDomainManagedSaveRemove; removes the image on a worker */
void
vb_test_domain_managed_save_remove(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                                   gpointer data)
{
    GError *error = NULL;
    g_autofree char *path = NULL;

    if (!vb_error_check_flags(flags, 0, "virDomainManagedSaveRemove", &error) ||
        !vb_test_check_busy(obj, &error) || !obj->managed_save) {
        vb_test_complete(done, data, NULL, error);
        return;
    }
    path = vb_test_managed_save_path(vb_test_conn(conn), obj);
    vb_test_job_io(vb_test_job_new(conn, obj, flags, path, done, data), VB_TEST_IO_UNLINK, path,
                   NULL, vb_test_managed_removed);
}

static void
vb_test_managed_cleaned(VbTestJob *job, GBytes *bytes, GError *error)
{
    /* the domain runs from the image already; a stale file is only left over */
    g_clear_error(&error);
    vb_test_job_finish(job, NULL, NULL);
}

static void
vb_test_managed_read(VbTestJob *job, GBytes *bytes, GError *error)
{
    VbConn *conn = job->tc->conn;
    VbDomainState state = VB_DOMAIN_RUNNING;
    g_autoptr(VbDomainDef) def = NULL;

    if (error == NULL)
        def = vb_test_image_load(bytes, job->path, NULL, &state, &error);
    if (def != NULL && !vb_domain_check_same(def, job->obj->config, &error))
        g_clear_pointer(&def, vb_domain_def_free);
    if (def == NULL) {
        vb_test_job_finish(job, NULL, error);
        return;
    }
    job->obj->managed_save = FALSE;
    vb_test_domain_start(conn, job->obj, g_steal_pointer(&def), VB_RUNNING_RESTORED);
    if ((job->flags & VB_TEST_START_AUTODESTROY) != 0)
        job->obj->autodestroy = TRUE;
    vb_test_domain_restored(conn, job->obj, state, (job->flags & VB_TEST_START_PAUSED) != 0, FALSE);
    vb_test_job_io(job, VB_TEST_IO_UNLINK, job->path, NULL, vb_test_managed_cleaned);
}

static void
vb_test_managed_discarded(VbTestJob *job, GBytes *bytes, GError *error)
{
    VbConn *conn = job->tc->conn;

    if (error == NULL) {
        job->obj->managed_save = FALSE;
        vb_test_domain_start(conn, job->obj, NULL, VB_RUNNING_BOOTED);
        vb_test_domain_booted(conn, job->obj, job->flags);
    }
    vb_test_job_finish(job, NULL, error);
}

void
vb_test_domain_start_managed(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                             gpointer data)
{
    g_autofree char *path = vb_test_managed_save_path(vb_test_conn(conn), obj);
    VbTestJob *job = vb_test_job_new(conn, obj, flags, path, done, data);

    if ((flags & VB_TEST_START_FORCE_BOOT) != 0)
        vb_test_job_io(job, VB_TEST_IO_UNLINK, path, NULL, vb_test_managed_discarded);
    else
        vb_test_job_io(job, VB_TEST_IO_READ, path, NULL, vb_test_managed_read);
}

static void
vb_test_undefine_removed(VbTestJob *job, GBytes *bytes, GError *error)
{
    if (error == NULL) {
        job->obj->managed_save = FALSE;
        vb_test_domain_undefine_finish(job->tc->conn, job->obj);
    }
    vb_test_job_finish(job, NULL, error);
}

void
vb_test_domain_undefine_managed(VbConn *conn, VbDomainObj *obj, VbDone done, gpointer data)
{
    g_autofree char *path = vb_test_managed_save_path(vb_test_conn(conn), obj);

    vb_test_job_io(vb_test_job_new(conn, obj, 0, path, done, data), VB_TEST_IO_UNLINK, path, NULL,
                   vb_test_undefine_removed);
}

/* ---- core dump ---- */

static gboolean
vb_test_dump_check(VbDomainObj *obj, const char *to, guint format, guint flags, GError **error)
{
    static const struct {
        guint a, b;
        const char *text;
    } exclusive[] = {
        {VB_TEST_DUMP_CRASH, VB_TEST_DUMP_LIVE, "'VIR_DUMP_CRASH' and 'VIR_DUMP_LIVE'"},
        {VB_TEST_DUMP_CRASH, VB_TEST_DUMP_RESET, "'VIR_DUMP_CRASH' and 'VIR_DUMP_RESET'"},
        {VB_TEST_DUMP_LIVE, VB_TEST_DUMP_RESET, "'VIR_DUMP_LIVE' and 'VIR_DUMP_RESET'"},
    };
    guint allowed = VB_TEST_DUMP_CRASH | VB_TEST_DUMP_LIVE | VB_TEST_DUMP_BYPASS_CACHE |
                    VB_TEST_DUMP_RESET | VB_TEST_DUMP_MEMORY_ONLY;

    if (!vb_error_check_flags(flags, allowed, "virDomainCoreDumpWithFormat", error))
        return FALSE;
    for (guint i = 0; i < G_N_ELEMENTS(exclusive); i++) {
        if ((flags & exclusive[i].a) != 0 && (flags & exclusive[i].b) != 0) {
            vb_error_set(error, VB_ERROR_INVALID_ARG, "Flags %s are mutually exclusive",
                         exclusive[i].text);
            return FALSE;
        }
    }
    if (format > VB_TEST_DUMP_FORMAT_WIN_DMP) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "dumpformat '%u' is not supported", format);
        return FALSE;
    }
    if (format != VB_TEST_DUMP_FORMAT_RAW) {
        vb_error_set(error, VB_ERROR_OPERATION_UNSUPPORTED, "%s format is not supported here",
                     format == VB_TEST_DUMP_FORMAT_WIN_DMP ? "win-dmp" : "kdump-compressed");
        return FALSE;
    }
    return vb_file_check_absolute(to, error) && vb_test_check_busy(obj, error) &&
           vb_test_check_active(obj, error);
}

/* a header, the domain XML, then memory made of the UUID so each dump is recognisable */
static GBytes *
vb_test_dump_image(const VbDomainObj *obj)
{
    g_autofree char *xml = vb_domain_def_format(obj->live, VB_DOMAIN_XML_INACTIVE);
    g_autoptr(GBytes) memory = NULL;
    guint8 *pages = g_malloc(VB_TEST_DUMP_MEMORY);

    for (gsize i = 0; i < VB_TEST_DUMP_MEMORY; i++)
        pages[i] = obj->uuid[i % VB_UUID_LEN] ^ (guint8)(i >> 4);
    memory = g_bytes_new_take(pages, VB_TEST_DUMP_MEMORY);
    return vb_test_image_build(VB_TEST_DUMP_MAGIC, NULL, xml, memory);
}

static void
vb_test_dump_written(VbTestJob *job, GBytes *bytes, GError *error)
{
    VbConn *conn = job->tc->conn;

    if (error == NULL && (job->flags & VB_TEST_DUMP_CRASH) != 0)
        vb_test_domain_stopped(conn, job->obj, VB_SHUTOFF_CRASHED, VB_EVENT_STOPPED_CRASHED);
    else if (error == NULL && (job->flags & VB_TEST_DUMP_RESET) != 0)
        vb_conn_emit_domain_signal(conn, job->obj, "Reboot", g_variant_new("()"));
    vb_test_job_finish(job, NULL, error);
}

/* virDomainCoreDumpWithFormat; writes the dump on a worker */
void
vb_test_domain_core_dump(VbConn *conn, VbDomainObj *obj, const char *to, guint format, guint flags,
                         VbDone done, gpointer data)
{
    GError *error = NULL;
    g_autoptr(GBytes) image = NULL;

    if (!vb_test_dump_check(obj, to, format, flags, &error)) {
        vb_test_complete(done, data, NULL, error);
        return;
    }
    image = vb_test_dump_image(obj);
    vb_test_job_io(vb_test_job_new(conn, obj, flags, to, done, data), VB_TEST_IO_WRITE, to, image,
                   vb_test_dump_written);
}
