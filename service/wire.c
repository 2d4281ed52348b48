/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus"

/* the D-Bus message format by hand: header fields straight into a VbMessage, bodies to
 * and from GVariant trees built from leaves (no GVariantBuilder, no format strings),
 * because this runs for every call the service answers */

#include "wire.h"

#include <string.h>

#include <gio/gio.h>

/* the specification's limits */
#define VB_ARRAY_MAX_SIZE     (64u * 1024u * 1024u)
#define VB_SIGNATURE_MAX_SIZE 255
/* arrays, and separately structs, nested in one signature */
#define VB_TYPE_MAX_DEPTH 32
/* arrays, structs, dict entries and variants around a value, variants included */
#define VB_VALUE_MAX_DEPTH 64

enum {
    VB_FIELD_PATH = 1,
    VB_FIELD_INTERFACE = 2,
    VB_FIELD_MEMBER = 3,
    VB_FIELD_ERROR_NAME = 4,
    VB_FIELD_REPLY_SERIAL = 5,
    VB_FIELD_DESTINATION = 6,
    VB_FIELD_SENDER = 7,
    VB_FIELD_SIGNATURE = 8,
    VB_FIELD_UNIX_FDS = 9,
    VB_FIELD_COUNT,
};

static const struct {
    const char *name;
    char type;
    gsize offset; /* of the string fields in VbMessage */
} vb_fields[VB_FIELD_COUNT] = {
    [VB_FIELD_PATH] = {"PATH", 'o', G_STRUCT_OFFSET(VbMessage, path)},
    [VB_FIELD_INTERFACE] = {"INTERFACE", 's', G_STRUCT_OFFSET(VbMessage, interface)},
    [VB_FIELD_MEMBER] = {"MEMBER", 's', G_STRUCT_OFFSET(VbMessage, member)},
    [VB_FIELD_ERROR_NAME] = {"ERROR_NAME", 's', G_STRUCT_OFFSET(VbMessage, error_name)},
    [VB_FIELD_REPLY_SERIAL] = {"REPLY_SERIAL", 'u', 0},
    [VB_FIELD_DESTINATION] = {"DESTINATION", 's', G_STRUCT_OFFSET(VbMessage, destination)},
    [VB_FIELD_SENDER] = {"SENDER", 's', G_STRUCT_OFFSET(VbMessage, sender)},
    [VB_FIELD_SIGNATURE] = {"SIGNATURE", 'g', 0},
    [VB_FIELD_UNIX_FDS] = {"UNIX_FDS", 'u', 0},
};

#define VB_FIELD_BIT(code) (1u << (code))

/* the header fields each message type cannot do without */
static const guint32 vb_required_fields[] = {
    [VB_MESSAGE_METHOD_CALL] = VB_FIELD_BIT(VB_FIELD_PATH) | VB_FIELD_BIT(VB_FIELD_MEMBER),
    [VB_MESSAGE_METHOD_RETURN] = VB_FIELD_BIT(VB_FIELD_REPLY_SERIAL),
    [VB_MESSAGE_ERROR] = VB_FIELD_BIT(VB_FIELD_ERROR_NAME) | VB_FIELD_BIT(VB_FIELD_REPLY_SERIAL),
    [VB_MESSAGE_SIGNAL] = VB_FIELD_BIT(VB_FIELD_PATH) | VB_FIELD_BIT(VB_FIELD_INTERFACE) |
                          VB_FIELD_BIT(VB_FIELD_MEMBER),
};

typedef struct {
    VbMessage message;
    gatomicrefcount ref;
    /* a copy of the header: the message's strings point into it, so one allocation
     * holds them all */
    guint8 header[];
} VbMessageBlock;

/* ---- types ---- */

static gsize
vb_type_alignment(char code)
{
    switch (code) {
    case 'n':
    case 'q':
        return 2;
    case 'b':
    case 'i':
    case 'u':
    case 'h':
    case 's':
    case 'o':
    case 'a':
        return 4;
    case 'x':
    case 't':
    case 'd':
    case '(':
    case '{':
        return 8;
    default:
        return 1;
    }
}

/* the size of the types whose arrays GVariant lays out as D-Bus does (not 'b': 4 bytes
 * on the wire, 1 in GVariant; not 'h': refused); 0 for the others */
static gsize
vb_fixed_size(char code)
{
    switch (code) {
    case 'y':
        return 1;
    case 'n':
    case 'q':
        return 2;
    case 'i':
    case 'u':
        return 4;
    case 'x':
    case 't':
    case 'd':
        return 8;
    default:
        return 0;
    }
}

static gboolean
vb_is_basic(char code)
{
    return code != '\0' && strchr("ybnqiuxtdsogh", code) != NULL;
}

typedef struct {
    const char *end;
    gboolean handles; /* whether 'h' may occur */
    const char *problem;
} VbSignatureScan;

/* the end of the complete type at @p, or NULL with @scan->problem */
static const char *
vb_signature_scan(VbSignatureScan *scan, const char *p, guint arrays, guint structs)
{
    if (p == scan->end) {
        scan->problem = "a container type is incomplete";
        return NULL;
    }
    switch (*p) {
    case 'h':
        if (!scan->handles) {
            scan->problem = "unix fds are not accepted";
            return NULL;
        }
        return p + 1;
    case 'y':
    case 'b':
    case 'n':
    case 'q':
    case 'i':
    case 'u':
    case 'x':
    case 't':
    case 'd':
    case 's':
    case 'o':
    case 'g':
    case 'v':
        return p + 1;
    case 'a':
        if (arrays == VB_TYPE_MAX_DEPTH) {
            scan->problem = "arrays are nested more than 32 deep";
            return NULL;
        }
        p++;
        if (p == scan->end || *p != '{')
            return vb_signature_scan(scan, p, arrays + 1, structs);
        if (structs == VB_TYPE_MAX_DEPTH) {
            scan->problem = "structs are nested more than 32 deep";
            return NULL;
        }
        p++;
        if (p == scan->end || !vb_is_basic(*p)) {
            scan->problem = "a dict entry's key is not a basic type";
            return NULL;
        }
        p = vb_signature_scan(scan, p, arrays + 1, structs + 1);
        if (p != NULL)
            p = vb_signature_scan(scan, p, arrays + 1, structs + 1);
        if (p == NULL)
            return NULL;
        if (p == scan->end || *p != '}') {
            scan->problem = "a dict entry does not hold exactly two types";
            return NULL;
        }
        return p + 1;
    case '(':
        if (structs == VB_TYPE_MAX_DEPTH) {
            scan->problem = "structs are nested more than 32 deep";
            return NULL;
        }
        p++;
        if (p != scan->end && *p == ')') {
            scan->problem = "a struct is empty";
            return NULL;
        }
        while (p != scan->end && *p != ')') {
            p = vb_signature_scan(scan, p, arrays, structs + 1);
            if (p == NULL)
                return NULL;
        }
        if (p == scan->end) {
            scan->problem = "a struct is not closed";
            return NULL;
        }
        return p + 1;
    case '{':
        scan->problem = "a dict entry is not an array's element";
        return NULL;
    case ')':
    case '}':
        scan->problem = "a bracket closes nothing";
        return NULL;
    default:
        scan->problem = "an unknown type code";
        return NULL;
    }
}

/* why @sig (@size bytes) is not a D-Bus signature (@single: of exactly one complete
 * type), or NULL */
static const char *
vb_signature_problem(const char *sig, gsize size, gboolean single, gboolean handles)
{
    VbSignatureScan scan = {sig + size, handles, NULL};
    const char *p = sig;

    if (size > VB_SIGNATURE_MAX_SIZE)
        return "it is longer than 255 bytes";
    if (single && size == 0)
        return "it is empty, not one complete type";
    while (p != scan.end) {
        p = vb_signature_scan(&scan, p, 0, 0);
        if (p == NULL)
            return scan.problem;
        if (single && p != scan.end)
            return "it holds more than one complete type";
    }
    return NULL;
}

/* the end of the complete type at @p, of a signature already checked */
static const char *
vb_type_end(const char *p)
{
    guint open = 0;

    for (;;) {
        char code = *p++;

        if (code == 'a')
            continue;
        if (code == '(' || code == '{')
            open++;
        else if (code == ')' || code == '}')
            open--;
        if (open == 0)
            return p;
    }
}

static gboolean
vb_is_object_path(const char *path, gsize size)
{
    if (size == 0 || path[0] != '/')
        return FALSE;
    if (size == 1)
        return TRUE;
    if (path[size - 1] == '/')
        return FALSE;
    for (gsize i = 1; i < size; i++) {
        char c = path[i];

        if (c == '/') {
            if (path[i - 1] == '/')
                return FALSE;
        } else if (!g_ascii_isalnum(c) && c != '_') {
            return FALSE;
        }
    }
    return TRUE;
}

/* hostile bytes for an error message: escaped, and cut short */
static char *
vb_quote(const char *data, gsize size)
{
    g_autofree char *copy = g_strndup(data, MIN(size, 64));

    return g_strescape(copy, NULL);
}

/* ---- reading ---- */

typedef struct {
    const guint8 *data; /* the message's first byte: alignment is relative to it */
    gsize pos;
    gsize end;
    gboolean swap;
    guint depth;
    const char *part; /* for errors: "header", "body" */
    GError **error;
} VbReader;

static gboolean vb_reader_fail(VbReader *r, const char *format, ...) G_GNUC_PRINTF(2, 3);

static gboolean
vb_reader_fail(VbReader *r, const char *format, ...)
{
    g_autofree char *what = NULL;
    va_list args;

    va_start(args, format);
    what = g_strdup_vprintf(format, args);
    va_end(args);
    g_set_error(r->error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                "invalid D-Bus message: %s: %s (byte %zu)", r->part, what, r->pos);
    return FALSE;
}

static gboolean
vb_read_align(VbReader *r, gsize alignment)
{
    gsize pad = -r->pos & (alignment - 1);

    if (pad > r->end - r->pos)
        return vb_reader_fail(r, "the data ends inside padding");
    for (gsize i = 0; i < pad; i++) {
        if (r->data[r->pos] != 0)
            return vb_reader_fail(r, "a padding byte is not zero");
        r->pos++;
    }
    return TRUE;
}

/* a number of @size bytes, aligned to its size, in host order */
static gboolean
vb_read_number(VbReader *r, gsize size, void *value)
{
    if (!vb_read_align(r, size))
        return FALSE;
    if (r->end - r->pos < size)
        return vb_reader_fail(r, "the data ends inside a %zu-byte number", size);
    memcpy(value, r->data + r->pos, size);
    r->pos += size;
    if (r->swap) {
        switch (size) {
        case 2:
            *(guint16 *)value = GUINT16_SWAP_LE_BE(*(guint16 *)value);
            break;
        case 4:
            *(guint32 *)value = GUINT32_SWAP_LE_BE(*(guint32 *)value);
            break;
        case 8:
            *(guint64 *)value = GUINT64_SWAP_LE_BE(*(guint64 *)value);
            break;
        }
    }
    return TRUE;
}

static gboolean
vb_read_u32(VbReader *r, guint32 *value)
{
    return vb_read_number(r, 4, value);
}

/* a string or an object path: where its nul-terminated bytes are */
static const char *
vb_read_string(VbReader *r, guint32 *size)
{
    const char *s;
    guint32 len = 0;

    if (!vb_read_u32(r, &len))
        return NULL;
    if (len >= r->end - r->pos) {
        vb_reader_fail(r, "a string of %u bytes runs past the end", len);
        return NULL;
    }
    s = (const char *)r->data + r->pos;
    if (s[len] != '\0') {
        vb_reader_fail(r, "a string is not nul-terminated");
        return NULL;
    }
    /* false as well on a nul byte among the @len */
    if (!g_utf8_validate_len(s, len, NULL)) {
        vb_reader_fail(r, memchr(s, '\0', len) != NULL ? "a string contains a nul byte"
                                                       : "a string is not valid UTF-8");
        return NULL;
    }
    r->pos += (gsize)len + 1;
    *size = len;
    return s;
}

/* the bytes of a signature, unchecked */
static const char *
vb_read_signature(VbReader *r, guint8 *size)
{
    const char *s;
    guint8 len;

    if (r->pos == r->end) {
        vb_reader_fail(r, "the data ends before a signature");
        return NULL;
    }
    len = r->data[r->pos];
    if ((gsize)len + 2 > r->end - r->pos) {
        vb_reader_fail(r, "a signature of %u bytes runs past the end", len);
        return NULL;
    }
    s = (const char *)r->data + r->pos + 1;
    if (s[len] != '\0') {
        vb_reader_fail(r, "a signature is not nul-terminated");
        return NULL;
    }
    r->pos += (gsize)len + 2;
    *size = len;
    return s;
}

static gboolean
vb_check_signature(VbReader *r, const char *sig, gsize size, gboolean single, gboolean handles)
{
    const char *problem = vb_signature_problem(sig, size, single, handles);

    if (problem != NULL) {
        g_autofree char *quoted = vb_quote(sig, size);

        return vb_reader_fail(r, "signature \"%s\" is invalid: %s", quoted, problem);
    }
    return TRUE;
}

/* a leaf whose bytes the reader has checked: GVariant need not check them again */
static GVariant *
vb_new_trusted(const GVariantType *type, const void *data, gsize size)
{
    g_autoptr(GBytes) bytes = g_bytes_new(data, size);

    return g_variant_new_from_bytes(type, bytes, TRUE);
}

/* children collected for a container, mostly without a heap array */
typedef struct {
    GVariant **items;
    gsize n;
    gsize size;
    GVariant *inline_items[8];
} VbChildren;

static void
vb_children_init(VbChildren *c)
{
    c->items = c->inline_items;
    c->n = 0;
    c->size = G_N_ELEMENTS(c->inline_items);
}

static void
vb_children_add(VbChildren *c, GVariant *child)
{
    if (c->n == c->size) {
        c->size *= 2;
        if (c->items == c->inline_items)
            c->items = g_memdup2(c->inline_items, sizeof(c->inline_items[0]) * c->n);
        c->items = g_renew(GVariant *, c->items, c->size);
    }
    c->items[c->n++] = child;
}

/* after the container took the children */
static void
vb_children_done(VbChildren *c)
{
    if (c->items != c->inline_items)
        g_free(c->items);
}

static void
vb_children_drop(VbChildren *c)
{
    for (gsize i = 0; i < c->n; i++)
        g_variant_unref(c->items[i]);
    vb_children_done(c);
}

static GVariant *vb_read_value(VbReader *r, const char **type);

static gboolean
vb_reader_enter(VbReader *r)
{
    if (r->depth == VB_VALUE_MAX_DEPTH)
        return vb_reader_fail(r, "values are nested more than 64 deep");
    r->depth++;
    return TRUE;
}

static GVariant *
vb_read_fixed_array(VbReader *r, const char *type, gsize element_size, guint32 size)
{
    guint8 *copy;

    if (size % element_size != 0) {
        vb_reader_fail(r, "an array of %u bytes does not hold whole %zu-byte elements", size,
                       element_size);
        return NULL;
    }
    copy = g_memdup2(r->data + r->pos, size);
    r->pos += size;
    if (r->swap) {
        for (gsize i = 0; i < size; i += element_size) {
            for (gsize j = 0; j < element_size / 2; j++) {
                guint8 byte = copy[i + j];

                copy[i + j] = copy[i + element_size - 1 - j];
                copy[i + element_size - 1 - j] = byte;
            }
        }
    }
    return g_variant_new_from_data((const GVariantType *)type, copy, size, TRUE, g_free, copy);
}

/* @type points at the 'a' */
static GVariant *
vb_read_array(VbReader *r, const char *type)
{
    const char *element = type + 1;
    gsize element_size = vb_fixed_size(*element);
    VbChildren children;
    GVariant *array;
    gsize end;
    gsize outer_end;
    guint32 size = 0;

    if (!vb_read_u32(r, &size))
        return NULL;
    if (size > VB_ARRAY_MAX_SIZE) {
        vb_reader_fail(r, "an array of %u bytes is over the 64 MiB limit", size);
        return NULL;
    }
    /* the padding to the first element is there even when there is none */
    if (!vb_read_align(r, vb_type_alignment(*element)))
        return NULL;
    if (size > r->end - r->pos) {
        vb_reader_fail(r, "an array of %u bytes runs past the end", size);
        return NULL;
    }
    if (!vb_reader_enter(r))
        return NULL;
    if (element_size != 0) {
        array = vb_read_fixed_array(r, type, element_size, size);
        r->depth--;
        return array;
    }

    end = r->pos + size;
    outer_end = r->end;
    r->end = end;
    vb_children_init(&children);
    while (r->pos < end) {
        const char *t = element;
        GVariant *child = vb_read_value(r, &t);

        if (child == NULL) {
            vb_children_drop(&children);
            return NULL;
        }
        vb_children_add(&children, child);
    }
    r->end = outer_end;
    r->depth--;
    array = g_variant_new_array(children.n == 0 ? (const GVariantType *)element : NULL,
                                children.items, children.n);
    vb_children_done(&children);
    return array;
}

/* a struct or a dict entry; @type points at the bracket and moves past its pair */
static GVariant *
vb_read_struct(VbReader *r, const char **type)
{
    const char *t = *type + 1;
    VbChildren children;
    GVariant *value;

    if (!vb_read_align(r, 8) || !vb_reader_enter(r))
        return NULL;
    vb_children_init(&children);
    while (*t != ')' && *t != '}') {
        GVariant *child = vb_read_value(r, &t);

        if (child == NULL) {
            vb_children_drop(&children);
            return NULL;
        }
        vb_children_add(&children, child);
    }
    r->depth--;
    if (**type == '{')
        value = g_variant_new_dict_entry(children.items[0], children.items[1]);
    else
        value = g_variant_new_tuple(children.items, children.n);
    vb_children_done(&children);
    *type = t + 1;
    return value;
}

static GVariant *
vb_read_variant(VbReader *r)
{
    const char *sig;
    GVariant *child;
    guint8 size;

    sig = vb_read_signature(r, &size);
    if (sig == NULL || !vb_check_signature(r, sig, size, TRUE, FALSE) || !vb_reader_enter(r))
        return NULL;
    child = vb_read_value(r, &sig);
    if (child == NULL)
        return NULL;
    r->depth--;
    return g_variant_new_variant(child);
}

/* one value of the complete type at *@type (of a checked signature), which moves past it */
static GVariant *
vb_read_value(VbReader *r, const char **type)
{
    const char *t = *type;
    union {
        guint16 u16;
        guint32 u32;
        guint64 u64;
        gdouble d;
    } n;
    const char *s;
    guint32 len;
    guint8 sig_len;

    switch (*t) {
    case 'y':
        if (r->pos == r->end) {
            vb_reader_fail(r, "the data ends before a byte");
            return NULL;
        }
        *type = t + 1;
        return g_variant_new_byte(r->data[r->pos++]);
    case 'b':
        if (!vb_read_u32(r, &n.u32))
            return NULL;
        if (n.u32 > 1) {
            vb_reader_fail(r, "a boolean is %u, neither 0 nor 1", n.u32);
            return NULL;
        }
        *type = t + 1;
        return g_variant_new_boolean(n.u32);
    case 'n':
    case 'q':
        if (!vb_read_number(r, 2, &n.u16))
            return NULL;
        *type = t + 1;
        return *t == 'n' ? g_variant_new_int16((gint16)n.u16) : g_variant_new_uint16(n.u16);
    case 'i':
    case 'u':
        if (!vb_read_u32(r, &n.u32))
            return NULL;
        *type = t + 1;
        return *t == 'i' ? g_variant_new_int32((gint32)n.u32) : g_variant_new_uint32(n.u32);
    case 'x':
    case 't':
    case 'd':
        if (!vb_read_number(r, 8, &n.u64))
            return NULL;
        *type = t + 1;
        if (*t == 'd')
            return g_variant_new_double(n.d);
        return *t == 'x' ? g_variant_new_int64((gint64)n.u64) : g_variant_new_uint64(n.u64);
    case 's':
        s = vb_read_string(r, &len);
        if (s == NULL)
            return NULL;
        *type = t + 1;
        return vb_new_trusted(G_VARIANT_TYPE_STRING, s, (gsize)len + 1);
    case 'o':
        s = vb_read_string(r, &len);
        if (s == NULL)
            return NULL;
        if (!vb_is_object_path(s, len)) {
            g_autofree char *quoted = vb_quote(s, len);

            vb_reader_fail(r, "\"%s\" is not an object path", quoted);
            return NULL;
        }
        *type = t + 1;
        return vb_new_trusted(G_VARIANT_TYPE_OBJECT_PATH, s, (gsize)len + 1);
    case 'g':
        s = vb_read_signature(r, &sig_len);
        if (s == NULL || !vb_check_signature(r, s, sig_len, FALSE, TRUE))
            return NULL;
        *type = t + 1;
        return vb_new_trusted(G_VARIANT_TYPE_SIGNATURE, s, (gsize)sig_len + 1);
    case 'v':
        *type = t + 1;
        return vb_read_variant(r);
    case 'a': {
        GVariant *array = vb_read_array(r, t);

        *type = vb_type_end(t);
        return array;
    }
    case '(':
    case '{':
        return vb_read_struct(r, type);
    default:
        /* 'h': the checked signatures leave nothing else */
        vb_reader_fail(r, "unix fds are not accepted");
        return NULL;
    }
}

gsize
vb_message_size(const guint8 *prefix, GError **error)
{
    guint32 body_size;
    guint32 fields_size;
    guint64 total;

    if (prefix[0] != 'l' && prefix[0] != 'B') {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "invalid D-Bus message: the endianness byte is 0x%02x, neither 'l' nor 'B'",
                    prefix[0]);
        return 0;
    }
    if (prefix[3] != 1) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "invalid D-Bus message: protocol version %u, not 1", prefix[3]);
        return 0;
    }
    memcpy(&body_size, prefix + 4, 4);
    memcpy(&fields_size, prefix + 12, 4);
    if ((prefix[0] == 'B') != (G_BYTE_ORDER == G_BIG_ENDIAN)) {
        body_size = GUINT32_SWAP_LE_BE(body_size);
        fields_size = GUINT32_SWAP_LE_BE(fields_size);
    }
    if (fields_size > VB_ARRAY_MAX_SIZE) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "invalid D-Bus message: %u bytes of header fields, over the 64 MiB limit",
                    fields_size);
        return 0;
    }
    /* in 64 bits: no sum of two 32-bit sizes overflows */
    total = (((guint64)VB_MESSAGE_PREFIX_SIZE + fields_size + 7) & ~(guint64)7) + body_size;
    if (total > VB_MESSAGE_MAX_SIZE) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "invalid D-Bus message: %" G_GUINT64_FORMAT " bytes, over the 128 MiB limit",
                    total);
        return 0;
    }
    return (gsize)total;
}

/* whether the string value of header field @code is valid */
static gboolean
vb_field_valid(guint8 code, const char *s, gsize size)
{
    switch (code) {
    case VB_FIELD_PATH:
        return vb_is_object_path(s, size);
    case VB_FIELD_INTERFACE:
    case VB_FIELD_ERROR_NAME:
        /* error names are written as interface names are */
        return g_dbus_is_interface_name(s);
    case VB_FIELD_MEMBER:
        /* g_dbus_is_member_name() lets any length through */
        return size <= 255 && g_dbus_is_member_name(s);
    default:
        return g_dbus_is_name(s);
    }
}

/* the header fields array, into @message, with the codes seen in @seen */
static gboolean
vb_read_fields(VbReader *r, VbMessage *message, guint32 *seen)
{
    while (r->pos < r->end) {
        const char *type;
        const char *s;
        guint32 len;
        guint8 type_len;
        guint8 code;

        if (!vb_read_align(r, 8))
            return FALSE;
        if (r->pos == r->end)
            return vb_reader_fail(r, "the fields end inside padding");
        code = r->data[r->pos++];
        type = vb_read_signature(r, &type_len);
        if (type == NULL)
            return FALSE;
        if (code == 0)
            return vb_reader_fail(r, "header field code 0 is invalid");
        if (code >= VB_FIELD_COUNT) {
            /* unknown fields are skipped, but only when valid */
            GVariant *value;

            if (!vb_check_signature(r, type, type_len, TRUE, FALSE))
                return FALSE;
            r->depth = 1;
            value = vb_read_value(r, &type);
            if (value == NULL)
                return FALSE;
            g_variant_unref(g_variant_ref_sink(value));
            continue;
        }
        if (type_len != 1 || type[0] != vb_fields[code].type) {
            g_autofree char *quoted = vb_quote(type, type_len);

            return vb_reader_fail(r, "header field %s has type \"%s\", not \"%c\"",
                                  vb_fields[code].name, quoted, vb_fields[code].type);
        }
        if ((*seen & VB_FIELD_BIT(code)) != 0)
            return vb_reader_fail(r, "header field %s appears twice", vb_fields[code].name);
        *seen |= VB_FIELD_BIT(code);

        switch (code) {
        case VB_FIELD_REPLY_SERIAL:
            if (!vb_read_u32(r, &message->reply_serial))
                return FALSE;
            if (message->reply_serial == 0)
                return vb_reader_fail(r, "header field REPLY_SERIAL is 0");
            break;
        case VB_FIELD_UNIX_FDS:
            if (!vb_read_u32(r, &message->unix_fds))
                return FALSE;
            break;
        case VB_FIELD_SIGNATURE:
            /* 'h' is valid here: the body refuses it, after the header says who asked */
            message->signature = vb_read_signature(r, &type_len);
            if (message->signature == NULL ||
                !vb_check_signature(r, message->signature, type_len, FALSE, TRUE))
                return FALSE;
            break;
        default:
            s = vb_read_string(r, &len);
            if (s == NULL)
                return FALSE;
            if (!vb_field_valid(code, s, len)) {
                g_autofree char *quoted = vb_quote(s, len);

                return vb_reader_fail(r, "header field %s \"%s\" is invalid", vb_fields[code].name,
                                      quoted);
            }
            G_STRUCT_MEMBER(const char *, message, vb_fields[code].offset) = s;
            break;
        }
    }
    return TRUE;
}

/* fills @message from @data, whose header @message's block holds a copy of */
static gboolean
vb_message_fill(VbMessage *message, const guint8 *header, const guint8 *data, gsize size,
                gboolean with_body, GError **error)
{
    VbReader r = {header, VB_MESSAGE_PREFIX_SIZE, 0, FALSE, 0, "header", error};
    VbChildren children;
    const char *t;
    guint32 fields_size;
    guint32 required;
    guint32 seen = 0;

    r.swap = (data[0] == 'B') != (G_BYTE_ORDER == G_BIG_ENDIAN);
    if (data[1] == VB_MESSAGE_INVALID || data[1] > VB_MESSAGE_SIGNAL)
        return vb_reader_fail(&r, "message type %u is not one of 1 to 4", data[1]);
    message->type = data[1];
    message->flags = data[2];
    memcpy(&message->serial, data + 8, 4);
    memcpy(&fields_size, data + 12, 4);
    if (r.swap) {
        message->serial = GUINT32_SWAP_LE_BE(message->serial);
        fields_size = GUINT32_SWAP_LE_BE(fields_size);
    }
    if (message->serial == 0)
        return vb_reader_fail(&r, "serial 0 is invalid");

    r.end = VB_MESSAGE_PREFIX_SIZE + (gsize)fields_size;
    if (!vb_read_fields(&r, message, &seen))
        return FALSE;
    required = vb_required_fields[message->type];
    if ((seen & required) != required)
        return vb_reader_fail(&r, "header field %s is required",
                              vb_fields[g_bit_nth_lsf(required & ~seen, -1)].name);

    /* the padding before the body is only in @data */
    r.data = data;
    r.end = size;
    if (!vb_read_align(&r, 8))
        return FALSE;

    if (!with_body) {
        message->body = g_variant_ref_sink(g_variant_new_tuple(NULL, 0));
        return TRUE;
    }
    r.part = "body";
    r.depth = 0;
    /* the service never takes file descriptors, not even an empty array of them */
    if (!vb_check_signature(&r, message->signature, strlen(message->signature), FALSE, FALSE))
        return FALSE;
    if (message->signature[0] == '\0' && r.pos != size)
        return vb_reader_fail(&r, "a body of %zu bytes has no signature", size - r.pos);
    vb_children_init(&children);
    t = message->signature;
    while (*t != '\0') {
        GVariant *child = vb_read_value(&r, &t);

        if (child == NULL) {
            vb_children_drop(&children);
            return FALSE;
        }
        vb_children_add(&children, child);
    }
    message->body = g_variant_ref_sink(g_variant_new_tuple(children.items, children.n));
    vb_children_done(&children);
    if (r.pos != size)
        return vb_reader_fail(&r, "%zu bytes follow the body", size - r.pos);
    return TRUE;
}

static VbMessage *
vb_message_parse_part(const guint8 *data, gsize size, gboolean with_body, GError **error)
{
    VbMessageBlock *block;
    gsize expected;
    guint32 fields_size;

    if (size < VB_MESSAGE_PREFIX_SIZE) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "invalid D-Bus message: %zu bytes, shorter than the fixed header", size);
        return NULL;
    }
    expected = vb_message_size(data, error);
    if (expected == 0)
        return NULL;
    if (size != expected) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "invalid D-Bus message: %zu bytes, but its header says %zu", size, expected);
        return NULL;
    }
    memcpy(&fields_size, data + 12, 4);
    if ((data[0] == 'B') != (G_BYTE_ORDER == G_BIG_ENDIAN))
        fields_size = GUINT32_SWAP_LE_BE(fields_size);

    block = g_malloc(sizeof(VbMessageBlock) + VB_MESSAGE_PREFIX_SIZE + fields_size);
    memset(&block->message, 0, sizeof(block->message));
    block->message.signature = "";
    g_atomic_ref_count_init(&block->ref);
    memcpy(block->header, data, VB_MESSAGE_PREFIX_SIZE + (gsize)fields_size);
    if (!vb_message_fill(&block->message, block->header, data, size, with_body, error)) {
        vb_message_unref(&block->message);
        return NULL;
    }
    return &block->message;
}

VbMessage *
vb_message_parse(const guint8 *data, gsize size, GError **error)
{
    return vb_message_parse_part(data, size, TRUE, error);
}

VbMessage *
vb_message_parse_header(const guint8 *data, gsize size, GError **error)
{
    return vb_message_parse_part(data, size, FALSE, error);
}

VbMessage *
vb_message_ref(VbMessage *message)
{
    VbMessageBlock *block = (VbMessageBlock *)message;

    g_atomic_ref_count_inc(&block->ref);
    return message;
}

void
vb_message_unref(VbMessage *message)
{
    VbMessageBlock *block = (VbMessageBlock *)message;

    if (message == NULL || !g_atomic_ref_count_dec(&block->ref))
        return;
    if (message->body != NULL)
        g_variant_unref(message->body);
    g_free(block);
}

/* ---- writing ---- */

typedef struct {
    GByteArray *out;
    gsize start; /* the message's first byte in @out: alignment is relative to it */
    guint depth;
    GError **error;
} VbWriter;

static gboolean vb_writer_fail(VbWriter *w, GIOErrorEnum code, const char *format, ...)
    G_GNUC_PRINTF(3, 4);

static gboolean
vb_writer_fail(VbWriter *w, GIOErrorEnum code, const char *format, ...)
{
    g_autofree char *what = NULL;
    va_list args;

    va_start(args, format);
    what = g_strdup_vprintf(format, args);
    va_end(args);
    g_set_error(w->error, G_IO_ERROR, code, "cannot write a D-Bus message: %s", what);
    return FALSE;
}

/* @size new bytes after zeroed padding to @alignment */
static inline guint8 *
vb_write_space(VbWriter *w, gsize alignment, gsize size)
{
    gsize len = w->out->len;
    gsize pad = -(len - w->start) & (alignment - 1);

    g_byte_array_set_size(w->out, len + pad + size);
    if (pad != 0)
        memset(w->out->data + len, 0, pad);
    return w->out->data + len + pad;
}

static inline void
vb_write_align(VbWriter *w, gsize alignment)
{
    vb_write_space(w, alignment, 0);
}

static inline void
vb_write_u32(VbWriter *w, guint32 value)
{
    value = GUINT32_TO_LE(value);
    memcpy(vb_write_space(w, 4, 4), &value, 4);
}

static inline gboolean
vb_write_fits(VbWriter *w, gsize more)
{
    if (w->out->len - w->start > VB_MESSAGE_MAX_SIZE ||
        more > VB_MESSAGE_MAX_SIZE - (w->out->len - w->start))
        return vb_writer_fail(w, G_IO_ERROR_MESSAGE_TOO_LARGE,
                              "the message would be over the 128 MiB limit");
    return TRUE;
}

/* a string or an object path */
static inline gboolean
vb_write_string(VbWriter *w, const char *s, gsize size)
{
    guint32 len = GUINT32_TO_LE((guint32)size);
    guint8 *p;

    if (!vb_write_fits(w, size + 8))
        return FALSE;
    p = vb_write_space(w, 4, 4 + size + 1);
    memcpy(p, &len, 4);
    memcpy(p + 4, s, size);
    p[4 + size] = '\0';
    return TRUE;
}

/* a signature already checked */
static inline void
vb_write_signature(VbWriter *w, const char *sig, gsize size)
{
    guint8 *p = vb_write_space(w, 1, size + 2);

    p[0] = (guint8)size;
    memcpy(p + 1, sig, size);
    p[size + 1] = '\0';
}

static gboolean
vb_writer_enter(VbWriter *w)
{
    if (w->depth == VB_VALUE_MAX_DEPTH)
        return vb_writer_fail(w, G_IO_ERROR_INVALID_ARGUMENT,
                              "values are nested more than 64 deep");
    w->depth++;
    return TRUE;
}

static gboolean vb_write_value(VbWriter *w, GVariant *value);

/* a GVariant framing offset */
static gsize
vb_offset_at(const guint8 *p, gsize width)
{
    guint64 offset = 0;

    memcpy(&offset, p, width);
    return (gsize)GUINT64_FROM_LE(offset);
}

/* whether @value (a container with children) is in serialised form, not a tree of
 * children: a tree hands out the same child twice, serialised data a new one each time.
 * only speed depends on the answer */
static gboolean
vb_variant_is_serialised(GVariant *value)
{
    g_autoptr(GVariant) first = NULL;
    g_autoptr(GVariant) again = NULL;

    if (g_variant_n_children(value) == 0)
        return FALSE;
    first = g_variant_get_child_value(value, 0);
    again = g_variant_get_child_value(value, 0);
    return first != again;
}

/* the strings of a serialised array in normal form, read from GVariant's own layout
 * (its specification): the elements back to back, each with its nul, then the end
 * offset of each, little-endian, as wide as the array's size needs. one pass, where
 * g_variant_get_strv() makes a GVariant per element and takes locks: 0.1 µs each */
static gboolean
vb_write_serialised_strings(VbWriter *w, GVariant *value)
{
    const guint8 *data = g_variant_get_data(value);
    gsize size = g_variant_get_size(value);
    gsize width = size > G_MAXUINT32 ? 8 : size > G_MAXUINT16 ? 4 : size > G_MAXUINT8 ? 2 : 1;
    gsize elements_end;
    gsize start = 0;

    /* normal form says all this holds; memory safety does not take it on trust */
    elements_end = vb_offset_at(data + size - width, width);
    if (elements_end > size || (size - elements_end) % width != 0)
        return vb_writer_fail(w, G_IO_ERROR_INVALID_ARGUMENT, "a string array is corrupt");
    for (gsize at = elements_end; at < size; at += width) {
        gsize end = vb_offset_at(data + at, width);

        if (end <= start || end > elements_end || data[end - 1] != '\0')
            return vb_writer_fail(w, G_IO_ERROR_INVALID_ARGUMENT, "a string array is corrupt");
        if (!vb_write_string(w, (const char *)data + start, end - start - 1))
            return FALSE;
        start = end;
    }
    return TRUE;
}

static gboolean
vb_write_array(VbWriter *w, GVariant *value, const char *type)
{
    char element = type[1];
    gsize element_size = vb_fixed_size(element);
    gsize size_at;
    gsize start;
    gsize size;
    guint32 len;

    if (!vb_writer_enter(w))
        return FALSE;
    vb_write_space(w, 4, 4);
    size_at = w->out->len - 4;
    vb_write_align(w, vb_type_alignment(element));
    start = w->out->len;

    if (element_size != 0) {
        gsize n = 0;
        const void *data = g_variant_get_fixed_array(value, &n, element_size);

        size = n * element_size;
        if (size > VB_ARRAY_MAX_SIZE)
            return vb_writer_fail(w, G_IO_ERROR_INVALID_ARGUMENT,
                                  "an array of %zu bytes is over the 64 MiB limit", size);
        if (!vb_write_fits(w, size))
            return FALSE;
        if (size != 0)
            memcpy(vb_write_space(w, 1, size), data, size);
#if G_BYTE_ORDER == G_BIG_ENDIAN
        for (guint8 *p = w->out->data + start; p < w->out->data + start + size; p += element_size)
            for (gsize j = 0; j < element_size / 2; j++) {
                guint8 byte = p[j];

                p[j] = p[element_size - 1 - j];
                p[element_size - 1 - j] = byte;
            }
#endif
    } else if ((element == 's' || element == 'o') && vb_variant_is_serialised(value) &&
               g_variant_is_normal_form(value)) {
        if (!vb_write_serialised_strings(w, value))
            return FALSE;
    } else {
        gsize n = g_variant_n_children(value);

        for (gsize i = 0; i < n; i++) {
            g_autoptr(GVariant) child = g_variant_get_child_value(value, i);

            if (!vb_write_value(w, child) || !vb_write_fits(w, 0))
                return FALSE;
        }
    }

    size = w->out->len - start;
    if (size > VB_ARRAY_MAX_SIZE)
        return vb_writer_fail(w, G_IO_ERROR_INVALID_ARGUMENT,
                              "an array of %zu bytes is over the 64 MiB limit", size);
    len = GUINT32_TO_LE((guint32)size);
    memcpy(w->out->data + size_at, &len, 4);
    w->depth--;
    return TRUE;
}

static gboolean
vb_write_value(VbWriter *w, GVariant *value)
{
    const char *type = g_variant_get_type_string(value);
    const char *s;
    const char *problem;
    gsize size;
    union {
        guint16 u16;
        guint32 u32;
        guint64 u64;
        gdouble d;
    } n;

    switch (type[0]) {
    case 'y':
        *vb_write_space(w, 1, 1) = g_variant_get_byte(value);
        return TRUE;
    case 'b':
        vb_write_u32(w, g_variant_get_boolean(value) ? 1 : 0);
        return TRUE;
    case 'n':
    case 'q':
        n.u16 = type[0] == 'n' ? (guint16)g_variant_get_int16(value) : g_variant_get_uint16(value);
        n.u16 = GUINT16_TO_LE(n.u16);
        memcpy(vb_write_space(w, 2, 2), &n.u16, 2);
        return TRUE;
    case 'i':
        vb_write_u32(w, (guint32)g_variant_get_int32(value));
        return TRUE;
    case 'u':
        vb_write_u32(w, g_variant_get_uint32(value));
        return TRUE;
    case 'x':
    case 't':
    case 'd':
        if (type[0] == 'd')
            n.d = g_variant_get_double(value);
        else
            n.u64 =
                type[0] == 'x' ? (guint64)g_variant_get_int64(value) : g_variant_get_uint64(value);
        n.u64 = GUINT64_TO_LE(n.u64);
        memcpy(vb_write_space(w, 8, 8), &n.u64, 8);
        return TRUE;
    case 's':
    case 'o':
        s = g_variant_get_string(value, &size);
        return vb_write_string(w, s, size);
    case 'g':
        /* GVariant's signatures are looser than D-Bus's: "()", a lone dict entry */
        s = g_variant_get_string(value, &size);
        problem = vb_signature_problem(s, size, FALSE, TRUE);
        if (problem != NULL)
            return vb_writer_fail(w, G_IO_ERROR_INVALID_ARGUMENT,
                                  "signature \"%s\" cannot be sent: %s", s, problem);
        vb_write_signature(w, s, size);
        return TRUE;
    case 'v': {
        g_autoptr(GVariant) child = g_variant_get_variant(value);
        const char *child_type = g_variant_get_type_string(child);
        gboolean ok;

        size = strlen(child_type);
        problem = vb_signature_problem(child_type, size, TRUE, FALSE);
        if (problem != NULL)
            return vb_writer_fail(w, G_IO_ERROR_INVALID_ARGUMENT,
                                  "a variant of type \"%s\" cannot be sent: %s", child_type,
                                  problem);
        vb_write_signature(w, child_type, size);
        if (!vb_writer_enter(w))
            return FALSE;
        ok = vb_write_value(w, child);
        w->depth--;
        return ok;
    }
    case 'a':
        return vb_write_array(w, value, type);
    case '(':
    case '{':
        if (!vb_writer_enter(w))
            return FALSE;
        vb_write_align(w, 8);
        size = g_variant_n_children(value);
        for (gsize i = 0; i < size; i++) {
            g_autoptr(GVariant) child = g_variant_get_child_value(value, i);

            if (!vb_write_value(w, child))
                return FALSE;
        }
        w->depth--;
        return TRUE;
    default:
        /* the checked signatures leave only 'h' */
        return vb_writer_fail(w, G_IO_ERROR_INVALID_ARGUMENT, "unix fds are not supported");
    }
}

/* a header field holding a string, when there is one */
static gboolean
vb_write_string_field(VbWriter *w, guint8 code, const char *value)
{
    gsize size;
    guint8 *p;

    if (value == NULL)
        return TRUE;
    size = strlen(value);
    /* the bus drops a connection that sends a malformed header */
    if (!vb_field_valid(code, value, size)) {
        g_autofree char *quoted = vb_quote(value, size);

        return vb_writer_fail(w, G_IO_ERROR_INVALID_ARGUMENT, "header field %s \"%s\" is invalid",
                              vb_fields[code].name, quoted);
    }
    p = vb_write_space(w, 8, 4);
    p[0] = code;
    p[1] = 1;
    p[2] = (guint8)vb_fields[code].type;
    p[3] = '\0';
    return vb_write_string(w, value, size);
}

/* the header up to the body's 8-aligned start; FALSE with @w->out as it was */
static gboolean
vb_write_header(VbWriter *w, VbMessageType type, guint8 flags, guint32 serial, guint32 reply_serial,
                const char *destination, const char *path, const char *interface,
                const char *member, const char *error_name, const char *signature,
                gsize signature_size)
{
    guint32 seen = 0;
    guint8 *prefix;
    guint32 size;

    if (type == VB_MESSAGE_INVALID || type > VB_MESSAGE_SIGNAL)
        return vb_writer_fail(w, G_IO_ERROR_INVALID_ARGUMENT, "message type %u is invalid", type);
    if (serial == 0)
        return vb_writer_fail(w, G_IO_ERROR_INVALID_ARGUMENT, "serial 0 is invalid");
    seen |= path != NULL ? VB_FIELD_BIT(VB_FIELD_PATH) : 0;
    seen |= interface != NULL ? VB_FIELD_BIT(VB_FIELD_INTERFACE) : 0;
    seen |= member != NULL ? VB_FIELD_BIT(VB_FIELD_MEMBER) : 0;
    seen |= error_name != NULL ? VB_FIELD_BIT(VB_FIELD_ERROR_NAME) : 0;
    seen |= reply_serial != 0 ? VB_FIELD_BIT(VB_FIELD_REPLY_SERIAL) : 0;
    if ((seen & vb_required_fields[type]) != vb_required_fields[type])
        return vb_writer_fail(w, G_IO_ERROR_INVALID_ARGUMENT, "header field %s is required",
                              vb_fields[g_bit_nth_lsf(vb_required_fields[type] & ~seen, -1)].name);

    prefix = vb_write_space(w, 1, VB_MESSAGE_PREFIX_SIZE);
    prefix[0] = 'l';
    prefix[1] = (guint8)type;
    prefix[2] = flags;
    prefix[3] = 1;
    serial = GUINT32_TO_LE(serial);
    memcpy(prefix + 8, &serial, 4);

    if (!vb_write_string_field(w, VB_FIELD_PATH, path) ||
        !vb_write_string_field(w, VB_FIELD_INTERFACE, interface) ||
        !vb_write_string_field(w, VB_FIELD_MEMBER, member) ||
        !vb_write_string_field(w, VB_FIELD_ERROR_NAME, error_name) ||
        !vb_write_string_field(w, VB_FIELD_DESTINATION, destination)) {
        g_byte_array_set_size(w->out, (guint)w->start);
        return FALSE;
    }
    if (reply_serial != 0) {
        memcpy(vb_write_space(w, 8, 4), "\5\1u", 4);
        vb_write_u32(w, reply_serial);
    }
    if (signature_size != 0) {
        memcpy(vb_write_space(w, 8, 4), "\10\1g", 4);
        vb_write_signature(w, signature, signature_size);
    }
    if (w->out->len - w->start - VB_MESSAGE_PREFIX_SIZE > VB_ARRAY_MAX_SIZE) {
        g_byte_array_set_size(w->out, (guint)w->start);
        return vb_writer_fail(w, G_IO_ERROR_MESSAGE_TOO_LARGE,
                              "the header fields would be over the 64 MiB limit");
    }
    size = GUINT32_TO_LE((guint32)(w->out->len - w->start - VB_MESSAGE_PREFIX_SIZE));
    memcpy(w->out->data + w->start + 12, &size, 4);
    vb_write_align(w, 8);
    return TRUE;
}

/* the body length, once the body is written from @body_start */
static gboolean
vb_write_finish(VbWriter *w, gsize body_start)
{
    guint32 size;

    if (!vb_write_fits(w, 0)) {
        g_byte_array_set_size(w->out, (guint)w->start);
        return FALSE;
    }
    size = GUINT32_TO_LE((guint32)(w->out->len - body_start));
    memcpy(w->out->data + w->start + 4, &size, 4);
    return TRUE;
}

gboolean
vb_message_write(GByteArray *out, VbMessageType type, guint8 flags, guint32 serial,
                 guint32 reply_serial, const char *destination, const char *path,
                 const char *interface, const char *member, const char *error_name, GVariant *body,
                 GError **error)
{
    /* sinks a floating body, released on return */
    G_GNUC_UNUSED g_autoptr(GVariant) owned = body != NULL ? g_variant_ref_sink(body) : NULL;
    VbWriter w = {out, out->len, 0, error};
    const char *signature = "";
    gsize signature_size = 0;
    gsize body_start;

    if (body != NULL) {
        const char *problem;

        if (!g_variant_is_of_type(body, G_VARIANT_TYPE_TUPLE))
            return vb_writer_fail(&w, G_IO_ERROR_INVALID_ARGUMENT,
                                  "a body of type \"%s\" is not a tuple",
                                  g_variant_get_type_string(body));
        signature = g_variant_get_type_string(body) + 1;
        signature_size = strlen(signature) - 1;
        problem = vb_signature_problem(signature, signature_size, FALSE, FALSE);
        if (problem != NULL)
            return vb_writer_fail(&w, G_IO_ERROR_INVALID_ARGUMENT,
                                  "a body of type \"%s\" cannot be sent: %s",
                                  g_variant_get_type_string(body), problem);
    }
    if (!vb_write_header(&w, type, flags, serial, reply_serial, destination, path, interface,
                         member, error_name, signature, signature_size))
        return FALSE;
    body_start = out->len;
    if (body != NULL) {
        gsize n = g_variant_n_children(body);

        for (gsize i = 0; i < n; i++) {
            g_autoptr(GVariant) child = g_variant_get_child_value(body, i);

            if (!vb_write_value(&w, child) || !vb_write_fits(&w, 0)) {
                g_byte_array_set_size(out, (guint)w.start);
                return FALSE;
            }
        }
    }
    return vb_write_finish(&w, body_start);
}

gboolean
vb_message_write_body(GByteArray *out, VbMessageType type, guint8 flags, guint32 serial,
                      guint32 reply_serial, const char *destination, const char *path,
                      const char *interface, const char *member, const char *error_name,
                      const char *signature, const guint8 *body, gsize size, GError **error)
{
    VbWriter w = {out, out->len, 0, error};
    gsize signature_size = strlen(signature);
    const char *problem = vb_signature_problem(signature, signature_size, FALSE, FALSE);
    gsize body_start;

    if (problem != NULL)
        return vb_writer_fail(&w, G_IO_ERROR_INVALID_ARGUMENT,
                              "a body of signature \"%s\" cannot be sent: %s", signature, problem);
    if (!vb_write_header(&w, type, flags, serial, reply_serial, destination, path, interface,
                         member, error_name, signature, signature_size))
        return FALSE;
    body_start = out->len;
    if (!vb_write_fits(&w, size)) {
        g_byte_array_set_size(out, (guint)w.start);
        return FALSE;
    }
    g_byte_array_append(out, body, (guint)size);
    return vb_write_finish(&w, body_start);
}

/* ---- bodies written by the caller ---- */

void
vb_wire_align(GByteArray *body, gsize alignment)
{
    VbWriter w = {body, 0, 0, NULL};

    vb_write_align(&w, alignment);
}

void
vb_wire_put_u32(GByteArray *body, guint32 value)
{
    VbWriter w = {body, 0, 0, NULL};

    vb_write_u32(&w, value);
}

void
vb_wire_set_u32(GByteArray *body, gsize offset, guint32 value)
{
    value = GUINT32_TO_LE(value);
    memcpy(body->data + offset, &value, 4);
}

void
vb_wire_put_string(GByteArray *body, const char *s)
{
    VbWriter w = {body, 0, 0, NULL};

    vb_write_string(&w, s, strlen(s));
}

void
vb_wire_put_signature(GByteArray *body, const char *signature)
{
    VbWriter w = {body, 0, 0, NULL};

    vb_write_signature(&w, signature, strlen(signature));
}

gboolean
vb_wire_put_variant(GByteArray *body, GVariant *value, GError **error)
{
    g_autoptr(GVariant) boxed = g_variant_new_variant(value);

    return vb_wire_put_value(body, g_variant_ref_sink(boxed), error);
}

gboolean
vb_wire_put_value(GByteArray *body, GVariant *value, GError **error)
{
    VbWriter w = {body, 0, 0, error};
    guint len = body->len;

    if (vb_write_value(&w, value))
        return TRUE;
    g_byte_array_set_size(body, len);
    return FALSE;
}
