/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

G_BEGIN_DECLS

/* validates @doc against the RelaxNG schema @name ("domain" or "network", from
 * data/schemas/, embedded in the binary). errors are VB_ERROR_XML_INVALID_SCHEMA and
 * name the element, line and what the schema expected. schemas are compiled once. */
gboolean vb_schema_validate(xmlDoc *doc, const char *name, GError **error);
/* the same for a document in a string (parsed with vb_xml_parse's limits) */
gboolean vb_schema_validate_string(const char *xml, const char *name, GError **error);

G_END_DECLS
