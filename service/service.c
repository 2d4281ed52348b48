/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus"

#include "service.h"

#include <glib-unix.h>

/* how long a stopping service waits for calls in flight */
#define VB_STOP_GRACE_US (800 * G_TIME_SPAN_MILLISECOND)

typedef struct {
    VbConnect *connect;
    VbDomainObj *obj;
} VbAutodestroy;

static void
vb_autodestroy_free(VbAutodestroy *item)
{
    vb_domain_obj_unref(item->obj);
    g_free(item);
}

static void
vb_autodestroy_done(gpointer result, const GError *error, gpointer user_data)
{
    g_autoptr(VbDomainObj) obj = user_data;

    if (error != NULL)
        g_warning("cannot destroy autodestroy domain %s: %s", obj->uuid_str, error->message);
}

void
vb_service_autodestroy(VbService *service, const char *owner, VbConnect *connect, VbDomainObj *obj)
{
    GPtrArray *items = g_hash_table_lookup(service->autodestroy, owner);
    VbAutodestroy *item = g_new0(VbAutodestroy, 1);

    if (items == NULL) {
        items = g_ptr_array_new_with_free_func((GDestroyNotify)vb_autodestroy_free);
        g_hash_table_insert(service->autodestroy, g_strdup(owner), items);
    }
    item->connect = connect;
    item->obj = vb_domain_obj_ref(obj);
    g_ptr_array_add(items, item);
}

static void
vb_on_name_owner_changed(VbBus *bus, VbMessage *signal, gpointer user_data)
{
    VbService *service = user_data;
    g_autoptr(GPtrArray) items = NULL;
    const char *name, *old_owner, *new_owner;
    gpointer key = NULL;

    if (strcmp(signal->signature, "sss") != 0)
        return;
    g_variant_get(signal->body, "(&s&s&s)", &name, &old_owner, &new_owner);
    if (new_owner[0] != '\0' ||
        !g_hash_table_steal_extended(service->autodestroy, name, &key, (gpointer *)&items))
        return;
    g_free(key);
    /* the client that started them is gone: so are they, as with libvirt */
    for (guint i = 0; i < items->len; i++) {
        VbAutodestroy *item = g_ptr_array_index(items, i);
        const VbDriver *driver = item->connect->conn->driver;

        if (item->obj->removed || !vb_domain_obj_is_active(item->obj) ||
            driver->domain_destroy == NULL)
            continue;
        driver->domain_destroy(item->connect->conn, item->obj, 0, vb_autodestroy_done,
                               vb_domain_obj_ref(item->obj));
    }
}

static void
vb_connect_free(VbConnect *connect)
{
    vb_conn_close(connect->conn);
    g_free(connect->path);
    g_free(connect->domain_path);
    g_free(connect->network_path);
    g_free(connect);
}

static void
vb_emit(VbConnect *connect, const char *path, const char *iface, const char *signal,
        GVariant *params)
{
    VbBus *bus = connect->service->bus;

    if (bus == NULL) {
        g_variant_unref(g_variant_ref_sink(params));
        return;
    }
    vb_bus_emit(bus, path, iface, signal, params);
}

static void
vb_on_domain_lifecycle(VbConn *conn, VbDomainObj *obj, int event, int detail, gpointer data)
{
    VbConnect *connect = data;
    g_autofree char *path = vb_domain_path(connect, obj);

    vb_emit(connect, connect->path, VB_IFACE_CONNECT, "DomainEvent",
            g_variant_new("(oii)", path, event, detail));
}

static void
vb_on_domain_signal(VbConn *conn, VbDomainObj *obj, const char *signal, GVariant *params,
                    gpointer data)
{
    VbConnect *connect = data;
    g_autofree char *path = vb_domain_path(connect, obj);

    vb_emit(connect, path, VB_IFACE_DOMAIN, signal, g_variant_ref(params));
}

static void
vb_on_network_lifecycle(VbConn *conn, VbNetworkObj *obj, int event, gpointer data)
{
    VbConnect *connect = data;
    g_autofree char *path = vb_network_path(connect, obj);

    vb_emit(connect, connect->path, VB_IFACE_CONNECT, "NetworkEvent",
            g_variant_new("(oi)", path, event));
}

static VbConnect *
vb_connect_new(VbService *service, const char *uri, GError **error)
{
    g_autoptr(VbConn) conn = vb_conn_open(uri, error);
    VbEventSink sink = {vb_on_domain_lifecycle, vb_on_domain_signal, vb_on_network_lifecycle, NULL};
    VbConnect *connect;

    if (conn == NULL)
        return NULL;
    connect = g_new0(VbConnect, 1);
    connect->service = service;
    connect->conn = g_steal_pointer(&conn);
    connect->path = g_strdup_printf("/org/libvirt/%s", connect->conn->driver->name);
    connect->domain_path = g_strdup_printf("%s/domain", connect->path);
    connect->network_path = g_strdup_printf("%s/network", connect->path);
    sink.user_data = connect;
    vb_conn_set_sink(connect->conn, &sink);
    return connect;
}

VbService *
vb_service_new(const VbServiceOptions *options, GError **error)
{
    g_autoptr(VbService) service = g_new0(VbService, 1);

    service->options.system = options->system;
    service->options.verbose = options->verbose;
    service->options.uris = g_strdupv(options->uris);
    service->connects = g_ptr_array_new_with_free_func((GDestroyNotify)vb_connect_free);
    service->autodestroy =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
    service->loop = g_main_loop_new(NULL, FALSE);

    for (guint i = 0; service->options.uris[i] != NULL; i++) {
        VbConnect *connect = vb_connect_new(service, service->options.uris[i], error);

        if (connect == NULL) {
            g_prefix_error(error, "cannot open %s: ", service->options.uris[i]);
            return NULL;
        }
        for (guint j = 0; j < service->connects->len; j++) {
            VbConnect *other = g_ptr_array_index(service->connects, j);

            if (strcmp(other->path, connect->path) == 0) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                            "%s and %s would both be published at %s", other->conn->uri,
                            connect->conn->uri, connect->path);
                vb_connect_free(connect);
                return NULL;
            }
        }
        g_ptr_array_add(service->connects, connect);
    }
    return g_steal_pointer(&service);
}

void
vb_service_free(VbService *service)
{
    if (service == NULL)
        return;
    if (service->name_owner_sub != 0)
        vb_bus_unsubscribe(service->bus, service->name_owner_sub);
    if (service->name_lost_sub != 0)
        vb_bus_unsubscribe(service->bus, service->name_lost_sub);
    if (service->autodestroy != NULL)
        g_hash_table_destroy(service->autodestroy);
    if (service->connects != NULL)
        g_ptr_array_free(service->connects, TRUE);
    vb_auth_free(service->auth);
    vb_bus_free(service->bus);
    if (service->loop != NULL)
        g_main_loop_unref(service->loop);
    g_strfreev(service->options.uris);
    g_free(service);
}

static const char *
vb_service_bus_label(VbService *service)
{
    return service->options.system ? "system" : "session";
}

static void
vb_service_fail(VbService *service)
{
    service->exit_code = 1;
    g_main_loop_quit(service->loop);
}

static void
vb_on_call(VbBus *bus, VbMessage *call, gpointer user_data)
{
    vb_dispatch_message(user_data, call);
}

static void
vb_on_bus_closed(VbBus *bus, const GError *error, gpointer user_data)
{
    VbService *service = user_data;

    /* stopping anyway: no need to wait for the calls in flight, nobody gets the replies */
    if (service->stop_deadline != 0) {
        g_main_loop_quit(service->loop);
        return;
    }
    g_printerr("virtbusd: lost the %s bus: %s\n", vb_service_bus_label(service),
               error != NULL ? error->message : "closed");
    vb_service_fail(service);
}

static void
vb_on_name_lost(VbBus *bus, VbMessage *signal, gpointer user_data)
{
    VbService *service = user_data;

    if (service->stop_deadline != 0 || !service->name_owned)
        return;
    g_printerr("virtbusd: lost the name %s on the %s bus\n", VB_BUS_NAME,
               vb_service_bus_label(service));
    vb_service_fail(service);
}

/* DBUS_REQUEST_NAME_REPLY_*: what RequestName answers */
enum {
    VB_NAME_PRIMARY_OWNER = 1,
    VB_NAME_EXISTS = 3,
    VB_NAME_ALREADY_OWNER = 4,
};

static void
vb_on_name_requested(VbBus *bus, VbMessage *reply, const GError *error, gpointer user_data)
{
    VbService *service = user_data;
    guint32 answer = 0;

    if (service->stop_deadline != 0 || g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    if (reply != NULL && strcmp(reply->signature, "u") == 0)
        g_variant_get(reply->body, "(u)", &answer);
    if (answer == VB_NAME_PRIMARY_OWNER || answer == VB_NAME_ALREADY_OWNER) {
        service->name_owned = TRUE;
        if (service->options.verbose) {
            for (guint i = 0; i < service->connects->len; i++) {
                VbConnect *connect = g_ptr_array_index(service->connects, i);

                g_printerr("virtbusd: %s published at %s\n", connect->conn->uri, connect->path);
            }
            g_printerr("virtbusd: owns %s on the %s bus\n", VB_BUS_NAME,
                       vb_service_bus_label(service));
        }
        return;
    }
    if (error != NULL)
        g_printerr("virtbusd: cannot own the name %s on the %s bus: %s\n", VB_BUS_NAME,
                   vb_service_bus_label(service), error->message);
    else if (answer == VB_NAME_EXISTS)
        g_printerr("virtbusd: the name %s is already owned on the %s bus\n", VB_BUS_NAME,
                   vb_service_bus_label(service));
    else
        g_printerr("virtbusd: the %s bus answered RequestName with %u\n",
                   vb_service_bus_label(service), answer);
    vb_service_fail(service);
}

static gboolean
vb_on_stop_tick(gpointer data)
{
    VbService *service = data;

    if (vb_dispatch_in_flight() > 0 && g_get_monotonic_time() < service->stop_deadline)
        return G_SOURCE_CONTINUE;
    service->quit_source = 0;
    g_main_loop_quit(service->loop);
    return G_SOURCE_REMOVE;
}

void
vb_service_stop(VbService *service)
{
    if (service->stop_deadline != 0)
        return;
    service->stop_deadline = g_get_monotonic_time() + VB_STOP_GRACE_US;
    /* new clients go to whoever is next; calls in flight still get their replies */
    if (service->bus != NULL && service->name_owned)
        vb_bus_call(service->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                    "org.freedesktop.DBus", "ReleaseName", g_variant_new("(s)", VB_BUS_NAME), NULL,
                    NULL);
    service->quit_source = g_timeout_add(10, vb_on_stop_tick, service);
}

static gboolean
vb_on_signal(gpointer data)
{
    vb_service_stop(data);
    return G_SOURCE_CONTINUE;
}

static const char *const vb_interfaces[] = {VB_IFACE_CONNECT, VB_IFACE_DOMAIN, VB_IFACE_NETWORK};

/* connects, publishes the objects and asks for the name */
static gboolean
vb_service_publish(VbService *service)
{
    g_autoptr(GError) error = NULL;

    service->bus =
        vb_bus_open(service->options.system ? G_BUS_TYPE_SYSTEM : G_BUS_TYPE_SESSION, &error);
    if (service->bus == NULL) {
        g_printerr("virtbusd: cannot connect to the %s bus: %s\n", vb_service_bus_label(service),
                   error->message);
        return FALSE;
    }
    for (guint i = 0; i < G_N_ELEMENTS(vb_interfaces); i++) {
        if (vb_interface_info(vb_interfaces[i], &error) == NULL) {
            g_printerr("virtbusd: cannot load the interface %s: %s\n", vb_interfaces[i],
                       error->message);
            return FALSE;
        }
    }
    if (service->options.system)
        service->auth = vb_auth_new(service->bus);
    service->name_owner_sub = vb_bus_subscribe(
        service->bus, "org.freedesktop.DBus", "org.freedesktop.DBus", "NameOwnerChanged",
        "/org/freedesktop/DBus", NULL, vb_on_name_owner_changed, service);
    service->name_lost_sub =
        vb_bus_subscribe(service->bus, "org.freedesktop.DBus", "org.freedesktop.DBus", "NameLost",
                         "/org/freedesktop/DBus", VB_BUS_NAME, vb_on_name_lost, service);
    vb_bus_start(service->bus, vb_on_call, vb_on_bus_closed, service);
    /* DBUS_NAME_FLAG_DO_NOT_QUEUE: a second virtbusd says so and exits */
    vb_bus_call(service->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                "org.freedesktop.DBus", "RequestName", g_variant_new("(su)", VB_BUS_NAME, 4u),
                vb_on_name_requested, service);
    return TRUE;
}

int
vb_service_run(VbService *service)
{
    guint sigterm = g_unix_signal_add(SIGTERM, vb_on_signal, service);
    guint sigint = g_unix_signal_add(SIGINT, vb_on_signal, service);

    if (vb_service_publish(service))
        g_main_loop_run(service->loop);
    else
        service->exit_code = 1;

    g_source_remove(sigterm);
    g_source_remove(sigint);
    if (service->quit_source != 0)
        g_source_remove(service->quit_source);
    if (service->bus != NULL)
        vb_bus_flush(service->bus, 1000);
    return service->exit_code;
}
