/* set-anon OBJECT.bpf.o: makes, in place, every struct and union member
 * of OBJECT's .BTF whose name starts with "anon" anonymous (name 0).
 *
 * Why: C gives an anonymous member no type of its own name, and two of
 * them with the same members clash, so clang cannot write a tree of
 * anonymous unions whose every level repeats the one below three times
 * (bad_anon.bpf.c): the review of issue 22 found such a tree makes the
 * column builder and btf_value walk 3^22 members. The source names the
 * members anon_a, anon_b, ...; this makes them what the tree needs. A
 * build tool for the tests, as set-core-kind, read with our own ELF and
 * BTF readers. Exit 0 (prints how many members it changed), 1 on any
 * error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/read_file.h"
#include "elf/btf.h"
#include "elf/elf.h"
#include "elf/error.h"

int main(int argc, char **argv)
{
	unsigned char *file;
	const void *data;
	void *copy;
	size_t size, btf_size, btf_off;
	unsigned changed = 0;
	struct elf e;
	struct btf btf;
	uint32_t id, i;
	int idx;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: set-anon OBJECT.bpf.o\n");
		return 1;
	}
	file = test_read_file(argv[1], &size);
	if (!file || elf_open(&e, file, size) ||
	    (idx = elf_find_section(&e, ".BTF")) <= 0 ||
	    elf_section_data(&e, (unsigned)idx, &data, &btf_size) ||
	    posix_memalign(&copy, 8, btf_size ? btf_size : 1)) {
		fprintf(stderr, "set-anon: %s: no .BTF\n", argv[1]);
		return 1;
	}
	memcpy(copy, data, btf_size);
	btf_off = (size_t)((const unsigned char *)data - file);
	if (btf_parse(&btf, copy, btf_size)) {
		fprintf(stderr, "set-anon: %s: %s\n", argv[1], error_msg());
		return 1;
	}
	for (id = 1; id < btf.nr_types; id++) {
		const struct btf_type *t = btf_type(&btf, id);
		const struct btf_member *m;

		if (btf_kind(t) != BTF_KIND_STRUCT &&
		    btf_kind(t) != BTF_KIND_UNION)
			continue;
		m = btf_tail(t);
		for (i = 0; i < btf_vlen(t); i++) {
			size_t at = (size_t)((const unsigned char *)&m[i] -
					     (const unsigned char *)copy) +
				    offsetof(struct btf_member, name_off);

			if (strncmp(btf_str(&btf, m[i].name_off), "anon", 4))
				continue;
			memset(file + btf_off + at, 0, sizeof m[i].name_off);
			changed++;
		}
	}
	f = fopen(argv[1], "wb");
	if (!f || fwrite(file, 1, size, f) != size || fclose(f)) {
		fprintf(stderr, "set-anon: %s: cannot write it\n", argv[1]);
		return 1;
	}
	printf("set-anon: %s: %u members made anonymous\n", argv[1], changed);
	return 0;
}
