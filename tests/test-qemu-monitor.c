/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-test"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu/qemu-capabilities.h"
#include "qemu/qemu-host.h"
#include "qemu/qemu-monitor.h"
#include "qemu/qemu-process.h"

/* the QEMU runtime against a real qemu-system-x86_64 under TCG (-machine none, no
 * guest): the QMP client, the capabilities probe and cache, process supervision, and
 * the host facts (the real host, then a fake /proc and /sys). asynchronous results
 * are awaited by iterating the default main context with a generous deadline. */

#define WAIT_SECONDS 30

typedef struct {
    char *dir;
    char *sock;
    char *log;
    VbQemuProcess *proc;
    VbQemuMonitor *mon;
    GPtrArray *events;
    guint closed;
    GError *closed_error;
    guint exits;
    VbQemuExit exit;
    char *exit_tail;
} Fixture;

static char *
qemu_binary(void)
{
    char *path = g_find_program_in_path("qemu-system-x86_64");

    g_assert_nonnull(path);
    return path;
}

static gboolean
expire(gpointer data)
{
    *(gboolean *)data = TRUE;
    return G_SOURCE_REMOVE;
}

/* iterates until *@done turns TRUE; fails the test after WAIT_SECONDS */
static void
wait_until(const gboolean *done)
{
    gboolean expired = FALSE;
    guint id = g_timeout_add_seconds(WAIT_SECONDS, expire, &expired);

    while (!*done && !expired)
        g_main_context_iteration(NULL, TRUE);
    if (!expired)
        g_source_remove(id);
    g_assert_true(*done);
}

static void
capture(GObject *source, GAsyncResult *result, gpointer data)
{
    GAsyncResult **slot = data;

    *slot = g_object_ref(result);
}

static GAsyncResult *
wait_result(GAsyncResult **slot)
{
    gboolean expired = FALSE;
    guint id = g_timeout_add_seconds(WAIT_SECONDS, expire, &expired);

    while (*slot == NULL && !expired)
        g_main_context_iteration(NULL, TRUE);
    if (!expired)
        g_source_remove(id);
    g_assert_nonnull(*slot);
    return *slot;
}

static void
on_event(VbQemuMonitor *mon, const char *name, JsonObject *data, gpointer user_data)
{
    Fixture *f = user_data;

    g_assert_nonnull(data);
    g_ptr_array_add(f->events, g_strdup(name));
}

static void
on_closed(VbQemuMonitor *mon, const GError *error, gpointer user_data)
{
    Fixture *f = user_data;

    f->closed++;
    g_clear_error(&f->closed_error);
    f->closed_error = g_error_copy(error);
}

static const VbQemuMonitorCallbacks callbacks = {on_event, on_closed};

static void
on_exited(VbQemuProcess *proc, const VbQemuExit *exit, gpointer user_data)
{
    Fixture *f = user_data;

    f->exits++;
    f->exit = *exit;
    g_free(f->exit_tail);
    f->exit_tail = g_strdup(exit->log_tail);
    f->exit.log_tail = f->exit_tail;
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;

    f->dir = g_dir_make_tmp("vb-qmp-XXXXXX", &error);
    g_assert_no_error(error);
    f->sock = g_build_filename(f->dir, "qmp.sock", NULL);
    f->log = g_build_filename(f->dir, "qemu.log", NULL);
    f->events = g_ptr_array_new_with_free_func(g_free);
}

static void
stop_process(VbQemuProcess *proc)
{
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    if (proc == NULL || !vb_qemu_process_is_running(proc))
        return;
    vb_qemu_process_kill_async(proc, 0, capture, &result);
    g_assert_true(vb_qemu_process_kill_finish(wait_result(&result), &error));
    g_assert_no_error(error);
}

static void
remove_tree(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
        g_autofree char *path = g_build_filename(dir, name, NULL);

        if (g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK))
            remove_tree(path);
        else
            g_unlink(path);
    }
    g_rmdir(dir);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    g_clear_pointer(&f->mon, vb_qemu_monitor_free);
    stop_process(f->proc);
    g_clear_pointer(&f->proc, vb_qemu_process_free);
    /* let cancelled I/O complete and release what it holds */
    while (g_main_context_pending(NULL))
        g_main_context_iteration(NULL, FALSE);
    remove_tree(f->dir);
    g_free(f->dir);
    g_free(f->sock);
    g_free(f->log);
    g_ptr_array_unref(f->events);
    g_clear_error(&f->closed_error);
    g_free(f->exit_tail);
}

static GPtrArray *
qemu_argv(Fixture *f, const char *extra)
{
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);

    g_ptr_array_add(argv, qemu_binary());
    for (const char *const *a =
             (const char *const[]){"-machine", "none", "-nodefaults", "-display", "none", "-S",
                                   "-no-user-config", "-accel", "tcg", "-qmp", NULL};
         *a != NULL; a++)
        g_ptr_array_add(argv, g_strdup(*a));
    g_ptr_array_add(argv, g_strdup_printf("unix:%s,server=on,wait=off", f->sock));
    if (extra != NULL)
        g_ptr_array_add(argv, g_strdup(extra));
    return argv;
}

static void
start_qemu(Fixture *f, const char *extra)
{
    g_autoptr(GPtrArray) argv = qemu_argv(f, extra);
    g_autoptr(GError) error = NULL;

    f->proc = vb_qemu_process_spawn(argv, NULL, f->log, on_exited, f, &error);
    g_assert_no_error(error);
    g_assert_nonnull(f->proc);
    g_assert_cmpint(vb_qemu_process_get_pid(f->proc), >, 0);
}

static void
open_monitor(Fixture *f)
{
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    vb_qemu_monitor_open_async(f->sock, 20000, &callbacks, f, NULL, capture, &result);
    f->mon = vb_qemu_monitor_open_finish(wait_result(&result), &error);
    g_assert_no_error(error);
    g_assert_nonnull(f->mon);
}

static JsonNode *
command(Fixture *f, const char *execute, const char *args, guint timeout_ms, GError **error)
{
    g_autoptr(GAsyncResult) result = NULL;

    vb_qemu_monitor_command(f->mon, execute, args != NULL ? json_from_string(args, NULL) : NULL,
                            timeout_ms, capture, &result);
    return vb_qemu_monitor_command_finish(wait_result(&result), error);
}

static JsonObject *
object_of(JsonNode *node)
{
    g_assert_nonnull(node);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(node));
    return json_node_get_object(node);
}

static void
wait_event(Fixture *f, const char *name)
{
    gboolean expired = FALSE;
    guint id = g_timeout_add_seconds(WAIT_SECONDS, expire, &expired);
    gboolean found = FALSE;

    while (!found && !expired) {
        for (guint i = 0; i < f->events->len && !found; i++)
            found = g_strcmp0(f->events->pdata[i], name) == 0;
        if (!found)
            g_main_context_iteration(NULL, TRUE);
    }
    if (!expired)
        g_source_remove(id);
    g_assert_true(found);
}

static void
wait_exit(Fixture *f, guint count)
{
    gboolean expired = FALSE;
    guint id = g_timeout_add_seconds(WAIT_SECONDS, expire, &expired);

    while (f->exits < count && !expired)
        g_main_context_iteration(NULL, TRUE);
    if (!expired)
        g_source_remove(id);
    g_assert_cmpuint(f->exits, ==, count);
}

/* SIGSTOP takes effect asynchronously, thread by thread: wait until every thread of
 * QEMU is stopped, so that nothing can answer any more */
static void
freeze(Fixture *f)
{
    g_autoptr(GError) error = NULL;
    pid_t pid = vb_qemu_process_get_pid(f->proc);
    gint64 deadline = g_get_monotonic_time() + WAIT_SECONDS * G_USEC_PER_SEC;
    gboolean stopped = FALSE;

    g_assert_true(vb_qemu_process_signal(f->proc, SIGSTOP, &error));
    g_assert_no_error(error);
    while (!stopped && g_get_monotonic_time() < deadline) {
        g_autoptr(GArray) tids = vb_qemu_proc_threads(pid, &error);

        g_assert_no_error(error);
        stopped = TRUE;
        for (guint i = 0; i < tids->len && stopped; i++) {
            VbQemuProcStat st;

            stopped = vb_qemu_proc_stat(pid, g_array_index(tids, pid_t, i), &st, NULL) &&
                      (st.state == 'T' || st.state == 't');
        }
        if (!stopped)
            g_usleep(1000);
    }
    g_assert_true(stopped);
}

/* ---- monitor ---- */

static void
test_monitor_basic(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) status = NULL;
    g_autoptr(JsonNode) version = NULL;
    gint64 major = 0;

    start_qemu(f, NULL);
    open_monitor(f);
    g_assert_true(vb_qemu_monitor_is_open(f->mon));
    g_assert_cmpuint(vb_qemu_monitor_get_version(f->mon), >=, 7000000);

    status = command(f, "query-status", NULL, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(vb_qemu_json_string(object_of(status), "status"), ==, "prelaunch");
    g_assert_false(vb_qemu_json_bool(object_of(status), "running", TRUE));

    version = command(f, "query-version", NULL, 5000, &error);
    g_assert_no_error(error);
    g_assert_true(
        vb_qemu_json_int(vb_qemu_json_object(object_of(version), "qemu"), "major", &major));
    g_assert_cmpint(major * 1000000, <=, vb_qemu_monitor_get_version(f->mon));
    g_assert_cmpint(major, >=, 7);
    /* the helpers tolerate absent members and wrong types */
    g_assert_null(vb_qemu_json_object(NULL, "x"));
    g_assert_null(vb_qemu_json_string(object_of(version), "qemu"));
    g_assert_null(vb_qemu_json_array(object_of(version), "package"));
    g_assert_false(vb_qemu_json_int(object_of(version), "package", &major));
}

typedef struct {
    GArray *order;
    guint expected;
    gboolean done;
} QueueState;

typedef struct {
    QueueState *state;
    guint index;
} QueueItem;

static void
queue_done(GObject *source, GAsyncResult *result, gpointer data)
{
    g_autofree QueueItem *item = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) ret = vb_qemu_monitor_command_finish(result, &error);
    JsonObject *obj;

    g_assert_no_error(error);
    obj = object_of(ret);
    /* each answer matches its own command */
    if (item->index % 2 == 0)
        g_assert_nonnull(vb_qemu_json_string(obj, "status"));
    else
        g_assert_nonnull(vb_qemu_json_object(obj, "qemu"));
    g_array_append_val(item->state->order, item->index);
    item->state->done = item->state->order->len == item->state->expected;
}

static void
test_monitor_queue(Fixture *f, gconstpointer data)
{
    QueueState state = {g_array_new(FALSE, FALSE, sizeof(guint)), 60, FALSE};

    start_qemu(f, NULL);
    open_monitor(f);
    for (guint i = 0; i < state.expected; i++) {
        QueueItem *item = g_new0(QueueItem, 1);

        item->state = &state;
        item->index = i;
        vb_qemu_monitor_command(f->mon, i % 2 == 0 ? "query-status" : "query-version", NULL, 20000,
                                queue_done, item);
    }
    wait_until(&state.done);
    for (guint i = 0; i < state.expected; i++)
        g_assert_cmpuint(g_array_index(state.order, guint, i), ==, i);
    g_array_unref(state.order);
}

static void
test_monitor_error(Fixture *f, gconstpointer data)
{
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) ok = NULL;
    JsonNode *ret;

    start_qemu(f, NULL);
    open_monitor(f);

    vb_qemu_monitor_command(f->mon, "no-such-command", NULL, 0, capture, &result);
    ret = vb_qemu_monitor_command_finish(wait_result(&result), &error);
    g_assert_null(ret);
    g_assert_error(error, VB_ERROR, VB_ERROR_INTERNAL);
    g_assert_cmpstr(error->message, ==,
                    "internal error: unable to execute QEMU command 'no-such-command': "
                    "The command no-such-command has not been found");
    g_assert_cmpstr(vb_qemu_monitor_error_class(result), ==, "CommandNotFound");
    g_clear_error(&error);
    g_clear_object(&result);

    vb_qemu_monitor_command(f->mon, "query-status", json_from_string("{\"bogus\": 1}", NULL), 0,
                            capture, &result);
    ret = vb_qemu_monitor_command_finish(wait_result(&result), &error);
    g_assert_null(ret);
    g_assert_error(error, VB_ERROR, VB_ERROR_INTERNAL);
    g_assert_nonnull(strstr(error->message, "'query-status': Parameter 'bogus' is unexpected"));
    g_assert_cmpstr(vb_qemu_monitor_error_class(result), ==, "GenericError");
    g_clear_error(&error);

    /* arguments must be an object: refused before anything is sent */
    ret = command(f, "query-status", "[1, 2]", 0, &error);
    g_assert_null(ret);
    g_assert_error(error, VB_ERROR, VB_ERROR_INTERNAL);
    g_clear_error(&error);

    /* the stream is still in step */
    ok = command(f, "query-status", NULL, 0, &error);
    g_assert_no_error(error);
    g_assert_nonnull(vb_qemu_json_string(object_of(ok), "status"));
}

static void
test_monitor_timeout(Fixture *f, gconstpointer data)
{
    g_autoptr(GAsyncResult) a = NULL;
    g_autoptr(GAsyncResult) b = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) kvm = NULL;
    g_autoptr(JsonNode) status = NULL;
    JsonNode *ret;

    start_qemu(f, NULL);
    open_monitor(f);
    freeze(f);

    /* a is sent and times out; b waits behind it, is sent then, and times out too */
    vb_qemu_monitor_command(f->mon, "query-status", NULL, 200, capture, &a);
    vb_qemu_monitor_command(f->mon, "query-version", NULL, 300, capture, &b);
    ret = vb_qemu_monitor_command_finish(wait_result(&a), &error);
    g_assert_null(ret);
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_TIMEOUT);
    g_assert_cmpstr(error->message, ==,
                    "Timed out during operation: QEMU monitor did not answer 'query-status' "
                    "within 200 ms");
    g_assert_null(vb_qemu_monitor_error_class(a));
    g_clear_error(&error);
    ret = vb_qemu_monitor_command_finish(wait_result(&b), &error);
    g_assert_null(ret);
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_TIMEOUT);
    g_clear_error(&error);
    g_assert_true(vb_qemu_monitor_is_open(f->mon));

    /* QEMU answers a and b late: those answers are dropped, not given to the next */
    g_assert_true(vb_qemu_process_signal(f->proc, SIGCONT, &error));
    kvm = command(f, "query-kvm", NULL, 20000, &error);
    g_assert_no_error(error);
    g_assert_true(json_object_has_member(object_of(kvm), "present"));
    g_assert_false(json_object_has_member(object_of(kvm), "status"));
    g_assert_false(json_object_has_member(object_of(kvm), "qemu"));
    status = command(f, "query-status", NULL, 20000, &error);
    g_assert_no_error(error);
    g_assert_nonnull(vb_qemu_json_string(object_of(status), "status"));
}

static void
test_monitor_events(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) cont = NULL;
    g_autoptr(JsonNode) stop = NULL;
    g_autoptr(JsonNode) status = NULL;

    start_qemu(f, NULL);
    open_monitor(f);
    cont = command(f, "cont", NULL, 0, &error);
    g_assert_no_error(error);
    wait_event(f, "RESUME");
    stop = command(f, "stop", NULL, 0, &error);
    g_assert_no_error(error);
    wait_event(f, "STOP");
    status = command(f, "query-status", NULL, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(vb_qemu_json_string(object_of(status), "status"), ==, "paused");
    g_assert_cmpuint(f->closed, ==, 0);
}

static void
test_monitor_eof(Fixture *f, gconstpointer data)
{
    g_autoptr(GAsyncResult) pending = NULL;
    g_autoptr(GError) error = NULL;
    JsonNode *ret;

    start_qemu(f, NULL);
    open_monitor(f);
    freeze(f);
    vb_qemu_monitor_command(f->mon, "query-status", NULL, 20000, capture, &pending);
    g_assert_true(vb_qemu_process_signal(f->proc, SIGKILL, &error));
    g_assert_no_error(error);

    ret = vb_qemu_monitor_command_finish(wait_result(&pending), &error);
    g_assert_null(ret);
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_FAILED);
    g_assert_true(g_str_has_prefix(error->message, "operation failed: monitor closed"));
    g_clear_error(&error);
    g_assert_cmpuint(f->closed, ==, 1);
    g_assert_error(f->closed_error, VB_ERROR, VB_ERROR_OPERATION_FAILED);
    g_assert_cmpstr(f->closed_error->message, ==,
                    "operation failed: monitor closed: end of file from QEMU monitor");
    g_assert_false(vb_qemu_monitor_is_open(f->mon));

    ret = command(f, "query-status", NULL, 0, &error);
    g_assert_null(ret);
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_FAILED);

    wait_exit(f, 1);
    g_assert_true(f->exit.known);
    g_assert_true(f->exit.signaled);
    g_assert_cmpint(f->exit.code, ==, SIGKILL);
    g_assert_cmpuint(f->closed, ==, 1);
}

static void
free_in_callback(GObject *source, GAsyncResult *result, gpointer data)
{
    Fixture *f = data;
    g_autoptr(JsonNode) ret = vb_qemu_monitor_command_finish(result, NULL);

    g_assert_nonnull(ret);
    g_clear_pointer(&f->mon, vb_qemu_monitor_free);
}

static void
test_monitor_close(Fixture *f, gconstpointer data)
{
    g_autoptr(GAsyncResult) pending = NULL;
    g_autoptr(GAsyncResult) second = NULL;
    g_autoptr(GError) error = NULL;
    JsonNode *ret;

    start_qemu(f, NULL);
    open_monitor(f);

    /* freeing with a command in flight fails it; closed is not reported */
    freeze(f);
    vb_qemu_monitor_command(f->mon, "query-status", NULL, 20000, capture, &pending);
    g_clear_pointer(&f->mon, vb_qemu_monitor_free);
    ret = vb_qemu_monitor_command_finish(wait_result(&pending), &error);
    g_assert_null(ret);
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_FAILED);
    g_assert_cmpstr(error->message, ==, "operation failed: monitor closed");
    g_clear_error(&error);
    g_assert_true(vb_qemu_process_signal(f->proc, SIGCONT, &error));

    /* a monitor freed from a command's callback fails the next command */
    open_monitor(f);
    vb_qemu_monitor_command(f->mon, "query-status", NULL, 20000, free_in_callback, f);
    vb_qemu_monitor_command(f->mon, "query-version", NULL, 20000, capture, &second);
    ret = vb_qemu_monitor_command_finish(wait_result(&second), &error);
    g_assert_null(ret);
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_FAILED);
    g_assert_null(f->mon);
    g_assert_cmpuint(f->closed, ==, 0);
}

static void
test_monitor_open_errors(Fixture *f, gconstpointer data)
{
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GCancellable) cancellable = g_cancellable_new();
    g_autoptr(GError) error = NULL;
    VbQemuMonitor *mon;

    /* nobody ever creates the socket */
    vb_qemu_monitor_open_async(f->sock, 300, &callbacks, f, NULL, capture, &result);
    mon = vb_qemu_monitor_open_finish(wait_result(&result), &error);
    g_assert_null(mon);
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_TIMEOUT);
    g_assert_nonnull(strstr(error->message, "did not accept a connection within 300 ms"));
    g_clear_error(&error);
    g_clear_object(&result);

    vb_qemu_monitor_open_async(f->sock, 20000, &callbacks, f, cancellable, capture, &result);
    g_cancellable_cancel(cancellable);
    mon = vb_qemu_monitor_open_finish(wait_result(&result), &error);
    g_assert_null(mon);
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_cmpuint(f->closed, ==, 0);
}

/* ---- capabilities ---- */

static void
write_script(const char *path, const char *text)
{
    g_autoptr(GError) error = NULL;

    g_file_set_contents(path, text, -1, &error);
    g_assert_no_error(error);
    g_assert_cmpint(g_chmod(path, 0755), ==, 0);
}

static void
set_mtime(const char *path, time_t when)
{
    struct timespec times[2] = {{when, 0}, {when, 0}};

    g_assert_cmpint(utimensat(AT_FDCWD, path, times, 0), ==, 0);
}

static void
test_caps_probe(Fixture *f, gconstpointer data)
{
    g_autofree char *binary = qemu_binary();
    g_autofree char *wrapper = g_build_filename(f->dir, "qemu-system-x86_64", NULL);
    g_autofree char *failing = g_build_filename(f->dir, "qemu-system-i386", NULL);
    g_autofree char *script = g_strdup_printf("#!/bin/sh\nexec %s \"$@\"\n", binary);
    g_autoptr(VbQemuCaps) caps = NULL;
    g_autoptr(VbQemuCaps) again = NULL;
    g_autoptr(VbQemuCaps) async = NULL;
    g_autoptr(VbQemuCaps) wrapped = NULL;
    g_autoptr(VbQemuCaps) touched1 = NULL;
    g_autoptr(VbQemuCaps) touched2 = NULL;
    g_autoptr(GAsyncResult) r1 = NULL;
    g_autoptr(GAsyncResult) r2 = NULL;
    g_autoptr(GError) error = NULL;
    const VbQemuMachine *pc, *q35, *def;

    vb_qemu_caps_cache_clear();
    caps = vb_qemu_caps_get(binary, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(caps->binary, ==, binary);
    g_assert_cmpuint(caps->version, >=, 7000000);
    g_assert_cmpstr(caps->arch, ==, "x86_64");
    g_assert_cmpuint(caps->wordsize, ==, 64);
    g_assert_true(caps->tcg);
    pc = vb_qemu_caps_find_machine(caps, "pc");
    q35 = vb_qemu_caps_find_machine(caps, "q35");
    g_assert_nonnull(pc);
    g_assert_nonnull(q35);
    g_assert_true(g_str_has_prefix(pc->name, "pc-i440fx-"));
    g_assert_true(g_str_has_prefix(q35->name, "pc-q35-"));
    g_assert_cmpuint(q35->max_cpus, >, 1);
    def = vb_qemu_caps_default_machine(caps);
    g_assert_nonnull(def);
    g_assert_true(vb_qemu_caps_find_machine(caps, "none") != NULL);
    g_assert_null(vb_qemu_caps_find_machine(caps, "no-such-machine"));
    g_assert_true(vb_qemu_caps_has_cpu_model(caps, "qemu64"));
    g_assert_false(vb_qemu_caps_has_cpu_model(caps, "no-such-cpu"));
    g_test_message("qemu %u (%s) kvm=%d present=%d sandbox=%d, %u machines, %u cpu models",
                   caps->version, caps->package, caps->kvm, caps->kvm_present, caps->sandbox,
                   caps->machines->len, g_strv_length(caps->cpu_models));

    /* an unchanged binary comes from the cache, sync or async, by name or path */
    again = vb_qemu_caps_get("qemu-system-x86_64", &error);
    g_assert_no_error(error);
    g_assert_true(again == caps);
    vb_qemu_caps_get_async(binary, NULL, capture, &r1);
    async = vb_qemu_caps_get_finish(wait_result(&r1), &error);
    g_assert_no_error(error);
    g_assert_true(async == caps);
    g_clear_object(&r1);

    /* another path is probed on its own */
    write_script(wrapper, script);
    wrapped = vb_qemu_caps_get(wrapper, &error);
    g_assert_no_error(error);
    g_assert_true(wrapped != caps);
    g_assert_cmpstr(wrapped->binary, ==, wrapper);
    g_assert_cmpuint(wrapped->version, ==, caps->version);

    /* a changed binary is probed again; two requests at once share one probe */
    set_mtime(wrapper, 1000000000);
    vb_qemu_caps_get_async(wrapper, NULL, capture, &r1);
    vb_qemu_caps_get_async(wrapper, NULL, capture, &r2);
    touched1 = vb_qemu_caps_get_finish(wait_result(&r1), &error);
    g_assert_no_error(error);
    touched2 = vb_qemu_caps_get_finish(wait_result(&r2), &error);
    g_assert_no_error(error);
    g_assert_true(touched1 != wrapped);
    g_assert_true(touched1 == touched2);
    g_assert_cmpint(touched1->mtime_ns, ==, G_GINT64_CONSTANT(1000000000) * 1000000000);

    /* failures: no binary, a binary that dies at once with a message */
    g_assert_null(vb_qemu_caps_get("/nonexistent/qemu-system-x86_64", &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_SYSTEM);
    g_clear_error(&error);
    write_script(failing, "#!/bin/sh\necho 'qemu-system-i386: broken on purpose' >&2\nexit 1\n");
    g_assert_null(vb_qemu_caps_get(failing, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_INTERNAL);
    g_assert_nonnull(strstr(error->message, "Failed to probe capabilities for"));
    g_assert_nonnull(strstr(error->message, "broken on purpose"));

    vb_qemu_caps_cache_clear();
}

static void
test_caps_document(Fixture *f, gconstpointer data)
{
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GPtrArray) all = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(VbCaps) doc = NULL;
    g_autoptr(VbCaps) parsed = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *emulator = vb_qemu_find_binary_for_arch("x86_64");
    g_autoptr(GPtrArray) binaries = vb_qemu_find_binaries();
    VbCapsGuest *guest;
    guint wordsize = 0;

    g_assert_nonnull(emulator);
    g_assert_cmpuint(binaries->len, >=, 1);
    g_assert_cmpstr(vb_qemu_arch_from_target("i386", &wordsize), ==, "i686");
    g_assert_cmpuint(wordsize, ==, 32);
    g_assert_null(vb_qemu_arch_from_target("no-such-target", NULL));

    vb_qemu_caps_probe_all_async(NULL, capture, &result);
    all = vb_qemu_caps_probe_all_finish(wait_result(&result), &error);
    g_assert_no_error(error);
    g_assert_cmpuint(all->len, ==, binaries->len);

    doc = vb_qemu_caps_build(all, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(doc->host.sockets * doc->host.cores * doc->host.threads * doc->host.dies, >=,
                     1);
    guest = vb_caps_find_guest(doc, "hvm", "x86_64");
    g_assert_nonnull(guest);
    g_assert_cmpuint(guest->wordsize, ==, 64);
    g_assert_cmpuint(guest->machines->len, >, 2);
    g_assert_cmpstr(((VbCapsDomain *)guest->domains->pdata[0])->type, ==, "qemu");

    xml = vb_caps_format(doc);
    g_test_message("%s", xml);
    g_assert_nonnull(strstr(xml, "<arch name='x86_64'>"));
    g_assert_nonnull(strstr(xml, "<domain type='qemu'"));
    g_assert_nonnull(strstr(xml, ">pc</machine>"));
    g_assert_nonnull(strstr(xml, ">q35</machine>"));
    parsed = vb_caps_parse(xml, -1, &error);
    g_assert_no_error(error);
    g_assert_nonnull(vb_caps_find_guest(parsed, "hvm", "x86_64"));
    vb_qemu_caps_cache_clear();
}

/* ---- processes ---- */

static void
test_process_exit(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) quit = NULL;
    g_autofree char *log = NULL;

    /* a bad option: exit status 1, QEMU's complaint in the tail */
    start_qemu(f, "-no-such-option");
    wait_exit(f, 1);
    g_assert_true(f->exit.known);
    g_assert_false(f->exit.signaled);
    g_assert_cmpint(f->exit.code, ==, 1);
    g_assert_nonnull(f->exit.log_tail);
    g_assert_nonnull(strstr(f->exit.log_tail, "-no-such-option"));
    /* the header line is not part of the tail */
    g_assert_null(strstr(f->exit.log_tail, "starting up"));
    g_assert_false(vb_qemu_process_is_running(f->proc));
    g_assert_false(vb_qemu_process_signal(f->proc, SIGTERM, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_INVALID);
    g_clear_error(&error);
    g_clear_pointer(&f->proc, vb_qemu_process_free);

    /* a clean quit: status 0, and the log keeps both runs */
    start_qemu(f, NULL);
    open_monitor(f);
    quit = command(f, "quit", NULL, 0, &error);
    g_assert_no_error(error);
    wait_exit(f, 2);
    g_assert_true(f->exit.known);
    g_assert_false(f->exit.signaled);
    g_assert_cmpint(f->exit.code, ==, 0);
    g_assert_null(f->exit.log_tail);
    g_file_get_contents(f->log, &log, NULL, &error);
    g_assert_no_error(error);
    g_assert_nonnull(strstr(log, "starting up virtbus"));
    g_assert_nonnull(strstr(log, "-no-such-option"));
    g_assert_nonnull(strstr(log, " -machine none "));
}

static void
test_process_spawn_errors(Fixture *f, gconstpointer data)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) error = NULL;
    g_autofree char *badlog = g_build_filename(f->dir, "no", "such", "dir.log", NULL);

    g_ptr_array_add(argv, "/nonexistent/qemu-system-x86_64");
    g_assert_null(vb_qemu_process_spawn(argv, NULL, f->log, on_exited, f, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_FAILED);
    g_assert_true(g_str_has_prefix(error->message, "operation failed: cannot execute binary "
                                                   "/nonexistent/qemu-system-x86_64: "));
    g_clear_error(&error);
    g_assert_null(vb_qemu_process_spawn(argv, NULL, badlog, on_exited, f, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_SYSTEM);
    g_clear_error(&error);
    g_ptr_array_set_size(argv, 0);
    g_ptr_array_add(argv, NULL);
    g_assert_null(vb_qemu_process_spawn(argv, NULL, f->log, on_exited, f, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_INTERNAL);
    g_assert_cmpuint(f->exits, ==, 0);
}

static void
test_process_kill(Fixture *f, gconstpointer data)
{
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    /* SIGTERM within the grace period: QEMU shuts down cleanly and says why */
    start_qemu(f, NULL);
    open_monitor(f);
    vb_qemu_process_kill_async(f->proc, 20000, capture, &result);
    g_assert_true(vb_qemu_process_kill_finish(wait_result(&result), &error));
    g_assert_no_error(error);
    g_assert_cmpuint(f->exits, ==, 1);
    g_assert_false(f->exit.signaled);
    g_assert_cmpint(f->exit.code, ==, 0);
    g_assert_nonnull(f->exit.log_tail);
    g_assert_nonnull(strstr(f->exit.log_tail, "terminating on signal 15"));
    g_clear_object(&result);

    /* killing what is gone succeeds at once */
    vb_qemu_process_kill_async(f->proc, 1000, capture, &result);
    g_assert_true(vb_qemu_process_kill_finish(wait_result(&result), &error));
    g_clear_object(&result);
    g_clear_pointer(&f->mon, vb_qemu_monitor_free);
    g_clear_pointer(&f->proc, vb_qemu_process_free);

    /* a stopped QEMU cannot act on SIGTERM: SIGKILL after the grace period. the
     * monitor being up shows QEMU has its signal handlers in place */
    start_qemu(f, NULL);
    open_monitor(f);
    freeze(f);
    vb_qemu_process_kill_async(f->proc, 300, capture, &result);
    g_assert_true(vb_qemu_process_kill_finish(wait_result(&result), &error));
    g_assert_no_error(error);
    g_assert_cmpuint(f->exits, ==, 2);
    g_assert_true(f->exit.signaled);
    g_assert_cmpint(f->exit.code, ==, SIGKILL);
}

static void
test_process_stat(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) tids = NULL;
    g_autoptr(GArray) before = NULL;
    g_autoptr(GArray) after = NULL;
    g_autofree gboolean *only0 = NULL;
    VbQemuProcStat st, tst;
    guint64 ns = 0;
    pid_t pid;
    gsize ncpus = sysconf(_SC_NPROCESSORS_CONF);

    start_qemu(f, NULL);
    open_monitor(f);
    pid = vb_qemu_process_get_pid(f->proc);
    g_assert_true(vb_qemu_proc_stat(pid, 0, &st, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(st.start_time, ==, vb_qemu_process_get_start_time(f->proc));
    g_assert_cmpuint(st.start_time, >, 0);
    g_assert_cmpint(st.processor, >=, 0);
    g_assert_true(vb_qemu_proc_cpu_time(pid, &ns, &error));
    g_assert_cmpuint(ns, ==, st.user_ns + st.system_ns);

    tids = vb_qemu_proc_threads(pid, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(tids->len, >=, 2);
    for (guint i = 0; i < tids->len; i++) {
        g_assert_true(vb_qemu_proc_stat(pid, g_array_index(tids, pid_t, i), &tst, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(tst.start_time, >=, st.start_time);
    }

    /* pin the main thread to cpu 0 and read it back */
    before = vb_qemu_proc_get_affinity(pid, ncpus, &error);
    g_assert_no_error(error);
    g_assert_true(g_array_index(before, gboolean, 0));
    only0 = g_new0(gboolean, ncpus);
    only0[0] = TRUE;
    g_assert_true(vb_qemu_proc_set_affinity(pid, only0, ncpus, &error));
    g_assert_no_error(error);
    after = vb_qemu_proc_get_affinity(pid, ncpus, &error);
    g_assert_no_error(error);
    g_assert_true(g_array_index(after, gboolean, 0));
    for (gsize i = 1; i < ncpus; i++)
        g_assert_false(g_array_index(after, gboolean, i));

    g_assert_false(vb_qemu_proc_stat(G_MAXINT - 1, 0, &st, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_FAILED);
    g_clear_error(&error);
    g_assert_null(vb_qemu_proc_threads(G_MAXINT - 1, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_FAILED);
}

typedef struct {
    guint exits;
    VbQemuExit exit;
} AttachState;

static void
on_attached_exit(VbQemuProcess *proc, const VbQemuExit *exit, gpointer user_data)
{
    AttachState *state = user_data;

    state->exits++;
    state->exit = *exit;
    state->exit.log_tail = NULL;
}

static void
test_process_attach(Fixture *f, gconstpointer data)
{
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(VbQemuProcess) attached = NULL;
    AttachState state = {0};
    guint64 start;
    pid_t pid;

    start_qemu(f, NULL);
    open_monitor(f);
    pid = vb_qemu_process_get_pid(f->proc);
    start = vb_qemu_process_get_start_time(f->proc);
    g_assert_true(vb_qemu_proc_is_same(pid, start));
    g_assert_false(vb_qemu_proc_is_same(pid, start + 1));
    g_assert_false(vb_qemu_proc_is_same(G_MAXINT - 1, start));
    g_assert_false(vb_qemu_proc_is_same(0, start));

    g_assert_null(vb_qemu_process_attach(pid, start + 1, f->log, on_attached_exit, &state, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_OPERATION_FAILED);
    g_clear_error(&error);

    /* watched as if the service had restarted: not our child, status unknown */
    attached = vb_qemu_process_attach(pid, start, f->log, on_attached_exit, &state, &error);
    g_assert_no_error(error);
    g_assert_true(vb_qemu_process_is_running(attached));
    g_assert_cmpint(vb_qemu_process_get_pid(attached), ==, pid);
    vb_qemu_process_kill_async(attached, 20000, capture, &result);
    g_assert_true(vb_qemu_process_kill_finish(wait_result(&result), &error));
    g_assert_no_error(error);
    g_assert_cmpuint(state.exits, ==, 1);
    g_assert_false(state.exit.known);
    g_assert_false(vb_qemu_process_is_running(attached));
    /* the parent's view of the same exit */
    wait_exit(f, 1);
    g_assert_true(f->exit.known);
    g_assert_cmpint(f->exit.code, ==, 0);
    g_assert_false(vb_qemu_proc_is_same(pid, start));
}

/* ---- host ---- */

static void
test_host_real(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) map = NULL;
    g_auto(VbQemuHostCpu) cpu = {0};
    VbNodeInfo info;
    VbQemuHostStats stats;
    guint online = 0;
    guint8 uuid[VB_UUID_LEN];

    g_assert_true(vb_qemu_host_node_info(&info, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(info.cpus, ==, sysconf(_SC_NPROCESSORS_ONLN));
    g_assert_cmpuint(info.memory_kib, >, 0);
    g_assert_cmpuint(info.nodes * info.sockets * info.cores * info.threads, ==, info.cpus);
    g_assert_nonnull(info.model);
    g_free(info.model);

    g_assert_true(vb_qemu_host_cpu(&cpu, &error));
    g_assert_cmpuint(cpu.online, ==, info.cpus);

    map = vb_qemu_host_cpu_map(&error);
    g_assert_no_error(error);
    g_assert_cmpuint(map->len, >=, info.cpus);
    for (guint i = 0; i < map->len; i++)
        online += g_array_index(map, gboolean, i) ? 1 : 0;
    g_assert_cmpuint(online, ==, info.cpus);

    g_assert_true(vb_qemu_host_cpu_stats(-1, &stats, &error));
    g_assert_cmpuint(stats.n, ==, 4);
    g_assert_cmpstr(stats.fields[0].name, ==, "kernel");
    g_assert_cmpstr(stats.fields[2].name, ==, "idle");
    g_assert_cmpuint(stats.fields[2].value, >, 0);
    g_assert_true(vb_qemu_host_cpu_stats(0, &stats, &error));
    g_assert_false(vb_qemu_host_cpu_stats(100000, &stats, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARG);
    g_clear_error(&error);

    g_assert_true(vb_qemu_host_memory_stats(-1, &stats, &error));
    g_assert_cmpuint(stats.n, ==, 4);
    g_assert_cmpstr(stats.fields[0].name, ==, "total");
    g_assert_cmpuint(stats.fields[0].value, ==, info.memory_kib);
    g_assert_true(vb_qemu_host_memory_stats(0, &stats, &error));
    g_assert_cmpuint(stats.n, ==, 2);
    g_assert_false(vb_qemu_host_memory_stats(100000, &stats, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_cmpuint(vb_qemu_host_free_memory(&error), >, 0);
    g_assert_no_error(error);
    (void)vb_qemu_host_uuid(uuid);
}

static void
put(const char *root, const char *path, const char *text)
{
    g_autofree char *full = g_build_filename(root, path, NULL);
    g_autofree char *dir = g_path_get_dirname(full);
    g_autoptr(GError) error = NULL;

    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    g_file_set_contents(full, text, -1, &error);
    g_assert_no_error(error);
}

static void
test_host_fake(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) map = NULL;
    VbNodeInfo info;
    VbQemuHostStats stats;
    guint64 tick = 1000000000ULL / sysconf(_SC_CLK_TCK);
    guint8 uuid[VB_UUID_LEN];
    char uuid_str[VB_UUID_STRING_LEN];

    /* 2 nodes, a socket each, 2 cores of 2 threads per socket; cpu 8 is offline */
    put(f->dir, "sys/devices/system/cpu/online", "0-7\n");
    put(f->dir, "sys/devices/system/cpu/present", "0-8\n");
    put(f->dir, "sys/devices/system/node/online", "0-1\n");
    for (guint n = 0; n < 8; n++) {
        g_autofree char *pkg = g_strdup_printf("sys/devices/system/cpu/cpu%u/topology/"
                                               "physical_package_id",
                                               n);
        g_autofree char *core = g_strdup_printf("sys/devices/system/cpu/cpu%u/topology/core_id", n);
        g_autofree char *pv = g_strdup_printf("%u\n", n / 4);
        g_autofree char *cv = g_strdup_printf("%u\n", (n / 2) % 2);

        put(f->dir, pkg, pv);
        put(f->dir, core, cv);
    }
    put(f->dir, "proc/cpuinfo",
        "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Fake CPU\n"
        "cpu MHz\t\t: 2399.6\n\nprocessor\t: 1\n");
    put(f->dir, "proc/meminfo",
        "MemTotal:       16000000 kB\nMemFree:         8000000 kB\n"
        "MemAvailable:   12000000 kB\nBuffers:          100000 kB\nCached:          2000000 kB\n");
    put(f->dir, "sys/devices/system/node/node1/meminfo",
        "Node 1 MemTotal:       8000000 kB\nNode 1 MemFree:        3000000 kB\n");
    put(f->dir, "proc/stat",
        "cpu  100 20 30 400 50 6 7 0 0 0\ncpu0 1 2 3 4 5 6 7 0 0 0\nintr 1 2 3\n");
    put(f->dir, "etc/machine-id", "0123456789abcdef0123456789abcdef\n");

    vb_qemu_host_set_root(f->dir);
    g_assert_true(vb_qemu_host_node_info(&info, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(info.cpus, ==, 8);
    g_assert_cmpuint(info.nodes, ==, 2);
    g_assert_cmpuint(info.sockets, ==, 1);
    g_assert_cmpuint(info.cores, ==, 2);
    g_assert_cmpuint(info.threads, ==, 2);
    g_assert_cmpuint(info.mhz, ==, 2400);
    g_assert_cmpuint(info.memory_kib, ==, 16000000);
    g_free(info.model);

    map = vb_qemu_host_cpu_map(&error);
    g_assert_no_error(error);
    g_assert_cmpuint(map->len, ==, 9);
    g_assert_true(g_array_index(map, gboolean, 7));
    g_assert_false(g_array_index(map, gboolean, 8));

    g_assert_true(vb_qemu_host_cpu_stats(-1, &stats, &error));
    g_assert_cmpuint(stats.fields[0].value, ==, (30 + 6 + 7) * tick);
    g_assert_cmpuint(stats.fields[1].value, ==, (100 + 20) * tick);
    g_assert_cmpuint(stats.fields[2].value, ==, 400 * tick);
    g_assert_cmpuint(stats.fields[3].value, ==, 50 * tick);
    g_assert_true(vb_qemu_host_cpu_stats(0, &stats, &error));
    g_assert_cmpuint(stats.fields[2].value, ==, 4 * tick);
    g_assert_false(vb_qemu_host_cpu_stats(1, &stats, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARG);
    g_clear_error(&error);

    g_assert_true(vb_qemu_host_memory_stats(-1, &stats, &error));
    g_assert_cmpuint(stats.fields[3].value, ==, 2000000);
    g_assert_true(vb_qemu_host_memory_stats(1, &stats, &error));
    g_assert_cmpuint(stats.n, ==, 2);
    g_assert_cmpuint(stats.fields[1].value, ==, 3000000);
    g_assert_false(vb_qemu_host_memory_stats(2, &stats, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARG);
    g_clear_error(&error);
    g_assert_cmpuint(vb_qemu_host_free_memory(&error), ==, G_GUINT64_CONSTANT(8000000) * 1024);

    g_assert_true(vb_qemu_host_uuid(uuid));
    vb_uuid_format(uuid, uuid_str);
    g_assert_cmpstr(uuid_str, ==, "01234567-89ab-cdef-0123-456789abcdef");

    /* a topology that does not add up is reported flat */
    put(f->dir, "sys/devices/system/cpu/online", "0-6\n");
    g_assert_true(vb_qemu_host_node_info(&info, &error));
    g_assert_cmpuint(info.cpus, ==, 7);
    g_assert_cmpuint(info.nodes * info.sockets * info.cores * info.threads, ==, 7);
    g_free(info.model);
    vb_qemu_host_set_root(NULL);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD("/qemu/monitor/basic", test_monitor_basic);
    ADD("/qemu/monitor/queue", test_monitor_queue);
    ADD("/qemu/monitor/error", test_monitor_error);
    ADD("/qemu/monitor/timeout", test_monitor_timeout);
    ADD("/qemu/monitor/events", test_monitor_events);
    ADD("/qemu/monitor/eof", test_monitor_eof);
    ADD("/qemu/monitor/close", test_monitor_close);
    ADD("/qemu/monitor/open-errors", test_monitor_open_errors);
    ADD("/qemu/caps/probe", test_caps_probe);
    ADD("/qemu/caps/document", test_caps_document);
    ADD("/qemu/process/exit", test_process_exit);
    ADD("/qemu/process/spawn-errors", test_process_spawn_errors);
    ADD("/qemu/process/kill", test_process_kill);
    ADD("/qemu/process/stat", test_process_stat);
    ADD("/qemu/process/attach", test_process_attach);
    ADD("/qemu/host/real", test_host_real);
    ADD("/qemu/host/fake", test_host_fake);
#undef ADD
    return g_test_run();
}
