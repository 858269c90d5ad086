/* set-core-kind FROM TO OBJECT.bpf.o: rewrites, in place, the kind of
 * every CO-RE record of kind FROM in OBJECT's .BTF.ext to TO.
 *
 * Why: clang before 15 cannot write a type_matches record (kind 12, what
 * bpf_core_type_matches() asks for; clang 14 aborts on it). It writes a
 * type_exists record (kind 8) of the very same shape: the local type, the
 * access "0" and a mov of 1. tests/bpf/core_match.bpf.c uses type_exists
 * under such a clang and the Makefile turns its records into kind 12, as a
 * newer clang would have written them. A build tool for the tests, read
 * with our own ELF and BTF readers. Exit 0 (prints how many records it
 * changed), 1 on any error. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/read_file.h"
#include "elf/btf.h"
#include "elf/elf.h"
#include "elf/error.h"

/* Section name's bytes: where they are in the file, and an aligned copy
 * for the BTF readers. */
static void *section(const struct elf *e, const unsigned char *file,
		     const char *name, size_t *size, size_t *file_off)
{
	const void *data;
	void *copy;
	int idx = elf_find_section(e, name);

	if (idx <= 0 || elf_section_data(e, (unsigned)idx, &data, size) ||
	    posix_memalign(&copy, 8, *size ? *size : 1))
		return NULL;
	memcpy(copy, data, *size);
	*file_off = (size_t)((const unsigned char *)data - file);
	return copy;
}

int main(int argc, char **argv)
{
	unsigned char *file, *ext_buf;
	void *btf_buf;
	size_t size, btf_size, ext_size, ext_off, dummy, cursor = 0;
	unsigned long from, to;
	struct elf e;
	struct btf btf;
	struct btf_ext ext;
	struct btf_ext_sec sec;
	unsigned changed = 0;
	uint32_t i;
	FILE *f;

	if (argc != 4) {
		fprintf(stderr, "usage: set-core-kind FROM TO OBJECT.bpf.o\n");
		return 1;
	}
	from = strtoul(argv[1], NULL, 0);
	to = strtoul(argv[2], NULL, 0);
	file = test_read_file(argv[3], &size);
	if (!file || elf_open(&e, file, size)) {
		fprintf(stderr, "set-core-kind: %s: cannot read it as ELF\n", argv[3]);
		return 1;
	}
	btf_buf = section(&e, file, ".BTF", &btf_size, &dummy);
	ext_buf = section(&e, file, ".BTF.ext", &ext_size, &ext_off);
	if (!btf_buf || !ext_buf || btf_parse(&btf, btf_buf, btf_size) ||
	    btf_ext_parse(&ext, ext_buf, ext_size, &btf)) {
		fprintf(stderr, "set-core-kind: %s: no .BTF/.BTF.ext: %s\n",
			argv[3], error_msg());
		return 1;
	}
	while (btf_ext_next(&ext, BTF_EXT_CORE, &btf, &cursor, &sec) == 1) {
		for (i = 0; i < sec.count; i++) {
			size_t at = (size_t)(sec.recs - ext_buf) +
				    (size_t)i * sec.rec_size +
				    offsetof(struct bpf_core_relo, kind);
			uint32_t kind;

			memcpy(&kind, ext_buf + at, sizeof kind);
			if (kind != from)
				continue;
			kind = (uint32_t)to;
			memcpy(file + ext_off + at, &kind, sizeof kind);
			changed++;
		}
	}
	f = fopen(argv[3], "wb");
	if (!f || fwrite(file, 1, size, f) != size || fclose(f)) {
		fprintf(stderr, "set-core-kind: %s: cannot write it\n", argv[3]);
		return 1;
	}
	printf("set-core-kind: %s: %u records of kind %lu now %lu\n", argv[3],
	       changed, from, to);
	return 0;
}
