#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/nsfs.h>
#include "elf/error.h"
#include "loader/attach.h"
#include "obj/names.h"
#include "progs/container.h"
#include "progs/container_names.h"
#include "progs/options.h"
#include "progs/scope.h"

/* ---- walking the cgroup v2 tree ------------------------------------------ */

/* Called for every cgroup directory: its id (the inode number, which is
 * what bpf_get_current_cgroup_id returns) and path under the mount. */
typedef void (*cgroup_fn)(uint64_t id, const char *path, void *ctx);

/* path holds the directory's path under the mount, len bytes of it. */
static void walk_dir(int dirfd, char *path, size_t len, cgroup_fn fn,
		     void *ctx)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *e;
	struct stat st;
	size_t n;
	int fd;

	if (!d) {
		close(dirfd);
		return;
	}
	while ((e = readdir(d))) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		n = strlen(e->d_name);
		if (len + 1 + n >= PATH_MAX)
			continue;
		fd = openat(dirfd, e->d_name,
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;       /* removed meanwhile */
		if (fstat(fd, &st)) {
			close(fd);
			continue;
		}
		path[len] = '/';
		memcpy(path + len + 1, e->d_name, n + 1);
		fn((uint64_t)st.st_ino, path, ctx);
		walk_dir(fd, path, len + 1 + n, fn, ctx);
		path[len] = 0;
	}
	closedir(d);
}

/* Every cgroup under the cgroup2 mount, the root ("/") first. */
static int walk_cgroups(cgroup_fn fn, void *ctx)
{
	const char *root = cgroup2_path();
	char path[PATH_MAX] = "";
	struct stat st;
	int fd;

	if (!root)
		return error_set(ENOENT, "no cgroup v2 mount in /proc/mounts");
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		return error_set(errno, "%s: %s", root, errno_text(errno));
	}
	fn((uint64_t)st.st_ino, "/", ctx);
	walk_dir(fd, path, 0, fn, ctx);
	return 0;
}

/* ---- names of cgroup ids, cached ------------------------------------------ */

struct name {
	uint64_t id;            /* 0: a free slot (no cgroup has id 0) */
	char *path;             /* NULL: not found when looked for */
	char container[CONTAINER_ID_LEN + 1];   /* "" if none */
	char short_id[13];
};

static struct {
	struct name *slot;
	size_t cap, used;       /* cap a power of two, used <= cap / 2 */
} names;

static struct name *slot_of(uint64_t id)
{
	size_t i = (size_t)(id * 0x9e3779b97f4a7c15ull) & (names.cap - 1);

	while (names.slot[i].id && names.slot[i].id != id)
		i = (i + 1) & (names.cap - 1);
	return &names.slot[i];
}

static int grow(void)
{
	struct name *old = names.slot;
	size_t i, cap = names.cap;

	names.cap = cap ? 2 * cap : 256;
	names.slot = calloc(names.cap, sizeof *names.slot);
	if (!names.slot) {
		names.slot = old;
		names.cap = cap;
		return -ENOMEM;
	}
	for (i = 0; i < cap; i++)
		if (old[i].id)
			*slot_of(old[i].id) = old[i];
	free(old);
	return 0;
}

/* id's entry, made (with no path) if new; NULL out of memory. */
static struct name *name_entry(uint64_t id)
{
	struct name *n;

	if (names.cap && (n = slot_of(id))->id)
		return n;
	if ((names.used + 1) * 2 > names.cap && grow())
		return NULL;
	n = slot_of(id);
	n->id = id;
	names.used++;
	return n;
}

static void remember(uint64_t id, const char *path, void *ctx)
{
	struct name *n = name_entry(id);

	(void)ctx;
	if (!n || n->path)
		return;
	n->path = strdup(path);
	if (n->path && container_of_path(path, n->container))
		memcpy(n->short_id, n->container, 12);
}

/* id's names: one walk of the tree for an id not seen before (which
 * also names every other cgroup there now); an id found nowhere stays
 * unnamed, and is not looked for again. */
static const struct name *names_of(uint64_t id)
{
	struct name *n;

	if (names.cap) {
		n = slot_of(id);
		if (n->id)
			return n;
	}
	walk_cgroups(remember, NULL);
	return id ? name_entry(id) : NULL;
}

const char *cgroup_path_of(uint64_t id)
{
	const struct name *n = names_of(id);

	return n ? n->path : NULL;
}

const char *cgroup_container_of(uint64_t id)
{
	const struct name *n = names_of(id);

	return n && n->container[0] ? n->container : NULL;
}

const char *cgroup_container_short(uint64_t id)
{
	const struct name *n = names_of(id);

	return n && n->container[0] ? n->short_id : NULL;
}

/* ---- --container ------------------------------------------------------------ */

struct match {
	const char *arg;
	size_t arg_len;
	char named[NAMED_MAX][CONTAINER_ID_LEN + 1];  /* the name's ids */
	int n_named;
	char first[PATH_MAX], second[PATH_MAX];
	int n;
};

static int is_hex(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

/* A systemd unit's name for arg: NAME itself, NAME.scope, NAME.service,
 * or a systemd-nspawn machine's machine-NAME.scope. */
static int unit_named(const char *base, const char *arg, size_t len)
{
	if (strcmp(base, arg) == 0)
		return 1;
	if (strncmp(base, "machine-", 8) == 0)
		base += 8;
	return strncmp(base, arg, len) == 0 &&
	       (strcmp(base + len, ".scope") == 0 ||
		strcmp(base + len, ".service") == 0);
}

static void match_one(uint64_t id, const char *path, void *ctx)
{
	struct match *m = ctx;
	const char *base = strrchr(path, '/') + 1;
	char cid[CONTAINER_ID_LEN + 1];
	int hit;

	(void)id;
	if (container_of_name(base, strlen(base), cid)) {
		hit = is_hex(m->arg) && strncmp(cid, m->arg, m->arg_len) == 0;
		for (int i = 0; i < m->n_named && !hit; i++)
			hit = strcmp(cid, m->named[i]) == 0;
	} else
		hit = unit_named(base, m->arg, m->arg_len);
	if (!hit)
		return;
	if (m->n == 0)
		snprintf(m->first, sizeof m->first, "%s", path);
	else if (m->n == 1)
		snprintf(m->second, sizeof m->second, "%s", path);
	m->n++;
}

int container_cgroup(const char *name, char *path, size_t len)
{
	const char *root = cgroup2_path();
	struct match *m;
	int err;

	if (!*name || strchr(name, '/'))
		return error_set(EINVAL, "container \"%s\": give a name or an "
				 "id (a cgroup's path goes with -c)", name);
	m = calloc(1, sizeof *m);
	if (!m)
		return error_set(ENOMEM, "out of memory");
	m->arg = name;
	m->arg_len = strlen(name);
	m->n_named = container_ids_named(name, m->named);
	err = walk_cgroups(match_one, m);
	if (err)
		;
	else if (m->n == 0)
		err = error_set(ENOENT, "container \"%s\": no cgroup under %s "
				"is one (looked for Docker, containerd, CRI-O, "
				"Podman and nerdctl ids and their starts, names "
				"in Docker's, containers/storage's and nerdctl's "
				"records, systemd units)", name, root);
	else if (m->n > 1)
		err = error_set(EINVAL, "container \"%s\": %d cgroups match "
				"(%s, %s%s): give more of the id, or the "
				"cgroup with -c", name, m->n, m->first,
				m->second, m->n > 2 ? ", ..." : "");
	else if ((size_t)snprintf(path, len, "%s%s", root, m->first) >= len)
		err = error_set(ENAMETOOLONG, "container \"%s\": its cgroup's "
				"path is too long", name);
	free(m);
	return err;
}

/* ---- --netns -------------------------------------------------------------- */

/* fd is a network namespace: the one kind of file NS_GET_NSTYPE
 * answers CLONE_NEWNET for (4.11+). */
static int is_netns(int fd)
{
	return ioctl(fd, NS_GET_NSTYPE) == CLONE_NEWNET;
}

static int open_ns_file(const char *path, const char *arg, int *fd,
			uint32_t *ino)
{
	struct stat st;

	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return error_set(errno, "netns %s: %s", arg, errno_text(errno));
	if (!is_netns(*fd) || fstat(*fd, &st)) {
		close(*fd);
		*fd = -1;
		return error_set(EINVAL, "netns %s: not a network namespace "
				 "(give its inode number, /proc/PID/ns/net or "
				 "an ip netns name)", arg);
	}
	*ino = (uint32_t)st.st_ino;
	return 0;
}

/* A file in dir (/proc/PID/ns/net for every PID, or /run/netns/NAME)
 * that is the namespace with inode ino, into path. */
static int find_netns(const char *dir, int proc, uint32_t ino, char *path,
		      size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	int found = 0;

	while (d && !found && (e = readdir(d))) {
		if (e->d_name[0] == '.' ||
		    (proc && (e->d_name[0] < '0' || e->d_name[0] > '9')))
			continue;
		snprintf(path, len, "%s/%s%s", dir, e->d_name,
			 proc ? "/ns/net" : "");
		found = stat(path, &st) == 0 && st.st_ino == ino;
	}
	if (d)
		closedir(d);
	return found;
}

int netns_open(const char *arg, int *fd, uint32_t *ino)
{
	char path[PATH_MAX], *end;
	unsigned long v;

	*fd = -1;
	if (!*arg)
		return error_set(EINVAL, "netns \"\": give its inode number, "
				 "/proc/PID/ns/net or an ip netns name");
	if (strchr(arg, '/'))
		return open_ns_file(arg, arg, fd, ino);
	errno = 0;
	v = strtoul(arg, &end, 10);
	if (*end) {     /* an `ip netns add NAME` */
		snprintf(path, sizeof path, "/run/netns/%s", arg);
		return open_ns_file(path, arg, fd, ino);
	}
	if (errno || v == 0 || v > UINT32_MAX)
		return error_set(EINVAL, "netns %s: not an inode number", arg);
	if (!find_netns("/proc", 1, (uint32_t)v, path, sizeof path) &&
	    !find_netns("/run/netns", 0, (uint32_t)v, path, sizeof path))
		return error_set(ENOENT, "netns %s: no process is in a network "
				 "namespace of that inode number, nor is one "
				 "in /run/netns", arg);
	return open_ns_file(path, arg, fd, ino);
}

/* ---- the options -------------------------------------------------------- */

int scope_resolve(struct common_opts *o)
{
	static char path[PATH_MAX];
	const char *root;
	int err, fd;

	if (o->cgroup && o->container)
		return error_set(EINVAL, "give -c or --container, not both");
	if (o->container) {
		err = container_cgroup(o->container, path, sizeof path);
		if (err)
			return err;
		o->cgroup = path;
	} else if (o->cgroup && access(o->cgroup, F_OK) && errno == ENOENT &&
		   o->cgroup[0] == '/' && (root = cgroup2_path()) &&
		   snprintf(path, sizeof path, "%s%s", root, o->cgroup) <
			   (int)sizeof path && access(path, F_OK) == 0) {
		/* a path under the mount, as events' "cgroup" shows it */
		o->cgroup = path;
	}
	if (o->cgroup && (err = check_cgroup_v2(o->cgroup)))
		return err;
	if (o->netns) {
		err = netns_open(o->netns, &fd, &o->netns_ino);
		if (err)
			return err;
		close(fd);
	}
	return 0;
}

int scope_prepare(struct session *s, const struct common_opts *o)
{
	return o->cgroup ? set_cgroup_filter(s, "scope_cgroup", o->cgroup) : 0;
}
