/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* the UUID and name indexes every object list of a connection keeps: hash lookups,
 * and the duplicate checks libvirt makes when something is defined */
typedef struct {
    const char *kind;    /* "domain", "network": for messages */
    GHashTable *by_uuid; /* canonical uuid string (owned by the object) → object (referenced) */
    GHashTable *by_name; /* owned copy of the name → object */
    gpointer (*ref)(gpointer obj);
} VbObjIndex;

void vb_obj_index_init(VbObjIndex *index, const char *kind, gpointer (*ref)(gpointer),
                       GDestroyNotify unref);
void vb_obj_index_clear(VbObjIndex *index);
/* fails with "operation failed: <kind> 'x' already exists with uuid ..." on a name
 * clash, or "... is already defined with uuid ..." on a UUID clash */
gboolean vb_obj_index_add(VbObjIndex *index, gpointer obj, const char *uuid, const char *name,
                          GError **error);
/* drops @obj if it is the one indexed under @uuid; returns whether it was */
gboolean vb_obj_index_remove(VbObjIndex *index, gpointer obj, const char *uuid, const char *name);
gboolean vb_obj_index_rename(VbObjIndex *index, gpointer obj, const char *old_name,
                             const char *new_name, GError **error);
/* @uuid in any form vb_uuid_parse() takes */
gpointer vb_obj_index_find_uuid(const VbObjIndex *index, const char *uuid);
gpointer vb_obj_index_find_name(const VbObjIndex *index, const char *name);
/* a referenced snapshot of every object, in no particular order */
GPtrArray *vb_obj_index_all(const VbObjIndex *index, GDestroyNotify unref);

G_END_DECLS
