/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus"

#include "dispatch.h"

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
    const char *dir = g_getenv("VB_INTROSPECTION_DIR");
    g_autofree char *file = g_strdup_printf("%s.xml", name);
    g_autofree char *xml = NULL;
    GDBusNodeInfo *node;

    if (cache == NULL)
        cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify)g_dbus_node_info_unref);
    node = g_hash_table_lookup(cache, name);
    if (node != NULL)
        return node->interfaces[0];

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
    for (const VbMethod *m = iface->methods; m->name != NULL; m++) {
        if (strcmp(m->name, name) == 0)
            return m;
    }
    return NULL;
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
    g_object_unref(call->invocation);
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
    g_dbus_method_invocation_return_value(call->invocation,
                                          reply != NULL ? reply : g_variant_new("()"));
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
        g_dbus_method_invocation_return_dbus_error(call->invocation, VB_ERROR_NAME,
                                                   valid != NULL ? valid : error->message);
    } else if (error->domain == G_DBUS_ERROR || error->domain == VB_AUTH_ERROR) {
        g_dbus_method_invocation_return_gerror(call->invocation, error);
    } else {
        g_autofree char *text =
            g_strdup_printf("internal error: %s", valid != NULL ? valid : error->message);

        g_dbus_method_invocation_return_dbus_error(call->invocation, VB_ERROR_NAME, text);
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
        g_autoptr(GVariantBuilder) builder = g_variant_builder_new(G_VARIANT_TYPE("a{sv}"));

        g_variant_get(params, "(&s)", &iface_name);
        for (const VbProperty *p = iface->properties; p->name != NULL; p++) {
            /* getters return floating references, consumed by the builder */
            GVariant *value = p->get(call, &error);

            if (value == NULL) {
                vb_call_reply_error(call, error);
                return;
            }
            /* the second variant is the known-client quirk of libvirt-dbus (DESIGN.md);
             * built by value: a "{sv}" format string is parsed again for every entry */
            g_variant_builder_add_value(
                builder,
                g_variant_new_dict_entry(g_variant_new_string(p->name),
                                         g_variant_new_variant(g_variant_new_variant(value))));
        }
        vb_call_reply(call, g_variant_new("(a{sv})", builder));
        return;
    }

    const VbProperty *prop;
    g_autoptr(GVariant) value = NULL;

    if (g_strcmp0(method, "Get") == 0)
        g_variant_get(params, "(&s&s)", &iface_name, &prop_name);
    else
        g_variant_get(params, "(&s&sv)", &iface_name, &prop_name, &value);
    prop = vb_interface_find_property(iface, prop_name);
    if (prop == NULL) {
        g_set_error(&error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                    "No such property '%s' on interface %s", prop_name, iface->name);
        vb_call_reply_error(call, error);
        return;
    }
    if (value == NULL) {
        GVariant *got = prop->get(call, &error);

        if (got != NULL)
            vb_call_reply(call, g_variant_new("(v)", got));
        else
            vb_call_reply_error(call, error);
        return;
    }
    if (prop->set == NULL) {
        g_set_error(&error, G_DBUS_ERROR, G_DBUS_ERROR_PROPERTY_READ_ONLY,
                    "Property '%s' on interface %s is read-only", prop_name, iface->name);
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
            const char *method, GVariant *params, GDBusMethodInvocation *invocation)
{
    g_autoptr(VbCall) call = g_new0(VbCall, 1);
    g_autoptr(GError) error = NULL;
    VbAuth *auth = connect->service->auth;

    vb_in_flight++;
    call->ref = 1;
    call->connect = connect;
    call->invocation = g_object_ref(invocation);
    call->iface = iface;
    /* the invocation owns these strings and lives as long as the call */
    call->interface = g_dbus_method_invocation_get_interface_name(call->invocation);
    call->member = g_dbus_method_invocation_get_method_name(call->invocation);
    call->params = g_variant_ref(params);
    if (g_strcmp0(call->interface, "org.freedesktop.DBus.Properties") != 0) {
        call->row = vb_interface_find_method(iface, call->member);
        /* GDBus checked the method against the XML; the tables test keeps rows in step */
        if (call->row == NULL) {
            g_set_error(&error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                        "No such method '%s' on interface %s", call->member, iface->name);
            vb_call_reply_error(call, error);
            return;
        }
    }

    if (!vb_call_resolve(call, iface->kind, node, &error) ||
        !vb_call_check_arguments(call, &error)) {
        vb_call_reply_error(call, error);
        return;
    }
    if (auth != NULL) {
        g_autoptr(GPtrArray) perms = vb_call_permissions(call);
        VbAuthTarget target;

        vb_call_auth_target(call, &target);
        vb_auth_check(auth, invocation, (const char *const *)perms->pdata, &target,
                      vb_dispatch_authorized, vb_call_ref(call));
        return;
    }
    vb_dispatch_run(call);
}

static void
vb_on_connect_call(GDBusConnection *bus, const char *sender, const char *path,
                   const char *interface, const char *method, GVariant *params,
                   GDBusMethodInvocation *invocation, gpointer user_data)
{
    vb_dispatch(user_data, &vb_connect_interface, NULL, interface, method, params, invocation);
}

static void
vb_on_domain_call(GDBusConnection *bus, const char *sender, const char *path, const char *interface,
                  const char *method, GVariant *params, GDBusMethodInvocation *invocation,
                  gpointer user_data)
{
    VbConnect *connect = user_data;
    const char *node = path + strlen(connect->domain_path);

    vb_dispatch(connect, &vb_domain_interface, *node == '/' ? node + 1 : NULL, interface, method,
                params, invocation);
}

static void
vb_on_network_call(GDBusConnection *bus, const char *sender, const char *path,
                   const char *interface, const char *method, GVariant *params,
                   GDBusMethodInvocation *invocation, gpointer user_data)
{
    VbConnect *connect = user_data;
    const char *node = path + strlen(connect->network_path);

    vb_dispatch(connect, &vb_network_interface, *node == '/' ? node + 1 : NULL, interface, method,
                params, invocation);
}

/* get/set left NULL: GDBus hands Properties calls to method_call, so they share the
 * dispatcher (and the double-wrapped GetAll) */
static const GDBusInterfaceVTable vb_connect_vtable = {vb_on_connect_call, NULL, NULL, {0}};
static const GDBusInterfaceVTable vb_domain_vtable = {vb_on_domain_call, NULL, NULL, {0}};
static const GDBusInterfaceVTable vb_network_vtable = {vb_on_network_call, NULL, NULL, {0}};

static char **
vb_domain_enumerate(GDBusConnection *bus, const char *sender, const char *path, gpointer user_data)
{
    VbConnect *connect = user_data;
    g_autoptr(GPtrArray) all = vb_domain_list_all(connect->conn->domains);
    GPtrArray *nodes = g_ptr_array_new();

    for (guint i = 0; i < all->len; i++) {
        g_autofree char *p = vb_domain_path(connect, g_ptr_array_index(all, i));

        g_ptr_array_add(nodes, g_strdup(p + strlen(connect->domain_path) + 1));
    }
    g_ptr_array_add(nodes, NULL);
    return (char **)g_ptr_array_free(nodes, FALSE);
}

static char **
vb_network_enumerate(GDBusConnection *bus, const char *sender, const char *path, gpointer user_data)
{
    VbConnect *connect = user_data;
    g_autoptr(GPtrArray) all = vb_network_list_all(connect->conn->networks);
    GPtrArray *nodes = g_ptr_array_new();

    for (guint i = 0; i < all->len; i++) {
        g_autofree char *p = vb_network_path(connect, g_ptr_array_index(all, i));

        g_ptr_array_add(nodes, g_strdup(p + strlen(connect->network_path) + 1));
    }
    g_ptr_array_add(nodes, NULL);
    return (char **)g_ptr_array_free(nodes, FALSE);
}

static GDBusInterfaceInfo **
vb_subtree_introspect(const char *node, const char *iface_name)
{
    GDBusInterfaceInfo **infos;

    /* the subtree's own folder has no interface, every child has one */
    if (node == NULL)
        return NULL;
    infos = g_new0(GDBusInterfaceInfo *, 2);
    infos[0] = g_dbus_interface_info_ref(vb_interface_info(iface_name, NULL));
    return infos;
}

static GDBusInterfaceInfo **
vb_domain_introspect(GDBusConnection *bus, const char *sender, const char *path, const char *node,
                     gpointer user_data)
{
    return vb_subtree_introspect(node, VB_IFACE_DOMAIN);
}

static GDBusInterfaceInfo **
vb_network_introspect(GDBusConnection *bus, const char *sender, const char *path, const char *node,
                      gpointer user_data)
{
    return vb_subtree_introspect(node, VB_IFACE_NETWORK);
}

static const GDBusInterfaceVTable *
vb_domain_subtree_dispatch(GDBusConnection *bus, const char *sender, const char *path,
                           const char *iface, const char *node, gpointer *out_user_data,
                           gpointer user_data)
{
    *out_user_data = user_data;
    return &vb_domain_vtable;
}

static const GDBusInterfaceVTable *
vb_network_subtree_dispatch(GDBusConnection *bus, const char *sender, const char *path,
                            const char *iface, const char *node, gpointer *out_user_data,
                            gpointer user_data)
{
    *out_user_data = user_data;
    return &vb_network_vtable;
}

static const GDBusSubtreeVTable vb_domain_subtree = {
    vb_domain_enumerate, vb_domain_introspect, vb_domain_subtree_dispatch, {0}};
static const GDBusSubtreeVTable vb_network_subtree = {
    vb_network_enumerate, vb_network_introspect, vb_network_subtree_dispatch, {0}};

gboolean
vb_connect_register(VbConnect *connect, GDBusConnection *bus, GError **error)
{
    GDBusInterfaceInfo *info = vb_interface_info(VB_IFACE_CONNECT, error);

    if (info == NULL || vb_interface_info(VB_IFACE_DOMAIN, error) == NULL ||
        vb_interface_info(VB_IFACE_NETWORK, error) == NULL)
        return FALSE;
    connect->registrations[0] = g_dbus_connection_register_object(
        bus, connect->path, info, &vb_connect_vtable, connect, NULL, error);
    if (connect->registrations[0] == 0)
        return FALSE;
    /* unenumerated nodes still reach us, so a vanished object's path gets
     * "Domain not found" rather than an unknown-object error */
    connect->registrations[1] = g_dbus_connection_register_subtree(
        bus, connect->domain_path, &vb_domain_subtree,
        G_DBUS_SUBTREE_FLAGS_DISPATCH_TO_UNENUMERATED_NODES, connect, NULL, error);
    if (connect->registrations[1] == 0)
        return FALSE;
    connect->registrations[2] = g_dbus_connection_register_subtree(
        bus, connect->network_path, &vb_network_subtree,
        G_DBUS_SUBTREE_FLAGS_DISPATCH_TO_UNENUMERATED_NODES, connect, NULL, error);
    return connect->registrations[2] != 0;
}

void
vb_connect_unregister(VbConnect *connect, GDBusConnection *bus)
{
    if (connect->registrations[0] != 0)
        g_dbus_connection_unregister_object(bus, connect->registrations[0]);
    for (guint i = 1; i < 3; i++) {
        if (connect->registrations[i] != 0)
            g_dbus_connection_unregister_subtree(bus, connect->registrations[i]);
    }
    memset(connect->registrations, 0, sizeof(connect->registrations));
}
