#include <string.h>
#include "progs/container.h"

static int is_hex_id(const char *s)
{
	for (int i = 0; i < CONTAINER_ID_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* name[0..len) is prefix, the id, then suffix, exactly. */
static int id_between(const char *name, size_t len, const char *prefix,
		      const char *suffix, char *id)
{
	size_t p = strlen(prefix), s = strlen(suffix);

	if (len != p + CONTAINER_ID_LEN + s || memcmp(name, prefix, p) ||
	    memcmp(name + p + CONTAINER_ID_LEN, suffix, s) ||
	    !is_hex_id(name + p))
		return 0;
	memcpy(id, name + p, CONTAINER_ID_LEN);
	id[CONTAINER_ID_LEN] = 0;
	return 1;
}

int container_of_name(const char *name, size_t len, char *id)
{
	static const char *const scopes[] = {
		"docker-", "cri-containerd-", "crio-", "libpod-", "nerdctl-",
	};

	for (size_t i = 0; i < sizeof scopes / sizeof scopes[0]; i++)
		if (id_between(name, len, scopes[i], ".scope", id))
			return 1;
	return id_between(name, len, "libpod-", "", id) ||
	       id_between(name, len, "", "", id);
}

int container_of_path(const char *path, char *id)
{
	const char *end = path + strlen(path), *start;

	/* from the last component back: the innermost container wins */
	while (end > path) {
		start = end;
		while (start > path && start[-1] != '/')
			start--;
		if (container_of_name(start, (size_t)(end - start), id))
			return 1;
		end = start > path ? start - 1 : path;
	}
	return 0;
}

int container_name_plain(const char *s)
{
	size_t len = strlen(s);

	if (len > CONTAINER_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z') || (i && (c == '_' || c == '.' ||
						       c == '-'))))
			return 0;
	}
	return len > 0;
}

/* Go's encoding/json writes each of the store's containers as
 * {"id":"ID","names":["NAME",...],... : the id, then its names. */
int storage_named(const char *json, const char *name, char *id)
{
	static const char head[] = "{\"id\":\"", names[] = "\",\"names\":[";
	size_t len = strlen(name);
	const char *p = json, *q, *end;

	if (!container_name_plain(name))
		return 0;
	while ((p = strstr(p, head))) {
		p += sizeof head - 1;
		if (!is_hex_id(p) ||
		    strncmp(p + CONTAINER_ID_LEN, names, sizeof names - 1))
			continue;
		for (q = p + CONTAINER_ID_LEN + sizeof names - 1; *q == '"';
		     q = end + 1 + (end[1] == ',')) {
			end = strchr(q + 1, '"');
			if (!end)
				return 0;
			if ((size_t)(end - q - 1) == len &&
			    memcmp(q + 1, name, len) == 0) {
				memcpy(id, p, CONTAINER_ID_LEN);
				id[CONTAINER_ID_LEN] = 0;
				return 1;
			}
		}
	}
	return 0;
}
