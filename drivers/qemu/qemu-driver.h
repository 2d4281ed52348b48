/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <sys/types.h>

#include "driver.h"
#include "qemu-capabilities.h"
#include "qemu-monitor.h"
#include "qemu-process.h"

G_BEGIN_DECLS

/* private to the QEMU driver (qemu-driver.c, qemu-domain.c, qemu-start.c,
 * qemu-lifecycle.c, qemu-ops.c, qemu-save.c, qemu-hotplug.c, qemu-stats.c, qemu-state.c,
 * qemu-tap.c). everything here runs on the main loop
 * unless it says "worker". */

#define VB_QEMU_JOB_TIMEOUT_ENV     "VB_QEMU_JOB_TIMEOUT_MS"
#define VB_QEMU_MONITOR_TIMEOUT_ENV "VB_QEMU_MONITOR_TIMEOUT_MS"
#define VB_QEMU_KILL_GRACE_ENV      "VB_QEMU_KILL_GRACE_MS"
#define VB_QEMU_DEFAULT_JOB_MS      30000
#define VB_QEMU_DEFAULT_KILL_MS     10000
/* libvirt waits this long for a guest to release an unplugged device */
#define VB_QEMU_UNPLUG_WAIT_MS 5000
/* libvirt's answer for TCG in virConnectGetMaxVcpus */
#define VB_QEMU_TCG_MAX_VCPUS 16

extern const guint8 vb_qemu_mac_prefix[3];

/* libvirt's flag bits (API.md, Flags) */
enum {
    VB_QEMU_AFFECT_LIVE = 1,
    VB_QEMU_AFFECT_CONFIG = 2,
    VB_QEMU_MEM_MAXIMUM = 4,
    VB_QEMU_VCPU_MAXIMUM = 4,
    VB_QEMU_VCPU_GUEST = 8,
};
enum {
    VB_QEMU_START_PAUSED = 1,
    VB_QEMU_START_AUTODESTROY = 2,
    VB_QEMU_START_BYPASS_CACHE = 4,
    VB_QEMU_START_FORCE_BOOT = 8,
    VB_QEMU_START_VALIDATE = 16,
};
enum {
    VB_QEMU_SAVE_BYPASS_CACHE = 1,
    VB_QEMU_SAVE_RUNNING = 2,
    VB_QEMU_SAVE_PAUSED = 4,
};

/* a disk whose owner was handed to the qemu user (qemu:///system) */
typedef struct {
    char *path;
    uid_t uid;
    gid_t gid;
} VbQemuOwner;

void vb_qemu_owner_free(gpointer owner);

/* the per-connection state (VbConn.priv); jobs and workers hold references, and a
 * closed connection leaves conn NULL for them to notice */
typedef struct {
    gint ref;
    VbConn *conn;
    gboolean privileged; /* qemu:///system */
    char *config_dir;    /* <name>.xml definitions */
    char *autostart_dir; /* autostart/<name> links */
    char *run_dir;       /* <name>.status files and monitor sockets */
    char *log_dir;       /* <name>.log */
    char *save_dir;      /* <name>.save managed save images */
    char *socket_dir;    /* run_dir, or a short private directory when that is too long */
    char *user;          /* qemu:///system: -runas */
    uid_t uid;
    gid_t gid;
    guint job_timeout_ms;
    guint monitor_timeout_ms;
    guint kill_grace_ms;
    GSource *autostart_idle;
    GHashTable *defining; /* names being written by a define: no two at once */
} VbQemuConn;

typedef struct _VbQemuJob VbQemuJob;
typedef void (*VbQemuJobFunc)(VbQemuJob *job);

/* one modifying operation on a domain: it holds the domain's state change lock from
 * start to finish; others queue behind it */
struct _VbQemuJob {
    VbQemuConn *qc;   /* a reference */
    VbDomainObj *obj; /* a reference, or NULL for connection-wide work */
    const char *op;   /* libvirt's function, for "held by" */
    guint flags;
    VbDone done;
    gpointer data;
    VbQemuJobFunc start;
    GSource *wait_timer; /* while queued */
    gint64 start_us;
    gboolean holds_lock;
    /* scratch space of the operations */
    char *path;
    char *xml;
    char *text;
    VbDomainDef *def;
    VbDomainDeviceDef *dev;
    GError *error; /* kept while the process is taken down */
    int fd;
    int state;                 /* a save image's VB_DOMAIN_RUNNING/PAUSED */
    gboolean start_paused;     /* stay paused after starting */
    gboolean start_running;    /* run even when the image was paused */
    int started_detail;        /* STARTED/...: BOOTED or RESTORED */
    gboolean return_obj;       /* the result is a new reference to obj */
    gboolean autodestroy;      /* START_AUTODESTROY */
    VbQemuJobFunc after_start; /* runs instead of finishing once a start succeeded */
    guint64 number;
    guint64 number2;
    GPtrArray *seq; /* VbQemuQmpStep* still to send (vb_qemu_job_qmp_seq) */
    VbQemuJobFunc seq_next;
    gpointer result;
    GDestroyNotify result_free;
    gpointer extra;
    GDestroyNotify extra_free;
};

/* the per-domain state (VbDomainObj.priv) */
typedef struct {
    VbConn *conn;      /* while a process or monitor is watched */
    VbQemuJob *job;    /* holder of the state change lock */
    GSource *dispatch; /* starts the next waiter */
    GQueue waiters;    /* VbQemuJob* */
    VbQemuProcess *proc;
    VbQemuMonitor *mon;
    GCancellable *open_cancel; /* the monitor being opened */
    char *monitor_path;
    char *log_path;
    GArray *vcpu_tids;      /* pid_t per vcpu, from query-cpus-fast */
    GPtrArray *owners;      /* VbQemuOwner*, restored when qemu is gone */
    gboolean starting;      /* spawned, not yet STARTED: no events on failure */
    gboolean ran;           /* got to running once: a death is a crash, not a failure */
    gboolean stopping;      /* we are taking the process down */
    int stop_reason;        /* VbShutoffReason for the coming exit, -1: none */
    gboolean restart_after; /* start again once gone (on_crash restart) */
    guint expect_stop;      /* STOP events of our own stop commands still to come */
    guint expect_resume;    /* RESUME events of our own cont commands */
    gboolean fake_reboot;   /* a guest poweroff is a reboot request */
    gboolean shutting_down; /* SHUTDOWN seen: the STOP that follows is no pause */
    int pause_reason;       /* VbPausedReason for the next STOP, -1: none */
    int pause_detail;
    char *exit_reason;       /* why the last process ended (the log tail) */
    GPtrArray *exit_waiters; /* VbQemuJob* to fail once the process is gone */
    GPtrArray *unplugs;      /* VbQemuUnplug* waiting for DEVICE_DELETED */
    guint hotplug_ports;     /* q35 root ports in use, a bit each */
    gint64 job_wait_us;
} VbQemuDomain;

static inline VbQemuConn *
vb_qemu_conn(VbConn *conn)
{
    return conn->priv;
}

static inline VbQemuDomain *
vb_qemu_dom(const VbDomainObj *obj)
{
    return obj->priv;
}

/* ---- qemu-driver.c ---- */
VbQemuConn *vb_qemu_conn_ref(VbQemuConn *qc);
void vb_qemu_conn_unref(VbQemuConn *qc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbQemuConn, vb_qemu_conn_unref)
char *vb_qemu_config_path(VbQemuConn *qc, const char *name);
char *vb_qemu_autostart_path(VbQemuConn *qc, const char *name);
char *vb_qemu_status_path(VbQemuConn *qc, const char *name);
char *vb_qemu_log_path(VbQemuConn *qc, const char *name);
char *vb_qemu_managed_path(VbQemuConn *qc, const char *name);
char *vb_qemu_socket_path(VbQemuConn *qc, const VbDomainObj *obj);
/* the emulator a definition runs with: <emulator>, else the one for its arch */
char *vb_qemu_def_emulator(const VbDomainDef *def, GError **error);

/* ---- qemu-domain.c: objects, jobs, lifecycle, events ---- */
VbDomainObj *vb_qemu_domain_obj_new(VbDomainDef *def, gboolean persistent);
gboolean vb_qemu_check_def(const VbDomainDef *def, GError **error);
VbDomainDef *vb_qemu_parse(const char *xml, gboolean validate, GError **error);
gboolean vb_qemu_check_active(const VbDomainObj *obj, GError **error);
gboolean vb_qemu_check_running(const VbDomainObj *obj, GError **error);
void vb_qemu_complete(VbDone done, gpointer data, gpointer result, GError *error);

VbQemuJob *vb_qemu_job_new(VbConn *conn, VbDomainObj *obj, const char *op, guint flags, VbDone done,
                           gpointer data);
/* takes the domain's lock (now, or after those queued before; a timeout fails the job)
 * and runs @start; a job without a domain starts at once */
void vb_qemu_job_begin(VbQemuJob *job, VbQemuJobFunc start);
/* completes the operation (@error taken), releases the lock and frees @job */
void vb_qemu_job_finish(VbQemuJob *job, gpointer result, GError *error);
/* FALSE (and the job finished with an error) when the connection closed meanwhile */
gboolean vb_qemu_job_alive(VbQemuJob *job);
/* a QMP command for the job's domain; fails at once without a monitor */
void vb_qemu_job_qmp(VbQemuJob *job, const char *execute, JsonNode *args,
                     GAsyncReadyCallback callback);
void vb_qemu_job_qmp_fd(VbQemuJob *job, const char *execute, JsonNode *args, int fd,
                        GAsyncReadyCallback callback);
/* the end of a job's QMP command: NULL and the job finished with the error (with the
 * log tail when qemu died) */
JsonNode *vb_qemu_job_qmp_finish(VbQemuJob *job, GAsyncResult *result, gboolean *failed);
/* a QMP command of a sequence: @args and @fd (when >= 0) taken */
typedef struct {
    char *execute;
    JsonNode *args;
    int fd;
} VbQemuQmpStep;
void vb_qemu_qmp_step_add(GPtrArray *seq, const char *execute, JsonNode *args, int fd);
GPtrArray *vb_qemu_qmp_seq_new(void);
/* sends @seq's commands one after the other, then runs @next; the first failure
 * finishes the job */
void vb_qemu_job_qmp_seq(VbQemuJob *job, GPtrArray *seq, VbQemuJobFunc next);
/* fails @job with @error once the process is gone (it is being killed) */
void vb_qemu_job_fail_when_gone(VbQemuJob *job, GError *error);

/* the domain's monitor command outside a job (stats, events' follow-ups) */
gboolean vb_qemu_domain_qmp(VbConn *conn, VbDomainObj *obj, const char *execute, JsonNode *args,
                            GAsyncReadyCallback callback, gpointer data, GError **error);

/* the process's exit and the monitor's events and end (qemu-domain.c) */
void vb_qemu_on_exit(VbQemuProcess *proc, const VbQemuExit *exit, gpointer data);
extern const VbQemuMonitorCallbacks vb_qemu_monitor_callbacks;
/* a kill whose end nobody waits for */
void vb_qemu_kill_noop(GObject *source, GAsyncResult *result, gpointer data);

/* ---- qemu-start.c ---- */
/* starting: a fresh process for @live (owned) with @flags (START_*); @incoming_fd >= 0
 * restores from that descriptor (taken) in state @image_state; the job finishes when
 * the domain runs (or is paused) */
void vb_qemu_domain_start(VbQemuJob *job, VbDomainDef *live, int incoming_fd, int image_state);
/* takes the domain's process down with @reason; @callback runs once it is gone */
void vb_qemu_domain_kill(VbConn *conn, VbDomainObj *obj, int reason, guint grace_ms,
                         GAsyncReadyCallback callback, gpointer data);
/* a running domain found again after a restart */
void vb_qemu_domain_reconnect(VbConn *conn, VbDomainObj *obj, pid_t pid, guint64 start_time,
                              const char *monitor_path);
/* STARTED/@detail, then SUSPENDED when the domain stays paused */
void vb_qemu_domain_started(VbConn *conn, VbDomainObj *obj, int detail, gboolean paused,
                            int suspended_detail);

/* ---- qemu-domain.c, again ---- */
/* the process is gone: state, events, files (see qemu-domain.c) */
void vb_qemu_domain_gone(VbConn *conn, VbDomainObj *obj, const char *tail);
/* sends "stop"/"cont" and keeps the QMP event they cause from showing as an event;
 * @next runs on success, a failure finishes the job */
void vb_qemu_job_pause(VbQemuJob *job, VbQemuJobFunc next);
void vb_qemu_job_cont(VbQemuJob *job, VbQemuJobFunc next);
void vb_qemu_domain_pause_state(VbDomainObj *obj, int reason);
void vb_qemu_domain_run_state(VbDomainObj *obj, int reason);

/* stops watching every process without killing: close, daemon shutdown */
void vb_qemu_domain_detach(VbConn *conn, VbDomainObj *obj);
/* the status file of a running domain, written on a worker; @done may be NULL */
void vb_qemu_domain_save_status(VbConn *conn, VbDomainObj *obj, VbQemuJob *job, VbQemuJobFunc done);

void vb_qemu_domain_define_xml(VbConn *conn, const char *xml, guint flags, VbDone done,
                               gpointer data);
void vb_qemu_domain_create_xml(VbConn *conn, const char *xml, guint flags, VbDone done,
                               gpointer data);
void vb_qemu_domain_create(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data);
void vb_qemu_domain_shutdown(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                             gpointer data);
void vb_qemu_domain_reboot(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data);
void vb_qemu_domain_reset(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data);
void vb_qemu_domain_destroy(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                            gpointer data);
void vb_qemu_domain_suspend(VbConn *conn, VbDomainObj *obj, VbDone done, gpointer data);
void vb_qemu_domain_resume(VbConn *conn, VbDomainObj *obj, VbDone done, gpointer data);
void vb_qemu_domain_undefine(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                             gpointer data);

/* ---- qemu-ops.c ---- */
void vb_qemu_domain_save(VbConn *conn, VbDomainObj *obj, const char *to, const char *xml,
                         guint flags, VbDone done, gpointer data);
void vb_qemu_domain_restore(VbConn *conn, const char *from, const char *xml, guint flags,
                            VbDone done, gpointer data);
void vb_qemu_save_image_get_xml(VbConn *conn, const char *file, guint flags, VbDone done,
                                gpointer data);
void vb_qemu_save_image_define_xml(VbConn *conn, const char *file, const char *xml, guint flags,
                                   VbDone done, gpointer data);
void vb_qemu_domain_managed_save(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                                 gpointer data);
void vb_qemu_domain_managed_save_remove(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                                        gpointer data);
/* Create of a domain with a managed save image (a job holding the lock) */
void vb_qemu_domain_start_managed(VbQemuJob *job);
void vb_qemu_domain_core_dump(VbConn *conn, VbDomainObj *obj, const char *to, guint format,
                              guint flags, VbDone done, gpointer data);
void vb_qemu_domain_set_autostart(VbConn *conn, VbDomainObj *obj, gboolean autostart, VbDone done,
                                  gpointer data);
void vb_qemu_domain_set_memory(VbConn *conn, VbDomainObj *obj, guint64 kib, guint flags,
                               VbDone done, gpointer data);
void vb_qemu_domain_set_max_memory(VbConn *conn, VbDomainObj *obj, guint64 kib, guint flags,
                                   VbDone done, gpointer data);
void vb_qemu_domain_set_vcpus(VbConn *conn, VbDomainObj *obj, guint vcpus, guint flags, VbDone done,
                              gpointer data);
void vb_qemu_domain_pin_vcpu(VbConn *conn, VbDomainObj *obj, guint vcpu, const gboolean *cpumap,
                             gsize ncpus, guint flags, VbDone done, gpointer data);
GVariant *vb_qemu_domain_get_scheduler_params(VbConn *conn, VbDomainObj *obj, guint flags,
                                              GError **error);
char *vb_qemu_domain_get_scheduler_type(VbConn *conn, VbDomainObj *obj, int *nparams,
                                        GError **error);
void vb_qemu_domain_set_scheduler_params(VbConn *conn, VbDomainObj *obj, GVariant *params,
                                         guint flags, VbDone done, gpointer data);
void vb_qemu_domain_set_metadata(VbConn *conn, VbDomainObj *obj, int type, const char *metadata,
                                 const char *key, const char *uri, guint flags, VbDone done,
                                 gpointer data);
void vb_qemu_domain_rename(VbConn *conn, VbDomainObj *obj, const char *name, guint flags,
                           VbDone done, gpointer data);
void vb_qemu_domain_inject_nmi(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                               gpointer data);
void vb_qemu_domain_send_key(VbConn *conn, VbDomainObj *obj, guint codeset, guint holdtime,
                             const guint *keycodes, gsize nkeycodes, guint flags, VbDone done,
                             gpointer data);
/* writes obj's config (or @def) to its file on a worker, then runs @next */
void vb_qemu_job_write_config(VbQemuJob *job, const VbDomainDef *def, VbQemuJobFunc next);
/* replaces the definitions that changed; a config change of a running domain shows in
 * Updated */
void vb_qemu_commit(VbDomainObj *obj, VbDomainDef *live, VbDomainDef *config);

/* ---- qemu-hotplug.c ---- */
void vb_qemu_domain_attach_device(VbConn *conn, VbDomainObj *obj, const char *xml, guint flags,
                                  VbDone done, gpointer data);
void vb_qemu_domain_detach_device(VbConn *conn, VbDomainObj *obj, const char *xml, guint flags,
                                  VbDone done, gpointer data);
void vb_qemu_domain_update_device(VbConn *conn, VbDomainObj *obj, const char *xml, guint flags,
                                  VbDone done, gpointer data);
/* DEVICE_DELETED for qemu device @id */
void vb_qemu_hotplug_device_deleted(VbConn *conn, VbDomainObj *obj, const char *id);
/* a domain stops: pending unplugs end */
void vb_qemu_hotplug_clear(VbDomainObj *obj);

/* ---- qemu-stats.c ---- */
guint64 vb_qemu_domain_get_cpu_time(VbConn *conn, VbDomainObj *obj);
gboolean vb_qemu_domain_get_control_info(VbConn *conn, VbDomainObj *obj, guint flags,
                                         VbControlInfo *info, GError **error);
GArray *vb_qemu_domain_get_vcpu_info(VbConn *conn, VbDomainObj *obj, guint flags, GError **error);
void vb_qemu_domain_get_stats(VbConn *conn, VbDomainObj *obj, guint stats, guint flags, VbDone done,
                              gpointer data);
void vb_qemu_domain_memory_stats(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                                 gpointer data);
void vb_qemu_domain_block_stats(VbConn *conn, VbDomainObj *obj, const char *disk, guint flags,
                                VbDone done, gpointer data);
void vb_qemu_domain_interface_stats(VbConn *conn, VbDomainObj *obj, const char *device, guint flags,
                                    VbDone done, gpointer data);
void vb_qemu_domain_interface_addresses(VbConn *conn, VbDomainObj *obj, guint source, guint flags,
                                        VbDone done, gpointer data);
/* query-cpus-fast: the vcpu threads, then @next */
void vb_qemu_job_refresh_vcpus(VbQemuJob *job, VbQemuJobFunc next);

/* ---- qemu-state.c: files, each write atomic, each call on a worker unless said ---- */
gboolean vb_qemu_remove_file(const char *path, GError **error);
/* mkdir -p with @mode for what it creates (any thread) */
gboolean vb_qemu_make_dir(const char *path, int mode, GError **error);

/* runs @func(@data) on a worker; @done gets its result (or error, owned) on the main
 * loop. @data is freed with @data_free after @done */
typedef gpointer (*VbQemuWorkFunc)(gpointer data, GError **error);
typedef void (*VbQemuWorkDone)(gpointer result, GError *error, gpointer user_data);
void vb_qemu_work(VbQemuWorkFunc func, gpointer data, GDestroyNotify data_free,
                  GDestroyNotify result_free, VbQemuWorkDone done, gpointer user_data);
/* the same on one worker thread that takes the calls in order (status files) */
void vb_qemu_work_serial(VbQemuWorkFunc func, gpointer data, GDestroyNotify data_free,
                         GDestroyNotify result_free, VbQemuWorkDone done, gpointer user_data);
/* the same for a job: @step gets the job back with the result (owned) or error (owned);
 * it is not called when the connection closed meanwhile (the job is finished then) */
typedef void (*VbQemuJobStep)(VbQemuJob *job, gpointer result, GError *error);
void vb_qemu_job_work(VbQemuJob *job, VbQemuWorkFunc func, gpointer data, GDestroyNotify data_free,
                      GDestroyNotify result_free, VbQemuJobStep step);
void vb_qemu_job_work_serial(VbQemuJob *job, VbQemuWorkFunc func, gpointer data,
                             GDestroyNotify data_free, GDestroyNotify result_free,
                             VbQemuJobStep step);

/* status files: what a restarted service needs to find a running domain again */
typedef struct {
    pid_t pid;
    guint64 start_time;
    int id;
    char *monitor_path;
    char *xml; /* the live definition, secure form */
    gboolean persistent;
    gboolean autodestroy;
    gboolean ran;
    int state;
    int reason;
    GPtrArray *owners; /* VbQemuOwner* */
} VbQemuStatus;

void vb_qemu_status_free(VbQemuStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbQemuStatus, vb_qemu_status_free)
char *vb_qemu_status_format(const VbQemuStatus *status, gsize *len);
/* synchronous (open only: a small file) */
VbQemuStatus *vb_qemu_status_load(const char *path, GError **error);

/* save images: a header with the domain XML, then qemu's migration stream at
 * data_offset (a multiple of 4096) */
typedef struct {
    int state; /* VB_DOMAIN_RUNNING or VB_DOMAIN_PAUSED when saved */
    char *xml;
    guint64 data_offset;
} VbQemuImage;

void vb_qemu_image_free(VbQemuImage *image);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbQemuImage, vb_qemu_image_free)
/* header and XML, padded to the data offset */
GBytes *vb_qemu_image_header(int state, const char *xml, guint64 *data_offset);
/* reads and checks the header of the image open at @fd (worker) */
VbQemuImage *vb_qemu_image_read(int fd, const char *path, GError **error);
/* opens @path for reading, checks the header and leaves the descriptor at the migration
 * stream (worker); -1 with @error */
int vb_qemu_image_open(const char *path, VbQemuImage **image, GError **error);
/* a new temp file beside @path with @header written, positioned after it (worker); put
 * it in place with vb_file_atomic_commit() */
int vb_qemu_image_create(const char *path, GBytes *header, char **tmp_path, GError **error);
/* copies @path's stream behind a new header (SaveImageDefineXML) (worker) */
gboolean vb_qemu_image_rewrite(const char *path, int state, const char *xml, GError **error);
/* a line in the domain's log */
void vb_qemu_log_append(const char *log_path, const char *text);

/* ---- qemu-tap.c: host side of NICs ---- */
typedef struct {
    GArray *fds; /* int, one per tap NIC, in NIC order */
    GPtrArray *names;
} VbQemuTaps;

void vb_qemu_taps_free(VbQemuTaps *taps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbQemuTaps, vb_qemu_taps_free)
/* copies of the tap NICs of @def (network, bridge, ethernet), checked, with a
 * network's bridge resolved into source_bridge; main loop */
GPtrArray *vb_qemu_taps_prepare(VbConn *conn, const VbDomainDef *def, GError **error);
/* creates the taps of @nets (from vb_qemu_taps_prepare), brings them up, puts them
 * on their bridges, runs ethernet scripts (worker) */
VbQemuTaps *vb_qemu_taps_create(GPtrArray *nets, GError **error);
gboolean vb_qemu_tap_stats(const char *ifname, VbInterfaceStats *stats, GError **error);
/* qemu:///system: hands the disks of @def to @uid/@gid, remembering the owners (worker) */
GPtrArray *vb_qemu_owners_take(GPtrArray *paths, uid_t uid, gid_t gid, GError **error);
void vb_qemu_owners_restore(GPtrArray *owners);

G_END_DECLS
