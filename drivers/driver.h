/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "domain-obj.h"
#include "network-obj.h"
#include "vb-error.h"

G_BEGIN_DECLS

typedef struct _VbConn VbConn;
typedef struct _VbDriver VbDriver;

/* how a driver reports what happened; the service turns these into D-Bus signals.
 * every callback runs on the main loop. */
typedef struct {
    void (*domain_lifecycle)(VbConn *conn, VbDomainObj *obj, int event, int detail,
                             gpointer user_data);
    /* the per-domain signals of API.md by name ("BalloonChange", "DeviceAdded", ...);
     * @params is a floating or owned tuple matching the signal's signature */
    void (*domain_signal)(VbConn *conn, VbDomainObj *obj, const char *signal, GVariant *params,
                          gpointer user_data);
    void (*network_lifecycle)(VbConn *conn, VbNetworkObj *obj, int event, gpointer user_data);
    gpointer user_data;
} VbEventSink;

/* one opened connection (test:///default, qemu:///session, ...). */
struct _VbConn {
    const VbDriver *driver;
    char *uri;
    VbDomainList *domains;
    VbNetworkList *networks;
    VbEventSink sink;
    gpointer priv; /* the driver's */
};

/* opens @uri with the first driver that claims it */
VbConn *vb_conn_open(const char *uri, GError **error);
void vb_conn_close(VbConn *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbConn, vb_conn_close)
void vb_conn_set_sink(VbConn *conn, const VbEventSink *sink);

/* for drivers: emit through the sink (no-ops without one) */
void vb_conn_emit_domain(VbConn *conn, VbDomainObj *obj, int event, int detail);
void vb_conn_emit_domain_signal(VbConn *conn, VbDomainObj *obj, const char *signal,
                                GVariant *params);
void vb_conn_emit_network(VbConn *conn, VbNetworkObj *obj, int event);

/* completion of a driver operation; @result's type is the operation's (see each
 * entry) and is owned by the callback, @error is borrowed. an operation may complete
 * before it returns. */
typedef void (*VbDone)(gpointer result, const GError *error, gpointer user_data);

/* node_get_info fills this; the caller frees @model */
typedef struct {
    char *model;
    guint64 memory_kib;
    guint cpus;
    guint mhz;
    guint nodes;
    guint sockets;
    guint cores;
    guint threads;
} VbNodeInfo;

typedef struct {
    gint64 rd_req, rd_bytes, wr_req, wr_bytes, errs;
} VbBlockStats;

typedef struct {
    gint64 rx_bytes, rx_packets, rx_errs, rx_drop;
    gint64 tx_bytes, tx_packets, tx_errs, tx_drop;
} VbInterfaceStats;

typedef struct {
    guint number;
    int state;
    guint64 cpu_time_ns;
    int cpu;
} VbVcpuInfo;

typedef struct {
    guint state; /* libvirt's virDomainControlState */
    guint details;
    guint64 state_time_ms;
} VbControlInfo;

/* the driver vtable. NULL entries answer "this function is not supported by the
 * connection driver: <libvirt function>". reads are synchronous on the main loop;
 * anything that may block (processes, monitors, disk) takes a VbDone and completes
 * later, leaving the main loop free. */
struct _VbDriver {
    const char *name;         /* "Test", "QEMU", "Xen": also polkit's connect_driver */
    const guint8 *mac_prefix; /* three bytes for generated MACs */

    gboolean (*probe)(const char *uri);
    gboolean (*open)(VbConn *conn, GError **error);
    void (*close)(VbConn *conn);

    /* connection reads */
    char *(*get_hostname)(VbConn *conn, GError **error);
    guint64 (*get_version)(VbConn *conn);
    char *(*get_capabilities)(VbConn *conn, GError **error);
    char *(*get_domain_capabilities)(VbConn *conn, const char *emulator, const char *arch,
                                     const char *machine, const char *virttype, guint flags,
                                     GError **error);
    char *(*get_sysinfo)(VbConn *conn, guint flags, GError **error);
    GStrv (*get_cpu_model_names)(VbConn *conn, const char *arch, guint flags, GError **error);
    guint (*get_max_vcpus)(VbConn *conn, const char *type, GError **error);
    gboolean (*node_get_info)(VbConn *conn, VbNodeInfo *info, GError **error);
    /* a bool per host cpu: online */
    GArray *(*node_get_cpu_map)(VbConn *conn, guint flags, GError **error);
    /* a{st} as a GVariant */
    GVariant *(*node_get_cpu_stats)(VbConn *conn, int cpu, guint flags, GError **error);
    GVariant *(*node_get_memory_stats)(VbConn *conn, int cell, guint flags, GError **error);
    guint64 (*node_get_free_memory)(VbConn *conn, GError **error);
    gboolean (*node_get_security_model)(VbConn *conn, char **model, char **doi, GError **error);
    char *(*domain_xml_from_native)(VbConn *conn, const char *format, const char *config,
                                    guint flags, GError **error);
    char *(*domain_xml_to_native)(VbConn *conn, const char *format, const char *xml, guint flags,
                                  GError **error);
    /* DomainSaveImageGetXMLDesc: result char * */
    void (*save_image_get_xml)(VbConn *conn, const char *file, guint flags, VbDone done,
                               gpointer data);
    void (*save_image_define_xml)(VbConn *conn, const char *file, const char *xml, guint flags,
                                  VbDone done, gpointer data);

    /* connection changes; a VbDomainObj * result is a new reference */
    void (*domain_define_xml)(VbConn *conn, const char *xml, guint flags, VbDone done,
                              gpointer data);
    void (*domain_create_xml)(VbConn *conn, const char *xml, guint flags, VbDone done,
                              gpointer data);
    void (*domain_restore)(VbConn *conn, const char *from, const char *xml, guint flags,
                           VbDone done, gpointer data);

    /* domain reads, synchronous; state, ids, names, XML, autostart and persistence are
     * read by the service straight from VbDomainObj */
    guint64 (*domain_get_cpu_time)(VbConn *conn, VbDomainObj *obj);
    char *(*domain_get_hostname)(VbConn *conn, VbDomainObj *obj, guint flags, GError **error);
    gboolean (*domain_get_control_info)(VbConn *conn, VbDomainObj *obj, guint flags,
                                        VbControlInfo *info, GError **error);
    /* a GArray of VbVcpuInfo */
    GArray *(*domain_get_vcpu_info)(VbConn *conn, VbDomainObj *obj, guint flags, GError **error);
    /* a{sv} of scheduler parameters, and the scheduler's name */
    GVariant *(*domain_get_scheduler_params)(VbConn *conn, VbDomainObj *obj, guint flags,
                                             GError **error);
    char *(*domain_get_scheduler_type)(VbConn *conn, VbDomainObj *obj, int *nparams,
                                       GError **error);

    /* domain operations: a NULL result unless said otherwise */
    void (*domain_create)(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data);
    void (*domain_shutdown)(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                            gpointer data);
    void (*domain_reboot)(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data);
    void (*domain_reset)(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data);
    void (*domain_destroy)(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done, gpointer data);
    void (*domain_suspend)(VbConn *conn, VbDomainObj *obj, VbDone done, gpointer data);
    void (*domain_resume)(VbConn *conn, VbDomainObj *obj, VbDone done, gpointer data);
    void (*domain_save)(VbConn *conn, VbDomainObj *obj, const char *to, const char *xml,
                        guint flags, VbDone done, gpointer data);
    void (*domain_managed_save)(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                                gpointer data);
    void (*domain_managed_save_remove)(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                                       gpointer data);
    void (*domain_core_dump)(VbConn *conn, VbDomainObj *obj, const char *to, guint format,
                             guint flags, VbDone done, gpointer data);
    void (*domain_undefine)(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                            gpointer data);
    void (*domain_set_autostart)(VbConn *conn, VbDomainObj *obj, gboolean autostart, VbDone done,
                                 gpointer data);
    void (*domain_set_memory)(VbConn *conn, VbDomainObj *obj, guint64 kib, guint flags, VbDone done,
                              gpointer data);
    void (*domain_set_max_memory)(VbConn *conn, VbDomainObj *obj, guint64 kib, guint flags,
                                  VbDone done, gpointer data);
    void (*domain_set_vcpus)(VbConn *conn, VbDomainObj *obj, guint vcpus, guint flags, VbDone done,
                             gpointer data);
    /* @cpumap: one gboolean per host cpu */
    void (*domain_pin_vcpu)(VbConn *conn, VbDomainObj *obj, guint vcpu, const gboolean *cpumap,
                            gsize ncpus, guint flags, VbDone done, gpointer data);
    /* @params: a{sv} */
    void (*domain_set_scheduler_params)(VbConn *conn, VbDomainObj *obj, GVariant *params,
                                        guint flags, VbDone done, gpointer data);
    void (*domain_attach_device)(VbConn *conn, VbDomainObj *obj, const char *xml, guint flags,
                                 VbDone done, gpointer data);
    void (*domain_detach_device)(VbConn *conn, VbDomainObj *obj, const char *xml, guint flags,
                                 VbDone done, gpointer data);
    void (*domain_update_device)(VbConn *conn, VbDomainObj *obj, const char *xml, guint flags,
                                 VbDone done, gpointer data);
    void (*domain_set_metadata)(VbConn *conn, VbDomainObj *obj, int type, const char *metadata,
                                const char *key, const char *uri, guint flags, VbDone done,
                                gpointer data);
    void (*domain_rename)(VbConn *conn, VbDomainObj *obj, const char *name, guint flags,
                          VbDone done, gpointer data);
    void (*domain_inject_nmi)(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                              gpointer data);
    void (*domain_send_key)(VbConn *conn, VbDomainObj *obj, guint codeset, guint holdtime,
                            const guint *keycodes, gsize nkeycodes, guint flags, VbDone done,
                            gpointer data);
    /* result: a{sv} GVariant of libvirt's stats fields (unwrapped) */
    void (*domain_get_stats)(VbConn *conn, VbDomainObj *obj, guint stats, guint flags, VbDone done,
                             gpointer data);
    /* result: a{it} GVariant */
    void (*domain_memory_stats)(VbConn *conn, VbDomainObj *obj, guint flags, VbDone done,
                                gpointer data);
    /* result: VbBlockStats * (g_free) */
    void (*domain_block_stats)(VbConn *conn, VbDomainObj *obj, const char *disk, guint flags,
                               VbDone done, gpointer data);
    /* result: VbInterfaceStats * (g_free) */
    void (*domain_interface_stats)(VbConn *conn, VbDomainObj *obj, const char *device, guint flags,
                                   VbDone done, gpointer data);
    /* result: a(ssa(isu)) GVariant */
    void (*domain_interface_addresses)(VbConn *conn, VbDomainObj *obj, guint source, guint flags,
                                       VbDone done, gpointer data);
    void (*domain_migrate)(VbConn *conn, VbDomainObj *obj, const char *dest_uri, GVariant *params,
                           guint flags, VbDone done, gpointer data);

    /* networks; a VbNetworkObj * result is a new reference */
    void (*network_define_xml)(VbConn *conn, const char *xml, VbDone done, gpointer data);
    void (*network_create_xml)(VbConn *conn, const char *xml, VbDone done, gpointer data);
    void (*network_create)(VbConn *conn, VbNetworkObj *obj, VbDone done, gpointer data);
    void (*network_destroy)(VbConn *conn, VbNetworkObj *obj, VbDone done, gpointer data);
    void (*network_undefine)(VbConn *conn, VbNetworkObj *obj, VbDone done, gpointer data);
    void (*network_set_autostart)(VbConn *conn, VbNetworkObj *obj, gboolean autostart, VbDone done,
                                  gpointer data);
    void (*network_update)(VbConn *conn, VbNetworkObj *obj, guint command, guint section,
                           int parent_index, const char *xml, guint flags, VbDone done,
                           gpointer data);
    /* result: a(sxisssuss) GVariant */
    void (*network_get_dhcp_leases)(VbConn *conn, VbNetworkObj *obj, const char *mac, guint flags,
                                    VbDone done, gpointer data);
};

/* adds @value under the key @format gives to an a{sv} stats builder */
void vb_driver_stats_add(GVariantBuilder *b, GVariant *value, const char *format, ...)
    G_GNUC_PRINTF(3, 4);

/* every driver built in */
extern const VbDriver vb_test_driver;
extern const VbDriver vb_qemu_driver;

G_END_DECLS
