/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus"

#include "convert.h"

#include "service.h"

GVariant *
vb_convert_domain_path(VbCall *call, gpointer result)
{
    g_autoptr(VbDomainObj) obj = result;
    g_autofree char *path = vb_domain_path(call->connect, obj);

    return g_variant_new("(o)", path);
}

GVariant *
vb_convert_autodestroy_domain_path(VbCall *call, gpointer result)
{
    vb_service_autodestroy(call->connect->service, call->message->sender, call->connect, result);
    return vb_convert_domain_path(call, result);
}

GVariant *
vb_convert_autodestroy_started(VbCall *call, gpointer result)
{
    vb_service_autodestroy(call->connect->service, call->message->sender, call->connect, call->dom);
    return NULL;
}

GVariant *
vb_convert_network_path(VbCall *call, gpointer result)
{
    g_autoptr(VbNetworkObj) obj = result;
    g_autofree char *path = vb_network_path(call->connect, obj);

    return g_variant_new("(o)", path);
}

GVariant *
vb_convert_string(VbCall *call, gpointer result)
{
    g_autofree char *text = result;

    return g_variant_new("(s)", text != NULL ? text : "");
}

GVariant *
vb_convert_variant(VbCall *call, gpointer result)
{
    g_autoptr(GVariant) value = g_variant_ref_sink(result);

    return g_variant_new_tuple(&value, 1);
}

GVariant *
vb_wrap_typed_params(GVariant *params)
{
    GVariantBuilder builder;
    GVariantIter iter;
    const char *key;
    GVariant *value;

    g_variant_builder_init(&builder, G_VARIANT_TYPE("a{sv}"));
    g_variant_iter_init(&iter, params);
    while (g_variant_iter_next(&iter, "{&sv}", &key, &value)) {
        g_variant_builder_add(&builder, "{sv}", key, g_variant_new_variant(value));
        g_variant_unref(value);
    }
    return g_variant_builder_end(&builder);
}

GVariant *
vb_convert_typed_params(VbCall *call, gpointer result)
{
    g_autoptr(GVariant) params = g_variant_ref_sink(result);

    return g_variant_new("(@a{sv})", vb_wrap_typed_params(params));
}
