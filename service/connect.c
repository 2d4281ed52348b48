/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus"

#include "config.h"

#include "convert.h"
#include "dispatch.h"

/* virConnectIsEncrypted; main loop */
static GVariant *
vb_connect_get_encrypted(VbCall *call, GError **error)
{
    return g_variant_new_boolean(FALSE);
}

/* virConnectIsSecure: a local in-process driver is never observable by a third
 * party; main loop */
static GVariant *
vb_connect_get_secure(VbCall *call, GError **error)
{
    return g_variant_new_boolean(TRUE);
}

/* virConnectGetHostname; main loop */
static GVariant *
vb_connect_get_hostname(VbCall *call, GError **error)
{
    g_autofree char *name = NULL;

    if (!VB_DRIVER_FN(call, get_hostname, "virConnectGetHostname", error))
        return NULL;
    name = vb_call_driver(call)->get_hostname(vb_call_conn(call), error);
    return name != NULL ? g_variant_new_string(name) : NULL;
}

/* virConnectGetLibVersion; main loop */
static GVariant *
vb_connect_get_lib_version(VbCall *call, GError **error)
{
    return g_variant_new_uint64(VB_VERSION_NUMBER);
}

/* virConnectGetVersion; main loop */
static GVariant *
vb_connect_get_version(VbCall *call, GError **error)
{
    const VbDriver *driver = vb_call_driver(call);

    return g_variant_new_uint64(
        driver->get_version != NULL ? driver->get_version(vb_call_conn(call)) : VB_VERSION_NUMBER);
}

/* the object paths of a list reply, kept as GVariant's serialised form of "ao" is laid
 * out: each path with its NUL, one after the other, and where each one ends. Building
 * the reply is then one pass over the bytes; a GVariantBuilder allocated, copied and
 * validated one GVariant per path (with a printf before it), several µs per domain. */
typedef struct {
    GByteArray *data;
    GArray *ends; /* gsize: end offset of each path in @data */
} VbPathList;

static void
vb_path_list_init(VbPathList *list, const char *base, guint count)
{
    /* each path, its NUL and (up to 4 GiB) its framing offset */
    gsize each = strlen(base) + 2 + VB_UUID_STRING_LEN + sizeof(guint32);

    list->data = g_byte_array_sized_new(count * each);
    list->ends = g_array_sized_new(FALSE, FALSE, sizeof(gsize), count);
}

static void
vb_path_list_clear(VbPathList *list)
{
    g_clear_pointer(&list->data, g_byte_array_unref);
    g_clear_pointer(&list->ends, g_array_unref);
}

static void
vb_path_list_add(VbPathList *list, const char *base, const char *uuid_str)
{
    gsize end;

    vb_object_path_append(list->data, base, uuid_str);
    end = list->data->len;
    g_array_append_val(list->ends, end);
}

/* "(ao)" of the paths @allowed lets through (all when NULL), consuming @list. The
 * array's framing follows the GVariant specification: after the elements, the end
 * offset of each, little-endian, all as wide as the smallest of 1, 2, 4 and 8 bytes
 * that can address the whole array (GLib's gvs_calculate_total_size). The paths were
 * made by vb_object_path_append(), so the data is trusted as normal form. */
static GVariant *
vb_paths_reply(VbPathList *list, const gboolean *allowed)
{
    GByteArray *data = list->data;
    gsize *ends = (gsize *)(gpointer)list->ends->data;
    gsize n = 0, body = 0, start = 0, total, width;
    g_autoptr(GBytes) bytes = NULL;
    GVariant *array;

    for (guint i = 0; i < list->ends->len; i++) {
        gsize len = ends[i] - start;

        if (allowed == NULL || allowed[i]) {
            if (body != start)
                memmove(data->data + body, data->data + start, len);
            body += len;
            ends[n++] = body;
        }
        start += len;
    }
    if (body + n <= G_MAXUINT8)
        width = 1, total = body + n;
    else if (body + 2 * n <= G_MAXUINT16)
        width = 2, total = body + 2 * n;
    else if (body + 4 * n <= G_MAXUINT32)
        width = 4, total = body + 4 * n;
    else
        width = 8, total = body + 8 * n;
    g_byte_array_set_size(data, total);
    for (gsize i = 0; i < n; i++) {
        guint64 le = GUINT64_TO_LE((guint64)ends[i]);

        memcpy(data->data + body + i * width, &le, width);
    }
    list->data = NULL;
    bytes = g_byte_array_free_to_bytes(data);
    array = g_variant_new_from_bytes(G_VARIANT_TYPE_OBJECT_PATH_ARRAY, bytes, TRUE);
    vb_path_list_clear(list);
    return g_variant_new_tuple(&array, 1);
}

typedef struct {
    VbCall *call;
    VbPathList paths;
} VbListReply;

static void
vb_list_on_filtered(const gboolean *allowed, gpointer user_data)
{
    VbListReply *list = user_data;

    vb_call_reply(list->call, vb_paths_reply(&list->paths, allowed));
    vb_call_unref(list->call);
    g_free(list);
}

/* replies with the objects the caller may see: @perm checked per object on the
 * system bus (cached decisions, the rest asked in parallel), everything otherwise */
static GVariant *
vb_reply_filtered(VbCall *call, VbPathList *paths, GArray *targets, const char *perm)
{
    VbListReply *list;

    if (vb_call_auth(call) == NULL)
        return vb_paths_reply(paths, NULL);
    list = g_new0(VbListReply, 1);
    list->call = vb_call_pend(call);
    list->paths = *paths;
    memset(paths, 0, sizeof(*paths));
    vb_auth_filter(vb_call_auth(call), call->message, perm,
                   (const VbAuthTarget *)(gpointer)targets->data, targets->len, vb_list_on_filtered,
                   list);
    return NULL;
}

/* virConnectListAllDomains; main loop, the one call that walks every domain */
static GVariant *
vb_connect_list_domains(VbCall *call, GVariant *params, GError **error)
{
    VbDomainList *domains = vb_call_conn(call)->domains;
    g_autoptr(GArray) targets = g_array_new(FALSE, TRUE, sizeof(VbAuthTarget));
    /* the targets only matter to polkit (which copies them): on the session bus they
     * would cost a walk through every definition */
    gboolean filtered = vb_call_auth(call) != NULL;
    VbPathList paths;
    GHashTableIter iter;
    gpointer value;
    guint flags;

    g_variant_get(params, "(u)", &flags);
    vb_path_list_init(&paths, call->connect->domain_path, vb_domain_list_count(domains));
    /* nothing runs meanwhile: no snapshot of references needed */
    vb_domain_list_iter_init(domains, &iter);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        VbDomainObj *obj = value;

        if (!vb_domain_obj_matches(obj, flags))
            continue;
        vb_path_list_add(&paths, call->connect->domain_path, obj->uuid_str);
        if (filtered) {
            VbAuthTarget target = {vb_call_driver(call)->name, vb_domain_obj_name(obj),
                                   obj->uuid_str, NULL, NULL};

            g_array_append_val(targets, target);
        }
    }
    return vb_reply_filtered(call, &paths, targets, "domain.getattr");
}

static GVariant *
vb_reply_domain(VbCall *call, VbDomainObj *obj)
{
    g_autofree char *path = vb_domain_path(call->connect, obj);

    return g_variant_new("(o)", path);
}

/* virDomainLookupByID: finds the domain before authorization; main loop, hash lookup */
static gboolean
vb_connect_find_domain_by_id(VbCall *call, GVariant *params, GError **error)
{
    VbDomainObj *obj;
    gint32 id;

    g_variant_get(params, "(i)", &id);
    obj = vb_domain_list_find_id(vb_call_conn(call)->domains, id);
    if (obj == NULL) {
        vb_error_set(error, VB_ERROR_NO_DOMAIN, "no domain with matching id %d", id);
        return FALSE;
    }
    call->dom = vb_domain_obj_ref(obj);
    return TRUE;
}

/* virDomainLookupByName: finds the domain before authorization; main loop, hash lookup */
static gboolean
vb_connect_find_domain_by_name(VbCall *call, GVariant *params, GError **error)
{
    VbDomainObj *obj;
    const char *name;

    g_variant_get(params, "(&s)", &name);
    obj = vb_domain_list_find_name(vb_call_conn(call)->domains, name);
    if (obj == NULL) {
        vb_error_set(error, VB_ERROR_NO_DOMAIN, "no domain with matching name '%s'", name);
        return FALSE;
    }
    call->dom = vb_domain_obj_ref(obj);
    return TRUE;
}

/* virDomainLookupByUUIDString: finds the domain before authorization; main loop */
static gboolean
vb_connect_find_domain_by_uuid(VbCall *call, GVariant *params, GError **error)
{
    guint8 uuid[VB_UUID_LEN];
    VbDomainObj *obj;
    const char *text;

    g_variant_get(params, "(&s)", &text);
    if (!vb_uuid_parse(text, uuid)) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "malformed UUID '%s'", text);
        return FALSE;
    }
    obj = vb_domain_list_find_uuid(vb_call_conn(call)->domains, uuid);
    if (obj == NULL) {
        vb_error_set(error, VB_ERROR_NO_DOMAIN, "no domain with matching uuid '%s'", text);
        return FALSE;
    }
    call->dom = vb_domain_obj_ref(obj);
    return TRUE;
}

/* the three domain lookups: the domain the target hook found, and was authorized */
static GVariant *
vb_connect_domain_lookup(VbCall *call, GVariant *params, GError **error)
{
    return vb_reply_domain(call, call->dom);
}

/* the domain a definition describes, for polkit's domain_name and domain_uuid: an
 * update of an existing domain keeps that domain's UUID */
static gboolean
vb_connect_domain_from_xml(VbCall *call, const char *xml, GError **error)
{
    g_autoptr(VbDomainDef) def = vb_domain_def_parse(xml, -1, 0, error);
    VbDomainObj *existing;
    char uuid[VB_UUID_STRING_LEN];

    if (def == NULL)
        return FALSE;
    existing = vb_domain_list_find_name(vb_call_conn(call)->domains, def->name);
    vb_uuid_format(existing != NULL ? existing->uuid : def->uuid, uuid);
    call->target_name = g_strdup(def->name);
    call->target_uuid = g_strdup(uuid);
    return TRUE;
}

/* DomainCreateXML, DomainDefineXML: the new domain, before authorization */
static gboolean
vb_connect_target_domain_xml(VbCall *call, GVariant *params, GError **error)
{
    g_autoptr(GVariant) xml = NULL;

    /* only polkit needs the details; the driver parses the definition anyway */
    if (vb_call_auth(call) == NULL)
        return TRUE;
    xml = g_variant_get_child_value(params, 0);

    return vb_connect_domain_from_xml(call, g_variant_get_string(xml, NULL), error);
}

/* DomainRestore, DomainSaveImageDefineXML: the replacement definition when one is
 * given; the image's own is read by the driver on a worker, after authorization */
static gboolean
vb_connect_target_image_xml(VbCall *call, GVariant *params, GError **error)
{
    g_autoptr(GVariant) xml = NULL;
    const char *text;

    if (vb_call_auth(call) == NULL)
        return TRUE;
    xml = g_variant_get_child_value(params, 1);
    text = g_variant_get_string(xml, NULL);

    return *text == '\0' || vb_connect_domain_from_xml(call, text, error);
}

/* virDomainCreateXML; completes when the driver does */
static GVariant *
vb_connect_domain_create_xml(VbCall *call, GVariant *params, GError **error)
{
    const char *xml;
    guint flags;

    g_variant_get(params, "(&su)", &xml, &flags);
    if (!VB_DRIVER_FN(call, domain_create_xml, "virDomainCreateXML", error))
        return NULL;
    /* START_AUTODESTROY */
    call->convert = (flags & 2u) != 0 ? vb_convert_autodestroy_domain_path : vb_convert_domain_path;
    vb_call_driver(call)->domain_create_xml(vb_call_conn(call), xml, flags, vb_call_done,
                                            vb_call_pend(call));
    return NULL;
}

/* virDomainDefineXML; completes when the driver does */
static GVariant *
vb_connect_domain_define_xml(VbCall *call, GVariant *params, GError **error)
{
    const char *xml;

    g_variant_get(params, "(&s)", &xml);
    if (!VB_DRIVER_FN(call, domain_define_xml, "virDomainDefineXML", error))
        return NULL;
    call->convert = vb_convert_domain_path;
    vb_call_driver(call)->domain_define_xml(vb_call_conn(call), xml, 0, vb_call_done,
                                            vb_call_pend(call));
    return NULL;
}

/* virDomainRestoreFlags; completes when the driver does */
static GVariant *
vb_connect_domain_restore(VbCall *call, GVariant *params, GError **error)
{
    const char *from, *xml;
    guint flags;

    g_variant_get(params, "(&s&su)", &from, &xml, &flags);
    if (!VB_DRIVER_FN(call, domain_restore, "virDomainRestoreFlags", error))
        return NULL;
    vb_call_driver(call)->domain_restore(vb_call_conn(call), from, *xml != '\0' ? xml : NULL, flags,
                                         vb_call_done, vb_call_pend(call));
    return NULL;
}

/* virDomainSaveImageGetXMLDesc; reads the file on a worker */
static GVariant *
vb_connect_save_image_get_xml(VbCall *call, GVariant *params, GError **error)
{
    const char *file;
    guint flags;

    g_variant_get(params, "(&su)", &file, &flags);
    if (!VB_DRIVER_FN(call, save_image_get_xml, "virDomainSaveImageGetXMLDesc", error))
        return NULL;
    call->convert = vb_convert_string;
    vb_call_driver(call)->save_image_get_xml(vb_call_conn(call), file, flags, vb_call_done,
                                             vb_call_pend(call));
    return NULL;
}

/* virDomainSaveImageDefineXML; rewrites the file on a worker */
static GVariant *
vb_connect_save_image_define_xml(VbCall *call, GVariant *params, GError **error)
{
    const char *file, *xml;
    guint flags;

    g_variant_get(params, "(&s&su)", &file, &xml, &flags);
    if (!VB_DRIVER_FN(call, save_image_define_xml, "virDomainSaveImageDefineXML", error))
        return NULL;
    vb_call_driver(call)->save_image_define_xml(vb_call_conn(call), file, xml, flags, vb_call_done,
                                                vb_call_pend(call));
    return NULL;
}

/* virConnectListAllNetworks; main loop */
static GVariant *
vb_connect_list_networks(VbCall *call, GVariant *params, GError **error)
{
    g_autoptr(GPtrArray) all = vb_network_list_all(vb_call_conn(call)->networks);
    g_autoptr(GArray) targets = g_array_new(FALSE, TRUE, sizeof(VbAuthTarget));
    VbPathList paths;
    guint flags;

    g_variant_get(params, "(u)", &flags);
    vb_path_list_init(&paths, call->connect->network_path, all->len);
    for (guint i = 0; i < all->len; i++) {
        VbNetworkObj *obj = g_ptr_array_index(all, i);
        VbAuthTarget target = {vb_call_driver(call)->name, NULL, NULL, vb_network_obj_name(obj),
                               obj->uuid_str};

        if (!vb_network_obj_matches(obj, flags))
            continue;
        vb_path_list_add(&paths, call->connect->network_path, obj->uuid_str);
        g_array_append_val(targets, target);
    }
    return vb_reply_filtered(call, &paths, targets, "network.getattr");
}

static GVariant *
vb_reply_network(VbCall *call, VbNetworkObj *obj)
{
    g_autofree char *path = vb_network_path(call->connect, obj);

    return g_variant_new("(o)", path);
}

/* virNetworkLookupByName: finds the network before authorization; main loop */
static gboolean
vb_connect_find_network_by_name(VbCall *call, GVariant *params, GError **error)
{
    VbNetworkObj *obj;
    const char *name;

    g_variant_get(params, "(&s)", &name);
    obj = vb_network_list_find_name(vb_call_conn(call)->networks, name);
    if (obj == NULL) {
        vb_error_set(error, VB_ERROR_NO_NETWORK, "no network with matching name '%s'", name);
        return FALSE;
    }
    call->net = vb_network_obj_ref(obj);
    return TRUE;
}

/* virNetworkLookupByUUIDString: finds the network before authorization; main loop */
static gboolean
vb_connect_find_network_by_uuid(VbCall *call, GVariant *params, GError **error)
{
    guint8 uuid[VB_UUID_LEN];
    VbNetworkObj *obj;
    const char *text;

    g_variant_get(params, "(&s)", &text);
    if (!vb_uuid_parse(text, uuid)) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "malformed UUID '%s'", text);
        return FALSE;
    }
    obj = vb_network_list_find_uuid(vb_call_conn(call)->networks, uuid);
    if (obj == NULL) {
        vb_error_set(error, VB_ERROR_NO_NETWORK, "no network with matching uuid '%s'", text);
        return FALSE;
    }
    call->net = vb_network_obj_ref(obj);
    return TRUE;
}

/* the two network lookups: the network the target hook found, and was authorized */
static GVariant *
vb_connect_network_lookup(VbCall *call, GVariant *params, GError **error)
{
    return vb_reply_network(call, call->net);
}

/* NetworkCreateXML, NetworkDefineXML: the network the definition describes */
static gboolean
vb_connect_target_network_xml(VbCall *call, GVariant *params, GError **error)
{
    g_autoptr(GVariant) xml = NULL;
    g_autoptr(VbNetworkDef) def = NULL;
    VbNetworkObj *existing;
    char uuid[VB_UUID_STRING_LEN];

    if (vb_call_auth(call) == NULL)
        return TRUE;
    xml = g_variant_get_child_value(params, 0);
    def = vb_network_def_parse(g_variant_get_string(xml, NULL), -1, 0, error);
    if (def == NULL)
        return FALSE;
    existing = vb_network_list_find_name(vb_call_conn(call)->networks, def->name);
    vb_uuid_format(existing != NULL ? existing->uuid : def->uuid, uuid);
    call->target_name = g_strdup(def->name);
    call->target_uuid = g_strdup(uuid);
    return TRUE;
}

/* virNetworkCreateXML; completes when the driver does */
static GVariant *
vb_connect_network_create_xml(VbCall *call, GVariant *params, GError **error)
{
    const char *xml;

    g_variant_get(params, "(&s)", &xml);
    if (!VB_DRIVER_FN(call, network_create_xml, "virNetworkCreateXML", error))
        return NULL;
    call->convert = vb_convert_network_path;
    vb_call_driver(call)->network_create_xml(vb_call_conn(call), xml, vb_call_done,
                                             vb_call_pend(call));
    return NULL;
}

/* virNetworkDefineXML; completes when the driver does */
static GVariant *
vb_connect_network_define_xml(VbCall *call, GVariant *params, GError **error)
{
    const char *xml;

    g_variant_get(params, "(&s)", &xml);
    if (!VB_DRIVER_FN(call, network_define_xml, "virNetworkDefineXML", error))
        return NULL;
    call->convert = vb_convert_network_path;
    vb_call_driver(call)->network_define_xml(vb_call_conn(call), xml, vb_call_done,
                                             vb_call_pend(call));
    return NULL;
}

static GVariant *
vb_reply_string(char *text)
{
    g_autofree char *owned = text;

    return owned != NULL ? g_variant_new("(s)", owned) : NULL;
}

/* virConnectGetCapabilities; main loop */
static GVariant *
vb_connect_get_capabilities(VbCall *call, GVariant *params, GError **error)
{
    if (!VB_DRIVER_FN(call, get_capabilities, "virConnectGetCapabilities", error))
        return NULL;
    return vb_reply_string(vb_call_driver(call)->get_capabilities(vb_call_conn(call), error));
}

/* virConnectGetDomainCapabilities; main loop */
static GVariant *
vb_connect_get_domain_capabilities(VbCall *call, GVariant *params, GError **error)
{
    const char *emulator, *arch, *machine, *virttype;
    guint flags;

    g_variant_get(params, "(&s&s&s&su)", &emulator, &arch, &machine, &virttype, &flags);
    if (!VB_DRIVER_FN(call, get_domain_capabilities, "virConnectGetDomainCapabilities", error))
        return NULL;
    return vb_reply_string(vb_call_driver(call)->get_domain_capabilities(
        vb_call_conn(call), emulator, arch, machine, virttype, flags, error));
}

/* virConnectGetSysinfo; main loop */
static GVariant *
vb_connect_get_sysinfo(VbCall *call, GVariant *params, GError **error)
{
    guint flags;

    g_variant_get(params, "(u)", &flags);
    if (!VB_DRIVER_FN(call, get_sysinfo, "virConnectGetSysinfo", error))
        return NULL;
    return vb_reply_string(vb_call_driver(call)->get_sysinfo(vb_call_conn(call), flags, error));
}

/* virConnectGetCPUModelNames; main loop */
static GVariant *
vb_connect_get_cpu_model_names(VbCall *call, GVariant *params, GError **error)
{
    g_auto(GStrv) names = NULL;
    const char *arch;
    guint flags;

    g_variant_get(params, "(&su)", &arch, &flags);
    if (!VB_DRIVER_FN(call, get_cpu_model_names, "virConnectGetCPUModelNames", error))
        return NULL;
    names = vb_call_driver(call)->get_cpu_model_names(vb_call_conn(call), arch, flags, error);
    if (names == NULL)
        return NULL;
    return g_variant_new("(^as)", names);
}

typedef struct {
    VbCall *call;
    GVariantBuilder builder;
    guint waiting;
    GError *error;
} VbStatsGather;

/* one request of a GetAllDomainStats call finished (or the issuing loop did) */
static void
vb_stats_gather_one(VbStatsGather *gather, const GError *error)
{
    if (error != NULL && gather->error == NULL)
        gather->error = g_error_copy(error);
    if (--gather->waiting > 0)
        return;
    if (gather->error != NULL)
        vb_call_reply_error(gather->call, gather->error);
    else
        vb_call_reply(gather->call, g_variant_new("(a(sa{sv}))", &gather->builder));
    g_clear_error(&gather->error);
    g_variant_builder_clear(&gather->builder);
    vb_call_unref(gather->call);
    g_free(gather);
}

typedef struct {
    VbStatsGather *gather;
    char *name;
} VbStatsItem;

static void
vb_stats_item_done(gpointer result, const GError *error, gpointer user_data)
{
    VbStatsItem *item = user_data;

    if (result != NULL && error == NULL) {
        g_autoptr(GVariant) stats = g_variant_ref_sink(result);

        /* the record names the domain, as libvirt-dbus's does */
        g_variant_builder_add(&item->gather->builder, "(s@a{sv})", item->name,
                              vb_wrap_typed_params(stats));
    }
    vb_stats_gather_one(item->gather, error);
    g_free(item->name);
    g_free(item);
}

/* asks the driver for each allowed domain's stats; @call is a pending reference the
 * gather takes over */
static void
vb_stats_start(VbCall *call, GPtrArray *objs, const gboolean *allowed, guint stats)
{
    VbStatsGather *gather = g_new0(VbStatsGather, 1);

    gather->call = call;
    g_variant_builder_init(&gather->builder, G_VARIANT_TYPE("a(sa{sv})"));
    gather->waiting = 1; /* held until every request is out */
    for (guint i = 0; i < objs->len; i++) {
        VbDomainObj *obj = g_ptr_array_index(objs, i);
        VbStatsItem *item;

        if (allowed != NULL && !allowed[i])
            continue;
        item = g_new0(VbStatsItem, 1);
        item->gather = gather;
        item->name = g_strdup(vb_domain_obj_name(obj));
        gather->waiting++;
        vb_call_driver(call)->domain_get_stats(vb_call_conn(call), obj, stats, 0,
                                               vb_stats_item_done, item);
    }
    vb_stats_gather_one(gather, NULL);
}

typedef struct {
    VbCall *call;
    GPtrArray *objs;
    guint stats;
} VbStatsFilter;

static void
vb_stats_on_filtered(const gboolean *allowed, gpointer user_data)
{
    VbStatsFilter *filter = user_data;

    vb_stats_start(filter->call, filter->objs, allowed, filter->stats);
    g_ptr_array_free(filter->objs, TRUE);
    g_free(filter);
}

/* virConnectGetAllDomainStats; each domain's stats complete when the driver's do */
static GVariant *
vb_connect_get_all_domain_stats(VbCall *call, GVariant *params, GError **error)
{
    g_autoptr(GPtrArray) all = vb_domain_list_all(vb_call_conn(call)->domains);
    g_autoptr(GPtrArray) objs = g_ptr_array_new_with_free_func((GDestroyNotify)vb_domain_obj_unref);
    g_autoptr(GArray) targets = g_array_new(FALSE, TRUE, sizeof(VbAuthTarget));
    VbStatsFilter *filter;
    guint stats, flags;

    g_variant_get(params, "(uu)", &stats, &flags);
    if (!VB_DRIVER_FN(call, domain_get_stats, "virConnectGetAllDomainStats", error))
        return NULL;
    for (guint i = 0; i < all->len; i++) {
        VbDomainObj *obj = g_ptr_array_index(all, i);
        VbAuthTarget target = {vb_call_driver(call)->name, vb_domain_obj_name(obj), obj->uuid_str,
                               NULL, NULL};

        if (!vb_domain_obj_matches(obj, flags & VB_LIST_DOMAINS_ALL_FLAGS))
            continue;
        g_ptr_array_add(objs, vb_domain_obj_ref(obj));
        g_array_append_val(targets, target);
    }
    if (vb_call_auth(call) == NULL) {
        vb_stats_start(vb_call_pend(call), objs, NULL, stats);
        return NULL;
    }
    /* stats are domain.read: each record is filtered like a list entry */
    filter = g_new0(VbStatsFilter, 1);
    filter->call = vb_call_pend(call);
    filter->objs = g_steal_pointer(&objs);
    filter->stats = stats;
    vb_auth_filter(vb_call_auth(call), call->message, "domain.read",
                   (const VbAuthTarget *)(gpointer)targets->data, targets->len,
                   vb_stats_on_filtered, filter);
    return NULL;
}

/* virNodeGetCPUMap; main loop */
static GVariant *
vb_connect_node_get_cpu_map(VbCall *call, GVariant *params, GError **error)
{
    g_autoptr(GArray) map = NULL;
    GVariantBuilder builder;
    guint flags;

    g_variant_get(params, "(u)", &flags);
    if (!VB_DRIVER_FN(call, node_get_cpu_map, "virNodeGetCPUMap", error))
        return NULL;
    map = vb_call_driver(call)->node_get_cpu_map(vb_call_conn(call), flags, error);
    if (map == NULL)
        return NULL;
    g_variant_builder_init(&builder, G_VARIANT_TYPE("ab"));
    for (guint i = 0; i < map->len; i++)
        g_variant_builder_add(&builder, "b", g_array_index(map, gboolean, i));
    return g_variant_new("(ab)", &builder);
}

static GVariant *
vb_reply_variant(GVariant *value)
{
    g_autoptr(GVariant) owned = value != NULL ? g_variant_ref_sink(value) : NULL;

    return owned != NULL ? g_variant_new_tuple(&owned, 1) : NULL;
}

/* virNodeGetCPUStats; main loop */
static GVariant *
vb_connect_node_get_cpu_stats(VbCall *call, GVariant *params, GError **error)
{
    gint32 cpu;
    guint flags;

    g_variant_get(params, "(iu)", &cpu, &flags);
    if (!VB_DRIVER_FN(call, node_get_cpu_stats, "virNodeGetCPUStats", error))
        return NULL;
    return vb_reply_variant(
        vb_call_driver(call)->node_get_cpu_stats(vb_call_conn(call), cpu, flags, error));
}

/* virNodeGetMemoryStats; main loop */
static GVariant *
vb_connect_node_get_memory_stats(VbCall *call, GVariant *params, GError **error)
{
    gint32 cell;
    guint flags;

    g_variant_get(params, "(iu)", &cell, &flags);
    if (!VB_DRIVER_FN(call, node_get_memory_stats, "virNodeGetMemoryStats", error))
        return NULL;
    return vb_reply_variant(
        vb_call_driver(call)->node_get_memory_stats(vb_call_conn(call), cell, flags, error));
}

/* virNodeGetFreeMemory; main loop */
static GVariant *
vb_connect_node_get_free_memory(VbCall *call, GVariant *params, GError **error)
{
    GError *local = NULL;
    guint64 free_bytes;

    if (!VB_DRIVER_FN(call, node_get_free_memory, "virNodeGetFreeMemory", error))
        return NULL;
    free_bytes = vb_call_driver(call)->node_get_free_memory(vb_call_conn(call), &local);
    if (local != NULL) {
        g_propagate_error(error, local);
        return NULL;
    }
    return g_variant_new("(t)", free_bytes);
}

/* virNodeGetSecurityModel; main loop */
static GVariant *
vb_connect_node_get_security_model(VbCall *call, GVariant *params, GError **error)
{
    g_autofree char *model = NULL;
    g_autofree char *doi = NULL;

    if (!VB_DRIVER_FN(call, node_get_security_model, "virNodeGetSecurityModel", error))
        return NULL;
    if (!vb_call_driver(call)->node_get_security_model(vb_call_conn(call), &model, &doi, error))
        return NULL;
    return g_variant_new("((ss))", model != NULL ? model : "", doi != NULL ? doi : "");
}

/* virNodeGetInfo; main loop */
static GVariant *
vb_connect_node_get_info(VbCall *call, GVariant *params, GError **error)
{
    VbNodeInfo info = {0};
    GVariant *reply;

    if (!VB_DRIVER_FN(call, node_get_info, "virNodeGetInfo", error))
        return NULL;
    if (!vb_call_driver(call)->node_get_info(vb_call_conn(call), &info, error))
        return NULL;
    reply = g_variant_new("((stuuuuuu))", info.model != NULL ? info.model : "", info.memory_kib,
                          info.cpus, info.mhz, info.nodes, info.sockets, info.cores, info.threads);
    g_free(info.model);
    return reply;
}

/* virConnectGetMaxVcpus; main loop */
static GVariant *
vb_connect_get_max_vcpus(VbCall *call, GVariant *params, GError **error)
{
    GError *local = NULL;
    const char *type;
    guint max;

    g_variant_get(params, "(&s)", &type);
    if (!VB_DRIVER_FN(call, get_max_vcpus, "virConnectGetMaxVcpus", error))
        return NULL;
    max = vb_call_driver(call)->get_max_vcpus(vb_call_conn(call), *type != '\0' ? type : NULL,
                                              &local);
    if (local != NULL) {
        g_propagate_error(error, local);
        return NULL;
    }
    return g_variant_new("(u)", max);
}

/* virConnectDomainXMLFromNative; main loop */
static GVariant *
vb_connect_domain_xml_from_native(VbCall *call, GVariant *params, GError **error)
{
    const char *format, *config;
    guint flags;

    g_variant_get(params, "(&s&su)", &format, &config, &flags);
    if (!VB_DRIVER_FN(call, domain_xml_from_native, "virConnectDomainXMLFromNative", error))
        return NULL;
    return vb_reply_string(vb_call_driver(call)->domain_xml_from_native(vb_call_conn(call), format,
                                                                        config, flags, error));
}

/* virConnectDomainXMLToNative; main loop */
static GVariant *
vb_connect_domain_xml_to_native(VbCall *call, GVariant *params, GError **error)
{
    const char *format, *xml;
    guint flags;

    g_variant_get(params, "(&s&su)", &format, &xml, &flags);
    if (!VB_DRIVER_FN(call, domain_xml_to_native, "virConnectDomainXMLToNative", error))
        return NULL;
    return vb_reply_string(
        vb_call_driver(call)->domain_xml_to_native(vb_call_conn(call), format, xml, flags, error));
}

#define READ_ONLY(perm) NULL, perm, NULL

static const VbProperty vb_connect_properties[] = {
    {"Encrypted", vb_connect_get_encrypted, READ_ONLY("connect.getattr")},
    {"Hostname", vb_connect_get_hostname, READ_ONLY("connect.read")},
    {"LibVersion", vb_connect_get_lib_version, READ_ONLY("connect.getattr")},
    {"Secure", vb_connect_get_secure, READ_ONLY("connect.getattr")},
    {"Version", vb_connect_get_version, READ_ONLY("connect.getattr")},
    {NULL, NULL, NULL, NULL, NULL},
};

static const VbMethod vb_connect_methods[] = {
    {"ListDomains",
     vb_connect_list_domains,
     {"connect.search-domains"},
     0,
     0,
     0x3fff,
     "virConnectListAllDomains"},
    {"DomainLookupByID",
     vb_connect_domain_lookup,
     {"domain.getattr"},
     0,
     -1,
     0,
     NULL,
     vb_connect_find_domain_by_id},
    {"DomainLookupByName",
     vb_connect_domain_lookup,
     {"domain.getattr"},
     0,
     -1,
     0,
     NULL,
     vb_connect_find_domain_by_name},
    {"DomainLookupByUUID",
     vb_connect_domain_lookup,
     {"domain.getattr"},
     0,
     -1,
     0,
     NULL,
     vb_connect_find_domain_by_uuid},
    {"DomainCreateXML",
     vb_connect_domain_create_xml,
     {"domain.write", "domain.start"},
     0,
     1,
     0x1f,
     "virDomainCreateXML",
     vb_connect_target_domain_xml},
    {"DomainDefineXML",
     vb_connect_domain_define_xml,
     {"domain.write", "domain.save"},
     0,
     -1,
     0,
     NULL,
     vb_connect_target_domain_xml},
    {"DomainRestore",
     vb_connect_domain_restore,
     {"domain.write", "domain.start"},
     0,
     2,
     0xf,
     "virDomainRestoreFlags",
     vb_connect_target_image_xml},
    {"DomainSaveImageGetXMLDesc",
     vb_connect_save_image_get_xml,
     {"domain.read"},
     VB_PERM_FLAG_SECURE,
     1,
     0x1,
     "virDomainSaveImageGetXMLDesc"},
    {"DomainSaveImageDefineXML",
     vb_connect_save_image_define_xml,
     {"domain.write", "domain.save"},
     0,
     2,
     0x6,
     "virDomainSaveImageDefineXML",
     vb_connect_target_image_xml},
    {"ListNetworks",
     vb_connect_list_networks,
     {"connect.search-networks"},
     0,
     0,
     0x3f,
     "virConnectListAllNetworks"},
    {"NetworkLookupByName",
     vb_connect_network_lookup,
     {"network.getattr"},
     0,
     -1,
     0,
     NULL,
     vb_connect_find_network_by_name},
    {"NetworkLookupByUUID",
     vb_connect_network_lookup,
     {"network.getattr"},
     0,
     -1,
     0,
     NULL,
     vb_connect_find_network_by_uuid},
    {"NetworkCreateXML",
     vb_connect_network_create_xml,
     {"network.write", "network.start"},
     0,
     -1,
     0,
     NULL,
     vb_connect_target_network_xml},
    {"NetworkDefineXML",
     vb_connect_network_define_xml,
     {"network.write", "network.save"},
     0,
     -1,
     0,
     NULL,
     vb_connect_target_network_xml},
    {"GetCapabilities", vb_connect_get_capabilities, {"connect.read"}, 0, -1, 0, NULL},
    {"GetDomainCapabilities",
     vb_connect_get_domain_capabilities,
     {"connect.write"},
     0,
     4,
     0x1,
     "virConnectGetDomainCapabilities"},
    {"GetSysinfo", vb_connect_get_sysinfo, {"connect.read"}, 0, 0, 0, "virConnectGetSysinfo"},
    {"GetCPUModelNames",
     vb_connect_get_cpu_model_names,
     {"connect.read"},
     0,
     1,
     0,
     "virConnectGetCPUModelNames"},
    {"GetAllDomainStats",
     vb_connect_get_all_domain_stats,
     {"connect.search-domains"},
     0,
     1,
     VB_STATS_FLAGS | 0xff,
     "virConnectGetAllDomainStats"},
    {"NodeGetCPUMap", vb_connect_node_get_cpu_map, {"connect.read"}, 0, 0, 0, "virNodeGetCPUMap"},
    {"NodeGetCPUStats",
     vb_connect_node_get_cpu_stats,
     {"connect.read"},
     0,
     1,
     0,
     "virNodeGetCPUStats"},
    {"NodeGetFreeMemory", vb_connect_node_get_free_memory, {"connect.read"}, 0, -1, 0, NULL},
    {"NodeGetMemoryStats",
     vb_connect_node_get_memory_stats,
     {"connect.read"},
     0,
     1,
     0,
     "virNodeGetMemoryStats"},
    {"NodeGetSecurityModel", vb_connect_node_get_security_model, {"connect.read"}, 0, -1, 0, NULL},
    {"NodeGetInfo", vb_connect_node_get_info, {"connect.read"}, 0, -1, 0, NULL},
    {"GetMaxVcpus", vb_connect_get_max_vcpus, {"connect.read"}, 0, -1, 0, NULL},
    {"DomainXMLFromNative",
     vb_connect_domain_xml_from_native,
     {"connect.write"},
     0,
     2,
     0,
     "virConnectDomainXMLFromNative"},
    {"DomainXMLToNative",
     vb_connect_domain_xml_to_native,
     {"connect.write"},
     0,
     2,
     0,
     "virConnectDomainXMLToNative"},
    {NULL, NULL, {NULL}, 0, -1, 0, NULL},
};

const VbInterface vb_connect_interface = {
    VB_IFACE_CONNECT,
    VB_OBJECT_CONNECT,
    vb_connect_methods,
    vb_connect_properties,
};
