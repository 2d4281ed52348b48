/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* the property the fuzzers check and tests/test-fuzz-replay.c replays: whatever a model
 * accepts formats to a document it accepts again, and formatting that one gives the very
 * same text (a fixed point). a document the schema accepts also formats to one the
 * schema accepts. each function returns NULL when the property holds (including when
 * the input is rejected) and otherwise says what broke. */

#include <glib.h>

#include "domain-conf.h"
#include "network-conf.h"
#include "schema.h"
#include "xml-util.h"

/* an input starting with this byte is a lone device (the rest of it) for
 * vb_domain_device_def_parse() instead of a domain */
#define VB_FUZZ_DEVICE_MARK 'D'

static inline char *
vb_fuzz_compare(const char *what, const char *first, const char *second)
{
    if (g_strcmp0(first, second) == 0)
        return NULL;
    return g_strdup_printf("%s: formatting is not a fixed point:\n--- first\n%s\n--- second\n%s",
                           what, first, second);
}

static inline gboolean
vb_fuzz_schema_accepts(const char *data, gsize size, const char *schema)
{
    g_autoptr(xmlDoc) doc = vb_xml_parse(data, (gssize)size, schema, schema, NULL);

    return doc != NULL && vb_schema_validate(doc, schema, NULL);
}

static inline char *
vb_fuzz_domain(const char *data, gsize size)
{
    static const guint other_flags[] = {0, VB_DOMAIN_XML_INACTIVE, VB_DOMAIN_XML_MIGRATABLE};
    g_autoptr(VbDomainDef) def = vb_domain_def_parse(data, (gssize)size, 0, NULL);
    g_autoptr(VbDomainDef) again = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *first = NULL;
    g_autofree char *second = NULL;

    if (def == NULL)
        return NULL;
    first = vb_domain_def_format(def, VB_DOMAIN_XML_SECURE);
    again = vb_domain_def_parse(first, -1, 0, &error);
    if (again == NULL)
        return g_strdup_printf("domain: the formatted document is rejected: %s\n%s", error->message,
                               first);
    second = vb_domain_def_format(again, VB_DOMAIN_XML_SECURE);
    if (g_strcmp0(first, second) != 0)
        return vb_fuzz_compare("domain", first, second);
    for (guint i = 0; i < G_N_ELEMENTS(other_flags); i++) {
        g_autofree char *out = vb_domain_def_format(def, other_flags[i]);
        g_autoptr(VbDomainDef) reparsed = vb_domain_def_parse(out, -1, 0, &error);

        if (reparsed == NULL)
            return g_strdup_printf("domain: the document formatted with flags 0x%x is "
                                   "rejected: %s\n%s",
                                   other_flags[i], error->message, out);
    }
    if (vb_fuzz_schema_accepts(data, size, "domain") &&
        !vb_schema_validate_string(first, "domain", &error))
        return g_strdup_printf("domain: valid input formats to an invalid document: %s\n%s",
                               error->message, first);
    return NULL;
}

static inline char *
vb_fuzz_device(const char *data, gsize size)
{
    g_autoptr(VbDomainDeviceDef) dev = vb_domain_device_def_parse(data, (gssize)size, NULL);
    g_autoptr(VbDomainDeviceDef) again = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *first = NULL;
    g_autofree char *second = NULL;

    if (dev == NULL)
        return NULL;
    first = vb_domain_device_def_format(dev, VB_DOMAIN_XML_SECURE);
    again = vb_domain_device_def_parse(first, -1, &error);
    if (again == NULL)
        return g_strdup_printf("device: the formatted element is rejected: %s\n%s", error->message,
                               first);
    second = vb_domain_device_def_format(again, VB_DOMAIN_XML_SECURE);
    return vb_fuzz_compare("device", first, second);
}

static inline char *
vb_fuzz_network(const char *data, gsize size)
{
    g_autoptr(VbNetworkDef) def = vb_network_def_parse(data, (gssize)size, 0, NULL);
    g_autoptr(VbNetworkDef) again = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *first = NULL;
    g_autofree char *second = NULL;

    if (def == NULL)
        return NULL;
    first = vb_network_def_format(def, 0);
    again = vb_network_def_parse(first, -1, 0, &error);
    if (again == NULL)
        return g_strdup_printf("network: the formatted document is rejected: %s\n%s",
                               error->message, first);
    second = vb_network_def_format(again, 0);
    if (g_strcmp0(first, second) != 0)
        return vb_fuzz_compare("network", first, second);
    if (vb_fuzz_schema_accepts(data, size, "network") &&
        !vb_schema_validate_string(first, "network", &error))
        return g_strdup_printf("network: valid input formats to an invalid document: %s\n%s",
                               error->message, first);
    return NULL;
}

/* what fuzz-domain runs: a domain, or a device after VB_FUZZ_DEVICE_MARK */
static inline char *
vb_fuzz_domain_input(const char *data, gsize size)
{
    if (size > 0 && data[0] == VB_FUZZ_DEVICE_MARK)
        return vb_fuzz_device(data + 1, size - 1);
    return vb_fuzz_domain(data, size);
}
