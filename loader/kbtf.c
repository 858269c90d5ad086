#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "elf/elf.h"
#include "elf/error.h"
#include "loader/kbtf.h"

/* sysfs reports a size of 4096 for vmlinux whatever its length, so read
 * until EOF rather than trusting st_size. */
static int read_all(const char *path, void **out, size_t *size)
{
	size_t cap = 1 << 20, len = 0;
	char *buf = NULL, *bigger;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return error_set(errno, "%s: %s", path, strerror(errno));
	for (;;) {
		if (!buf || len == cap) {
			cap = buf ? cap * 2 : cap;
			bigger = realloc(buf, cap);
			if (!bigger) {
				n = -1;
				errno = ENOMEM;
				break;
			}
			buf = bigger;
		}
		n = read(fd, buf + len, cap - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (n < 0) {
		free(buf);
		return error_set(errno, "%s: %s", path, strerror(errno));
	}
	*out = buf;
	*size = len;
	return 0;
}

/* An ELF vmlinux carries BTF in its .BTF section: move it to the front of
 * the buffer, so the blob is aligned and the rest can be freed. */
static int take_elf_btf(const char *path, void *buf, size_t *size)
{
	struct elf e;
	const void *data;
	size_t len;
	int sec, err = elf_open(&e, buf, *size);

	if (err)
		return error_prefix(-err, "%s: ", path);
	sec = elf_find_section(&e, ".BTF");
	if (sec < 0)
		return error_set(ENOENT, "%s: ELF file without a .BTF section",
				 path);
	err = elf_section_data(&e, (unsigned)sec, &data, &len);
	if (err || !data)
		return error_set(EINVAL, "%s: unreadable .BTF section", path);
	memmove(buf, data, len);
	*size = len;
	return 0;
}

int kbtf_open(struct kbtf *k, const char *path)
{
	struct timespec t0, t1;
	size_t size = 0;
	int err;

	memset(k, 0, sizeof *k);
	if (!path)
		path = KERNEL_BTF_PATH;
	err = read_all(path, &k->buf, &size);
	if (err)
		return err;
	if (size >= 4 && memcmp(k->buf, ELFMAG, SELFMAG) == 0)
		err = take_elf_btf(path, k->buf, &size);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!err)
		err = btf_parse(&k->btf, k->buf, size);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	k->parse_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		      (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	if (err) {
		free(k->buf);
		k->buf = NULL;
		return error_prefix(-err, "%s: ", path);
	}
	return 0;
}

void kbtf_close(struct kbtf *k)
{
	if (k->buf)
		btf_free(&k->btf);
	free(k->buf);
	memset(k, 0, sizeof *k);
}
