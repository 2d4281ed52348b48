/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* an asynchronous QMP client on the main loop. a monitor belongs to the thread-default
 * main context it was opened in: every callback and completion runs there, and it is
 * not thread-safe. commands are queued and sent one at a time, each with a timeout;
 * the answer of a command that timed out is recognised by its id and dropped. */

#define VB_QEMU_MONITOR_DEFAULT_TIMEOUT_MS 30000

typedef struct _VbQemuMonitor VbQemuMonitor;

typedef struct {
    /* an asynchronous QMP event; @data is borrowed and never NULL (an empty object when
     * QEMU sent none) */
    void (*event)(VbQemuMonitor *mon, const char *name, JsonObject *data, gpointer user_data);
    /* end of file or an I/O error once the monitor is open; pending commands have
     * already failed. not called after vb_qemu_monitor_close() or _free() */
    void (*closed)(VbQemuMonitor *mon, const GError *error, gpointer user_data);
} VbQemuMonitorCallbacks;

/* connects to the QMP unix socket @socket_path, retrying while QEMU has not created
 * it yet, reads the greeting and negotiates capabilities, all within @timeout_ms
 * (0: the default). @callbacks is copied; both members may be NULL. does not block */
void vb_qemu_monitor_open_async(const char *socket_path, guint timeout_ms,
                                const VbQemuMonitorCallbacks *callbacks, gpointer callbacks_data,
                                GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data);
/* the same over an already connected stream (a socket, or pipes to "-qmp stdio");
 * the monitor takes a reference on @stream and closes it when freed */
void vb_qemu_monitor_open_stream_async(GIOStream *stream, guint timeout_ms,
                                       const VbQemuMonitorCallbacks *callbacks,
                                       gpointer callbacks_data, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data);
/* the open monitor, owned by the caller (vb_qemu_monitor_free), or NULL with
 * VB_ERROR_OPERATION_FAILED (connect, greeting), VB_ERROR_OPERATION_TIMEOUT, or
 * G_IO_ERROR_CANCELLED */
VbQemuMonitor *vb_qemu_monitor_open_finish(GAsyncResult *result, GError **error);

/* queues QMP command @execute with @arguments (a JSON object, taken over, may be
 * NULL); @timeout_ms (0: the default) counts from now, queueing included. does not
 * block; @callback always runs later, on the monitor's context */
void vb_qemu_monitor_command(VbQemuMonitor *mon, const char *execute, JsonNode *arguments,
                             guint timeout_ms, GAsyncReadyCallback callback, gpointer user_data);
/* the same, with @fd (the caller's; the monitor sends a duplicate) passed along the
 * command in an SCM_RIGHTS message, as "getfd" and "add-fd" need. only on a monitor
 * opened on a unix socket: else the command fails with VB_ERROR_INTERNAL */
void vb_qemu_monitor_command_with_fd(VbQemuMonitor *mon, const char *execute, JsonNode *arguments,
                                     int fd, guint timeout_ms, GAsyncReadyCallback callback,
                                     gpointer user_data);
/* the command's "return" value (owned), or NULL with:
 *   VB_ERROR_INTERNAL "internal error: unable to execute QEMU command 'X': <desc>"
 *     for a QMP error (see vb_qemu_monitor_error_class),
 *   VB_ERROR_OPERATION_TIMEOUT "Timed out during operation: QEMU monitor did not
 *     answer 'X' within N ms",
 *   VB_ERROR_OPERATION_FAILED "operation failed: monitor closed[: why]".
 * safe to call after the monitor was freed */
JsonNode *vb_qemu_monitor_command_finish(GAsyncResult *result, GError **error);
/* the QMP error class ("GenericError", "CommandNotFound", ...) of a command that
 * failed with a QMP error, else NULL; valid as long as @result */
const char *vb_qemu_monitor_error_class(GAsyncResult *result);

/* QEMU's version from the greeting: major * 1000000 + minor * 1000 + micro */
guint vb_qemu_monitor_get_version(const VbQemuMonitor *mon);
/* FALSE once closed, by EOF, an I/O error or vb_qemu_monitor_close() */
gboolean vb_qemu_monitor_is_open(const VbQemuMonitor *mon);
/* stops all I/O and fails pending commands with "monitor closed"; the closed
 * callback is not called. idempotent, may be called from any monitor callback */
void vb_qemu_monitor_close(VbQemuMonitor *mon);
/* closes and releases the owner's reference; may be called from any monitor callback */
void vb_qemu_monitor_free(VbQemuMonitor *mon);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbQemuMonitor, vb_qemu_monitor_free)

/* type-checked member access for QMP answers: NULL, FALSE or @fallback when @obj is
 * NULL, the member is missing or has another type, so lookups chain safely */
JsonObject *vb_qemu_json_object(JsonObject *obj, const char *member);
JsonArray *vb_qemu_json_array(JsonObject *obj, const char *member);
const char *vb_qemu_json_string(JsonObject *obj, const char *member);
gboolean vb_qemu_json_int(JsonObject *obj, const char *member, gint64 *value);
gboolean vb_qemu_json_bool(JsonObject *obj, const char *member, gboolean fallback);

G_END_DECLS
