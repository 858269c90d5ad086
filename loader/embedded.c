#include <errno.h>
#include <string.h>
#include "elf/error.h"
#include "loader/embedded.h"
#include "loader/gunzip.h"

const struct embedded_obj *embedded_find(const char *name)
{
	const struct embedded_obj *o;

	for (o = embedded_objs; o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

/* gunzip checks the gzip trailer (CRC-32 and length of what came out):
 * the bytes given back are the bytes the build compressed, and nothing
 * else. So what holds for build/embed/NAME.bpf.o when it was built
 * (tests/test_embedded.c compares the two) holds here, and a check of
 * an embedded object at start-up would only repeat it. Keep that check. */
int embedded_inflate(const struct embedded_obj *e, void **data,
		     size_t *size)
{
	char *out;
	int err = gunzip(e->start, (size_t)(e->end - e->start), &out, size);

	if (err == -ENOMEM)
		return error_set(ENOMEM, "embedded object %s: no memory to "
				 "inflate it", e->name);
	if (err)
		return error_set(EINVAL, "embedded object %s: corrupt (its "
				 "gzip data does not inflate or fails its "
				 "CRC-32)", e->name);
	*data = out;
	return 0;
}
