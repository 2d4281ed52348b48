/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "bus.h"

G_BEGIN_DECLS

/* the one module that talks to polkit. every check is asynchronous on the main loop:
 * a caller at an authentication prompt, or a slow polkitd, blocks nobody else. */
typedef struct _VbAuth VbAuth;

/* a denial is G_DBUS_ERROR_ACCESS_DENIED; this domain holds the one D-Bus error GIO
 * has no code for */
#define VB_AUTH_ERROR (vb_auth_error_quark())
GQuark vb_auth_error_quark(void);
typedef enum {
    VB_AUTH_ERROR_INTERACTIVE, /* org.freedesktop.DBus.Error.InteractiveAuthorizationRequired */
} VbAuthErrorCode;

/* what polkit's rules see of the target: libvirt's ACL details */
typedef struct {
    const char *driver;      /* connect_driver: "Test", "QEMU", "Xen" */
    const char *domain_name; /* domain_name, domain_uuid for domain permissions */
    const char *domain_uuid;
    const char *network_name; /* network_name, network_uuid for network permissions */
    const char *network_uuid;
} VbAuthTarget;

/* @denied is NULL when every permission was granted; else the error to reply with
 * (org.freedesktop.DBus.Error.AccessDenied or ...InteractiveAuthorizationRequired) */
typedef void (*VbAuthDone)(const GError *denied, gpointer user_data);
/* @allowed[i] says whether targets[i] passed */
typedef void (*VbAuthFilterDone)(const gboolean *allowed, gpointer user_data);

VbAuth *vb_auth_new(VbBus *bus);
void vb_auth_free(VbAuth *auth);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbAuth, vb_auth_free)

/* checks every permission of @perms ("domain.start", NULL-terminated) for the caller
 * of @call on @target; @done may run before this returns (cached or root) */
void vb_auth_check(VbAuth *auth, VbMessage *call, const char *const *perms,
                   const VbAuthTarget *target, VbAuthDone done, gpointer user_data);

/* checks @perm on each of @n @targets, for list calls: cached decisions answer at once,
 * the rest are asked of polkit in parallel, never one round trip after another */
void vb_auth_filter(VbAuth *auth, VbMessage *call, const char *perm, const VbAuthTarget *targets,
                    guint n, VbAuthFilterDone done, gpointer user_data);

/* counters for tests and benchmarks */
guint64 vb_auth_polkit_checks(VbAuth *auth);

G_END_DECLS
