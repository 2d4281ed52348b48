/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus"

#include "dispatch.h"

#include <stdarg.h>

#include "service.h"
#include "vb-introspection.h"

static guint vb_in_flight;

guint
vb_dispatch_in_flight(void)
{
    return vb_in_flight;
}

GDBusInterfaceInfo *
vb_interface_info(const char *name, GError **error)
{
    static GHashTable *cache; /* name → GDBusNodeInfo */
    const char *dir;
    g_autofree char *file = NULL;
    g_autofree char *xml = NULL;
    GDBusNodeInfo *node;

    /* every call asks: the answer is one hash lookup */
    if (cache == NULL)
        cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify)g_dbus_node_info_unref);
    node = g_hash_table_lookup(cache, name);
    if (node != NULL)
        return node->interfaces[0];
    dir = g_getenv("VB_INTROSPECTION_DIR");
    file = g_strdup_printf("%s.xml", name);

    if (dir != NULL && *dir != '\0') {
        g_autofree char *path = g_build_filename(dir, file, NULL);

        if (!g_file_get_contents(path, &xml, NULL, error))
            return NULL;
    } else {
        g_autofree char *rpath = g_strdup_printf("/org/virtbus/introspection/%s", file);
        g_autoptr(GBytes) bytes =
            g_resource_lookup_data(vb_introspection_get_resource(), rpath, 0, error);

        if (bytes == NULL)
            return NULL;
        xml = g_strndup(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes));
    }
    node = g_dbus_node_info_new_for_xml(xml, error);
    if (node == NULL)
        return NULL;
    if (node->interfaces == NULL || node->interfaces[0] == NULL ||
        g_strcmp0(node->interfaces[0]->name, name) != 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s does not declare %s", file,
                    name);
        g_dbus_node_info_unref(node);
        return NULL;
    }
    g_dbus_interface_info_cache_build(node->interfaces[0]);
    g_hash_table_insert(cache, g_strdup(name), node);
    return node->interfaces[0];
}

const VbMethod *
vb_interface_find_method(const VbInterface *iface, const char *name)
{
    /* a hash per interface: a Domain call finds its row among ~70 without a walk */
    static GHashTable *rows[3];
    GHashTable **table = &rows[iface->kind];

    if (*table == NULL) {
        *table = g_hash_table_new(g_str_hash, g_str_equal);
        for (const VbMethod *m = iface->methods; m->name != NULL; m++)
            g_hash_table_insert(*table, (gpointer)m->name, (gpointer)m);
    }
    return g_hash_table_lookup(*table, name);
}

const VbProperty *
vb_interface_find_property(const VbInterface *iface, const char *name)
{
    for (const VbProperty *p = iface->properties; p->name != NULL; p++) {
        if (strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

void
vb_object_path_append(GByteArray *buf, const char *base, const char uuid_str[VB_UUID_STRING_LEN])
{
    gsize base_len = strlen(base);
    guint start = buf->len;
    char *p;

    g_byte_array_set_size(buf, start + base_len + 2 + VB_UUID_STRING_LEN);
    p = (char *)buf->data + start;
    memcpy(p, base, base_len);
    p += base_len;
    *p++ = '/';
    *p++ = '_';
    /* a fixed count, NUL included: ListDomains runs this once per domain */
    for (guint i = 0; i < VB_UUID_STRING_LEN; i++)
        p[i] = uuid_str[i] == '-' ? '_' : uuid_str[i];
}

static char *
vb_object_path(const char *base, const char *uuid_str)
{
    GByteArray *buf = g_byte_array_sized_new(strlen(base) + 2 + VB_UUID_STRING_LEN);

    vb_object_path_append(buf, base, uuid_str);
    return (char *)g_byte_array_free(buf, FALSE);
}

char *
vb_domain_path(VbConnect *connect, VbDomainObj *obj)
{
    return vb_object_path(connect->domain_path, obj->uuid_str);
}

char *
vb_network_path(VbConnect *connect, VbNetworkObj *obj)
{
    return vb_object_path(connect->network_path, obj->uuid_str);
}

/* "_6695eb01_f6a4_..." → "6695eb01-f6a4-..."; NULL when it cannot be a UUID node */
static gboolean
vb_node_to_uuid(const char *node, char out[VB_UUID_STRING_LEN])
{
    if (node == NULL || node[0] != '_' || strlen(node) != VB_UUID_STRING_LEN)
        return FALSE;
    for (guint i = 0; i < VB_UUID_STRING_LEN - 1; i++)
        out[i] = node[i + 1] == '_' ? '-' : node[i + 1];
    out[VB_UUID_STRING_LEN - 1] = '\0';
    return TRUE;
}

VbCall *
vb_call_ref(VbCall *call)
{
    call->ref++;
    return call;
}

void
vb_call_unref(VbCall *call)
{
    if (call == NULL || --call->ref > 0)
        return;
    if (!call->replied) {
        /* a handler bug must not leave the client waiting for ever */
        g_autoptr(GError) error = NULL;

        vb_error_set(&error, VB_ERROR_INTERNAL, "%s finished without a reply", call->member);
        vb_call_reply_error(call, error);
    }
    if (call->dom != NULL)
        vb_domain_obj_unref(call->dom);
    if (call->net != NULL)
        vb_network_obj_unref(call->net);
    if (call->params != NULL)
        g_variant_unref(call->params);
    g_free(call->target_name);
    g_free(call->target_uuid);
    vb_message_unref(call->message);
    g_free(call);
    vb_in_flight--;
}

gpointer
vb_call_pend(VbCall *call)
{
    call->pending = TRUE;
    return vb_call_ref(call);
}

void
vb_call_reply(VbCall *call, GVariant *reply)
{
    if (call->replied) {
        if (reply != NULL)
            g_variant_unref(g_variant_ref_sink(reply));
        return;
    }
    call->replied = TRUE;
    vb_bus_reply(call->connect->service->bus, call->message, reply);
}

void
vb_call_reply_body(VbCall *call, const char *signature, GByteArray *body)
{
    if (call->replied)
        return;
    call->replied = TRUE;
    vb_bus_reply_body(call->connect->service->bus, call->message, signature, body);
}

void
vb_call_reply_error(VbCall *call, const GError *error)
{
    g_autofree char *valid = NULL;

    if (call->replied)
        return;
    call->replied = TRUE;
    /* D-Bus strings must be UTF-8; a message quoting a file's bytes might not be */
    if (!g_utf8_validate(error->message, -1, NULL))
        valid = g_utf8_make_valid(error->message, -1);
    if (error->domain == VB_ERROR) {
        vb_bus_reply_error(call->connect->service->bus, call->message, VB_ERROR_NAME,
                           valid != NULL ? valid : error->message);
    } else if (error->domain == G_DBUS_ERROR || error->domain == VB_AUTH_ERROR) {
        g_autofree char *name = g_dbus_error_encode_gerror(error);

        vb_bus_reply_error(call->connect->service->bus, call->message, name,
                           valid != NULL ? valid : error->message);
    } else {
        g_autofree char *text =
            g_strdup_printf("internal error: %s", valid != NULL ? valid : error->message);

        vb_bus_reply_error(call->connect->service->bus, call->message, VB_ERROR_NAME, text);
    }
}

void
vb_call_done(gpointer result, const GError *error, gpointer user_data)
{
    g_autoptr(VbCall) call = user_data;

    if (error != NULL) {
        vb_call_reply_error(call, error);
        return;
    }
    if (call->convert != NULL) {
        vb_call_reply(call, call->convert(call, result));
        return;
    }
    vb_call_reply(call, NULL);
}

static void
vb_call_finish(VbCall *call, GVariant *reply, GError *error)
{
    if (reply != NULL)
        vb_call_reply(call, reply);
    else if (error != NULL)
        vb_call_reply_error(call, error);
}

/* the object a path names, or a precise not-found error */
static gboolean
vb_call_resolve(VbCall *call, VbObjectKind kind, const char *node, GError **error)
{
    char uuid[VB_UUID_STRING_LEN] = "";
    gboolean shaped;

    if (kind == VB_OBJECT_CONNECT)
        return TRUE;
    /* a node that is not a UUID at all is named as it was given */
    shaped = vb_node_to_uuid(node, uuid);
    if (kind == VB_OBJECT_DOMAIN) {
        VbDomainObj *obj =
            shaped ? vb_domain_list_find_uuid_str(call->connect->conn->domains, uuid) : NULL;

        if (obj == NULL) {
            vb_error_set(error, VB_ERROR_NO_DOMAIN, "no domain with matching uuid '%s'",
                         shaped ? uuid : (node != NULL ? node : ""));
            return FALSE;
        }
        call->dom = vb_domain_obj_ref(obj);
        return TRUE;
    }

    VbNetworkObj *net =
        shaped ? vb_network_list_find_uuid_str(call->connect->conn->networks, uuid) : NULL;

    if (net == NULL) {
        vb_error_set(error, VB_ERROR_NO_NETWORK, "no network with matching uuid '%s'",
                     shaped ? uuid : (node != NULL ? node : ""));
        return FALSE;
    }
    call->net = vb_network_obj_ref(net);
    return TRUE;
}

static void
vb_dispatch_properties(VbCall *call, const VbInterface *iface, const char *method, GVariant *params)
{
    g_autoptr(GError) error = NULL;
    const char *iface_name = NULL;
    const char *prop_name = NULL;

    if (g_strcmp0(method, "GetAll") == 0) {
        /* written straight to the wire: as a GVariant tree, the dictionary of doubly
         * wrapped values cost three times what the rest of the call does */
        g_autoptr(GByteArray) body = g_byte_array_sized_new(512);
        gsize start;

        vb_wire_put_u32(body, 0);
        vb_wire_align(body, 8);
        start = body->len;
        for (const VbProperty *p = iface->properties; p->name != NULL; p++) {
            /* getters return floating references */
            g_autoptr(GVariant) value = p->get(call, &error);

            if (value == NULL) {
                if (error == NULL)
                    vb_error_set(&error, VB_ERROR_INTERNAL, "property %s has no value", p->name);
                vb_call_reply_error(call, error);
                return;
            }
            g_variant_ref_sink(value);
            /* {sv} whose v holds a variant: the known-client quirk of libvirt-dbus
             * (DESIGN.md) */
            vb_wire_align(body, 8);
            vb_wire_put_string(body, p->name);
            vb_wire_put_signature(body, "v");
            if (!vb_wire_put_variant(body, value, &error)) {
                vb_call_reply_error(call, error);
                return;
            }
        }
        vb_wire_set_u32(body, 0, body->len - start);
        vb_call_reply_body(call, "a{sv}", body);
        return;
    }

    const VbProperty *prop;
    g_autoptr(GVariant) value = NULL;

    if (g_strcmp0(method, "Get") == 0)
        g_variant_get(params, "(&s&s)", &iface_name, &prop_name);
    else
        g_variant_get(params, "(&s&sv)", &iface_name, &prop_name, &value);
    prop = vb_interface_find_property(iface, prop_name);
    /* vb_route_properties() answered unknown and read-only properties from the XML; the
     * tables test keeps the rows in step with it, so a gap here is our bug */
    if (prop == NULL || (value != NULL && prop->set == NULL)) {
        vb_error_set(&error, VB_ERROR_INTERNAL, "%s.%s has no %s in the table", iface->name,
                     prop_name, prop == NULL ? "row" : "setter");
        vb_call_reply_error(call, error);
        return;
    }
    if (value == NULL) {
        GVariant *got = prop->get(call, &error);

        if (got != NULL) {
            vb_call_reply(call, g_variant_new("(v)", got));
            return;
        }
        if (error == NULL)
            vb_error_set(&error, VB_ERROR_INTERNAL, "property %s has no value", prop_name);
        vb_call_reply_error(call, error);
        return;
    }
    if (!prop->set(call, value, &error)) {
        if (error != NULL)
            vb_call_reply_error(call, error);
        return;
    }
    if (!call->pending)
        vb_call_reply(call, NULL);
}

VbAuth *
vb_call_auth(VbCall *call)
{
    return call->connect->service->auth;
}

/* the permission a flag-dependent row adds: "<object>.<perm>" after the row's own */
static void
vb_add_flag_perms(const VbMethod *row, GVariant *params, GPtrArray *perms)
{
    g_autofree char *object = NULL;
    g_autoptr(GVariant) arg = NULL;
    guint flags;

    if (row->perm_flags == 0 || row->flags_arg < 0)
        return;
    object = g_strndup(row->perms[0], strcspn(row->perms[0], "."));
    arg = g_variant_get_child_value(params, row->flags_arg);
    flags = g_variant_get_uint32(arg);
    if ((row->perm_flags & VB_PERM_FLAG_SECURE) != 0 && (flags & 1u) != 0)
        g_ptr_array_add(perms, g_strdup_printf("%s.read-secure", object));
    /* AFFECT_CONFIG, or AFFECT_CURRENT (neither LIVE nor CONFIG) */
    if ((row->perm_flags & VB_PERM_FLAG_SAVE) != 0 && ((flags & 2u) != 0 || (flags & 3u) == 0))
        g_ptr_array_add(perms, g_strdup_printf("%s.save", object));
}

/* every permission the call needs, as declared by its row */
static GPtrArray *
vb_call_permissions(VbCall *call)
{
    GPtrArray *perms = g_ptr_array_new_with_free_func(g_free);
    const VbInterface *iface = call->iface;

    if (call->row == NULL) {
        const char *prop_name = NULL;

        if (g_strcmp0(call->member, "GetAll") == 0) {
            for (const VbProperty *p = iface->properties; p->name != NULL; p++) {
                gboolean seen = FALSE;

                for (guint i = 0; i < perms->len && !seen; i++)
                    seen = strcmp(g_ptr_array_index(perms, i), p->get_perm) == 0;
                if (!seen)
                    g_ptr_array_add(perms, g_strdup(p->get_perm));
            }
        } else {
            const VbProperty *prop;

            g_variant_get_child(call->params, 1, "&s", &prop_name);
            prop = vb_interface_find_property(iface, prop_name);
            if (prop != NULL)
                g_ptr_array_add(perms,
                                g_strdup(g_strcmp0(call->member, "Set") == 0 ? prop->set_perm
                                                                             : prop->get_perm));
        }
    } else {
        const VbMethod *row = call->row;

        for (guint i = 0; i < G_N_ELEMENTS(row->perms) && row->perms[i] != NULL; i++)
            g_ptr_array_add(perms, g_strdup(row->perms[i]));
        vb_add_flag_perms(row, call->params, perms);
    }
    g_ptr_array_add(perms, NULL);
    return perms;
}

/* what polkit rules see of the call's object */
void
vb_call_auth_target(VbCall *call, VbAuthTarget *target)
{
    memset(target, 0, sizeof(*target));
    target->driver = vb_call_driver(call)->name;
    if (call->dom != NULL) {
        target->domain_name = vb_domain_obj_name(call->dom);
        target->domain_uuid = call->dom->uuid_str;
    }
    if (call->net != NULL) {
        target->network_name = vb_network_obj_name(call->net);
        target->network_uuid = call->net->uuid_str;
    }
    if (call->target_name != NULL && call->iface->kind == VB_OBJECT_CONNECT) {
        if (g_str_has_prefix(call->row->perms[0], "network.")) {
            target->network_name = call->target_name;
            target->network_uuid = call->target_uuid;
        } else {
            target->domain_name = call->target_name;
            target->domain_uuid = call->target_uuid;
        }
    }
}

static void
vb_dispatch_run(VbCall *call)
{
    g_autoptr(GError) error = NULL;
    GVariant *reply;

    if (call->row == NULL) {
        vb_dispatch_properties(call, call->iface, call->member, call->params);
        return;
    }
    reply = call->row->func(call, call->params, &error);
    vb_call_finish(call, reply, error);
}

/* the one continuation of every authorized call */
static void
vb_dispatch_authorized(const GError *denied, gpointer user_data)
{
    g_autoptr(VbCall) call = user_data;

    if (denied != NULL) {
        vb_call_reply_error(call, denied);
        return;
    }
    /* the object may have vanished while polkit was thinking */
    if ((call->dom != NULL && call->dom->removed) || (call->net != NULL && call->net->removed)) {
        g_autoptr(GError) error = NULL;

        if (call->dom != NULL)
            vb_error_set(&error, VB_ERROR_NO_DOMAIN, "no domain with matching uuid '%s'",
                         call->dom->uuid_str);
        else
            vb_error_set(&error, VB_ERROR_NO_NETWORK, "no network with matching uuid '%s'",
                         call->net->uuid_str);
        vb_call_reply_error(call, error);
        return;
    }
    vb_dispatch_run(call);
}

/* unknown flag bits, and a lookup or a definition that cannot succeed, fail before
 * anyone is asked for permission; the object found is what gets authorized */
static gboolean
vb_call_check_arguments(VbCall *call, GError **error)
{
    const VbMethod *row = call->row;
    g_autoptr(GVariant) arg = NULL;

    if (row == NULL)
        return TRUE;
    if (row->flags_arg >= 0) {
        arg = g_variant_get_child_value(call->params, row->flags_arg);
        if (!vb_error_check_flags(g_variant_get_uint32(arg), row->valid_flags, row->api, error))
            return FALSE;
    }
    return row->target == NULL || row->target(call, call->params, error);
}

/* find the object → check flags → authorize (asynchronously) → run → reply */
static void
vb_dispatch(VbConnect *connect, const VbInterface *iface, const char *node, const char *interface,
            const VbMethod *row, VbMessage *message)
{
    g_autoptr(VbCall) call = g_new0(VbCall, 1);
    g_autoptr(GError) error = NULL;
    VbAuth *auth = connect->service->auth;

    vb_in_flight++;
    call->ref = 1;
    call->connect = connect;
    call->message = vb_message_ref(message);
    call->iface = iface;
    /* static strings or the message's, which lives as long as the call */
    call->interface = interface;
    call->member = message->member;
    call->params = g_variant_ref(message->body);
    call->row = row;

    if (!vb_call_resolve(call, iface->kind, node, &error) ||
        !vb_call_check_arguments(call, &error)) {
        vb_call_reply_error(call, error);
        return;
    }
    if (auth != NULL) {
        g_autoptr(GPtrArray) perms = vb_call_permissions(call);
        VbAuthTarget target;

        vb_call_auth_target(call, &target);
        vb_auth_check(auth, message, (const char *const *)perms->pdata, &target,
                      vb_dispatch_authorized, vb_call_ref(call));
        return;
    }
    vb_dispatch_run(call);
}

/* ---- routing: what GDBus's object registrations did, on our own connection ---- */

#define VB_PROPERTIES_IFACE     "org.freedesktop.DBus.Properties"
#define VB_INTROSPECTABLE_IFACE "org.freedesktop.DBus.Introspectable"

/* the object a path names */
typedef struct {
    VbConnect *connect;
    VbObjectKind kind;
    const char *node;   /* the domain's or network's node; NULL for a Connect object */
    gboolean container; /* <connect>/domain or <connect>/network themselves */
} VbRoute;

static gboolean
vb_route_below(const char *path, const char *base, const char **node, gboolean *container)
{
    gsize len = strlen(base);

    if (strncmp(path, base, len) != 0)
        return FALSE;
    if (path[len] == '\0') {
        *container = TRUE;
        return TRUE;
    }
    /* one level only: the object's node */
    if (path[len] != '/' || path[len + 1] == '\0' || strchr(path + len + 1, '/') != NULL)
        return FALSE;
    *node = path + len + 1;
    return TRUE;
}

static gboolean
vb_route(VbService *service, const char *path, VbRoute *route)
{
    memset(route, 0, sizeof(*route));
    for (guint i = 0; i < service->connects->len; i++) {
        VbConnect *connect = g_ptr_array_index(service->connects, i);

        route->connect = connect;
        if (strcmp(path, connect->path) == 0) {
            route->kind = VB_OBJECT_CONNECT;
            return TRUE;
        }
        if (vb_route_below(path, connect->domain_path, &route->node, &route->container)) {
            route->kind = VB_OBJECT_DOMAIN;
            return TRUE;
        }
        if (vb_route_below(path, connect->network_path, &route->node, &route->container)) {
            route->kind = VB_OBJECT_NETWORK;
            return TRUE;
        }
    }
    route->connect = NULL;
    return FALSE;
}

static const VbInterface *
vb_route_interface(const VbRoute *route)
{
    switch (route->kind) {
    case VB_OBJECT_CONNECT:
        return &vb_connect_interface;
    case VB_OBJECT_DOMAIN:
        return &vb_domain_interface;
    case VB_OBJECT_NETWORK:
        return &vb_network_interface;
    }
    g_assert_not_reached();
}

static const char vb_standard_interfaces_xml[] =
    "  <interface name=\"org.freedesktop.DBus.Properties\">\n"
    "    <method name=\"Get\">\n"
    "      <arg type=\"s\" name=\"interface_name\" direction=\"in\"/>\n"
    "      <arg type=\"s\" name=\"property_name\" direction=\"in\"/>\n"
    "      <arg type=\"v\" name=\"value\" direction=\"out\"/>\n"
    "    </method>\n"
    "    <method name=\"GetAll\">\n"
    "      <arg type=\"s\" name=\"interface_name\" direction=\"in\"/>\n"
    "      <arg type=\"a{sv}\" name=\"properties\" direction=\"out\"/>\n"
    "    </method>\n"
    "    <method name=\"Set\">\n"
    "      <arg type=\"s\" name=\"interface_name\" direction=\"in\"/>\n"
    "      <arg type=\"s\" name=\"property_name\" direction=\"in\"/>\n"
    "      <arg type=\"v\" name=\"value\" direction=\"in\"/>\n"
    "    </method>\n"
    "    <signal name=\"PropertiesChanged\">\n"
    "      <arg type=\"s\" name=\"interface_name\"/>\n"
    "      <arg type=\"a{sv}\" name=\"changed_properties\"/>\n"
    "      <arg type=\"as\" name=\"invalidated_properties\"/>\n"
    "    </signal>\n"
    "  </interface>\n"
    "  <interface name=\"org.freedesktop.DBus.Introspectable\">\n"
    "    <method name=\"Introspect\">\n"
    "      <arg type=\"s\" name=\"xml_data\" direction=\"out\"/>\n"
    "    </method>\n"
    "  </interface>\n"
    "  <interface name=\"org.freedesktop.DBus.Peer\">\n"
    "    <method name=\"Ping\"/>\n"
    "    <method name=\"GetMachineId\">\n"
    "      <arg type=\"s\" name=\"machine_uuid\" direction=\"out\"/>\n"
    "    </method>\n"
    "  </interface>\n";

static void
vb_append_child(GString *xml, GHashTable *seen, const char *name, gsize len)
{
    g_autofree char *child = g_strndup(name, len);

    if (g_hash_table_contains(seen, child))
        return;
    g_string_append_printf(xml, "  <node name=\"%s\"/>\n", child);
    g_hash_table_add(seen, g_steal_pointer(&child));
}

/* the children of a path that is not an object itself: a step towards the Connect objects */
static void
vb_append_path_children(VbService *service, const char *path, GString *xml)
{
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    gsize len = strcmp(path, "/") == 0 ? 0 : strlen(path);

    for (guint i = 0; i < service->connects->len; i++) {
        VbConnect *connect = g_ptr_array_index(service->connects, i);
        const char *rest;

        if (strncmp(connect->path, path, len) != 0 || connect->path[len] != '/')
            continue;
        rest = connect->path + len + 1;
        vb_append_child(xml, seen, rest, strcspn(rest, "/"));
    }
}

static void
vb_append_object_children(VbConnect *connect, VbObjectKind kind, GString *xml)
{
    if (kind == VB_OBJECT_DOMAIN) {
        g_autoptr(GPtrArray) all = vb_domain_list_all(connect->conn->domains);

        for (guint i = 0; i < all->len; i++) {
            g_autofree char *p = vb_domain_path(connect, g_ptr_array_index(all, i));

            g_string_append_printf(xml, "  <node name=\"%s\"/>\n",
                                   p + strlen(connect->domain_path) + 1);
        }
    } else {
        g_autoptr(GPtrArray) all = vb_network_list_all(connect->conn->networks);

        for (guint i = 0; i < all->len; i++) {
            g_autofree char *p = vb_network_path(connect, g_ptr_array_index(all, i));

            g_string_append_printf(xml, "  <node name=\"%s\"/>\n",
                                   p + strlen(connect->network_path) + 1);
        }
    }
}

/* FALSE when the path is nothing: no object and nothing below it */
static gboolean
vb_introspect(VbService *service, const char *path, const VbRoute *route, gboolean found,
              GString *xml)
{
    g_string_append(xml, "<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection "
                         "1.0//EN\"\n \"http://www.freedesktop.org/standards/dbus/1.0/"
                         "introspect.dtd\">\n<node>\n");
    if (found && !route->container) {
        g_string_append(xml, vb_standard_interfaces_xml);
        g_dbus_interface_info_generate_xml(vb_interface_info(vb_route_interface(route)->name, NULL),
                                           2, xml);
        if (route->kind == VB_OBJECT_CONNECT)
            g_string_append(xml, "  <node name=\"domain\"/>\n  <node name=\"network\"/>\n");
    } else if (found) {
        vb_append_object_children(route->connect, route->kind, xml);
    } else {
        gsize before = xml->len;

        vb_append_path_children(service, path, xml);
        if (xml->len == before)
            return FALSE;
    }
    g_string_append(xml, "</node>\n");
    return TRUE;
}

static void vb_reply_dbus_error(VbBus *bus, VbMessage *message, GDBusError code, const char *format,
                                ...) G_GNUC_PRINTF(4, 5);

static void
vb_reply_dbus_error(VbBus *bus, VbMessage *message, GDBusError code, const char *format, ...)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *name = NULL;
    va_list args;

    va_start(args, format);
    error = g_error_new_valist(G_DBUS_ERROR, code, format, args);
    va_end(args);
    name = g_dbus_error_encode_gerror(error);
    vb_bus_reply_error(bus, message, name, error->message);
}

/* the in-arguments the XML declares, compared without building the signature */
static gboolean
vb_signature_matches(const char *signature, GDBusArgInfo **args)
{
    const char *p = signature;

    for (guint i = 0; args != NULL && args[i] != NULL; i++) {
        gsize n = strlen(args[i]->signature);

        if (strncmp(p, args[i]->signature, n) != 0)
            return FALSE;
        p += n;
    }
    return *p == '\0';
}

static void
vb_reply_wrong_signature(VbBus *bus, VbMessage *message, const char *expected)
{
    vb_reply_dbus_error(bus, message, G_DBUS_ERROR_INVALID_ARGS,
                        "Type of message, '(%s)', does not match expected type '(%s)'",
                        message->signature, expected);
}

static void
vb_route_properties(VbService *service, VbMessage *message, const VbRoute *route)
{
    const VbInterface *iface = vb_route_interface(route);
    GDBusInterfaceInfo *info = vb_interface_info(iface->name, NULL);
    const char *member = message->member;
    const char *expected = NULL;
    const char *iface_name = NULL;
    const char *prop_name = NULL;

    if (strcmp(member, "GetAll") == 0)
        expected = "s";
    else if (strcmp(member, "Get") == 0)
        expected = "ss";
    else if (strcmp(member, "Set") == 0)
        expected = "ssv";
    if (expected == NULL) {
        vb_reply_dbus_error(service->bus, message, G_DBUS_ERROR_UNKNOWN_METHOD,
                            "No such method '%s' on interface %s", member, VB_PROPERTIES_IFACE);
        return;
    }
    if (strcmp(message->signature, expected) != 0) {
        vb_reply_wrong_signature(service->bus, message, expected);
        return;
    }
    g_variant_get_child(message->body, 0, "&s", &iface_name);
    if (strcmp(iface_name, iface->name) != 0) {
        vb_reply_dbus_error(service->bus, message, G_DBUS_ERROR_INVALID_ARGS,
                            "No such interface '%s' on object at path %s", iface_name,
                            message->path);
        return;
    }
    if (expected[1] == 's') {
        GDBusPropertyInfo *prop;

        g_variant_get_child(message->body, 1, "&s", &prop_name);
        prop = g_dbus_interface_info_lookup_property(info, prop_name);
        if (prop == NULL) {
            vb_reply_dbus_error(service->bus, message, G_DBUS_ERROR_INVALID_ARGS,
                                "No such property '%s'", prop_name);
            return;
        }
        if (expected[2] == 'v') {
            g_autoptr(GVariant) boxed = g_variant_get_child_value(message->body, 2);
            g_autoptr(GVariant) value = g_variant_get_variant(boxed);

            if ((prop->flags & G_DBUS_PROPERTY_INFO_FLAGS_WRITABLE) == 0) {
                vb_reply_dbus_error(service->bus, message, G_DBUS_ERROR_INVALID_ARGS,
                                    "Property '%s' is not writable", prop_name);
                return;
            }
            if (strcmp(g_variant_get_type_string(value), prop->signature) != 0) {
                vb_reply_dbus_error(service->bus, message, G_DBUS_ERROR_INVALID_ARGS,
                                    "Error setting property '%s': Expected type '%s' but got '%s'",
                                    prop_name, prop->signature, g_variant_get_type_string(value));
                return;
            }
        } else if ((prop->flags & G_DBUS_PROPERTY_INFO_FLAGS_READABLE) == 0) {
            vb_reply_dbus_error(service->bus, message, G_DBUS_ERROR_INVALID_ARGS,
                                "Property '%s' is not readable", prop_name);
            return;
        }
    }
    vb_dispatch(route->connect, iface, route->node, VB_PROPERTIES_IFACE, NULL, message);
}

static void
vb_route_method(VbService *service, VbMessage *message, const VbRoute *route)
{
    const VbInterface *iface = vb_route_interface(route);
    GDBusMethodInfo *info =
        g_dbus_interface_info_lookup_method(vb_interface_info(iface->name, NULL), message->member);
    const VbMethod *row;

    if (info == NULL) {
        vb_reply_dbus_error(service->bus, message, G_DBUS_ERROR_UNKNOWN_METHOD,
                            "No such method '%s'", message->member);
        return;
    }
    if (!vb_signature_matches(message->signature, info->in_args)) {
        g_autoptr(GString) expected = g_string_new(NULL);

        for (guint i = 0; info->in_args != NULL && info->in_args[i] != NULL; i++)
            g_string_append(expected, info->in_args[i]->signature);
        vb_reply_wrong_signature(service->bus, message, expected->str);
        return;
    }
    /* the tables test keeps rows and XML in step; a gap is still an answer */
    row = vb_interface_find_method(iface, message->member);
    if (row == NULL) {
        vb_reply_dbus_error(service->bus, message, G_DBUS_ERROR_UNKNOWN_METHOD,
                            "No such method '%s' on interface %s", message->member, iface->name);
        return;
    }
    vb_dispatch(route->connect, iface, route->node, iface->name, row, message);
}

void
vb_dispatch_message(VbService *service, VbMessage *message)
{
    const char *interface = message->interface;
    VbRoute route;
    gboolean found = vb_route(service, message->path, &route);

    if (interface == NULL && strcmp(message->member, "Introspect") != 0) {
        /* no interface named: the object's own methods first, then the standard ones */
        const char *m = message->member;

        if (!found || route.container) {
            vb_reply_dbus_error(service->bus, message,
                                found ? G_DBUS_ERROR_UNKNOWN_METHOD : G_DBUS_ERROR_UNKNOWN_OBJECT,
                                found ? "No such method '%s'" : "No such object path '%s'",
                                found ? m : message->path);
            return;
        }
        if (g_dbus_interface_info_lookup_method(
                vb_interface_info(vb_route_interface(&route)->name, NULL), m) != NULL) {
            interface = vb_route_interface(&route)->name;
        } else if (strcmp(m, "Get") == 0 || strcmp(m, "GetAll") == 0 || strcmp(m, "Set") == 0) {
            interface = VB_PROPERTIES_IFACE;
        } else {
            vb_reply_dbus_error(service->bus, message, G_DBUS_ERROR_UNKNOWN_METHOD,
                                "No such method '%s'", m);
            return;
        }
    }
    if (interface == NULL || strcmp(interface, VB_INTROSPECTABLE_IFACE) == 0) {
        g_autoptr(GString) xml = g_string_new(NULL);

        if (strcmp(message->member, "Introspect") != 0 || message->signature[0] != '\0')
            vb_reply_dbus_error(service->bus, message, G_DBUS_ERROR_UNKNOWN_METHOD,
                                "No such method '%s' on interface %s", message->member,
                                VB_INTROSPECTABLE_IFACE);
        else if (vb_introspect(service, message->path, &route, found, xml))
            vb_bus_reply(service->bus, message, g_variant_new("(s)", xml->str));
        else
            vb_reply_dbus_error(service->bus, message, G_DBUS_ERROR_UNKNOWN_OBJECT,
                                "No such object path '%s'", message->path);
        return;
    }
    if (!found) {
        vb_reply_dbus_error(service->bus, message, G_DBUS_ERROR_UNKNOWN_OBJECT,
                            "No such object path '%s'", message->path);
        return;
    }
    if (route.container) {
        vb_reply_dbus_error(service->bus, message, G_DBUS_ERROR_UNKNOWN_METHOD,
                            "No such interface '%s' on object at path %s", interface,
                            message->path);
        return;
    }
    if (strcmp(interface, VB_PROPERTIES_IFACE) == 0)
        vb_route_properties(service, message, &route);
    else if (strcmp(interface, vb_route_interface(&route)->name) == 0)
        vb_route_method(service, message, &route);
    else
        vb_reply_dbus_error(service->bus, message, G_DBUS_ERROR_UNKNOWN_METHOD,
                            "No such interface '%s' on object at path %s", interface,
                            message->path);
}
