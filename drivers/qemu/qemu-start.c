/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-qemu"

#include <unistd.h>

#include "qemu-command.h"
#include "qemu-driver.h"

/* starting a domain (a fresh boot or an incoming migration stream from a save image)
 * and finding a running one again after a restart of the service */

#define VB_QEMU_INCOMING_POLL_MS 50

/* fails a start: takes the process down first, so the domain is off when the caller
 * hears of it */
static void
vb_qemu_start_fail(VbQemuJob *job, GError *error)
{
    VbQemuDomain *dom = vb_qemu_dom(job->obj);

    if (dom->proc == NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    dom->ran = FALSE;
    vb_qemu_job_fail_when_gone(job, error);
    vb_qemu_process_kill_async(dom->proc, 0, vb_qemu_kill_noop, NULL);
}

void
vb_qemu_domain_started(VbConn *conn, VbDomainObj *obj, int detail, gboolean paused,
                       int suspended_detail)
{
    vb_conn_emit_domain(conn, obj, VB_EVENT_STARTED, detail);
    if (paused)
        vb_conn_emit_domain(conn, obj, VB_EVENT_SUSPENDED, suspended_detail);
}

static void
vb_qemu_start_running(VbQemuJob *job)
{
    VbConn *conn = job->qc->conn;
    VbDomainObj *obj = job->obj;
    gboolean restored = job->started_detail == VB_EVENT_STARTED_RESTORED;

    vb_qemu_dom(obj)->starting = FALSE;
    vb_qemu_domain_run_state(obj, restored ? VB_RUNNING_RESTORED : VB_RUNNING_BOOTED);
    vb_domain_obj_changed(obj);
    vb_qemu_domain_save_status(conn, obj, NULL, NULL);
    vb_qemu_domain_started(conn, obj, job->started_detail, FALSE, 0);
    if (job->after_start != NULL)
        job->after_start(job);
    else
        vb_qemu_job_finish(job, NULL, NULL);
}

static void
vb_qemu_start_cont_done(GObject *source, GAsyncResult *result, gpointer data)
{
    VbQemuJob *job = data;
    GError *error = NULL;
    g_autoptr(JsonNode) ret = vb_qemu_monitor_command_finish(result, &error);

    if (!vb_qemu_job_alive(job)) {
        g_clear_error(&error);
        return;
    }
    if (ret == NULL) {
        if (vb_qemu_dom(job->obj)->expect_resume > 0)
            vb_qemu_dom(job->obj)->expect_resume--;
        vb_qemu_start_fail(job, error);
        return;
    }
    vb_qemu_start_running(job);
}

static void
vb_qemu_start_status_written(VbQemuJob *job)
{
    VbConn *conn = job->qc->conn;
    VbDomainObj *obj = job->obj;
    gboolean restored = job->started_detail == VB_EVENT_STARTED_RESTORED;
    gboolean paused =
        job->start_paused || (restored && job->state == VB_DOMAIN_PAUSED && !job->start_running);

    if (job->error != NULL) {
        vb_qemu_start_fail(job, g_steal_pointer(&job->error));
        return;
    }
    if (job->autodestroy)
        obj->autodestroy = TRUE;
    if (!paused) {
        vb_qemu_dom(obj)->expect_resume++;
        vb_qemu_job_qmp(job, "cont", NULL, vb_qemu_start_cont_done);
        return;
    }
    vb_qemu_dom(obj)->starting = FALSE;
    vb_domain_obj_set_state(obj, VB_DOMAIN_PAUSED, VB_PAUSED_USER);
    vb_domain_obj_changed(obj);
    vb_qemu_domain_started(conn, obj, job->started_detail, TRUE,
                           job->start_paused || !restored ? VB_EVENT_SUSPENDED_PAUSED
                                                          : VB_EVENT_SUSPENDED_RESTORED);
    vb_qemu_domain_save_status(conn, obj, NULL, NULL);
    if (job->after_start != NULL)
        job->after_start(job);
    else
        vb_qemu_job_finish(job, NULL, NULL);
}

static void
vb_qemu_start_settings_done(VbQemuJob *job)
{
    vb_qemu_dom(job->obj)->ran = TRUE;
    vb_qemu_domain_save_status(job->qc->conn, job->obj, job, vb_qemu_start_status_written);
}

/* a pty's path is known once qemu made it: the live XML shows it, as libvirt's does */
static void
vb_qemu_fill_ptys(VbDomainDef *live, JsonArray *chardevs)
{
    for (guint c = 0; c < 2; c++) {
        GPtrArray *chrs = c == 0 ? live->serials : live->consoles;

        for (guint i = 0; i < chrs->len; i++) {
            VbDomainChrDef *chr = g_ptr_array_index(chrs, i);
            g_autofree char *id = vb_qemu_chr_chardev_id(live, c == 1, i);

            if (chr->type != VB_DOMAIN_CHR_PTY)
                continue;
            for (guint j = 0; chardevs != NULL && j < json_array_get_length(chardevs); j++) {
                JsonObject *dev = json_array_get_object_element(chardevs, j);
                const char *file = vb_qemu_json_string(dev, "filename");

                if (g_strcmp0(vb_qemu_json_string(dev, "label"), id) == 0 && file != NULL &&
                    g_str_has_prefix(file, "pty:")) {
                    g_free(chr->source_path);
                    chr->source_path = g_strdup(file + strlen("pty:"));
                }
            }
        }
    }
}

static void
vb_qemu_start_chardevs(GObject *source, GAsyncResult *result, gpointer data)
{
    VbQemuJob *job = data;
    gboolean failed;
    g_autoptr(JsonNode) ret = vb_qemu_job_qmp_finish(job, result, &failed);

    if (failed)
        return;
    vb_qemu_fill_ptys(job->obj->live, JSON_NODE_HOLDS_ARRAY(ret) ? json_node_get_array(ret) : NULL);
    vb_domain_obj_changed(job->obj);
    vb_qemu_start_settings_done(job);
}

static void
vb_qemu_start_query_chardevs(VbQemuJob *job)
{
    vb_qemu_job_qmp(job, "query-chardev", NULL, vb_qemu_start_chardevs);
}

static JsonNode *
vb_qemu_object_node(JsonObject *obj)
{
    JsonNode *node = json_node_init_object(json_node_alloc(), obj);

    json_object_unref(obj);
    return node;
}

/* what qemu takes over QMP rather than on its command line */
static void
vb_qemu_start_settings(VbQemuJob *job)
{
    const VbDomainDef *live = job->obj->live;
    GPtrArray *seq = vb_qemu_qmp_seq_new();

    for (guint i = 0; i < live->graphics->len; i++) {
        const VbDomainGraphicsDef *g = g_ptr_array_index(live->graphics, i);
        JsonObject *o;

        if (g->type != VB_DOMAIN_GRAPHICS_VNC || g->passwd == NULL)
            continue;
        o = json_object_new();
        json_object_set_string_member(o, "protocol", "vnc");
        json_object_set_string_member(o, "password", g->passwd);
        vb_qemu_qmp_step_add(seq, "set_password", vb_qemu_object_node(o), -1);
    }
    if (live->memballoon != NULL && live->memballoon->model == VB_DOMAIN_MEMBALLOON_VIRTIO &&
        live->memballoon->has_stats_period) {
        JsonObject *o = json_object_new();

        json_object_set_string_member(o, "path", VB_QEMU_BALLOON_QOM_PATH);
        json_object_set_string_member(o, "property", "guest-stats-polling-interval");
        json_object_set_int_member(o, "value", live->memballoon->stats_period);
        vb_qemu_qmp_step_add(seq, "qom-set", vb_qemu_object_node(o), -1);
    }
    vb_qemu_job_qmp_seq(job, seq, vb_qemu_start_query_chardevs);
}

static void vb_qemu_start_incoming_status(GObject *source, GAsyncResult *result, gpointer data);

static gboolean
vb_qemu_start_incoming_poll(gpointer data)
{
    VbQemuJob *job = data;

    vb_qemu_job_qmp(job, "query-status", NULL, vb_qemu_start_incoming_status);
    return G_SOURCE_REMOVE;
}

static void
vb_qemu_start_incoming_status(GObject *source, GAsyncResult *result, gpointer data)
{
    VbQemuJob *job = data;
    gboolean failed;
    g_autoptr(JsonNode) ret = vb_qemu_job_qmp_finish(job, result, &failed);
    const char *status;

    if (failed)
        return;
    status = vb_qemu_json_string(json_node_get_object(ret), "status");
    if (g_strcmp0(status, "inmigrate") == 0) {
        g_timeout_add(VB_QEMU_INCOMING_POLL_MS, vb_qemu_start_incoming_poll, job);
        return;
    }
    vb_qemu_job_refresh_vcpus(job, vb_qemu_start_settings);
}

static void
vb_qemu_start_monitor_open(GObject *source, GAsyncResult *result, gpointer data)
{
    VbQemuJob *job = data;
    GError *error = NULL;
    VbQemuMonitor *mon = vb_qemu_monitor_open_finish(result, &error);
    VbQemuDomain *dom;

    if (!vb_qemu_job_alive(job)) {
        g_clear_pointer(&mon, vb_qemu_monitor_free);
        g_clear_error(&error);
        return;
    }
    dom = vb_qemu_dom(job->obj);
    g_clear_object(&dom->open_cancel);
    if (mon == NULL) {
        /* cancelled: the process ended, and said why in its log */
        if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
            g_clear_error(&error);
            vb_error_set(&error, VB_ERROR_INTERNAL,
                         "process exited while connecting to monitor%s%s",
                         dom->exit_reason != NULL ? ": " : "",
                         dom->exit_reason != NULL ? dom->exit_reason : "");
        }
        vb_qemu_start_fail(job, error);
        return;
    }
    if (dom->proc == NULL) {
        vb_qemu_monitor_free(mon);
        vb_error_set(&error, VB_ERROR_INTERNAL, "process exited while connecting to monitor");
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    dom->mon = mon;
    if (job->fd >= 0 || job->started_detail == VB_EVENT_STARTED_RESTORED) {
        vb_qemu_start_incoming_poll(job);
        return;
    }
    vb_qemu_job_refresh_vcpus(job, vb_qemu_start_settings);
}

typedef struct {
    GPtrArray *nets;  /* VbDomainNetDef* copies of the tap NICs */
    GPtrArray *disks; /* paths to hand to the qemu user, or NULL */
    uid_t uid;
    gid_t gid;
    char *socket_path;
    char *log_dir;
} VbQemuPrepare;

typedef struct {
    VbQemuTaps *taps;
    GPtrArray *owners;
} VbQemuPrepared;

static void
vb_qemu_prepare_free(gpointer data)
{
    VbQemuPrepare *p = data;

    g_ptr_array_unref(p->nets);
    g_clear_pointer(&p->disks, g_ptr_array_unref);
    g_free(p->socket_path);
    g_free(p->log_dir);
    g_free(p);
}

static void
vb_qemu_prepared_free(gpointer data)
{
    VbQemuPrepared *p = data;

    g_clear_pointer(&p->taps, vb_qemu_taps_free);
    if (p->owners != NULL) {
        vb_qemu_owners_restore(p->owners);
        g_ptr_array_unref(p->owners);
    }
    g_free(p);
}

static gpointer
vb_qemu_prepare_thread(gpointer data, GError **error)
{
    VbQemuPrepare *p = data;
    g_autofree VbQemuPrepared *out = g_new0(VbQemuPrepared, 1);
    g_autofree char *socket_dir = g_path_get_dirname(p->socket_path);

    if (!vb_qemu_make_dir(p->log_dir, 0700, error) || !vb_qemu_make_dir(socket_dir, 0700, error) ||
        !vb_qemu_remove_file(p->socket_path, error))
        return NULL;
    if (p->nets->len > 0 && (out->taps = vb_qemu_taps_create(p->nets, error)) == NULL)
        return NULL;
    if (p->disks != NULL) {
        out->owners = vb_qemu_owners_take(p->disks, p->uid, p->gid, error);
        if (out->owners == NULL) {
            g_clear_pointer(&out->taps, vb_qemu_taps_free);
            return NULL;
        }
    }
    return g_steal_pointer(&out);
}

static void
vb_qemu_start_spawn(VbQemuJob *job, VbQemuPrepared *prep)
{
    VbConn *conn = job->qc->conn;
    VbQemuConn *qc = job->qc;
    VbDomainObj *obj = job->obj;
    VbQemuDomain *dom = vb_qemu_dom(obj);
    VbQemuCaps *caps = job->extra;
    const VbQemuMachine *machine = vb_qemu_caps_default_machine(caps);
    VbDomainDef *live = job->def;
    VbQemuBuildParams params;
    g_autoptr(GArray) fds = g_array_new(FALSE, FALSE, sizeof(int));
    g_autoptr(GArray) targets = g_array_new(FALSE, FALSE, sizeof(int));
    g_autofree char *incoming = NULL;
    g_autofree char *socket_path = vb_qemu_socket_path(qc, obj);
    g_autofree char *log_path = vb_qemu_log_path(qc, live->name);
    g_autoptr(GPtrArray) argv = NULL;
    g_auto(GStrv) env = NULL;
    g_auto(GStrv) base_env = NULL;
    GError *error = NULL;
    guint ntaps = prep->taps != NULL ? prep->taps->fds->len : 0;
    guint tap = 0;

    for (guint i = 0; i < ntaps; i++) {
        int target = 3 + i;

        g_array_append_val(fds, g_array_index(prep->taps->fds, int, i));
        g_array_append_val(targets, target);
    }
    for (guint i = 0; i < live->nets->len && prep->taps != NULL; i++) {
        VbDomainNetDef *net = g_ptr_array_index(live->nets, i);

        if (net->type != VB_DOMAIN_NET_NETWORK && net->type != VB_DOMAIN_NET_BRIDGE &&
            net->type != VB_DOMAIN_NET_ETHERNET)
            continue;
        g_free(net->target_dev);
        net->target_dev = g_strdup(g_ptr_array_index(prep->taps->names, tap++));
    }
    vb_qemu_build_params_init(&params);
    params.monitor_path = socket_path;
    params.sandbox = caps->sandbox;
    params.kvm_available = caps->kvm;
    params.default_machine = machine != NULL ? machine->name : NULL;
    params.tap_fds = (const int *)targets->data;
    params.n_tap_fds = ntaps;
    if (job->fd >= 0) {
        int target = 3 + ntaps;

        incoming = g_strdup_printf("fd:%d", target);
        params.incoming = incoming;
        g_array_append_val(fds, job->fd);
        g_array_append_val(targets, target);
    }
    argv = vb_qemu_build_argv(live->emulator, live, &params, &error);
    if (argv != NULL && qc->user != NULL) {
        /* qemu's seccomp filter is in place before -runas drops root: let it setuid */
        for (guint i = 0; i + 1 < argv->len && argv->pdata[i + 1] != NULL; i++) {
            char *value = argv->pdata[i + 1];
            char *deny = strstr(value, "elevateprivileges=deny");

            if (g_strcmp0(argv->pdata[i], "-sandbox") != 0 || deny == NULL)
                continue;
            *deny = '\0';
            argv->pdata[i + 1] = g_strconcat(value, "elevateprivileges=allow",
                                             deny + strlen("elevateprivileges=deny"), NULL);
            g_free(value);
        }
        g_ptr_array_insert(argv, argv->len - 1, g_strdup("-runas"));
        g_ptr_array_insert(argv, argv->len - 1, g_strdup(qc->user));
    }
    if (argv != NULL) {
        if (qc->privileged)
            base_env = g_strsplit("LC_ALL=C;PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/"
                                  "bin:/sbin:/bin;HOME=/",
                                  ";", -1);
        else
            base_env = g_get_environ();
        env = vb_qemu_build_env(live, (const char *const *)base_env, &error);
    }
    if (env != NULL)
        dom->proc = vb_qemu_process_spawn_fds(argv, (const char *const *)env, log_path,
                                              (const int *)fds->data, (const int *)targets->data,
                                              fds->len, vb_qemu_on_exit, obj, &error);
    if (dom->proc == NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    /* qemu holds the taps and the image now */
    g_clear_pointer(&prep->taps, vb_qemu_taps_free);
    if (job->fd >= 0) {
        close(job->fd);
        job->fd = -1;
    }
    g_clear_pointer(&dom->owners, g_ptr_array_unref);
    dom->owners = g_steal_pointer(&prep->owners);
    dom->conn = conn;
    dom->starting = TRUE;
    dom->ran = FALSE;
    dom->stopping = FALSE;
    dom->stop_reason = -1;
    dom->expect_stop = dom->expect_resume = 0;
    dom->pause_reason = -1;
    g_free(dom->monitor_path);
    dom->monitor_path = g_steal_pointer(&socket_path);
    g_free(dom->log_path);
    dom->log_path = g_steal_pointer(&log_path);
    g_clear_pointer(&dom->exit_reason, g_free);

    if (obj->live != NULL && obj->live != obj->config && obj->live != live)
        vb_domain_def_free(obj->live);
    obj->live = g_steal_pointer(&job->def);
    obj->live->id = vb_domain_list_next_id(conn->domains);
    vb_domain_list_set_id(conn->domains, obj, obj->live->id);
    vb_domain_obj_set_state(obj, VB_DOMAIN_PAUSED, VB_PAUSED_STARTING_UP);
    obj->updated = FALSE;
    vb_domain_obj_changed(obj);

    dom->open_cancel = g_cancellable_new();
    vb_qemu_monitor_open_async(dom->monitor_path, qc->monitor_timeout_ms,
                               &vb_qemu_monitor_callbacks, obj, dom->open_cancel,
                               vb_qemu_start_monitor_open, job);
}

static void
vb_qemu_start_prepared(VbQemuJob *job, gpointer result, GError *error)
{
    VbQemuPrepared *prep = result;

    if (error != NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    if (vb_domain_obj_is_active(job->obj)) {
        vb_qemu_prepared_free(prep);
        vb_error_set(&error, VB_ERROR_OPERATION_INVALID, "domain is already running");
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    vb_qemu_start_spawn(job, prep);
    vb_qemu_prepared_free(prep);
}

static void
vb_qemu_start_caps(GObject *source, GAsyncResult *result, gpointer data)
{
    VbQemuJob *job = data;
    GError *error = NULL;
    VbQemuCaps *caps = vb_qemu_caps_get_finish(result, &error);
    VbQemuConn *qc = job->qc;
    VbDomainDef *live = job->def;
    const VbQemuMachine *machine;
    VbQemuPrepare *prep;
    GPtrArray *nets;

    if (!vb_qemu_job_alive(job)) {
        g_clear_pointer(&caps, vb_qemu_caps_unref);
        g_clear_error(&error);
        return;
    }
    if (caps == NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    job->extra = caps;
    job->extra_free = (GDestroyNotify)vb_qemu_caps_unref;
    if (live->os_arch != NULL && g_strcmp0(live->os_arch, caps->arch) != 0) {
        vb_error_set(&error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "emulator '%s' does not support arch '%s'", live->emulator, live->os_arch);
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    if (live->os_machine != NULL && vb_qemu_caps_find_machine(caps, live->os_machine) == NULL) {
        vb_error_set(&error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "Emulator '%s' does not support machine type '%s'", live->emulator,
                     live->os_machine);
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    /* the live definition names what it runs with, as libvirt's does */
    machine = vb_qemu_caps_default_machine(caps);
    if (live->os_machine == NULL && machine != NULL)
        live->os_machine = g_strdup(machine->name);
    if (live->os_arch == NULL)
        live->os_arch = g_strdup(caps->arch);
    nets = vb_qemu_taps_prepare(job->qc->conn, live, &error);
    if (nets == NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    prep = g_new0(VbQemuPrepare, 1);
    prep->nets = nets;
    if (qc->user != NULL) {
        prep->disks = g_ptr_array_new_with_free_func(g_free);
        prep->uid = qc->uid;
        prep->gid = qc->gid;
        for (guint i = 0; i < live->disks->len; i++) {
            const VbDomainDiskDef *disk = g_ptr_array_index(live->disks, i);

            if (disk->src != NULL)
                g_ptr_array_add(prep->disks, g_strdup(disk->src));
        }
    }
    prep->socket_path = vb_qemu_socket_path(qc, job->obj);
    prep->log_dir = g_strdup(qc->log_dir);
    vb_qemu_job_work(job, vb_qemu_prepare_thread, prep, vb_qemu_prepare_free, vb_qemu_prepared_free,
                     vb_qemu_start_prepared);
}

void
vb_qemu_domain_start(VbQemuJob *job, VbDomainDef *live, int incoming_fd, int image_state)
{
    GError *error = NULL;
    g_autofree char *emulator = NULL;

    vb_domain_def_free(job->def);
    job->def = live;
    if (job->fd >= 0 && job->fd != incoming_fd)
        close(job->fd);
    job->fd = incoming_fd;
    job->state = image_state;
    if (vb_domain_obj_is_active(job->obj)) {
        vb_error_set(&error, VB_ERROR_OPERATION_INVALID, "domain is already running");
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    emulator = vb_qemu_def_emulator(live, &error);
    if (emulator == NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    if (live->emulator == NULL)
        live->emulator = g_strdup(emulator);
    vb_qemu_caps_get_async(emulator, NULL, vb_qemu_start_caps, job);
}

/* ---- reconnect after a restart ---- */

static void
vb_qemu_reconnect_ready(VbQemuJob *job)
{
    VbDomainObj *obj = job->obj;

    vb_qemu_dom(obj)->starting = FALSE;
    vb_domain_obj_changed(obj);
    vb_qemu_job_finish(job, NULL, NULL);
}

static void
vb_qemu_reconnect_status(GObject *source, GAsyncResult *result, gpointer data)
{
    VbQemuJob *job = data;
    VbDomainObj *obj = job->obj;
    gboolean failed;
    g_autoptr(JsonNode) ret = vb_qemu_job_qmp_finish(job, result, &failed);
    const char *status;

    if (failed)
        return;
    status = vb_qemu_json_string(json_node_get_object(ret), "status");
    if (g_strcmp0(status, "running") == 0) {
        if (obj->state != VB_DOMAIN_RUNNING)
            vb_qemu_domain_run_state(obj, VB_RUNNING_UNKNOWN);
    } else if (g_strcmp0(status, "shutdown") == 0) {
        vb_domain_obj_set_state(obj, VB_DOMAIN_SHUTDOWN, VB_SHUTDOWN_UNKNOWN);
        vb_qemu_dom(obj)->shutting_down = TRUE;
    } else if (g_strcmp0(status, "guest-panicked") == 0) {
        vb_domain_obj_set_state(obj, VB_DOMAIN_CRASHED, VB_CRASHED_PANICKED);
    } else if (obj->state != VB_DOMAIN_PAUSED) {
        vb_qemu_domain_pause_state(obj, VB_PAUSED_UNKNOWN);
    }
    vb_qemu_job_refresh_vcpus(job, vb_qemu_reconnect_ready);
}

static void
vb_qemu_reconnect_open(GObject *source, GAsyncResult *result, gpointer data)
{
    VbQemuJob *job = data;
    GError *error = NULL;
    VbQemuMonitor *mon = vb_qemu_monitor_open_finish(result, &error);
    VbQemuDomain *dom;

    if (!vb_qemu_job_alive(job)) {
        g_clear_pointer(&mon, vb_qemu_monitor_free);
        g_clear_error(&error);
        return;
    }
    dom = vb_qemu_dom(job->obj);
    g_clear_object(&dom->open_cancel);
    if (mon == NULL) {
        /* without its monitor nobody can control it: take it down, as libvirt does */
        g_prefix_error(&error, "cannot reconnect to domain '%s': ", vb_domain_obj_name(job->obj));
        g_warning("%s", error->message);
        if (dom->proc != NULL) {
            dom->stop_reason = VB_SHUTOFF_DAEMON;
            vb_qemu_job_fail_when_gone(job, error);
            vb_qemu_process_kill_async(dom->proc, 0, vb_qemu_kill_noop, NULL);
            return;
        }
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    dom->mon = mon;
    vb_qemu_job_qmp(job, "query-status", NULL, vb_qemu_reconnect_status);
}

static void
vb_qemu_reconnect_start(VbQemuJob *job)
{
    VbConn *conn = job->qc->conn;
    VbDomainObj *obj = job->obj;
    VbQemuDomain *dom = vb_qemu_dom(obj);
    GError *error = NULL;

    dom->conn = conn;
    dom->proc = vb_qemu_process_attach((pid_t)job->number, job->number2, dom->log_path,
                                       vb_qemu_on_exit, obj, &error);
    if (dom->proc == NULL) {
        g_message("domain '%s' ended while the service was away: %s", vb_domain_obj_name(obj),
                  error->message);
        g_clear_error(&error);
        dom->stop_reason = VB_SHUTOFF_CRASHED;
        vb_qemu_domain_gone(conn, obj, NULL);
        vb_qemu_job_finish(job, NULL, NULL);
        return;
    }
    dom->open_cancel = g_cancellable_new();
    vb_qemu_monitor_open_async(dom->monitor_path, job->qc->monitor_timeout_ms,
                               &vb_qemu_monitor_callbacks, obj, dom->open_cancel,
                               vb_qemu_reconnect_open, job);
}

static void
vb_qemu_reconnect_done(gpointer result, const GError *error, gpointer user_data)
{
    g_autoptr(VbDomainObj) obj = user_data;

    if (error != NULL)
        g_warning("domain '%s': %s", vb_domain_obj_name(obj), error->message);
}

void
vb_qemu_domain_reconnect(VbConn *conn, VbDomainObj *obj, pid_t pid, guint64 start_time,
                         const char *monitor_path)
{
    VbQemuDomain *dom = vb_qemu_dom(obj);
    VbQemuJob *job =
        vb_qemu_job_new(conn, obj, "reconnect", 0, vb_qemu_reconnect_done, vb_domain_obj_ref(obj));

    g_free(dom->monitor_path);
    dom->monitor_path = g_strdup(monitor_path);
    g_free(dom->log_path);
    dom->log_path = vb_qemu_log_path(vb_qemu_conn(conn), vb_domain_obj_name(obj));
    /* the job's scratch numbers carry the process identity */
    job->number = (guint64)pid;
    job->number2 = start_time;
    vb_qemu_job_begin(job, vb_qemu_reconnect_start);
}
