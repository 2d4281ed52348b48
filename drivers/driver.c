/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus"

#include "driver.h"

static const VbDriver *const vb_drivers[] = {
    &vb_test_driver,
    &vb_qemu_driver,
};

VbConn *
vb_conn_open(const char *uri, GError **error)
{
    for (guint i = 0; i < G_N_ELEMENTS(vb_drivers); i++) {
        const VbDriver *driver = vb_drivers[i];
        g_autoptr(VbConn) conn = NULL;

        if (!driver->probe(uri))
            continue;
        conn = g_new0(VbConn, 1);
        conn->driver = driver;
        conn->uri = g_strdup(uri);
        conn->domains = vb_domain_list_new();
        conn->networks = vb_network_list_new();
        if (!driver->open(conn, error)) {
            conn->driver = NULL; /* nothing to close */
            return NULL;
        }
        return g_steal_pointer(&conn);
    }
    vb_error_set(error, VB_ERROR_NO_CONNECT, "%s", uri);
    return NULL;
}

void
vb_conn_close(VbConn *conn)
{
    if (conn == NULL)
        return;
    if (conn->driver != NULL && conn->driver->close != NULL)
        conn->driver->close(conn);
    vb_domain_list_free(conn->domains);
    vb_network_list_free(conn->networks);
    g_free(conn->uri);
    g_free(conn);
}

void
vb_conn_set_sink(VbConn *conn, const VbEventSink *sink)
{
    conn->sink = *sink;
}

void
vb_conn_emit_domain(VbConn *conn, VbDomainObj *obj, int event, int detail)
{
    if (conn->sink.domain_lifecycle != NULL)
        conn->sink.domain_lifecycle(conn, obj, event, detail, conn->sink.user_data);
}

void
vb_conn_emit_domain_signal(VbConn *conn, VbDomainObj *obj, const char *signal, GVariant *params)
{
    g_autoptr(GVariant) owned = g_variant_ref_sink(params);

    if (conn->sink.domain_signal != NULL)
        conn->sink.domain_signal(conn, obj, signal, owned, conn->sink.user_data);
}

void
vb_conn_emit_network(VbConn *conn, VbNetworkObj *obj, int event)
{
    if (conn->sink.network_lifecycle != NULL)
        conn->sink.network_lifecycle(conn, obj, event, conn->sink.user_data);
}

void
vb_driver_stats_add(GVariantBuilder *b, GVariant *value, const char *format, ...)
{
    g_autofree char *key = NULL;
    va_list args;

    va_start(args, format);
    key = g_strdup_vprintf(format, args);
    va_end(args);
    g_variant_builder_add(b, "{sv}", key, value);
}
