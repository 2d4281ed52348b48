/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-conf"

#include "schema.h"

#include <gio/gio.h>
#include <libxml/relaxng.h>

#include "vb-error.h"
#include "vb-schemas.h"
#include "xml-util.h"

typedef struct {
    const char *name;
    xmlRelaxNGPtr schema;
} VbSchema;

static VbSchema vb_schemas[] = {
    {"domain", NULL},
    {"network", NULL},
};
static GMutex vb_schema_lock;

static void
vb_schema_on_error(void *data, xmlError *err)
{
    GString *out = data;

    if (out->len > 0 || err == NULL || err->message == NULL)
        return;
    g_string_append_printf(out, "line %d: %s", err->line, err->message);
    g_strchomp(out->str);
    out->len = strlen(out->str);
}

static xmlRelaxNGPtr
vb_schema_get(const char *name, GError **error)
{
    G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&vb_schema_lock);

    for (guint i = 0; i < G_N_ELEMENTS(vb_schemas); i++) {
        g_autofree char *path = NULL;
        g_autoptr(GBytes) bytes = NULL;
        g_autoptr(GString) problem = NULL;
        xmlRelaxNGParserCtxtPtr pctxt;
        gsize size = 0;
        const char *data;

        if (g_strcmp0(vb_schemas[i].name, name) != 0)
            continue;
        if (vb_schemas[i].schema != NULL)
            return vb_schemas[i].schema;

        path = g_strdup_printf("/org/virtbus/schemas/%s.rng", name);
        bytes = g_resource_lookup_data(vb_schemas_get_resource(), path,
                                       G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
        if (bytes == NULL)
            break;
        data = g_bytes_get_data(bytes, &size);
        problem = g_string_new(NULL);
        pctxt = xmlRelaxNGNewMemParserCtxt(data, (int)size);
        xmlRelaxNGSetParserStructuredErrors(pctxt, vb_schema_on_error, problem);
        vb_schemas[i].schema = xmlRelaxNGParse(pctxt);
        xmlRelaxNGFreeParserCtxt(pctxt);
        if (vb_schemas[i].schema == NULL) {
            vb_error_set(error, VB_ERROR_INTERNAL, "cannot compile the %s schema: %s", name,
                         problem->str);
            return NULL;
        }
        return vb_schemas[i].schema;
    }
    vb_error_set(error, VB_ERROR_INTERNAL, "no schema named '%s'", name);
    return NULL;
}

gboolean
vb_schema_validate(xmlDoc *doc, const char *name, GError **error)
{
    xmlRelaxNGPtr schema = vb_schema_get(name, error);
    g_autoptr(GString) problem = g_string_new(NULL);
    xmlRelaxNGValidCtxtPtr vctxt;
    int rc;

    if (schema == NULL)
        return FALSE;
    vctxt = xmlRelaxNGNewValidCtxt(schema);
    xmlRelaxNGSetValidStructuredErrors(vctxt, vb_schema_on_error, problem);
    rc = xmlRelaxNGValidateDoc(vctxt, doc);
    xmlRelaxNGFreeValidCtxt(vctxt);
    if (rc == 0)
        return TRUE;
    vb_error_set(error, VB_ERROR_XML_INVALID_SCHEMA, "%s",
                 problem->len > 0 ? problem->str : "document does not match the schema");
    return FALSE;
}

gboolean
vb_schema_validate_string(const char *xml, const char *name, GError **error)
{
    g_autoptr(xmlDoc) doc = vb_xml_parse(xml, -1, name, name, error);

    return doc != NULL && vb_schema_validate(doc, name, error);
}
