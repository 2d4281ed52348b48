/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "auth.h"
#include "bus.h"
#include "dispatch.h"

G_BEGIN_DECLS

typedef struct {
    gboolean system; /* the system bus (polkit) rather than the session bus */
    char **uris;     /* the connections to publish */
    gboolean verbose;
} VbServiceOptions;

struct _VbService {
    VbServiceOptions options;
    VbBus *bus;
    VbAuth *auth;            /* polkit on the system bus; NULL on the session bus */
    GPtrArray *connects;     /* VbConnect * */
    GHashTable *autodestroy; /* unique bus name → GPtrArray of VbAutodestroy */
    guint name_owner_sub;
    guint name_lost_sub;
    GMainLoop *loop;
    guint quit_source;
    int exit_code;
    gboolean name_owned;
    gint64 stop_deadline; /* monotonic µs by which a stopping service exits */
};

VbService *vb_service_new(const VbServiceOptions *options, GError **error);
void vb_service_free(VbService *service);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbService, vb_service_free)
/* owns the bus name and runs until stopped; returns the exit code */
int vb_service_run(VbService *service);
/* destroys @obj when @owner (a unique bus name) leaves the bus: START_AUTODESTROY */
void vb_service_autodestroy(VbService *service, const char *owner, VbConnect *connect,
                            VbDomainObj *obj);

/* begins an orderly stop: release the name, let in-flight calls finish, quit */
void vb_service_stop(VbService *service);

G_END_DECLS
