/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus"

#include "convert.h"
#include "dispatch.h"

/* virNetworkIsActive; main loop */
static GVariant *
vb_network_get_active(VbCall *call, GError **error)
{
    return g_variant_new_boolean(vb_network_obj_is_active(call->net));
}

/* virNetworkGetAutostart; main loop */
static GVariant *
vb_network_get_autostart(VbCall *call, GError **error)
{
    return g_variant_new_boolean(call->net->autostart);
}

/* virNetworkSetAutostart; completes when the driver does */
static gboolean
vb_network_set_autostart(VbCall *call, GVariant *value, GError **error)
{
    if (!VB_DRIVER_FN(call, network_set_autostart, "virNetworkSetAutostart", error))
        return FALSE;
    vb_call_driver(call)->network_set_autostart(vb_call_conn(call), call->net,
                                                g_variant_get_boolean(value), vb_call_done,
                                                vb_call_pend(call));
    return TRUE;
}

/* virNetworkGetName; main loop */
static GVariant *
vb_network_get_name(VbCall *call, GError **error)
{
    return g_variant_new_string(vb_network_obj_name(call->net));
}

/* virNetworkIsPersistent; main loop */
static GVariant *
vb_network_get_persistent(VbCall *call, GError **error)
{
    return g_variant_new_boolean(vb_network_obj_is_persistent(call->net));
}

/* virNetworkGetUUIDString; main loop */
static GVariant *
vb_network_get_uuid(VbCall *call, GError **error)
{
    return g_variant_new_string(call->net->uuid_str);
}

/* virNetworkGetBridgeName; main loop */
static GVariant *
vb_network_get_bridge_name(VbCall *call, GError **error)
{
    const VbNetworkDef *def = vb_network_obj_def(call->net);

    if (def->bridge == NULL) {
        vb_error_set(error, VB_ERROR_INTERNAL, "network '%s' does not have a bridge name.",
                     def->name);
        return NULL;
    }
    return g_variant_new_string(def->bridge);
}

/* the calls without arguments share one shape; each completes when the driver does */
#define VB_NETWORK_OP(func, field, api)                                                            \
    static GVariant *func(VbCall *call, GVariant *params, GError **error)                          \
    {                                                                                              \
        if (!VB_DRIVER_FN(call, field, api, error))                                                \
            return NULL;                                                                           \
        vb_call_driver(call)->field(vb_call_conn(call), call->net, vb_call_done,                   \
                                    vb_call_pend(call));                                           \
        return NULL;                                                                               \
    }

VB_NETWORK_OP(vb_network_create, network_create, "virNetworkCreate")
VB_NETWORK_OP(vb_network_destroy, network_destroy, "virNetworkDestroy")
VB_NETWORK_OP(vb_network_undefine, network_undefine, "virNetworkUndefine")

/* virNetworkGetXMLDesc; main loop */
static GVariant *
vb_network_get_xml_desc(VbCall *call, GVariant *params, GError **error)
{
    g_autofree char *xml = NULL;
    const VbNetworkDef *def;
    guint flags;

    g_variant_get(params, "(u)", &flags);
    def = (flags & VB_NETWORK_XML_INACTIVE) != 0 && call->net->config != NULL
              ? call->net->config
              : vb_network_obj_def(call->net);
    xml = vb_network_def_format(def, flags);
    return g_variant_new("(s)", xml);
}

/* virNetworkUpdate; completes when the driver does */
static GVariant *
vb_network_update(VbCall *call, GVariant *params, GError **error)
{
    guint command, section, flags;
    gint32 parent_index;
    const char *xml;

    g_variant_get(params, "(uui&su)", &command, &section, &parent_index, &xml, &flags);
    if (!VB_DRIVER_FN(call, network_update, "virNetworkUpdate", error))
        return NULL;
    vb_call_driver(call)->network_update(vb_call_conn(call), call->net, command, section,
                                         parent_index, xml, flags, vb_call_done,
                                         vb_call_pend(call));
    return NULL;
}

/* virNetworkGetDHCPLeases; completes when the driver does */
static GVariant *
vb_network_get_dhcp_leases(VbCall *call, GVariant *params, GError **error)
{
    const char *mac;
    guint flags;

    g_variant_get(params, "(&su)", &mac, &flags);
    if (!VB_DRIVER_FN(call, network_get_dhcp_leases, "virNetworkGetDHCPLeases", error))
        return NULL;
    call->convert = vb_convert_variant;
    vb_call_driver(call)->network_get_dhcp_leases(vb_call_conn(call), call->net,
                                                  *mac != '\0' ? mac : NULL, flags, vb_call_done,
                                                  vb_call_pend(call));
    return NULL;
}

static const VbProperty vb_network_properties[] = {
    {"Active", vb_network_get_active, NULL, "network.read", NULL},
    {"Autostart", vb_network_get_autostart, vb_network_set_autostart, "network.read",
     "network.write"},
    {"Name", vb_network_get_name, NULL, "network.getattr", NULL},
    {"Persistent", vb_network_get_persistent, NULL, "network.read", NULL},
    {"UUID", vb_network_get_uuid, NULL, "network.getattr", NULL},
    {"BridgeName", vb_network_get_bridge_name, NULL, "network.read", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static const VbMethod vb_network_methods[] = {
    {"Create", vb_network_create, {"network.start"}, 0, -1, 0, NULL},
    {"Destroy", vb_network_destroy, {"network.stop"}, 0, -1, 0, NULL},
    {"Undefine", vb_network_undefine, {"network.delete"}, 0, -1, 0, NULL},
    {"GetXMLDesc", vb_network_get_xml_desc, {"network.read"}, 0, 0, 0x1, "virNetworkGetXMLDesc"},
    {"Update", vb_network_update, {"network.write"}, VB_PERM_FLAG_SAVE, 4, 0x3, "virNetworkUpdate"},
    {"GetDHCPLeases",
     vb_network_get_dhcp_leases,
     {"network.read"},
     0,
     1,
     0,
     "virNetworkGetDHCPLeases"},
    {NULL, NULL, {NULL}, 0, -1, 0, NULL},
};

const VbInterface vb_network_interface = {
    VB_IFACE_NETWORK,
    VB_OBJECT_NETWORK,
    vb_network_methods,
    vb_network_properties,
};
