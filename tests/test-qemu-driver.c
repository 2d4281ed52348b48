/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-test"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event-log.h"
#include "driver.h"
#include "qemu/qemu-driver.h"

/* the QEMU driver in-process with real qemu-system-x86_64 (TCG): qemu:///session with
 * its XDG directories in a temp dir (set before GLib reads them, emptied after each
 * test), events recorded through a VbEventSink, completions awaited by iterating the
 * default main context. every qemu a test starts is destroyed or killed before it
 * ends. */

#define UUID1 "5f1a0b6c-1111-4a2b-9c3d-000000000001"
#define UUID2 "5f1a0b6c-1111-4a2b-9c3d-000000000002"

#define VM_XML(name, uuid, extra)                                                                  \
    "<domain type='qemu'><name>" name "</name><uuid>" uuid "</uuid>"                               \
    "<memory>65536</memory><vcpu>1</vcpu><os><type>hvm</type></os>" extra "</domain>"

typedef struct {
    VbConn *conn;
    GString *events;
    char *tmpdir;
} Fixture;

static void
conn_open(Fixture *f)
{
    g_autoptr(GError) error = NULL;

    f->conn = vb_conn_open("qemu:///session", &error);
    g_assert_no_error(error);
    g_assert_nonnull(f->conn);
    event_log_attach(f->conn, f->events);
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;

    f->events = g_string_new(NULL);
    f->tmpdir = g_dir_make_tmp("vb-qemu-driver-XXXXXX", &error);
    g_assert_no_error(error);
    conn_open(f);
}

/* ---- waiting ---- */

typedef struct {
    gboolean done;
    gpointer result;
    GError *error;
} Wait;

static void
on_done(gpointer result, const GError *error, gpointer user_data)
{
    Wait *w = user_data;

    w->done = TRUE;
    w->result = result;
    w->error = error != NULL ? g_error_copy(error) : NULL;
}

static void
iterate_until(gboolean *flag, guint timeout_s)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_s * G_USEC_PER_SEC;

    while (!*flag) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_main_context_iteration(NULL, FALSE);
        if (!*flag)
            g_usleep(1000);
    }
}

static void
wait_done(Wait *w)
{
    iterate_until(&w->done, 60);
}

/* runs the main loop for @ms, so events that come late have come */
static void
settle(guint ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

    while (g_get_monotonic_time() < end) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
}

/* until the domain's job (reconnect, autostart) is done */
static void
wait_job(VbDomainObj *obj)
{
    gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;

    settle(10);
    while (vb_qemu_dom(obj)->job != NULL || !g_queue_is_empty(&vb_qemu_dom(obj)->waiters)) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        settle(5);
    }
}

static void
expect_ok(Wait *w)
{
    wait_done(w);
    g_assert_no_error(w->error);
}

static void
expect_events(Fixture *f, const char *expected)
{
    g_assert_cmpstr(f->events->str, ==, expected);
    g_string_truncate(f->events, 0);
}

static void
wait_events_end(Fixture *f, const char *last)
{
    gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;

    while (!g_str_has_suffix(f->events->str, last) && g_get_monotonic_time() < deadline)
        settle(10);
    g_assert_true(g_str_has_suffix(f->events->str, last));
    g_string_truncate(f->events, 0);
}

/* ---- helpers over the vtable ---- */

static VbDomainObj *
define(Fixture *f, const char *xml)
{
    Wait w = {0};

    f->conn->driver->domain_define_xml(f->conn, xml, 0, on_done, &w);
    expect_ok(&w);
    g_assert_nonnull(w.result);
    return w.result;
}

/* every qemu a test started, killed if an assertion aborts the test */
static pid_t started[256];
static guint nstarted;

static void
on_abort(int sig)
{
    for (guint i = 0; i < nstarted; i++)
        kill(started[i], SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void
track(VbDomainObj *obj)
{
    VbQemuDomain *dom = vb_qemu_dom(obj);

    if (dom->proc != NULL && nstarted < G_N_ELEMENTS(started))
        started[nstarted++] = vb_qemu_process_get_pid(dom->proc);
}

static void
create(Fixture *f, VbDomainObj *obj, guint flags)
{
    Wait w = {0};

    f->conn->driver->domain_create(f->conn, obj, flags, on_done, &w);
    wait_done(&w);
    track(obj);
    g_assert_no_error(w.error);
}

static void
destroy(Fixture *f, VbDomainObj *obj)
{
    Wait w = {0};

    f->conn->driver->domain_destroy(f->conn, obj, 0, on_done, &w);
    expect_ok(&w);
}

/* a process that ended may stay a zombie until GLib's worker reaps it */
static gboolean
pid_gone(pid_t pid)
{
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    while (kill(pid, 0) == 0 && g_get_monotonic_time() < deadline)
        settle(5);
    return kill(pid, 0) != 0;
}

static pid_t
qemu_pid(VbDomainObj *obj)
{
    VbQemuDomain *dom = vb_qemu_dom(obj);

    g_assert_nonnull(dom->proc);
    return vb_qemu_process_get_pid(dom->proc);
}

static char *top_dir;
static char *real_home; /* HOME before the test changed it */

static void
remove_tree(const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
        g_autofree char *child = g_build_filename(path, name, NULL);

        if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
            remove_tree(child);
        else
            g_unlink(child);
    }
    g_rmdir(path);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    if (f->conn != NULL) {
        g_autoptr(GPtrArray) all = vb_domain_list_all(f->conn->domains);

        /* nothing a test started survives it */
        for (guint i = 0; i < all->len; i++) {
            VbDomainObj *obj = g_ptr_array_index(all, i);

            if (vb_domain_obj_is_active(obj) && vb_qemu_dom(obj)->proc != NULL)
                destroy(f, obj);
        }
        vb_conn_close(f->conn);
    }
    settle(20);
    g_string_free(f->events, TRUE);
    remove_tree(f->tmpdir);
    g_free(f->tmpdir);
    /* the next test starts from nothing on disk */
    for (guint i = 0; i < 4; i++) {
        const char *const sub[] = {"config", "data", "cache", "run"};
        g_autofree char *dir = g_build_filename(top_dir, sub[i], "virtbus", NULL);

        remove_tree(dir);
    }
}

static char *
config_file(const char *name)
{
    g_autofree char *file = g_strconcat(name, ".xml", NULL);

    return g_build_filename(g_get_user_config_dir(), "virtbus", "qemu", file, NULL);
}

static char *
status_file(const char *name)
{
    g_autofree char *file = g_strconcat(name, ".status", NULL);

    return g_build_filename(g_get_user_runtime_dir(), "virtbus", "qemu", file, NULL);
}

/* ---- tests ---- */

static void
test_open(Fixture *f, gconstpointer data)
{
    g_autofree char *dir = g_build_filename(g_get_user_config_dir(), "virtbus", "qemu", NULL);
    g_autofree char *run = g_build_filename(g_get_user_runtime_dir(), "virtbus", "qemu", NULL);

    g_assert_cmpstr(f->conn->driver->name, ==, "QEMU");
    g_assert_cmpuint(vb_domain_list_count(f->conn->domains), ==, 0);
    g_assert_true(g_file_test(dir, G_FILE_TEST_IS_DIR));
    g_assert_true(g_file_test(run, G_FILE_TEST_IS_DIR));
}

static void
test_define_persists(Fixture *f, gconstpointer data)
{
    g_autoptr(VbDomainObj) obj = define(f, VM_XML("vm1", UUID1, ""));
    g_autofree char *path = config_file("vm1");
    VbDomainObj *again;
    Wait w = {0};

    expect_events(f, "vm1 DEFINED/ADDED;");
    g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
    g_assert_false(vb_domain_obj_is_active(obj));
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_SHUTOFF);

    /* redefining updates */
    g_clear_pointer(&obj, vb_domain_obj_unref);
    obj = define(f, VM_XML("vm1", UUID1, "<description>two</description>"));
    expect_events(f, "vm1 DEFINED/UPDATED;");

    vb_conn_close(f->conn);
    conn_open(f);
    again = vb_domain_list_find_name(f->conn->domains, "vm1");
    g_assert_nonnull(again);
    g_assert_cmpstr(again->uuid_str, ==, UUID1);
    g_assert_cmpstr(again->config->description, ==, "two");
    g_assert_false(vb_domain_obj_is_active(again));

    f->conn->driver->domain_undefine(f->conn, again, 0, on_done, &w);
    expect_ok(&w);
    expect_events(f, "vm1 UNDEFINED/REMOVED;");
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    g_assert_null(vb_domain_list_find_name(f->conn->domains, "vm1"));
}

static void
test_define_errors(Fixture *f, gconstpointer data)
{
    G_GNUC_UNUSED g_autoptr(VbDomainObj) obj = define(f, VM_XML("vm1", UUID1, ""));
    Wait w = {0}, w2 = {0}, w3 = {0};

    /* same name, other uuid */
    f->conn->driver->domain_define_xml(f->conn, VM_XML("vm1", UUID2, ""), 0, on_done, &w);
    wait_done(&w);
    g_assert_error(w.error, VB_ERROR, VB_ERROR_OPERATION_FAILED);
    g_assert_nonnull(strstr(w.error->message, "already exists with uuid " UUID1));
    g_clear_error(&w.error);
    /* wrong hypervisor type */
    f->conn->driver->domain_define_xml(
        f->conn,
        "<domain type='test'><name>t</name><memory>1024</memory><os><type>hvm</type></os>"
        "</domain>",
        0, on_done, &w2);
    wait_done(&w2);
    g_assert_error(w2.error, VB_ERROR, VB_ERROR_INVALID_ARG);
    g_clear_error(&w2.error);
    /* unknown flags */
    f->conn->driver->domain_define_xml(f->conn, VM_XML("vm2", UUID2, ""), 0x100, on_done, &w3);
    wait_done(&w3);
    g_assert_error(w3.error, VB_ERROR, VB_ERROR_INVALID_ARG);
    g_assert_cmpstr(w3.error->message, ==,
                    "invalid argument: unsupported flags (0x100) in function "
                    "virDomainDefineXMLFlags");
    g_clear_error(&w3.error);
    expect_events(f, "vm1 DEFINED/ADDED;");
}

static void
test_lifecycle(Fixture *f, gconstpointer data)
{
    g_autoptr(VbDomainObj) obj = define(f, VM_XML("vm1", UUID1, ""));
    g_autofree char *status = status_file("vm1");
    g_autofree char *xml = NULL;
    Wait w = {0}, w2 = {0}, w3 = {0}, w4 = {0}, w5 = {0};
    pid_t pid;

    expect_events(f, "vm1 DEFINED/ADDED;");
    create(f, obj, 0);
    expect_events(f, "vm1 STARTED/BOOTED;");
    g_assert_true(vb_domain_obj_is_active(obj));
    g_assert_cmpint(obj->id, >, 0);
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_RUNNING);
    g_assert_cmpint(obj->reason, ==, VB_RUNNING_BOOTED);
    g_assert_true(g_file_test(status, G_FILE_TEST_IS_REGULAR));
    pid = qemu_pid(obj);
    g_assert_cmpint(kill(pid, 0), ==, 0);
    /* the live XML names what runs */
    xml = vb_domain_obj_format(obj, 0);
    g_assert_nonnull(strstr(xml, "<emulator>"));
    g_assert_nonnull(strstr(xml, "machine="));

    /* a second start */
    f->conn->driver->domain_create(f->conn, obj, 0, on_done, &w);
    wait_done(&w);
    g_assert_error(w.error, VB_ERROR, VB_ERROR_OPERATION_INVALID);
    g_assert_cmpstr(w.error->message, ==,
                    "Requested operation is not valid: domain is already running");
    g_clear_error(&w.error);

    f->conn->driver->domain_suspend(f->conn, obj, on_done, &w2);
    expect_ok(&w2);
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_PAUSED);
    g_assert_cmpint(obj->reason, ==, VB_PAUSED_USER);
    f->conn->driver->domain_suspend(f->conn, obj, on_done, &w3);
    wait_done(&w3);
    g_assert_error(w3.error, VB_ERROR, VB_ERROR_OPERATION_INVALID);
    g_assert_cmpstr(w3.error->message, ==,
                    "Requested operation is not valid: domain is already paused");
    g_clear_error(&w3.error);
    f->conn->driver->domain_resume(f->conn, obj, on_done, &w4);
    expect_ok(&w4);
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_RUNNING);
    /* qemu's STOP and RESUME echo our commands: they are no second event */
    settle(200);
    expect_events(f, "vm1 SUSPENDED/PAUSED;vm1 RESUMED/UNPAUSED;");

    /* a reset shows as a reboot (qemu's RESET event) */
    f->conn->driver->domain_reset(f->conn, obj, 0, on_done, &w5);
    expect_ok(&w5);
    wait_events_end(f, "vm1 Reboot();");

    destroy(f, obj);
    expect_events(f, "vm1 STOPPED/DESTROYED;");
    g_assert_false(vb_domain_obj_is_active(obj));
    g_assert_cmpint(obj->id, ==, -1);
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_SHUTOFF);
    g_assert_cmpint(obj->reason, ==, VB_SHUTOFF_DESTROYED);
    g_assert_null(obj->live);
    g_assert_true(pid_gone(pid));
    settle(100);
    g_assert_false(g_file_test(status, G_FILE_TEST_EXISTS));
}

static void
test_start_paused(Fixture *f, gconstpointer data)
{
    g_autoptr(VbDomainObj) obj =
        define(f, VM_XML("vm1", UUID1, "<devices><serial type='pty'/></devices>"));
    g_autofree char *xml = NULL;
    Wait w = {0};

    create(f, obj, VB_QEMU_START_PAUSED);
    /* the live XML names the pty qemu made */
    xml = vb_domain_obj_format(obj, 0);
    g_assert_nonnull(strstr(xml, "<source path='/dev/pts/"));
    expect_events(f, "vm1 DEFINED/ADDED;vm1 STARTED/BOOTED;vm1 SUSPENDED/PAUSED;");
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_PAUSED);
    g_assert_cmpint(obj->reason, ==, VB_PAUSED_USER);
    f->conn->driver->domain_resume(f->conn, obj, on_done, &w);
    expect_ok(&w);
    settle(100);
    expect_events(f, "vm1 RESUMED/UNPAUSED;");
    destroy(f, obj);
    expect_events(f, "vm1 STOPPED/DESTROYED;");
}

static void
test_create_xml(Fixture *f, gconstpointer data)
{
    Wait w = {0};
    VbDomainObj *obj;

    f->conn->driver->domain_create_xml(f->conn, VM_XML("tr", UUID2, ""), 0, on_done, &w);
    expect_ok(&w);
    obj = w.result;
    track(obj);
    g_assert_false(vb_domain_obj_is_persistent(obj));
    g_assert_true(vb_domain_obj_is_active(obj));
    expect_events(f, "tr STARTED/BOOTED;");
    destroy(f, obj);
    expect_events(f, "tr STOPPED/DESTROYED;");
    /* a transient domain is gone once it stops */
    g_assert_true(obj->removed);
    g_assert_null(vb_domain_list_find_name(f->conn->domains, "tr"));
    vb_domain_obj_unref(obj);
}

static void
test_missing_emulator(Fixture *f, gconstpointer data)
{
    g_autoptr(VbDomainObj) obj =
        define(f, VM_XML("vm1", UUID1,
                         "<devices><emulator>/nonexistent/qemu-system-x86_64"
                         "</emulator></devices>"));
    Wait w = {0};

    f->conn->driver->domain_create(f->conn, obj, 0, on_done, &w);
    wait_done(&w);
    g_assert_nonnull(w.error);
    g_assert_nonnull(strstr(w.error->message, "/nonexistent/qemu-system-x86_64"));
    g_clear_error(&w.error);
    g_assert_false(vb_domain_obj_is_active(obj));
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_SHUTOFF);
    expect_events(f, "vm1 DEFINED/ADDED;");
}

static void
test_reconnect(Fixture *f, gconstpointer data)
{
    g_autoptr(VbDomainObj) obj = define(f, VM_XML("vm1", UUID1, ""));
    VbDomainObj *again;
    int id;
    pid_t pid;
    Wait w = {0};

    create(f, obj, 0);
    id = obj->id;
    pid = qemu_pid(obj);
    /* the service goes away: its guests stay */
    vb_conn_close(f->conn);
    g_clear_pointer(&obj, vb_domain_obj_unref);
    settle(100);
    g_assert_cmpint(kill(pid, 0), ==, 0);

    conn_open(f);
    again = vb_domain_list_find_name(f->conn->domains, "vm1");
    g_assert_nonnull(again);
    g_assert_true(vb_domain_obj_is_active(again));
    g_assert_cmpint(again->id, ==, id);
    /* the monitor comes back on the main loop */
    wait_job(again);
    g_assert_cmpint(again->state, ==, VB_DOMAIN_RUNNING);
    g_assert_cmpint(qemu_pid(again), ==, pid);
    g_string_truncate(f->events, 0);

    /* and it is controlled as before */
    f->conn->driver->domain_suspend(f->conn, again, on_done, &w);
    expect_ok(&w);
    destroy(f, again);
    expect_events(f, "vm1 SUSPENDED/PAUSED;vm1 STOPPED/DESTROYED;");
    g_assert_true(pid_gone(pid));
}

static void
test_reconnect_gone(Fixture *f, gconstpointer data)
{
    g_autoptr(VbDomainObj) obj = define(f, VM_XML("vm1", UUID1, ""));
    g_autofree char *status = status_file("vm1");
    VbDomainObj *again;
    pid_t pid;

    create(f, obj, 0);
    pid = qemu_pid(obj);
    vb_conn_close(f->conn);
    g_clear_pointer(&obj, vb_domain_obj_unref);
    /* qemu dies while nobody watches */
    g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
    g_assert_true(pid_gone(pid));

    conn_open(f);
    again = vb_domain_list_find_name(f->conn->domains, "vm1");
    g_assert_nonnull(again);
    g_assert_false(vb_domain_obj_is_active(again));
    g_assert_cmpint(again->state, ==, VB_DOMAIN_SHUTOFF);
    g_assert_cmpint(again->reason, ==, VB_SHUTOFF_CRASHED);
    settle(100);
    g_assert_false(g_file_test(status, G_FILE_TEST_EXISTS));
}

static void
test_crash(Fixture *f, gconstpointer data)
{
    g_autoptr(VbDomainObj) obj = define(f, VM_XML("vm1", UUID1, ""));
    pid_t pid;

    create(f, obj, 0);
    pid = qemu_pid(obj);
    g_string_truncate(f->events, 0);
    g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
    while (vb_domain_obj_is_active(obj))
        g_main_context_iteration(NULL, TRUE);
    expect_events(f, "vm1 STOPPED/CRASHED;");
    g_assert_cmpint(obj->reason, ==, VB_SHUTOFF_CRASHED);
}

/* a disk path that would be options on a key=value command line stays one path */
static void
test_hostile_disk(Fixture *f, gconstpointer data)
{
    g_autofree char *disk = g_build_filename(f->tmpdir, "a,format=qcow2,file.driver=nbd.img", NULL);
    g_autofree char *xml = NULL;
    g_autofree char *log = NULL;
    g_autofree char *log_path =
        g_build_filename(g_get_user_cache_dir(), "virtbus", "qemu", "log", "vm1.log", NULL);
    g_autofree char *want = NULL;
    g_autoptr(VbDomainObj) obj = NULL;
    g_autoptr(GError) error = NULL;
    Wait w = {0};
    int fd;

    fd = open(disk, O_CREAT | O_WRONLY, 0600);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, 1024 * 1024), ==, 0);
    close(fd);
    xml = g_strdup_printf(VM_XML("vm1", UUID1,
                                 "<devices><disk type='file' device='disk'>"
                                 "<source file='%s'/><target dev='vda' bus='virtio'/>"
                                 "</disk></devices>"),
                          disk);
    obj = define(f, xml);
    f->conn->driver->domain_create(f->conn, obj, 0, on_done, &w);
    wait_done(&w);
    track(obj);
    /* starting cleanly or failing cleanly are both fine; injecting is not */
    if (w.error == NULL)
        g_assert_true(vb_domain_obj_is_active(obj));
    else
        g_assert_false(vb_domain_obj_is_active(obj));
    g_clear_error(&w.error);
    g_assert_true(g_file_get_contents(log_path, &log, NULL, &error));
    g_assert_no_error(error);
    want = g_strdup_printf("\"filename\":\"%s\"", disk);
    g_assert_nonnull(strstr(log, want));
    if (vb_domain_obj_is_active(obj))
        destroy(f, obj);
    g_unlink(disk);
}

/* a frozen qemu: the command times out and releases the job; a second call queued
 * behind it gives up with libvirt's lock message */
static void
test_job_timeouts(Fixture *f, gconstpointer data)
{
    g_autoptr(VbDomainObj) obj = define(f, VM_XML("vm1", UUID1, ""));
    Wait w1 = {0}, w2 = {0}, w3 = {0};
    pid_t pid;

    create(f, obj, 0);
    pid = qemu_pid(obj);
    g_assert_cmpint(kill(pid, SIGSTOP), ==, 0);
    f->conn->driver->domain_suspend(f->conn, obj, on_done, &w1);
    f->conn->driver->domain_resume(f->conn, obj, on_done, &w2);
    /* reads never wait */
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_RUNNING);
    wait_done(&w2);
    g_assert_error(w2.error, VB_ERROR, VB_ERROR_OPERATION_TIMEOUT);
    g_assert_cmpstr(w2.error->message, ==,
                    "Timed out during operation: cannot acquire state change lock (held by "
                    "virDomainSuspend)");
    g_clear_error(&w2.error);
    wait_done(&w1);
    g_assert_error(w1.error, VB_ERROR, VB_ERROR_OPERATION_TIMEOUT);
    g_assert_nonnull(strstr(w1.error->message, "'stop'"));
    g_clear_error(&w1.error);
    /* the job is released: the next one runs */
    g_assert_null(vb_qemu_dom(obj)->job);
    g_assert_cmpint(kill(pid, SIGCONT), ==, 0);
    f->conn->driver->domain_resume(f->conn, obj, on_done, &w3);
    wait_done(&w3);
    g_clear_error(&w3.error);
    destroy(f, obj);
}

/* a destroy does not wait behind a job stuck on a frozen qemu */
static void
test_destroy_frozen(Fixture *f, gconstpointer data)
{
    g_autoptr(VbDomainObj) obj = define(f, VM_XML("vm1", UUID1, ""));
    Wait w1 = {0};
    pid_t pid;

    create(f, obj, 0);
    pid = qemu_pid(obj);
    g_assert_cmpint(kill(pid, SIGSTOP), ==, 0);
    f->conn->driver->domain_suspend(f->conn, obj, on_done, &w1);
    settle(50);
    g_string_truncate(f->events, 0);
    destroy(f, obj);
    wait_done(&w1);
    g_assert_nonnull(w1.error);
    g_clear_error(&w1.error);
    expect_events(f, "vm1 STOPPED/DESTROYED;");
    g_assert_false(vb_domain_obj_is_active(obj));
}

static void
test_save_restore(Fixture *f, gconstpointer data)
{
    g_autoptr(VbDomainObj) obj = define(f, VM_XML("vm1", UUID1, ""));
    g_autofree char *path = g_build_filename(f->tmpdir, "vm1.save", NULL);
    g_autofree char *xml = NULL;
    Wait w = {0}, w2 = {0}, w3 = {0}, w4 = {0};

    create(f, obj, 0);
    f->conn->driver->domain_save(f->conn, obj, path, "", 0, on_done, &w);
    expect_ok(&w);
    expect_events(f, "vm1 DEFINED/ADDED;vm1 STARTED/BOOTED;vm1 STOPPED/SAVED;");
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_SHUTOFF);
    g_assert_cmpint(obj->reason, ==, VB_SHUTOFF_SAVED);
    g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));

    f->conn->driver->save_image_get_xml(f->conn, path, 0, on_done, &w2);
    expect_ok(&w2);
    xml = w2.result;
    g_assert_nonnull(strstr(xml, "<name>vm1</name>"));

    f->conn->driver->domain_restore(f->conn, path, "", VB_QEMU_SAVE_PAUSED, on_done, &w3);
    wait_done(&w3);
    track(obj);
    g_assert_no_error(w3.error);
    expect_events(f, "vm1 STARTED/RESTORED;vm1 SUSPENDED/PAUSED;");
    g_assert_true(vb_domain_obj_is_active(obj));
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_PAUSED);

    /* not an image at all */
    f->conn->driver->domain_restore(f->conn, "/etc/hostname", "", 0, on_done, &w4);
    wait_done(&w4);
    g_assert_error(w4.error, VB_ERROR, VB_ERROR_INVALID_ARG);
    g_clear_error(&w4.error);
    destroy(f, obj);
}

static void
test_managed_save(Fixture *f, gconstpointer data)
{
    g_autoptr(VbDomainObj) obj = define(f, VM_XML("vm1", UUID1, ""));
    g_autofree char *image =
        g_build_filename(g_get_user_data_dir(), "virtbus", "qemu", "save", "vm1.save", NULL);
    Wait w = {0}, w2 = {0};

    create(f, obj, 0);
    f->conn->driver->domain_managed_save(f->conn, obj, 0, on_done, &w);
    expect_ok(&w);
    g_assert_true(obj->managed_save);
    g_assert_true(g_file_test(image, G_FILE_TEST_IS_REGULAR));
    expect_events(f, "vm1 DEFINED/ADDED;vm1 STARTED/BOOTED;vm1 STOPPED/SAVED;");
    /* undefine refuses while the image exists */
    f->conn->driver->domain_undefine(f->conn, obj, 0, on_done, &w2);
    wait_done(&w2);
    g_assert_error(w2.error, VB_ERROR, VB_ERROR_OPERATION_INVALID);
    g_clear_error(&w2.error);
    /* the next start restores it, and the image goes */
    create(f, obj, 0);
    expect_events(f, "vm1 STARTED/RESTORED;");
    g_assert_false(obj->managed_save);
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_RUNNING);
    settle(50);
    g_assert_false(g_file_test(image, G_FILE_TEST_EXISTS));
    destroy(f, obj);
}

static void
test_core_dump(Fixture *f, gconstpointer data)
{
    g_autoptr(VbDomainObj) obj = define(f, VM_XML("vm1", UUID1, ""));
    g_autofree char *path = g_build_filename(f->tmpdir, "vm1.core", NULL);
    g_autofree char *contents = NULL;
    gsize len = 0;
    Wait w = {0};

    create(f, obj, 0);
    f->conn->driver->domain_core_dump(f->conn, obj, path, 0, 0, on_done, &w);
    expect_ok(&w);
    g_assert_true(g_file_get_contents(path, &contents, &len, NULL));
    g_assert_cmpuint(len, >, 64 * 1024 * 1024);
    g_assert_cmpmem(contents, 4, "\177ELF", 4);
    /* paused for the dump, running again after */
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_RUNNING);
    settle(50);
    expect_events(f, "vm1 DEFINED/ADDED;vm1 STARTED/BOOTED;");
    destroy(f, obj);
}

static void
test_stats(Fixture *f, gconstpointer data)
{
    g_autoptr(VbDomainObj) obj =
        define(f, VM_XML("vm1", UUID1,
                         "<devices><disk type='file' device='cdrom'><target dev='hdc' bus='ide'/>"
                         "</disk><memballoon model='virtio'/></devices>"));
    Wait w = {0}, w2 = {0}, w3 = {0};
    g_autoptr(GVariant) stats = NULL;
    g_autoptr(GVariant) mem = NULL;
    g_autoptr(GArray) vcpus = NULL;
    g_autoptr(GError) error = NULL;
    guint64 actual = 0;
    VbControlInfo info;

    create(f, obj, 0);
    settle(100);
    g_assert_cmpuint(f->conn->driver->domain_get_cpu_time(f->conn, obj), >, 0);
    f->conn->driver->domain_get_stats(f->conn, obj, 0, 0, on_done, &w);
    expect_ok(&w);
    stats = w.result;
    g_assert_true(g_variant_lookup(stats, "balloon.current", "t", &actual));
    g_assert_cmpuint(actual, ==, 65536);
    g_assert_nonnull(g_variant_lookup_value(stats, "cpu.time", G_VARIANT_TYPE_UINT64));
    g_assert_nonnull(g_variant_lookup_value(stats, "block.0.name", G_VARIANT_TYPE_STRING));
    f->conn->driver->domain_memory_stats(f->conn, obj, 0, on_done, &w2);
    expect_ok(&w2);
    mem = w2.result;
    g_assert_cmpuint(g_variant_n_children(mem), >=, 2);
    vcpus = f->conn->driver->domain_get_vcpu_info(f->conn, obj, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(vcpus->len, ==, 1);
    g_assert_true(f->conn->driver->domain_get_control_info(f->conn, obj, 0, &info, &error));
    g_assert_cmpuint(info.state, ==, 0);
    f->conn->driver->domain_block_stats(f->conn, obj, "hdc", 0, on_done, &w3);
    expect_ok(&w3);
    g_free(w3.result);
    destroy(f, obj);
}

static void
test_config_ops(Fixture *f, gconstpointer data)
{
    g_autoptr(VbDomainObj) obj = define(f, VM_XML("vm1", UUID1, ""));
    g_autofree char *link =
        g_build_filename(g_get_user_config_dir(), "virtbus", "qemu", "autostart", "vm1", NULL);
    g_autofree char *renamed = config_file("vm2");
    gboolean map[1] = {TRUE};
    Wait w[8] = {0};

    f->conn->driver->domain_set_autostart(f->conn, obj, TRUE, on_done, &w[0]);
    expect_ok(&w[0]);
    g_assert_true(obj->autostart);
    g_assert_true(g_file_test(link, G_FILE_TEST_IS_SYMLINK));
    f->conn->driver->domain_set_memory(f->conn, obj, 32768, 0, on_done, &w[1]);
    expect_ok(&w[1]);
    g_assert_cmpuint(obj->config->current_kib, ==, 32768);
    f->conn->driver->domain_set_vcpus(f->conn, obj, 2, VB_QEMU_AFFECT_CONFIG | VB_QEMU_VCPU_MAXIMUM,
                                      on_done, &w[2]);
    expect_ok(&w[2]);
    g_assert_cmpuint(obj->config->vcpus_max, ==, 2);
    f->conn->driver->domain_pin_vcpu(f->conn, obj, 0, map, 1, VB_QEMU_AFFECT_CONFIG, on_done,
                                     &w[3]);
    expect_ok(&w[3]);
    g_assert_cmpuint(obj->config->vcpupins->len, ==, 1);
    f->conn->driver->domain_set_metadata(f->conn, obj, VB_DOMAIN_METADATA_TITLE, "hello", NULL,
                                         NULL, 0, on_done, &w[4]);
    expect_ok(&w[4]);
    g_assert_cmpstr(obj->config->title, ==, "hello");
    f->conn->driver->domain_rename(f->conn, obj, "vm2", 0, on_done, &w[5]);
    expect_ok(&w[5]);
    g_assert_cmpstr(vb_domain_obj_name(obj), ==, "vm2");
    g_assert_true(g_file_test(renamed, G_FILE_TEST_IS_REGULAR));
    expect_events(f, "vm1 DEFINED/ADDED;vm1 MetadataChange(1, '');vm1 UNDEFINED/RENAMED;vm2 "
                     "DEFINED/RENAMED;");

    /* all of it survives a reopen */
    vb_conn_close(f->conn);
    g_clear_pointer(&obj, vb_domain_obj_unref);
    conn_open(f);
    obj = vb_domain_obj_ref(vb_domain_list_find_name(f->conn->domains, "vm2"));
    g_assert_true(obj->autostart);
    g_assert_cmpstr(obj->config->title, ==, "hello");
    g_assert_cmpuint(obj->config->vcpus_max, ==, 2);
    /* which starts it */
    wait_job(obj);
    track(obj);
    g_assert_true(vb_domain_obj_is_active(obj));
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_RUNNING);

    /* live changes */
    f->conn->driver->domain_set_memory(f->conn, obj, 16384, VB_QEMU_AFFECT_LIVE, on_done, &w[6]);
    wait_done(&w[6]);
    g_assert_error(w[6].error, VB_ERROR, VB_ERROR_OPERATION_INVALID);
    g_clear_error(&w[6].error);
    f->conn->driver->domain_send_key(f->conn, obj, 0, 0, (const guint[]){30, 48}, 2, 0, on_done,
                                     &w[7]);
    expect_ok(&w[7]);
    destroy(f, obj);
}

static void
test_hotplug(Fixture *f, gconstpointer data)
{
    g_autoptr(VbDomainObj) obj = define(f, VM_XML("vm1", UUID1, ""));
    g_autofree char *disk = g_build_filename(f->tmpdir, "usb.img", NULL);
    g_autofree char *xml = g_strdup_printf("<disk type='file' device='disk'><source file='%s'/>"
                                           "<target dev='sda' bus='usb'/></disk>",
                                           disk);
    Wait w = {0}, w2 = {0}, w3 = {0}, w4 = {0};

    g_assert_true(g_file_set_contents(disk, "", 0, NULL));
    g_assert_cmpint(truncate(disk, 1024 * 1024), ==, 0);
    create(f, obj, 0);
    g_string_truncate(f->events, 0);
    f->conn->driver->domain_attach_device(f->conn, obj, xml, VB_QEMU_AFFECT_LIVE, on_done, &w);
    expect_ok(&w);
    expect_events(f, "vm1 DeviceAdded('sda',);");
    g_assert_cmpint(vb_domain_def_find_disk(obj->live, "sda"), >=, 0);
    g_assert_cmpint(vb_domain_def_find_disk(obj->config, "sda"), <, 0);
    /* twice is once too many */
    f->conn->driver->domain_attach_device(f->conn, obj, xml, VB_QEMU_AFFECT_LIVE, on_done, &w2);
    wait_done(&w2);
    g_assert_nonnull(w2.error);
    g_clear_error(&w2.error);
    f->conn->driver->domain_detach_device(f->conn, obj, xml, VB_QEMU_AFFECT_LIVE, on_done, &w3);
    expect_ok(&w3);
    expect_events(f, "vm1 DeviceRemoved('sda',);");
    g_assert_cmpint(vb_domain_def_find_disk(obj->live, "sda"), <, 0);
    /* the same into the definition */
    f->conn->driver->domain_attach_device(f->conn, obj, xml, VB_QEMU_AFFECT_CONFIG, on_done, &w4);
    expect_ok(&w4);
    g_assert_cmpint(vb_domain_def_find_disk(obj->config, "sda"), >=, 0);
    g_assert_true(obj->updated);
    destroy(f, obj);
}

static void
test_connection_reads(Fixture *f, gconstpointer data)
{
    const VbDriver *d = f->conn->driver;
    g_autoptr(GError) error = NULL;
    g_autofree char *caps = d->get_capabilities(f->conn, &error);
    g_autofree char *domcaps = NULL;
    g_autofree char *native = NULL;
    g_autofree char *sysinfo = NULL;
    g_auto(GStrv) models = NULL;
    VbNodeInfo info = {0};

    g_assert_no_error(error);
    g_assert_nonnull(strstr(caps, "<domain type='qemu'"));
    g_assert_cmpuint(d->get_version(f->conn), >=, 7000000);
    domcaps = d->get_domain_capabilities(f->conn, NULL, "x86_64", NULL, "qemu", 0, &error);
    g_assert_no_error(error);
    g_assert_nonnull(strstr(domcaps, "<path>"));
    models = d->get_cpu_model_names(f->conn, "x86_64", 0, &error);
    g_assert_no_error(error);
    g_assert_true(g_strv_contains((const char *const *)models, "qemu64"));
    g_assert_cmpuint(d->get_max_vcpus(f->conn, "qemu", &error), ==, 16);
    g_assert_true(d->node_get_info(f->conn, &info, &error));
    g_assert_cmpuint(info.cpus, >, 0);
    g_free(info.model);
    sysinfo = d->get_sysinfo(f->conn, 0, &error);
    g_assert_no_error(error);
    g_assert_true(g_str_has_prefix(sysinfo, "<sysinfo type='smbios'>"));
    native = d->domain_xml_to_native(f->conn, "qemu-argv", VM_XML("vm1", UUID1, ""), 0, &error);
    g_assert_no_error(error);
    g_assert_nonnull(strstr(native, "-uuid " UUID1));
    g_assert_null(d->domain_xml_to_native(f->conn, "xen-xm", VM_XML("vm1", UUID1, ""), 0, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_CONFIG_UNSUPPORTED);
}

static void
test_hotplug_nic(Fixture *f, gconstpointer data)
{
    g_autoptr(VbDomainObj) obj = define(f, "<domain type='qemu'><name>vm1</name><uuid>" UUID1
                                           "</uuid><memory>65536</memory><vcpu>1</vcpu><os>"
                                           "<type machine='q35'>hvm</type></os></domain>");
    const char *nic = "<interface type='user'><mac address='52:54:00:12:34:56'/>"
                      "<model type='virtio'/></interface>";
    Wait w = {0}, w2 = {0};

    create(f, obj, 0);
    g_string_truncate(f->events, 0);
    f->conn->driver->domain_attach_device(f->conn, obj, nic, VB_QEMU_AFFECT_LIVE, on_done, &w);
    expect_ok(&w);
    expect_events(f, "vm1 DeviceAdded('52:54:00:12:34:56',);");
    g_assert_cmpuint(obj->live->nets->len, ==, 1);
    g_assert_cmpuint(vb_qemu_dom(obj)->hotplug_ports, ==, 1);
    /* a bridge that is not there is named */
    f->conn->driver->domain_attach_device(
        f->conn, obj, "<interface type='bridge'><source bridge='vbnosuchbr0'/></interface>",
        VB_QEMU_AFFECT_LIVE, on_done, &w2);
    wait_done(&w2);
    g_assert_error(w2.error, VB_ERROR, VB_ERROR_OPERATION_FAILED);
    g_assert_nonnull(strstr(w2.error->message, "vbnosuchbr0"));
    g_clear_error(&w2.error);
    destroy(f, obj);
}

static void
test_vcpu_hotplug(Fixture *f, gconstpointer data)
{
    g_autoptr(VbDomainObj) obj =
        define(f, "<domain type='qemu'><name>vm1</name><uuid>" UUID1 "</uuid><memory>65536</memory>"
                  "<vcpu current='1'>2</vcpu><os><type machine='q35'>hvm</type></os>"
                  "<features><acpi/></features></domain>");
    g_autoptr(GArray) vcpus = NULL;
    g_autoptr(GError) error = NULL;
    Wait w = {0}, w2 = {0};

    create(f, obj, 0);
    f->conn->driver->domain_set_vcpus(f->conn, obj, 2, VB_QEMU_AFFECT_LIVE, on_done, &w);
    expect_ok(&w);
    g_assert_cmpuint(obj->live->vcpus_current, ==, 2);
    vcpus = f->conn->driver->domain_get_vcpu_info(f->conn, obj, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(vcpus->len, ==, 2);
    g_assert_cmpuint(vb_qemu_dom(obj)->vcpu_tids->len, ==, 2);
    /* taking one away needs the guest: said precisely */
    f->conn->driver->domain_set_vcpus(f->conn, obj, 1, VB_QEMU_AFFECT_LIVE, on_done, &w2);
    wait_done(&w2);
    g_assert_error(w2.error, VB_ERROR, VB_ERROR_OPERATION_UNSUPPORTED);
    g_clear_error(&w2.error);
    destroy(f, obj);
}

/* ---- with a real guest (a Debian kernel and busybox, see RECIPES.md), when built ---- */

static char *
guest_dir(void)
{
    const char *env = g_getenv("VB_TEST_GUEST_DIR");
    g_autofree char *dir = env != NULL
                               ? g_strdup(env)
                               : g_build_filename(real_home, ".cache", "virtbus-test-guest", NULL);
    g_autofree char *kernel = g_build_filename(dir, "vmlinuz", NULL);

    return g_file_test(kernel, G_FILE_TEST_IS_REGULAR) ? g_steal_pointer(&dir) : NULL;
}

static guint
count_ready(const char *serial)
{
    g_autofree char *text = NULL;
    guint n = 0;

    if (!g_file_get_contents(serial, &text, NULL, NULL))
        return 0;
    for (const char *p = text; (p = strstr(p, "GUEST-READY")) != NULL; p++)
        n++;
    return n;
}

static void
wait_ready(const char *serial, guint n)
{
    gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;

    while (count_ready(serial) < n) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        settle(20);
    }
}

static void
test_guest(Fixture *f, gconstpointer data)
{
    g_autofree char *dir = guest_dir();
    g_autofree char *serial = g_build_filename(f->tmpdir, "serial.log", NULL);
    g_autofree char *xml = NULL;
    g_autoptr(VbDomainObj) obj = NULL;
    Wait w = {0}, w2 = {0}, w3 = {0};

    if (dir == NULL) {
        g_test_skip("no test guest (set VB_TEST_GUEST_DIR or build ~/.cache/virtbus-test-guest)");
        return;
    }
    xml = g_strdup_printf(
        "<domain type='qemu'><name>guest</name><uuid>" UUID2 "</uuid>"
        "<memory>131072</memory><vcpu>1</vcpu>"
        "<os><type>hvm</type><kernel>%s/vmlinuz</kernel><initrd>%s/initrd.gz</initrd>"
        "<cmdline>console=ttyS0 quiet panic=-1</cmdline></os><features><acpi/></features>"
        "<devices><serial type='file'><source path='%s'/><target port='0'/></serial>"
        "<memballoon model='virtio'/></devices></domain>",
        dir, dir, serial);
    obj = define(f, xml);
    create(f, obj, 0);
    wait_ready(serial, 1);
    expect_events(f, "guest DEFINED/ADDED;guest STARTED/BOOTED;");

    /* the balloon moves, and says so */
    f->conn->driver->domain_set_memory(f->conn, obj, 98304, VB_QEMU_AFFECT_LIVE, on_done, &w);
    expect_ok(&w);
    /* the balloon reports on its way there */
    wait_events_end(f, "guest BalloonChange(98304,);");
    g_assert_cmpuint(obj->live->current_kib, ==, 98304);

    /* a reboot is a guest poweroff that becomes a reset */
    f->conn->driver->domain_reboot(f->conn, obj, 0, on_done, &w2);
    expect_ok(&w2);
    wait_ready(serial, 2);
    /* firmware may reset once more on its way: each reset is a Reboot signal */
    g_assert_true(g_str_has_prefix(f->events->str, "guest Reboot();"));
    g_assert_null(strstr(f->events->str, "STOPPED"));
    g_assert_null(strstr(f->events->str, "SHUTDOWN"));
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_RUNNING);
    settle(200);
    g_string_truncate(f->events, 0);

    /* and a shutdown ends it */
    f->conn->driver->domain_shutdown(f->conn, obj, 0, on_done, &w3);
    expect_ok(&w3);
    wait_events_end(f, "guest SHUTDOWN/FINISHED;guest STOPPED/SHUTDOWN;");
    g_assert_cmpint(obj->state, ==, VB_DOMAIN_SHUTOFF);
    g_assert_cmpint(obj->reason, ==, VB_SHUTOFF_SHUTDOWN);
}

int
main(int argc, char **argv)
{
    g_autofree char *qemu = NULL;
    const char *const env[][2] = {
        {"XDG_CONFIG_HOME", "config"}, {"XDG_DATA_HOME", "data"}, {"XDG_CACHE_HOME", "cache"},
        {"XDG_RUNTIME_DIR", "run"},    {"HOME", "home"},
    };
    int rc;

    /* before anything asks GLib for a user directory */
    real_home = g_strdup(g_getenv("HOME") != NULL ? g_getenv("HOME") : "/");
    top_dir = g_dir_make_tmp("vb-qemu-XXXXXX", NULL);
    g_assert_nonnull(top_dir);
    for (guint i = 0; i < G_N_ELEMENTS(env); i++) {
        g_autofree char *dir = g_build_filename(top_dir, env[i][1], NULL);

        g_mkdir_with_parents(dir, 0700);
        g_setenv(env[i][0], dir, TRUE);
    }
    /* short limits, so that a frozen qemu costs the tests a second */
    g_setenv(VB_QEMU_JOB_TIMEOUT_ENV, "500", TRUE);
    g_setenv(VB_QEMU_MONITOR_TIMEOUT_ENV, "1500", TRUE);
    g_setenv(VB_QEMU_KILL_GRACE_ENV, "2000", TRUE);
    g_test_init(&argc, &argv, NULL);
    signal(SIGABRT, on_abort);
    qemu = g_find_program_in_path("qemu-system-x86_64");
    if (qemu == NULL) {
        g_test_skip("qemu-system-x86_64 is not installed");
        rc = g_test_run();
        remove_tree(top_dir);
        g_free(top_dir);
        g_free(real_home);
        return rc;
    }
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD("/qemu-driver/open", test_open);
    ADD("/qemu-driver/define-persists", test_define_persists);
    ADD("/qemu-driver/define-errors", test_define_errors);
    ADD("/qemu-driver/lifecycle", test_lifecycle);
    ADD("/qemu-driver/start-paused", test_start_paused);
    ADD("/qemu-driver/create-xml", test_create_xml);
    ADD("/qemu-driver/missing-emulator", test_missing_emulator);
    ADD("/qemu-driver/reconnect", test_reconnect);
    ADD("/qemu-driver/reconnect-gone", test_reconnect_gone);
    ADD("/qemu-driver/crash", test_crash);
    ADD("/qemu-driver/hostile-disk", test_hostile_disk);
    ADD("/qemu-driver/job-timeouts", test_job_timeouts);
    ADD("/qemu-driver/destroy-frozen", test_destroy_frozen);
    ADD("/qemu-driver/save-restore", test_save_restore);
    ADD("/qemu-driver/managed-save", test_managed_save);
    ADD("/qemu-driver/core-dump", test_core_dump);
    ADD("/qemu-driver/stats", test_stats);
    ADD("/qemu-driver/config-ops", test_config_ops);
    ADD("/qemu-driver/hotplug", test_hotplug);
    ADD("/qemu-driver/connection-reads", test_connection_reads);
    ADD("/qemu-driver/hotplug-nic", test_hotplug_nic);
    ADD("/qemu-driver/vcpu-hotplug", test_vcpu_hotplug);
    ADD("/qemu-driver/guest", test_guest);
#undef ADD
    rc = g_test_run();
    remove_tree(top_dir);
    g_free(top_dir);
    g_free(real_home);
    return rc;
}
