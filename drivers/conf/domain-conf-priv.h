/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

G_BEGIN_DECLS

/* private to domain-conf.c and domain-metadata.c */

/* NULL, empty or only white space */
gboolean vb_domain_text_is_blank(const xmlChar *text);
/* the children of <metadata> as canonical text into @out, NULL when there are none;
 * stray text beside them is an error */
gboolean vb_metadata_serialize(const xmlNode *metadata, char **out, GError **error);

G_END_DECLS
