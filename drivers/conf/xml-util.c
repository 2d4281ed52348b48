/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus-conf"

#include "xml-util.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/xmlsave.h>
#include <stdarg.h>

#include "vb-error.h"

typedef struct {
    char *message; /* the first problem seen, already formatted */
    startElementNsSAX2Func start_element;
} VbParseState;

static void
vb_parse_fail(VbParseState *state, xmlParserCtxt *ctxt, const char *message)
{
    if (state->message == NULL) {
        state->message = g_strdup_printf("line %d, column %d: %s", xmlSAX2GetLineNumber(ctxt),
                                         xmlSAX2GetColumnNumber(ctxt), message);
    }
    xmlStopParser(ctxt);
}

static void
vb_parse_on_error(void *data, xmlError *err)
{
    xmlParserCtxt *ctxt = data;
    VbParseState *state = ctxt->_private;
    g_autofree char *text = NULL;

    if (state->message != NULL || err == NULL || err->level < XML_ERR_ERROR)
        return;
    text = g_strchomp(g_strdup(err->message != NULL ? err->message : "parse error"));
    state->message = g_strdup_printf("line %d, column %d: %s", err->line, err->int2, text);
}

static void
vb_parse_on_doctype(void *data, const xmlChar *name, const xmlChar *external_id,
                    const xmlChar *system_id)
{
    xmlParserCtxt *ctxt = data;

    vb_parse_fail(ctxt->_private, ctxt, "document type declarations are not allowed");
}

static void
vb_parse_on_entity_decl(void *data, const xmlChar *name, int type, const xmlChar *public_id,
                        const xmlChar *system_id, xmlChar *content)
{
    xmlParserCtxt *ctxt = data;

    vb_parse_fail(ctxt->_private, ctxt, "entity declarations are not allowed");
}

static xmlParserInputPtr
vb_parse_no_external(const char *url, const char *id, xmlParserCtxt *ctxt)
{
    if (ctxt != NULL && ctxt->_private != NULL)
        vb_parse_fail(ctxt->_private, ctxt, "external resources are not allowed");
    return NULL;
}

static void
vb_parse_on_start(void *data, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                  int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
                  int nb_defaulted, const xmlChar **attributes)
{
    xmlParserCtxt *ctxt = data;
    VbParseState *state = ctxt->_private;

    if (ctxt->nameNr > VB_XML_MAX_DEPTH) {
        g_autofree char *msg =
            g_strdup_printf("document is nested deeper than %d elements", VB_XML_MAX_DEPTH);
        vb_parse_fail(state, ctxt, msg);
        return;
    }
    state->start_element(data, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
                         nb_defaulted, attributes);
}

xmlDoc *
vb_xml_parse(const char *xml, gssize len, const char *what, const char *root, GError **error)
{
    VbParseState state = {0};
    xmlParserCtxt *ctxt;
    xmlDoc *doc;
    xmlNode *top;
    xmlExternalEntityLoader saved_loader;
    gsize size;

    if (xml == NULL) {
        vb_error_set(error, VB_ERROR_XML, "(%s_definition): no XML document given", what);
        return NULL;
    }
    size = len < 0 ? strlen(xml) : (gsize)len;
    if (size > VB_XML_MAX_SIZE) {
        vb_error_set(error, VB_ERROR_XML,
                     "(%s_definition): document of %" G_GSIZE_FORMAT
                     " bytes is larger than the limit of %d bytes",
                     what, size, VB_XML_MAX_SIZE);
        return NULL;
    }
    if (size == 0 || memchr(xml, '\0', size) != NULL) {
        vb_error_set(error, VB_ERROR_XML, "(%s_definition): %s", what,
                     size == 0 ? "empty document" : "document contains a NUL byte");
        return NULL;
    }

    ctxt = xmlNewParserCtxt();
    if (ctxt == NULL) {
        vb_error_set(error, VB_ERROR_INTERNAL, "cannot allocate an XML parser");
        return NULL;
    }
    ctxt->_private = &state;
    ctxt->sax->serror = vb_parse_on_error;
    ctxt->sax->error = NULL;
    ctxt->sax->warning = NULL;
    ctxt->sax->internalSubset = vb_parse_on_doctype;
    ctxt->sax->externalSubset = vb_parse_on_doctype;
    ctxt->sax->entityDecl = vb_parse_on_entity_decl;
    state.start_element = ctxt->sax->startElementNs;
    ctxt->sax->startElementNs = vb_parse_on_start;

    /* the loader is process-wide; parsing happens on the main loop or in tools, and
     * with NONET and no DTD nothing should ever reach it anyway */
    saved_loader = xmlGetExternalEntityLoader();
    xmlSetExternalEntityLoader(vb_parse_no_external);
    doc = xmlCtxtReadMemory(ctxt, xml, (int)size, NULL, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
    xmlSetExternalEntityLoader(saved_loader);

    if (state.message == NULL && (doc == NULL || !ctxt->wellFormed))
        state.message = g_strdup("document is not well formed");
    if (state.message != NULL) {
        vb_error_set(error, VB_ERROR_XML, "(%s_definition): %s", what, state.message);
        g_free(state.message);
        if (doc != NULL)
            xmlFreeDoc(doc);
        xmlFreeParserCtxt(ctxt);
        return NULL;
    }
    xmlFreeParserCtxt(ctxt);

    top = xmlDocGetRootElement(doc);
    if (top == NULL) {
        vb_error_set(error, VB_ERROR_XML, "(%s_definition): document has no root element", what);
        xmlFreeDoc(doc);
        return NULL;
    }
    if (root != NULL && !vb_xml_is(top, root)) {
        vb_error_set(error, VB_ERROR_XML, "(%s_definition): expected root element '%s', not '%s'",
                     what, root, (const char *)top->name);
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

gboolean
vb_xml_is(const xmlNode *node, const char *name)
{
    return node != NULL && node->type == XML_ELEMENT_NODE &&
           g_strcmp0((const char *)node->name, name) == 0;
}

xmlNode *
vb_xml_next_element(const xmlNode *node)
{
    for (xmlNode *n = node->next; n != NULL; n = n->next) {
        if (n->type == XML_ELEMENT_NODE)
            return n;
    }
    return NULL;
}

xmlNode *
vb_xml_first_element(const xmlNode *parent)
{
    for (xmlNode *n = parent->children; n != NULL; n = n->next) {
        if (n->type == XML_ELEMENT_NODE)
            return n;
    }
    return NULL;
}

xmlNode *
vb_xml_child(const xmlNode *parent, const char *name)
{
    for (xmlNode *n = vb_xml_first_element(parent); n != NULL; n = vb_xml_next_element(n)) {
        if (vb_xml_is(n, name))
            return n;
    }
    return NULL;
}

guint
vb_xml_count_children(const xmlNode *parent, const char *name)
{
    guint count = 0;

    for (xmlNode *n = vb_xml_first_element(parent); n != NULL; n = vb_xml_next_element(n)) {
        if (vb_xml_is(n, name))
            count++;
    }
    return count;
}

char *
vb_xml_prop(const xmlNode *node, const char *name)
{
    xmlChar *value = xmlGetNoNsProp(node, (const xmlChar *)name);
    char *copy;

    if (value == NULL)
        return NULL;
    copy = g_strdup((const char *)value);
    xmlFree(value);
    return copy;
}

char *
vb_xml_content(const xmlNode *node)
{
    xmlChar *value;
    char *copy;

    if (node == NULL)
        return NULL;
    value = xmlNodeGetContent(node);
    copy = g_strdup(value != NULL ? (const char *)value : "");
    xmlFree(value);
    return copy;
}

char *
vb_xml_child_content(const xmlNode *parent, const char *name)
{
    return vb_xml_content(vb_xml_child(parent, name));
}

char *
vb_xml_node_path(const xmlNode *node, const char *attr)
{
    g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_free);
    GString *path = g_string_new(".");

    for (const xmlNode *n = node; n != NULL && n->type == XML_ELEMENT_NODE && n->parent != NULL &&
                                  n->parent->type == XML_ELEMENT_NODE;
         n = n->parent) {
        guint index = 1;

        for (const xmlNode *s = n->prev; s != NULL; s = s->prev) {
            if (vb_xml_is(s, (const char *)n->name))
                index++;
        }
        g_ptr_array_add(parts, g_strdup_printf("%s[%u]", (const char *)n->name, index));
    }
    for (guint i = parts->len; i > 0; i--)
        g_string_append_printf(path, "/%s", (const char *)g_ptr_array_index(parts, i - 1));
    if (attr != NULL)
        g_string_append_printf(path, "/@%s", attr);
    return g_string_free(path, FALSE);
}

gboolean
vb_xml_invalid(GError **error, const xmlNode *node, const char *attr, const char *value)
{
    g_autofree char *path = vb_xml_node_path(node, attr);

    vb_error_set(error, VB_ERROR_XML, "Invalid value '%s' for element or attribute '%s'",
                 value != NULL ? value : "", path);
    return FALSE;
}

gboolean
vb_xml_missing(GError **error, const xmlNode *node, const char *what)
{
    g_autofree char *path = vb_xml_node_path(node, NULL);

    vb_error_set(error, VB_ERROR_XML, "missing %s in '%s'", what, path);
    return FALSE;
}

gboolean
vb_xml_unexpected(GError **error, const xmlNode *child)
{
    g_autofree char *path = vb_xml_node_path(child, NULL);

    vb_error_set(error, VB_ERROR_XML, "unexpected element '%s' at '%s'",
                 (const char *)child->name, path);
    return FALSE;
}

gboolean
vb_xml_check_attrs(const xmlNode *node, const char *const *allowed, GError **error)
{
    for (const xmlAttr *a = node->properties; a != NULL; a = a->next) {
        if (a->ns == NULL && allowed != NULL &&
            g_strv_contains(allowed, (const char *)a->name))
            continue;
        g_autofree char *path = vb_xml_node_path(node, (const char *)a->name);
        vb_error_set(error, VB_ERROR_XML, "unexpected attribute '%s' at '%s'",
                     (const char *)a->name, path);
        return FALSE;
    }
    return TRUE;
}

gboolean
vb_parse_uint64(const char *str, guint base, guint64 *out)
{
    char *end = NULL;
    guint64 value;

    if (str == NULL || *str == '\0' || g_ascii_isspace(*str) || *str == '-' || *str == '+')
        return FALSE;
    errno = 0;
    value = g_ascii_strtoull(str, &end, base);
    if (errno != 0 || end == str || *end != '\0')
        return FALSE;
    *out = value;
    return TRUE;
}

gboolean
vb_parse_int64(const char *str, gint64 *out)
{
    char *end = NULL;
    gint64 value;

    if (str == NULL || *str == '\0' || g_ascii_isspace(*str) || *str == '+')
        return FALSE;
    errno = 0;
    value = g_ascii_strtoll(str, &end, 10);
    if (errno != 0 || end == str || *end != '\0')
        return FALSE;
    *out = value;
    return TRUE;
}

gboolean
vb_parse_uint(const char *str, guint *out)
{
    guint64 value;

    if (!vb_parse_uint64(str, 10, &value) || value > G_MAXUINT)
        return FALSE;
    *out = (guint)value;
    return TRUE;
}

void
vb_xml_writer_init(VbXmlWriter *w)
{
    w->buf = g_string_new(NULL);
    w->depth = 0;
}

char *
vb_xml_writer_finish(VbXmlWriter *w)
{
    char *out = g_string_free(w->buf, FALSE);

    w->buf = NULL;
    w->depth = 0;
    return out;
}

void
vb_xml_writer_clear(VbXmlWriter *w)
{
    if (w->buf != NULL)
        g_string_free(w->buf, TRUE);
    w->buf = NULL;
}

static void
vb_xml_escape(GString *buf, const char *text)
{
    for (const char *p = text; *p != '\0'; p++) {
        switch (*p) {
        case '<':
            g_string_append(buf, "&lt;");
            break;
        case '>':
            g_string_append(buf, "&gt;");
            break;
        case '&':
            g_string_append(buf, "&amp;");
            break;
        case '\'':
            g_string_append(buf, "&apos;");
            break;
        case '"':
            g_string_append(buf, "&quot;");
            break;
        case '\n':
        case '\r':
        case '\t':
            g_string_append_printf(buf, "&#%d;", *p);
            break;
        default:
            g_string_append_c(buf, *p);
        }
    }
}

static void
vb_xml_start_tag(VbXmlWriter *w, const char *name, va_list args)
{
    const char *attr;

    for (guint i = 0; i < w->depth; i++)
        g_string_append(w->buf, "  ");
    g_string_append_printf(w->buf, "<%s", name);
    while ((attr = va_arg(args, const char *)) != NULL) {
        const char *value = va_arg(args, const char *);

        if (value == NULL)
            continue;
        g_string_append_printf(w->buf, " %s='", attr);
        vb_xml_escape(w->buf, value);
        g_string_append_c(w->buf, '\'');
    }
}

void
vb_xml_open(VbXmlWriter *w, const char *name, ...)
{
    va_list args;

    va_start(args, name);
    vb_xml_start_tag(w, name, args);
    va_end(args);
    g_string_append(w->buf, ">\n");
    w->depth++;
}

void
vb_xml_empty(VbXmlWriter *w, const char *name, ...)
{
    va_list args;

    va_start(args, name);
    vb_xml_start_tag(w, name, args);
    va_end(args);
    g_string_append(w->buf, "/>\n");
}

void
vb_xml_text(VbXmlWriter *w, const char *name, const char *text, ...)
{
    va_list args;

    if (text == NULL)
        return;
    va_start(args, text);
    vb_xml_start_tag(w, name, args);
    va_end(args);
    g_string_append_c(w->buf, '>');
    vb_xml_escape(w->buf, text);
    g_string_append_printf(w->buf, "</%s>\n", name);
}

void
vb_xml_close(VbXmlWriter *w, const char *name)
{
    g_return_if_fail(w->depth > 0);
    w->depth--;
    for (guint i = 0; i < w->depth; i++)
        g_string_append(w->buf, "  ");
    g_string_append_printf(w->buf, "</%s>\n", name);
}

void
vb_xml_raw(VbXmlWriter *w, const char *text)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++) {
        if (lines[i][0] == '\0' && lines[i + 1] == NULL)
            break;
        for (guint d = 0; d < w->depth; d++)
            g_string_append(w->buf, "  ");
        g_string_append_printf(w->buf, "%s\n", lines[i]);
    }
}

void
vb_xml_node(VbXmlWriter *w, xmlNode *node)
{
    xmlBuffer *xbuf = xmlBufferCreate();
    xmlSaveCtxt *save = xmlSaveToBuffer(xbuf, "UTF-8", XML_SAVE_NO_DECL);

    xmlSaveTree(save, node);
    xmlSaveClose(save);
    vb_xml_raw(w, (const char *)xmlBufferContent(xbuf));
    xmlBufferFree(xbuf);
}
