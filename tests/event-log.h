/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* for the driver tests: a VbEventSink that writes what a driver reports into a GString
 * as "name EVENT/DETAIL;", "name Signal(args);" and "net name EVENT;", so a test can
 * compare a whole sequence with one string */

#include "driver.h"

static const char *const event_names[] = {
    "DEFINED", "UNDEFINED", "STARTED",     "SUSPENDED", "RESUMED",
    "STOPPED", "SHUTDOWN",  "PMSUSPENDED", "CRASHED",
};
static const char *const *const detail_names[] = {
    (const char *const[]){"ADDED", "UPDATED", "RENAMED", "FROM_SNAPSHOT"},
    (const char *const[]){"REMOVED", "RENAMED"},
    (const char *const[]){"BOOTED", "MIGRATED", "RESTORED", "FROM_SNAPSHOT", "WAKEUP"},
    (const char *const[]){"PAUSED", "MIGRATED", "IOERROR", "WATCHDOG", "RESTORED", "FROM_SNAPSHOT",
                          "API_ERROR"},
    (const char *const[]){"UNPAUSED", "MIGRATED", "FROM_SNAPSHOT"},
    (const char *const[]){"SHUTDOWN", "DESTROYED", "CRASHED", "MIGRATED", "SAVED", "FAILED",
                          "FROM_SNAPSHOT"},
    (const char *const[]){"FINISHED", "GUEST", "HOST"},
    (const char *const[]){"MEMORY", "DISK"},
    (const char *const[]){"PANICKED"},
};
static const char *const network_event_names[] = {"DEFINED", "UNDEFINED", "STARTED", "STOPPED"};

static void
event_log_domain(VbConn *conn, VbDomainObj *obj, int event, int detail, gpointer user_data)
{
    g_string_append_printf(user_data, "%s %s/%s;", vb_domain_obj_name(obj), event_names[event],
                           detail_names[event][detail]);
}

static void
event_log_signal(VbConn *conn, VbDomainObj *obj, const char *signal, GVariant *params,
                 gpointer user_data)
{
    g_autofree char *text = g_variant_print(params, FALSE);

    g_string_append_printf(user_data, "%s %s%s;", vb_domain_obj_name(obj), signal, text);
}

static void
event_log_network(VbConn *conn, VbNetworkObj *obj, int event, gpointer user_data)
{
    g_string_append_printf(user_data, "net %s %s;", vb_network_obj_name(obj),
                           network_event_names[event]);
}

/* sends @conn's events to @log */
static inline void
event_log_attach(VbConn *conn, GString *log)
{
    VbEventSink sink = {
        .domain_lifecycle = event_log_domain,
        .domain_signal = event_log_signal,
        .network_lifecycle = event_log_network,
        .user_data = log,
    };

    vb_conn_set_sink(conn, &sink);
}
