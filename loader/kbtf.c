/* The kernel's BTF, read on demand (elf/btf_lazy.c): the file stays open
 * and records are pread as CO-RE asks for them, so the ~5 MB blob is
 * never held in memory. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "elf/elf.h"
#include "elf/error.h"
#include "loader/file.h"
#include "loader/kbtf.h"
#include "obj/names.h"
#include "obj/object.h"
#include "loader/sys.h"

static int read_at(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct kbtf *k = ctx;
	ssize_t n;

	while (len > 0) {
		n = pread(k->fd, buf, len, (off_t)(k->base + off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return error_set(n < 0 ? errno : EIO, "read: %s",
					 n < 0 ? errno_text(errno) : "file shrank");
		buf = (char *)buf + n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/* sysfs reports a size of 4096 for vmlinux whatever its length: find the
 * real one by seeking to the end. */
static int file_size(struct kbtf *k, uint64_t *size)
{
	off_t end = lseek(k->fd, 0, SEEK_END);

	if (end < 0)
		return error_set(errno, "%s", errno_text(errno));
	*size = (uint64_t)end;
	return 0;
}

/* An ELF vmlinux carries BTF in its .BTF section: find where it lies in
 * the file (mapped only to read the headers). */
static int find_elf_btf(struct kbtf *k, uint64_t *size)
{
	struct elf e;
	const void *data;
	size_t len, map_len = (size_t)*size;
	void *map;
	int sec, err;

	map = mmap(NULL, map_len, PROT_READ, MAP_PRIVATE, k->fd, 0);
	if (map == MAP_FAILED)
		return error_set(errno, "%s", errno_text(errno));
	err = elf_open(&e, map, map_len);
	if (!err && (sec = elf_find_section(&e, ".BTF")) < 0)
		err = error_set(ENOENT, "ELF file without a .BTF section");
	else if (!err && (elf_section_data(&e, (unsigned)sec, &data, &len) ||
			  !data))
		err = error_set(EINVAL, "unreadable .BTF section");
	if (!err) {
		k->base = (uint64_t)((const char *)data - (const char *)map);
		*size = len;
	}
	munmap(map, map_len);
	return err;
}

static int open_source(struct kbtf *k, const char *path, uint64_t *size)
{
	char magic[SELFMAG];
	int err;

	/* A FIFO would block here for good, a directory "seek" to 2^63 */
	err = file_open_regular(path, &k->fd, size);
	if (!err)
		err = file_size(k, size);
	if (!err && *size >= SELFMAG && !read_at(k, 0, magic, SELFMAG) &&
	    memcmp(magic, ELFMAG, SELFMAG) == 0)
		err = find_elf_btf(k, size);
	return err;
}

int kbtf_open(struct kbtf *k, const char *path, const char *const *want,
	      size_t nwant)
{
	struct btf_source src = { .read = read_at, .ctx = k };
	double t0 = monotonic_ms();
	int err;

	memset(k, 0, sizeof *k);
	k->fd = -1;
	err = open_source(k, path ? path : KERNEL_BTF_PATH, &src.size);
	if (!err)
		err = btf_open_lazy(&k->btf, &src, want, nwant);
	k->parse_ms = monotonic_ms() - t0;
	if (err) {
		if (k->fd >= 0)
			close(k->fd);
		k->fd = -1;
		return error_prefix(-err, "%s: ", path ? path : KERNEL_BTF_PATH);
	}
	return 0;
}

void kbtf_close(struct kbtf *k)
{
	if (k->fd >= 0) {
		btf_free(&k->btf);
		close(k->fd);
	}
	memset(k, 0, sizeof *k);
	k->fd = -1;
}

int kbtf_open_for(struct kbtf *k, const char *path, const struct obj *o)
{
	char **names;
	size_t n;
	int err = obj_kernel_btf_names(o, &names, &n);

	if (!err)
		err = kbtf_open(k, path, (const char *const *)names, n);
	obj_names_free(names, n);
	return err;
}

int kbtf_kernel_has_own(void)
{
	return access(KERNEL_BTF_PATH, R_OK) == 0;
}
