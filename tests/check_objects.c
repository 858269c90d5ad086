/* make's check of the BPF objects it embeds: each must pass obj_open
 * with every record check, since rawtrace opens its own objects with
 * OBJ_TRUSTED and skips those checks at every start. One line per object
 * that fails, and exit 1: make stops there.
 *
 * Usage: check-objects OBJECT... */
#include <stdio.h>
#include <stdlib.h>
#include "tests/read_file.h"
#include "elf/error.h"
#include "obj/object.h"

int main(int argc, char **argv)
{
	struct obj o;
	size_t size;
	void *data;
	int i, bad = 0;

	for (i = 1; i < argc; i++) {
		if (!(data = test_read_file(argv[i], &size))) {
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
