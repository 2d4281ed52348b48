/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus"

#include "obj-index.h"

#include "ids.h"
#include "vb-error.h"

void
vb_obj_index_init(VbObjIndex *index, const char *kind, gpointer (*ref)(gpointer),
                  GDestroyNotify unref)
{
    index->kind = kind;
    index->ref = ref;
    index->by_uuid = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, unref);
    index->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

void
vb_obj_index_clear(VbObjIndex *index)
{
    /* names first: they point at objects the uuid table holds */
    g_clear_pointer(&index->by_name, g_hash_table_destroy);
    g_clear_pointer(&index->by_uuid, g_hash_table_destroy);
}

gboolean
vb_obj_index_add(VbObjIndex *index, gpointer obj, const char *uuid, const char *name,
                 GError **error)
{
    gpointer other = g_hash_table_lookup(index->by_name, name);

    if (other != NULL) {
        GHashTableIter iter;
        gpointer key, value;

        /* the message names the clashing object's uuid: find its key */
        g_hash_table_iter_init(&iter, index->by_uuid);
        while (g_hash_table_iter_next(&iter, &key, &value) && value != other)
            ;
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "%s '%s' already exists with uuid %s",
                     index->kind, name, value == other ? (const char *)key : "");
        return FALSE;
    }
    if (g_hash_table_contains(index->by_uuid, uuid)) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED, "%s '%s' is already defined with uuid %s",
                     index->kind, name, uuid);
        return FALSE;
    }
    g_hash_table_insert(index->by_uuid, (gpointer)uuid, index->ref(obj));
    g_hash_table_insert(index->by_name, g_strdup(name), obj);
    return TRUE;
}

gboolean
vb_obj_index_remove(VbObjIndex *index, gpointer obj, const char *uuid, const char *name)
{
    if (g_hash_table_lookup(index->by_uuid, uuid) != obj)
        return FALSE;
    g_hash_table_remove(index->by_name, name);
    /* last: this may drop the final reference to @obj */
    g_hash_table_remove(index->by_uuid, uuid);
    return TRUE;
}

gboolean
vb_obj_index_rename(VbObjIndex *index, gpointer obj, const char *old_name, const char *new_name,
                    GError **error)
{
    if (g_hash_table_contains(index->by_name, new_name)) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID, "%s with name '%s' already exists",
                     index->kind, new_name);
        return FALSE;
    }
    g_hash_table_remove(index->by_name, old_name);
    g_hash_table_insert(index->by_name, g_strdup(new_name), obj);
    return TRUE;
}

gpointer
vb_obj_index_find_uuid(const VbObjIndex *index, const char *uuid)
{
    guint8 raw[VB_UUID_LEN];
    char canonical[VB_UUID_STRING_LEN];

    if (uuid == NULL || !vb_uuid_parse(uuid, raw))
        return NULL;
    vb_uuid_format(raw, canonical);
    return g_hash_table_lookup(index->by_uuid, canonical);
}

gpointer
vb_obj_index_find_name(const VbObjIndex *index, const char *name)
{
    return g_hash_table_lookup(index->by_name, name);
}

GPtrArray *
vb_obj_index_all(const VbObjIndex *index, GDestroyNotify unref)
{
    GPtrArray *all = g_ptr_array_new_full(g_hash_table_size(index->by_uuid), unref);
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init(&iter, index->by_uuid);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        g_ptr_array_add(all, index->ref(value));
    return all;
}
