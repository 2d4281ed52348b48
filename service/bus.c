/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus"

#include "bus.h"

#include <errno.h>
#include <glib-unix.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#define VB_BUS_DAEMON      "org.freedesktop.DBus"
#define VB_BUS_DAEMON_PATH "/org/freedesktop/DBus"
#define VB_PEER_IFACE      "org.freedesktop.DBus.Peer"
/* how long startup waits for the bus to answer */
#define VB_BUS_STARTUP_TIMEOUT_MS 25000
/* buffers that grew past this for one big message are given back afterwards */
#define VB_BUS_KEEP_BUFFER (1024 * 1024)
/* replies not yet taken by the bus past which the service stops reading calls */
#define VB_BUS_MAX_BACKLOG (32 * 1024 * 1024)
/* how long a call to the bus may go unanswered, as GDBus's default */
#define VB_BUS_CALL_TIMEOUT_MS 25000

typedef struct {
    VbBus *bus;
    guint32 serial;
    VbBusReplyFunc done;
    gpointer data;
    GSource *timeout;
} VbPending;

typedef struct {
    guint id;
    char *sender;
    char *interface;
    char *member;
    char *path;
    char *arg0;
    char *rule;
    VbBusSignalFunc handler;
    gpointer data;
} VbSubscription;

struct _VbBus {
    GIOStream *stream; /* owns the socket */
    int fd;
    char *unique_name;
    char *machine_id;

    guint8 *in; /* bytes read and not yet dispatched */
    gsize in_len;
    gsize in_cap;
    GByteArray *out; /* bytes queued and not yet written, from out_pos */
    gsize out_pos;

    guint32 serial;
    GHashTable *pending; /* serial → VbPending */
    GPtrArray *subscriptions;
    guint last_subscription;

    GSource *in_source;
    GSource *out_source;
    GSource *idle_source; /* dispatches what is buffered, or closes a broken connection */
    VbBusCallFunc on_call;
    VbBusClosedFunc on_closed;
    gpointer user_data;
    gboolean dispatching; /* replies are written once the batch read is dispatched */
    GError *broken;       /* a write failed: the connection closes from the main loop */
    gboolean closed;
};

static void vb_bus_close(VbBus *bus, const GError *error);
static gboolean vb_bus_write_some(VbBus *bus);
static void vb_bus_schedule(VbBus *bus);

static void
vb_pending_free(VbPending *pending)
{
    if (pending->timeout != NULL) {
        g_source_destroy(pending->timeout);
        g_source_unref(pending->timeout);
    }
    g_free(pending);
}

/* the answer to a call, once: the table no longer holds it */
static void
vb_pending_finish(VbPending *pending, VbMessage *reply, const GError *error)
{
    pending->done(pending->bus, reply, error, pending->data);
    vb_pending_free(pending);
}

static void
vb_subscription_free(VbSubscription *sub)
{
    g_free(sub->sender);
    g_free(sub->interface);
    g_free(sub->member);
    g_free(sub->path);
    g_free(sub->arg0);
    g_free(sub->rule);
    g_free(sub);
}

/* ---- blocking steps of the startup ---- */

static gboolean
vb_bus_wait(int fd, short events, gint64 deadline, GError **error)
{
    for (;;) {
        struct pollfd pfd = {fd, events, 0};
        gint64 left = (deadline - g_get_monotonic_time()) / 1000;
        int n;

        if (left <= 0) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "the bus did not answer");
            return FALSE;
        }
        n = poll(&pfd, 1, (int)MIN(left, G_MAXINT));
        if (n > 0)
            return TRUE;
        if (n < 0 && errno != EINTR) {
            g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "poll: %s",
                        g_strerror(errno));
            return FALSE;
        }
    }
}

static gboolean
vb_bus_send_all(int fd, const void *data, gsize len, gint64 deadline, GError **error)
{
    const guint8 *p = data;

    while (len > 0) {
        gssize n = send(fd, p, len, MSG_NOSIGNAL);

        if (n > 0) {
            p += n;
            len -= n;
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!vb_bus_wait(fd, POLLOUT, deadline, error))
                return FALSE;
        } else {
            g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
                        "cannot write to the bus: %s", g_strerror(errno));
            return FALSE;
        }
    }
    return TRUE;
}

/* appends what the socket has to bus->in; FALSE at the end of the stream or an error */
static gboolean
vb_bus_read_some(VbBus *bus, gboolean *would_block, GError **error)
{
    gssize n;

    if (bus->in_cap - bus->in_len < 4096) {
        bus->in_cap = MAX(MIN(bus->in_cap * 2, bus->in_cap + VB_BUS_KEEP_BUFFER), 16384);
        bus->in = g_realloc(bus->in, bus->in_cap);
    }
    *would_block = FALSE;
    n = recv(bus->fd, bus->in + bus->in_len, bus->in_cap - bus->in_len, MSG_DONTWAIT);
    if (n > 0) {
        bus->in_len += n;
        return TRUE;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        *would_block = TRUE;
        return TRUE;
    }
    if (n == 0)
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                    "the bus closed the connection");
    else
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "cannot read from the bus: %s",
                    g_strerror(errno));
    return FALSE;
}

/* SASL EXTERNAL: the bus knows our uid from the socket, we only name it */
static gboolean
vb_bus_authenticate(VbBus *bus, gint64 deadline, GError **error)
{
    g_autofree char *uid = g_strdup_printf("%u", (guint)geteuid());
    g_autoptr(GString) hello = g_string_new(NULL);
    char *eol;

    g_string_append_c(hello, '\0');
    g_string_append(hello, "AUTH EXTERNAL ");
    for (const char *p = uid; *p != '\0'; p++)
        g_string_append_printf(hello, "%02x", (guint)(guchar)*p);
    g_string_append(hello, "\r\n");
    if (!vb_bus_send_all(bus->fd, hello->str, hello->len, deadline, error))
        return FALSE;
    /* the bus says nothing more until we BEGIN, so the line is all there is */
    for (;;) {
        gboolean would_block;

        if (!vb_bus_read_some(bus, &would_block, error))
            return FALSE;
        eol = memchr(bus->in, '\n', bus->in_len);
        if (eol != NULL)
            break;
        if (bus->in_len > 4096) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                        "the bus answered authentication with nonsense");
            return FALSE;
        }
        if (would_block && !vb_bus_wait(bus->fd, POLLIN, deadline, error))
            return FALSE;
    }
    if (bus->in_len < 3 || memcmp(bus->in, "OK ", 3) != 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                    "the bus refused authentication: %.*s", (int)(eol - (char *)bus->in),
                    (char *)bus->in);
        return FALSE;
    }
    bus->in_len = 0;
    return vb_bus_send_all(bus->fd, "BEGIN\r\n", 7, deadline, error);
}

/* ---- messages ---- */

static guint32
vb_bus_next_serial(VbBus *bus)
{
    if (++bus->serial == 0)
        bus->serial = 1;
    return bus->serial;
}

/* a body already marshalled, and its signature */
typedef struct {
    const char *signature;
    GByteArray *bytes;
} VbRawBody;

/* queues one message and, outside a dispatched batch, writes it; the serial, or 0. The
 * body is @body, or @raw when that is not NULL */
static guint32
vb_bus_queue(VbBus *bus, VbMessageType type, guint8 flags, guint32 reply_serial,
             const char *destination, const char *path, const char *interface, const char *member,
             const char *error_name, GVariant *body, const VbRawBody *raw)
{
    g_autoptr(GError) error = NULL;
    guint32 serial = vb_bus_next_serial(bus);
    gboolean ok;

    if (bus->closed || bus->broken != NULL) {
        if (body != NULL)
            g_variant_unref(g_variant_ref_sink(body));
        return 0;
    }
    if (raw != NULL)
        ok = vb_message_write_body(bus->out, type, flags, serial, reply_serial, destination, path,
                                   interface, member, error_name, raw->signature, raw->bytes->data,
                                   raw->bytes->len, &error);
    else
        ok = vb_message_write(bus->out, type, flags, serial, reply_serial, destination, path,
                              interface, member, error_name, body, &error);
    if (!ok) {
        g_warning("cannot send %s: %s", member != NULL ? member : "a reply", error->message);
        if (type != VB_MESSAGE_METHOD_RETURN)
            return 0;
        /* the caller still gets an answer */
        g_autofree char *text = g_strdup_printf("internal error: %s", error->message);

        if (!vb_message_write(bus->out, VB_MESSAGE_ERROR, flags, serial, reply_serial, destination,
                              NULL, NULL, NULL, "org.libvirt.Error", g_variant_new("(s)", text),
                              NULL))
            return 0;
    }
    if (!bus->dispatching)
        vb_bus_write_some(bus);
    return serial;
}

static gboolean
vb_bus_on_writable(int fd, GIOCondition condition, gpointer user_data)
{
    VbBus *bus = user_data;

    vb_bus_write_some(bus);
    return G_SOURCE_CONTINUE;
}

static gboolean vb_bus_on_readable(int fd, GIOCondition condition, gpointer user_data);

/* reading stops while the bus does not take our replies, so a client that floods us
 * with calls it does not read the answers of cannot make us buffer without bound */
static void
vb_bus_set_reading(VbBus *bus, gboolean on)
{
    if (on && bus->in_source == NULL && bus->on_call != NULL && !bus->closed) {
        bus->in_source = g_unix_fd_source_new(bus->fd, G_IO_IN);
        g_source_set_callback(bus->in_source, G_SOURCE_FUNC(vb_bus_on_readable), bus, NULL);
        g_source_attach(bus->in_source, NULL);
    } else if (!on && bus->in_source != NULL) {
        g_source_destroy(bus->in_source);
        g_clear_pointer(&bus->in_source, g_source_unref);
    }
}

/* writes what the socket takes now; the rest waits for it to be writable. A failure
 * does not close the connection here, in the middle of whoever queued the message: the
 * main loop does, next */
static gboolean
vb_bus_write_some(VbBus *bus)
{
    while (bus->out_pos < bus->out->len && bus->broken == NULL) {
        gssize n = send(bus->fd, bus->out->data + bus->out_pos, bus->out->len - bus->out_pos,
                        MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n > 0) {
            bus->out_pos += n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            if (bus->out_source == NULL) {
                bus->out_source = g_unix_fd_source_new(bus->fd, G_IO_OUT);
                g_source_set_callback(bus->out_source, G_SOURCE_FUNC(vb_bus_on_writable), bus,
                                      NULL);
                g_source_attach(bus->out_source, NULL);
            }
            /* what was sent is given back, so a backlog that never drains does not grow;
             * once it is the larger half, so that the moves cost O(1) per byte */
            if (bus->out_pos >= 65536 && bus->out_pos >= bus->out->len / 2) {
                g_byte_array_remove_range(bus->out, 0, (guint)bus->out_pos);
                bus->out_pos = 0;
            }
            if (bus->out->len - bus->out_pos > VB_BUS_MAX_BACKLOG)
                vb_bus_set_reading(bus, FALSE);
            return FALSE;
        }
        bus->broken = g_error_new(G_IO_ERROR, g_io_error_from_errno(errno),
                                  "cannot write to the bus: %s", g_strerror(errno));
        vb_bus_schedule(bus);
        return FALSE;
    }
    if (bus->broken != NULL)
        return FALSE;
    if (bus->out->len > VB_BUS_KEEP_BUFFER) {
        g_byte_array_unref(bus->out);
        bus->out = g_byte_array_new();
    } else {
        g_byte_array_set_size(bus->out, 0);
    }
    bus->out_pos = 0;
    if (bus->out_source != NULL) {
        g_source_destroy(bus->out_source);
        g_clear_pointer(&bus->out_source, g_source_unref);
    }
    vb_bus_set_reading(bus, TRUE);
    return TRUE;
}

static GError *
vb_bus_error_from_reply(VbMessage *reply)
{
    const char *text = "";

    if (g_str_has_prefix(reply->signature, "s"))
        g_variant_get_child(reply->body, 0, "&s", &text);
    return g_dbus_error_new_for_dbus_error(reply->error_name, text);
}

static void
vb_bus_on_reply(VbBus *bus, VbMessage *reply)
{
    VbPending *pending = NULL;

    /* every call we make goes to the bus itself: only it may answer */
    if (g_strcmp0(reply->sender, VB_BUS_DAEMON) != 0 ||
        !g_hash_table_steal_extended(bus->pending, GUINT_TO_POINTER(reply->reply_serial), NULL,
                                     (gpointer *)&pending))
        return;
    if (reply->type == VB_MESSAGE_ERROR) {
        g_autoptr(GError) error = vb_bus_error_from_reply(reply);

        vb_pending_finish(pending, NULL, error);
    } else {
        vb_pending_finish(pending, reply, NULL);
    }
}

static gboolean
vb_subscription_matches(const VbSubscription *sub, VbMessage *signal)
{
    const char *arg0 = NULL;

    if ((sub->sender != NULL && g_strcmp0(sub->sender, signal->sender) != 0) ||
        (sub->interface != NULL && g_strcmp0(sub->interface, signal->interface) != 0) ||
        (sub->member != NULL && g_strcmp0(sub->member, signal->member) != 0) ||
        (sub->path != NULL && g_strcmp0(sub->path, signal->path) != 0))
        return FALSE;
    if (sub->arg0 == NULL)
        return TRUE;
    if (signal->signature[0] != 's')
        return FALSE;
    g_variant_get_child(signal->body, 0, "&s", &arg0);
    return strcmp(arg0, sub->arg0) == 0;
}

static void
vb_bus_on_signal(VbBus *bus, VbMessage *signal)
{
    /* by id, not index: a handler may unsubscribe */
    g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(guint));

    for (guint i = 0; i < bus->subscriptions->len; i++) {
        VbSubscription *sub = g_ptr_array_index(bus->subscriptions, i);

        if (vb_subscription_matches(sub, signal))
            g_array_append_val(ids, sub->id);
    }
    for (guint i = 0; i < ids->len && !bus->closed; i++) {
        guint id = g_array_index(ids, guint, i);

        for (guint j = 0; j < bus->subscriptions->len; j++) {
            VbSubscription *sub = g_ptr_array_index(bus->subscriptions, j);

            if (sub->id == id) {
                sub->handler(bus, signal, sub->data);
                break;
            }
        }
    }
}

static char *
vb_read_machine_id(void)
{
    const char *files[] = {"/etc/machine-id", "/var/lib/dbus/machine-id"};

    for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *text = NULL;

        if (g_file_get_contents(files[i], &text, NULL, NULL)) {
            g_strstrip(text);
            if (strlen(text) == 32)
                return g_steal_pointer(&text);
        }
    }
    return NULL;
}

/* org.freedesktop.DBus.Peer answers for every path, as every D-Bus peer does */
static void
vb_bus_on_peer(VbBus *bus, VbMessage *call)
{
    if (g_strcmp0(call->member, "Ping") == 0 && call->signature[0] == '\0') {
        vb_bus_reply(bus, call, NULL);
    } else if (g_strcmp0(call->member, "GetMachineId") == 0 && call->signature[0] == '\0') {
        if (bus->machine_id == NULL)
            bus->machine_id = vb_read_machine_id();
        if (bus->machine_id != NULL)
            vb_bus_reply(bus, call, g_variant_new("(s)", bus->machine_id));
        else
            vb_bus_reply_error(bus, call, "org.freedesktop.DBus.Error.Failed",
                               "this machine has no machine id");
    } else {
        g_autofree char *text =
            g_strdup_printf("No such method '%s' on interface %s", call->member, VB_PEER_IFACE);

        vb_bus_reply_error(bus, call, "org.freedesktop.DBus.Error.UnknownMethod", text);
    }
}

static void
vb_bus_dispatch(VbBus *bus, VbMessage *message)
{
    switch (message->type) {
    case VB_MESSAGE_METHOD_CALL:
        if (g_strcmp0(message->interface, VB_PEER_IFACE) == 0)
            vb_bus_on_peer(bus, message);
        else if (bus->on_call != NULL)
            bus->on_call(bus, message, bus->user_data);
        break;
    case VB_MESSAGE_METHOD_RETURN:
    case VB_MESSAGE_ERROR:
        vb_bus_on_reply(bus, message);
        break;
    case VB_MESSAGE_SIGNAL:
        vb_bus_on_signal(bus, message);
        break;
    default:
        break; /* the specification says to ignore types it may add */
    }
}

/* the bus checks what it forwards, so what we cannot read is a message the
 * specification allows and we do not (a unix fd argument, which no method of ours
 * takes): a call gets an error that says so, anything else is skipped, whole */
static void
vb_bus_refuse(VbBus *bus, const guint8 *data, gsize size, const GError *why)
{
    g_autoptr(VbMessage) header = vb_message_parse_header(data, size, NULL);

    if (header == NULL || header->type != VB_MESSAGE_METHOD_CALL) {
        g_warning("ignoring a message from the bus: %s", why->message);
        return;
    }
    vb_bus_reply_error(bus, header, "org.freedesktop.DBus.Error.InvalidArgs", why->message);
}

/* the next whole message in bus->in at @pos: 1 parsed, 0 incomplete, -1 broken stream */
static int
vb_bus_next_message(VbBus *bus, gsize *pos, VbMessage **message, GError **error)
{
    gsize avail = bus->in_len - *pos;
    gsize size;

    *message = NULL;
    if (avail < VB_MESSAGE_PREFIX_SIZE)
        return 0;
    size = vb_message_size(bus->in + *pos, error);
    if (size == 0)
        return -1;
    if (avail < size) {
        /* room for the whole message, so that one read can finish it */
        if (bus->in_cap < *pos + size) {
            bus->in_cap = *pos + size;
            bus->in = g_realloc(bus->in, bus->in_cap);
        }
        return 0;
    }
    g_autoptr(GError) parse_error = NULL;

    *message = vb_message_parse(bus->in + *pos, size, &parse_error);
    if (*message == NULL)
        vb_bus_refuse(bus, bus->in + *pos, size, parse_error);
    *pos += size;
    return 1;
}

/* dispatches every whole message read so far; FALSE when the stream is broken */
static gboolean
vb_bus_dispatch_buffer(VbBus *bus)
{
    g_autoptr(GError) error = NULL;
    gsize pos = 0;
    int got;

    bus->dispatching = TRUE;
    for (;;) {
        VbMessage *message = NULL;

        got = vb_bus_next_message(bus, &pos, &message, &error);
        if (got <= 0)
            break;
        if (message != NULL) {
            vb_bus_dispatch(bus, message);
            vb_message_unref(message);
        }
        if (bus->closed)
            break;
    }
    bus->dispatching = FALSE;
    if (bus->closed)
        return FALSE;
    if (got < 0) {
        g_prefix_error(&error, "the bus broke the protocol: ");
        vb_bus_close(bus, error);
        return FALSE;
    }
    if (pos > 0) {
        memmove(bus->in, bus->in + pos, bus->in_len - pos);
        bus->in_len -= pos;
    }
    if (bus->in_cap > VB_BUS_KEEP_BUFFER && bus->in_len < 16384) {
        bus->in_cap = 16384;
        bus->in = g_realloc(bus->in, bus->in_cap);
    }
    /* every reply of the batch in as few writes as the socket allows */
    vb_bus_write_some(bus);
    return TRUE;
}

static gboolean
vb_bus_on_readable(int fd, GIOCondition condition, gpointer user_data)
{
    VbBus *bus = user_data;
    g_autoptr(GError) error = NULL;
    gboolean would_block = FALSE;

    /* a read that fills the buffer may have left more behind */
    for (;;) {
        gsize before = bus->in_len;
        gsize room;

        if (!vb_bus_read_some(bus, &would_block, &error)) {
            /* what came before the end is answered first */
            if (vb_bus_dispatch_buffer(bus))
                vb_bus_close(bus, error);
            return G_SOURCE_REMOVE;
        }
        room = bus->in_cap - before;
        if (would_block || bus->in_len - before < room)
            break;
    }
    if (!vb_bus_dispatch_buffer(bus))
        return G_SOURCE_REMOVE;
    return G_SOURCE_CONTINUE;
}

static gboolean
vb_bus_on_idle(gpointer user_data)
{
    VbBus *bus = user_data;

    g_clear_pointer(&bus->idle_source, g_source_unref);
    if (bus->broken != NULL) {
        g_autoptr(GError) error = g_error_copy(bus->broken);

        vb_bus_close(bus, error);
    } else if (!bus->closed && bus->in_len > 0) {
        vb_bus_dispatch_buffer(bus);
    }
    return G_SOURCE_REMOVE;
}

/* runs vb_bus_on_idle() from the main loop, once */
static void
vb_bus_schedule(VbBus *bus)
{
    if (bus->idle_source != NULL || bus->closed)
        return;
    bus->idle_source = g_idle_source_new();
    g_source_set_callback(bus->idle_source, vb_bus_on_idle, bus, NULL);
    g_source_attach(bus->idle_source, NULL);
}

static void
vb_bus_close(VbBus *bus, const GError *error)
{
    g_autoptr(GHashTable) pending = NULL;
    GHashTableIter iter;
    gpointer value;

    if (bus->closed)
        return;
    bus->closed = TRUE;
    if (bus->in_source != NULL) {
        g_source_destroy(bus->in_source);
        g_clear_pointer(&bus->in_source, g_source_unref);
    }
    if (bus->out_source != NULL) {
        g_source_destroy(bus->out_source);
        g_clear_pointer(&bus->out_source, g_source_unref);
    }
    if (bus->idle_source != NULL) {
        g_source_destroy(bus->idle_source);
        g_clear_pointer(&bus->idle_source, g_source_unref);
    }
    pending = g_steal_pointer(&bus->pending);
    bus->pending = g_hash_table_new(NULL, NULL);
    g_hash_table_iter_init(&iter, pending);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        vb_pending_finish(value, NULL, error);
    if (bus->on_closed != NULL)
        bus->on_closed(bus, error, bus->user_data);
}

/* ---- public ---- */

static VbMessage *
vb_bus_wait_reply(VbBus *bus, guint32 serial, gint64 deadline, GError **error)
{
    for (;;) {
        gsize pos = 0;
        VbMessage *message = NULL;
        gboolean would_block;
        int got;

        while ((got = vb_bus_next_message(bus, &pos, &message, error)) > 0) {
            if (message != NULL && message->reply_serial == serial &&
                (message->type == VB_MESSAGE_METHOD_RETURN || message->type == VB_MESSAGE_ERROR))
                break;
            g_clear_pointer(&message, vb_message_unref);
        }
        if (got < 0)
            return NULL;
        /* what came with the reply stays for the main loop */
        memmove(bus->in, bus->in + pos, bus->in_len - pos);
        bus->in_len -= pos;
        if (message != NULL) {
            if (message->type == VB_MESSAGE_ERROR) {
                g_propagate_error(error, vb_bus_error_from_reply(message));
                vb_message_unref(message);
                return NULL;
            }
            return message;
        }
        if (!vb_bus_read_some(bus, &would_block, error))
            return NULL;
        if (would_block && !vb_bus_wait(bus->fd, POLLIN, deadline, error))
            return NULL;
    }
}

VbBus *
vb_bus_open_address(const char *address, GError **error)
{
    g_autoptr(VbBus) bus = g_new0(VbBus, 1);
    g_autoptr(VbMessage) reply = NULL;
    gint64 deadline = g_get_monotonic_time() + VB_BUS_STARTUP_TIMEOUT_MS * 1000;
    guint32 serial;
    GSocket *socket;

    bus->fd = -1;
    bus->out = g_byte_array_new();
    bus->pending = g_hash_table_new(NULL, NULL);
    bus->subscriptions = g_ptr_array_new_with_free_func((GDestroyNotify)vb_subscription_free);
    bus->stream = g_dbus_address_get_stream_sync(address, NULL, NULL, error);
    if (bus->stream == NULL)
        return NULL;
    if (!G_IS_SOCKET_CONNECTION(bus->stream) ||
        g_socket_get_family(socket = g_socket_connection_get_socket(
                                G_SOCKET_CONNECTION(bus->stream))) != G_SOCKET_FAMILY_UNIX) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                    "%s is not a unix socket: only those are supported", address);
        return NULL;
    }
    bus->fd = g_socket_get_fd(socket);
    if (!vb_bus_authenticate(bus, deadline, error))
        return NULL;
    /* queued only: the blocking write below sends it */
    bus->dispatching = TRUE;
    serial = vb_bus_queue(bus, VB_MESSAGE_METHOD_CALL, 0, 0, VB_BUS_DAEMON, VB_BUS_DAEMON_PATH,
                          VB_BUS_DAEMON, "Hello", NULL, NULL, NULL);
    bus->dispatching = FALSE;
    if (!vb_bus_send_all(bus->fd, bus->out->data, bus->out->len, deadline, error))
        return NULL;
    g_byte_array_set_size(bus->out, 0);
    reply = vb_bus_wait_reply(bus, serial, deadline, error);
    if (reply == NULL) {
        g_prefix_error(error, "Hello: ");
        return NULL;
    }
    if (strcmp(reply->signature, "s") != 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Hello answered '%s'",
                    reply->signature);
        return NULL;
    }
    g_variant_get_child(reply->body, 0, "s", &bus->unique_name);
    return g_steal_pointer(&bus);
}

VbBus *
vb_bus_open(GBusType type, GError **error)
{
    g_autofree char *address = g_dbus_address_get_for_bus_sync(type, NULL, error);

    if (address == NULL)
        return NULL;
    return vb_bus_open_address(address, error);
}

void
vb_bus_free(VbBus *bus)
{
    if (bus == NULL)
        return;
    bus->on_closed = NULL;
    if (!bus->closed) {
        /* CANCELLED: whoever waits is being torn down too, and must not touch its state */
        g_autoptr(GError) error = g_error_new(G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                              "the service is closing its bus connection");

        vb_bus_close(bus, error);
    }
    /* calls made after the close, still waiting for their turn */
    if (g_hash_table_size(bus->pending) > 0) {
        g_autoptr(GError) error = g_error_new(G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                              "the service is closing its bus connection");
        g_autoptr(GList) left = g_hash_table_get_values(bus->pending);

        g_hash_table_remove_all(bus->pending);
        for (GList *l = left; l != NULL; l = l->next)
            vb_pending_finish(l->data, NULL, error);
    }
    g_clear_error(&bus->broken);
    g_hash_table_destroy(bus->pending);
    g_ptr_array_free(bus->subscriptions, TRUE);
    g_byte_array_unref(bus->out);
    g_free(bus->in);
    g_free(bus->unique_name);
    g_free(bus->machine_id);
    if (bus->stream != NULL) {
        g_io_stream_close(bus->stream, NULL, NULL);
        g_object_unref(bus->stream);
    }
    g_free(bus);
}

const char *
vb_bus_unique_name(VbBus *bus)
{
    return bus->unique_name;
}

void
vb_bus_start(VbBus *bus, VbBusCallFunc on_call, VbBusClosedFunc on_closed, gpointer user_data)
{
    g_return_if_fail(bus->in_source == NULL && on_call != NULL);
    bus->on_call = on_call;
    bus->on_closed = on_closed;
    bus->user_data = user_data;
    vb_bus_set_reading(bus, TRUE);
    /* what arrived with Hello's reply, or a write that failed before the start */
    if (bus->in_len > 0 || bus->broken != NULL)
        vb_bus_schedule(bus);
}

static gboolean
vb_pending_on_timeout(gpointer user_data)
{
    VbPending *pending = user_data;
    g_autoptr(GError) error =
        g_error_new(G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "the bus did not answer within %d s",
                    VB_BUS_CALL_TIMEOUT_MS / 1000);

    g_hash_table_remove(pending->bus->pending, GUINT_TO_POINTER(pending->serial));
    g_clear_pointer(&pending->timeout, g_source_unref);
    vb_pending_finish(pending, NULL, error);
    return G_SOURCE_REMOVE;
}

void
vb_bus_call(VbBus *bus, const char *destination, const char *path, const char *interface,
            const char *member, GVariant *params, VbBusReplyFunc done, gpointer user_data)
{
    /* only the bus answers us (vb_bus_on_reply) */
    g_return_if_fail(g_strcmp0(destination, VB_BUS_DAEMON) == 0);
    guint32 serial =
        vb_bus_queue(bus, VB_MESSAGE_METHOD_CALL, done == NULL ? VB_MESSAGE_NO_REPLY_EXPECTED : 0,
                     0, destination, path, interface, member, NULL, params, NULL);
    VbPending *pending;

    if (done == NULL)
        return;
    pending = g_new0(VbPending, 1);
    pending->bus = bus;
    pending->done = done;
    pending->data = user_data;
    /* not sent (the connection broke): answered by the close, from the main loop */
    pending->serial = serial != 0 ? serial : vb_bus_next_serial(bus);
    g_hash_table_insert(bus->pending, GUINT_TO_POINTER(pending->serial), pending);
    if (serial == 0) {
        if (bus->closed) {
            /* nothing will close it again: fail it from the main loop on its own */
            pending->timeout = g_timeout_source_new(0);
        } else {
            vb_bus_schedule(bus);
            return;
        }
    } else {
        pending->timeout = g_timeout_source_new(VB_BUS_CALL_TIMEOUT_MS);
    }
    g_source_set_callback(pending->timeout, vb_pending_on_timeout, pending, NULL);
    g_source_attach(pending->timeout, NULL);
}

static void
vb_rule_append(GString *rule, const char *key, const char *value)
{
    if (value == NULL)
        return;
    /* match rule values are quoted; a quote inside is written '\'' */
    g_string_append_printf(rule, ",%s='", key);
    for (const char *p = value; *p != '\0'; p++) {
        if (*p == '\'')
            g_string_append(rule, "'\\''");
        else
            g_string_append_c(rule, *p);
    }
    g_string_append_c(rule, '\'');
}

static void
vb_bus_on_match_reply(VbBus *bus, VbMessage *reply, const GError *error, gpointer user_data)
{
    g_autofree char *rule = user_data;

    /* the bus's own refusal; a connection going away is said elsewhere */
    if (error != NULL && error->domain != G_IO_ERROR)
        g_warning("the bus refused the match rule %s: %s", rule, error->message);
}

guint
vb_bus_subscribe(VbBus *bus, const char *sender, const char *interface, const char *member,
                 const char *path, const char *arg0, VbBusSignalFunc handler, gpointer user_data)
{
    VbSubscription *sub = g_new0(VbSubscription, 1);
    GString *rule = g_string_new("type='signal'");

    sub->id = ++bus->last_subscription;
    sub->sender = g_strdup(sender);
    sub->interface = g_strdup(interface);
    sub->member = g_strdup(member);
    sub->path = g_strdup(path);
    sub->arg0 = g_strdup(arg0);
    sub->handler = handler;
    sub->data = user_data;
    vb_rule_append(rule, "sender", sender);
    vb_rule_append(rule, "interface", interface);
    vb_rule_append(rule, "member", member);
    vb_rule_append(rule, "path", path);
    vb_rule_append(rule, "arg0", arg0);
    sub->rule = g_string_free(rule, FALSE);
    g_ptr_array_add(bus->subscriptions, sub);
    vb_bus_call(bus, VB_BUS_DAEMON, VB_BUS_DAEMON_PATH, VB_BUS_DAEMON, "AddMatch",
                g_variant_new("(s)", sub->rule), vb_bus_on_match_reply, g_strdup(sub->rule));
    return sub->id;
}

void
vb_bus_unsubscribe(VbBus *bus, guint id)
{
    for (guint i = 0; i < bus->subscriptions->len; i++) {
        VbSubscription *sub = g_ptr_array_index(bus->subscriptions, i);

        if (sub->id != id)
            continue;
        vb_bus_call(bus, VB_BUS_DAEMON, VB_BUS_DAEMON_PATH, VB_BUS_DAEMON, "RemoveMatch",
                    g_variant_new("(s)", sub->rule), vb_bus_on_match_reply, g_strdup(sub->rule));
        g_ptr_array_remove_index(bus->subscriptions, i);
        return;
    }
}

void
vb_bus_emit(VbBus *bus, const char *path, const char *interface, const char *member,
            GVariant *params)
{
    vb_bus_queue(bus, VB_MESSAGE_SIGNAL, 0, 0, NULL, path, interface, member, NULL, params, NULL);
}

void
vb_bus_reply(VbBus *bus, VbMessage *call, GVariant *body)
{
    if ((call->flags & VB_MESSAGE_NO_REPLY_EXPECTED) != 0) {
        if (body != NULL)
            g_variant_unref(g_variant_ref_sink(body));
        return;
    }
    vb_bus_queue(bus, VB_MESSAGE_METHOD_RETURN, VB_MESSAGE_NO_REPLY_EXPECTED, call->serial,
                 call->sender, NULL, NULL, NULL, NULL, body, NULL);
}

void
vb_bus_reply_body(VbBus *bus, VbMessage *call, const char *signature, GByteArray *body)
{
    VbRawBody raw = {signature, body};

    if ((call->flags & VB_MESSAGE_NO_REPLY_EXPECTED) != 0)
        return;
    vb_bus_queue(bus, VB_MESSAGE_METHOD_RETURN, VB_MESSAGE_NO_REPLY_EXPECTED, call->serial,
                 call->sender, NULL, NULL, NULL, NULL, NULL, &raw);
}

void
vb_bus_reply_error(VbBus *bus, VbMessage *call, const char *name, const char *text)
{
    if ((call->flags & VB_MESSAGE_NO_REPLY_EXPECTED) != 0)
        return;
    vb_bus_queue(bus, VB_MESSAGE_ERROR, VB_MESSAGE_NO_REPLY_EXPECTED, call->serial, call->sender,
                 NULL, NULL, NULL, name, g_variant_new("(s)", text), NULL);
}

void
vb_bus_flush(VbBus *bus, int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    gsize left = bus->out->len - bus->out_pos;

    while (!bus->closed && bus->broken == NULL && !vb_bus_write_some(bus)) {
        /* a big reply that is still moving gets the time it needs */
        if (bus->out->len - bus->out_pos < left) {
            left = bus->out->len - bus->out_pos;
            deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
        }
        if (!vb_bus_wait(bus->fd, POLLOUT, deadline, NULL))
            return;
    }
}
