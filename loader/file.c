/* Reading a file by a user's path, and writing one, without trusting what
 * is at the path (loader/file.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "elf/error.h"
#include "loader/file.h"
#include "loader/sys.h"
#include "obj/names.h"

static const char *kind_of(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

static int not_regular(mode_t mode)
{
	return error_set(EINVAL, "%s, not a regular file", kind_of(mode));
}

int file_open_regular(const char *path, int *fd, uint64_t *size)
{
	struct stat st;
	int flags;

	/* O_NONBLOCK: opening a FIFO to read otherwise waits for a writer,
	 * before there is an fd to fstat. */
	*fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (*fd < 0)
		return error_set(errno, "%s", errno_text(errno));
	if (fstat(*fd, &st)) {
		int err = errno;

		close(*fd);
		*fd = -1;
		return error_set(err, "%s", errno_text(err));
	}
	if (!S_ISREG(st.st_mode)) {
		close(*fd);
		*fd = -1;
		return not_regular(st.st_mode);
	}
	flags = fcntl(*fd, F_GETFL);
	if (flags >= 0)
		fcntl(*fd, F_SETFL, flags & ~O_NONBLOCK);
	*size = (uint64_t)st.st_size;
	return 0;
}

static int read_fully(int fd, void *buf, size_t size)
{
	size_t done = 0;
	ssize_t n;

	while (done < size) {
		n = read(fd, (char *)buf + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return error_set(errno, "read: %s", errno_text(errno));
		if (n == 0)
			return error_set(EIO, "read: the file shrank");
		done += (size_t)n;
	}
	return 0;
}

int file_read_all(const char *path, uint64_t max, void **buf, size_t *size)
{
	uint64_t len;
	int fd, err = file_open_regular(path, &fd, &len);

	if (err)
		return err;
	if (len > max) {
		close(fd);
		return error_set(EFBIG, "%llu bytes, more than the %llu MiB "
				 "read at most", (unsigned long long)len,
				 (unsigned long long)(max >> 20));
	}
	*buf = malloc(len ? (size_t)len : 1);
	err = *buf ? read_fully(fd, *buf, (size_t)len) :
		error_set(ENOMEM, "no memory for %llu bytes",
			  (unsigned long long)len);
	close(fd);
	if (err) {
		free(*buf);
		*buf = NULL;
		return err;
	}
	*size = (size_t)len;
	return 0;
}

/* ---- writing ---------------------------------------------------------- */

static int write_fully(int fd, const void *data, size_t size)
{
	size_t done = 0;
	ssize_t n;

	while (done < size) {
		n = write(fd, (const char *)data + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += (size_t)n;
	}
	return 0;
}

/* "dir/name" -> "dir/.name.PID.N": in the same directory, so that
 * rename() is one step on one file system; hidden, and named for us. */
static void temp_name(char *buf, size_t len, const char *path, unsigned n)
{
	const char *slash = strrchr(path, '/');
	int dir = slash ? (int)(slash - path + 1) : 0;

	snprintf(buf, len, "%.*s.%s.%ld.%u", dir, path, path + dir,
		 (long)getpid(), n);
}

/* A new file of our own: O_EXCL fails on anything there already, a
 * symbolic link among them (O_NOFOLLOW says so twice). */
static int create_temp(const char *path, char *tmp, size_t len, mode_t mode)
{
	unsigned n;
	int fd;

	for (n = 0; n < 100; n++) {
		temp_name(tmp, len, path, n);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			  O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

/* The target as it is now: missing (*mode 0), or a regular file whose
 * mode the new file keeps. lstat: a link is judged as a link, not as
 * what it points to. */
static int check_target(const char *path, mode_t *mode)
{
	struct stat st;

	*mode = 0;
	if (lstat(path, &st))
		return errno == ENOENT ? 0 : error_set(errno, "%s: %s", path,
						       errno_text(errno));
	if (S_ISLNK(st.st_mode))
		return error_set(ELOOP, "%s: a symbolic link: not written "
				 "through, nor replaced; name the file itself",
				 path);
	if (!S_ISREG(st.st_mode))
		return error_set(EINVAL, "%s: %s, not a regular file: not "
				 "replaced", path, kind_of(st.st_mode));
	*mode = st.st_mode & 07777;
	return 0;
}

/* The directory's entry reaches the disk too, or a crash could leave
 * the old name; best effort, as the data itself already is. */
static void sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	int fd;

	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + 1 : 1,
		 slash ? path : ".");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int file_write_atomic(const char *path, const void *data, size_t size)
{
	char tmp[4096 + 32];
	mode_t mode;
	int fd, err = check_target(path, &mode);

	if (err)
		return err;
	if (strlen(path) >= 4096)
		return error_set(ENAMETOOLONG, "%s: name too long", path);
	fd = create_temp(path, tmp, sizeof tmp, mode ? mode : 0644);
	if (fd < 0)
		return error_set(-fd, "%s: cannot create a file beside it: %s",
				 path, errno_text(-fd));
	err = write_fully(fd, data, size);
	/* a file replaced keeps its mode, whatever the umask */
	if (!err && mode && fchmod(fd, mode))
		err = -errno;
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		unlink(tmp);    /* ours; path itself is untouched */
		return error_set(-err, "%s: write failed: %s", path,
				 errno_text(-err));
	}
	sync_dir(path);
	sys_note("wrote %zu bytes to %s, renamed over %s", size, tmp, path);
	return 0;
}
