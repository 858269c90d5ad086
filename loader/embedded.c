#include <string.h>
#include "loader/embedded.h"

const struct embedded_obj *embedded_find(const char *name)
{
	const struct embedded_obj *o;

	for (o = embedded_objs; o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}
