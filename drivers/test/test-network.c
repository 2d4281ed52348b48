/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-test"

#include "test-driver.h"

enum { VB_TEST_NETWORK_AFFECT_LIVE = 1, VB_TEST_NETWORK_AFFECT_CONFIG = 2 };

#define VB_TEST_LEASE_SECONDS 3600

gboolean
vb_test_network_add(VbConn *conn, VbNetworkDef *def, gboolean active, gboolean persistent,
                    gboolean autostart, GError **error)
{
    g_autoptr(VbNetworkObj) obj = vb_network_obj_new(def, persistent);

    if (active && persistent)
        obj->live = vb_network_def_copy(def);
    obj->autostart = autostart;
    return vb_network_list_add(conn->networks, obj, error);
}

static VbNetworkDef *
vb_test_network_parse(const char *xml, GError **error)
{
    if (xml == NULL) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "xml must not be NULL");
        return NULL;
    }
    return vb_network_def_parse(xml, -1, 0, error);
}

/* the network holding @def's UUID, when its name matches too */
static gboolean
vb_test_network_lookup(VbConn *conn, const VbNetworkDef *def, VbNetworkObj **out, GError **error)
{
    VbNetworkObj *obj = vb_network_list_find_uuid(conn->networks, def->uuid);

    if (obj != NULL && g_strcmp0(vb_network_obj_name(obj), def->name) != 0) {
        vb_error_set(error, VB_ERROR_OPERATION_FAILED,
                     "network '%s' is already defined with uuid %s", vb_network_obj_name(obj),
                     obj->uuid_str);
        return FALSE;
    }
    *out = obj;
    return TRUE;
}

static VbNetworkObj *
vb_test_network_define(VbConn *conn, const char *xml, GError **error)
{
    g_autoptr(VbNetworkDef) def = vb_test_network_parse(xml, error);
    VbNetworkObj *obj = NULL;

    if (def == NULL || !vb_test_network_lookup(conn, def, &obj, error))
        return NULL;
    if (obj == NULL) {
        g_autoptr(VbNetworkObj) fresh = vb_network_obj_new(g_steal_pointer(&def), TRUE);

        if (!vb_network_list_add(conn->networks, fresh, error))
            return NULL;
        vb_conn_emit_network(conn, fresh, VB_NETWORK_EVENT_DEFINED);
        return g_steal_pointer(&fresh);
    }
    /* an active network keeps running its live definition */
    vb_network_def_free(obj->config);
    obj->config = g_steal_pointer(&def);
    vb_conn_emit_network(conn, obj, VB_NETWORK_EVENT_DEFINED);
    return vb_network_obj_ref(obj);
}

/* virNetworkDefineXML; completes at once */
void
vb_test_network_define_xml(VbConn *conn, const char *xml, VbDone done, gpointer data)
{
    GError *error = NULL;
    VbNetworkObj *obj = vb_test_network_define(conn, xml, &error);

    vb_test_complete(done, data, obj, error);
}

static VbNetworkObj *
vb_test_network_create_new(VbConn *conn, const char *xml, GError **error)
{
    g_autoptr(VbNetworkDef) def = vb_test_network_parse(xml, error);
    VbNetworkObj *obj = NULL;

    if (def == NULL || !vb_test_network_lookup(conn, def, &obj, error))
        return NULL;
    if (obj == NULL) {
        g_autoptr(VbNetworkObj) fresh = vb_network_obj_new(g_steal_pointer(&def), FALSE);

        if (!vb_network_list_add(conn->networks, fresh, error))
            return NULL;
        vb_conn_emit_network(conn, fresh, VB_NETWORK_EVENT_STARTED);
        return g_steal_pointer(&fresh);
    }
    if (vb_network_obj_is_active(obj)) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID, "network '%s' is already active",
                     vb_network_obj_name(obj));
        return NULL;
    }
    /* an inactive persistent network starts with this definition this once */
    obj->live = g_steal_pointer(&def);
    vb_conn_emit_network(conn, obj, VB_NETWORK_EVENT_STARTED);
    return vb_network_obj_ref(obj);
}

/* virNetworkCreateXML; completes at once */
void
vb_test_network_create_xml(VbConn *conn, const char *xml, VbDone done, gpointer data)
{
    GError *error = NULL;
    VbNetworkObj *obj = vb_test_network_create_new(conn, xml, &error);

    vb_test_complete(done, data, obj, error);
}

/* virNetworkCreate; completes at once */
void
vb_test_network_create(VbConn *conn, VbNetworkObj *obj, VbDone done, gpointer data)
{
    GError *error = NULL;

    if (vb_network_obj_is_active(obj)) {
        vb_error_set(&error, VB_ERROR_OPERATION_INVALID, "network is already active");
    } else {
        obj->live = vb_network_def_copy(obj->config);
        vb_conn_emit_network(conn, obj, VB_NETWORK_EVENT_STARTED);
    }
    vb_test_complete(done, data, NULL, error);
}

/* virNetworkDestroy; completes at once */
void
vb_test_network_destroy(VbConn *conn, VbNetworkObj *obj, VbDone done, gpointer data)
{
    GError *error = NULL;

    if (!vb_network_obj_is_active(obj)) {
        vb_error_set(&error, VB_ERROR_OPERATION_INVALID, "network is not active");
    } else if (vb_network_obj_is_persistent(obj)) {
        vb_network_def_free(obj->live);
        obj->live = NULL;
        vb_conn_emit_network(conn, obj, VB_NETWORK_EVENT_STOPPED);
    } else {
        vb_conn_emit_network(conn, obj, VB_NETWORK_EVENT_STOPPED);
        vb_network_list_remove(conn->networks, obj);
    }
    vb_test_complete(done, data, NULL, error);
}

/* virNetworkUndefine; completes at once */
void
vb_test_network_undefine(VbConn *conn, VbNetworkObj *obj, VbDone done, gpointer data)
{
    GError *error = NULL;

    if (!vb_network_obj_is_persistent(obj)) {
        vb_error_set(&error, VB_ERROR_OPERATION_INVALID, "can't undefine transient network");
    } else {
        vb_conn_emit_network(conn, obj, VB_NETWORK_EVENT_UNDEFINED);
        obj->autostart = FALSE;
        if (vb_network_obj_is_active(obj)) {
            /* it keeps running, as a transient network */
            vb_network_def_free(obj->config);
            obj->config = NULL;
        } else {
            vb_network_list_remove(conn->networks, obj);
        }
    }
    vb_test_complete(done, data, NULL, error);
}

/* virNetworkSetAutostart; completes at once */
void
vb_test_network_set_autostart(VbConn *conn, VbNetworkObj *obj, gboolean autostart, VbDone done,
                              gpointer data)
{
    GError *error = NULL;

    if (!vb_network_obj_is_persistent(obj))
        vb_error_set(&error, VB_ERROR_OPERATION_INVALID,
                     "cannot set autostart for transient network");
    else
        obj->autostart = autostart;
    vb_test_complete(done, data, NULL, error);
}

static gboolean
vb_test_network_do_update(VbNetworkObj *obj, guint command, guint section, int parent_index,
                          const char *xml, guint flags, GError **error)
{
    guint affect = flags & (VB_TEST_NETWORK_AFFECT_LIVE | VB_TEST_NETWORK_AFFECT_CONFIG);
    gboolean active = vb_network_obj_is_active(obj);
    g_autoptr(VbNetworkDef) live = NULL;
    g_autoptr(VbNetworkDef) config = NULL;

    if (!vb_error_check_flags(flags, VB_TEST_NETWORK_AFFECT_LIVE | VB_TEST_NETWORK_AFFECT_CONFIG,
                              "virNetworkUpdate", error))
        return FALSE;
    if (affect == 0)
        affect = active ? VB_TEST_NETWORK_AFFECT_LIVE : VB_TEST_NETWORK_AFFECT_CONFIG;
    if ((affect & VB_TEST_NETWORK_AFFECT_LIVE) != 0 && !active) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID, "network is not running");
        return FALSE;
    }
    if ((affect & VB_TEST_NETWORK_AFFECT_CONFIG) != 0 && !vb_network_obj_is_persistent(obj)) {
        vb_error_set(error, VB_ERROR_OPERATION_INVALID,
                     "cannot change persistent config of a transient network");
        return FALSE;
    }
    /* both copies change or neither does */
    if ((affect & VB_TEST_NETWORK_AFFECT_LIVE) != 0) {
        live = vb_network_def_copy(obj->live);
        if (!vb_network_def_update(live, command, section, parent_index, xml, error))
            return FALSE;
    }
    if ((affect & VB_TEST_NETWORK_AFFECT_CONFIG) != 0) {
        config = vb_network_def_copy(obj->config);
        if (!vb_network_def_update(config, command, section, parent_index, xml, error))
            return FALSE;
    }
    if (live != NULL) {
        vb_network_def_free(obj->live);
        obj->live = g_steal_pointer(&live);
    }
    if (config != NULL) {
        vb_network_def_free(obj->config);
        obj->config = g_steal_pointer(&config);
    }
    return TRUE;
}

/* virNetworkUpdate; completes at once */
void
vb_test_network_update(VbConn *conn, VbNetworkObj *obj, guint command, guint section,
                       int parent_index, const char *xml, guint flags, VbDone done, gpointer data)
{
    GError *error = NULL;

    vb_test_network_do_update(obj, command, section, parent_index, xml, flags, &error);
    vb_test_complete(done, data, NULL, error);
}

typedef struct {
    VbDomainObj *obj; /* borrowed from the snapshot array */
    guint nic;
    char mac[VB_MAC_STRING_LEN];
    char *ip;
} VbTestLease;

static void
vb_test_lease_clear(gpointer data)
{
    VbTestLease *lease = data;

    g_free(lease->ip);
}

static gint
vb_test_domain_cmp_id(gconstpointer a, gconstpointer b)
{
    const VbDomainObj *x = *(VbDomainObj *const *)a;
    const VbDomainObj *y = *(VbDomainObj *const *)b;

    return (x->id > y->id) - (x->id < y->id);
}

static gboolean
vb_test_ipv4(const char *text, guint32 *out)
{
    g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(text);
    const guint8 *b;

    if (addr == NULL || g_inet_address_get_family(addr) != G_SOCKET_FAMILY_IPV4)
        return FALSE;
    b = g_inet_address_to_bytes(addr);
    *out = ((guint32)b[0] << 24) | ((guint32)b[1] << 16) | ((guint32)b[2] << 8) | b[3];
    return TRUE;
}

static char *
vb_test_ipv4_string(guint32 v)
{
    return g_strdup_printf("%u.%u.%u.%u", v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
}

static gboolean
vb_test_ip_taken(GArray *leases, const VbNetworkIp *ip, const char *text)
{
    for (guint i = 0; i < ip->hosts->len; i++) {
        const VbNetworkDhcpHost *host = g_ptr_array_index(ip->hosts, i);

        if (g_strcmp0(host->ip, text) == 0)
            return TRUE;
    }
    for (guint i = 0; i < leases->len; i++) {
        if (g_strcmp0(g_array_index(leases, VbTestLease, i).ip, text) == 0)
            return TRUE;
    }
    return FALSE;
}

/* the address of every running NIC on @net: a <host> entry with its MAC when there is
 * one, else the next free address of the first range, in order of domain id */
static GArray *
vb_test_network_leases(VbConn *conn, VbNetworkObj *net, GPtrArray *domains,
                       const VbNetworkIp **ip_out)
{
    GArray *leases = g_array_new(FALSE, TRUE, sizeof(VbTestLease));
    const VbNetworkIp *ip;
    const char *name = vb_network_obj_name(net);
    guint32 next = 0, last = 0;
    gboolean have_range = FALSE;

    g_array_set_clear_func(leases, vb_test_lease_clear);
    *ip_out = NULL;
    if (!vb_network_obj_is_active(net))
        return leases;
    ip = vb_network_def_get_dhcp_ip(net->live);
    if (ip == NULL)
        return leases;
    *ip_out = ip;
    if (ip->ranges->len > 0) {
        const VbNetworkDhcpRange *range = g_ptr_array_index(ip->ranges, 0);

        have_range = vb_test_ipv4(range->start, &next) && vb_test_ipv4(range->end, &last);
    }
    g_ptr_array_sort(domains, vb_test_domain_cmp_id);
    for (guint d = 0; d < domains->len; d++) {
        VbDomainObj *obj = g_ptr_array_index(domains, d);

        if (!vb_domain_obj_is_active(obj))
            continue;
        for (guint n = 0; n < obj->live->nets->len; n++) {
            const VbDomainNetDef *nic = g_ptr_array_index(obj->live->nets, n);
            VbTestLease lease = {.obj = obj, .nic = n};

            if (nic->type != VB_DOMAIN_NET_NETWORK || g_strcmp0(nic->source_network, name) != 0)
                continue;
            vb_mac_format(nic->mac, lease.mac);
            for (guint h = 0; h < ip->hosts->len && lease.ip == NULL; h++) {
                const VbNetworkDhcpHost *host = g_ptr_array_index(ip->hosts, h);

                if (host->ip != NULL && host->mac != NULL &&
                    g_ascii_strcasecmp(host->mac, lease.mac) == 0)
                    lease.ip = g_strdup(host->ip);
            }
            while (lease.ip == NULL && have_range && next <= last) {
                g_autofree char *text = vb_test_ipv4_string(next);

                if (next == G_MAXUINT32)
                    have_range = FALSE;
                next++;
                if (!vb_test_ip_taken(leases, ip, text))
                    lease.ip = g_steal_pointer(&text);
            }
            if (lease.ip != NULL)
                g_array_append_val(leases, lease);
        }
    }
    return leases;
}

char *
vb_test_network_lease_address(VbConn *conn, VbNetworkObj *net, const VbDomainObj *obj, guint nic,
                              guint *prefix)
{
    g_autoptr(GPtrArray) domains = vb_domain_list_all(conn->domains);
    const VbNetworkIp *ip = NULL;
    g_autoptr(GArray) leases = vb_test_network_leases(conn, net, domains, &ip);

    for (guint i = 0; i < leases->len; i++) {
        VbTestLease *lease = &g_array_index(leases, VbTestLease, i);

        if (lease->obj == obj && lease->nic == nic) {
            *prefix = ip->prefix;
            return g_strdup(lease->ip);
        }
    }
    return NULL;
}

static GVariant *
vb_test_dhcp_leases(VbConn *conn, VbNetworkObj *net, const char *mac, guint flags, GError **error)
{
    guint8 want[VB_MAC_LEN];
    char want_str[VB_MAC_STRING_LEN] = "";
    g_autoptr(GPtrArray) domains = NULL;
    g_autoptr(GArray) leases = NULL;
    const VbNetworkIp *ip = NULL;
    const char *bridge;
    GVariantBuilder b;
    gint64 expiry = g_get_real_time() / G_USEC_PER_SEC + VB_TEST_LEASE_SECONDS;

    if (!vb_error_check_flags(flags, 0, "virNetworkGetDHCPLeases", error))
        return NULL;
    if (mac != NULL && *mac != '\0') {
        if (!vb_mac_parse(mac, want)) {
            vb_error_set(error, VB_ERROR_INVALID_ARG, "invalid MAC address: %s", mac);
            return NULL;
        }
        vb_mac_format(want, want_str);
    }
    domains = vb_domain_list_all(conn->domains);
    leases = vb_test_network_leases(conn, net, domains, &ip);
    bridge = net->live != NULL && net->live->bridge != NULL ? net->live->bridge : "";
    g_variant_builder_init(&b, G_VARIANT_TYPE("a(sxisssuss)"));
    for (guint i = 0; i < leases->len; i++) {
        const VbTestLease *lease = &g_array_index(leases, VbTestLease, i);

        if (want_str[0] != '\0' && g_ascii_strcasecmp(want_str, lease->mac) != 0)
            continue;
        g_variant_builder_add(&b, "(sxisssuss)", bridge, expiry, 0, lease->mac, "", lease->ip,
                              ip->prefix, vb_domain_obj_name(lease->obj), "");
    }
    return g_variant_ref_sink(g_variant_builder_end(&b));
}

/* virNetworkGetDHCPLeases; completes at once */
void
vb_test_network_get_dhcp_leases(VbConn *conn, VbNetworkObj *obj, const char *mac, guint flags,
                                VbDone done, gpointer data)
{
    GError *error = NULL;
    GVariant *result = vb_test_dhcp_leases(conn, obj, mac, flags, &error);

    vb_test_complete(done, data, result, error);
}
