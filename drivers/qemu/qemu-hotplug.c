/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-qemu"

#include <unistd.h>

#include "qemu-command.h"
#include "qemu-driver.h"

/* AttachDevice, DetachDevice and UpdateDevice: disks, cdrom media, NICs and inputs on a
 * running qemu (blockdev-add/netdev_add/device_add with the command line's own
 * objects, device_del finished by DEVICE_DELETED), and every kind in the persistent
 * definition. a guest that does not release a device within VB_QEMU_UNPLUG_WAIT_MS
 * leaves the detach successful and pending, as with libvirt. */

enum { VB_QEMU_DEVICE_MODIFY_FORCE = 4 };

typedef enum {
    VB_QEMU_DEVICE_ATTACH,
    VB_QEMU_DEVICE_DETACH,
    VB_QEMU_DEVICE_UPDATE,
} VbQemuDeviceOp;

/* a device_del waiting for its DEVICE_DELETED */
typedef struct {
    char *id;               /* qemu's device id */
    VbDomainDeviceDef *dev; /* as the live definition had it */
    VbQemuJob *job;         /* the detach waiting for it, or NULL */
    GSource *timer;
    gboolean waiting; /* device_del answered: the job waits for the event */
    gboolean deleted; /* the event came before the answer */
} VbQemuUnplug;

static void
vb_qemu_unplug_free(VbQemuUnplug *unplug)
{
    if (unplug->timer != NULL) {
        g_source_destroy(unplug->timer);
        g_source_unref(unplug->timer);
    }
    g_free(unplug->id);
    vb_domain_device_def_free(unplug->dev);
    g_free(unplug);
}

static JsonNode *
vb_qemu_node_of(JsonObject *o)
{
    JsonNode *node = json_node_init_object(json_node_alloc(), o);

    json_object_unref(o);
    return node;
}

static JsonNode *
vb_qemu_id_args(const char *key, const char *value)
{
    JsonObject *o = json_object_new();

    json_object_set_string_member(o, key, value);
    return vb_qemu_node_of(o);
}

/* qemu's id of a device of the running domain */
static char *
vb_qemu_device_qemu_id(const VbDomainDef *live, const VbDomainDeviceDef *dev)
{
    switch (dev->kind) {
    case VB_DOMAIN_DEVICE_DISK:
        return vb_qemu_disk_device_id(dev->disk);
    case VB_DOMAIN_DEVICE_NET:
        for (guint i = 0; i < live->nets->len; i++) {
            const VbDomainNetDef *net = g_ptr_array_index(live->nets, i);

            if (net->has_mac && memcmp(net->mac, dev->net->mac, VB_MAC_LEN) == 0)
                return vb_qemu_net_device_id(net, i);
        }
        return NULL;
    case VB_DOMAIN_DEVICE_INPUT:
        for (guint i = 0; i < live->inputs->len; i++) {
            const VbDomainInputDef *input = g_ptr_array_index(live->inputs, i);

            if (input->type == dev->input->type && input->bus == dev->input->bus)
                return vb_qemu_input_device_id(live, i);
        }
        return NULL;
    default:
        return NULL;
    }
}

static void
vb_qemu_ignore_reply(GObject *source, GAsyncResult *res, gpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) ret = vb_qemu_monitor_command_finish(res, &error);

    if (ret == NULL)
        g_debug("cleanup after unplug: %s", error->message);
}

/* what a removed device leaves behind in qemu: its block nodes or its netdev */
static void
vb_qemu_unplug_backend(VbConn *conn, VbDomainObj *obj, const VbDomainDeviceDef *dev, guint index)
{
    if (dev->kind == VB_DOMAIN_DEVICE_DISK && dev->disk->src != NULL) {
        g_autofree char *format = vb_qemu_disk_node_name(dev->disk);
        g_autofree char *storage = vb_qemu_disk_storage_node_name(dev->disk);

        vb_qemu_domain_qmp(conn, obj, "blockdev-del", vb_qemu_blockdev_del_args(format),
                           vb_qemu_ignore_reply, NULL, NULL);
        vb_qemu_domain_qmp(conn, obj, "blockdev-del", vb_qemu_blockdev_del_args(storage),
                           vb_qemu_ignore_reply, NULL, NULL);
    } else if (dev->kind == VB_DOMAIN_DEVICE_NET) {
        g_autofree char *netdev = vb_qemu_netdev_id(dev->net, index);

        vb_qemu_domain_qmp(conn, obj, "netdev_del", vb_qemu_netdev_del_args(netdev),
                           vb_qemu_ignore_reply, NULL, NULL);
    }
}

static int
vb_qemu_net_index(const VbDomainDef *def, const VbDomainNetDef *net)
{
    int i = vb_domain_def_find_net(def, net->mac);

    return i;
}

/* the device is gone from qemu: from the live definition too, and the world hears */
static gpointer
vb_qemu_owners_restore_thread(gpointer data, GError **error)
{
    vb_qemu_owners_restore(data);
    return NULL;
}

static void
vb_qemu_owners_restored(gpointer result, GError *error, gpointer user_data)
{
    g_clear_error(&error);
}

/* a disk that leaves the guest goes back to its owner (qemu:///system) */
static void
vb_qemu_disk_release(VbDomainObj *obj, const char *path)
{
    VbQemuDomain *dom = vb_qemu_dom(obj);
    GPtrArray *give = g_ptr_array_new_with_free_func(vb_qemu_owner_free);

    for (guint i = dom->owners != NULL ? dom->owners->len : 0; i > 0; i--) {
        VbQemuOwner *owner = g_ptr_array_index(dom->owners, i - 1);

        if (g_strcmp0(owner->path, path) == 0)
            g_ptr_array_add(give, g_ptr_array_steal_index(dom->owners, i - 1));
    }
    vb_qemu_work_serial(vb_qemu_owners_restore_thread, give, (GDestroyNotify)g_ptr_array_unref,
                        NULL, vb_qemu_owners_restored, NULL);
}

static void
vb_qemu_device_removed(VbConn *conn, VbDomainObj *obj, const VbDomainDeviceDef *dev)
{
    g_autofree char *alias = g_strdup(vb_domain_device_def_alias(dev));
    guint index = 0;

    if (dev->kind == VB_DOMAIN_DEVICE_DISK && dev->disk->src != NULL)
        vb_qemu_disk_release(obj, dev->disk->src);

    if (dev->kind == VB_DOMAIN_DEVICE_NET)
        index = MAX(vb_qemu_net_index(obj->live, dev->net), 0);
    vb_qemu_unplug_backend(conn, obj, dev, index);
    if (vb_domain_def_detach_device(obj->live, dev, NULL)) {
        vb_domain_obj_changed(obj);
        vb_qemu_domain_save_status(conn, obj, NULL, NULL);
    }
    vb_conn_emit_domain_signal(conn, obj, "DeviceRemoved", g_variant_new("(s)", alias));
}

static void vb_qemu_detach_config(VbQemuJob *job);

/* DEVICE_DELETED */
void
vb_qemu_hotplug_device_deleted(VbConn *conn, VbDomainObj *obj, const char *id)
{
    VbQemuDomain *dom = vb_qemu_dom(obj);
    VbQemuUnplug *unplug = NULL;
    g_autoptr(VbDomainDeviceDef) found = NULL;

    for (guint i = 0; i < dom->unplugs->len && unplug == NULL; i++) {
        VbQemuUnplug *u = g_ptr_array_index(dom->unplugs, i);

        if (g_strcmp0(u->id, id) == 0 && !u->deleted)
            unplug = u;
    }
    for (guint i = 0; i < VB_QEMU_HOTPLUG_PORTS; i++) {
        g_autofree char *port = vb_qemu_hotplug_port_id(i);

        /* a port's own deletion, or its device's: the port is free again */
        if (g_str_has_prefix(id, port))
            dom->hotplug_ports &= ~(1u << i);
    }
    if (unplug == NULL) {
        /* the guest ejected something by itself: find it by its id */
        for (guint i = 0; i < obj->live->disks->len && found == NULL; i++) {
            g_autofree char *did = vb_qemu_disk_device_id(obj->live->disks->pdata[i]);

            if (g_strcmp0(did, id) == 0) {
                found = g_new0(VbDomainDeviceDef, 1);
                found->kind = VB_DOMAIN_DEVICE_DISK;
                found->disk = vb_domain_disk_def_copy(obj->live->disks->pdata[i]);
            }
        }
        for (guint i = 0; i < obj->live->nets->len && found == NULL; i++) {
            g_autofree char *nid = vb_qemu_net_device_id(obj->live->nets->pdata[i], i);

            if (g_strcmp0(nid, id) == 0) {
                found = g_new0(VbDomainDeviceDef, 1);
                found->kind = VB_DOMAIN_DEVICE_NET;
                found->net = vb_domain_net_def_copy(obj->live->nets->pdata[i]);
            }
        }
        if (found != NULL)
            vb_qemu_device_removed(conn, obj, found);
        return;
    }
    vb_qemu_device_removed(conn, obj, unplug->dev);
    /* qemu may say so before it answers device_del: the answer finishes then */
    if (!unplug->waiting) {
        unplug->deleted = TRUE;
        return;
    }
    g_ptr_array_remove(dom->unplugs, unplug);
    if (unplug->job != NULL) {
        VbQemuJob *job = g_steal_pointer(&unplug->job);

        vb_qemu_unplug_free(unplug);
        vb_qemu_detach_config(job);
        return;
    }
    vb_qemu_unplug_free(unplug);
}

void
vb_qemu_hotplug_clear(VbDomainObj *obj)
{
    VbQemuDomain *dom = vb_qemu_dom(obj);
    g_autoptr(GPtrArray) unplugs = g_steal_pointer(&dom->unplugs);

    dom->unplugs = g_ptr_array_new();
    for (guint i = 0; unplugs != NULL && i < unplugs->len; i++) {
        VbQemuUnplug *unplug = g_ptr_array_index(unplugs, i);
        /* a job still waiting for device_del's answer hears of it there */
        VbQemuJob *job = unplug->waiting ? g_steal_pointer(&unplug->job) : NULL;

        vb_qemu_unplug_free(unplug);
        /* the domain went, and the device with it */
        if (job != NULL && vb_qemu_job_alive(job))
            vb_qemu_detach_config(job);
    }
}

/* ---- the persistent side ---- */

static void
vb_qemu_device_config_written(VbQemuJob *job)
{
    vb_qemu_commit(job->obj, NULL, g_steal_pointer(&job->def));
    vb_qemu_job_finish(job, NULL, NULL);
}

/* job->def is the new persistent definition, or NULL */
static void
vb_qemu_device_config(VbQemuJob *job)
{
    if (job->def == NULL) {
        vb_qemu_job_finish(job, NULL, NULL);
        return;
    }
    vb_qemu_job_write_config(job, job->def, vb_qemu_device_config_written);
}

static void
vb_qemu_detach_config(VbQemuJob *job)
{
    vb_qemu_device_config(job);
}

/* the live definition after a hotplug that worked */
static void
vb_qemu_live_commit(VbQemuJob *job, VbDomainDef *new_live)
{
    vb_qemu_commit(job->obj, new_live, NULL);
    vb_qemu_domain_save_status(job->qc->conn, job->obj, NULL, NULL);
}

/* ---- attach ---- */

static int
vb_qemu_free_port(VbDomainObj *obj)
{
    const VbDomainDef *live = obj->live;
    guint ports = vb_qemu_hotplug_port_count(live, NULL);

    for (guint i = 0; i < ports; i++) {
        if ((vb_qemu_dom(obj)->hotplug_ports & (1u << i)) == 0)
            return (int)i;
    }
    return -1;
}

static void
vb_qemu_attach_rollback_done(GObject *source, GAsyncResult *res, gpointer data)
{
    VbQemuJob *job = data;
    g_autoptr(GError) ignored = NULL;
    G_GNUC_UNUSED g_autoptr(JsonNode) ret = vb_qemu_monitor_command_finish(res, &ignored);

    if (job->number > 0) {
        job->number--;
        return;
    }
    if (vb_qemu_job_alive(job))
        vb_qemu_job_finish(job, NULL, g_steal_pointer(&job->error));
}

static void
vb_qemu_attach_plugged(VbQemuJob *job)
{
    VbConn *conn = job->qc->conn;
    VbDomainDef *new_live = job->extra;
    g_autofree char *alias = g_strdup(vb_domain_device_def_alias(job->dev));

    job->extra = NULL;
    job->extra_free = NULL;
    if (job->state >= 0)
        vb_qemu_dom(job->obj)->hotplug_ports |= 1u << job->state;
    vb_qemu_live_commit(job, new_live);
    vb_conn_emit_domain_signal(conn, job->obj, "DeviceAdded", g_variant_new("(s)", alias));
    vb_qemu_device_config(job);
}

static void vb_qemu_attach_step(VbQemuJob *job);

static void
vb_qemu_attach_answer(GObject *source, GAsyncResult *res, gpointer data)
{
    VbQemuJob *job = data;
    GError *error = NULL;
    g_autoptr(JsonNode) ret = vb_qemu_monitor_command_finish(res, &error);
    VbQemuDomain *dom;
    GPtrArray *undo;

    if (!vb_qemu_job_alive(job)) {
        g_clear_error(&error);
        return;
    }
    if (ret != NULL) {
        vb_qemu_attach_step(job);
        return;
    }
    /* take back what qemu accepted before the failure, newest first */
    dom = vb_qemu_dom(job->obj);
    undo = job->result;
    job->error = error;
    if (undo == NULL || undo->len == 0 || dom->mon == NULL) {
        vb_qemu_job_finish(job, NULL, g_steal_pointer(&job->error));
        return;
    }
    job->number = undo->len - 1;
    for (guint i = undo->len; i > 0; i--) {
        VbQemuQmpStep *step = g_ptr_array_index(undo, i - 1);

        vb_qemu_monitor_command(dom->mon, step->execute, g_steal_pointer(&step->args),
                                job->qc->monitor_timeout_ms, vb_qemu_attach_rollback_done, job);
    }
}

/* sends the next of job->seq, remembering its undo in job->result */
static void
vb_qemu_attach_step(VbQemuJob *job)
{
    VbQemuQmpStep *step;
    GPtrArray *undo = job->result;

    if (job->seq == NULL || job->seq->len == 0) {
        vb_qemu_attach_plugged(job);
        return;
    }
    step = g_ptr_array_steal_index(job->seq, 0);
    if (g_str_equal(step->execute, "blockdev-add") || g_str_equal(step->execute, "netdev_add") ||
        g_str_equal(step->execute, "device_add")) {
        JsonObject *o = json_node_get_object(step->args);
        const char *node = vb_qemu_json_string(o, "node-name");
        const char *id = vb_qemu_json_string(o, "id");

        if (g_str_equal(step->execute, "blockdev-add") && node != NULL)
            vb_qemu_qmp_step_add(undo, "blockdev-del", vb_qemu_blockdev_del_args(node), -1);
        else if (g_str_equal(step->execute, "netdev_add") && id != NULL)
            vb_qemu_qmp_step_add(undo, "netdev_del", vb_qemu_netdev_del_args(id), -1);
        else if (id != NULL)
            vb_qemu_qmp_step_add(undo, "device_del", vb_qemu_device_del_args(id), -1);
    }
    vb_qemu_job_qmp_fd(job, step->execute, g_steal_pointer(&step->args), step->fd,
                       vb_qemu_attach_answer);
    if (step->fd >= 0)
        close(step->fd);
    g_free(step->execute);
    g_free(step);
}

static gboolean
vb_qemu_attach_disk_steps(VbQemuJob *job, const VbDomainDef *live, const char *bus, GPtrArray *seq,
                          gboolean *bus_used, GError **error)
{
    const VbDomainDiskDef *disk = job->dev->disk;
    g_autoptr(GPtrArray) nodes = vb_qemu_disk_blockdev_args(disk, error);
    g_autoptr(GPtrArray) devices = NULL;

    if (nodes == NULL)
        return FALSE;
    devices = vb_qemu_disk_hotplug_device_args(live, NULL, disk, bus, bus_used, error);
    if (devices == NULL)
        return FALSE;
    for (guint i = 0; i < nodes->len; i++)
        vb_qemu_qmp_step_add(seq, "blockdev-add", json_node_ref(nodes->pdata[i]), -1);
    for (guint i = 0; i < devices->len; i++)
        vb_qemu_qmp_step_add(seq, "device_add", json_node_ref(devices->pdata[i]), -1);
    return TRUE;
}

static void
vb_qemu_attach_net_steps(VbQemuJob *job, VbDomainDef *new_live, VbQemuTaps *taps, const char *bus)
{
    VbDomainNetDef *net;
    g_autofree char *fdname = NULL;
    GPtrArray *seq = vb_qemu_qmp_seq_new();
    GError *error = NULL;
    gboolean bus_used = FALSE;
    JsonNode *netdev, *device;
    int index = vb_domain_def_find_net(new_live, job->dev->net->mac);

    net = g_ptr_array_index(new_live->nets, index);
    if (taps != NULL) {
        int fd = dup(g_array_index(taps->fds, int, 0));

        g_free(net->target_dev);
        net->target_dev = g_strdup(g_ptr_array_index(taps->names, 0));
        fdname = vb_qemu_netdev_id(net, index);
        vb_qemu_qmp_step_add(seq, "getfd", vb_qemu_id_args("fdname", fdname), fd);
    }
    netdev = vb_qemu_netdev_args(net, index, fdname, &error);
    device = netdev != NULL
                 ? vb_qemu_net_device_args(new_live, NULL, net, index, bus, &bus_used, &error)
                 : NULL;
    if (device == NULL) {
        g_clear_pointer(&netdev, json_node_unref);
        g_ptr_array_unref(seq);
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    vb_qemu_qmp_step_add(seq, "netdev_add", netdev, -1);
    vb_qemu_qmp_step_add(seq, "device_add", device, -1);
    if (!bus_used)
        job->state = -1;
    g_clear_pointer(&job->seq, g_ptr_array_unref);
    job->seq = seq;
    vb_qemu_attach_step(job);
}

static void
vb_qemu_attach_taps_made(VbQemuJob *job, gpointer result, GError *error)
{
    g_autoptr(VbQemuTaps) taps = result;

    if (error != NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    if (!vb_domain_obj_is_active(job->obj)) {
        vb_qemu_check_active(job->obj, &error);
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    vb_qemu_attach_net_steps(job, job->extra, taps, job->text);
}

static gpointer
vb_qemu_taps_thread(gpointer data, GError **error)
{
    return vb_qemu_taps_create(data, error);
}

typedef struct {
    GPtrArray *paths;
    uid_t uid;
    gid_t gid;
} VbQemuOwnersTake;

static void
vb_qemu_owners_take_free(gpointer data)
{
    VbQemuOwnersTake *take = data;

    g_ptr_array_unref(take->paths);
    g_free(take);
}

static gpointer
vb_qemu_owners_thread(gpointer data, GError **error)
{
    VbQemuOwnersTake *take = data;

    return vb_qemu_owners_take(take->paths, take->uid, take->gid, error);
}

static void vb_qemu_attach_live(VbQemuJob *job, VbDomainDef *live);

static void
vb_qemu_attach_owned(VbQemuJob *job, gpointer result, GError *error)
{
    g_autoptr(GPtrArray) owners = result;
    VbQemuDomain *dom = vb_qemu_dom(job->obj);

    if (error != NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    if (!vb_domain_obj_is_active(job->obj)) {
        vb_qemu_owners_restore(owners);
        vb_qemu_check_active(job->obj, &error);
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    if (dom->owners == NULL)
        dom->owners = g_ptr_array_new_with_free_func(vb_qemu_owner_free);
    for (guint i = 0; i < owners->len; i++)
        g_ptr_array_add(dom->owners, g_steal_pointer(&owners->pdata[i]));
    g_ptr_array_set_free_func(owners, NULL);
    vb_qemu_attach_live(job, job->obj->live);
}

static void
vb_qemu_attach_live(VbQemuJob *job, VbDomainDef *live)
{
    VbDomainDeviceDef *dev = job->dev;
    g_autoptr(VbDomainDef) new_live = vb_domain_def_copy(live);
    g_autofree char *bus = NULL;
    VbDomainDeviceDef *copy;
    GPtrArray *seq;
    GError *error = NULL;
    gboolean bus_used = FALSE;
    int port = vb_qemu_free_port(job->obj);

    bus = port >= 0 ? vb_qemu_hotplug_port_id(port) : NULL;
    job->state = port;
    copy = vb_domain_device_def_copy(dev);
    if (!vb_domain_def_attach_device(new_live, copy, &error)) {
        vb_domain_device_def_free(copy);
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    job->result = vb_qemu_qmp_seq_new();
    job->result_free = (GDestroyNotify)g_ptr_array_unref;
    switch (dev->kind) {
    case VB_DOMAIN_DEVICE_DISK:
        if (job->qc->user != NULL && dev->disk->src != NULL && job->number2 == 0) {
            GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
            VbQemuOwnersTake *take = g_new0(VbQemuOwnersTake, 1);

            /* the qemu user opens it: hand it over first, then come back here */
            g_ptr_array_add(paths, g_strdup(dev->disk->src));
            take->paths = paths;
            take->uid = job->qc->uid;
            take->gid = job->qc->gid;
            job->number2 = 1;
            g_clear_pointer(&job->result, g_ptr_array_unref);
            job->result_free = NULL;
            vb_qemu_job_work(job, vb_qemu_owners_thread, take, vb_qemu_owners_take_free,
                             (GDestroyNotify)g_ptr_array_unref, vb_qemu_attach_owned);
            return;
        }
        seq = vb_qemu_qmp_seq_new();
        if (!vb_qemu_attach_disk_steps(job, live, bus, seq, &bus_used, &error)) {
            g_ptr_array_unref(seq);
            vb_qemu_job_finish(job, NULL, error);
            return;
        }
        if (!bus_used)
            job->state = -1;
        job->seq = seq;
        job->extra = g_steal_pointer(&new_live);
        job->extra_free = (GDestroyNotify)vb_domain_def_free;
        vb_qemu_attach_step(job);
        return;
    case VB_DOMAIN_DEVICE_NET: {
        g_autoptr(VbDomainDef) scratch = vb_domain_def_new();
        GPtrArray *nets;

        g_ptr_array_add(scratch->nets, vb_domain_net_def_copy(dev->net));
        nets = vb_qemu_taps_prepare(job->qc->conn, scratch, &error);
        if (nets == NULL) {
            vb_qemu_job_finish(job, NULL, error);
            return;
        }
        job->extra = g_steal_pointer(&new_live);
        job->extra_free = (GDestroyNotify)vb_domain_def_free;
        job->text = g_steal_pointer(&bus);
        if (nets->len == 0) {
            g_ptr_array_unref(nets);
            vb_qemu_attach_net_steps(job, job->extra, NULL, job->text);
            return;
        }
        vb_qemu_job_work(job, vb_qemu_taps_thread, nets, (GDestroyNotify)g_ptr_array_unref,
                         (GDestroyNotify)vb_qemu_taps_free, vb_qemu_attach_taps_made);
        return;
    }
    case VB_DOMAIN_DEVICE_INPUT: {
        JsonNode *node = vb_qemu_input_device_args(new_live, NULL, new_live->inputs->len - 1, bus,
                                                   &bus_used, &error);

        if (node == NULL) {
            if (error == NULL)
                vb_error_set(&error, VB_ERROR_OPERATION_UNSUPPORTED,
                             "a PS/2 input device cannot be hot-plugged");
            vb_qemu_job_finish(job, NULL, error);
            return;
        }
        if (!bus_used)
            job->state = -1;
        job->seq = vb_qemu_qmp_seq_new();
        vb_qemu_qmp_step_add(job->seq, "device_add", node, -1);
        job->extra = g_steal_pointer(&new_live);
        job->extra_free = (GDestroyNotify)vb_domain_def_free;
        vb_qemu_attach_step(job);
        return;
    }
    default:
        vb_error_set(&error, VB_ERROR_OPERATION_UNSUPPORTED,
                     "live attach of device '%s' is not supported",
                     vb_domain_device_kind_to_string(dev->kind));
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
}

/* ---- detach ---- */

static gboolean
vb_qemu_unplug_timeout(gpointer data)
{
    VbQemuUnplug *unplug = data;
    VbQemuJob *job = g_steal_pointer(&unplug->job);

    g_clear_pointer(&unplug->timer, g_source_unref);
    /* still pending: the detach succeeds, DEVICE_DELETED finishes it later */
    if (job != NULL && vb_qemu_job_alive(job))
        vb_qemu_detach_config(job);
    return G_SOURCE_REMOVE;
}

static void
vb_qemu_detach_requested(GObject *source, GAsyncResult *res, gpointer data)
{
    VbQemuJob *job = data;
    GPtrArray *unplugs = vb_qemu_dom(job->obj)->unplugs;
    VbQemuUnplug *unplug = NULL;
    gboolean failed;
    g_autoptr(JsonNode) ret = NULL;

    for (guint i = 0; i < unplugs->len && unplug == NULL; i++) {
        if (((VbQemuUnplug *)g_ptr_array_index(unplugs, i))->job == job)
            unplug = g_ptr_array_steal_index(unplugs, i);
    }
    ret = vb_qemu_job_qmp_finish(job, res, &failed);
    if (failed || unplug == NULL) {
        if (unplug != NULL) {
            unplug->job = NULL;
            vb_qemu_unplug_free(unplug);
        }
        if (!failed)
            vb_qemu_detach_config(job);
        return;
    }
    if (unplug->deleted) {
        unplug->job = NULL;
        vb_qemu_unplug_free(unplug);
        vb_qemu_detach_config(job);
        return;
    }
    unplug->waiting = TRUE;
    unplug->timer = g_timeout_source_new(VB_QEMU_UNPLUG_WAIT_MS);
    g_source_set_callback(unplug->timer, vb_qemu_unplug_timeout, unplug, NULL);
    g_source_attach(unplug->timer, NULL);
    g_ptr_array_add(unplugs, unplug);
}

static void
vb_qemu_detach_live(VbQemuJob *job, VbDomainDef *live)
{
    GError *error = NULL;
    VbDomainDeviceDef *found = vb_domain_def_find_device(live, job->dev, &error);
    VbQemuUnplug *unplug;
    char *id;

    if (found == NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    if (found->kind != VB_DOMAIN_DEVICE_DISK && found->kind != VB_DOMAIN_DEVICE_NET &&
        found->kind != VB_DOMAIN_DEVICE_INPUT) {
        vb_error_set(&error, VB_ERROR_OPERATION_UNSUPPORTED,
                     "live detach of device '%s' is not supported",
                     vb_domain_device_kind_to_string(found->kind));
        vb_domain_device_def_free(found);
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    id = vb_qemu_device_qemu_id(live, found);
    if (found->kind == VB_DOMAIN_DEVICE_INPUT && found->input->bus == VB_DOMAIN_INPUT_BUS_PS2) {
        vb_error_set(&error, VB_ERROR_OPERATION_UNSUPPORTED,
                     "a PS/2 input device cannot be unplugged");
        g_free(id);
        vb_domain_device_def_free(found);
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    unplug = g_new0(VbQemuUnplug, 1);
    unplug->id = id;
    unplug->dev = found;
    unplug->job = job;
    g_ptr_array_add(vb_qemu_dom(job->obj)->unplugs, unplug);
    vb_qemu_job_qmp(job, "device_del", vb_qemu_device_del_args(id), vb_qemu_detach_requested);
}

/* ---- update ---- */

static void
vb_qemu_update_applied(VbQemuJob *job)
{
    VbDomainDef *new_live = job->extra;

    job->extra = NULL;
    job->extra_free = NULL;
    vb_qemu_live_commit(job, new_live);
    vb_qemu_device_config(job);
}

static void
vb_qemu_update_live(VbQemuJob *job, VbDomainDef *live)
{
    GError *error = NULL;
    g_autoptr(VbDomainDeviceDef) found = vb_domain_def_find_device(live, job->dev, &error);
    g_autoptr(VbDomainDef) new_live = NULL;
    GPtrArray *seq;

    if (found == NULL) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    new_live = vb_domain_def_copy(live);
    if (!vb_domain_def_update_device(new_live, job->dev, &error)) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    seq = vb_qemu_qmp_seq_new();
    if (found->kind == VB_DOMAIN_DEVICE_DISK) {
        const VbDomainDiskDef *old = found->disk;
        const VbDomainDiskDef *want = job->dev->disk;
        g_autofree char *id = vb_qemu_disk_device_id(old);

        if (g_strcmp0(old->src, want->src) != 0 || old->type != want->type) {
            JsonObject *o = json_object_new();

            json_object_set_string_member(o, "id", id);
            json_object_set_boolean_member(o, "force", TRUE);
            vb_qemu_qmp_step_add(seq, "blockdev-open-tray", vb_qemu_node_of(o), -1);
            vb_qemu_qmp_step_add(seq, "blockdev-remove-medium", vb_qemu_id_args("id", id), -1);
            if (old->src != NULL) {
                g_autofree char *format = vb_qemu_disk_node_name(old);
                g_autofree char *storage = vb_qemu_disk_storage_node_name(old);

                vb_qemu_qmp_step_add(seq, "blockdev-del", vb_qemu_blockdev_del_args(format), -1);
                vb_qemu_qmp_step_add(seq, "blockdev-del", vb_qemu_blockdev_del_args(storage), -1);
            }
            if (want->src != NULL) {
                g_autoptr(GPtrArray) nodes = vb_qemu_disk_blockdev_args(want, &error);
                g_autofree char *format = vb_qemu_disk_node_name(want);

                if (nodes == NULL) {
                    g_ptr_array_unref(seq);
                    vb_qemu_job_finish(job, NULL, error);
                    return;
                }
                for (guint i = 0; i < nodes->len; i++)
                    vb_qemu_qmp_step_add(seq, "blockdev-add", json_node_ref(nodes->pdata[i]), -1);
                o = json_object_new();
                json_object_set_string_member(o, "id", id);
                json_object_set_string_member(o, "node-name", format);
                vb_qemu_qmp_step_add(seq, "blockdev-insert-medium", vb_qemu_node_of(o), -1);
            }
            vb_qemu_qmp_step_add(seq, "blockdev-close-tray", vb_qemu_id_args("id", id), -1);
        }
    } else if (found->kind == VB_DOMAIN_DEVICE_NET) {
        const VbDomainNetDef *old = found->net;
        const VbDomainNetDef *want = job->dev->net;
        int index = vb_domain_def_find_net(live, old->mac);
        gboolean up = want->link_state != VB_DOMAIN_NET_LINK_DOWN;

        if (g_strcmp0(old->model_type, want->model_type) != 0 ||
            g_strcmp0(old->source_bridge, want->source_bridge) != 0 ||
            g_strcmp0(old->source_network, want->source_network) != 0) {
            g_ptr_array_unref(seq);
            vb_error_set(&error, VB_ERROR_OPERATION_UNSUPPORTED,
                         "cannot change the model or source of an interface of a running "
                         "domain");
            vb_qemu_job_finish(job, NULL, error);
            return;
        }
        if ((old->link_state != VB_DOMAIN_NET_LINK_DOWN) != up) {
            g_autofree char *id = vb_qemu_net_device_id(old, MAX(index, 0));
            JsonObject *o = json_object_new();

            json_object_set_string_member(o, "name", id);
            json_object_set_boolean_member(o, "up", up);
            vb_qemu_qmp_step_add(seq, "set_link", vb_qemu_node_of(o), -1);
        }
    } else if (found->kind == VB_DOMAIN_DEVICE_GRAPHICS) {
        const VbDomainGraphicsDef *want = job->dev->graphics;

        if (want->type != VB_DOMAIN_GRAPHICS_VNC ||
            g_strcmp0(found->graphics->keymap, want->keymap) != 0) {
            g_ptr_array_unref(seq);
            vb_error_set(&error, VB_ERROR_OPERATION_UNSUPPORTED,
                         "only the VNC password of a running domain can change");
            vb_qemu_job_finish(job, NULL, error);
            return;
        }
        if (g_strcmp0(found->graphics->passwd, want->passwd) != 0) {
            JsonObject *o = json_object_new();

            json_object_set_string_member(o, "protocol", "vnc");
            json_object_set_string_member(o, "password", want->passwd != NULL ? want->passwd : "");
            vb_qemu_qmp_step_add(seq, "set_password", vb_qemu_node_of(o), -1);
        }
    } else {
        g_ptr_array_unref(seq);
        vb_error_set(&error, VB_ERROR_OPERATION_UNSUPPORTED,
                     "live update of device '%s' is not supported",
                     vb_domain_device_kind_to_string(found->kind));
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    job->extra = g_steal_pointer(&new_live);
    job->extra_free = (GDestroyNotify)vb_domain_def_free;
    vb_qemu_job_qmp_seq(job, seq, vb_qemu_update_applied);
}

/* ---- the calls ---- */

static void
vb_qemu_device_start(VbQemuJob *job)
{
    VbDomainDef *live = NULL, *config = NULL;
    GError *error = NULL;
    VbQemuDeviceOp op = (VbQemuDeviceOp)job->number;
    gboolean ok = TRUE;

    if (!vb_domain_obj_affected(job->obj, job->flags, &live, &config, &error)) {
        vb_qemu_job_finish(job, NULL, error);
        return;
    }
    if (op == VB_QEMU_DEVICE_ATTACH) {
        vb_domain_device_def_fill_mac(job->dev, live != NULL ? live : config, vb_qemu_mac_prefix);
        vb_domain_device_def_set_defaults(job->dev, live != NULL ? live : config);
    }
    /* the persistent part is checked first: a live change is hard to take back */
    if (config != NULL) {
        job->def = vb_domain_def_copy(config);
        if (op == VB_QEMU_DEVICE_ATTACH)
            ok = vb_domain_def_attach_device(job->def, vb_domain_device_def_copy(job->dev), &error);
        else if (op == VB_QEMU_DEVICE_DETACH)
            ok = vb_domain_def_detach_device(job->def, job->dev, &error);
        else
            ok = vb_domain_def_update_device(job->def, job->dev, &error);
        if (!ok) {
            vb_qemu_job_finish(job, NULL, error);
            return;
        }
    }
    if (live == NULL) {
        vb_qemu_device_config(job);
        return;
    }
    if (op == VB_QEMU_DEVICE_ATTACH)
        vb_qemu_attach_live(job, live);
    else if (op == VB_QEMU_DEVICE_DETACH)
        vb_qemu_detach_live(job, live);
    else
        vb_qemu_update_live(job, live);
}

static void
vb_qemu_device_call(VbConn *conn, VbDomainObj *obj, const char *xml, guint flags, VbQemuDeviceOp op,
                    VbDone done, gpointer data)
{
    static const char *const functions[] = {
        "virDomainAttachDeviceFlags",
        "virDomainDetachDeviceFlags",
        "virDomainUpdateDeviceFlags",
    };
    guint allowed = VB_QEMU_AFFECT_LIVE | VB_QEMU_AFFECT_CONFIG |
                    (op == VB_QEMU_DEVICE_UPDATE ? VB_QEMU_DEVICE_MODIFY_FORCE : 0);
    GError *error = NULL;
    g_autoptr(VbDomainDeviceDef) dev = NULL;
    VbQemuJob *job;

    if (vb_error_check_flags(flags, allowed, functions[op], &error) && xml == NULL)
        vb_error_set(&error, VB_ERROR_INVALID_ARG, "xml must not be NULL");
    if (error == NULL)
        dev = vb_domain_device_def_parse(xml, -1, &error);
    if (dev == NULL) {
        vb_qemu_complete(done, data, NULL, error);
        return;
    }
    job = vb_qemu_job_new(conn, obj, functions[op], flags, done, data);
    job->dev = g_steal_pointer(&dev);
    job->number = op;
    job->state = -1;
    vb_qemu_job_begin(job, vb_qemu_device_start);
}

/* virDomainAttachDeviceFlags; live over QMP (tap devices made on a worker), config
 * on a worker */
void
vb_qemu_domain_attach_device(VbConn *conn, VbDomainObj *obj, const char *xml, guint flags,
                             VbDone done, gpointer data)
{
    vb_qemu_device_call(conn, obj, xml, flags, VB_QEMU_DEVICE_ATTACH, done, data);
}

/* virDomainDetachDeviceFlags; completes on DEVICE_DELETED (or after
 * VB_QEMU_UNPLUG_WAIT_MS with the removal pending), config on a worker */
void
vb_qemu_domain_detach_device(VbConn *conn, VbDomainObj *obj, const char *xml, guint flags,
                             VbDone done, gpointer data)
{
    vb_qemu_device_call(conn, obj, xml, flags, VB_QEMU_DEVICE_DETACH, done, data);
}

/* virDomainUpdateDeviceFlags; media, link state and VNC password over QMP, config on a
 * worker */
void
vb_qemu_domain_update_device(VbConn *conn, VbDomainObj *obj, const char *xml, guint flags,
                             VbDone done, gpointer data)
{
    vb_qemu_device_call(conn, obj, xml, flags, VB_QEMU_DEVICE_UPDATE, done, data);
}
