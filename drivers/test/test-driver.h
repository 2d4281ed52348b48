/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <glib.h>

#include "driver.h"

G_BEGIN_DECLS

/* what the test hypervisor claims: libvirt's test driver answers 32 */
#define VB_TEST_MAX_VCPUS 32
#define VB_TEST_EMULATOR  "/usr/bin/test-hv"

/* libvirt's flag bits the test driver accepts (API.md, Flags) */
enum {
    VB_TEST_AFFECT_LIVE = 1,
    VB_TEST_AFFECT_CONFIG = 2,
    VB_TEST_MEM_MAXIMUM = 4,
    VB_TEST_VCPU_MAXIMUM = 4,
    VB_TEST_VCPU_GUEST = 8,
};
enum {
    VB_TEST_START_PAUSED = 1,
    VB_TEST_START_AUTODESTROY = 2,
    VB_TEST_START_BYPASS_CACHE = 4,
    VB_TEST_START_FORCE_BOOT = 8,
    VB_TEST_START_VALIDATE = 16,
};
enum {
    VB_TEST_SAVE_BYPASS_CACHE = 1,
    VB_TEST_SAVE_RUNNING = 2,
    VB_TEST_SAVE_PAUSED = 4,
};
enum {
    VB_TEST_UNDEFINE_MANAGED_SAVE = 1,
    VB_TEST_UNDEFINE_SNAPSHOTS_METADATA = 2,
    VB_TEST_UNDEFINE_NVRAM = 4,
    VB_TEST_UNDEFINE_KEEP_NVRAM = 8,
};

/* the driver's per-connection state (VbConn.priv). jobs on a worker hold a reference,
 * so a connection closed meanwhile leaves them something valid to look at. */
typedef struct {
    gint ref;
    VbConn *conn;      /* NULL once the connection is closed */
    VbNodeInfo node;   /* from the host file or libvirt's test defaults */
    char *host_file;   /* NULL for test:///default */
    char *managed_dir; /* private directory of managed save images */
    gint64 opened_us;  /* monotonic time of open, for node cpu stats */
} VbTestConn;

/* the driver's per-domain state (VbDomainObj.priv) */
typedef struct {
    gboolean job_active; /* a worker operation is in flight */
    gint64 job_start_us;
    guint guest_vcpus; /* vcpus the guest uses (VCPU_GUEST); 0: all plugged ones */
} VbTestDomain;

/* test-driver.c */
VbTestConn *vb_test_conn_ref(VbTestConn *tc);
void vb_test_conn_unref(VbTestConn *tc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbTestConn, vb_test_conn_unref)
char *vb_test_managed_save_path(VbTestConn *tc, const VbDomainObj *obj);
extern const guint8 vb_test_mac_prefix[3];

static inline VbTestConn *
vb_test_conn(VbConn *conn)
{
    return conn->priv;
}

static inline VbTestDomain *
vb_test_dom(const VbDomainObj *obj)
{
    return obj->priv;
}

/* test-domain.c: shared state machine */
VbDomainObj *vb_test_domain_obj_new(VbDomainDef *def, gboolean persistent);
gboolean vb_test_check_def(const VbDomainDef *def, GError **error);
gboolean vb_test_check_busy(const VbDomainObj *obj, GError **error);
gboolean vb_test_check_active(const VbDomainObj *obj, GError **error);
void vb_test_domain_start(VbConn *conn, VbDomainObj *obj, VbDomainDef *live, int reason);
void vb_test_domain_stop(VbConn *conn, VbDomainObj *obj, VbShutoffReason reason);
void vb_test_domain_pause(VbDomainObj *obj, VbPausedReason reason);
void vb_test_domain_unpause(VbDomainObj *obj, VbRunningReason reason);
/* stops @obj with @reason, emits STOPPED/@detail, drops a transient domain */
void vb_test_domain_stopped(VbConn *conn, VbDomainObj *obj, VbShutoffReason reason, int detail);
/* starts @def (owned) as the live definition of the domain with its UUID, or of a new
 * transient one; no event. a new reference */
VbDomainObj *vb_test_domain_add_live(VbConn *conn, VbDomainDef *def, int reason, GError **error);
/* STARTED/BOOTED, then START_PAUSED and START_AUTODESTROY of @flags */
void vb_test_domain_booted(VbConn *conn, VbDomainObj *obj, guint flags);

/* domain operations (test-domain.c) */
void vb_test_domain_define_xml(VbConn *conn, const char *xml, guint flags, VbDone done,
                               gpointer data);
void vb_test_domain_create_xml(VbConn *conn, const char *xml, guint flags, VbDone done,
                               gpointer data);
void vb_test_domain_create(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data);
void vb_test_domain_shutdown(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                             gpointer data);
void vb_test_domain_reboot(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data);
void vb_test_domain_reset(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data);
void vb_test_domain_destroy(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                            gpointer data);
void vb_test_domain_suspend(VbConn *conn, VbDomainObj *obj, VbDone done, gpointer data);
void vb_test_domain_resume(VbConn *conn, VbDomainObj *obj, VbDone done, gpointer data);
void vb_test_domain_undefine(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                             gpointer data);
void vb_test_domain_undefine_finish(VbConn *conn, VbDomainObj *obj);
void vb_test_domain_set_autostart(VbConn *conn, VbDomainObj *obj, gboolean autostart, VbDone done,
                                  gpointer data);
void vb_test_domain_rename(VbConn *conn, VbDomainObj *obj, const char *name, guint flags,
                           VbDone done, gpointer data);
void vb_test_domain_inject_nmi(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                               gpointer data);
void vb_test_domain_send_key(VbConn *conn, VbDomainObj *obj, guint codeset, guint holdtime,
                             const guint *keycodes, gsize nkeycodes, guint flags, VbDone done,
                             gpointer data);

/* test-config.c: live and persistent configuration changes */
void vb_test_domain_set_memory(VbConn *conn, VbDomainObj *obj, guint64 kib, guint flags,
                               VbDone done, gpointer data);
void vb_test_domain_set_max_memory(VbConn *conn, VbDomainObj *obj, guint64 kib, guint flags,
                                   VbDone done, gpointer data);
void vb_test_domain_set_vcpus(VbConn *conn, VbDomainObj *obj, guint vcpus, guint flags, VbDone done,
                              gpointer data);
void vb_test_domain_pin_vcpu(VbConn *conn, VbDomainObj *obj, guint vcpu, const gboolean *cpumap,
                             gsize ncpus, guint flags, VbDone done, gpointer data);
GVariant *vb_test_domain_get_scheduler_params(VbConn *conn, VbDomainObj *obj, guint flags,
                                              GError **error);
char *vb_test_domain_get_scheduler_type(VbConn *conn, VbDomainObj *obj, int *nparams,
                                        GError **error);
void vb_test_domain_set_scheduler_params(VbConn *conn, VbDomainObj *obj, GVariant *params,
                                         guint flags, VbDone done, gpointer data);
void vb_test_domain_attach_device(VbConn *conn, VbDomainObj *obj, const char *xml, guint flags,
                                  VbDone done, gpointer data);
void vb_test_domain_detach_device(VbConn *conn, VbDomainObj *obj, const char *xml, guint flags,
                                  VbDone done, gpointer data);
void vb_test_domain_update_device(VbConn *conn, VbDomainObj *obj, const char *xml, guint flags,
                                  VbDone done, gpointer data);
void vb_test_domain_set_metadata(VbConn *conn, VbDomainObj *obj, int type, const char *metadata,
                                 const char *key, const char *uri, guint flags, VbDone done,
                                 gpointer data);

/* test-save.c: everything that touches files, on a worker */
void vb_test_domain_save(VbConn *conn, VbDomainObj *obj, const char *to, const char *xml,
                         guint flags, VbDone done, gpointer data);
void vb_test_domain_restore(VbConn *conn, const char *from, const char *xml, guint flags,
                            VbDone done, gpointer data);
void vb_test_save_image_get_xml(VbConn *conn, const char *file, guint flags, VbDone done,
                                gpointer data);
void vb_test_save_image_define_xml(VbConn *conn, const char *file, const char *xml, guint flags,
                                   VbDone done, gpointer data);
void vb_test_domain_managed_save(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                                 gpointer data);
void vb_test_domain_managed_save_remove(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                                        gpointer data);
void vb_test_domain_core_dump(VbConn *conn, VbDomainObj *obj, const char *to, guint format,
                              guint flags, VbDone done, gpointer data);
/* Create of a domain with a managed save image: restore it, then remove it */
void vb_test_domain_start_managed(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                                  gpointer data);
/* Undefine with MANAGED_SAVE: remove the image, then undefine */
void vb_test_domain_undefine_managed(VbConn *conn, VbDomainObj *obj, VbDone done, gpointer data);

/* test-stats.c: synthetic runtime data */
guint64 vb_test_domain_get_cpu_time(VbConn *conn, VbDomainObj *obj);
char *vb_test_domain_get_hostname(VbConn *conn, VbDomainObj *obj, guint flags, GError **error);
gboolean vb_test_domain_get_control_info(VbConn *conn, VbDomainObj *obj, guint flags,
                                         VbControlInfo *info, GError **error);
GArray *vb_test_domain_get_vcpu_info(VbConn *conn, VbDomainObj *obj, guint flags, GError **error);
void vb_test_domain_get_stats(VbConn *conn, VbDomainObj *obj, guint stats, guint flags, VbDone done,
                              gpointer data);
void vb_test_domain_memory_stats(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                                 gpointer data);
void vb_test_domain_block_stats(VbConn *conn, VbDomainObj *obj, const char *disk, guint flags,
                                VbDone done, gpointer data);
void vb_test_domain_interface_stats(VbConn *conn, VbDomainObj *obj, const char *device, guint flags,
                                    VbDone done, gpointer data);
void vb_test_domain_interface_addresses(VbConn *conn, VbDomainObj *obj, guint source, guint flags,
                                        VbDone done, gpointer data);

/* test-network.c */
gboolean vb_test_network_add(VbConn *conn, VbNetworkDef *def, gboolean active, gboolean persistent,
                             gboolean autostart, GError **error);
/* the address a running domain's NIC leases from the network it sits on, or NULL */
char *vb_test_network_lease_address(VbConn *conn, VbNetworkObj *net, const VbDomainObj *obj,
                                    guint nic, guint *prefix);
void vb_test_network_define_xml(VbConn *conn, const char *xml, VbDone done, gpointer data);
void vb_test_network_create_xml(VbConn *conn, const char *xml, VbDone done, gpointer data);
void vb_test_network_create(VbConn *conn, VbNetworkObj *obj, VbDone done, gpointer data);
void vb_test_network_destroy(VbConn *conn, VbNetworkObj *obj, VbDone done, gpointer data);
void vb_test_network_undefine(VbConn *conn, VbNetworkObj *obj, VbDone done, gpointer data);
void vb_test_network_set_autostart(VbConn *conn, VbNetworkObj *obj, gboolean autostart, VbDone done,
                                   gpointer data);
void vb_test_network_update(VbConn *conn, VbNetworkObj *obj, guint command, guint section,
                            int parent_index, const char *xml, guint flags, VbDone done,
                            gpointer data);
void vb_test_network_get_dhcp_leases(VbConn *conn, VbNetworkObj *obj, const char *mac, guint flags,
                                     VbDone done, gpointer data);

/* completes an operation at once: @error set → failure, else @result */
void vb_test_complete(VbDone done, gpointer data, gpointer result, GError *error);

G_END_DECLS
