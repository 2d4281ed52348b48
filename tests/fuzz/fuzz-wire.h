/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* the property fuzz-wire checks and tests/test-wire.c replays over corpus/wire: the
 * codec refuses an input with G_IO_ERROR_INVALID_DATA or accepts it, and a message it
 * accepts writes to bytes that parse to the same message again. returns NULL when that
 * holds (including when the input is refused) and otherwise says what broke. */

#include <string.h>

#include <gio/gio.h>

#include "wire.h"

static inline char *
vb_fuzz_wire_compare(const VbMessage *first, const VbMessage *again)
{
    static const char *const names[] = {"path",       "interface",   "member",
                                        "error_name", "destination", "signature"};
    const char *const a[] = {first->path,       first->interface,   first->member,
                             first->error_name, first->destination, first->signature};
    const char *const b[] = {again->path,       again->interface,   again->member,
                             again->error_name, again->destination, again->signature};

    if (first->type != again->type || first->flags != again->flags ||
        first->serial != again->serial || first->reply_serial != again->reply_serial)
        return g_strdup_printf("type %u flags 0x%x serial %u reply %u come back as "
                               "type %u flags 0x%x serial %u reply %u",
                               first->type, first->flags, first->serial, first->reply_serial,
                               again->type, again->flags, again->serial, again->reply_serial);
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        if (g_strcmp0(a[i], b[i]) != 0)
            return g_strdup_printf("%s \"%s\" comes back as \"%s\"", names[i], a[i], b[i]);
    }
    if (!g_variant_equal(first->body, again->body)) {
        g_autofree char *x = g_variant_print(first->body, TRUE);
        g_autofree char *y = g_variant_print(again->body, TRUE);

        return g_strdup_printf("body %s comes back as %s", x, y);
    }
    return NULL;
}

/* one input, as it is */
static inline char *
vb_fuzz_wire_once(const guint8 *data, gsize size)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VbMessage) message = NULL;
    g_autoptr(VbMessage) again = NULL;
    g_autoptr(GByteArray) out = NULL;
    g_autoptr(GByteArray) serialised = NULL;

    if (size >= VB_MESSAGE_PREFIX_SIZE && vb_message_size(data, &error) == 0 &&
        !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
        return g_strdup_printf("vb_message_size() fails with an unexpected error: %s",
                               error != NULL ? error->message : "none");
    g_clear_error(&error);

    message = vb_message_parse(data, size, &error);
    if (message == NULL) {
        if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
            return g_strdup_printf("refused with an unexpected error: %s",
                                   error != NULL ? error->message : "none");
        return NULL;
    }
    if (message->body == NULL || message->signature == NULL)
        return g_strdup("an accepted message lacks its body or signature");

    /* an odd start: alignment is relative to the message, not to the buffer */
    out = g_byte_array_new();
    g_byte_array_append(out, (const guint8 *)"x", 1);
    if (!vb_message_write(out, message->type, message->flags, message->serial,
                          message->reply_serial, message->destination, message->path,
                          message->interface, message->member, message->error_name, message->body,
                          &error))
        return g_strdup_printf("an accepted message cannot be written: %s", error->message);
    if (vb_message_size(out->data + 1, &error) != out->len - 1)
        return g_strdup_printf("a written message of %u bytes announces another size: %s",
                               out->len - 1, error != NULL ? error->message : "");
    /* the body again, serialised in place: the writer reads that form its own way */
    g_variant_get_data(message->body);
    serialised = g_byte_array_new();
    g_byte_array_append(serialised, (const guint8 *)"x", 1);
    if (!vb_message_write(serialised, message->type, message->flags, message->serial,
                          message->reply_serial, message->destination, message->path,
                          message->interface, message->member, message->error_name, message->body,
                          &error))
        return g_strdup_printf("a serialised body cannot be written: %s", error->message);
    if (serialised->len != out->len || memcmp(serialised->data, out->data, out->len) != 0)
        return g_strdup("a serialised body is written otherwise than its tree");
    again = vb_message_parse(out->data + 1, out->len - 1, &error);
    if (again == NULL)
        return g_strdup_printf("a written message is refused: %s", error->message);
    return vb_fuzz_wire_compare(message, again);
}

/* the input, and the input with its body length fitted to its size (so that mutations
 * adding or removing bytes still reach the body) */
static inline char *
vb_fuzz_wire(const guint8 *data, gsize size)
{
    g_autofree guint8 *fitted = NULL;
    guint32 fields_size;
    guint32 body_size;
    gsize body_start;
    char *problem = vb_fuzz_wire_once(data, size);

    if (problem != NULL || size < VB_MESSAGE_PREFIX_SIZE || (data[0] != 'l' && data[0] != 'B'))
        return problem;
    memcpy(&fields_size, data + 12, 4);
    fields_size = data[0] == 'l' ? GUINT32_FROM_LE(fields_size) : GUINT32_FROM_BE(fields_size);
    body_start = ((gsize)VB_MESSAGE_PREFIX_SIZE + fields_size + 7) & ~(gsize)7;
    if (fields_size > size || body_start > size || size - body_start > G_MAXUINT32)
        return NULL;
    body_size = (guint32)(size - body_start);
    body_size = data[0] == 'l' ? GUINT32_TO_LE(body_size) : GUINT32_TO_BE(body_size);
    if (memcmp(data + 4, &body_size, 4) == 0)
        return NULL;
    fitted = g_memdup2(data, size);
    memcpy(fitted + 4, &body_size, 4);
    return vb_fuzz_wire_once(fitted, size);
}
