/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "ids.h"
#include "network-conf.h"

G_BEGIN_DECLS

/* NetworkEvent codes */
typedef enum {
    VB_NETWORK_EVENT_DEFINED = 0,
    VB_NETWORK_EVENT_UNDEFINED = 1,
    VB_NETWORK_EVENT_STARTED = 2,
    VB_NETWORK_EVENT_STOPPED = 3,
} VbNetworkEventType;

/* ListNetworks flags (libvirt's CONNECT_LIST_NETWORKS_*) */
enum {
    VB_LIST_NETWORKS_INACTIVE = 1 << 0,
    VB_LIST_NETWORKS_ACTIVE = 1 << 1,
    VB_LIST_NETWORKS_PERSISTENT = 1 << 2,
    VB_LIST_NETWORKS_TRANSIENT = 1 << 3,
    VB_LIST_NETWORKS_AUTOSTART = 1 << 4,
    VB_LIST_NETWORKS_NO_AUTOSTART = 1 << 5,
    VB_LIST_NETWORKS_ALL_FLAGS = (1 << 6) - 1,
};

/* a virtual network as every driver keeps it; main loop only, like VbDomainObj */
typedef struct _VbNetworkObj {
    gint ref;
    guint8 uuid[VB_UUID_LEN];
    char uuid_str[VB_UUID_STRING_LEN];
    VbNetworkDef *config; /* persistent definition; NULL for a transient network */
    VbNetworkDef *live;   /* the running definition; NULL while inactive */
    gboolean autostart;
    gboolean removed;
    gpointer priv;
    GDestroyNotify priv_free;
} VbNetworkObj;

VbNetworkObj *vb_network_obj_new(VbNetworkDef *def, gboolean persistent);
VbNetworkObj *vb_network_obj_ref(VbNetworkObj *obj);
void vb_network_obj_unref(VbNetworkObj *obj);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbNetworkObj, vb_network_obj_unref)
VbNetworkDef *vb_network_obj_def(const VbNetworkObj *obj);
const char *vb_network_obj_name(const VbNetworkObj *obj);
gboolean vb_network_obj_is_active(const VbNetworkObj *obj);
gboolean vb_network_obj_is_persistent(const VbNetworkObj *obj);
gboolean vb_network_obj_matches(const VbNetworkObj *obj, guint flags);

typedef struct _VbNetworkList VbNetworkList;

VbNetworkList *vb_network_list_new(void);
void vb_network_list_free(VbNetworkList *list);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbNetworkList, vb_network_list_free)
guint vb_network_list_count(const VbNetworkList *list);
gboolean vb_network_list_add(VbNetworkList *list, VbNetworkObj *obj, GError **error);
void vb_network_list_remove(VbNetworkList *list, VbNetworkObj *obj);
VbNetworkObj *vb_network_list_find_uuid(const VbNetworkList *list, const guint8 uuid[VB_UUID_LEN]);
VbNetworkObj *vb_network_list_find_uuid_str(const VbNetworkList *list, const char *uuid);
VbNetworkObj *vb_network_list_find_name(const VbNetworkList *list, const char *name);
GPtrArray *vb_network_list_all(const VbNetworkList *list);

G_END_DECLS
