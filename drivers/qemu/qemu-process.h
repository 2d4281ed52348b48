/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* supervision of QEMU processes: spawned children and, after a restart of the
 * service, processes found again by pid and start time. callbacks run on the
 * thread-default main context of the spawn or attach call. */

typedef struct _VbQemuProcess VbQemuProcess;

/* how a process ended */
typedef struct {
    gboolean known;    /* FALSE for an attached process: its parent got the status */
    gboolean signaled; /* killed by signal @code, else exited with status @code */
    int code;
    const char *log_tail; /* the last lines QEMU wrote to its log since it was started
                           * or attached, or NULL */
} VbQemuExit;

/* called once when the process is gone (before any kill completion) */
typedef void (*VbQemuProcessExited)(VbQemuProcess *proc, const VbQemuExit *exit,
                                    gpointer user_data);

/* qemuProcessLaunch's exec: starts @argv (char *; a trailing NULL is allowed) without a
 * shell, in its own process group, stdin /dev/null, stdout and stderr appended to
 * @log_path (created 0600) after a header line with the command line. @envp NULL
 * inherits the environment. fork/exec only: does not wait for QEMU */
VbQemuProcess *vb_qemu_process_spawn(const GPtrArray *argv, const char *const *envp,
                                     const char *log_path, VbQemuProcessExited exited,
                                     gpointer user_data, GError **error);
/* the same, and the child also gets @fds[i] as descriptor @targets[i] (>= 3, distinct),
 * as tap devices and incoming migration streams are handed to qemu; @fds stay the
 * caller's (the child gets duplicates) */
VbQemuProcess *vb_qemu_process_spawn_fds(const GPtrArray *argv, const char *const *envp,
                                         const char *log_path, const int *fds, const int *targets,
                                         guint n_fds, VbQemuProcessExited exited,
                                         gpointer user_data, GError **error);
/* qemuProcessReconnect: watches @pid when it is still the process that started at
 * @start_time (see vb_qemu_proc_stat), with a pidfd or, without one, a 200 ms poll;
 * VB_ERROR_OPERATION_FAILED "process N is gone" otherwise. does not block */
VbQemuProcess *vb_qemu_process_attach(pid_t pid, guint64 start_time, const char *log_path,
                                      VbQemuProcessExited exited, gpointer user_data,
                                      GError **error);
/* stops watching (the exited callback will not run) and frees; never kills */
void vb_qemu_process_free(VbQemuProcess *proc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbQemuProcess, vb_qemu_process_free)

pid_t vb_qemu_process_get_pid(const VbQemuProcess *proc);
/* field 22 of /proc/PID/stat: with the pid, identifies the process across restarts */
guint64 vb_qemu_process_get_start_time(const VbQemuProcess *proc);
gboolean vb_qemu_process_is_running(const VbQemuProcess *proc);
/* sends @signum unless the process is gone (then VB_ERROR_OPERATION_INVALID) */
gboolean vb_qemu_process_signal(VbQemuProcess *proc, int signum, GError **error);

/* virProcessKillPainfully without blocking: SIGTERM, then SIGKILL once @grace_ms
 * passed (@grace_ms 0: SIGKILL at once). completes TRUE when the process is gone,
 * or with VB_ERROR_OPERATION_FAILED when even SIGKILL did not end it in 10 s */
void vb_qemu_process_kill_async(VbQemuProcess *proc, guint grace_ms, GAsyncReadyCallback callback,
                                gpointer user_data);
gboolean vb_qemu_process_kill_finish(GAsyncResult *result, GError **error);

/* ---- /proc helpers for any pid (vcpu threads, reconnect) ---- */

typedef struct {
    char state;         /* 'R', 'S', 'Z', ... */
    guint64 user_ns;    /* utime */
    guint64 system_ns;  /* stime */
    guint64 start_time; /* field 22, clock ticks since boot */
    int processor;      /* cpu it last ran on */
} VbQemuProcStat;

/* /proc/PID/stat, or /proc/PID/task/TID/stat when @tid > 0; reads on the calling
 * thread (a virtual file) */
gboolean vb_qemu_proc_stat(pid_t pid, pid_t tid, VbQemuProcStat *stat, GError **error);
/* the thread ids of @pid (/proc/PID/task), a GArray of pid_t */
GArray *vb_qemu_proc_threads(pid_t pid, GError **error);
/* user + system cpu time of the whole process in ns */
gboolean vb_qemu_proc_cpu_time(pid_t pid, guint64 *ns, GError **error);
/* whether @pid exists, is not a zombie and started at @start_time */
gboolean vb_qemu_proc_is_same(pid_t pid, guint64 start_time);

/* virProcessSetAffinity: pins thread @tid to the cpus set in @cpumap */
gboolean vb_qemu_proc_set_affinity(pid_t tid, const gboolean *cpumap, gsize ncpus, GError **error);
/* virProcessGetAffinity: a gboolean per host cpu (@ncpus of them) */
GArray *vb_qemu_proc_get_affinity(pid_t tid, gsize ncpus, GError **error);

G_END_DECLS
