/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "virtbus"

#include "vb-error.h"

G_DEFINE_QUARK(vb - error - quark, vb_error)

static const char *
vb_error_prefix(VbErrorCode code)
{
    switch (code) {
    case VB_ERROR_INTERNAL:
        return "internal error";
    case VB_ERROR_NO_SUPPORT:
        return "this function is not supported by the connection driver";
    case VB_ERROR_INVALID_ARG:
        return "invalid argument";
    case VB_ERROR_XML:
        return "XML error";
    case VB_ERROR_XML_INVALID_SCHEMA:
        return "XML document failed to validate against schema";
    case VB_ERROR_NO_DOMAIN:
        return "Domain not found";
    case VB_ERROR_NO_NETWORK:
        return "Network not found";
    case VB_ERROR_OPERATION_INVALID:
        return "Requested operation is not valid";
    case VB_ERROR_OPERATION_FAILED:
        return "operation failed";
    case VB_ERROR_OPERATION_TIMEOUT:
        return "Timed out during operation";
    case VB_ERROR_CONFIG_UNSUPPORTED:
        return "unsupported configuration";
    case VB_ERROR_OPERATION_UNSUPPORTED:
        return "Operation not supported";
    case VB_ERROR_NO_METADATA:
        return "metadata not found";
    case VB_ERROR_BUSY:
        return "domain is busy";
    case VB_ERROR_NO_CONNECT:
        return "no connection driver available for";
    case VB_ERROR_SYSTEM:
        break;
    }
    return NULL;
}

void
vb_error_set(GError **error, VbErrorCode code, const char *format, ...)
{
    const char *prefix = vb_error_prefix(code);
    g_autofree char *text = NULL;
    va_list args;

    if (error == NULL)
        return;
    if (format == NULL) {
        g_set_error_literal(error, VB_ERROR, code, prefix != NULL ? prefix : "error");
        return;
    }
    va_start(args, format);
    text = g_strdup_vprintf(format, args);
    va_end(args);
    if (prefix == NULL)
        g_set_error_literal(error, VB_ERROR, code, text);
    else
        g_set_error(error, VB_ERROR, code, code == VB_ERROR_NO_CONNECT ? "%s %s" : "%s: %s", prefix,
                    text);
}

gboolean
vb_error_check_flags(guint flags, guint allowed, const char *function, GError **error)
{
    if ((flags & ~allowed) == 0)
        return TRUE;
    vb_error_set(error, VB_ERROR_INVALID_ARG, "unsupported flags (0x%x) in function %s",
                 flags & ~allowed, function);
    return FALSE;
}

void
vb_error_no_support(GError **error, const char *function)
{
    vb_error_set(error, VB_ERROR_NO_SUPPORT, "%s", function);
}
