/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "auth.h"
#include "bus.h"
#include "driver.h"

G_BEGIN_DECLS

#define VB_BUS_NAME      "org.libvirt"
#define VB_ERROR_NAME    "org.libvirt.Error"
#define VB_IFACE_CONNECT "org.libvirt.Connect"
#define VB_IFACE_DOMAIN  "org.libvirt.Domain"
#define VB_IFACE_NETWORK "org.libvirt.Network"

typedef struct _VbService VbService;
typedef struct _VbConnect VbConnect;
typedef struct _VbCall VbCall;
typedef struct _VbInterface VbInterface;
typedef struct _VbMethod VbMethod;

typedef enum {
    VB_OBJECT_CONNECT,
    VB_OBJECT_DOMAIN,
    VB_OBJECT_NETWORK,
} VbObjectKind;

/* one published connection: /org/libvirt/<Driver> and its domain/network subtrees */
struct _VbConnect {
    VbService *service;
    VbConn *conn;
    char *path;         /* /org/libvirt/Test */
    char *domain_path;  /* /org/libvirt/Test/domain */
    char *network_path; /* /org/libvirt/Test/network */
};

/* a method call in progress, from the dispatcher to the reply */
struct _VbCall {
    gint ref;
    VbConnect *connect;
    VbDomainObj *dom;   /* resolved target of a Domain call, referenced */
    VbNetworkObj *net;  /* resolved target of a Network call, referenced */
    VbMessage *message; /* the method call, referenced */
    const VbInterface *iface;
    const char *interface; /* as called: the object's or org.freedesktop.DBus.Properties */
    const char *member;
    const VbMethod *row; /* the method's table row, found once; NULL for Properties */
    GVariant *params;
    char *target_name; /* the object a definition describes, see VbMethod.target */
    char *target_uuid;
    /* turns a driver result into the reply tuple; owns @result */
    GVariant *(*convert)(VbCall *call, gpointer result);
    gboolean pending;
    gboolean replied;
};

/* a handler returns the reply tuple, or NULL with @error set, or NULL after handing
 * vb_call_pend(call) to a driver operation that completes with vb_call_done() */
typedef GVariant *(*VbMethodFunc)(VbCall *call, GVariant *params, GError **error);
typedef GVariant *(*VbGetFunc)(VbCall *call, GError **error);
typedef gboolean (*VbSetFunc)(VbCall *call, GVariant *value, GError **error);

/* permissions that depend on a call's flags (API.md) */
enum {
    VB_PERM_FLAG_SECURE = 1 << 0, /* + <object>.read-secure when flags has SECURE (1) */
    VB_PERM_FLAG_SAVE = 1 << 1,   /* + <object>.save with CONFIG (2), or CURRENT (neither LIVE
                                     nor CONFIG) */
};

struct _VbMethod {
    const char *name;
    VbMethodFunc func;
    /* polkit permissions "<object>.<perm>", libvirt's ACL names; NULL-terminated */
    const char *perms[3];
    guint perm_flags;
    /* index of the "u flags" argument, or -1 when the method has none */
    int flags_arg;
    /* every bit the libvirt API defines for it: anything else fails before polkit is
     * asked, so nobody is prompted for a call that cannot succeed */
    guint valid_flags;
    const char *api; /* the libvirt function, for the flags error */
    /* for Connect methods that act on one object: finds it (a lookup sets call->dom or
     * call->net) or reads it from the argument (a definition sets call->target_name and
     * call->target_uuid), before authorization, so polkit sees the object's details */
    gboolean (*target)(VbCall *call, GVariant *params, GError **error);
};

/* the flags virDomainListGetStats and virConnectGetAllDomainStats share: NOWAIT,
 * BACKING, ENFORCE_STATS */
#define VB_STATS_FLAGS ((1u << 29) | (1u << 30) | (1u << 31))

typedef struct {
    const char *name;
    VbGetFunc get;
    VbSetFunc set; /* NULL: read-only */
    const char *get_perm;
    const char *set_perm;
} VbProperty;

struct _VbInterface {
    const char *name; /* org.libvirt.Domain */
    VbObjectKind kind;
    const VbMethod *methods;      /* ends with a NULL name */
    const VbProperty *properties; /* ends with a NULL name */
};

extern const VbInterface vb_connect_interface;
extern const VbInterface vb_domain_interface;
extern const VbInterface vb_network_interface;

/* the interface XML, from the embedded resource or $VB_INTROSPECTION_DIR */
GDBusInterfaceInfo *vb_interface_info(const char *name, GError **error);

const VbMethod *vb_interface_find_method(const VbInterface *iface, const char *name);
const VbProperty *vb_interface_find_property(const VbInterface *iface, const char *name);

/* answers a method call addressed to the service: routes it by path to a Connect,
 * Domain or Network object, or answers Introspect and the errors GDBus would */
void vb_dispatch_message(VbService *service, VbMessage *message);

/* object paths: <connect>/domain/_<uuid with '-' replaced by '_'> */
char *vb_domain_path(VbConnect *connect, VbDomainObj *obj);
char *vb_network_path(VbConnect *connect, VbNetworkObj *obj);
/* appends the path of the object @uuid_str (canonical) under @base, with its NUL, to @buf */
void vb_object_path_append(GByteArray *buf, const char *base,
                           const char uuid_str[VB_UUID_STRING_LEN]);

VbCall *vb_call_ref(VbCall *call);
void vb_call_unref(VbCall *call);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbCall, vb_call_unref)
/* marks @call as completing later and returns a reference for the driver's callback */
gpointer vb_call_pend(VbCall *call);
/* a VbDone for driver operations; @user_data is what vb_call_pend() returned */
void vb_call_done(gpointer result, const GError *error, gpointer user_data);
void vb_call_reply(VbCall *call, GVariant *reply);
/* a reply body marshalled by the handler (wire.h), of @signature */
void vb_call_reply_body(VbCall *call, const char *signature, GByteArray *body);
/* the one place a GError becomes a D-Bus error */
void vb_call_reply_error(VbCall *call, const GError *error);

/* the driver's entry @fn, or "not supported: <api>" */
#define VB_DRIVER_FN(call, fn, api, error)                                                         \
    ((call)->connect->conn->driver->fn != NULL ? TRUE                                              \
                                               : (vb_error_no_support((error), (api)), FALSE))

static inline VbConn *
vb_call_conn(VbCall *call)
{
    return call->connect->conn;
}

static inline const VbDriver *
vb_call_driver(VbCall *call)
{
    return call->connect->conn->driver;
}

/* the authorization module of the service, NULL on the session bus */
VbAuth *vb_call_auth(VbCall *call);

/* what polkit rules see of the call's object (borrowed strings) */
void vb_call_auth_target(VbCall *call, VbAuthTarget *target);

/* in-flight calls, so that shutdown can wait for them */
guint vb_dispatch_in_flight(void);

G_END_DECLS
