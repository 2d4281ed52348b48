/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* D-Bus messages on the wire (the specification's "Message Format"), to and from GVariant:
 * what the service's own bus connection (bus.c) reads and writes. No I/O here. */

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
    VB_MESSAGE_INVALID = 0,
    VB_MESSAGE_METHOD_CALL = 1,
    VB_MESSAGE_METHOD_RETURN = 2,
    VB_MESSAGE_ERROR = 3,
    VB_MESSAGE_SIGNAL = 4,
} VbMessageType;

enum {
    VB_MESSAGE_NO_REPLY_EXPECTED = 0x1,
    VB_MESSAGE_NO_AUTO_START = 0x2,
    VB_MESSAGE_ALLOW_INTERACTIVE_AUTHORIZATION = 0x4,
};

/* the fixed part of the header: endianness, type, flags, version, body length, serial,
 * header-fields array length */
#define VB_MESSAGE_PREFIX_SIZE 16
/* the specification's limit on a whole message */
#define VB_MESSAGE_MAX_SIZE (128u * 1024u * 1024u)

/* one received message; the strings live as long as the message. NULL: field absent */
typedef struct {
    VbMessageType type;
    guint8 flags;
    guint32 serial;
    guint32 reply_serial; /* 0: absent */
    const char *path;
    const char *interface;
    const char *member;
    const char *error_name;
    const char *destination;
    const char *sender;
    const char *signature; /* "" when absent */
    guint32 unix_fds;
    GVariant *body; /* a tuple of the signature's types, "()" when empty; never NULL */
} VbMessage;

/* the whole size (header, padding, body) of the message whose first
 * VB_MESSAGE_PREFIX_SIZE bytes are at @prefix; 0 with @error when those bytes cannot
 * start a valid message (endianness byte, version, sizes over VB_MESSAGE_MAX_SIZE) */
gsize vb_message_size(const guint8 *prefix, GError **error);

/* parses one complete message of vb_message_size() bytes, either endianness; NULL with
 * G_IO_ERROR_INVALID_DATA and a precise text unless everything the specification
 * requires holds */
VbMessage *vb_message_parse(const guint8 *data, gsize size, GError **error);
/* the same without the body (an empty tuple; the signature as sent): who sent a
 * message whose arguments cannot be read, so that it can be told */
VbMessage *vb_message_parse_header(const guint8 *data, gsize size, GError **error);
VbMessage *vb_message_ref(VbMessage *message);
void vb_message_unref(VbMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbMessage, vb_message_unref)

/* appends one little-endian message to @out (which may already hold others: alignment is
 * relative to the message's own start). NULL strings leave their field out; @body is a
 * tuple or NULL for none, and is sunk and released if floating. FALSE with @error, and
 * @out as it was: G_IO_ERROR_INVALID_ARGUMENT for what the specification forbids (a type
 * D-Bus cannot carry, a missing required field, an invalid name or path, serial 0),
 * G_IO_ERROR_MESSAGE_TOO_LARGE over VB_MESSAGE_MAX_SIZE */
gboolean vb_message_write(GByteArray *out, VbMessageType type, guint8 flags, guint32 serial,
                          guint32 reply_serial, const char *destination, const char *path,
                          const char *interface, const char *member, const char *error_name,
                          GVariant *body, GError **error);

/* the same with a body the caller marshalled (vb_wire_put_*()) for @signature, the
 * body's types without the parentheses ("a{sv}"); the body is not checked against it */
gboolean vb_message_write_body(GByteArray *out, VbMessageType type, guint8 flags, guint32 serial,
                               guint32 reply_serial, const char *destination, const char *path,
                               const char *interface, const char *member, const char *error_name,
                               const char *signature, const guint8 *body, gsize size,
                               GError **error);

/* a body written directly, for replies where building a GVariant tree costs more than
 * the call (Properties.GetAll): alignment counts from the body's start, which every
 * message places 8-aligned */
void vb_wire_align(GByteArray *body, gsize alignment);
void vb_wire_put_u32(GByteArray *body, guint32 value);
/* overwrites the u32 at @offset: an array's length, once its elements are written */
void vb_wire_set_u32(GByteArray *body, gsize offset, guint32 value);
/* a string or an object path, valid UTF-8 */
void vb_wire_put_string(GByteArray *body, const char *s);
/* a valid signature */
void vb_wire_put_signature(GByteArray *body, const char *signature);
/* any value D-Bus can carry; FALSE with @error and @body as it was otherwise */
gboolean vb_wire_put_value(GByteArray *body, GVariant *value, GError **error);
/* @value as a variant ("v"), its type checked as one D-Bus can carry */
gboolean vb_wire_put_variant(GByteArray *body, GVariant *value, GError **error);

G_END_DECLS
