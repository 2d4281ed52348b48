/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus"

#include "network-obj.h"

#include "obj-index.h"
#include "vb-error.h"

VbNetworkObj *
vb_network_obj_new(VbNetworkDef *def, gboolean persistent)
{
    VbNetworkObj *obj = g_new0(VbNetworkObj, 1);

    obj->ref = 1;
    memcpy(obj->uuid, def->uuid, VB_UUID_LEN);
    vb_uuid_format(obj->uuid, obj->uuid_str);
    if (persistent)
        obj->config = def;
    else
        obj->live = def;
    return obj;
}

VbNetworkObj *
vb_network_obj_ref(VbNetworkObj *obj)
{
    g_atomic_int_inc(&obj->ref);
    return obj;
}

void
vb_network_obj_unref(VbNetworkObj *obj)
{
    if (obj == NULL || !g_atomic_int_dec_and_test(&obj->ref))
        return;
    if (obj->priv_free != NULL)
        obj->priv_free(obj->priv);
    if (obj->live != obj->config)
        vb_network_def_free(obj->live);
    vb_network_def_free(obj->config);
    g_free(obj);
}

VbNetworkDef *
vb_network_obj_def(const VbNetworkObj *obj)
{
    return obj->live != NULL ? obj->live : obj->config;
}

const char *
vb_network_obj_name(const VbNetworkObj *obj)
{
    return vb_network_obj_def(obj)->name;
}

gboolean
vb_network_obj_is_active(const VbNetworkObj *obj)
{
    return obj->live != NULL;
}

gboolean
vb_network_obj_is_persistent(const VbNetworkObj *obj)
{
    return obj->config != NULL;
}

static gboolean
vb_filter(guint flags, guint yes, guint no, gboolean value)
{
    guint group = flags & (yes | no);

    if (group == 0 || group == (yes | no))
        return TRUE;
    return (group == yes) == value;
}

gboolean
vb_network_obj_matches(const VbNetworkObj *obj, guint flags)
{
    return vb_filter(flags, VB_LIST_NETWORKS_ACTIVE, VB_LIST_NETWORKS_INACTIVE,
                     vb_network_obj_is_active(obj)) &&
           vb_filter(flags, VB_LIST_NETWORKS_PERSISTENT, VB_LIST_NETWORKS_TRANSIENT,
                     vb_network_obj_is_persistent(obj)) &&
           vb_filter(flags, VB_LIST_NETWORKS_AUTOSTART, VB_LIST_NETWORKS_NO_AUTOSTART,
                     obj->autostart);
}

struct _VbNetworkList {
    VbObjIndex index;
};

static gpointer
vb_network_obj_ref_any(gpointer obj)
{
    return vb_network_obj_ref(obj);
}

VbNetworkList *
vb_network_list_new(void)
{
    VbNetworkList *list = g_new0(VbNetworkList, 1);

    vb_obj_index_init(&list->index, "network", vb_network_obj_ref_any,
                      (GDestroyNotify)vb_network_obj_unref);
    return list;
}

void
vb_network_list_free(VbNetworkList *list)
{
    if (list == NULL)
        return;
    vb_obj_index_clear(&list->index);
    g_free(list);
}

guint
vb_network_list_count(const VbNetworkList *list)
{
    return g_hash_table_size(list->index.by_uuid);
}

gboolean
vb_network_list_add(VbNetworkList *list, VbNetworkObj *obj, GError **error)
{
    if (!vb_obj_index_add(&list->index, obj, obj->uuid_str, vb_network_obj_name(obj), error))
        return FALSE;
    obj->removed = FALSE;
    return TRUE;
}

void
vb_network_list_remove(VbNetworkList *list, VbNetworkObj *obj)
{
    G_GNUC_UNUSED g_autoptr(VbNetworkObj) hold = vb_network_obj_ref(obj);

    if (vb_obj_index_remove(&list->index, obj, obj->uuid_str, vb_network_obj_name(obj)))
        obj->removed = TRUE;
}

VbNetworkObj *
vb_network_list_find_uuid(const VbNetworkList *list, const guint8 uuid[VB_UUID_LEN])
{
    char str[VB_UUID_STRING_LEN];

    vb_uuid_format(uuid, str);
    return g_hash_table_lookup(list->index.by_uuid, str);
}

VbNetworkObj *
vb_network_list_find_uuid_str(const VbNetworkList *list, const char *uuid)
{
    return vb_obj_index_find_uuid(&list->index, uuid);
}

VbNetworkObj *
vb_network_list_find_name(const VbNetworkList *list, const char *name)
{
    return vb_obj_index_find_name(&list->index, name);
}

GPtrArray *
vb_network_list_all(const VbNetworkList *list)
{
    return vb_obj_index_all(&list->index, (GDestroyNotify)vb_network_obj_unref);
}
