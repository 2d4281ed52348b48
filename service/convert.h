/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "dispatch.h"

G_BEGIN_DECLS

/* VbCall.convert functions shared by the interfaces: each owns the driver's result */
GVariant *vb_convert_domain_path(VbCall *call, gpointer result);
/* the same, and the domain goes when the caller leaves the bus (START_AUTODESTROY) */
GVariant *vb_convert_autodestroy_domain_path(VbCall *call, gpointer result);
/* Domain.Create with START_AUTODESTROY: no result, the call's domain is tracked */
GVariant *vb_convert_autodestroy_started(VbCall *call, gpointer result);
GVariant *vb_convert_network_path(VbCall *call, gpointer result);
GVariant *vb_convert_string(VbCall *call, gpointer result);
/* a GVariant result wrapped in a reply tuple */
GVariant *vb_convert_variant(VbCall *call, gpointer result);
/* an a{sv} result with each value wrapped in a second variant, libvirt-dbus's shape */
GVariant *vb_convert_typed_params(VbCall *call, gpointer result);
GVariant *vb_wrap_typed_params(GVariant *params);

G_END_DECLS
