/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The service's connection to the bus: one socket, read, dispatched and answered on the
 * main loop's thread. GDBusConnection reads and writes on a thread of its own and hands
 * every call across to the main loop and every reply back, which cost more than the
 * calls themselves (README, "Performance against libvirt-dbus"). */

#include <gio/gio.h>

#include "wire.h"

G_BEGIN_DECLS

typedef struct _VbBus VbBus;

/* a method call addressed to this connection */
typedef void (*VbBusCallFunc)(VbBus *bus, VbMessage *call, gpointer user_data);
/* the answer to vb_bus_call(): the reply, or NULL and the error it carried */
typedef void (*VbBusReplyFunc)(VbBus *bus, VbMessage *reply, const GError *error,
                               gpointer user_data);
typedef void (*VbBusSignalFunc)(VbBus *bus, VbMessage *signal, gpointer user_data);
/* the bus went away or broke the protocol */
typedef void (*VbBusClosedFunc)(VbBus *bus, const GError *error, gpointer user_data);

/* connects, authenticates and says Hello; blocks, for startup only */
VbBus *vb_bus_open(GBusType type, GError **error);
/* the same for a bus address, "unix:path=..." */
VbBus *vb_bus_open_address(const char *address, GError **error);
void vb_bus_free(VbBus *bus);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbBus, vb_bus_free)

const char *vb_bus_unique_name(VbBus *bus);

/* starts reading; everything runs on the global default main context */
void vb_bus_start(VbBus *bus, VbBusCallFunc on_call, VbBusClosedFunc on_closed, gpointer user_data);

/* asynchronous call to the bus daemon (org.freedesktop.DBus), the only peer whose
 * replies are accepted; @params is a tuple or NULL, sunk if floating. @done runs once,
 * later, from the main loop: with the reply, the bus's error, G_IO_ERROR_TIMED_OUT
 * after 25 s, the error that closed the connection, or G_IO_ERROR_CANCELLED when
 * vb_bus_free() runs first. @done NULL: no reply is asked for */
void vb_bus_call(VbBus *bus, const char *destination, const char *path, const char *interface,
                 const char *member, GVariant *params, VbBusReplyFunc done, gpointer user_data);

/* a match rule on the bus and a handler for what it lets through; @sender, @path and
 * @arg0 may be NULL */
guint vb_bus_subscribe(VbBus *bus, const char *sender, const char *interface, const char *member,
                       const char *path, const char *arg0, VbBusSignalFunc handler,
                       gpointer user_data);
void vb_bus_unsubscribe(VbBus *bus, guint id);

/* a broadcast signal; @params a tuple or NULL, sunk if floating */
void vb_bus_emit(VbBus *bus, const char *path, const char *interface, const char *member,
                 GVariant *params);

/* the reply to @call (nothing when it asked for none); @body a tuple or NULL */
void vb_bus_reply(VbBus *bus, VbMessage *call, GVariant *body);
/* the same with a body marshalled by the caller (wire.h), of @signature ("a{sv}") */
void vb_bus_reply_body(VbBus *bus, VbMessage *call, const char *signature, GByteArray *body);
void vb_bus_reply_error(VbBus *bus, VbMessage *call, const char *name, const char *text);

/* writes everything queued, blocking up to @timeout_ms; for the way out */
void vb_bus_flush(VbBus *bus, int timeout_ms);

G_END_DECLS
