/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus"

#include "domain-obj.h"

#include "obj-index.h"
#include "vb-error.h"

VbDomainObj *
vb_domain_obj_new(VbDomainDef *def, gboolean persistent)
{
    VbDomainObj *obj = g_new0(VbDomainObj, 1);

    obj->ref = 1;
    memcpy(obj->uuid, def->uuid, VB_UUID_LEN);
    vb_uuid_format(obj->uuid, obj->uuid_str);
    if (persistent)
        obj->config = def;
    else
        obj->live = def;
    obj->id = -1;
    obj->state = VB_DOMAIN_SHUTOFF;
    obj->reason = VB_SHUTOFF_UNKNOWN;
    return obj;
}

VbDomainObj *
vb_domain_obj_ref(VbDomainObj *obj)
{
    g_atomic_int_inc(&obj->ref);
    return obj;
}

void
vb_domain_obj_unref(VbDomainObj *obj)
{
    if (obj == NULL || !g_atomic_int_dec_and_test(&obj->ref))
        return;
    if (obj->priv_free != NULL)
        obj->priv_free(obj->priv);
    if (obj->live != obj->config)
        vb_domain_def_free(obj->live);
    vb_domain_def_free(obj->config);
    g_free(obj->xml_cache);
    g_free(obj);
}

VbDomainDef *
vb_domain_obj_def(const VbDomainObj *obj)
{
    return obj->live != NULL ? obj->live : obj->config;
}

VbDomainDef *
vb_domain_obj_config(const VbDomainObj *obj)
{
    return obj->config != NULL ? obj->config : obj->live;
}

const char *
vb_domain_obj_name(const VbDomainObj *obj)
{
    return vb_domain_obj_def(obj)->name;
}

gboolean
vb_domain_obj_is_active(const VbDomainObj *obj)
{
    return obj->id >= 0;
}

gboolean
vb_domain_obj_is_persistent(const VbDomainObj *obj)
{
    return obj->config != NULL;
}

gboolean
vb_domain_obj_affected(const VbDomainObj *obj, guint flags, VbDomainDef **live,
                       VbDomainDef **config, GError **error)
{
    gboolean active = vb_domain_obj_is_active(obj);
    guint affect = flags & (VB_DOMAIN_AFFECT_LIVE | VB_DOMAIN_AFFECT_CONFIG);

    if (affect == 0)
        affect = active ? VB_DOMAIN_AFFECT_LIVE : VB_DOMAIN_AFFECT_CONFIG;
    if ((affect & VB_DOMAIN_AFFECT_LIVE) != 0 && !active) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID, "domain is not running");
        return FALSE;
    }
    if ((affect & VB_DOMAIN_AFFECT_CONFIG) != 0 && !vb_domain_obj_is_persistent(obj)) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID,
                     "cannot change persistent config of a transient domain");
        return FALSE;
    }
    *live = (affect & VB_DOMAIN_AFFECT_LIVE) != 0 ? obj->live : NULL;
    *config = (affect & VB_DOMAIN_AFFECT_CONFIG) != 0 ? obj->config : NULL;
    return TRUE;
}

gboolean
vb_domain_check_same(const VbDomainDef *def, const VbDomainDef *other, GError **error)
{
    if (g_strcmp0(def->name, other->name) != 0) {
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "Target domain name '%s' does not match source '%s'", def->name, other->name);
        return FALSE;
    }
    if (memcmp(def->uuid, other->uuid, VB_UUID_LEN) != 0) {
        char a[VB_UUID_STRING_LEN];
        char b[VB_UUID_STRING_LEN];

        vb_uuid_format(def->uuid, a);
        vb_uuid_format(other->uuid, b);
        vb_error_set(error, VB_ERROR_CONFIG_UNSUPPORTED,
                     "Target domain uuid %s does not match source %s", a, b);
        return FALSE;
    }
    return TRUE;
}

gboolean
vb_domain_check_save_flags(guint flags, guint allowed, const char *function, GError **error)
{
    if (!vb_error_check_flags(flags, allowed, function, error))
        return FALSE;
    if ((flags & VB_DOMAIN_SAVE_RUNNING) != 0 && (flags & VB_DOMAIN_SAVE_PAUSED) != 0) {
        vb_error_set(error, VB_ERROR_INVALID_ARG,
                     "Flags 'VIR_DOMAIN_SAVE_RUNNING' and 'VIR_DOMAIN_SAVE_PAUSED' are mutually "
                     "exclusive");
        return FALSE;
    }
    return TRUE;
}

void
vb_domain_obj_set_state(VbDomainObj *obj, VbDomainState state, int reason)
{
    obj->state = state;
    obj->reason = reason;
}

char *
vb_domain_obj_format(VbDomainObj *obj, guint flags)
{
    const VbDomainDef *def;

    if (flags == 0 && obj->xml_cache != NULL)
        return g_strdup(obj->xml_cache);
    def = (flags & (VB_DOMAIN_XML_INACTIVE | VB_DOMAIN_XML_MIGRATABLE)) != 0
              ? vb_domain_obj_config(obj)
              : vb_domain_obj_def(obj);
    if (flags != 0)
        return vb_domain_def_format(def, flags);
    obj->xml_cache = vb_domain_def_format(def, 0);
    return g_strdup(obj->xml_cache);
}

void
vb_domain_obj_changed(VbDomainObj *obj)
{
    g_clear_pointer(&obj->xml_cache, g_free);
}

gboolean
vb_domain_obj_matches(const VbDomainObj *obj, guint flags)
{
    gboolean active, persistent;
    guint group;

    /* ListDomains(0), the common call: nothing of the object to read */
    if (flags == 0)
        return TRUE;
    active = vb_domain_obj_is_active(obj);
    persistent = vb_domain_obj_is_persistent(obj);

#define VB_FILTER(mask, cond)                                                                      \
    group = flags & (mask);                                                                        \
    if (group != 0 && group != (mask) && !(cond))                                                  \
        return FALSE;

    VB_FILTER(VB_LIST_DOMAINS_ACTIVE | VB_LIST_DOMAINS_INACTIVE,
              (flags & VB_LIST_DOMAINS_ACTIVE) ? active : !active)
    VB_FILTER(VB_LIST_DOMAINS_PERSISTENT | VB_LIST_DOMAINS_TRANSIENT,
              (flags & VB_LIST_DOMAINS_PERSISTENT) ? persistent : !persistent)
    VB_FILTER(VB_LIST_DOMAINS_MANAGEDSAVE | VB_LIST_DOMAINS_NO_MANAGEDSAVE,
              (flags & VB_LIST_DOMAINS_MANAGEDSAVE) ? obj->managed_save : !obj->managed_save)
    VB_FILTER(VB_LIST_DOMAINS_AUTOSTART | VB_LIST_DOMAINS_NO_AUTOSTART,
              (flags & VB_LIST_DOMAINS_AUTOSTART) ? obj->autostart : !obj->autostart)
    /* snapshots do not exist yet: every domain has none */
    VB_FILTER(VB_LIST_DOMAINS_HAS_SNAPSHOT | VB_LIST_DOMAINS_NO_SNAPSHOT,
              (flags & VB_LIST_DOMAINS_NO_SNAPSHOT) != 0)
#undef VB_FILTER

    group = flags & (VB_LIST_DOMAINS_RUNNING | VB_LIST_DOMAINS_PAUSED | VB_LIST_DOMAINS_SHUTOFF |
                     VB_LIST_DOMAINS_OTHER);
    if (group != 0) {
        gboolean running = obj->state == VB_DOMAIN_RUNNING;
        gboolean paused = obj->state == VB_DOMAIN_PAUSED;
        gboolean shutoff = obj->state == VB_DOMAIN_SHUTOFF;

        if (!((running && (group & VB_LIST_DOMAINS_RUNNING)) ||
              (paused && (group & VB_LIST_DOMAINS_PAUSED)) ||
              (shutoff && (group & VB_LIST_DOMAINS_SHUTOFF)) ||
              (!running && !paused && !shutoff && (group & VB_LIST_DOMAINS_OTHER))))
            return FALSE;
    }
    return TRUE;
}

struct _VbDomainList {
    VbObjIndex index;
    GHashTable *by_id; /* id → obj, active domains only */
    int last_id;
};

static gpointer
vb_domain_obj_ref_any(gpointer obj)
{
    return vb_domain_obj_ref(obj);
}

VbDomainList *
vb_domain_list_new(void)
{
    VbDomainList *list = g_new0(VbDomainList, 1);

    vb_obj_index_init(&list->index, "domain", vb_domain_obj_ref_any,
                      (GDestroyNotify)vb_domain_obj_unref);
    list->by_id = g_hash_table_new(g_direct_hash, g_direct_equal);
    return list;
}

void
vb_domain_list_free(VbDomainList *list)
{
    if (list == NULL)
        return;
    g_hash_table_destroy(list->by_id);
    vb_obj_index_clear(&list->index);
    g_free(list);
}

guint
vb_domain_list_count(const VbDomainList *list)
{
    return g_hash_table_size(list->index.by_uuid);
}

gboolean
vb_domain_list_add(VbDomainList *list, VbDomainObj *obj, GError **error)
{
    if (!vb_obj_index_add(&list->index, obj, obj->uuid_str, vb_domain_obj_name(obj), error))
        return FALSE;
    if (obj->id >= 0)
        g_hash_table_insert(list->by_id, GINT_TO_POINTER(obj->id), obj);
    obj->removed = FALSE;
    return TRUE;
}

void
vb_domain_list_remove(VbDomainList *list, VbDomainObj *obj)
{
    G_GNUC_UNUSED g_autoptr(VbDomainObj) hold = vb_domain_obj_ref(obj);

    if (g_hash_table_lookup(list->index.by_uuid, obj->uuid_str) != obj)
        return;
    obj->removed = TRUE;
    if (obj->id >= 0)
        g_hash_table_remove(list->by_id, GINT_TO_POINTER(obj->id));
    vb_obj_index_remove(&list->index, obj, obj->uuid_str, vb_domain_obj_name(obj));
}

VbDomainObj *
vb_domain_list_find_uuid(const VbDomainList *list, const guint8 uuid[VB_UUID_LEN])
{
    char str[VB_UUID_STRING_LEN];

    vb_uuid_format(uuid, str);
    return g_hash_table_lookup(list->index.by_uuid, str);
}

VbDomainObj *
vb_domain_list_find_uuid_str(const VbDomainList *list, const char *uuid)
{
    return vb_obj_index_find_uuid(&list->index, uuid);
}

VbDomainObj *
vb_domain_list_find_name(const VbDomainList *list, const char *name)
{
    return vb_obj_index_find_name(&list->index, name);
}

VbDomainObj *
vb_domain_list_find_id(const VbDomainList *list, int id)
{
    if (id < 0)
        return NULL;
    return g_hash_table_lookup(list->by_id, GINT_TO_POINTER(id));
}

gboolean
vb_domain_list_rename(VbDomainList *list, VbDomainObj *obj, const char *new_name, GError **error)
{
    VbDomainDef *def = vb_domain_obj_def(obj);

    if (!vb_obj_index_rename(&list->index, obj, def->name, new_name, error))
        return FALSE;
    /* both definitions carry the name */
    if (obj->config != NULL && obj->config != def) {
        g_free(obj->config->name);
        obj->config->name = g_strdup(new_name);
    }
    g_free(def->name);
    def->name = g_strdup(new_name);
    vb_domain_obj_changed(obj);
    return TRUE;
}

void
vb_domain_list_set_id(VbDomainList *list, VbDomainObj *obj, int id)
{
    if (obj->id >= 0)
        g_hash_table_remove(list->by_id, GINT_TO_POINTER(obj->id));
    obj->id = id;
    if (id >= 0)
        g_hash_table_insert(list->by_id, GINT_TO_POINTER(id), obj);
    vb_domain_obj_changed(obj);
}

int
vb_domain_list_next_id(VbDomainList *list)
{
    do {
        list->last_id = list->last_id >= G_MAXINT - 1 ? 1 : list->last_id + 1;
    } while (g_hash_table_contains(list->by_id, GINT_TO_POINTER(list->last_id)));
    return list->last_id;
}

GPtrArray *
vb_domain_list_all(const VbDomainList *list)
{
    return vb_obj_index_all(&list->index, (GDestroyNotify)vb_domain_obj_unref);
}

void
vb_domain_list_iter_init(const VbDomainList *list, GHashTableIter *iter)
{
    g_hash_table_iter_init(iter, list->index.by_uuid);
}
