/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* plain file I/O the drivers share; safe on any thread */

/* "path 'x' is not absolute" unless @path is an absolute path */
gboolean vb_file_check_absolute(const char *path, GError **error);
/* writes all of @data, retrying on EINTR; on failure sets @err to the errno */
gboolean vb_file_write_all(int fd, const char *data, gsize len, int *err);
/* fsync of the directory holding @path, so a rename or unlink in it is durable */
void vb_file_sync_dir(const char *path);
/* temp file, fsync, rename, fsync of the directory: a crash leaves the old or the new */
gboolean vb_file_write_atomic(const char *path, const char *data, gsize len, mode_t mode,
                              GError **error);

G_END_DECLS
