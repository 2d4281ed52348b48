/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-conf"

#include "domain-conf.h"

#include <libxml/tree.h>
#include <string.h>

#include "domain-conf-priv.h"
#include "xml-util.h"

/* metadata: the children of <metadata> are kept as canonical text in which every
 * literal newline is structure (text newlines are written as &#10;), so the formatter
 * can indent it line by line and a re-parse gives the same text */

/* @attr: in an attribute value; @raw_newlines: text newlines stay literal (for text that
 * is returned, not re-indented) */
static void
vb_metadata_escape(GString *out, const char *text, gboolean attr, gboolean raw_newlines)
{
    for (const char *p = text; *p != '\0'; p++) {
        switch (*p) {
        case '<':
            g_string_append(out, "&lt;");
            break;
        case '>':
            g_string_append(out, "&gt;");
            break;
        case '&':
            g_string_append(out, "&amp;");
            break;
        case '\'':
            g_string_append(out, attr ? "&apos;" : "'");
            break;
        case '\n':
        case '\r':
        case '\t':
            if (attr || (*p != '\t' && !(raw_newlines && *p == '\n')))
                g_string_append_printf(out, "&#%d;", *p);
            else
                g_string_append_c(out, *p);
            break;
        default:
            g_string_append_c(out, *p);
        }
    }
}

static void
vb_metadata_name(GString *out, const xmlNs *ns, const xmlChar *name)
{
    if (ns != NULL && ns->prefix != NULL)
        g_string_append_printf(out, "%s:", (const char *)ns->prefix);
    g_string_append(out, (const char *)name);
}

static gboolean
vb_metadata_has_element_child(const xmlNode *node)
{
    for (const xmlNode *n = node->children; n != NULL; n = n->next) {
        if (n->type == XML_ELEMENT_NODE)
            return TRUE;
    }
    return FALSE;
}

/* serializes @node; @indent < 0 means inline (inside mixed content) */

/* a namespace's URI as written: without entity expansion libxml2 keeps a '&' of the
 * source as the text "&#38;", which would otherwise be escaped a second time and
 * compare unequal to the URI a caller gives */
static char *
vb_metadata_ns_uri(const xmlNs *ns)
{
    g_autoptr(GString) uri =
        g_string_new(ns != NULL && ns->href != NULL ? (const char *)ns->href : "");

    g_string_replace(uri, "&#38;", "&", 0);
    return g_string_free(g_steal_pointer(&uri), FALSE);
}

static gboolean
vb_metadata_ns_is(const xmlNs *ns, const char *uri)
{
    g_autofree char *href = NULL;

    if (ns == NULL || ns->href == NULL)
        return FALSE;
    href = vb_metadata_ns_uri(ns);
    return g_strcmp0(href, uri) == 0;
}

static void
vb_metadata_write(GString *out, const xmlNode *node, int indent, gboolean raw_newlines)
{
    gboolean structured;

    if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
        vb_metadata_escape(out, (const char *)node->content, FALSE, raw_newlines);
        return;
    }
    if (node->type != XML_ELEMENT_NODE)
        return;
    for (int i = 0; i < indent; i++)
        g_string_append(out, "  ");
    g_string_append_c(out, '<');
    vb_metadata_name(out, node->ns, node->name);
    for (const xmlNs *ns = node->nsDef; ns != NULL; ns = ns->next) {
        g_string_append(out, ns->prefix != NULL ? " xmlns:" : " xmlns");
        if (ns->prefix != NULL)
            g_string_append(out, (const char *)ns->prefix);
        g_string_append(out, "='");
        {
            g_autofree char *uri = vb_metadata_ns_uri(ns);

            vb_metadata_escape(out, uri, TRUE, FALSE);
        }
        g_string_append_c(out, '\'');
    }
    for (const xmlAttr *a = node->properties; a != NULL; a = a->next) {
        xmlChar *value = xmlNodeListGetString(node->doc, a->children, 1);

        g_string_append_c(out, ' ');
        vb_metadata_name(out, a->ns, a->name);
        g_string_append(out, "='");
        vb_metadata_escape(out, value != NULL ? (const char *)value : "", TRUE, FALSE);
        g_string_append_c(out, '\'');
        xmlFree(value);
    }
    if (node->children == NULL) {
        g_string_append(out, "/>");
    } else {
        /* blank text was removed beside elements, so any text left makes it mixed */
        structured = indent >= 0;
        for (const xmlNode *n = node->children; n != NULL && structured; n = n->next) {
            if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
                structured = FALSE;
        }
        g_string_append_c(out, '>');
        for (const xmlNode *n = node->children; n != NULL; n = n->next) {
            if (structured && n->type == XML_ELEMENT_NODE)
                g_string_append_c(out, '\n');
            vb_metadata_write(out, n, structured ? indent + 1 : -1, raw_newlines);
        }
        if (structured && vb_metadata_has_element_child(node)) {
            g_string_append_c(out, '\n');
            for (int i = 0; i < indent; i++)
                g_string_append(out, "  ");
        }
        g_string_append(out, "</");
        vb_metadata_name(out, node->ns, node->name);
        g_string_append_c(out, '>');
    }
}

/* drops comments, processing instructions and blank text next to elements */
static void
vb_metadata_strip(xmlNode *node)
{
    gboolean has_element = vb_metadata_has_element_child(node);
    xmlNode *next;

    for (xmlNode *n = node->children; n != NULL; n = next) {
        gboolean drop = FALSE;

        next = n->next;
        if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE)
            drop = TRUE;
        else if (n->type == XML_TEXT_NODE && has_element && vb_domain_text_is_blank(n->content))
            drop = TRUE;
        else if (n->type == XML_ELEMENT_NODE)
            vb_metadata_strip(n);
        if (drop) {
            xmlUnlinkNode(n);
            xmlFreeNode(n);
        }
    }
    /* adjacent text nodes would serialize the same but parse back as one */
    xmlNode *prev = NULL;
    for (xmlNode *n = node->children; n != NULL; n = next) {
        next = n->next;
        if (prev != NULL && prev->type == XML_TEXT_NODE && n->type == XML_TEXT_NODE) {
            xmlNodeAddContent(prev, n->content);
            xmlUnlinkNode(n);
            xmlFreeNode(n);
            continue;
        }
        prev = n;
    }
}

/* one child element of <metadata> on its own: a copy that declares every namespace it
 * uses, cleaned, serialized at indent 0 */
static char *
vb_metadata_child_string(const xmlNode *child)
{
    g_autoptr(xmlDoc) tmp = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *copy = xmlDocCopyNode((xmlNode *)child, tmp, 1);
    GString *out = g_string_new(NULL);

    if (copy == NULL)
        return g_string_free(out, FALSE);
    xmlDocSetRootElement(tmp, copy);
    vb_metadata_strip(copy);
    vb_metadata_write(out, copy, 0, FALSE);
    return g_string_free(out, FALSE);
}

/* the canonical text of @metadata's children, NULL when it has none */
gboolean
vb_metadata_serialize(const xmlNode *metadata, char **out, GError **error)
{
    g_autoptr(GString) text = g_string_new(NULL);

    for (const xmlNode *n = metadata->children; n != NULL; n = n->next) {
        if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) &&
            !vb_domain_text_is_blank(n->content))
            return vb_xml_invalid(error, metadata, NULL, (const char *)n->content);
        if (n->type != XML_ELEMENT_NODE)
            continue;
        g_autofree char *child = vb_metadata_child_string(n);

        if (text->len > 0)
            g_string_append_c(text, '\n');
        g_string_append(text, child);
    }
    g_free(*out);
    *out = text->len > 0 ? g_string_free(g_steal_pointer(&text), FALSE) : NULL;
    return TRUE;
}

/* metadata get/set */

static xmlDoc *
vb_metadata_doc(const VbDomainDef *def, GError **error)
{
    g_autofree char *text =
        g_strdup_printf("<metadata>%s</metadata>", def->metadata != NULL ? def->metadata : "");

    return vb_xml_parse(text, -1, "metadata", "metadata", error);
}

static xmlNode *
vb_metadata_find(xmlNode *root, const char *uri)
{
    for (xmlNode *n = vb_xml_first_element(root); n != NULL; n = vb_xml_next_element(n)) {
        if (vb_metadata_ns_is(n->ns, uri))
            return n;
    }
    return NULL;
}

/* moves @node and its descendants out of namespace @uri, and drops its declaration */
static void
vb_metadata_remove_ns(xmlNode *node, const char *uri)
{
    xmlNs **link = &node->nsDef;

    if (vb_metadata_ns_is(node->ns, uri))
        node->ns = NULL;
    for (xmlAttr *a = node->properties; a != NULL; a = a->next) {
        if (vb_metadata_ns_is(a->ns, uri))
            a->ns = NULL;
    }
    for (xmlNode *n = vb_xml_first_element(node); n != NULL; n = vb_xml_next_element(n))
        vb_metadata_remove_ns(n, uri);
    while (*link != NULL) {
        xmlNs *ns = *link;

        if (vb_metadata_ns_is(ns, uri)) {
            *link = ns->next;
            ns->next = NULL;
            xmlFreeNs(ns);
        } else {
            link = &ns->next;
        }
    }
}

/* puts @node and its descendants without a namespace into @ns */
static void
vb_metadata_inject_ns(xmlNode *node, xmlNs *ns)
{
    if (node->ns == NULL)
        node->ns = ns;
    for (xmlNode *n = vb_xml_first_element(node); n != NULL; n = vb_xml_next_element(n))
        vb_metadata_inject_ns(n, ns);
}

static gboolean
vb_metadata_check_type(int type, GError **error)
{
    if (type < VB_DOMAIN_METADATA_DESCRIPTION || type > VB_DOMAIN_METADATA_ELEMENT) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "unknown metadata type '%d'", type);
        return FALSE;
    }
    return TRUE;
}

static void
vb_metadata_not_found(GError **error)
{
    vb_error_set(error, VB_ERROR_NO_METADATA, "Requested metadata element is not present");
}

char *
vb_domain_def_get_metadata(const VbDomainDef *def, int type, const char *uri, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlDoc) tmp = NULL;
    const char *value = NULL;
    xmlNode *found, *copy;
    GString *out;

    if (!vb_metadata_check_type(type, error))
        return NULL;
    if (type == VB_DOMAIN_METADATA_DESCRIPTION)
        value = def->description;
    else if (type == VB_DOMAIN_METADATA_TITLE)
        value = def->title;
    if (type != VB_DOMAIN_METADATA_ELEMENT) {
        if (value == NULL) {
            vb_metadata_not_found(error);
            return NULL;
        }
        return g_strdup(value);
    }
    if (uri == NULL || *uri == '\0') {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "a namespace URI is required");
        return NULL;
    }
    if (def->metadata == NULL || (doc = vb_metadata_doc(def, NULL)) == NULL ||
        (found = vb_metadata_find(xmlDocGetRootElement(doc), uri)) == NULL) {
        vb_metadata_not_found(error);
        return NULL;
    }
    tmp = xmlNewDoc((const xmlChar *)"1.0");
    copy = xmlDocCopyNode(found, tmp, 1);
    if (copy == NULL) {
        vb_error_set(error, VB_ERROR_INTERNAL, "cannot copy a metadata element");
        return NULL;
    }
    xmlDocSetRootElement(tmp, copy);
    vb_metadata_strip(copy);
    vb_metadata_remove_ns(copy, uri);
    out = g_string_new(NULL);
    vb_metadata_write(out, copy, 0, TRUE);
    return g_string_free(out, FALSE);
}

static gboolean
vb_metadata_set_element(VbDomainDef *def, const char *metadata, const char *key, const char *uri,
                        GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlDoc) given = NULL;
    xmlNode *root, *old;

    if (uri == NULL || *uri == '\0') {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "a namespace URI is required");
        return FALSE;
    }
    if (metadata != NULL && *metadata != '\0') {
        /* prefixes starting with "xml" are reserved and would not parse back */
        if (key == NULL || xmlValidateNCName((const xmlChar *)key, 0) != 0 ||
            g_ascii_strncasecmp(key, "xml", 3) == 0) {
            vb_error_set(error, VB_ERROR_INVALID_ARG, "invalid metadata key '%s'",
                         key != NULL ? key : "");
            return FALSE;
        }
        if ((given = vb_xml_parse(metadata, -1, "metadata", NULL, error)) == NULL)
            return FALSE;
    }
    if ((doc = vb_metadata_doc(def, error)) == NULL)
        return FALSE;
    root = xmlDocGetRootElement(doc);
    while ((old = vb_metadata_find(root, uri)) != NULL) {
        xmlUnlinkNode(old);
        xmlFreeNode(old);
    }
    if (given != NULL) {
        xmlNode *copy = xmlDocCopyNode(xmlDocGetRootElement(given), doc, 1);
        xmlNs *ns;

        if (copy == NULL) {
            vb_error_set(error, VB_ERROR_INTERNAL, "cannot copy a metadata element");
            return FALSE;
        }
        /* the element takes the namespace even when the text already had another */
        vb_metadata_remove_ns(copy, uri);
        ns = xmlNewNs(copy, (const xmlChar *)uri, (const xmlChar *)key);
        if (ns == NULL) {
            xmlFreeNode(copy);
            vb_error_set(error, VB_ERROR_INVALID_ARG, "metadata key '%s' is already in use", key);
            return FALSE;
        }
        copy->ns = ns;
        vb_metadata_inject_ns(copy, ns);
        xmlAddChild(root, copy);
    }
    return vb_metadata_serialize(root, &def->metadata, error);
}

gboolean
vb_domain_def_set_metadata(VbDomainDef *def, int type, const char *metadata, const char *key,
                           const char *uri, GError **error)
{
    char **field;

    if (!vb_metadata_check_type(type, error))
        return FALSE;
    if (type == VB_DOMAIN_METADATA_ELEMENT)
        return vb_metadata_set_element(def, metadata, key, uri, error);
    if (type == VB_DOMAIN_METADATA_TITLE && metadata != NULL && strpbrk(metadata, "\r\n") != NULL) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "title can't contain newlines");
        return FALSE;
    }
    if (metadata != NULL && !g_utf8_validate(metadata, -1, NULL)) {
        vb_error_set(error, VB_ERROR_INVALID_ARG, "metadata is not valid UTF-8");
        return FALSE;
    }
    for (const char *p = metadata; p != NULL && *p != '\0'; p++) {
        /* XML cannot carry these, not even escaped */
        if ((guchar)*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') {
            vb_error_set(error, VB_ERROR_INVALID_ARG, "metadata contains control characters");
            return FALSE;
        }
    }
    field = type == VB_DOMAIN_METADATA_TITLE ? &def->title : &def->description;
    g_free(*field);
    *field = (metadata != NULL && *metadata != '\0') ? g_strdup(metadata) : NULL;
    return TRUE;
}
