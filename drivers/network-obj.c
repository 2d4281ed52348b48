/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus"

#include "network-obj.h"

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
    GHashTable *by_uuid; /* uuid_str → obj, owns the reference */
    GHashTable *by_name; /* owned name → obj */
};

VbNetworkList *
vb_network_list_new(void)
{
    VbNetworkList *list = g_new0(VbNetworkList, 1);

    list->by_uuid = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify)vb_network_obj_unref);
    list->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return list;
}

void
vb_network_list_free(VbNetworkList *list)
{
    if (list == NULL)
        return;
    g_hash_table_destroy(list->by_name);
    g_hash_table_destroy(list->by_uuid);
    g_free(list);
}

guint
vb_network_list_count(const VbNetworkList *list)
{
    return g_hash_table_size(list->by_uuid);
}

gboolean
vb_network_list_add(VbNetworkList *list, VbNetworkObj *obj, GError **error)
{
    const char *name = vb_network_obj_name(obj);
    VbNetworkObj *other = g_hash_table_lookup(list->by_name, name);

    if (other != NULL) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "network '%s' already exists with uuid %s",
                     name, other->uuid_str);
        return FALSE;
    }
    other = g_hash_table_lookup(list->by_uuid, obj->uuid_str);
    if (other != NULL) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED,
                     "network '%s' is already defined with uuid %s", vb_network_obj_name(other),
                     obj->uuid_str);
        return FALSE;
    }
    g_hash_table_insert(list->by_uuid, obj->uuid_str, vb_network_obj_ref(obj));
    g_hash_table_insert(list->by_name, g_strdup(name), obj);
    obj->removed = FALSE;
    return TRUE;
}

void
vb_network_list_remove(VbNetworkList *list, VbNetworkObj *obj)
{
    if (g_hash_table_lookup(list->by_uuid, obj->uuid_str) != obj)
        return;
    obj->removed = TRUE;
    g_hash_table_remove(list->by_name, vb_network_obj_name(obj));
    g_hash_table_remove(list->by_uuid, obj->uuid_str);
}

VbNetworkObj *
vb_network_list_find_uuid(const VbNetworkList *list, const guint8 uuid[VB_UUID_LEN])
{
    char str[VB_UUID_STRING_LEN];

    vb_uuid_format(uuid, str);
    return g_hash_table_lookup(list->by_uuid, str);
}

VbNetworkObj *
vb_network_list_find_uuid_str(const VbNetworkList *list, const char *uuid)
{
    guint8 raw[VB_UUID_LEN];

    if (!vb_uuid_parse(uuid, raw))
        return NULL;
    return vb_network_list_find_uuid(list, raw);
}

VbNetworkObj *
vb_network_list_find_name(const VbNetworkList *list, const char *name)
{
    return g_hash_table_lookup(list->by_name, name);
}

GPtrArray *
vb_network_list_all(const VbNetworkList *list)
{
    GPtrArray *all = g_ptr_array_new_full(g_hash_table_size(list->by_uuid),
                                          (GDestroyNotify)vb_network_obj_unref);
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init(&iter, list->by_uuid);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        g_ptr_array_add(all, vb_network_obj_ref(value));
    return all;
}
