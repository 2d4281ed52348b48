/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* one error domain for every driver failure; the service turns each of these into
 * org.libvirt.Error with the message as is. codes follow libvirt's virErrorNumber
 * where one exists, so the prefix of the message matches what clients expect. */
#define VB_ERROR (vb_error_quark())
GQuark vb_error_quark(void);

typedef enum {
    VB_ERROR_INTERNAL,    /* "internal error: ..." */
    VB_ERROR_NO_SUPPORT,  /* "this function is not supported by the connection driver: ..." */
    VB_ERROR_INVALID_ARG, /* "invalid argument: ..." */
    VB_ERROR_XML,         /* "XML error: ..." */
    VB_ERROR_XML_INVALID_SCHEMA,    /* "XML document failed to validate against schema: ..." */
    VB_ERROR_NO_DOMAIN,             /* "Domain not found: ..." */
    VB_ERROR_NO_NETWORK,            /* "Network not found: ..." */
    VB_ERROR_OPERATION_INVALID,     /* "Requested operation is not valid: ..." */
    VB_ERROR_OPERATION_FAILED,      /* "operation failed: ..." */
    VB_ERROR_OPERATION_TIMEOUT,     /* "Timed out during operation: ..." */
    VB_ERROR_CONFIG_UNSUPPORTED,    /* "unsupported configuration: ..." */
    VB_ERROR_OPERATION_UNSUPPORTED, /* "Operation not supported: ..." */
    VB_ERROR_NO_METADATA,           /* "metadata not found: ..." */
    VB_ERROR_SYSTEM,                /* plain message, usually with strerror */
    VB_ERROR_BUSY,                  /* "domain is busy: ..." */
    VB_ERROR_NO_CONNECT,            /* "no connection driver available for ..." */
} VbErrorCode;

/* sets @error to "<prefix>: <formatted text>" for @code (or the bare prefix when
 * @format is NULL) */
void vb_error_set(GError **error, VbErrorCode code, const char *format, ...) G_GNUC_PRINTF(3, 4);

/* "invalid argument: unsupported flags (0x%x) in function %s" when @flags has a bit
 * outside @allowed; returns FALSE then */
gboolean vb_error_check_flags(guint flags, guint allowed, const char *function, GError **error);

/* "this function is not supported by the connection driver: <function>" */
void vb_error_no_support(GError **error, const char *function);

G_END_DECLS
