/* The files rawtrace opens by a path a user gave (--btf FILE, inspect
 * FILE) and the one it writes (btfgen -o FILE). rawtrace runs as root, so
 * both sides refuse what a plain open() would take without a word: a FIFO
 * (blocks forever), a directory (a "size" of 2^63), a device (endless, or
 * /dev/full), and on the write side a symbolic link (which would write as
 * root wherever it points). */
#ifndef RAWTRACE_FILE_H
#define RAWTRACE_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Opens path to read, only if it is a regular file: opened with
 * O_NONBLOCK so that a FIFO cannot block the open, checked with fstat,
 * then made blocking again. *fd and *size on success; -errno with
 * error_msg "what it is" (without the path) otherwise. */
int file_open_regular(const char *path, int *fd, uint64_t *size);

/* The whole regular file at path in a malloc'd *buf, refused if larger
 * than max bytes (error_msg names the size and the cap). */
int file_read_all(const char *path, uint64_t max, void **buf, size_t *size);

/* Writes data to path as a new file that replaces path in one step: a
 * temporary file beside it (O_CREAT|O_EXCL|O_NOFOLLOW, so it is ours and
 * new), written, fsync'd, then rename()d over path. A reader sees the
 * old file or the new one, never a part; a failure leaves path as it was
 * and removes only the temporary file. path must be missing or a regular
 * file: a symbolic link is refused, not followed (rawtrace, as root,
 * must not write where a link points) nor replaced (the link is the
 * user's to change); a device or a FIFO is refused too. error_msg
 * starts with path. */
int file_write_atomic(const char *path, const void *data, size_t size);

#endif
