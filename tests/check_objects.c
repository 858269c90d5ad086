/* make's check of the BPF objects it embeds: each must pass obj_open
 * with every record check, since rawtrace opens its own objects with
 * OBJ_TRUSTED and skips those checks at every start. One line per object
 * that fails, and exit 1: make stops there.
 *
 * Usage: check-objects OBJECT... */
#include <stdio.h>
#include <stdlib.h>
#include "elf/error.h"
#include "obj/object.h"

/* The whole file in memory (obj_open reads it in place). */
static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n)
		*size = (size_t)n;
	else {
		free(buf);
		buf = NULL;
	}
	if (f)
		fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	struct obj o;
	size_t size;
	void *data;
	int i, bad = 0;

	for (i = 1; i < argc; i++) {
		if (!(data = read_file(argv[i], &size))) {
			fprintf(stderr, "check-objects: %s: cannot read it\n",
				argv[i]);
			bad = 1;
			continue;
		}
		if (obj_open(&o, argv[i], data, size)) {
			fprintf(stderr, "check-objects: %s\n", error_msg());
			bad = 1;
		} else {
			obj_close(&o);
		}
		free(data);
	}
	return bad;
}
