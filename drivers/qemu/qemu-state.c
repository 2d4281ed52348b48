/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-qemu"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file-util.h"
#include "qemu-driver.h"
#include "xml-util.h"

/* files of the QEMU driver. nothing here touches driver state: the functions run on
 * workers (save for the status file read at open) and hand their results back to
 * the main loop through vb_qemu_work(). */

#define VB_QEMU_STATUS_GROUP   "status"
#define VB_QEMU_STATUS_VERSION 1
#define VB_QEMU_STATUS_MAX     (VB_XML_MAX_SIZE * 2)
#define VB_QEMU_IMAGE_MAGIC    "virtbus-qemu-save"
#define VB_QEMU_IMAGE_VERSION  "1"
#define VB_QEMU_IMAGE_HEAD_MAX 1024
#define VB_QEMU_IMAGE_ALIGN    4096
/* room for a longer definition from SaveImageDefineXML without moving the stream */
#define VB_QEMU_IMAGE_SLACK 4096

void
vb_qemu_owner_free(gpointer data)
{
    VbQemuOwner *owner = data;

    g_free(owner->path);
    g_free(owner);
}

/* ---- plain files ---- */

/* unlink that is happy when there is nothing to remove */
gboolean
vb_qemu_remove_file(const char *path, GError **error)
{
    if (unlink(path) < 0 && errno != ENOENT) {
        int err = errno;

        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "cannot remove '%s': %s", path,
                     g_strerror(err));
        return FALSE;
    }
    vb_file_sync_dir(path);
    return TRUE;
}

gboolean
vb_qemu_make_dir(const char *path, int mode, GError **error)
{
    if (g_mkdir_with_parents(path, mode) < 0) {
        int err = errno;

        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "cannot create directory '%s': %s", path,
                     g_strerror(err));
        return FALSE;
    }
    return TRUE;
}

void
vb_qemu_log_append(const char *log_path, const char *text)
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *stamp = g_date_time_format(now, "%Y-%m-%d %H:%M:%S");
    g_autofree char *line = g_strdup_printf("%s+0000: %s\n", stamp, text);
    int fd;
    int err = 0;

    if (log_path == NULL)
        return;
    fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600);
    if (fd < 0)
        return;
    if (!vb_file_write_all(fd, line, strlen(line), &err))
        g_debug("cannot append to %s: %s", log_path, g_strerror(err));
    close(fd);
}

/* ---- workers ---- */

typedef struct {
    VbQemuWorkFunc func;
    gpointer data;
    GDestroyNotify data_free;
    GDestroyNotify result_free;
    VbQemuWorkDone done;
    gpointer user_data;
} VbQemuWork;

static void
vb_qemu_work_free(gpointer data)
{
    VbQemuWork *work = data;

    if (work->data_free != NULL && work->data != NULL)
        work->data_free(work->data);
    g_free(work);
}

static void
vb_qemu_work_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
    VbQemuWork *work = task_data;
    GError *error = NULL;
    gpointer result = work->func(work->data, &error);

    if (error != NULL) {
        if (result != NULL && work->result_free != NULL)
            work->result_free(result);
        g_task_return_error(task, error);
        return;
    }
    /* a NULL result without error is still a success */
    g_task_return_pointer(task, result != NULL ? result : GINT_TO_POINTER(1),
                          result != NULL ? work->result_free : NULL);
}

static void
vb_qemu_work_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
    VbQemuWork *work = g_task_get_task_data(G_TASK(res));
    GError *error = NULL;
    gpointer result = g_task_propagate_pointer(G_TASK(res), &error);

    if (result == GINT_TO_POINTER(1))
        result = NULL;
    work->done(result, error, work->user_data);
}

void
vb_qemu_work(VbQemuWorkFunc func, gpointer data, GDestroyNotify data_free,
             GDestroyNotify result_free, VbQemuWorkDone done, gpointer user_data)
{
    g_autoptr(GTask) task = g_task_new(NULL, NULL, vb_qemu_work_done, NULL);
    VbQemuWork *work = g_new0(VbQemuWork, 1);

    work->func = func;
    work->data = data;
    work->data_free = data_free;
    work->result_free = result_free;
    work->done = done;
    work->user_data = user_data;
    g_task_set_task_data(task, work, vb_qemu_work_free);
    g_task_run_in_thread(task, vb_qemu_work_thread);
}

/* status files are written and removed in the order they were asked for: a late
 * write must never bring back the file of a domain that stopped */
static void
vb_qemu_serial_run(gpointer data, gpointer user_data)
{
    g_autoptr(GTask) task = data;

    vb_qemu_work_thread(task, NULL, g_task_get_task_data(task), NULL);
}

void
vb_qemu_work_serial(VbQemuWorkFunc func, gpointer data, GDestroyNotify data_free,
                    GDestroyNotify result_free, VbQemuWorkDone done, gpointer user_data)
{
    static GThreadPool *pool;
    GTask *task = g_task_new(NULL, NULL, vb_qemu_work_done, NULL);
    VbQemuWork *work = g_new0(VbQemuWork, 1);

    if (g_once_init_enter(&pool)) {
        GThreadPool *made = g_thread_pool_new(vb_qemu_serial_run, NULL, 1, FALSE, NULL);

        g_once_init_leave(&pool, made);
    }
    work->func = func;
    work->data = data;
    work->data_free = data_free;
    work->result_free = result_free;
    work->done = done;
    work->user_data = user_data;
    g_task_set_task_data(task, work, vb_qemu_work_free);
    g_thread_pool_push(pool, task, NULL);
}

typedef struct {
    VbQemuJob *job;
    VbQemuJobStep step;
    GDestroyNotify result_free;
} VbQemuJobWork;

static void
vb_qemu_job_work_done(gpointer result, GError *error, gpointer user_data)
{
    VbQemuJobWork *jw = user_data;
    VbQemuJob *job = jw->job;
    VbQemuJobStep step = jw->step;
    GDestroyNotify result_free = jw->result_free;

    g_free(jw);
    if (!vb_qemu_job_alive(job)) {
        if (result != NULL && result_free != NULL)
            result_free(result);
        g_clear_error(&error);
        return;
    }
    step(job, result, error);
}

void
vb_qemu_job_work(VbQemuJob *job, VbQemuWorkFunc func, gpointer data, GDestroyNotify data_free,
                 GDestroyNotify result_free, VbQemuJobStep step)
{
    VbQemuJobWork *jw = g_new0(VbQemuJobWork, 1);

    jw->job = job;
    jw->step = step;
    jw->result_free = result_free;
    vb_qemu_work(func, data, data_free, result_free, vb_qemu_job_work_done, jw);
}

void
vb_qemu_job_work_serial(VbQemuJob *job, VbQemuWorkFunc func, gpointer data,
                        GDestroyNotify data_free, GDestroyNotify result_free, VbQemuJobStep step)
{
    VbQemuJobWork *jw = g_new0(VbQemuJobWork, 1);

    jw->job = job;
    jw->step = step;
    jw->result_free = result_free;
    vb_qemu_work_serial(func, data, data_free, result_free, vb_qemu_job_work_done, jw);
}

/* ---- status files ---- */

void
vb_qemu_status_free(VbQemuStatus *status)
{
    if (status == NULL)
        return;
    g_free(status->monitor_path);
    g_free(status->xml);
    g_clear_pointer(&status->owners, g_ptr_array_unref);
    g_free(status);
}

char *
vb_qemu_status_format(const VbQemuStatus *status, gsize *len)
{
    g_autoptr(GKeyFile) keys = g_key_file_new();
    const char *group = VB_QEMU_STATUS_GROUP;

    g_key_file_set_integer(keys, group, "version", VB_QEMU_STATUS_VERSION);
    g_key_file_set_int64(keys, group, "pid", status->pid);
    g_key_file_set_uint64(keys, group, "start-time", status->start_time);
    g_key_file_set_integer(keys, group, "id", status->id);
    g_key_file_set_string(keys, group, "monitor", status->monitor_path);
    g_key_file_set_boolean(keys, group, "persistent", status->persistent);
    g_key_file_set_boolean(keys, group, "autodestroy", status->autodestroy);
    g_key_file_set_boolean(keys, group, "ran", status->ran);
    g_key_file_set_integer(keys, group, "state", status->state);
    g_key_file_set_integer(keys, group, "reason", status->reason);
    if (status->owners != NULL && status->owners->len > 0) {
        g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);

        for (guint i = 0; i < status->owners->len; i++) {
            const VbQemuOwner *owner = g_ptr_array_index(status->owners, i);

            g_ptr_array_add(paths, g_strdup(owner->path));
            g_ptr_array_add(ids, g_strdup_printf("%u:%u", (guint)owner->uid, (guint)owner->gid));
        }
        g_key_file_set_string_list(keys, group, "owner-paths", (const char *const *)paths->pdata,
                                   paths->len);
        g_key_file_set_string_list(keys, group, "owner-ids", (const char *const *)ids->pdata,
                                   ids->len);
    }
    g_key_file_set_string(keys, group, "xml", status->xml);
    return g_key_file_to_data(keys, len, NULL);
}

static gboolean
vb_qemu_status_owners(GKeyFile *keys, VbQemuStatus *status, GError **error)
{
    g_auto(GStrv) paths =
        g_key_file_get_string_list(keys, VB_QEMU_STATUS_GROUP, "owner-paths", NULL, NULL);
    g_auto(GStrv) ids =
        g_key_file_get_string_list(keys, VB_QEMU_STATUS_GROUP, "owner-ids", NULL, NULL);

    status->owners = g_ptr_array_new_with_free_func(vb_qemu_owner_free);
    if (paths == NULL && ids == NULL)
        return TRUE;
    if (paths == NULL || ids == NULL || g_strv_length(paths) != g_strv_length(ids)) {
        vb_error_set(error, VB_ERROR_INTERNAL, "inconsistent disk owners");
        return FALSE;
    }
    for (guint i = 0; paths[i] != NULL; i++) {
        g_auto(GStrv) pair = g_strsplit(ids[i], ":", 2);
        guint uid, gid;
        VbQemuOwner *owner;

        if (g_strv_length(pair) != 2 || !vb_parse_uint(pair[0], &uid) ||
            !vb_parse_uint(pair[1], &gid) || !g_path_is_absolute(paths[i])) {
            vb_error_set(error, VB_ERROR_INTERNAL, "malformed disk owner '%s'", ids[i]);
            return FALSE;
        }
        owner = g_new0(VbQemuOwner, 1);
        owner->path = g_strdup(paths[i]);
        owner->uid = uid;
        owner->gid = gid;
        g_ptr_array_add(status->owners, owner);
    }
    return TRUE;
}

VbQemuStatus *
vb_qemu_status_load(const char *path, GError **error)
{
    g_autoptr(GKeyFile) keys = g_key_file_new();
    g_autoptr(VbQemuStatus) status = g_new0(VbQemuStatus, 1);
    g_autoptr(GError) local = NULL;
    g_autofree char *contents = NULL;
    const char *group = VB_QEMU_STATUS_GROUP;
    gsize len = 0;
    gint64 pid;

    if (!g_file_get_contents(path, &contents, &len, &local) || len > VB_QEMU_STATUS_MAX ||
        !g_key_file_load_from_data(keys, contents, len, G_KEY_FILE_NONE, &local)) {
        vb_error_set(error, VB_ERROR_INTERNAL, "cannot read status file '%s': %s", path,
                     local != NULL ? local->message : "too large");
        return NULL;
    }
    if (g_key_file_get_integer(keys, group, "version", NULL) != VB_QEMU_STATUS_VERSION) {
        vb_error_set(error, VB_ERROR_INTERNAL, "status file '%s' has an unknown version", path);
        return NULL;
    }
    pid = g_key_file_get_int64(keys, group, "pid", NULL);
    status->pid = pid > 0 && pid <= G_MAXINT ? (pid_t)pid : 0;
    status->start_time = g_key_file_get_uint64(keys, group, "start-time", NULL);
    status->id = g_key_file_get_integer(keys, group, "id", NULL);
    status->monitor_path = g_key_file_get_string(keys, group, "monitor", NULL);
    status->persistent = g_key_file_get_boolean(keys, group, "persistent", NULL);
    status->autodestroy = g_key_file_get_boolean(keys, group, "autodestroy", NULL);
    status->ran = g_key_file_get_boolean(keys, group, "ran", NULL);
    status->state = g_key_file_get_integer(keys, group, "state", NULL);
    status->reason = g_key_file_get_integer(keys, group, "reason", NULL);
    status->xml = g_key_file_get_string(keys, group, "xml", NULL);
    if (status->pid == 0 || status->id <= 0 || status->monitor_path == NULL ||
        !g_path_is_absolute(status->monitor_path) || status->xml == NULL) {
        vb_error_set(error, VB_ERROR_INTERNAL, "status file '%s' is incomplete", path);
        return NULL;
    }
    if (!vb_qemu_status_owners(keys, status, error)) {
        g_prefix_error(error, "status file '%s': ", path);
        return NULL;
    }
    return g_steal_pointer(&status);
}

/* ---- save images ---- */

void
vb_qemu_image_free(VbQemuImage *image)
{
    if (image == NULL)
        return;
    g_free(image->xml);
    g_free(image);
}

GBytes *
vb_qemu_image_header(int state, const char *xml, guint64 *data_offset)
{
    g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, xml, -1);
    GString *out = g_string_new(NULL);
    gsize xml_len = strlen(xml);
    gsize head_len;
    guint64 offset;

    /* the offset depends on the header's length, which holds it: fix the width */
    g_string_append_printf(out,
                           "%s\nversion %s\nstate %s\nxml-length %zu\nxml-sha256 %s\n"
                           "data-offset %016" G_GINT64_MODIFIER "x\n\n",
                           VB_QEMU_IMAGE_MAGIC, VB_QEMU_IMAGE_VERSION,
                           state == VB_DOMAIN_PAUSED ? "paused" : "running", xml_len, sum,
                           (guint64)0);
    head_len = out->len;
    offset = (head_len + xml_len + VB_QEMU_IMAGE_SLACK + VB_QEMU_IMAGE_ALIGN - 1) /
             VB_QEMU_IMAGE_ALIGN * VB_QEMU_IMAGE_ALIGN;
    g_string_truncate(out, 0);
    g_string_append_printf(out,
                           "%s\nversion %s\nstate %s\nxml-length %zu\nxml-sha256 %s\n"
                           "data-offset %016" G_GINT64_MODIFIER "x\n\n",
                           VB_QEMU_IMAGE_MAGIC, VB_QEMU_IMAGE_VERSION,
                           state == VB_DOMAIN_PAUSED ? "paused" : "running", xml_len, sum, offset);
    g_string_append_len(out, xml, xml_len);
    g_string_set_size(out, offset);
    memset(out->str + head_len + xml_len, 0, offset - head_len - xml_len);
    *data_offset = offset;
    return g_string_free_to_bytes(out);
}

static gboolean
vb_qemu_read_exact(int fd, char *buf, gsize len, guint64 offset, gsize *got, GError **error,
                   const char *path)
{
    *got = 0;
    while (*got < len) {
        gssize n = pread(fd, buf + *got, len - *got, offset + *got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;

            vb_error_set(error, VB_ERROR_OPERATION_FAILED, "cannot read save image '%s': %s", path,
                         g_strerror(err));
            return FALSE;
        }
        if (n == 0)
            break;
        *got += n;
    }
    return TRUE;
}

static gboolean
vb_qemu_image_corrupt(const char *path, const char *why, GError **error)
{
    vb_error_set(error, VB_ERROR_OPERATION_FAILED, "save image '%s' is corrupt: %s", path, why);
    return FALSE;
}

static gboolean
vb_qemu_image_parse_head(const char *head, const char *path, VbQemuImage *image, guint64 *xml_len,
                         char **sum, GError **error)
{
    g_auto(GStrv) lines = g_strsplit(head, "\n", -1);
    const char *version = NULL, *state = NULL, *length = NULL, *digest = NULL, *offset = NULL;

    for (guint i = 1; lines[i] != NULL; i++) {
        char *value = strchr(lines[i], ' ');
        const char **slot = NULL;

        if (value == NULL)
            return vb_qemu_image_corrupt(path, "malformed header", error);
        *value++ = '\0';
        if (g_str_equal(lines[i], "version"))
            slot = &version;
        else if (g_str_equal(lines[i], "state"))
            slot = &state;
        else if (g_str_equal(lines[i], "xml-length"))
            slot = &length;
        else if (g_str_equal(lines[i], "xml-sha256"))
            slot = &digest;
        else if (g_str_equal(lines[i], "data-offset"))
            slot = &offset;
        if (slot == NULL || *slot != NULL)
            return vb_qemu_image_corrupt(path, "malformed header", error);
        *slot = value;
    }
    if (version == NULL || state == NULL || length == NULL || digest == NULL || offset == NULL)
        return vb_qemu_image_corrupt(path, "incomplete header", error);
    if (!g_str_equal(version, VB_QEMU_IMAGE_VERSION)) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED,
                     "save image '%s' has unsupported version '%s'", path, version);
        return FALSE;
    }
    if (g_str_equal(state, "running"))
        image->state = VB_DOMAIN_RUNNING;
    else if (g_str_equal(state, "paused"))
        image->state = VB_DOMAIN_PAUSED;
    else
        return vb_qemu_image_corrupt(path, "unknown domain state", error);
    if (!vb_parse_uint64(length, 10, xml_len) || *xml_len > VB_XML_MAX_SIZE ||
        !vb_parse_uint64(offset, 16, &image->data_offset) ||
        image->data_offset % VB_QEMU_IMAGE_ALIGN != 0)
        return vb_qemu_image_corrupt(path, "malformed header", error);
    *sum = g_strdup(digest);
    return TRUE;
}

VbQemuImage *
vb_qemu_image_read(int fd, const char *path, GError **error)
{
    g_autoptr(VbQemuImage) image = g_new0(VbQemuImage, 1);
    char head[VB_QEMU_IMAGE_HEAD_MAX + 1];
    gsize magic_len = strlen(VB_QEMU_IMAGE_MAGIC);
    g_autofree char *sum = NULL;
    g_autofree char *actual = NULL;
    g_autofree char *xml = NULL;
    guint64 xml_len = 0;
    gsize got = 0, head_len;
    char *end;

    if (!vb_qemu_read_exact(fd, head, VB_QEMU_IMAGE_HEAD_MAX, 0, &got, error, path))
        return NULL;
    head[got] = '\0';
    if (got <= magic_len || memcmp(head, VB_QEMU_IMAGE_MAGIC, magic_len) != 0 ||
        head[magic_len] != '\n') {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "'%s' is not a QEMU driver save image", path);
        return NULL;
    }
    end = g_strstr_len(head, got, "\n\n");
    if (end == NULL) {
        if (got < VB_QEMU_IMAGE_HEAD_MAX)
            vb_error_set(error, VB_ERROR_OPERATION_FAILED, "save image '%s' is truncated", path);
        else
            vb_qemu_image_corrupt(path, "header too long", error);
        return NULL;
    }
    *end = '\0';
    head_len = end - head + 2;
    if (!vb_qemu_image_parse_head(head, path, image, &xml_len, &sum, error))
        return NULL;
    if (head_len + xml_len > image->data_offset) {
        vb_qemu_image_corrupt(path, "domain XML overlaps the data", error);
        return NULL;
    }
    xml = g_malloc(xml_len + 1);
    if (!vb_qemu_read_exact(fd, xml, xml_len, head_len, &got, error, path))
        return NULL;
    if (got < xml_len) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "save image '%s' is truncated", path);
        return NULL;
    }
    xml[xml_len] = '\0';
    actual = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)xml, xml_len);
    if (g_ascii_strcasecmp(actual, sum) != 0) {
        vb_qemu_image_corrupt(path, "checksum mismatch", error);
        return NULL;
    }
    if (memchr(xml, '\0', xml_len) != NULL) {
        vb_qemu_image_corrupt(path, "NUL byte in the domain XML", error);
        return NULL;
    }
    image->xml = g_steal_pointer(&xml);
    return g_steal_pointer(&image);
}

static int
vb_qemu_open_image_fd(const char *path, GError **error)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    struct stat st;

    if (fd < 0) {
        int err = errno;

        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "cannot open save image '%s': %s", path,
                     g_strerror(err));
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        vb_error_set(error, VB_ERROR_INVALID_ARG, "'%s' is not a regular file", path);
        return -1;
    }
    /* qemu reads it blocking */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

int
vb_qemu_image_open(const char *path, VbQemuImage **image, GError **error)
{
    int fd = vb_qemu_open_image_fd(path, error);
    struct stat st;

    if (fd < 0)
        return -1;
    *image = vb_qemu_image_read(fd, path, error);
    if (*image != NULL && (fstat(fd, &st) < 0 || (guint64)st.st_size <= (*image)->data_offset)) {
        g_clear_pointer(image, vb_qemu_image_free);
        vb_error_set(error, VB_ERROR_OPERATION_FAILED,
                     "save image '%s' is truncated: it holds no guest state", path);
    }
    if (*image == NULL || lseek(fd, (*image)->data_offset, SEEK_SET) < 0) {
        if (*image != NULL)
            vb_error_set(error, VB_ERROR_OPERATION_FAILED, "cannot seek in save image '%s'", path);
        g_clear_pointer(image, vb_qemu_image_free);
        close(fd);
        return -1;
    }
    return fd;
}

int
vb_qemu_image_create(const char *path, GBytes *header, char **tmp_path, GError **error)
{
    gsize len;
    const char *data = g_bytes_get_data(header, &len);
    int fd = vb_file_atomic_begin(path, 0600, tmp_path, error);
    int err = 0;

    if (fd < 0)
        return -1;
    if (!vb_file_write_all(fd, data, len, &err)) {
        vb_file_atomic_abort(fd, *tmp_path);
        g_clear_pointer(tmp_path, g_free);
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "cannot write '%s': %s", path,
                     g_strerror(err));
        return -1;
    }
    return fd;
}

gboolean
vb_qemu_image_rewrite(const char *path, int state, const char *xml, GError **error)
{
    g_autoptr(VbQemuImage) old = NULL;
    g_autoptr(GBytes) header = NULL;
    g_autofree char *tmp = NULL;
    g_autofree char *buf = NULL;
    guint64 offset = 0;
    guint64 pos;
    int in, out;

    in = vb_qemu_image_open(path, &old, error);
    if (in < 0)
        return FALSE;
    header = vb_qemu_image_header(state, xml, &offset);
    out = vb_qemu_image_create(path, header, &tmp, error);
    if (out < 0) {
        close(in);
        return FALSE;
    }
    buf = g_malloc(1024 * 1024);
    pos = old->data_offset;
    for (;;) {
        gsize got = 0;
        int err = 0;

        if (!vb_qemu_read_exact(in, buf, 1024 * 1024, pos, &got, error, path)) {
            close(in);
            vb_file_atomic_abort(out, tmp);
            return FALSE;
        }
        if (got == 0)
            break;
        if (!vb_file_write_all(out, buf, got, &err)) {
            close(in);
            return vb_file_atomic_commit(out, tmp, path, err, error);
        }
        pos += got;
    }
    close(in);
    return vb_file_atomic_commit(out, tmp, path, 0, error);
}
