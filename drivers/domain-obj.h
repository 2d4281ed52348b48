/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "domain-conf.h"
#include "ids.h"

G_BEGIN_DECLS

/* libvirt's public codes: GetState, GetInfo and DomainEvent carry them as is */
typedef enum {
    VB_DOMAIN_NOSTATE = 0,
    VB_DOMAIN_RUNNING = 1,
    VB_DOMAIN_BLOCKED = 2,
    VB_DOMAIN_PAUSED = 3,
    VB_DOMAIN_SHUTDOWN = 4,
    VB_DOMAIN_SHUTOFF = 5,
    VB_DOMAIN_CRASHED = 6,
    VB_DOMAIN_PMSUSPENDED = 7,
} VbDomainState;

typedef enum {
    VB_RUNNING_UNKNOWN = 0,
    VB_RUNNING_BOOTED = 1,
    VB_RUNNING_MIGRATED = 2,
    VB_RUNNING_RESTORED = 3,
    VB_RUNNING_FROM_SNAPSHOT = 4,
    VB_RUNNING_UNPAUSED = 5,
    VB_RUNNING_SAVE_CANCELED = 7,
    VB_RUNNING_WAKEUP = 8,
    VB_RUNNING_CRASHED = 9,
} VbRunningReason;

typedef enum {
    VB_PAUSED_UNKNOWN = 0,
    VB_PAUSED_USER = 1,
    VB_PAUSED_MIGRATION = 2,
    VB_PAUSED_SAVE = 3,
    VB_PAUSED_DUMP = 4,
    VB_PAUSED_IOERROR = 5,
    VB_PAUSED_WATCHDOG = 6,
    VB_PAUSED_FROM_SNAPSHOT = 7,
    VB_PAUSED_SHUTTING_DOWN = 8,
    VB_PAUSED_CRASHED = 10,
    VB_PAUSED_STARTING_UP = 11,
} VbPausedReason;

typedef enum {
    VB_SHUTDOWN_UNKNOWN = 0,
    VB_SHUTDOWN_USER = 1,
} VbShutdownReason;

typedef enum {
    VB_SHUTOFF_UNKNOWN = 0,
    VB_SHUTOFF_SHUTDOWN = 1,
    VB_SHUTOFF_DESTROYED = 2,
    VB_SHUTOFF_CRASHED = 3,
    VB_SHUTOFF_MIGRATED = 4,
    VB_SHUTOFF_SAVED = 5,
    VB_SHUTOFF_FAILED = 6,
    VB_SHUTOFF_FROM_SNAPSHOT = 7,
    VB_SHUTOFF_DAEMON = 8,
} VbShutoffReason;

typedef enum {
    VB_CRASHED_UNKNOWN = 0,
    VB_CRASHED_PANICKED = 1,
} VbCrashedReason;

/* DomainEvent event codes and their details */
typedef enum {
    VB_EVENT_DEFINED = 0,
    VB_EVENT_UNDEFINED = 1,
    VB_EVENT_STARTED = 2,
    VB_EVENT_SUSPENDED = 3,
    VB_EVENT_RESUMED = 4,
    VB_EVENT_STOPPED = 5,
    VB_EVENT_SHUTDOWN = 6,
    VB_EVENT_PMSUSPENDED = 7,
    VB_EVENT_CRASHED = 8,
} VbDomainEventType;

enum { VB_EVENT_DEFINED_ADDED = 0, VB_EVENT_DEFINED_UPDATED = 1, VB_EVENT_DEFINED_RENAMED = 2 };
enum { VB_EVENT_UNDEFINED_REMOVED = 0, VB_EVENT_UNDEFINED_RENAMED = 1 };
enum {
    VB_EVENT_STARTED_BOOTED = 0,
    VB_EVENT_STARTED_MIGRATED = 1,
    VB_EVENT_STARTED_RESTORED = 2,
    VB_EVENT_STARTED_FROM_SNAPSHOT = 3,
    VB_EVENT_STARTED_WAKEUP = 4,
};
enum {
    VB_EVENT_SUSPENDED_PAUSED = 0,
    VB_EVENT_SUSPENDED_MIGRATED = 1,
    VB_EVENT_SUSPENDED_IOERROR = 2,
    VB_EVENT_SUSPENDED_WATCHDOG = 3,
    VB_EVENT_SUSPENDED_RESTORED = 4,
    VB_EVENT_SUSPENDED_FROM_SNAPSHOT = 5,
    VB_EVENT_SUSPENDED_API_ERROR = 6,
};
enum { VB_EVENT_RESUMED_UNPAUSED = 0, VB_EVENT_RESUMED_MIGRATED = 1 };
enum {
    VB_EVENT_STOPPED_SHUTDOWN = 0,
    VB_EVENT_STOPPED_DESTROYED = 1,
    VB_EVENT_STOPPED_CRASHED = 2,
    VB_EVENT_STOPPED_MIGRATED = 3,
    VB_EVENT_STOPPED_SAVED = 4,
    VB_EVENT_STOPPED_FAILED = 5,
    VB_EVENT_STOPPED_FROM_SNAPSHOT = 6,
};
enum { VB_EVENT_SHUTDOWN_FINISHED = 0, VB_EVENT_SHUTDOWN_GUEST = 1, VB_EVENT_SHUTDOWN_HOST = 2 };
enum { VB_EVENT_CRASHED_PANICKED = 0 };

/* a domain as every driver keeps it. all fields are read and written on the main loop
 * only, so reads need no lock and no thread hop. */
typedef struct _VbDomainObj {
    gint ref;
    guint8 uuid[VB_UUID_LEN];
    char uuid_str[VB_UUID_STRING_LEN];
    VbDomainDef *config; /* persistent definition; NULL for a transient domain */
    VbDomainDef *live;   /* the running definition; NULL while shut off */
    int id;              /* -1 while shut off */
    VbDomainState state;
    int reason;
    gboolean autostart;
    gboolean managed_save; /* a managed save image exists */
    gboolean updated;      /* config changed since the domain started */
    gboolean autodestroy;
    gboolean removed;    /* gone from its list: calls on its path fail */
    gint64 started_us;   /* monotonic time of the last start, for synthetic cpu time */
    guint64 cpu_time_ns; /* accumulated before the last start or pause */
    char *xml_cache;     /* vb_domain_obj_format(obj, 0), dropped on every change */
    gpointer priv;       /* the driver's own per-domain state */
    GDestroyNotify priv_free;
} VbDomainObj;

VbDomainObj *vb_domain_obj_new(VbDomainDef *config_or_live, gboolean persistent);
VbDomainObj *vb_domain_obj_ref(VbDomainObj *obj);
void vb_domain_obj_unref(VbDomainObj *obj);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbDomainObj, vb_domain_obj_unref)

/* the definition that describes the domain now: live while running, else config */
VbDomainDef *vb_domain_obj_def(const VbDomainObj *obj);
/* the persistent definition, or the live one of a transient domain */
VbDomainDef *vb_domain_obj_config(const VbDomainObj *obj);
const char *vb_domain_obj_name(const VbDomainObj *obj);
gboolean vb_domain_obj_is_active(const VbDomainObj *obj);
gboolean vb_domain_obj_is_persistent(const VbDomainObj *obj);
/* libvirt's VIR_DOMAIN_AFFECT_* bits; CURRENT is 0 */
enum { VB_DOMAIN_AFFECT_LIVE = 1, VB_DOMAIN_AFFECT_CONFIG = 2 };
/* resolves AFFECT_LIVE/CONFIG/CURRENT in @flags into the definitions to change: @live
 * and @config are set to the object's definitions or NULL */
gboolean vb_domain_obj_affected(const VbDomainObj *obj, guint flags, VbDomainDef **live,
                                VbDomainDef **config, GError **error);
/* "Target domain name/uuid ... does not match source ...": @def, from a caller, must
 * describe the same domain as @other */
gboolean vb_domain_check_same(const VbDomainDef *def, const VbDomainDef *other, GError **error);
/* libvirt's VIR_DOMAIN_SAVE_RUNNING and _PAUSED, shared by save, restore and managed save */
enum { VB_DOMAIN_SAVE_RUNNING = 2, VB_DOMAIN_SAVE_PAUSED = 4 };
/* @flags within @allowed, and not both RUNNING and PAUSED */
gboolean vb_domain_check_save_flags(guint flags, guint allowed, const char *function,
                                    GError **error);
void vb_domain_obj_set_state(VbDomainObj *obj, VbDomainState state, int reason);
/* the formatted XML for @flags; the common flags-0 form is cached until
 * vb_domain_obj_changed() */
char *vb_domain_obj_format(VbDomainObj *obj, guint flags);
void vb_domain_obj_changed(VbDomainObj *obj);

/* domains of one connection, indexed by UUID, name and id: every lookup is a hash
 * lookup */
typedef struct _VbDomainList VbDomainList;

VbDomainList *vb_domain_list_new(void);
void vb_domain_list_free(VbDomainList *list);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbDomainList, vb_domain_list_free)
guint vb_domain_list_count(const VbDomainList *list);
/* fails with "operation failed: domain 'x' already exists with uuid ..." on a name or
 * UUID clash; the list takes a reference */
gboolean vb_domain_list_add(VbDomainList *list, VbDomainObj *obj, GError **error);
/* marks @obj removed and drops the list's reference */
void vb_domain_list_remove(VbDomainList *list, VbDomainObj *obj);
VbDomainObj *vb_domain_list_find_uuid(const VbDomainList *list, const guint8 uuid[VB_UUID_LEN]);
VbDomainObj *vb_domain_list_find_uuid_str(const VbDomainList *list, const char *uuid);
VbDomainObj *vb_domain_list_find_name(const VbDomainList *list, const char *name);
VbDomainObj *vb_domain_list_find_id(const VbDomainList *list, int id);
/* keep the indexes right when a name or id changes */
gboolean vb_domain_list_rename(VbDomainList *list, VbDomainObj *obj, const char *new_name,
                               GError **error);
void vb_domain_list_set_id(VbDomainList *list, VbDomainObj *obj, int id);
/* a new id for a starting domain */
int vb_domain_list_next_id(VbDomainList *list);
/* a snapshot of every domain, each referenced, in no particular order */
GPtrArray *vb_domain_list_all(const VbDomainList *list);
/* every domain, unreferenced: g_hash_table_iter_next() gives them as values. For a
 * loop on the main loop that adds and removes nothing while it runs. */
void vb_domain_list_iter_init(const VbDomainList *list, GHashTableIter *iter);

/* ListDomains flags (libvirt's CONNECT_LIST_DOMAINS_*) */
enum {
    VB_LIST_DOMAINS_ACTIVE = 1 << 0,
    VB_LIST_DOMAINS_INACTIVE = 1 << 1,
    VB_LIST_DOMAINS_PERSISTENT = 1 << 2,
    VB_LIST_DOMAINS_TRANSIENT = 1 << 3,
    VB_LIST_DOMAINS_RUNNING = 1 << 4,
    VB_LIST_DOMAINS_PAUSED = 1 << 5,
    VB_LIST_DOMAINS_SHUTOFF = 1 << 6,
    VB_LIST_DOMAINS_OTHER = 1 << 7,
    VB_LIST_DOMAINS_MANAGEDSAVE = 1 << 8,
    VB_LIST_DOMAINS_NO_MANAGEDSAVE = 1 << 9,
    VB_LIST_DOMAINS_AUTOSTART = 1 << 10,
    VB_LIST_DOMAINS_NO_AUTOSTART = 1 << 11,
    VB_LIST_DOMAINS_HAS_SNAPSHOT = 1 << 12,
    VB_LIST_DOMAINS_NO_SNAPSHOT = 1 << 13,
    VB_LIST_DOMAINS_ALL_FLAGS = (1 << 14) - 1,
};
/* whether @obj passes libvirt's ListAllDomains filter @flags */
gboolean vb_domain_obj_matches(const VbDomainObj *obj, guint flags);

G_END_DECLS
