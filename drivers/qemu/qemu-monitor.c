/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-qemu"

#include <fcntl.h>
#include <gio/gunixfdmessage.h>
#include <gio/gunixsocketaddress.h>
#include <string.h>
#include <unistd.h>

#include "qemu-monitor.h"
#include "vb-error.h"

#define VB_QEMU_MONITOR_READ_SIZE 65536
/* query-qmp-schema, the largest answer QEMU gives, is a few hundred KiB */
#define VB_QEMU_MONITOR_LINE_MAX (64 * 1024 * 1024)
#define VB_QEMU_MONITOR_RETRY_MS 10

/* what a command's GTask keeps for vb_qemu_monitor_error_class() */
typedef struct {
    char *execute;
    char *error_class;
} VbQemuCommandData;

typedef struct {
    VbQemuMonitor *mon; /* not a reference: the monitor owns its commands */
    gint64 id;
    GBytes *line;
    guint timeout_ms;
    GSource *timeout;
    GTask *task;
    int fd; /* sent with the command's first bytes, or -1 */
} VbQemuCommand;

struct _VbQemuMonitor {
    gint ref;
    GMainContext *context;
    char *path; /* NULL when opened on a stream */
    GIOStream *stream;
    GCancellable *cancellable; /* all I/O; cancelled on close */
    VbQemuMonitorCallbacks callbacks;
    gpointer callbacks_data;

    guint8 *readbuf;
    GByteArray *inbuf;
    JsonParser *parser;

    GQueue queue;            /* VbQemuCommand* not yet sent */
    VbQemuCommand *inflight; /* sent, answer pending */
    GBytes *writing;         /* the line being written */
    GHashTable *abandoned;   /* gint64 ids of commands that timed out in flight */
    GSource *fd_retry;       /* waiting for room to send a command with a descriptor */
    gint64 next_id;

    guint version;
    gboolean greeted;
    gboolean closed;

    /* while opening: the owner's reference belongs to open_task */
    GTask *open_task;
    guint open_timeout_ms;
    gint64 open_deadline;
    char *connect_error;
    GSource *open_timer;
    GSource *retry_timer;
    GSource *user_cancel;
};

static void vb_qemu_monitor_pump(VbQemuMonitor *mon);
static void vb_qemu_monitor_read(VbQemuMonitor *mon);
static void vb_qemu_monitor_connect(VbQemuMonitor *mon);

/* ---- JSON helpers ---- */

/* json-glib member lookup with a type check: does not block */
JsonObject *
vb_qemu_json_object(JsonObject *obj, const char *member)
{
    JsonNode *node = obj != NULL ? json_object_get_member(obj, member) : NULL;

    return node != NULL && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
}

/* the same for an array member */
JsonArray *
vb_qemu_json_array(JsonObject *obj, const char *member)
{
    JsonNode *node = obj != NULL ? json_object_get_member(obj, member) : NULL;

    return node != NULL && JSON_NODE_HOLDS_ARRAY(node) ? json_node_get_array(node) : NULL;
}

/* the same for a string member */
const char *
vb_qemu_json_string(JsonObject *obj, const char *member)
{
    JsonNode *node = obj != NULL ? json_object_get_member(obj, member) : NULL;

    if (node == NULL || json_node_get_value_type(node) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(node);
}

/* the same for an integer member */
gboolean
vb_qemu_json_int(JsonObject *obj, const char *member, gint64 *value)
{
    JsonNode *node = obj != NULL ? json_object_get_member(obj, member) : NULL;

    if (node == NULL || json_node_get_value_type(node) != G_TYPE_INT64)
        return FALSE;
    *value = json_node_get_int(node);
    return TRUE;
}

/* the same for a boolean member */
gboolean
vb_qemu_json_bool(JsonObject *obj, const char *member, gboolean fallback)
{
    JsonNode *node = obj != NULL ? json_object_get_member(obj, member) : NULL;

    if (node == NULL || json_node_get_value_type(node) != G_TYPE_BOOLEAN)
        return fallback;
    return json_node_get_boolean(node);
}

/* ---- lifetime ---- */

static VbQemuMonitor *
vb_qemu_monitor_ref(VbQemuMonitor *mon)
{
    mon->ref++;
    return mon;
}

static void
vb_qemu_monitor_clear_source(GSource **source)
{
    if (*source == NULL)
        return;
    g_source_destroy(*source);
    g_clear_pointer(source, g_source_unref);
}

static void
vb_qemu_command_data_free(gpointer data)
{
    VbQemuCommandData *cd = data;

    g_free(cd->execute);
    g_free(cd->error_class);
    g_free(cd);
}

static void
vb_qemu_command_free(VbQemuCommand *cmd)
{
    vb_qemu_monitor_clear_source(&cmd->timeout);
    g_clear_pointer(&cmd->line, g_bytes_unref);
    g_clear_object(&cmd->task);
    if (cmd->fd >= 0)
        close(cmd->fd);
    g_free(cmd);
}

static void
vb_qemu_monitor_unref(VbQemuMonitor *mon)
{
    if (--mon->ref > 0)
        return;
    /* every pending I/O held a reference, so nothing uses the stream any more */
    if (mon->stream != NULL)
        g_io_stream_close(mon->stream, NULL, NULL);
    g_clear_object(&mon->stream);
    g_clear_object(&mon->cancellable);
    g_clear_pointer(&mon->writing, g_bytes_unref);
    g_clear_pointer(&mon->inbuf, g_byte_array_unref);
    g_clear_object(&mon->parser);
    g_clear_pointer(&mon->abandoned, g_hash_table_unref);
    g_main_context_unref(mon->context);
    g_free(mon->readbuf);
    g_free(mon->path);
    g_free(mon->connect_error);
    g_free(mon);
}

/* stops I/O and fails every pending command with @error; callbacks of those
 * commands may run (and re-enter) from here */
static void
vb_qemu_monitor_shutdown(VbQemuMonitor *mon, const GError *error)
{
    GQueue pending = G_QUEUE_INIT;
    VbQemuCommand *cmd;

    if (mon->closed)
        return;
    mon->closed = TRUE;
    vb_qemu_monitor_ref(mon);
    g_cancellable_cancel(mon->cancellable);
    vb_qemu_monitor_clear_source(&mon->open_timer);
    vb_qemu_monitor_clear_source(&mon->retry_timer);
    vb_qemu_monitor_clear_source(&mon->user_cancel);
    vb_qemu_monitor_clear_source(&mon->fd_retry);

    if (mon->inflight != NULL)
        g_queue_push_tail(&pending, g_steal_pointer(&mon->inflight));
    while ((cmd = g_queue_pop_head(&mon->queue)) != NULL)
        g_queue_push_tail(&pending, cmd);
    while ((cmd = g_queue_pop_head(&pending)) != NULL) {
        vb_qemu_monitor_clear_source(&cmd->timeout);
        g_task_return_error(cmd->task, g_error_copy(error));
        vb_qemu_command_free(cmd);
    }
    vb_qemu_monitor_unref(mon);
}

/* fails the open task with @error (taken) and drops the owner's reference */
static void
vb_qemu_monitor_open_fail(VbQemuMonitor *mon, GError *error)
{
    g_autoptr(GTask) task = g_steal_pointer(&mon->open_task);
    g_autoptr(GError) closed = NULL;

    vb_error_set(&closed, VB_ERROR_OPERATION_FAILED, "monitor closed");
    vb_qemu_monitor_shutdown(mon, closed);
    g_task_return_error(task, error);
    vb_qemu_monitor_unref(mon);
}

static void
vb_qemu_monitor_open_succeed(VbQemuMonitor *mon)
{
    g_autoptr(GTask) task = g_steal_pointer(&mon->open_task);

    vb_qemu_monitor_clear_source(&mon->open_timer);
    vb_qemu_monitor_clear_source(&mon->retry_timer);
    vb_qemu_monitor_clear_source(&mon->user_cancel);
    g_task_return_pointer(task, mon, (GDestroyNotify)vb_qemu_monitor_free);
}

/* the connection is gone (EOF, I/O or protocol error): fail what is pending, then
 * tell the owner, or fail the open */
static void
vb_qemu_monitor_lost(VbQemuMonitor *mon, const char *why)
{
    g_autoptr(GError) error = NULL;

    if (mon->closed)
        return;
    vb_error_set(&error, VB_ERROR_OPERATION_FAILED, "monitor closed: %s", why);
    if (mon->open_task != NULL) {
        vb_qemu_monitor_open_fail(mon, g_steal_pointer(&error));
        return;
    }
    vb_qemu_monitor_shutdown(mon, error);
    if (mon->callbacks.closed != NULL)
        mon->callbacks.closed(mon, error, mon->callbacks_data);
}

/* ---- commands ---- */

static gboolean
vb_qemu_monitor_command_timeout(gpointer data)
{
    VbQemuCommand *cmd = data;
    VbQemuMonitor *mon = vb_qemu_monitor_ref(cmd->mon);
    VbQemuCommandData *cd = g_task_get_task_data(cmd->task);
    GError *error = NULL;

    if (cmd == mon->inflight) {
        /* QEMU may still answer: remember the id so the answer is dropped */
        mon->inflight = NULL;
        g_hash_table_add(mon->abandoned, g_memdup2(&cmd->id, sizeof(cmd->id)));
    } else {
        g_queue_remove(&mon->queue, cmd);
    }
    vb_error_set(&error, VB_ERROR_OPERATION_TIMEOUT,
                 "QEMU monitor did not answer '%s' within %u ms", cd->execute, cmd->timeout_ms);
    vb_qemu_monitor_pump(mon);
    g_task_return_error(cmd->task, error);
    vb_qemu_command_free(cmd);
    vb_qemu_monitor_unref(mon);
    return G_SOURCE_REMOVE;
}

/* qemuMonitorJSONCommand without the wait: queues and returns at once */
void
vb_qemu_monitor_command(VbQemuMonitor *mon, const char *execute, JsonNode *arguments,
                        guint timeout_ms, GAsyncReadyCallback callback, gpointer user_data)
{
    vb_qemu_monitor_command_with_fd(mon, execute, arguments, -1, timeout_ms, callback, user_data);
}

/* qemuMonitorJSONCommandWithFd without the wait: queues and returns at once */
void
vb_qemu_monitor_command_with_fd(VbQemuMonitor *mon, const char *execute, JsonNode *arguments,
                                int fd, guint timeout_ms, GAsyncReadyCallback callback,
                                gpointer user_data)
{
    g_autoptr(JsonNode) args = arguments;
    g_autoptr(GTask) task = NULL;
    g_autoptr(JsonObject) request = NULL;
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *text = NULL;
    VbQemuCommandData *cd;
    VbQemuCommand *cmd;
    gsize len;

    g_return_if_fail(mon != NULL && execute != NULL);
    task = g_task_new(NULL, NULL, callback, user_data);
    cd = g_new0(VbQemuCommandData, 1);
    cd->execute = g_strdup(execute);
    g_task_set_task_data(task, cd, vb_qemu_command_data_free);
    g_task_set_source_tag(task, vb_qemu_monitor_command);
    if (mon->closed) {
        g_task_return_new_error(task, VB_ERROR, VB_ERROR_OPERATION_FAILED,
                                "operation failed: monitor closed");
        return;
    }
    if (args != NULL && !JSON_NODE_HOLDS_OBJECT(args)) {
        g_task_return_new_error(task, VB_ERROR, VB_ERROR_INTERNAL,
                                "internal error: arguments of QEMU command '%s' are not an object",
                                execute);
        return;
    }
    if (fd >= 0 && !G_IS_SOCKET_CONNECTION(mon->stream)) {
        g_task_return_new_error(task, VB_ERROR, VB_ERROR_INTERNAL,
                                "internal error: cannot pass a file descriptor to QEMU command "
                                "'%s' over this monitor",
                                execute);
        return;
    }

    cmd = g_new0(VbQemuCommand, 1);
    cmd->mon = mon;
    cmd->fd = -1;
    if (fd >= 0 && (cmd->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) < 0) {
        int err = errno;

        g_free(cmd);
        g_task_return_new_error(task, VB_ERROR, VB_ERROR_INTERNAL,
                                "internal error: cannot duplicate a descriptor for QEMU command "
                                "'%s': %s",
                                execute, g_strerror(err));
        return;
    }
    cmd->id = mon->next_id++;
    cmd->timeout_ms = timeout_ms != 0 ? timeout_ms : VB_QEMU_MONITOR_DEFAULT_TIMEOUT_MS;
    cmd->task = g_steal_pointer(&task);

    request = json_object_new();
    json_object_set_string_member(request, "execute", execute);
    if (args != NULL)
        json_object_set_member(request, "arguments", g_steal_pointer(&args));
    json_object_set_int_member(request, "id", cmd->id);
    root = json_node_init_object(json_node_alloc(), request);
    text = json_to_string(root, FALSE);
    len = strlen(text);
    cmd->line = g_bytes_new_take(g_strconcat(text, "\n", NULL), len + 1);

    cmd->timeout = g_timeout_source_new(cmd->timeout_ms);
    g_source_set_callback(cmd->timeout, vb_qemu_monitor_command_timeout, cmd, NULL);
    g_source_set_static_name(cmd->timeout, "vb-qemu-monitor-command-timeout");
    g_source_attach(cmd->timeout, mon->context);

    g_queue_push_tail(&mon->queue, cmd);
    vb_qemu_monitor_pump(mon);
}

/* the end of vb_qemu_monitor_command: does not block */
JsonNode *
vb_qemu_monitor_command_finish(GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
    return g_task_propagate_pointer(G_TASK(result), error);
}

/* qemuMonitorJSONHasError's class: does not block */
const char *
vb_qemu_monitor_error_class(GAsyncResult *result)
{
    VbQemuCommandData *cd;

    g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
    cd = g_task_get_task_data(G_TASK(result));
    return cd != NULL ? cd->error_class : NULL;
}

/* a QEMU that died with unread input resets the connection: that is its end too */
static gboolean
vb_qemu_monitor_is_eof(const GError *error)
{
    return g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
           g_error_matches(error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
}

static void
vb_qemu_monitor_written(GObject *source, GAsyncResult *result, gpointer data)
{
    VbQemuMonitor *mon = data;
    g_autoptr(GError) error = NULL;
    gboolean ok = g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, NULL, &error);

    g_clear_pointer(&mon->writing, g_bytes_unref);
    if (!mon->closed) {
        if (!ok && vb_qemu_monitor_is_eof(error)) {
            vb_qemu_monitor_lost(mon, "end of file from QEMU monitor");
        } else if (!ok) {
            g_autofree char *why =
                g_strdup_printf("cannot write to QEMU monitor: %s", error->message);

            vb_qemu_monitor_lost(mon, why);
        } else {
            vb_qemu_monitor_pump(mon);
        }
    }
    vb_qemu_monitor_unref(mon);
}

static gboolean
vb_qemu_monitor_fd_retry(GSocket *socket, GIOCondition condition, gpointer data)
{
    VbQemuMonitor *mon = data;

    g_clear_pointer(&mon->fd_retry, g_source_unref);
    vb_qemu_monitor_pump(mon);
    return G_SOURCE_REMOVE;
}

/* sends the start of @cmd's line with its descriptor in one SCM_RIGHTS message, as
 * qemu takes a descriptor from the read that brought it; the rest of the line follows
 * on the stream. FALSE: wait for the socket (mon->fd_retry) or the monitor is lost */
static gboolean
vb_qemu_monitor_send_fd(VbQemuMonitor *mon, VbQemuCommand *cmd, gsize *sent)
{
    GSocket *socket = g_socket_connection_get_socket(G_SOCKET_CONNECTION(mon->stream));
    g_autoptr(GSocketControlMessage) msg = NULL;
    g_autoptr(GError) error = NULL;
    GOutputVector vec;
    gssize n;

    msg = g_unix_fd_message_new();
    if (!g_unix_fd_message_append_fd(G_UNIX_FD_MESSAGE(msg), cmd->fd, &error)) {
        g_autofree char *why = g_strdup_printf("cannot pass a descriptor: %s", error->message);

        vb_qemu_monitor_lost(mon, why);
        return FALSE;
    }
    vec.buffer = g_bytes_get_data(cmd->line, &vec.size);
    n = g_socket_send_message(socket, NULL, &vec, 1, &msg, 1, 0, NULL, &error);
    if (n < 0 && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
        mon->fd_retry = g_socket_create_source(socket, G_IO_OUT, NULL);
        g_source_set_callback(mon->fd_retry, G_SOURCE_FUNC(vb_qemu_monitor_fd_retry), mon, NULL);
        g_source_attach(mon->fd_retry, mon->context);
        return FALSE;
    }
    if (n < 0) {
        g_autofree char *why = g_strdup_printf("cannot write to QEMU monitor: %s", error->message);

        vb_qemu_monitor_lost(mon, why);
        return FALSE;
    }
    close(cmd->fd);
    cmd->fd = -1;
    *sent = n;
    return TRUE;
}

/* sends the next queued command once the previous one is answered (or abandoned) */
static void
vb_qemu_monitor_pump(VbQemuMonitor *mon)
{
    VbQemuCommand *cmd;
    gsize len, sent = 0;
    const guint8 *bytes;

    if (mon->closed || mon->stream == NULL || mon->inflight != NULL || mon->writing != NULL ||
        mon->fd_retry != NULL)
        return;
    cmd = g_queue_peek_head(&mon->queue);
    if (cmd == NULL)
        return;
    if (cmd->fd >= 0 && !vb_qemu_monitor_send_fd(mon, cmd, &sent))
        return;
    g_queue_pop_head(&mon->queue);
    mon->inflight = cmd;
    mon->writing = g_bytes_ref(cmd->line);
    bytes = g_bytes_get_data(mon->writing, &len);
    g_output_stream_write_all_async(g_io_stream_get_output_stream(mon->stream), bytes + sent,
                                    len - sent, G_PRIORITY_DEFAULT, mon->cancellable,
                                    vb_qemu_monitor_written, vb_qemu_monitor_ref(mon));
}

static void
vb_qemu_monitor_complete(VbQemuMonitor *mon, VbQemuCommand *cmd, JsonObject *answer)
{
    VbQemuCommandData *cd = g_task_get_task_data(cmd->task);
    JsonObject *qerror = vb_qemu_json_object(answer, "error");

    vb_qemu_monitor_clear_source(&cmd->timeout);
    vb_qemu_monitor_pump(mon);
    if (qerror != NULL || !json_object_has_member(answer, "return")) {
        const char *klass = vb_qemu_json_string(qerror, "class");
        const char *desc = vb_qemu_json_string(qerror, "desc");
        GError *error = NULL;

        cd->error_class = g_strdup(klass != NULL ? klass : "GenericError");
        vb_error_set(&error, VB_ERROR_INTERNAL, "unable to execute QEMU command '%s': %s",
                     cd->execute, desc != NULL ? desc : "unknown error");
        g_task_return_error(cmd->task, error);
    } else {
        g_task_return_pointer(cmd->task, json_node_copy(json_object_get_member(answer, "return")),
                              (GDestroyNotify)json_node_unref);
    }
    vb_qemu_command_free(cmd);
}

static void
vb_qemu_monitor_answer(VbQemuMonitor *mon, JsonObject *answer)
{
    VbQemuCommand *cmd = mon->inflight;
    gint64 id = 0;
    gboolean has_id = vb_qemu_json_int(answer, "id", &id);

    if (cmd != NULL && (!has_id || id == cmd->id)) {
        mon->inflight = NULL;
        vb_qemu_monitor_complete(mon, cmd, answer);
    } else if (has_id && g_hash_table_remove(mon->abandoned, &id)) {
        g_debug("dropping the late answer to QMP command %" G_GINT64_FORMAT, id);
    } else {
        g_debug("dropping an unexpected QMP answer");
    }
}

static void
vb_qemu_monitor_capabilities_done(GObject *source, GAsyncResult *result, gpointer data)
{
    VbQemuMonitor *mon = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) ret = vb_qemu_monitor_command_finish(result, &error);

    if (mon->open_task != NULL) {
        if (ret == NULL)
            vb_qemu_monitor_open_fail(mon, g_steal_pointer(&error));
        else
            vb_qemu_monitor_open_succeed(mon);
    }
    vb_qemu_monitor_unref(mon);
}

static void
vb_qemu_monitor_greeting(VbQemuMonitor *mon, JsonObject *msg)
{
    JsonObject *qmp = vb_qemu_json_object(msg, "QMP");
    JsonObject *qemu = vb_qemu_json_object(vb_qemu_json_object(qmp, "version"), "qemu");
    gint64 major = 0, minor = 0, micro = 0;

    if (qmp == NULL) {
        vb_qemu_monitor_lost(mon, "QEMU monitor sent no QMP greeting");
        return;
    }
    mon->greeted = TRUE;
    if (vb_qemu_json_int(qemu, "major", &major) && vb_qemu_json_int(qemu, "minor", &minor) &&
        vb_qemu_json_int(qemu, "micro", &micro))
        mon->version = major * 1000000 + minor * 1000 + micro;
    vb_qemu_monitor_command(mon, "qmp_capabilities", NULL, mon->open_timeout_ms,
                            vb_qemu_monitor_capabilities_done, vb_qemu_monitor_ref(mon));
}

static void
vb_qemu_monitor_dispatch(VbQemuMonitor *mon, const char *line, gsize len)
{
    g_autoptr(GError) error = NULL;
    JsonNode *root;
    JsonObject *msg;
    const char *event;

    if (!json_parser_load_from_data(mon->parser, line, len, &error)) {
        g_debug("ignoring a malformed QMP message: %s", error->message);
        return;
    }
    root = json_parser_get_root(mon->parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
        return;
    msg = json_node_get_object(root);
    if (!mon->greeted) {
        vb_qemu_monitor_greeting(mon, msg);
        return;
    }
    event = vb_qemu_json_string(msg, "event");
    if (event != NULL) {
        JsonObject *data = vb_qemu_json_object(msg, "data");
        g_autoptr(JsonObject) empty = data == NULL ? json_object_new() : NULL;

        if (mon->callbacks.event != NULL)
            mon->callbacks.event(mon, event, data != NULL ? data : empty, mon->callbacks_data);
        return;
    }
    if (json_object_has_member(msg, "return") || json_object_has_member(msg, "error"))
        vb_qemu_monitor_answer(mon, msg);
}

static void
vb_qemu_monitor_process(VbQemuMonitor *mon)
{
    gsize start = 0;

    while (!mon->closed) {
        const guint8 *data = mon->inbuf->data + start;
        const guint8 *nl = memchr(data, '\n', mon->inbuf->len - start);

        if (nl == NULL)
            break;
        vb_qemu_monitor_dispatch(mon, (const char *)data, nl - data);
        start += nl - data + 1;
    }
    if (mon->closed)
        return;
    g_byte_array_remove_range(mon->inbuf, 0, start);
    if (mon->inbuf->len > VB_QEMU_MONITOR_LINE_MAX)
        vb_qemu_monitor_lost(mon, "QEMU monitor sent an oversized message");
}

static void
vb_qemu_monitor_read_done(GObject *source, GAsyncResult *result, gpointer data)
{
    VbQemuMonitor *mon = data;
    g_autoptr(GError) error = NULL;
    gssize n = g_input_stream_read_finish(G_INPUT_STREAM(source), result, &error);

    if (mon->closed) {
        vb_qemu_monitor_unref(mon);
        return;
    }
    if (n < 0 && !vb_qemu_monitor_is_eof(error)) {
        g_autofree char *why = g_strdup_printf("cannot read from QEMU monitor: %s", error->message);

        vb_qemu_monitor_lost(mon, why);
    } else if (n <= 0) {
        vb_qemu_monitor_lost(mon, "end of file from QEMU monitor");
    } else {
        g_byte_array_append(mon->inbuf, mon->readbuf, n);
        vb_qemu_monitor_process(mon);
        if (!mon->closed)
            vb_qemu_monitor_read(mon);
    }
    vb_qemu_monitor_unref(mon);
}

static void
vb_qemu_monitor_read(VbQemuMonitor *mon)
{
    g_input_stream_read_async(g_io_stream_get_input_stream(mon->stream), mon->readbuf,
                              VB_QEMU_MONITOR_READ_SIZE, G_PRIORITY_DEFAULT, mon->cancellable,
                              vb_qemu_monitor_read_done, vb_qemu_monitor_ref(mon));
}

/* ---- opening ---- */

static gboolean
vb_qemu_monitor_open_timeout(gpointer data)
{
    VbQemuMonitor *mon = data;
    GError *error = NULL;

    if (mon->path != NULL && mon->stream == NULL)
        vb_error_set(&error, VB_ERROR_OPERATION_TIMEOUT,
                     "QEMU monitor socket '%s' did not accept a connection within %u ms%s%s",
                     mon->path, mon->open_timeout_ms, mon->connect_error != NULL ? ": " : "",
                     mon->connect_error != NULL ? mon->connect_error : "");
    else
        vb_error_set(&error, VB_ERROR_OPERATION_TIMEOUT,
                     "QEMU monitor did not become ready within %u ms", mon->open_timeout_ms);
    vb_qemu_monitor_open_fail(mon, error);
    return G_SOURCE_REMOVE;
}

static gboolean
vb_qemu_monitor_open_cancelled(GCancellable *cancellable, gpointer data)
{
    VbQemuMonitor *mon = data;

    vb_qemu_monitor_open_fail(
        mon, g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled"));
    return G_SOURCE_REMOVE;
}

static VbQemuMonitor *
vb_qemu_monitor_new(guint timeout_ms, const VbQemuMonitorCallbacks *callbacks,
                    gpointer callbacks_data, GCancellable *cancellable,
                    GAsyncReadyCallback callback, gpointer user_data)
{
    VbQemuMonitor *mon = g_new0(VbQemuMonitor, 1);

    mon->ref = 1;
    mon->context = g_main_context_ref_thread_default();
    mon->cancellable = g_cancellable_new();
    if (callbacks != NULL)
        mon->callbacks = *callbacks;
    mon->callbacks_data = callbacks_data;
    mon->readbuf = g_malloc(VB_QEMU_MONITOR_READ_SIZE);
    mon->inbuf = g_byte_array_new();
    mon->parser = json_parser_new();
    g_queue_init(&mon->queue);
    mon->abandoned = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    mon->next_id = 1;
    mon->open_timeout_ms = timeout_ms != 0 ? timeout_ms : VB_QEMU_MONITOR_DEFAULT_TIMEOUT_MS;
    mon->open_deadline = g_get_monotonic_time() + (gint64)mon->open_timeout_ms * 1000;

    mon->open_task = g_task_new(NULL, cancellable, callback, user_data);
    g_task_set_source_tag(mon->open_task, vb_qemu_monitor_open_async);
    mon->open_timer = g_timeout_source_new(mon->open_timeout_ms);
    g_source_set_callback(mon->open_timer, vb_qemu_monitor_open_timeout, mon, NULL);
    g_source_set_static_name(mon->open_timer, "vb-qemu-monitor-open-timeout");
    g_source_attach(mon->open_timer, mon->context);
    if (cancellable != NULL) {
        /* a source rather than a handler: cancelling from another thread is safe */
        mon->user_cancel = g_cancellable_source_new(cancellable);
        g_source_set_callback(mon->user_cancel, G_SOURCE_FUNC(vb_qemu_monitor_open_cancelled), mon,
                              NULL);
        g_source_attach(mon->user_cancel, mon->context);
    }
    return mon;
}

static gboolean
vb_qemu_monitor_retry(gpointer data)
{
    VbQemuMonitor *mon = data;

    g_clear_pointer(&mon->retry_timer, g_source_unref);
    vb_qemu_monitor_connect(mon);
    return G_SOURCE_REMOVE;
}

/* unix sockets connect at once or not at all: no need for an asynchronous connect */
static void
vb_qemu_monitor_connect(VbQemuMonitor *mon)
{
    g_autoptr(GSocketAddress) address = g_unix_socket_address_new(mon->path);
    g_autoptr(GSocket) socket = NULL;
    g_autoptr(GError) error = NULL;

    socket =
        g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, &error);
    if (socket != NULL) {
        g_socket_set_blocking(socket, FALSE);
        if (g_socket_connect(socket, address, NULL, &error)) {
            mon->stream = G_IO_STREAM(g_socket_connection_factory_create_connection(socket));
            vb_qemu_monitor_read(mon);
            return;
        }
    }
    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
        g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
        g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK) ||
        g_error_matches(error, G_IO_ERROR, G_IO_ERROR_PENDING)) {
        /* QEMU has not created or bound the socket yet, or its backlog is full: the
         * open timer bounds the retries */
        g_free(mon->connect_error);
        mon->connect_error = g_strdup(error->message);
        mon->retry_timer = g_timeout_source_new(VB_QEMU_MONITOR_RETRY_MS);
        g_source_set_callback(mon->retry_timer, vb_qemu_monitor_retry, mon, NULL);
        g_source_attach(mon->retry_timer, mon->context);
        return;
    }
    vb_qemu_monitor_open_fail(mon, g_error_new(VB_ERROR, VB_ERROR_OPERATION_FAILED,
                                               "operation failed: failed to connect to monitor "
                                               "socket '%s': %s",
                                               mon->path, error->message));
}

/* qemuMonitorOpen without waiting: does not block */
void
vb_qemu_monitor_open_async(const char *socket_path, guint timeout_ms,
                           const VbQemuMonitorCallbacks *callbacks, gpointer callbacks_data,
                           GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data)
{
    VbQemuMonitor *mon;

    g_return_if_fail(socket_path != NULL);
    mon = vb_qemu_monitor_new(timeout_ms, callbacks, callbacks_data, cancellable, callback,
                              user_data);
    mon->path = g_strdup(socket_path);
    vb_qemu_monitor_connect(mon);
}

/* the same on a connected stream: does not block */
void
vb_qemu_monitor_open_stream_async(GIOStream *stream, guint timeout_ms,
                                  const VbQemuMonitorCallbacks *callbacks, gpointer callbacks_data,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data)
{
    VbQemuMonitor *mon;

    g_return_if_fail(G_IS_IO_STREAM(stream));
    mon = vb_qemu_monitor_new(timeout_ms, callbacks, callbacks_data, cancellable, callback,
                              user_data);
    mon->stream = g_object_ref(stream);
    vb_qemu_monitor_read(mon);
}

/* the end of vb_qemu_monitor_open_async: does not block */
VbQemuMonitor *
vb_qemu_monitor_open_finish(GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
    return g_task_propagate_pointer(G_TASK(result), error);
}

/* the greeting's version: does not block */
guint
vb_qemu_monitor_get_version(const VbQemuMonitor *mon)
{
    return mon->version;
}

/* does not block */
gboolean
vb_qemu_monitor_is_open(const VbQemuMonitor *mon)
{
    return !mon->closed;
}

/* qemuMonitorClose: does not block */
void
vb_qemu_monitor_close(VbQemuMonitor *mon)
{
    g_autoptr(GError) error = NULL;

    vb_error_set(&error, VB_ERROR_OPERATION_FAILED, "monitor closed");
    vb_qemu_monitor_shutdown(mon, error);
}

/* qemuMonitorClose + unref: does not block */
void
vb_qemu_monitor_free(VbQemuMonitor *mon)
{
    if (mon == NULL)
        return;
    vb_qemu_monitor_close(mon);
    vb_qemu_monitor_unref(mon);
}
