/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "test-wire"

/* the D-Bus message codec (service/wire.c) against GIO's independent one, both ways and
 * in both byte orders; hostile bytes, each refused with G_IO_ERROR_INVALID_DATA for the
 * right reason; the fuzzer's corpus; and the time the hot path takes */

#include <string.h>

#include <gio/gio.h>

#include "corpus.h"
#include "fuzz/fuzz-wire.h"
#include "wire.h"

#define TEST_SENDER ":1.42"
#define TEST_NAME   "org.libvirt"
#define TEST_PATH   "/org/libvirt/QEMU/domain/_6a3e0c8b_1f2d_4e5a_9b7c_0d1e2f3a4b5c"
#define TEST_IFACE  "org.libvirt.Domain"

/* ---- helpers ---- */

static GVariant *
parse_text(const char *text)
{
    g_autoptr(GError) error = NULL;
    GVariant *value = g_variant_parse(NULL, text, NULL, NULL, &error);

    g_assert_no_error(error);
    return g_variant_ref_sink(value);
}

/* parses a copy of exactly @size bytes, so that ASan sees any read past the end */
static VbMessage *
parse_exact(const guint8 *data, gsize size, GError **error)
{
    g_autofree guint8 *copy = g_memdup2(data, size);

    return vb_message_parse(copy != NULL ? copy : (const guint8 *)"", size, error);
}

/* @expected is taken when floating */
static void
assert_body_equal(GVariant *got, GVariant *expected)
{
    g_autoptr(GVariant) empty = g_variant_ref_sink(g_variant_new_tuple(NULL, 0));
    G_GNUC_UNUSED g_autoptr(GVariant) owned =
        expected != NULL ? g_variant_ref_sink(expected) : NULL;

    if (expected == NULL)
        expected = empty;
    if (got == NULL)
        got = empty;
    if (!g_variant_equal(got, expected)) {
        g_autofree char *a = g_variant_print(got, TRUE);
        g_autofree char *b = g_variant_print(expected, TRUE);

        g_error("body %s, expected %s", a, b);
    }
}

/* our parse of a message against GIO's view of it; the sender only when @with_sender */
static void
assert_same_as_gio(const VbMessage *message, GDBusMessage *gio, gboolean with_sender)
{
    const char *signature = g_dbus_message_get_signature(gio);

    g_assert_cmpint(message->type, ==, g_dbus_message_get_message_type(gio));
    g_assert_cmpint(message->flags, ==, g_dbus_message_get_flags(gio));
    g_assert_cmpuint(message->serial, ==, g_dbus_message_get_serial(gio));
    g_assert_cmpuint(message->reply_serial, ==, g_dbus_message_get_reply_serial(gio));
    g_assert_cmpstr(message->path, ==, g_dbus_message_get_path(gio));
    g_assert_cmpstr(message->interface, ==, g_dbus_message_get_interface(gio));
    g_assert_cmpstr(message->member, ==, g_dbus_message_get_member(gio));
    g_assert_cmpstr(message->error_name, ==, g_dbus_message_get_error_name(gio));
    g_assert_cmpstr(message->destination, ==, g_dbus_message_get_destination(gio));
    if (with_sender)
        g_assert_cmpstr(message->sender, ==, g_dbus_message_get_sender(gio));
    g_assert_cmpstr(message->signature, ==, signature != NULL ? signature : "");
    g_assert_nonnull(message->body);
    assert_body_equal(message->body, g_dbus_message_get_body(gio));
}

static gboolean
write_message(GByteArray *out, const VbMessage *m, GVariant *body, GError **error)
{
    return vb_message_write(out, m->type, m->flags, m->serial, m->reply_serial, m->destination,
                            m->path, m->interface, m->member, m->error_name, body, error);
}

/* @message's body, serialised in place, is written byte for byte as its tree was to @out */
static void
assert_serialised_writes_same(const VbMessage *message, GByteArray *out)
{
    g_autoptr(GByteArray) again = g_byte_array_new();
    g_autoptr(GError) error = NULL;

    g_variant_get_data(message->body);
    g_assert_true(write_message(again, message, message->body, &error));
    g_assert_no_error(error);
    g_assert_cmpmem(again->data, again->len, out->data, out->len);
}

/* GIO writes @gio in @order, we read it; we write it back, GIO and we read that */
static void
check_with_gio(GDBusMessage *gio, GDBusMessageByteOrder order)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VbMessage) message = NULL;
    g_autoptr(VbMessage) again = NULL;
    g_autoptr(GDBusMessage) back = NULL;
    g_autoptr(GByteArray) out = g_byte_array_new();
    g_autofree guchar *blob = NULL;
    gsize size = 0;

    g_dbus_message_set_byte_order(gio, order);
    blob = g_dbus_message_to_blob(gio, &size, G_DBUS_CAPABILITY_FLAGS_NONE, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(blob[0], ==, order == G_DBUS_MESSAGE_BYTE_ORDER_BIG_ENDIAN ? 'B' : 'l');
    g_assert_cmpuint(vb_message_size(blob, &error), ==, size);
    g_assert_no_error(error);
    message = parse_exact(blob, size, &error);
    g_assert_no_error(error);
    assert_same_as_gio(message, gio, TRUE);

    g_assert_true(write_message(out, message, message->body, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(out->data[0], ==, 'l');
    assert_serialised_writes_same(message, out);
    g_assert_cmpuint(vb_message_size(out->data, &error), ==, out->len);
    back = g_dbus_message_new_from_blob(out->data, out->len, G_DBUS_CAPABILITY_FLAGS_NONE, &error);
    g_assert_no_error(error);
    assert_same_as_gio(message, back, FALSE);
    g_assert_null(g_dbus_message_get_sender(back));
    again = parse_exact(out->data, out->len, &error);
    g_assert_no_error(error);
    assert_same_as_gio(again, back, TRUE);
}

/* @body (a tuple, or NULL) in a call and, unless @call_only, a reply to it, an error
 * reply and a signal, each in both byte orders */
static void
check_body_with_gio(GVariant *body, gboolean call_only)
{
    static const GDBusMessageByteOrder orders[] = {G_DBUS_MESSAGE_BYTE_ORDER_LITTLE_ENDIAN,
                                                   G_DBUS_MESSAGE_BYTE_ORDER_BIG_ENDIAN};
    g_autoptr(GDBusMessage) call =
        g_dbus_message_new_method_call(TEST_NAME, TEST_PATH, TEST_IFACE, "GetXMLDesc");
    g_autoptr(GDBusMessage) reply = NULL;
    g_autoptr(GDBusMessage) failure = NULL;
    g_autoptr(GDBusMessage) signal = g_dbus_message_new_signal(TEST_PATH, TEST_IFACE, "Changed");

    g_dbus_message_set_serial(call, 7);
    g_dbus_message_set_sender(call, TEST_SENDER);
    g_dbus_message_set_flags(call, G_DBUS_MESSAGE_FLAGS_NO_AUTO_START |
                                       G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION);
    reply = g_dbus_message_new_method_reply(call);
    g_dbus_message_set_serial(reply, 0x80000001);
    g_dbus_message_set_sender(reply, TEST_NAME);
    failure = g_dbus_message_new_method_error_literal(call, "org.libvirt.Error.Failed", "no");
    g_dbus_message_set_serial(failure, G_MAXUINT32);
    g_dbus_message_set_sender(failure, ":1.0");
    g_dbus_message_set_serial(signal, 3);
    g_dbus_message_set_flags(signal, G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED);
    g_dbus_message_set_sender(signal, ":2.7");

    for (guint i = 0; i < G_N_ELEMENTS(orders); i++) {
        GDBusMessage *all[] = {call, reply, failure, signal};

        for (guint j = 0; j < (call_only ? 1 : G_N_ELEMENTS(all)); j++) {
            g_dbus_message_set_body(all[j], body);
            check_with_gio(all[j], orders[i]);
        }
    }
}

/* ---- round trips with GIO ---- */

/* every type D-Bus carries, alone, in arrays, in containers, empty */
static const char *const test_bodies[] = {
    "()",
    "(byte 0x7f,)",
    "(true, false)",
    "(int16 -2, uint16 65535, int32 -3, uint32 4000000000, int64 -5000000000, "
    "uint64 18446744073709551615, 3.25, -0.0)",
    "('hello', objectpath '/org/libvirt/QEMU/domain/_1', signature 'a{sv}(ii)')",
    "('', objectpath '/', signature '')",
    "('h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xf0\x9d\x84\x9e \xe4\xb8\xad\xe6\x96\x87',)",
    "(<'inner'>, <uint64 1>, <[byte 1, 2]>)",
    "(<(uint32 1, 'x', [byte 1, 2], <true>)>,)",
    "(<<<int32 7>>>, byte 1, <<'x'>>)",
    "({'a': <int32 1>, 'b': <'x'>, 'c': <{'d': <byte 2>}>, 'e': <@a{sv} {}>},)",
    "({'k': <<uint32 1>>, 'l': <<<'deep'>>>},)",
    "({'a': 'b', 'c': 'd', '': ''},)",
    "({uint32 1: 'one', 2: 'two'}, {int64 -1: [1.5]}, {objectpath '/a': <byte 1>})",
    "(((1, 'a'), (true, (int64 2, [3.5]))), (byte 1, (byte 2, (byte 3,))))",
    "([(1, 'a'), (2, 'b')], [(byte 1, int64 2), (3, 4)])",
    "([byte 1, 2, 3], [true, false, true], [int16 -1, 2], [uint16 1, 2], [int32 -1, 2], "
    "[uint32 1, 2], [int64 -1, 2], [uint64 1, 2], [1.5, -2.5], ['a', 'bc'], "
    "[objectpath '/', '/a'], [signature 'ay', 'sv', ''], [<1>, <'x'>])",
    "([[byte 1], [], [2, 3]], [['a'], [], ['b', 'c']], [[[1.5]], [[]]])",
    /* empty arrays: the padding to their element is there all the same */
    "(@ay [], @ab [], @an [], @aq [], @ai [], @au [], @ax [], @at [], @ad [], @as [], @ao [], "
    "@ag [], @av [], @aay [], @a(ii) [], @a{sv} {}, @a{ss} {})",
    "(byte 1, @ax [], byte 2, @a(y) [], byte 3, @a{sv} {}, byte 4, @ad [], byte 5)",
    "(byte 1, [int64 2], byte 3, [(byte 4,)], int16 5, {'k': <byte 6>})",
    "(byte 1, int64 2, byte 3, int16 4, byte 5, int32 6, byte 7, 8.0, byte 9, true)",
};

static void
test_gio_bodies(void)
{
    check_body_with_gio(NULL, FALSE);
    for (guint i = 0; i < G_N_ELEMENTS(test_bodies); i++) {
        g_autoptr(GVariant) body = parse_text(test_bodies[i]);

        g_test_message("body %s", test_bodies[i]);
        check_body_with_gio(body, FALSE);
    }
}

static GVariant *
make_object_paths(guint n)
{
    g_autofree GVariant **paths = g_new(GVariant *, n);

    for (guint i = 0; i < n; i++) {
        g_autofree char *path = g_strdup_printf("/org/libvirt/QEMU/domain/_%08x_%04x", i, i);

        paths[i] = g_variant_new_object_path(path);
    }
    return g_variant_new_array(G_VARIANT_TYPE_OBJECT_PATH, paths, n);
}

static void
test_gio_large(void)
{
    g_autofree guint8 *bytes = g_malloc(256 * 1024 + 3);
    g_autofree char *text = g_malloc(300001);
    g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GArray) numbers = g_array_new(FALSE, FALSE, sizeof(gint64));
    GVariant *children[5];
    g_autoptr(GVariant) body = NULL;

    for (gsize i = 0; i < 256 * 1024 + 3; i++)
        bytes[i] = (guint8)(i * 7);
    memset(text, 'x', 300000);
    text[300000] = '\0';
    for (guint i = 0; i < 5000; i++)
        g_ptr_array_add(strings, g_strdup_printf("string %u \xc3\xa9", i));
    g_ptr_array_add(strings, NULL);
    for (gint64 i = 0; i < 20000; i++)
        g_array_append_val(numbers, i);

    children[0] = g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, bytes, 256 * 1024 + 3, 1);
    children[1] = g_variant_new_string(text);
    children[2] = g_variant_new_strv((const char *const *)strings->pdata, -1);
    children[3] = g_variant_new_fixed_array(G_VARIANT_TYPE_INT64, numbers->data, numbers->len,
                                            sizeof(gint64));
    children[4] = make_object_paths(10000);
    body = g_variant_ref_sink(g_variant_new_tuple(children, G_N_ELEMENTS(children)));
    /* GIO takes seconds over these (a GVariant per element): a call is enough */
    check_body_with_gio(body, TRUE);
}

/* what we write, as GIO reads it, against what we were asked to write */
static void
test_write_read_by_gio(void)
{
    static const struct {
        VbMessageType type;
        guint8 flags;
        guint32 reply_serial;
        const char *destination;
        const char *path;
        const char *interface;
        const char *member;
        const char *error_name;
        const char *body;
    } cases[] = {
        {VB_MESSAGE_METHOD_CALL, 0, 0, TEST_NAME, TEST_PATH, TEST_IFACE, "Create", NULL,
         "(uint32 1,)"},
        {VB_MESSAGE_METHOD_CALL, VB_MESSAGE_NO_REPLY_EXPECTED, 0, NULL, "/", NULL, "Ping", NULL,
         NULL},
        {VB_MESSAGE_METHOD_RETURN, 0, 9, TEST_SENDER, NULL, NULL, NULL, NULL, "('<domain/>',)"},
        {VB_MESSAGE_METHOD_RETURN, 0, 1, NULL, NULL, NULL, NULL, NULL, "()"},
        {VB_MESSAGE_ERROR, 0, 5, TEST_SENDER, NULL, NULL, NULL, "org.libvirt.Error.NoDomain",
         "('gone',)"},
        {VB_MESSAGE_SIGNAL, 0, 0, NULL, TEST_PATH, TEST_IFACE, "StateChanged", NULL,
         "({'State': <int32 1>}, @as [])"},
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GByteArray) out = g_byte_array_new();
        g_autoptr(GDBusMessage) gio = NULL;
        g_autoptr(VbMessage) message = NULL;
        g_autoptr(GVariant) body = cases[i].body != NULL ? parse_text(cases[i].body) : NULL;

        g_assert_true(vb_message_write(out, cases[i].type, cases[i].flags, 1000 + i,
                                       cases[i].reply_serial, cases[i].destination, cases[i].path,
                                       cases[i].interface, cases[i].member, cases[i].error_name,
                                       body, &error));
        g_assert_no_error(error);
        gio =
            g_dbus_message_new_from_blob(out->data, out->len, G_DBUS_CAPABILITY_FLAGS_NONE, &error);
        g_assert_no_error(error);
        g_assert_cmpint(g_dbus_message_get_byte_order(gio), ==,
                        G_DBUS_MESSAGE_BYTE_ORDER_LITTLE_ENDIAN);
        g_assert_cmpint(g_dbus_message_get_message_type(gio), ==, cases[i].type);
        g_assert_cmpint(g_dbus_message_get_flags(gio), ==, cases[i].flags);
        g_assert_cmpuint(g_dbus_message_get_serial(gio), ==, 1000 + i);
        g_assert_cmpuint(g_dbus_message_get_reply_serial(gio), ==, cases[i].reply_serial);
        g_assert_cmpstr(g_dbus_message_get_destination(gio), ==, cases[i].destination);
        g_assert_cmpstr(g_dbus_message_get_path(gio), ==, cases[i].path);
        g_assert_cmpstr(g_dbus_message_get_interface(gio), ==, cases[i].interface);
        g_assert_cmpstr(g_dbus_message_get_member(gio), ==, cases[i].member);
        g_assert_cmpstr(g_dbus_message_get_error_name(gio), ==, cases[i].error_name);
        g_assert_null(g_dbus_message_get_sender(gio));
        /* no SIGNATURE field at all for an empty body */
        if (body == NULL || g_variant_n_children(body) == 0)
            g_assert_null(g_dbus_message_get_header(gio, G_DBUS_MESSAGE_HEADER_FIELD_SIGNATURE));
        assert_body_equal(g_dbus_message_get_body(gio), body);

        message = parse_exact(out->data, out->len, &error);
        g_assert_no_error(error);
        assert_same_as_gio(message, gio, TRUE);
    }
}

/* string arrays from untrusted bytes: written as GLib reads them (its normal form) */
static void
test_write_untrusted_arrays(void)
{
    static const struct {
        const char *type;
        const char *data;
        gsize size;
    } cases[] = {
        /* normal form: "a", "bc" */
        {"as", "a\0bc\0\2\5", 8},
        {"ao", "/\0/a\0\2\5", 7},
        /* invalid UTF-8, a nul inside, a bad path, offsets out of order or past the end */
        {"as", "a\0\xff\0\2\4", 6},
        {"as", "a\0b\0c\0\2\6", 8},
        {"ao", "/\0//\0\2\5", 7},
        {"as", "a\0b\0\4\2", 6},
        {"as", "a\0b\0\2\11", 6},
        {"as", "ab", 2},
        {"as", "\0\1", 2},
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GByteArray) out = g_byte_array_new();
        g_autoptr(GError) error = NULL;
        g_autoptr(VbMessage) message = NULL;
        g_autoptr(GVariant) normal = NULL;
        GVariant *array = g_variant_new_from_data(G_VARIANT_TYPE(cases[i].type), cases[i].data,
                                                  cases[i].size, FALSE, NULL, NULL);

        normal = g_variant_ref_sink(
            g_variant_new_tuple((GVariant *[]){g_variant_get_normal_form(array)}, 1));
        g_assert_true(vb_message_write(out, VB_MESSAGE_METHOD_RETURN, 0, 1, 1, NULL, NULL, NULL,
                                       NULL, NULL, g_variant_new_tuple(&array, 1), &error));
        g_assert_no_error(error);
        message = parse_exact(out->data, out->len, &error);
        g_assert_no_error(error);
        assert_body_equal(message->body, g_variant_ref(normal));
    }
}

/* a floating body is taken; a held one is left as it was */
static void
test_write_body_ownership(void)
{
    g_autoptr(GByteArray) out = g_byte_array_new();
    g_autoptr(GVariant) held = parse_text("('x',)");
    g_autoptr(GError) error = NULL;

    g_assert_true(vb_message_write(out, VB_MESSAGE_METHOD_RETURN, 0, 1, 1, NULL, NULL, NULL, NULL,
                                   NULL, g_variant_new("(s)", "floating"), &error));
    g_assert_no_error(error);
    g_assert_true(vb_message_write(out, VB_MESSAGE_METHOD_RETURN, 0, 2, 1, NULL, NULL, NULL, NULL,
                                   NULL, held, &error));
    g_assert_no_error(error);
    g_assert_false(g_variant_is_floating(held));
    g_assert_cmpstr(g_variant_get_type_string(held), ==, "(s)");
}

/* messages back to back in one buffer, the second at an odd offset */
static void
test_write_two_in_one_buffer(void)
{
    g_autoptr(GByteArray) out = g_byte_array_new();
    g_autoptr(GError) error = NULL;
    g_autoptr(VbMessage) first = NULL;
    g_autoptr(VbMessage) second = NULL;
    g_autoptr(GVariant) body = parse_text("(byte 1, int64 -2, @a(ty) [(3, 4)], <(5.0, 'x')>)");
    gsize first_size;
    gsize second_start;

    g_assert_true(vb_message_write(out, VB_MESSAGE_SIGNAL, 0, 1, 0, NULL, TEST_PATH, TEST_IFACE,
                                   "A", NULL, g_variant_new("(y)", 9), &error));
    g_assert_no_error(error);
    first_size = out->len;
    second_start = out->len;
    g_assert_cmpuint(second_start % 2, ==, 1);
    g_assert_true(vb_message_write(out, VB_MESSAGE_METHOD_CALL, 0, 2, 0, TEST_NAME, TEST_PATH,
                                   TEST_IFACE, "B", NULL, body, &error));
    g_assert_no_error(error);

    g_assert_cmpuint(vb_message_size(out->data, &error), ==, first_size);
    first = parse_exact(out->data, first_size, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(first->member, ==, "A");
    g_assert_cmpstr(first->signature, ==, "y");
    g_assert_cmpuint(vb_message_size(out->data + second_start, &error), ==,
                     out->len - second_start);
    second = parse_exact(out->data + second_start, out->len - second_start, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(second->member, ==, "B");
    assert_body_equal(second->body, body);
}

/* the strings stay valid, and the body, as long as a reference does */
static void
test_message_lifetime(void)
{
    g_autoptr(GByteArray) out = g_byte_array_new();
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) body = NULL;
    VbMessage *message;
    VbMessage *ref;

    g_assert_true(vb_message_write(out, VB_MESSAGE_METHOD_CALL, 0, 5, 0, TEST_NAME, TEST_PATH,
                                   TEST_IFACE, "Ping", NULL, g_variant_new("(su)", "a", 1),
                                   &error));
    message = vb_message_parse(out->data, out->len, &error);
    g_assert_no_error(error);
    /* the input may go at once */
    memset(out->data, 0xaa, out->len);
    g_byte_array_set_size(out, 0);
    ref = vb_message_ref(message);
    g_assert_true(ref == message);
    vb_message_unref(message);
    g_assert_cmpstr(ref->path, ==, TEST_PATH);
    g_assert_cmpstr(ref->member, ==, "Ping");
    g_assert_cmpstr(ref->destination, ==, TEST_NAME);
    g_assert_cmpstr(ref->signature, ==, "su");
    g_assert_null(ref->sender);
    g_assert_null(ref->error_name);
    g_assert_cmpuint(ref->reply_serial, ==, 0);
    g_assert_cmpuint(ref->unix_fds, ==, 0);
    body = g_variant_ref(ref->body);
    vb_message_unref(ref);
    assert_body_equal(body, g_variant_new_parsed("('a', uint32 1)"));
    vb_message_unref(NULL);
}

/* ---- raw messages, byte by byte, to break any rule ---- */

typedef struct {
    GByteArray *bytes;
    gboolean big;
} Raw;

static void
raw_init(Raw *r, gboolean big)
{
    r->bytes = g_byte_array_new();
    r->big = big;
}

static void
raw_clear(Raw *r)
{
    g_clear_pointer(&r->bytes, g_byte_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Raw, raw_clear)

static void
raw_bytes(Raw *r, const void *data, gsize size)
{
    g_byte_array_append(r->bytes, data, (guint)size);
}

static void
raw_u8(Raw *r, guint8 value)
{
    raw_bytes(r, &value, 1);
}

/* alignment is relative to the part's start, which is 8-aligned in the message */
static void
raw_pad(Raw *r, gsize alignment)
{
    while (r->bytes->len % alignment != 0)
        raw_u8(r, 0);
}

static void
raw_u32(Raw *r, guint32 value)
{
    raw_pad(r, 4);
    value = r->big ? GUINT32_TO_BE(value) : GUINT32_TO_LE(value);
    raw_bytes(r, &value, 4);
}

static void
raw_u64(Raw *r, guint64 value)
{
    raw_pad(r, 8);
    value = r->big ? GUINT64_TO_BE(value) : GUINT64_TO_LE(value);
    raw_bytes(r, &value, 8);
}

static void
raw_string_len(Raw *r, const char *s, gsize size)
{
    raw_u32(r, (guint32)size);
    raw_bytes(r, s, size);
    raw_u8(r, 0);
}

static void
raw_string(Raw *r, const char *s)
{
    raw_string_len(r, s, strlen(s));
}

static void
raw_signature(Raw *r, const char *s)
{
    raw_u8(r, (guint8)strlen(s));
    raw_bytes(r, s, strlen(s));
    raw_u8(r, 0);
}

static void
raw_field(Raw *r, guint8 code, const char *type, const char *value)
{
    raw_pad(r, 8);
    raw_u8(r, code);
    raw_signature(r, type);
    if (strcmp(type, "g") == 0)
        raw_signature(r, value);
    else
        raw_string(r, value);
}

static void
raw_field_u32(Raw *r, guint8 code, guint32 value)
{
    raw_pad(r, 8);
    raw_u8(r, code);
    raw_signature(r, "u");
    raw_u32(r, value);
}

static void
raw_patch_u32(Raw *r, gsize at, guint32 value)
{
    value = r->big ? GUINT32_TO_BE(value) : GUINT32_TO_LE(value);
    memcpy(r->bytes->data + at, &value, 4);
}

/* a whole message from its header fields and body */
static GByteArray *
raw_message(Raw *fields, Raw *body, guint8 type, guint32 serial)
{
    Raw r;

    raw_init(&r, fields->big);
    raw_u8(&r, fields->big ? 'B' : 'l');
    raw_u8(&r, type);
    raw_u8(&r, 0);
    raw_u8(&r, 1);
    raw_u32(&r, body->bytes->len);
    raw_u32(&r, serial);
    raw_u32(&r, fields->bytes->len);
    raw_bytes(&r, fields->bytes->data, fields->bytes->len);
    raw_pad(&r, 8);
    raw_bytes(&r, body->bytes->data, body->bytes->len);
    return r.bytes;
}

/* the header fields of a valid call with @signature (none when NULL) */
static void
raw_call_fields(Raw *fields, const char *signature)
{
    raw_field(fields, 1, "o", TEST_PATH);
    raw_field(fields, 2, "s", TEST_IFACE);
    raw_field(fields, 3, "s", "Lookup");
    if (signature != NULL)
        raw_field(fields, 8, "g", signature);
    /* last, and ending off the 8-byte grid: the header is followed by padding */
    raw_field(fields, 6, "s", TEST_NAME);
}

/* a call with @signature and @body, in either byte order */
static GByteArray *
raw_call(Raw *body, const char *signature)
{
    g_auto(Raw) fields = {NULL, FALSE};

    raw_init(&fields, body->big);
    raw_call_fields(&fields, signature);
    return raw_message(&fields, body, VB_MESSAGE_METHOD_CALL, 1);
}

static void
assert_refused(const guint8 *data, gsize size, const char *needle)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VbMessage) message = parse_exact(data, size, &error);

    g_assert_null(message);
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    if (needle != NULL && strstr(error->message, needle) == NULL)
        g_error("\"%s\" does not say \"%s\"", error->message, needle);
}

static void
assert_accepted(const guint8 *data, gsize size)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VbMessage) message = parse_exact(data, size, &error);

    g_assert_no_error(error);
    g_assert_nonnull(message);
}

/* a call whose body is built by @fill, refused in both byte orders with @needle (or
 * accepted when @needle is NULL) */
typedef void (*RawFill)(Raw *body, gconstpointer data);

static void
check_raw_body(const char *signature, RawFill fill, gconstpointer data, const char *needle)
{
    for (int big = 0; big <= 1; big++) {
        g_auto(Raw) body = {NULL, FALSE};
        g_autoptr(GByteArray) message = NULL;

        raw_init(&body, big);
        fill(&body, data);
        message = raw_call(&body, signature);
        if (needle != NULL)
            assert_refused(message->data, message->len, needle);
        else
            assert_accepted(message->data, message->len);
    }
}

static void
fill_string(Raw *body, gconstpointer data)
{
    raw_string(body, data);
}

static void
fill_signature(Raw *body, gconstpointer data)
{
    raw_signature(body, data);
}

/* a variant holding the signature @data and, when that is "s", a string */
static void
fill_variant(Raw *body, gconstpointer data)
{
    raw_signature(body, data);
    if (strcmp(data, "s") == 0)
        raw_string(body, "x");
}

static void
fill_u32(Raw *body, gconstpointer data)
{
    raw_u32(body, GPOINTER_TO_UINT(data));
}

static void
fill_nothing(Raw *body, gconstpointer data)
{
}

/* ---- hostile input ---- */

static void
test_raw_valid(void)
{
    /* the builder itself is right: the refusals below are for the reason they say */
    for (int big = 0; big <= 1; big++) {
        g_auto(Raw) body = {NULL, FALSE};
        g_autoptr(GByteArray) message = NULL;
        g_autoptr(VbMessage) parsed = NULL;
        g_autoptr(GError) error = NULL;

        raw_init(&body, big);
        raw_u8(&body, 5);
        raw_string(&body, "x");
        raw_u64(&body, 7);
        raw_u32(&body, 1);
        message = raw_call(&body, "ystb");
        parsed = parse_exact(message->data, message->len, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(parsed->path, ==, TEST_PATH);
        g_assert_cmpstr(parsed->interface, ==, TEST_IFACE);
        g_assert_cmpstr(parsed->member, ==, "Lookup");
        g_assert_cmpstr(parsed->destination, ==, TEST_NAME);
        assert_body_equal(parsed->body, g_variant_new_parsed("(byte 5, 'x', uint64 7, true)"));
    }
}

static GByteArray *
gio_blob(GDBusMessageByteOrder order)
{
    g_autoptr(GDBusMessage) gio =
        g_dbus_message_new_method_call(TEST_NAME, TEST_PATH, TEST_IFACE, "Define");
    g_autoptr(GError) error = NULL;
    g_autofree guchar *blob = NULL;
    GByteArray *bytes = g_byte_array_new();
    gsize size = 0;

    g_dbus_message_set_serial(gio, 11);
    g_dbus_message_set_sender(gio, TEST_SENDER);
    g_dbus_message_set_byte_order(gio, order);
    g_dbus_message_set_body(
        gio, g_variant_new_parsed("(byte 1, 'x', [int64 1, 2], {'k': <(true, [1.5])>}, "
                                  "[(byte 3, objectpath '/a')], signature 'as', int16 -1)"));
    blob = g_dbus_message_to_blob(gio, &size, G_DBUS_CAPABILITY_FLAGS_NONE, &error);
    g_assert_no_error(error);
    g_byte_array_append(bytes, blob, (guint)size);
    return bytes;
}

/* every prefix of a message is refused; so is every prefix of its body with the body
 * length telling the truth; a cut header is refused or accepted, never read past */
static void
test_hostile_truncation(void)
{
    static const GDBusMessageByteOrder orders[] = {G_DBUS_MESSAGE_BYTE_ORDER_LITTLE_ENDIAN,
                                                   G_DBUS_MESSAGE_BYTE_ORDER_BIG_ENDIAN};

    for (guint o = 0; o < G_N_ELEMENTS(orders); o++) {
        g_autoptr(GByteArray) blob = gio_blob(orders[o]);
        gboolean big = blob->data[0] == 'B';
        guint32 fields_size;
        gsize body_start;

        assert_accepted(blob->data, blob->len);
        for (gsize cut = 0; cut < blob->len; cut++)
            assert_refused(blob->data, cut, NULL);

        memcpy(&fields_size, blob->data + 12, 4);
        fields_size = big ? GUINT32_FROM_BE(fields_size) : GUINT32_FROM_LE(fields_size);
        body_start = (16 + fields_size + 7) & ~(gsize)7;
        for (gsize cut = body_start; cut < blob->len; cut++) {
            g_autofree guint8 *copy = g_memdup2(blob->data, cut);
            guint32 body_size = (guint32)(cut - body_start);

            body_size = big ? GUINT32_TO_BE(body_size) : GUINT32_TO_LE(body_size);
            memcpy(copy + 4, &body_size, 4);
            assert_refused(copy, cut, NULL);
        }
        for (gsize cut = 16; cut < 16 + fields_size; cut++) {
            g_autoptr(GByteArray) copy = g_byte_array_new();
            g_autoptr(VbMessage) message = NULL;
            g_autoptr(GError) error = NULL;
            guint32 size = big ? GUINT32_TO_BE(cut - 16) : GUINT32_TO_LE(cut - 16);
            guint32 zero = 0;

            g_byte_array_append(copy, blob->data, (guint)cut);
            memcpy(copy->data + 12, &size, 4);
            memcpy(copy->data + 4, &zero, 4);
            while (copy->len % 8 != 0)
                g_byte_array_append(copy, (const guint8 *)"", 1);
            message = parse_exact(copy->data, copy->len, &error);
            if (message == NULL)
                g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
        }
    }
}

static void
test_hostile_prefix(void)
{
    g_autoptr(GByteArray) blob = gio_blob(G_DBUS_MESSAGE_BYTE_ORDER_LITTLE_ENDIAN);
    g_autoptr(GError) error = NULL;
    guint8 prefix[VB_MESSAGE_PREFIX_SIZE];
    guint32 value;

    memcpy(prefix, blob->data, sizeof(prefix));
    g_assert_cmpuint(vb_message_size(prefix, &error), ==, blob->len);
    g_assert_no_error(error);

    prefix[0] = 'x';
    g_assert_cmpuint(vb_message_size(prefix, &error), ==, 0);
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_clear_error(&error);
    blob->data[0] = 'x';
    assert_refused(blob->data, blob->len, "endianness");
    blob->data[0] = 'l';

    prefix[0] = 'l';
    prefix[3] = 2;
    g_assert_cmpuint(vb_message_size(prefix, &error), ==, 0);
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_clear_error(&error);
    blob->data[3] = 2;
    assert_refused(blob->data, blob->len, "version 2");
    blob->data[3] = 1;

    /* sizes: the limits exactly, one past, and sums that would overflow 32 bits */
    prefix[3] = 1;
    value = GUINT32_TO_LE(VB_MESSAGE_MAX_SIZE - 16);
    memcpy(prefix + 4, &value, 4);
    memset(prefix + 12, 0, 4);
    g_assert_cmpuint(vb_message_size(prefix, &error), ==, VB_MESSAGE_MAX_SIZE);
    g_assert_no_error(error);
    value = GUINT32_TO_LE(VB_MESSAGE_MAX_SIZE - 15);
    memcpy(prefix + 4, &value, 4);
    g_assert_cmpuint(vb_message_size(prefix, &error), ==, 0);
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_nonnull(strstr(error->message, "128 MiB"));
    g_clear_error(&error);
    memset(prefix + 4, 0xff, 4);
    g_assert_cmpuint(vb_message_size(prefix, &error), ==, 0);
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_clear_error(&error);
    memset(prefix + 4, 0, 4);
    value = GUINT32_TO_LE(64 * 1024 * 1024);
    memcpy(prefix + 12, &value, 4);
    g_assert_cmpuint(vb_message_size(prefix, &error), ==, 64 * 1024 * 1024 + 16);
    g_assert_no_error(error);
    value = GUINT32_TO_LE(64 * 1024 * 1024 + 1);
    memcpy(prefix + 12, &value, 4);
    g_assert_cmpuint(vb_message_size(prefix, &error), ==, 0);
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_nonnull(strstr(error->message, "64 MiB"));
    g_clear_error(&error);
    memset(prefix + 4, 0xff, 4);
    memset(prefix + 12, 0xff, 4);
    g_assert_cmpuint(vb_message_size(prefix, &error), ==, 0);
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_clear_error(&error);
    /* big-endian sizes are read as such */
    memcpy(prefix, "B\1\0\1\0\0\0\x08\0\0\0\1\0\0\0\x10", 16);
    g_assert_cmpuint(vb_message_size(prefix, &error), ==, 16 + 16 + 8);
    g_assert_no_error(error);

    assert_refused(blob->data, 15, "shorter than the fixed header");
}

static void
test_hostile_lengths(void)
{
    g_autoptr(GByteArray) blob = gio_blob(G_DBUS_MESSAGE_BYTE_ORDER_LITTLE_ENDIAN);
    guint32 body_size;
    guint32 fields_size;

    memcpy(&body_size, blob->data + 4, 4);
    memcpy(&fields_size, blob->data + 12, 4);
    body_size = GUINT32_FROM_LE(body_size);
    fields_size = GUINT32_FROM_LE(fields_size);

    /* the body length lies: the buffer is not the size it announces */
    raw_patch_u32(&(Raw){blob, FALSE}, 4, body_size + 1);
    assert_refused(blob->data, blob->len, "header says");
    /* ... and the buffer follows the lie: bytes left over, or a body cut short */
    raw_patch_u32(&(Raw){blob, FALSE}, 4, body_size + 4);
    g_byte_array_append(blob, (const guint8 *)"\0\0\0\0", 4);
    assert_refused(blob->data, blob->len, "follow the body");
    g_byte_array_set_size(blob, blob->len - 5);
    raw_patch_u32(&(Raw){blob, FALSE}, 4, body_size - 1);
    assert_refused(blob->data, blob->len, NULL);
    g_byte_array_append(blob, (const guint8 *)"", 1);
    raw_patch_u32(&(Raw){blob, FALSE}, 4, body_size);
    assert_accepted(blob->data, blob->len);

    /* the fields length lies */
    raw_patch_u32(&(Raw){blob, FALSE}, 12, fields_size + 8);
    assert_refused(blob->data, blob->len, "header says");
    raw_patch_u32(&(Raw){blob, FALSE}, 4, body_size - 8);
    assert_refused(blob->data, blob->len, NULL);
    raw_patch_u32(&(Raw){blob, FALSE}, 4, body_size);
    raw_patch_u32(&(Raw){blob, FALSE}, 12, fields_size - 1);
    assert_refused(blob->data, blob->len, NULL);
    raw_patch_u32(&(Raw){blob, FALSE}, 12, fields_size);
    assert_accepted(blob->data, blob->len);
}

static void
test_hostile_strings(void)
{
    static const char *const bad_utf8[] = {"\xff", "a\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                                           "\xe2\x9c"};
    static const char *const bad_paths[] = {"",      "a",    "//",   "/a/",
                                            "/a//b", "/a-b", "/a.b", "/\xc3\xa9"};

    check_raw_body("s", fill_string, "ok \xe2\x9c\x93", NULL);
    for (guint i = 0; i < G_N_ELEMENTS(bad_utf8); i++)
        check_raw_body("s", fill_string, bad_utf8[i], "not valid UTF-8");
    for (guint i = 0; i < G_N_ELEMENTS(bad_paths); i++)
        check_raw_body("o", fill_string, bad_paths[i], "not an object path");
    check_raw_body("o", fill_string, "/org/libvirt/_1", NULL);

    for (int big = 0; big <= 1; big++) {
        g_auto(Raw) body = {NULL, FALSE};
        g_autoptr(GByteArray) message = NULL;

        /* an interior nul */
        raw_init(&body, big);
        raw_string_len(&body, "a\0b", 3);
        message = raw_call(&body, "s");
        assert_refused(message->data, message->len, "contains a nul byte");
        /* no terminating nul: the byte after the string is the next value's */
        g_clear_pointer(&message, g_byte_array_unref);
        g_byte_array_set_size(body.bytes, 0);
        raw_string(&body, "abc");
        raw_u8(&body, 1);
        body.bytes->data[7] = 'd';
        message = raw_call(&body, "sy");
        assert_refused(message->data, message->len, "not nul-terminated");
        /* a length past the end */
        g_clear_pointer(&message, g_byte_array_unref);
        g_byte_array_set_size(body.bytes, 0);
        raw_u32(&body, 1000);
        raw_bytes(&body, "abc", 4);
        message = raw_call(&body, "s");
        assert_refused(message->data, message->len, "runs past the end");
        g_clear_pointer(&message, g_byte_array_unref);
        g_byte_array_set_size(body.bytes, 0);
        raw_u32(&body, G_MAXUINT32);
        message = raw_call(&body, "s");
        assert_refused(message->data, message->len, "runs past the end");
    }
}

static void
test_hostile_signatures(void)
{
    static const char *const bad[] = {
        "(",      "a",      "{sv}", "ay)",     "()",      "m",      "mi",   "z", "a{vs}", "a{s}",
        "a{sss}", "(a{sv}", "a{sv", "a{(s)v}", "aa{sv}}", "a{s v}", "(i)}", "*", "r",     "?"};
    /* as a message's signature, as a 'g' value, as a variant's type */
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_test_message("signature %s", bad[i]);
        check_raw_body(bad[i], fill_nothing, NULL, "is invalid");
        check_raw_body("g", fill_signature, bad[i], "is invalid");
        check_raw_body("v", fill_variant, bad[i], "is invalid");
    }
    check_raw_body("g", fill_signature, "a{sv}(ii)aay", NULL);
    check_raw_body("v", fill_variant, "s", NULL);
    check_raw_body("v", fill_variant, "ss", "more than one complete type");
    check_raw_body("v", fill_variant, "", "empty");
    /* the signature bytes hold a nul */
    for (int big = 0; big <= 1; big++) {
        g_auto(Raw) body = {NULL, FALSE};
        g_autoptr(GByteArray) message = NULL;

        raw_init(&body, big);
        raw_u8(&body, 2);
        raw_bytes(&body, "s\0\0", 3);
        message = raw_call(&body, "g");
        assert_refused(message->data, message->len, "is invalid");
    }

    /* the service never takes file descriptors */
    check_raw_body("h", fill_u32, GUINT_TO_POINTER(0), "unix fds are not accepted");
    check_raw_body("ah", fill_u32, GUINT_TO_POINTER(0), "unix fds are not accepted");
    check_raw_body("v", fill_variant, "h", "unix fds are not accepted");
    /* but a signature value may name them */
    check_raw_body("g", fill_signature, "ah", NULL);

    /* and the header of such a call still says who to tell */
    for (int big = 0; big <= 1; big++) {
        g_auto(Raw) body = {NULL, FALSE};
        g_autoptr(GByteArray) message = NULL;
        g_autoptr(VbMessage) header = NULL;
        g_autoptr(GError) error = NULL;

        raw_init(&body, big);
        fill_u32(&body, GUINT_TO_POINTER(0));
        message = raw_call(&body, "h");
        header = vb_message_parse_header(message->data, message->len, &error);
        g_assert_no_error(error);
        g_assert_cmpint(header->type, ==, VB_MESSAGE_METHOD_CALL);
        g_assert_cmpuint(header->serial, ==, 1);
        g_assert_cmpstr(header->member, ==, "Lookup");
        g_assert_cmpstr(header->signature, ==, "h");
        g_assert_cmpuint(g_variant_n_children(header->body), ==, 0);
    }
}

static void
fill_u8_u32(Raw *body, gconstpointer data)
{
    raw_u8(body, 1);
    raw_u32(body, GPOINTER_TO_UINT(data));
}

static void
test_hostile_body(void)
{
    /* the signature and the body disagree */
    check_raw_body("u", fill_u32, GUINT_TO_POINTER(1), NULL);
    check_raw_body("uu", fill_u32, GUINT_TO_POINTER(1), "ends");
    check_raw_body("t", fill_u32, GUINT_TO_POINTER(1), "ends");
    check_raw_body("s", fill_u32, GUINT_TO_POINTER(1), "runs past the end");
    check_raw_body("y", fill_u32, GUINT_TO_POINTER(1), "follow the body");
    check_raw_body(NULL, fill_u32, GUINT_TO_POINTER(1), "has no signature");
    check_raw_body("", fill_u32, GUINT_TO_POINTER(1), "has no signature");
    check_raw_body("u", fill_nothing, NULL, "ends");
    /* booleans */
    check_raw_body("b", fill_u32, GUINT_TO_POINTER(0), NULL);
    check_raw_body("b", fill_u32, GUINT_TO_POINTER(1), NULL);
    check_raw_body("b", fill_u32, GUINT_TO_POINTER(2), "neither 0 nor 1");
    check_raw_body("b", fill_u32, GUINT_TO_POINTER(0x100), "neither 0 nor 1");

    for (int big = 0; big <= 1; big++) {
        g_auto(Raw) body = {NULL, FALSE};
        g_autoptr(GByteArray) message = NULL;
        guint32 fields_size;

        /* padding in the body */
        raw_init(&body, big);
        fill_u8_u32(&body, GUINT_TO_POINTER(5));
        message = raw_call(&body, "yu");
        assert_accepted(message->data, message->len);
        message->data[message->len - 6] = 1;
        assert_refused(message->data, message->len, "padding byte is not zero");
        g_clear_pointer(&message, g_byte_array_unref);

        /* padding between the header and the body */
        message = raw_call(&body, "yu");
        memcpy(&fields_size, message->data + 12, 4);
        fields_size = big ? GUINT32_FROM_BE(fields_size) : GUINT32_FROM_LE(fields_size);
        g_assert_cmpuint((16 + fields_size) % 8, !=, 0);
        message->data[16 + fields_size] = 0x20;
        assert_refused(message->data, message->len, "padding byte is not zero");
        g_clear_pointer(&message, g_byte_array_unref);

        /* padding after an array's length, even an empty one's */
        g_byte_array_set_size(body.bytes, 0);
        raw_u32(&body, 0);
        raw_u32(&body, 0x01000000);
        message = raw_call(&body, "a(y)");
        assert_refused(message->data, message->len, "padding byte is not zero");
        g_clear_pointer(&message, g_byte_array_unref);
        g_byte_array_set_size(body.bytes, 4);
        raw_u32(&body, 0);
        message = raw_call(&body, "a(y)");
        assert_accepted(message->data, message->len);
        g_clear_pointer(&message, g_byte_array_unref);
    }
}

static void
fill_array(Raw *body, gconstpointer data)
{
    raw_u32(body, GPOINTER_TO_UINT(data));
    raw_bytes(body, "\1\2\3\4\5\6\7\10", 8);
}

static void
fill_array8(Raw *body, gconstpointer data)
{
    raw_u32(body, GPOINTER_TO_UINT(data));
    raw_pad(body, 8);
    raw_bytes(body, "\1\2\3\4\5\6\7\10", 8);
}

static void
fill_struct_array(Raw *body, gconstpointer data)
{
    /* (uu) elements: 8 bytes each, the array holds @data bytes of 16 */
    raw_u32(body, GPOINTER_TO_UINT(data));
    raw_pad(body, 8);
    raw_u32(body, 1);
    raw_u32(body, 2);
    raw_u32(body, 3);
    raw_u32(body, 4);
}

static void
test_hostile_arrays(void)
{
    check_raw_body("ay", fill_array, GUINT_TO_POINTER(8), NULL);
    check_raw_body("ay", fill_array, GUINT_TO_POINTER(9), "runs past the end");
    check_raw_body("ay", fill_array, GUINT_TO_POINTER(G_MAXUINT32), "64 MiB");
    check_raw_body("ay", fill_array, GUINT_TO_POINTER(64 * 1024 * 1024 + 1), "64 MiB");
    check_raw_body("ay", fill_array, GUINT_TO_POINTER(64 * 1024 * 1024), "runs past the end");
    check_raw_body("au", fill_array, GUINT_TO_POINTER(6), "whole 4-byte elements");
    check_raw_body("ax", fill_array8, GUINT_TO_POINTER(8), NULL);
    check_raw_body("ax", fill_array8, GUINT_TO_POINTER(4), "whole 8-byte elements");
    check_raw_body("ax", fill_array, GUINT_TO_POINTER(8), "padding byte is not zero");
    check_raw_body("ab", fill_array, GUINT_TO_POINTER(4), "neither 0 nor 1");
    check_raw_body("as", fill_array, GUINT_TO_POINTER(8), "runs past the end");
    check_raw_body("a(uu)", fill_struct_array, GUINT_TO_POINTER(16), NULL);
    /* an element crossing the array's end */
    check_raw_body("a(uu)", fill_struct_array, GUINT_TO_POINTER(12), "ends");
    check_raw_body("a(uu)", fill_struct_array, GUINT_TO_POINTER(4), "ends");
}

/* @depth arrays of arrays around an empty array of bytes */
static void
fill_nested_arrays(Raw *body, gconstpointer data)
{
    guint depth = GPOINTER_TO_UINT(data);
    g_autofree gsize *at = g_new(gsize, depth);

    for (guint i = 0; i < depth; i++) {
        raw_u32(body, 0);
        at[i] = body->bytes->len;
    }
    for (guint i = 0; i < depth; i++)
        raw_patch_u32(body, at[i] - 4, body->bytes->len - at[i]);
}

/* an empty array of dict entries */
static void
fill_empty_dict(Raw *body, gconstpointer data)
{
    raw_u32(body, 0);
    raw_pad(body, 8);
}

/* @data structs nested around a byte */
static void
fill_nested_structs(Raw *body, gconstpointer data)
{
    raw_u8(body, 7);
}

/* @data variants nested around a byte */
static void
fill_nested_variants(Raw *body, gconstpointer data)
{
    for (guint i = 1; i < GPOINTER_TO_UINT(data); i++)
        raw_signature(body, "v");
    raw_signature(body, "y");
    raw_u8(body, 7);
}

/* 32 arrays around a variant holding @data arrays */
static void
fill_arrays_variant_arrays(Raw *body, gconstpointer data)
{
    g_autoptr(GArray) at = g_array_new(FALSE, FALSE, sizeof(gsize));
    g_autoptr(GString) inner = g_string_new(NULL);

    for (guint i = 0; i < 32; i++) {
        gsize start;

        raw_u32(body, 0);
        start = body->bytes->len;
        g_array_append_val(at, start);
    }
    for (guint i = 0; i < GPOINTER_TO_UINT(data); i++)
        g_string_append_c(inner, 'a');
    g_string_append_c(inner, 'y');
    raw_signature(body, inner->str);
    fill_nested_arrays(body, data);
    for (guint i = 0; i < at->len; i++) {
        gsize start = g_array_index(at, gsize, i);

        raw_patch_u32(body, start - 4, body->bytes->len - start);
    }
}

static char *
repeat(const char *prefix, guint n, const char *middle, const char *suffix)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < n; i++)
        g_string_append(s, prefix);
    g_string_append(s, middle);
    for (guint i = 0; i < n; i++)
        g_string_append(s, suffix);
    return g_string_free(s, FALSE);
}

static void
test_hostile_depth(void)
{
    g_autofree char *arrays32 = repeat("a", 32, "y", "");
    g_autofree char *arrays33 = repeat("a", 33, "y", "");
    g_autofree char *arrays200 = repeat("a", 200, "y", "");
    g_autofree char *structs32 = repeat("(", 32, "y", ")");
    g_autofree char *structs33 = repeat("(", 33, "y", ")");
    g_autofree char *dicts32 = repeat("a{s", 32, "y", "}");
    g_autofree char *dicts33 = repeat("a{s", 33, "y", "}");
    g_autofree char *arrays32v = repeat("a", 32, "v", "");

    check_raw_body(arrays32, fill_nested_arrays, GUINT_TO_POINTER(32), NULL);
    check_raw_body(arrays33, fill_nested_arrays, GUINT_TO_POINTER(33),
                   "arrays are nested more than 32 deep");
    check_raw_body(arrays200, fill_nested_arrays, GUINT_TO_POINTER(1), "more than 32 deep");
    check_raw_body(structs32, fill_nested_structs, NULL, NULL);
    check_raw_body(structs33, fill_nested_structs, NULL, "structs are nested more than 32 deep");
    check_raw_body(dicts32, fill_empty_dict, NULL, NULL);
    check_raw_body(dicts33, fill_empty_dict, NULL, "nested more than 32 deep");
    check_raw_body("v", fill_variant, arrays33, "arrays are nested more than 32 deep");
    check_raw_body("v", fill_variant, structs33, "structs are nested more than 32 deep");
    /* variants count towards the 64 of the whole value */
    check_raw_body("v", fill_nested_variants, GUINT_TO_POINTER(64), NULL);
    check_raw_body("v", fill_nested_variants, GUINT_TO_POINTER(65),
                   "values are nested more than 64 deep");
    check_raw_body("v", fill_nested_variants, GUINT_TO_POINTER(100000),
                   "values are nested more than 64 deep");
    check_raw_body(arrays32v, fill_arrays_variant_arrays, GUINT_TO_POINTER(31), NULL);
    check_raw_body(arrays32v, fill_arrays_variant_arrays, GUINT_TO_POINTER(32),
                   "values are nested more than 64 deep");
}

/* a message of @type with the fields @omit leaves out of a full set */
static GByteArray *
raw_fields_message(guint8 type, guint omit, guint32 serial)
{
    g_auto(Raw) fields = {NULL, FALSE};
    g_auto(Raw) body = {NULL, FALSE};

    raw_init(&fields, FALSE);
    raw_init(&body, FALSE);
    if (omit != 1)
        raw_field(&fields, 1, "o", TEST_PATH);
    if (omit != 2)
        raw_field(&fields, 2, "s", TEST_IFACE);
    if (omit != 3)
        raw_field(&fields, 3, "s", "Member");
    if (omit != 4)
        raw_field(&fields, 4, "s", "org.libvirt.Error.Failed");
    if (omit != 5)
        raw_field_u32(&fields, 5, 3);
    return raw_message(&fields, &body, type, serial);
}

static void
test_hostile_required_fields(void)
{
    static const struct {
        guint8 type;
        guint omit;
        const char *needle;
    } cases[] = {
        {VB_MESSAGE_METHOD_CALL, 1, "PATH is required"},
        {VB_MESSAGE_METHOD_CALL, 3, "MEMBER is required"},
        {VB_MESSAGE_METHOD_CALL, 2, NULL},
        {VB_MESSAGE_METHOD_RETURN, 5, "REPLY_SERIAL is required"},
        {VB_MESSAGE_METHOD_RETURN, 1, NULL},
        {VB_MESSAGE_ERROR, 4, "ERROR_NAME is required"},
        {VB_MESSAGE_ERROR, 5, "REPLY_SERIAL is required"},
        {VB_MESSAGE_SIGNAL, 1, "PATH is required"},
        {VB_MESSAGE_SIGNAL, 2, "INTERFACE is required"},
        {VB_MESSAGE_SIGNAL, 3, "MEMBER is required"},
        {VB_MESSAGE_SIGNAL, 4, NULL},
        {0, 0, "message type 0"},
        {5, 0, "message type 5"},
        {255, 0, "message type 255"},
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GByteArray) message = raw_fields_message(cases[i].type, cases[i].omit, 1);

        if (cases[i].needle != NULL)
            assert_refused(message->data, message->len, cases[i].needle);
        else
            assert_accepted(message->data, message->len);
    }
    for (guint type = 1; type <= 4; type++) {
        g_autoptr(GByteArray) message = raw_fields_message(type, 0, 0);

        assert_refused(message->data, message->len, "serial 0");
    }
}

/* a signal whose header fields @add adds to a valid set */
typedef void (*RawFields)(Raw *fields);

static void
check_raw_fields(RawFields add, const char *needle)
{
    for (int big = 0; big <= 1; big++) {
        g_auto(Raw) fields = {NULL, FALSE};
        g_auto(Raw) body = {NULL, FALSE};
        g_autoptr(GByteArray) message = NULL;

        raw_init(&fields, big);
        raw_init(&body, big);
        raw_field(&fields, 1, "o", TEST_PATH);
        add(&fields);
        raw_field(&fields, 3, "s", "Member");
        message = raw_message(&fields, &body, VB_MESSAGE_SIGNAL, 9);
        if (needle != NULL)
            assert_refused(message->data, message->len, needle);
        else
            assert_accepted(message->data, message->len);
    }
}

static void
add_interface(Raw *f)
{
    raw_field(f, 2, "s", TEST_IFACE);
}

static void
add_interface_twice(Raw *f)
{
    raw_field(f, 2, "s", TEST_IFACE);
    raw_field(f, 2, "s", TEST_IFACE);
}

static void
add_interface_as_object_path(Raw *f)
{
    raw_field(f, 2, "o", "/org/libvirt");
}

static void
add_sender_as_u32(Raw *f)
{
    add_interface(f);
    raw_field(f, 7, "u", "");
}

static void
add_reply_serial_as_string(Raw *f)
{
    add_interface(f);
    raw_field(f, 5, "s", "1");
}

static void
add_signature_as_string(Raw *f)
{
    add_interface(f);
    raw_field(f, 8, "s", "");
}

static void
add_reply_serial_0(Raw *f)
{
    add_interface(f);
    raw_field_u32(f, 5, 0);
}

static void
add_unix_fds(Raw *f)
{
    add_interface(f);
    raw_field_u32(f, 9, 0);
}

static void
add_code_0(Raw *f)
{
    add_interface(f);
    raw_field(f, 0, "s", "x");
}

static void
add_unknown(Raw *f)
{
    add_interface(f);
    raw_pad(f, 8);
    raw_u8(f, 42);
    raw_signature(f, "a(sv)");
    raw_u32(f, 0);
    raw_pad(f, 8);
    raw_field(f, 200, "s", "skipped");
}

static void
add_unknown_bad_utf8(Raw *f)
{
    add_interface(f);
    raw_field(f, 42, "s", "\xff");
}

static void
add_unknown_two_types(Raw *f)
{
    add_interface(f);
    raw_pad(f, 8);
    raw_u8(f, 42);
    raw_signature(f, "ss");
    raw_string(f, "a");
    raw_string(f, "b");
}

static void
add_unknown_handle(Raw *f)
{
    add_interface(f);
    raw_field_u32(f, 42, 0);
    f->bytes->data[f->bytes->len - 6] = 'h';
}

static void
add_bad_interface(Raw *f)
{
    raw_field(f, 2, "s", "org..libvirt");
}

static void
add_bad_interface_one_element(Raw *f)
{
    raw_field(f, 2, "s", "libvirt");
}

static void
add_bad_sender(Raw *f)
{
    add_interface(f);
    raw_field(f, 7, "s", "1.42");
}

static void
add_bad_destination(Raw *f)
{
    add_interface(f);
    raw_field(f, 6, "s", "org.libvirt.");
}

static void
add_bad_error_name(Raw *f)
{
    add_interface(f);
    raw_field(f, 4, "s", "Failed");
}

/* a nonzero byte between two fields */
static void
add_bad_padding(Raw *f)
{
    add_interface(f);
    g_assert_cmpuint(f->bytes->len % 8, !=, 0);
    raw_u8(f, 1);
}

static void
add_member_255(Raw *f)
{
    g_autofree char *member = g_strnfill(255, 'm');

    add_interface(f);
    raw_field(f, 3, "s", member);
}

static void
add_member_256(Raw *f)
{
    g_autofree char *member = g_strnfill(256, 'm');

    add_interface(f);
    raw_field(f, 3, "s", member);
}

static void
test_hostile_fields(void)
{
    g_auto(Raw) fields = {NULL, FALSE};
    g_auto(Raw) body = {NULL, FALSE};
    g_autoptr(GByteArray) message = NULL;
    g_autoptr(VbMessage) parsed = NULL;
    g_autoptr(GError) error = NULL;

    check_raw_fields(add_interface, NULL);
    check_raw_fields(add_unix_fds, NULL);
    check_raw_fields(add_unknown, NULL);
    check_raw_fields(add_interface_twice, "INTERFACE appears twice");
    check_raw_fields(add_interface_as_object_path, "INTERFACE has type \"o\", not \"s\"");
    check_raw_fields(add_sender_as_u32, "SENDER has type \"u\"");
    check_raw_fields(add_reply_serial_as_string, "REPLY_SERIAL has type \"s\"");
    check_raw_fields(add_signature_as_string, "SIGNATURE has type \"s\"");
    check_raw_fields(add_reply_serial_0, "REPLY_SERIAL is 0");
    check_raw_fields(add_code_0, "code 0");
    check_raw_fields(add_unknown_bad_utf8, "UTF-8");
    check_raw_fields(add_unknown_two_types, "more than one complete type");
    check_raw_fields(add_unknown_handle, "unix fds");
    check_raw_fields(add_bad_interface, "INTERFACE \"org..libvirt\" is invalid");
    check_raw_fields(add_bad_interface_one_element, "INTERFACE \"libvirt\" is invalid");
    check_raw_fields(add_bad_sender, "SENDER \"1.42\" is invalid");
    check_raw_fields(add_bad_destination, "DESTINATION");
    check_raw_fields(add_bad_error_name, "ERROR_NAME");
    check_raw_fields(add_bad_padding, "padding");
    check_raw_fields(add_member_255, "MEMBER appears twice");
    check_raw_fields(add_member_256, "MEMBER \"mmmm");

    /* the fields a message carries, unknown ones left out */
    raw_init(&fields, TRUE);
    raw_init(&body, TRUE);
    raw_field(&fields, 1, "o", "/");
    raw_field(&fields, 2, "s", "a.b");
    raw_field(&fields, 3, "s", "M");
    raw_field(&fields, 4, "s", "c.d");
    raw_field_u32(&fields, 5, 77);
    raw_field(&fields, 6, "s", ":1.1");
    raw_field(&fields, 7, "s", "e.f");
    raw_field_u32(&fields, 9, 3);
    raw_field(&fields, 99, "s", "x");
    message = raw_message(&fields, &body, VB_MESSAGE_ERROR, 0xfedcba98);
    parsed = parse_exact(message->data, message->len, &error);
    g_assert_no_error(error);
    g_assert_cmpint(parsed->type, ==, VB_MESSAGE_ERROR);
    g_assert_cmpuint(parsed->serial, ==, 0xfedcba98);
    g_assert_cmpstr(parsed->path, ==, "/");
    g_assert_cmpstr(parsed->interface, ==, "a.b");
    g_assert_cmpstr(parsed->member, ==, "M");
    g_assert_cmpstr(parsed->error_name, ==, "c.d");
    g_assert_cmpuint(parsed->reply_serial, ==, 77);
    g_assert_cmpstr(parsed->destination, ==, ":1.1");
    g_assert_cmpstr(parsed->sender, ==, "e.f");
    g_assert_cmpstr(parsed->signature, ==, "");
    g_assert_cmpuint(parsed->unix_fds, ==, 3);
    g_assert_cmpstr(g_variant_get_type_string(parsed->body), ==, "()");
}

/* ---- writing what D-Bus cannot carry ---- */

static void
assert_write_refused(VbMessageType type, guint32 serial, guint32 reply_serial,
                     const char *destination, const char *path, const char *interface,
                     const char *member, const char *error_name, GVariant *body, gint code,
                     const char *needle)
{
    g_autoptr(GByteArray) out = g_byte_array_new();
    g_autoptr(GError) error = NULL;

    g_byte_array_append(out, (const guint8 *)"abc", 3);
    g_assert_false(vb_message_write(out, type, 0, serial, reply_serial, destination, path,
                                    interface, member, error_name, body, &error));
    g_assert_error(error, G_IO_ERROR, code);
    if (strstr(error->message, needle) == NULL)
        g_error("\"%s\" does not say \"%s\"", error->message, needle);
    g_assert_cmpuint(out->len, ==, 3);
    g_assert_cmpmem(out->data, 3, "abc", 3);
}

static void
assert_body_refused(const char *text, const char *needle)
{
    assert_write_refused(VB_MESSAGE_METHOD_RETURN, 2, 1, NULL, NULL, NULL, NULL, NULL,
                         g_variant_new_parsed(text), G_IO_ERROR_INVALID_ARGUMENT, needle);
}

static GVariant *
nested_variants(guint n)
{
    GVariant *value = g_variant_new_byte(1);

    for (guint i = 0; i < n; i++)
        value = g_variant_new_variant(value);
    return g_variant_new_tuple(&value, 1);
}

static void
test_write_refused(void)
{
    GString *wide = g_string_new("(");
    g_autofree char *wide_text = NULL;
    g_autofree char *member256 = g_strnfill(256, 'm');
    g_autoptr(GByteArray) out = g_byte_array_new();
    g_autoptr(GError) error = NULL;

    assert_body_refused("(@mi 5,)", "cannot be sent");
    assert_body_refused("(@(s()) ('a', ()),)", "a struct is empty");
    assert_body_refused("(<()>,)", "a variant of type \"()\" cannot be sent");
    assert_body_refused("(<@mi nothing>,)", "a variant of type \"mi\"");
    assert_body_refused("(<{'a', 1}>,)", "a dict entry is not an array's element");
    assert_body_refused("(signature '()',)", "signature \"()\" cannot be sent");
    assert_body_refused("(signature '{sv}',)", "cannot be sent");
    assert_body_refused("(handle 0,)", "unix fds");
    assert_body_refused("([handle 0],)", "unix fds");
    assert_body_refused("(<handle 0>,)", "unix fds");
    assert_body_refused("'not a tuple'", "is not a tuple");
    for (guint i = 0; i < 256; i++)
        g_string_append(wide, i == 0 ? "byte 0" : ", byte 0");
    g_string_append(wide, ")");
    wide_text = g_string_free(wide, FALSE);
    assert_body_refused(wide_text, "longer than 255 bytes");
    assert_write_refused(VB_MESSAGE_METHOD_RETURN, 2, 1, NULL, NULL, NULL, NULL, NULL,
                         nested_variants(65), G_IO_ERROR_INVALID_ARGUMENT,
                         "nested more than 64 deep");
    g_assert_true(vb_message_write(out, VB_MESSAGE_METHOD_RETURN, 0, 2, 1, NULL, NULL, NULL, NULL,
                                   NULL, nested_variants(64), &error));
    g_assert_no_error(error);

    /* the header */
    assert_write_refused(VB_MESSAGE_METHOD_CALL, 1, 0, NULL, "//", NULL, "M", NULL, NULL,
                         G_IO_ERROR_INVALID_ARGUMENT, "PATH \"//\" is invalid");
    assert_write_refused(VB_MESSAGE_METHOD_CALL, 1, 0, NULL, "/", NULL, NULL, NULL, NULL,
                         G_IO_ERROR_INVALID_ARGUMENT, "MEMBER is required");
    assert_write_refused(VB_MESSAGE_METHOD_CALL, 1, 0, NULL, "/", NULL, "a.b", NULL, NULL,
                         G_IO_ERROR_INVALID_ARGUMENT, "MEMBER \"a.b\" is invalid");
    assert_write_refused(VB_MESSAGE_METHOD_CALL, 1, 0, NULL, "/", NULL, member256, NULL, NULL,
                         G_IO_ERROR_INVALID_ARGUMENT, "MEMBER");
    g_assert_true(vb_message_write(out, VB_MESSAGE_METHOD_CALL, 0, 2, 0, NULL, "/", NULL,
                                   member256 + 1, NULL, NULL, &error));
    g_assert_no_error(error);
    assert_write_refused(VB_MESSAGE_METHOD_CALL, 1, 0, "-", "/", NULL, "M", NULL,
                         g_variant_new("(s)", "leaked?"), G_IO_ERROR_INVALID_ARGUMENT,
                         "DESTINATION");
    assert_write_refused(VB_MESSAGE_SIGNAL, 1, 0, NULL, "/", NULL, "M", NULL, NULL,
                         G_IO_ERROR_INVALID_ARGUMENT, "INTERFACE is required");
    assert_write_refused(VB_MESSAGE_SIGNAL, 1, 0, NULL, "/", "x", "M", NULL, NULL,
                         G_IO_ERROR_INVALID_ARGUMENT, "INTERFACE \"x\" is invalid");
    assert_write_refused(VB_MESSAGE_ERROR, 1, 1, NULL, NULL, NULL, NULL, NULL, NULL,
                         G_IO_ERROR_INVALID_ARGUMENT, "ERROR_NAME is required");
    assert_write_refused(VB_MESSAGE_ERROR, 1, 1, NULL, NULL, NULL, NULL, "e", NULL,
                         G_IO_ERROR_INVALID_ARGUMENT, "ERROR_NAME \"e\" is invalid");
    assert_write_refused(VB_MESSAGE_METHOD_RETURN, 1, 0, NULL, NULL, NULL, NULL, NULL, NULL,
                         G_IO_ERROR_INVALID_ARGUMENT, "REPLY_SERIAL is required");
    assert_write_refused(VB_MESSAGE_METHOD_RETURN, 0, 1, NULL, NULL, NULL, NULL, NULL, NULL,
                         G_IO_ERROR_INVALID_ARGUMENT, "serial 0");
    assert_write_refused(VB_MESSAGE_INVALID, 1, 1, NULL, NULL, NULL, NULL, NULL, NULL,
                         G_IO_ERROR_INVALID_ARGUMENT, "message type 0");
    assert_write_refused(5, 1, 1, NULL, NULL, NULL, NULL, NULL, NULL, G_IO_ERROR_INVALID_ARGUMENT,
                         "message type 5");
}

/* arrays over 64 MiB, messages over 128 MiB */
static void
test_write_too_large(void)
{
    gsize size = 64 * 1024 * 1024 + 1;
    g_autofree guint8 *bytes = g_malloc0(size);
    g_autofree char *text = g_malloc(48 * 1024 * 1024 + 1);
    g_autofree char *path = NULL;
    g_autoptr(GVariant) string = NULL;
    GVariant *strings[3];

    assert_write_refused(
        VB_MESSAGE_METHOD_RETURN, 2, 1, NULL, NULL, NULL, NULL, NULL,
        g_variant_new("(@ay)", g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, bytes, size, 1)),
        G_IO_ERROR_INVALID_ARGUMENT, "64 MiB");
    memset(text, 'x', 48 * 1024 * 1024);
    text[48 * 1024 * 1024] = '\0';

    string = g_variant_ref_sink(g_variant_new_string(text));
    for (guint i = 0; i < G_N_ELEMENTS(strings); i++)
        strings[i] = string;
    assert_write_refused(VB_MESSAGE_METHOD_RETURN, 2, 1, NULL, NULL, NULL, NULL, NULL,
                         g_variant_new_tuple(strings, G_N_ELEMENTS(strings)),
                         G_IO_ERROR_MESSAGE_TOO_LARGE, "128 MiB");
    g_clear_pointer(&string, g_variant_unref);
    g_clear_pointer(&text, g_free);

    /* a header over 64 MiB: only a path has no length limit */
    path = g_malloc(size + 1);
    memset(path, 'x', size);
    path[0] = '/';
    path[size] = '\0';
    assert_write_refused(VB_MESSAGE_METHOD_CALL, 2, 0, NULL, path, NULL, "M", NULL, NULL,
                         G_IO_ERROR_MESSAGE_TOO_LARGE, "the header fields would be over");
}

/* ---- bodies written by the caller ---- */

/* GetAll's shape written by hand: the same bytes as the GVariant it stands for, after a
 * header whose length is not a multiple of 8 */
static void
test_write_body_by_hand(void)
{
    g_autoptr(GByteArray) body = g_byte_array_new();
    g_autoptr(GByteArray) by_hand = g_byte_array_new();
    g_autoptr(GByteArray) by_variant = g_byte_array_new();
    g_autoptr(GVariantBuilder) builder = g_variant_builder_new(G_VARIANT_TYPE("a{sv}"));
    g_autoptr(GError) error = NULL;
    g_autoptr(VbMessage) parsed = NULL;
    GVariant *values[] = {g_variant_new_string("dom-ŝ"), g_variant_new_uint64(G_MAXUINT64),
                          g_variant_new_boolean(TRUE), g_variant_new_parsed("[(1, 'x')]")};
    const char *names[] = {"Name", "Memory", "Active", "Pairs"};
    gsize start;

    vb_wire_put_u32(body, 0);
    vb_wire_align(body, 8);
    start = body->len;
    for (guint i = 0; i < G_N_ELEMENTS(values); i++) {
        g_variant_ref_sink(values[i]);
        vb_wire_align(body, 8);
        vb_wire_put_string(body, names[i]);
        vb_wire_put_signature(body, "v");
        vb_wire_put_signature(body, g_variant_get_type_string(values[i]));
        g_assert_true(vb_wire_put_value(body, values[i], &error));
        g_assert_no_error(error);
        g_variant_builder_add(builder, "{sv}", names[i], g_variant_new_variant(values[i]));
    }
    vb_wire_set_u32(body, 0, body->len - start);

    g_assert_true(vb_message_write_body(by_hand, VB_MESSAGE_METHOD_RETURN, 0, 7, 3, ":1.9", NULL,
                                        NULL, NULL, NULL, "a{sv}", body->data, body->len, &error));
    g_assert_no_error(error);
    g_assert_true(vb_message_write(by_variant, VB_MESSAGE_METHOD_RETURN, 0, 7, 3, ":1.9", NULL,
                                   NULL, NULL, NULL, g_variant_new("(a{sv})", builder), &error));
    g_assert_no_error(error);
    g_assert_cmpmem(by_hand->data, by_hand->len, by_variant->data, by_variant->len);
    parsed = vb_message_parse(by_hand->data, by_hand->len, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(parsed->signature, ==, "a{sv}");
    for (guint i = 0; i < G_N_ELEMENTS(values); i++)
        g_variant_unref(values[i]);

    /* a variant of a type D-Bus cannot carry is refused, and the body is left as it was */
    {
        g_autoptr(GVariant) empty = g_variant_ref_sink(g_variant_new("()"));
        guint len = body->len;

        g_assert_false(vb_wire_put_variant(body, empty, &error));
        g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
        g_assert_cmpuint(body->len, ==, len);
        g_clear_error(&error);
    }

    /* a signature D-Bus cannot carry is refused, and the buffer is left as it was */
    g_assert_false(vb_message_write_body(by_hand, VB_MESSAGE_METHOD_RETURN, 0, 8, 3, ":1.9", NULL,
                                         NULL, NULL, NULL, "a{vs}", body->data, body->len, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_assert_cmpuint(by_hand->len, ==, by_variant->len);
}

/* ---- the fuzzer's corpus ---- */

static void
test_fuzz_corpus(void)
{
    g_autoptr(GPtrArray) paths = vb_test_corpus("wire");
    g_autoptr(GError) error = NULL;
    guint failures = 0;
    guint accepted = 0;

    for (guint i = 0; i < paths->len; i++) {
        const char *path = paths->pdata[i];
        g_autofree char *data = NULL;
        g_autofree char *problem = NULL;
        g_autoptr(VbMessage) message = NULL;
        gsize size = 0;

        g_file_get_contents(path, &data, &size, &error);
        g_assert_no_error(error);
        problem = vb_fuzz_wire((const guint8 *)data, size);
        if (problem != NULL) {
            /* every broken input is listed before the test fails */
            g_test_message("%s: %s", path, problem);
            failures++;
        }
        message = parse_exact((const guint8 *)data, size, NULL);
        accepted += message != NULL;
    }
    g_test_message("%u wire inputs replayed, %u accepted, %u broken", paths->len, accepted,
                   failures);
    /* the seeds are valid messages */
    g_assert_cmpuint(accepted, >, 0);
    if (failures > 0)
        g_test_fail_printf("%u of the wire inputs break the round trip", failures);
}

/* ---- time ---- */

static double
seconds_per_run(void (*run)(gconstpointer), gconstpointer data, guint runs)
{
    gint64 start;

    run(data);
    start = g_get_monotonic_time();
    for (guint i = 0; i < runs; i++)
        run(data);
    return (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC / runs;
}

static void
run_parse(gconstpointer data)
{
    const GByteArray *bytes = data;
    g_autoptr(VbMessage) message = vb_message_parse(bytes->data, bytes->len, NULL);

    g_assert_nonnull(message);
}

typedef struct {
    GByteArray *out;
    GVariant *body;
} WriteRun;

static void
run_write(gconstpointer data)
{
    const WriteRun *run = data;

    g_byte_array_set_size(run->out, 0);
    if (!vb_message_write(run->out, VB_MESSAGE_METHOD_RETURN, 0, 1234, 77, TEST_SENDER, NULL, NULL,
                          NULL, NULL, run->body, NULL))
        g_assert_not_reached();
}

/* the budgets are for a release build; under sanitizers the numbers are only printed
 * (run with -m perf to enforce them) */
static void
test_speed(void)
{
    g_autoptr(GDBusMessage) gio =
        g_dbus_message_new_method_call(TEST_NAME, TEST_PATH, TEST_IFACE, "GetXMLDesc");
    g_autoptr(GVariant) reply = NULL;
    g_autoptr(GVariant) paths = NULL;
    g_autoptr(GVariant) serialised_paths = NULL;
    g_autoptr(GByteArray) call = g_byte_array_new();
    g_autoptr(GByteArray) out = g_byte_array_sized_new(4096);
    g_autoptr(GError) error = NULL;
    g_autofree guchar *blob = NULL;
    g_autofree char *text = g_malloc(2049);
    GVariant *child;
    gsize size = 0;
    double parse;
    double write;
    double write_paths;
    double write_serialised;

    g_dbus_message_set_serial(gio, 12);
    g_dbus_message_set_sender(gio, TEST_SENDER);
    g_dbus_message_set_body(gio, g_variant_new("(su)", "flags", 0));
    blob = g_dbus_message_to_blob(gio, &size, G_DBUS_CAPABILITY_FLAGS_NONE, &error);
    g_assert_no_error(error);
    g_byte_array_append(call, blob, (guint)size);

    memset(text, 'x', 2048);
    text[2048] = '\0';
    child = g_variant_new_string(text);
    reply = g_variant_ref_sink(g_variant_new_tuple(&child, 1));
    child = make_object_paths(10000);
    paths = g_variant_ref_sink(g_variant_new_tuple(&child, 1));
    /* the service's list replies are built serialised (connect.c) */
    child = make_object_paths(10000);
    g_variant_get_data(child);
    serialised_paths = g_variant_ref_sink(g_variant_new_tuple(&child, 1));

    parse = seconds_per_run(run_parse, call, 200000);
    write = seconds_per_run(run_write, &(WriteRun){out, reply}, 200000);
    write_paths = seconds_per_run(run_write, &(WriteRun){out, paths}, 200);
    write_serialised = seconds_per_run(run_write, &(WriteRun){out, serialised_paths}, 200);
    g_test_message("parse a %zu-byte call with (su): %.3f us", size, parse * 1e6);
    g_test_message("write a return with a 2 KiB string: %.3f us", write * 1e6);
    g_test_message("write a return with 10000 object paths: %.1f us serialised, %.1f us as a "
                   "tree of GVariants",
                   write_serialised * 1e6, write_paths * 1e6);
    if (g_test_perf()) {
        g_test_minimized_result(parse, "parse (su) call: %g s", parse);
        g_test_minimized_result(write, "write 2 KiB return: %g s", write);
        g_test_minimized_result(write_serialised, "write ao[10000]: %g s", write_serialised);
        g_assert_cmpfloat(parse, <=, 1.5e-6);
        g_assert_cmpfloat(write, <=, 1e-6);
        g_assert_cmpfloat(write_serialised, <=, 0.25e-3);
        /* a tree costs GLib's locks per child, whoever walks it */
        g_assert_cmpfloat(write_paths, <=, 1e-3);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/wire/gio/bodies", test_gio_bodies);
    g_test_add_func("/wire/gio/large", test_gio_large);
    g_test_add_func("/wire/write/read-by-gio", test_write_read_by_gio);
    g_test_add_func("/wire/write/body-ownership", test_write_body_ownership);
    g_test_add_func("/wire/write/untrusted-arrays", test_write_untrusted_arrays);
    g_test_add_func("/wire/write/two-in-one-buffer", test_write_two_in_one_buffer);
    g_test_add_func("/wire/write/refused", test_write_refused);
    g_test_add_func("/wire/write/too-large", test_write_too_large);
    g_test_add_func("/wire/write/body-by-hand", test_write_body_by_hand);
    g_test_add_func("/wire/message/lifetime", test_message_lifetime);
    g_test_add_func("/wire/hostile/raw-valid", test_raw_valid);
    g_test_add_func("/wire/hostile/truncation", test_hostile_truncation);
    g_test_add_func("/wire/hostile/prefix", test_hostile_prefix);
    g_test_add_func("/wire/hostile/lengths", test_hostile_lengths);
    g_test_add_func("/wire/hostile/strings", test_hostile_strings);
    g_test_add_func("/wire/hostile/signatures", test_hostile_signatures);
    g_test_add_func("/wire/hostile/body", test_hostile_body);
    g_test_add_func("/wire/hostile/arrays", test_hostile_arrays);
    g_test_add_func("/wire/hostile/depth", test_hostile_depth);
    g_test_add_func("/wire/hostile/required-fields", test_hostile_required_fields);
    g_test_add_func("/wire/hostile/fields", test_hostile_fields);
    g_test_add_func("/wire/fuzz-corpus", test_fuzz_corpus);
    g_test_add_func("/wire/speed", test_speed);
    return g_test_run();
}
