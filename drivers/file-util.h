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
/* a file written in steps, then put in place atomically: begin opens a temp file beside
 * @path (returns its fd, -1 on error); commit fsyncs, renames and syncs the directory,
 * or, when @err (an errno of the caller's writes) is set or any step fails, removes the
 * temp file and reports; abort just removes it */
int vb_file_atomic_begin(const char *path, mode_t mode, char **tmp_path, GError **error);
gboolean vb_file_atomic_commit(int fd, const char *tmp_path, const char *path, int err,
                               GError **error);
void vb_file_atomic_abort(int fd, const char *tmp_path);
/* temp file, fsync, rename, fsync of the directory: a crash leaves the old or the new */
gboolean vb_file_write_atomic(const char *path, const char *data, gsize len, mode_t mode,
                              GError **error);

G_END_DECLS
