/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

G_BEGIN_DECLS

/* limits every parser in virtbus applies to untrusted documents */
#define VB_XML_MAX_SIZE  (10 * 1024 * 1024)
#define VB_XML_MAX_DEPTH 128

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)

/* parses @xml (@len bytes, or NUL-terminated when @len < 0) as an untrusted document:
 * no network, no DTD (internal or external), no entity expansion, at most
 * VB_XML_MAX_SIZE bytes and VB_XML_MAX_DEPTH levels. @what names the document kind
 * for messages ("domain", "network", "device") and @root, when not NULL, is the
 * element name the root must have. errors are VB_ERROR_XML with line and column. */
xmlDoc *vb_xml_parse(const char *xml, gssize len, const char *what, const char *root,
                     GError **error);

/* element children, skipping text, comments and processing instructions */
xmlNode *vb_xml_first_element(const xmlNode *parent);
xmlNode *vb_xml_next_element(const xmlNode *node);
/* the first child element named @name, or NULL */
xmlNode *vb_xml_child(const xmlNode *parent, const char *name);
/* number of child elements named @name */
guint vb_xml_count_children(const xmlNode *parent, const char *name);
gboolean vb_xml_is(const xmlNode *node, const char *name);

/* a g_malloc'd copy of attribute @name, or NULL when absent */
char *vb_xml_prop(const xmlNode *node, const char *name);
/* a g_malloc'd copy of the text content of @node (NULL when @node is NULL) */
char *vb_xml_content(const xmlNode *node);
/* text content of child @name, whitespace kept, or NULL */
char *vb_xml_child_content(const xmlNode *parent, const char *name);

/* "./devices/disk[2]/target[1]" or, with @attr, "./devices/disk[2]/target[1]/@dev" */
char *vb_xml_node_path(const xmlNode *node, const char *attr);

/* sets "XML error: Invalid value '<value>' for element or attribute '<path>'" and
 * returns FALSE, so a parser can write `return vb_xml_invalid(...)` */
gboolean vb_xml_invalid(GError **error, const xmlNode *node, const char *attr, const char *value);
/* sets "XML error: missing <what> in <path>" and returns FALSE */
gboolean vb_xml_missing(GError **error, const xmlNode *node, const char *what);
/* sets "XML error: unexpected element '<name>' in <path>" for @child and returns FALSE */
gboolean vb_xml_unexpected(GError **error, const xmlNode *child);
/* fails with vb_xml_unexpected() when @node has an attribute not in the NULL-terminated
 * @allowed list */
gboolean vb_xml_check_attrs(const xmlNode *node, const char *const *allowed, GError **error);

/* strict number parsing: the whole string, no sign for unsigned, no overflow */
gboolean vb_parse_uint64(const char *str, guint base, guint64 *out);
gboolean vb_parse_int64(const char *str, gint64 *out);
gboolean vb_parse_uint(const char *str, guint *out);

/* a small indenting writer that produces canonical XML: two-space indentation,
 * single-quoted attributes, escaped text */
typedef struct {
    GString *buf;
    guint depth;
} VbXmlWriter;

void vb_xml_writer_init(VbXmlWriter *w);
/* returns the document and resets @w */
char *vb_xml_writer_finish(VbXmlWriter *w);
void vb_xml_writer_clear(VbXmlWriter *w);
/* the variadic lists are attribute name/value pairs ending with a NULL name; a pair
 * whose value is NULL is left out */
void vb_xml_open(VbXmlWriter *w, const char *name, ...) G_GNUC_NULL_TERMINATED;
void vb_xml_empty(VbXmlWriter *w, const char *name, ...) G_GNUC_NULL_TERMINATED;
/* <name attrs>escaped text</name>; nothing at all when @text is NULL */
void vb_xml_text(VbXmlWriter *w, const char *name, const char *text, ...) G_GNUC_NULL_TERMINATED;
void vb_xml_close(VbXmlWriter *w, const char *name);
/* serializes @node (and its subtree) as is, indented at the current depth */
void vb_xml_node(VbXmlWriter *w, xmlNode *node);
/* appends @text (already XML) verbatim on its own lines at the current depth */
void vb_xml_raw(VbXmlWriter *w, const char *text);

G_END_DECLS
