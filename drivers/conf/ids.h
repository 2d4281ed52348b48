/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "vb-error.h"

G_BEGIN_DECLS

#define VB_UUID_LEN        16
#define VB_UUID_STRING_LEN 37 /* 36 characters and the NUL */
#define VB_MAC_LEN         6
#define VB_MAC_STRING_LEN  18
#define VB_NAME_MAX        200 /* bytes; leaves room for a suffix within NAME_MAX */

/* accepts the dashed canonical form, the 32-digit undashed form and any dash
 * placement libvirt accepts (dashes between hex pairs), case-insensitive */
gboolean vb_uuid_parse(const char *str, guint8 uuid[VB_UUID_LEN]);
/* lowercase canonical 8-4-4-4-12 form into @out */
void vb_uuid_format(const guint8 uuid[VB_UUID_LEN], char out[VB_UUID_STRING_LEN]);
/* a random version 4 UUID */
void vb_uuid_generate(guint8 uuid[VB_UUID_LEN]);
gboolean vb_uuid_is_null(const guint8 uuid[VB_UUID_LEN]);

/* "aa:bb:cc:dd:ee:ff" (also '-' separated), case-insensitive */
gboolean vb_mac_parse(const char *str, guint8 mac[VB_MAC_LEN]);
void vb_mac_format(const guint8 mac[VB_MAC_LEN], char out[VB_MAC_STRING_LEN]);
/* @prefix's three bytes followed by three random ones */
void vb_mac_generate(const guint8 prefix[3], guint8 mac[VB_MAC_LEN]);
/* multicast (low bit of the first byte) addresses cannot be a NIC's */
gboolean vb_mac_is_multicast(const guint8 mac[VB_MAC_LEN]);

/* a name that can safely become a file name and an object label: non-empty valid
 * UTF-8, at most VB_NAME_MAX bytes, no '/', no leading '.', no control characters.
 * @what is "domain" or "network"; errors use @code (VB_ERROR_XML while parsing,
 * VB_ERROR_INVALID_ARG for arguments such as Rename's). */
gboolean vb_name_check(const char *name, const char *what, VbErrorCode code, GError **error);

G_END_DECLS
