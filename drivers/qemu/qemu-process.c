/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-qemu"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "qemu-process.h"
#include "vb-error.h"

#define VB_QEMU_PROCESS_POLL_MS    200
#define VB_QEMU_PROCESS_SIGKILL_MS 10000
#define VB_QEMU_PROCESS_TAIL_BYTES 8192
#define VB_QEMU_PROCESS_TAIL_LINES 20

struct _VbQemuProcess {
    gint ref;
    GMainContext *context;
    pid_t pid;
    guint64 start_time;
    char *log_path;
    goffset log_offset;      /* where this run's output starts */
    GSubprocess *subprocess; /* spawned: we are the parent */
    int pidfd;               /* attached: -1 without pidfd_open */
    GSource *watch;          /* attached: the pidfd or the poll timer */
    GCancellable *cancellable;
    VbQemuProcessExited exited;
    gpointer user_data;
    gboolean running;
    gboolean freed;
    GPtrArray *kill_tasks; /* GTask*, completed when the process is gone */
    GSource *grace_timer;
    GSource *kill_timer;
};

static VbQemuProcess *
vb_qemu_process_ref(VbQemuProcess *proc)
{
    proc->ref++;
    return proc;
}

static void
vb_qemu_process_clear_source(GSource **source)
{
    if (*source == NULL)
        return;
    g_source_destroy(*source);
    g_clear_pointer(source, g_source_unref);
}

static void
vb_qemu_process_unref(VbQemuProcess *proc)
{
    if (--proc->ref > 0)
        return;
    vb_qemu_process_clear_source(&proc->watch);
    vb_qemu_process_clear_source(&proc->grace_timer);
    vb_qemu_process_clear_source(&proc->kill_timer);
    if (proc->pidfd >= 0)
        close(proc->pidfd);
    g_clear_object(&proc->subprocess);
    g_clear_object(&proc->cancellable);
    g_clear_pointer(&proc->kill_tasks, g_ptr_array_unref);
    g_main_context_unref(proc->context);
    g_free(proc->log_path);
    g_free(proc);
}

static VbQemuProcess *
vb_qemu_process_new(const char *log_path, VbQemuProcessExited exited, gpointer user_data)
{
    VbQemuProcess *proc = g_new0(VbQemuProcess, 1);

    proc->ref = 1;
    proc->context = g_main_context_ref_thread_default();
    proc->pidfd = -1;
    proc->log_path = g_strdup(log_path);
    proc->cancellable = g_cancellable_new();
    proc->exited = exited;
    proc->user_data = user_data;
    proc->kill_tasks = g_ptr_array_new_with_free_func(g_object_unref);
    return proc;
}

/* ---- the log ---- */

static gboolean
vb_qemu_process_write_all(int fd, const char *text)
{
    gsize len = strlen(text);

    while (len > 0) {
        ssize_t n = write(fd, text, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return FALSE;
        text += n;
        len -= n;
    }
    return TRUE;
}

static char *
vb_qemu_process_header(char **argv)
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *stamp = g_date_time_format(now, "%Y-%m-%d %H:%M:%S.%f");
    GString *header = g_string_new(NULL);

    /* %f is microseconds: keep milliseconds, as libvirt's logs do */
    stamp[strlen(stamp) - 3] = '\0';
    g_string_append_printf(header, "%s+0000: starting up virtbus %s\n", stamp, PACKAGE_VERSION);
    for (guint i = 0; argv[i] != NULL; i++) {
        /* quoted only where a shell would need it, so the line reads like a command */
        gboolean plain = *argv[i] != '\0' &&
                         strspn(argv[i], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789_./:=,@%+-") == strlen(argv[i]);
        g_autofree char *quoted = plain ? g_strdup(argv[i]) : g_shell_quote(argv[i]);

        if (i > 0)
            g_string_append_c(header, ' ');
        g_string_append(header, quoted);
    }
    g_string_append_c(header, '\n');
    return g_string_free(header, FALSE);
}

/* the last lines written from @offset on, or NULL */
static char *
vb_qemu_process_log_tail(const char *path, goffset offset)
{
    g_autofree char *buf = NULL;
    struct stat st;
    goffset start;
    ssize_t n;
    char *text;
    int fd;

    if (path == NULL)
        return NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= offset) {
        close(fd);
        return NULL;
    }
    start = MAX(offset, st.st_size - VB_QEMU_PROCESS_TAIL_BYTES);
    buf = g_malloc(st.st_size - start + 1);
    n = pread(fd, buf, st.st_size - start, start);
    close(fd);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    text = buf;
    /* drop a partial first line, then keep the last lines */
    if (start > offset && strchr(text, '\n') != NULL)
        text = strchr(text, '\n') + 1;
    g_strchomp(text);
    for (guint lines = 0, i = strlen(text); i > 0; i--) {
        if (text[i - 1] == '\n' && ++lines == VB_QEMU_PROCESS_TAIL_LINES) {
            text += i;
            break;
        }
    }
    return *text != '\0' ? g_strdup(text) : NULL;
}

/* ---- exit ---- */

static void
vb_qemu_process_gone(VbQemuProcess *proc, gboolean known, gboolean signaled, int code)
{
    g_autoptr(GPtrArray) tasks = NULL;
    g_autofree char *tail = NULL;
    VbQemuExit ex = {known, signaled, code, NULL};

    if (!proc->running)
        return;
    proc->running = FALSE;
    vb_qemu_process_ref(proc);
    vb_qemu_process_clear_source(&proc->watch);
    vb_qemu_process_clear_source(&proc->grace_timer);
    vb_qemu_process_clear_source(&proc->kill_timer);
    if (proc->pidfd >= 0) {
        close(proc->pidfd);
        proc->pidfd = -1;
    }
    tasks = g_steal_pointer(&proc->kill_tasks);
    proc->kill_tasks = g_ptr_array_new_with_free_func(g_object_unref);
    tail = vb_qemu_process_log_tail(proc->log_path, proc->log_offset);
    ex.log_tail = tail;
    if (proc->exited != NULL && !proc->freed)
        proc->exited(proc, &ex, proc->user_data);
    for (guint i = 0; i < tasks->len; i++)
        g_task_return_boolean(tasks->pdata[i], TRUE);
    vb_qemu_process_unref(proc);
}

static void
vb_qemu_process_waited(GObject *source, GAsyncResult *result, gpointer data)
{
    VbQemuProcess *proc = data;
    GSubprocess *sp = G_SUBPROCESS(source);

    if (g_subprocess_wait_finish(sp, result, NULL)) {
        if (g_subprocess_get_if_signaled(sp))
            vb_qemu_process_gone(proc, TRUE, TRUE, g_subprocess_get_term_sig(sp));
        else
            vb_qemu_process_gone(proc, TRUE, FALSE, g_subprocess_get_exit_status(sp));
    }
    vb_qemu_process_unref(proc);
}

static void
vb_qemu_process_child_setup(gpointer data)
{
    sigset_t none;

    /* between fork and exec: async-signal-safe calls only. a process group of its own
     * keeps the terminal's signals to the service away from the guests */
    setpgid(0, 0);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
}

/* qemuProcessLaunch's exec: fork and exec, does not wait for QEMU */
VbQemuProcess *
vb_qemu_process_spawn(const GPtrArray *argv, const char *const *envp, const char *log_path,
                      VbQemuProcessExited exited, gpointer user_data, GError **error)
{
    return vb_qemu_process_spawn_fds(argv, envp, log_path, NULL, NULL, 0, exited, user_data, error);
}

/* the same with inherited descriptors: fork and exec, does not wait for QEMU */
VbQemuProcess *
vb_qemu_process_spawn_fds(const GPtrArray *argv, const char *const *envp, const char *log_path,
                          const int *fds, const int *targets, guint n_fds,
                          VbQemuProcessExited exited, gpointer user_data, GError **error)
{
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
    g_autoptr(GError) local = NULL;
    g_autoptr(GSubprocess) sp = NULL;
    g_auto(GStrv) args = NULL;
    g_autofree char *header = NULL;
    VbQemuProcStat st;
    VbQemuProcess *proc;
    goffset offset = 0;
    int fd, fd2 = -1;

    g_return_val_if_fail(argv != NULL && log_path != NULL, NULL);
    for (guint i = 0; i < argv->len && argv->pdata[i] != NULL; i++)
        g_strv_builder_add(builder, argv->pdata[i]);
    args = g_strv_builder_end(builder);
    if (args[0] == NULL) {
        vb_error_set(error, VB_ERROR_INTERNAL, "empty QEMU command line");
        return NULL;
    }

    fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600);
    if (fd < 0) {
        int err = errno;

        vb_error_set(error, VB_ERROR_SYSTEM, "cannot open log file '%s': %s", log_path,
                     g_strerror(err));
        return NULL;
    }
    header = vb_qemu_process_header(args);
    if (!vb_qemu_process_write_all(fd, header) || (offset = lseek(fd, 0, SEEK_END)) < 0 ||
        (fd2 = fcntl(fd, F_DUPFD_CLOEXEC, 3)) < 0) {
        int err = errno;

        close(fd);
        vb_error_set(error, VB_ERROR_SYSTEM, "cannot write log file '%s': %s", log_path,
                     g_strerror(err));
        return NULL;
    }
    g_subprocess_launcher_take_stdout_fd(launcher, fd);
    g_subprocess_launcher_take_stderr_fd(launcher, fd2);
    for (guint i = 0; i < n_fds; i++) {
        int copy = targets[i] >= 3 ? fcntl(fds[i], F_DUPFD_CLOEXEC, 3) : -1;

        if (copy < 0) {
            int err = targets[i] >= 3 ? errno : EINVAL;

            vb_error_set(error, VB_ERROR_SYSTEM, "cannot pass descriptor %d to QEMU: %s", fds[i],
                         g_strerror(err));
            return NULL;
        }
        g_subprocess_launcher_take_fd(launcher, copy, targets[i]);
    }
    if (envp != NULL)
        g_subprocess_launcher_set_environ(launcher, (char **)envp);
    g_subprocess_launcher_set_child_setup(launcher, vb_qemu_process_child_setup, NULL, NULL);
    sp = g_subprocess_launcher_spawnv(launcher, (const char *const *)args, &local);
    if (sp == NULL) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "cannot execute binary %s: %s", args[0],
                     local->message);
        return NULL;
    }

    proc = vb_qemu_process_new(log_path, exited, user_data);
    proc->pid = atoi(g_subprocess_get_identifier(sp));
    proc->log_offset = offset;
    proc->running = TRUE;
    /* it may already have exited and been reaped: then there is no start time */
    if (vb_qemu_proc_stat(proc->pid, 0, &st, NULL))
        proc->start_time = st.start_time;
    proc->subprocess = g_steal_pointer(&sp);
    g_subprocess_wait_async(proc->subprocess, proc->cancellable, vb_qemu_process_waited,
                            vb_qemu_process_ref(proc));
    return proc;
}

/* ---- attached processes ---- */

static gboolean
vb_qemu_process_pidfd_ready(int fd, GIOCondition condition, gpointer data)
{
    VbQemuProcess *proc = data;

    vb_qemu_process_gone(proc, FALSE, FALSE, 0);
    return G_SOURCE_REMOVE;
}

static gboolean
vb_qemu_process_poll(gpointer data)
{
    VbQemuProcess *proc = data;

    if (vb_qemu_proc_is_same(proc->pid, proc->start_time))
        return G_SOURCE_CONTINUE;
    vb_qemu_process_gone(proc, FALSE, FALSE, 0);
    return G_SOURCE_REMOVE;
}

static int
vb_qemu_process_pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
    return syscall(SYS_pidfd_open, pid, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

/* qemuProcessReconnect's liveness part: does not block */
VbQemuProcess *
vb_qemu_process_attach(pid_t pid, guint64 start_time, const char *log_path,
                       VbQemuProcessExited exited, gpointer user_data, GError **error)
{
    VbQemuProcess *proc;
    struct stat st;
    int pidfd;

    if (pid <= 0 || !vb_qemu_proc_is_same(pid, start_time)) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "process %d is gone", (int)pid);
        return NULL;
    }
    pidfd = vb_qemu_process_pidfd_open(pid);
    /* the pid may have been reused between the check and the open: check again */
    if (pidfd >= 0 && !vb_qemu_proc_is_same(pid, start_time)) {
        close(pidfd);
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "process %d is gone", (int)pid);
        return NULL;
    }
    proc = vb_qemu_process_new(log_path, exited, user_data);
    proc->pid = pid;
    proc->start_time = start_time;
    proc->running = TRUE;
    if (log_path != NULL && stat(log_path, &st) == 0)
        proc->log_offset = st.st_size;
    if (pidfd >= 0) {
        proc->pidfd = pidfd;
        proc->watch = g_unix_fd_source_new(pidfd, G_IO_IN);
        g_source_set_callback(proc->watch, G_SOURCE_FUNC(vb_qemu_process_pidfd_ready), proc, NULL);
    } else {
        proc->watch = g_timeout_source_new(VB_QEMU_PROCESS_POLL_MS);
        g_source_set_callback(proc->watch, vb_qemu_process_poll, proc, NULL);
    }
    g_source_attach(proc->watch, proc->context);
    return proc;
}

/* ---- signals ---- */

static gboolean
vb_qemu_process_send(VbQemuProcess *proc, int signum)
{
    if (!proc->running)
        return FALSE;
    if (proc->subprocess != NULL) {
        /* a no-op once GLib reaped the child, so never a reused pid */
        g_subprocess_send_signal(proc->subprocess, signum);
        return TRUE;
    }
#ifdef SYS_pidfd_send_signal
    if (proc->pidfd >= 0)
        return syscall(SYS_pidfd_send_signal, proc->pidfd, signum, NULL, 0) == 0;
#endif
    return vb_qemu_proc_is_same(proc->pid, proc->start_time) && kill(proc->pid, signum) == 0;
}

/* kill(2) on a watched process: does not block */
gboolean
vb_qemu_process_signal(VbQemuProcess *proc, int signum, GError **error)
{
    if (!vb_qemu_process_send(proc, signum)) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID, "process %d is not running",
                     (int)proc->pid);
        return FALSE;
    }
    return TRUE;
}

static gboolean
vb_qemu_process_kill_timeout(gpointer data)
{
    VbQemuProcess *proc = data;
    g_autoptr(GPtrArray) tasks = g_steal_pointer(&proc->kill_tasks);

    g_clear_pointer(&proc->kill_timer, g_source_unref);
    proc->kill_tasks = g_ptr_array_new_with_free_func(g_object_unref);
    vb_qemu_process_ref(proc);
    for (guint i = 0; i < tasks->len; i++)
        g_task_return_new_error(tasks->pdata[i], VB_ERROR, VB_ERROR_OPERATION_FAILED,
                                "operation failed: failed to terminate process %d with SIGKILL",
                                (int)proc->pid);
    vb_qemu_process_unref(proc);
    return G_SOURCE_REMOVE;
}

static void
vb_qemu_process_escalate(VbQemuProcess *proc)
{
    vb_qemu_process_clear_source(&proc->grace_timer);
    if (proc->kill_timer != NULL)
        return;
    vb_qemu_process_send(proc, SIGKILL);
    proc->kill_timer = g_timeout_source_new(VB_QEMU_PROCESS_SIGKILL_MS);
    g_source_set_callback(proc->kill_timer, vb_qemu_process_kill_timeout, proc, NULL);
    g_source_attach(proc->kill_timer, proc->context);
}

static gboolean
vb_qemu_process_grace_over(gpointer data)
{
    VbQemuProcess *proc = data;

    g_clear_pointer(&proc->grace_timer, g_source_unref);
    vb_qemu_process_escalate(proc);
    return G_SOURCE_REMOVE;
}

/* virProcessKillPainfully, without blocking */
void
vb_qemu_process_kill_async(VbQemuProcess *proc, guint grace_ms, GAsyncReadyCallback callback,
                           gpointer user_data)
{
    g_autoptr(GTask) task = g_task_new(NULL, NULL, callback, user_data);

    g_task_set_source_tag(task, vb_qemu_process_kill_async);
    if (!proc->running) {
        g_task_return_boolean(task, TRUE);
        return;
    }
    g_ptr_array_add(proc->kill_tasks, g_steal_pointer(&task));
    if (grace_ms == 0) {
        vb_qemu_process_escalate(proc);
    } else if (proc->grace_timer == NULL && proc->kill_timer == NULL) {
        vb_qemu_process_send(proc, SIGTERM);
        proc->grace_timer = g_timeout_source_new(grace_ms);
        g_source_set_callback(proc->grace_timer, vb_qemu_process_grace_over, proc, NULL);
        g_source_attach(proc->grace_timer, proc->context);
    }
}

/* the end of vb_qemu_process_kill_async: does not block */
gboolean
vb_qemu_process_kill_finish(GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, NULL), FALSE);
    return g_task_propagate_boolean(G_TASK(result), error);
}

/* stops watching: does not block, never kills */
void
vb_qemu_process_free(VbQemuProcess *proc)
{
    g_autoptr(GPtrArray) tasks = NULL;

    if (proc == NULL)
        return;
    proc->freed = TRUE;
    g_cancellable_cancel(proc->cancellable);
    vb_qemu_process_clear_source(&proc->watch);
    vb_qemu_process_clear_source(&proc->grace_timer);
    vb_qemu_process_clear_source(&proc->kill_timer);
    tasks = g_steal_pointer(&proc->kill_tasks);
    proc->kill_tasks = g_ptr_array_new_with_free_func(g_object_unref);
    for (guint i = 0; i < tasks->len; i++)
        g_task_return_new_error(tasks->pdata[i], VB_ERROR, VB_ERROR_OPERATION_FAILED,
                                "operation failed: stopped watching process %d", (int)proc->pid);
    vb_qemu_process_unref(proc);
}

/* virDomainObj's pid: does not block */
pid_t
vb_qemu_process_get_pid(const VbQemuProcess *proc)
{
    return proc->pid;
}

/* what the run dir records beside the pid: does not block */
guint64
vb_qemu_process_get_start_time(const VbQemuProcess *proc)
{
    return proc->start_time;
}

/* FALSE once the exited callback ran: does not block */
gboolean
vb_qemu_process_is_running(const VbQemuProcess *proc)
{
    return proc->running;
}

/* ---- /proc ---- */

/* /proc/PID/stat: reads a virtual file on the calling thread */
gboolean
vb_qemu_proc_stat(pid_t pid, pid_t tid, VbQemuProcStat *stat, GError **error)
{
    g_autofree char *path = tid > 0 ? g_strdup_printf("/proc/%d/task/%d/stat", (int)pid, (int)tid)
                                    : g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *text = NULL;
    g_auto(GStrv) f = NULL;
    guint64 ns_per_tick = 1000000000ULL / (guint64)MAX(sysconf(_SC_CLK_TCK), 1);
    const char *end;

    memset(stat, 0, sizeof(*stat));
    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "cannot read %s: no such process", path);
        return FALSE;
    }
    /* the command name may hold spaces and parentheses: fields start after the last ')' */
    end = strrchr(text, ')');
    if (end != NULL && end[1] == ' ')
        f = g_strsplit(end + 2, " ", -1);
    if (f == NULL || g_strv_length(f) < 37) {
        vb_error_set(error, VB_ERROR_INTERNAL, "cannot parse %s", path);
        return FALSE;
    }
    /* f[0] is field 3 (state) of proc(5) */
    stat->state = f[0][0];
    stat->user_ns = g_ascii_strtoull(f[11], NULL, 10) * ns_per_tick;
    stat->system_ns = g_ascii_strtoull(f[12], NULL, 10) * ns_per_tick;
    stat->start_time = g_ascii_strtoull(f[19], NULL, 10);
    stat->processor = (int)g_ascii_strtoll(f[36], NULL, 10);
    return TRUE;
}

/* /proc/PID/task: reads a virtual directory on the calling thread */
GArray *
vb_qemu_proc_threads(pid_t pid, GError **error)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/task", (int)pid);
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    GArray *tids;
    const char *name;

    if (dir == NULL) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "cannot read %s: no such process", path);
        return NULL;
    }
    tids = g_array_new(FALSE, FALSE, sizeof(pid_t));
    while ((name = g_dir_read_name(dir)) != NULL) {
        guint64 tid;

        if (g_ascii_string_to_unsigned(name, 10, 1, G_MAXINT, &tid, NULL)) {
            pid_t t = (pid_t)tid;

            g_array_append_val(tids, t);
        }
    }
    return tids;
}

/* virProcessGetStatInfo's cpu time: reads a virtual file on the calling thread */
gboolean
vb_qemu_proc_cpu_time(pid_t pid, guint64 *ns, GError **error)
{
    VbQemuProcStat st;

    if (!vb_qemu_proc_stat(pid, 0, &st, error))
        return FALSE;
    *ns = st.user_ns + st.system_ns;
    return TRUE;
}

/* virProcessGetStartTime compared: reads a virtual file on the calling thread */
gboolean
vb_qemu_proc_is_same(pid_t pid, guint64 start_time)
{
    VbQemuProcStat st;

    return pid > 0 && vb_qemu_proc_stat(pid, 0, &st, NULL) && st.state != 'Z' && st.state != 'X' &&
           st.start_time == start_time;
}

/* virProcessSetAffinity: a syscall, does not block */
gboolean
vb_qemu_proc_set_affinity(pid_t tid, const gboolean *cpumap, gsize ncpus, GError **error)
{
    cpu_set_t *set = CPU_ALLOC(MAX(ncpus, 1));
    gsize size = CPU_ALLOC_SIZE(MAX(ncpus, 1));
    int rc, err;

    CPU_ZERO_S(size, set);
    for (gsize i = 0; i < ncpus; i++) {
        if (cpumap[i])
            CPU_SET_S(i, size, set);
    }
    rc = sched_setaffinity(tid, size, set);
    err = errno;
    CPU_FREE(set);
    if (rc < 0) {
        vb_error_set(error, VB_ERROR_SYSTEM, "cannot set CPU affinity on process %d: %s", (int)tid,
                     g_strerror(err));
        return FALSE;
    }
    return TRUE;
}

/* virProcessGetAffinity: a syscall, does not block */
GArray *
vb_qemu_proc_get_affinity(pid_t tid, gsize ncpus, GError **error)
{
    gsize capacity = MAX(ncpus, (gsize)CPU_SETSIZE);

    for (;;) {
        cpu_set_t *set = CPU_ALLOC(capacity);
        gsize size = CPU_ALLOC_SIZE(capacity);
        GArray *map;
        int err;

        CPU_ZERO_S(size, set);
        if (sched_getaffinity(tid, size, set) < 0) {
            err = errno;
            CPU_FREE(set);
            /* the kernel's cpu mask is larger than ours */
            if (err == EINVAL && capacity < 1024 * 1024) {
                capacity *= 2;
                continue;
            }
            vb_error_set(error, VB_ERROR_SYSTEM, "cannot get CPU affinity of process %d: %s",
                         (int)tid, g_strerror(err));
            return NULL;
        }
        map = g_array_sized_new(FALSE, TRUE, sizeof(gboolean), ncpus);
        for (gsize i = 0; i < ncpus; i++) {
            gboolean on = CPU_ISSET_S(i, size, set) != 0;

            g_array_append_val(map, on);
        }
        CPU_FREE(set);
        return map;
    }
}
