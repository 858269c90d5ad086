/* The kernel's side of externs (obj/extern.c keeps the object's): the
 * values libbpf gives __kconfig and __ksym externs, asked by
 * obj_resolve_externs one at a time.
 *   LINUX_KERNEL_VERSION       uname, with Ubuntu's and Debian's own
 *                              numbers first, as libbpf reads them
 *   LINUX_HAS_BPF_COOKIE       a probe: does bpf_get_attach_cookie load
 *   LINUX_HAS_SYSCALL_WRAPPER  is there __<arch>_sys_bpf in kallsyms
 *   CONFIG_*                   /boot/config-$(uname -r), else
 *                              /proc/config.gz (loader/gunzip.c)
 *   ksym variables             a VAR in the kernel's BTF, or (typeless)
 *                              their address in /proc/kallsyms
 *   kfuncs                     a FUNC in the kernel's BTF
 * The kernel's BTF is vmlinux's first; what is not there is looked for
 * in the modules' BTF (nf_conntrack's bpf_xdp_ct_lookup, ...), read only
 * then. A module's BTF fd is what names it to the verifier: a ksym
 * variable's ld_imm64 carries the fd itself, a kfunc call an index into
 * the fd_array BPF_PROG_LOAD is given (5.13+; index 0 means vmlinux, so
 * the slots start at 1). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "elf/error.h"
#include "loader/attach.h"
#include "loader/externs.h"
#include "loader/gunzip.h"
#include "loader/sys.h"
#include "obj/names.h"

#define KVER(a, b, c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))

/* Ubuntu's kernels say their upstream version here ("Ubuntu
 * 5.15.0-91.101-generic 5.15.131"), and uname's release is their own. */
static uint32_t ubuntu_version(void)
{
	FILE *f = fopen("/proc/version_signature", "re");
	unsigned a, b, c;
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "%*s %*s %u.%u.%u", &a, &b, &c);
	fclose(f);
	return n == 3 ? KVER(a, b, c) : 0;
}

/* Debian's release is the ABI's ("6.1.0-18-amd64"); the upstream
 * version is in uname's version string ("... Debian 6.1.76-1 ..."). */
static uint32_t debian_version(const struct utsname *u)
{
	const char *p = strstr(u->version, " Debian ");
	unsigned a, b, c;

	if (!p || sscanf(p, " Debian %u.%u.%u", &a, &b, &c) != 3)
		return 0;
	return KVER(a, b, c);
}

uint32_t kernel_version(void)
{
	struct utsname u;
	unsigned a, b, c;
	uint32_t v = ubuntu_version();

	if (v)
		return v;
	if (uname(&u))
		return 0;
	v = debian_version(&u);
	if (v)
		return v;
	if (sscanf(u.release, "%u.%u.%u", &a, &b, &c) != 3)
		return 0;
	return KVER(a, b, c);
}

/* A tracepoint program that only calls bpf_get_attach_cookie: the
 * kernel has cookies (5.15+) if it loads. */
static int has_bpf_cookie(void)
{
	struct bpf_insn insns[2] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_get_attach_cookie },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof a);
	a.prog_type = BPF_PROG_TYPE_TRACEPOINT;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = 2;
	a.license = (uintptr_t)"GPL";
	fd = sys_bpf(BPF_PROG_LOAD, &a, sizeof a);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* The address of name in /proc/kallsyms, or 0 if it is not there (or
 * kptr_restrict hides every address: then all read 0). */
static uint64_t kallsyms_addr(const char *name)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512], sym[256], type;
	unsigned long long addr;
	uint64_t found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof line, f))
		if (sscanf(line, "%llx %c %255s", &addr, &type, sym) == 3 &&
		    strcmp(sym, name) == 0)
			found = addr ? addr : 1;
	fclose(f);
	return found;
}

/* A whole file into a malloc'd buffer (NUL-ended); NULL if unreadable. */
static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	size_t n = 0, cap = 64 * 1024, got;
	char *buf = NULL, *bigger;

	if (!f)
		return NULL;
	do {
		bigger = realloc(buf, cap + 1);
		if (!bigger) {
			free(buf);
			fclose(f);
			return NULL;
		}
		buf = bigger;
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n == cap)
			cap *= 2;
	} while (got);
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* The kernel's .config, read once, where libbpf looks:
 * /boot/config-RELEASE, else the kernel's own /proc/config.gz. */
static int read_config(struct extern_ctx *c)
{
	struct utsname u;
	char path[128];
	size_t len;
	char *gz;
	int err;

	if (c->config || c->config_err)
		return c->config_err;
	if (uname(&u))
		return c->config_err = error_set(errno, "uname: %s",
						 errno_text(errno));
	snprintf(path, sizeof path, "/boot/config-%s", u.release);
	c->config = read_all(path, &len);
	if (c->config)
		return 0;
	gz = read_all("/proc/config.gz", &len);
	if (!gz)
		return c->config_err = error_set(ENOENT, "kconfig: neither %s "
						 "nor /proc/config.gz", path);
	err = gunzip(gz, len, &c->config, NULL);
	free(gz);
	if (err)
		return c->config_err = error_set(-err, "kconfig: "
						 "/proc/config.gz: not gzip, "
						 "or corrupt");
	return 0;
}

/* NAME's value in the .config text: "y", "m", "42", "\"text\"", to the
 * line's end (*n bytes); NULL if it is not set there. */
static const char *config_value(const char *text, const char *name,
				size_t *n)
{
	size_t len = strlen(name);
	const char *line, *end;

	for (line = text; line && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (strncmp(line, name, len) != 0 || line[len] != '=')
			continue;
		line += len + 1;
		*n = end ? (size_t)(end - line) : strlen(line);
		return line;
	}
	return NULL;
}

static int ask_kconfig(struct extern_ctx *c, const struct obj_extern *e,
		       struct extern_value *v)
{
	const char *text;
	size_t n;
	int err;

	if (strcmp(e->name, "LINUX_KERNEL_VERSION") == 0) {
		snprintf(c->number, sizeof c->number, "%u", kernel_version());
		v->kconfig = c->number;
	} else if (strcmp(e->name, "LINUX_HAS_BPF_COOKIE") == 0) {
		v->kconfig = has_bpf_cookie() ? "y" : "n";
	} else if (strcmp(e->name, "LINUX_HAS_SYSCALL_WRAPPER") == 0) {
		v->kconfig = syscalls_wrapped() ? "y" : "n";
	} else if (strncmp(e->name, "CONFIG_", 7) == 0) {
		err = read_config(c);
		if (err && e->weak)     /* weak: not found, 0 */
			sys_note("extern %s: %s", e->name, error_msg());
		if (err)
			return e->weak ? 0 : err;
		/* a copy of any length: a string cut would lose its quote */
		text = config_value(c->config, e->name, &n);
		free(c->value);
		c->value = text ? strndup(text, n) : NULL;
		if (text && !c->value)
			return error_set(ENOMEM, "extern %s: no memory",
					 e->name);
		v->kconfig = c->value;
	} else {
		return error_set(EINVAL, "extern %s: not a kconfig value "
				 "libbpf knows (LINUX_* or CONFIG_*)", e->name);
	}
	v->found = v->kconfig != NULL;
	return 0;
}

/* BPF_OBJ_GET_INFO_BY_FD on a BTF: its name (into name, 64 bytes), and
 * its blob into buf if size is large enough (size 0: only the size). */
static int btf_info(int fd, struct bpf_btf_info *info, char *name,
		    void *buf, uint32_t size)
{
	union bpf_attr a;

	memset(info, 0, sizeof *info);
	info->name = (uintptr_t)name;
	info->name_len = MODULE_NAME_MAX;
	info->btf = (uintptr_t)buf;
	info->btf_size = size;
	memset(&a, 0, sizeof a);
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof *info;
	a.info.info = (uintptr_t)info;
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a, sizeof a);
}

/* The BTF of id, kept if it is a module's (not vmlinux's, nor one a
 * program loaded). 0 also when it went away since it was listed, and on
 * kernels before 5.11, which have no module BTF and refuse the info's
 * name (E2BIG). */
static int read_module_btf(struct extern_ctx *c, uint32_t id)
{
	struct bpf_btf_info info;
	struct module_btf m, *more;
	union bpf_attr a;
	uint32_t size;
	int err;

	memset(&a, 0, sizeof a);
	a.btf_id = id;
	memset(&m, 0, sizeof m);
	m.fd = sys_bpf(BPF_BTF_GET_FD_BY_ID, &a, sizeof a);
	if (m.fd == -ENOENT)
		return 0;
	if (m.fd < 0)
		return error_set(-m.fd, "BTF %u: %s", id, errno_text(-m.fd));
	err = btf_info(m.fd, &info, m.name, NULL, 0);
	if (err == -E2BIG || (!err && (!info.kernel_btf || !info.btf_size ||
				       strcmp(m.name, "vmlinux") == 0))) {
		close(m.fd);
		return 0;
	}
	size = info.btf_size;
	if (!err)
		err = (m.data = malloc(size)) ? 0 : -ENOMEM;
	if (!err)
		err = btf_info(m.fd, &info, m.name, m.data, size);
	if (err)
		err = error_set(-err, "BTF %u: %s", id, errno_text(-err));
	else if (btf_parse_split(&m.btf, m.data, size, c->kbtf))
		err = error_prefix(EINVAL, "module %s's BTF: ", m.name);
	more = err ? NULL : realloc(c->mods, (c->nr_mods + 1) * sizeof *more);
	if (more) {
		c->mods = more;
		c->mods[c->nr_mods++] = m;
		return 0;
	}
	if (!err) {
		btf_free(&m.btf);
		err = error_set(ENOMEM, "no memory");
	}
	free(m.data);
	close(m.fd);
	return err;
}

/* Every module's BTF, once: the ids of the kernel's BTFs, one at a time. */
static int read_module_btfs(struct extern_ctx *c)
{
	union bpf_attr a;
	uint32_t id = 0;
	int err;

	if (c->mods_read)
		return c->mods_err;
	c->mods_read = 1;
	for (;;) {
		memset(&a, 0, sizeof a);
		a.start_id = id;
		err = sys_bpf(BPF_BTF_GET_NEXT_ID, &a, sizeof a);
		if (err == -ENOENT)
			break;
		if (err)
			err = error_set(-err, "BPF_BTF_GET_NEXT_ID: %s",
					errno_text(-err));
		else
			err = read_module_btf(c, id = a.next_id);
		if (err)
			return c->mods_err = error_prefix(-err, "the kernel's "
							  "module BTFs: ");
	}
	sys_note("module BTFs: %zu read", c->nr_mods);
	return 0;
}

/* m's slot in the fd_array, taken when its first extern is found. */
static int module_slot(struct extern_ctx *c, struct module_btf *m)
{
	int *more;

	if (m->slot)
		return m->slot;
	if (c->nr_fds >= INT16_MAX)     /* insn->off is an s16 */
		return error_set(E2BIG, "more than %d module BTFs", INT16_MAX);
	more = realloc(c->fds, (c->nr_fds ? c->nr_fds + 1 : 2) * sizeof *more);
	if (!more)
		return -ENOMEM;
	c->fds = more;
	if (!c->nr_fds)
		c->fds[c->nr_fds++] = 0;
	c->fds[c->nr_fds] = m->fd;
	return m->slot = (int)c->nr_fds++;
}

/* e in a module's BTF: its id there, the module's fd and fd_array slot. */
static int ask_modules(struct extern_ctx *c, const struct obj_extern *e,
		       struct extern_value *v)
{
	int kind = e->is_func ? BTF_KIND_FUNC : BTF_KIND_VAR, id, slot;
	size_t i;
	int err = read_module_btfs(c);

	if (err && e->weak)             /* weak: not found, 0 */
		sys_note("extern %s: %s", e->name, error_msg());
	if (err)
		return e->weak ? 0 : error_prefix(-err, "ksym %s: ", e->name);
	for (i = 0; i < c->nr_mods; i++) {
		struct module_btf *m = &c->mods[i];

		id = btf_find_one(&m->btf, e->name, kind);
		if (id < 0)
			continue;
		if ((slot = module_slot(c, m)) < 0)
			return slot;
		v->found = 1;
		v->btf_id = (uint32_t)id;
		v->btf = &m->btf;
		v->btf_fd = m->fd;
		v->fd_idx = e->is_func ? slot : 0;
		c->kfunc_in_module |= e->is_func;
		sys_note("extern %s: in module %s (btf id %d, fd %d, "
			 "fd_array[%d])", e->name, m->name, id, m->fd, slot);
		return 0;
	}
	return 0;
}

static int ask_ksym(struct extern_ctx *c, const struct obj_extern *e,
		    struct extern_value *v)
{
	int id;

	if (e->is_func || e->type_id) {
		if (!c->kbtf)
			return error_set(ENOENT, "ksym %s: needs the kernel's "
					 "BTF (%s)", e->name,
					 "/sys/kernel/btf/vmlinux");
		id = btf_find_one(c->kbtf, e->name, e->is_func ?
				  BTF_KIND_FUNC : BTF_KIND_VAR);
		v->found = id > 0;
		v->btf_id = id > 0 ? (uint32_t)id : 0;
		v->btf = c->kbtf;
		return id > 0 ? 0 : ask_modules(c, e, v);
	}
	v->addr = kallsyms_addr(e->name);
	v->found = v->addr != 0;
	return 0;
}

int extern_ask(void *ctx, const struct obj_extern *e, struct extern_value *v)
{
	struct extern_ctx *c = ctx;
	int err = e->kind == EXTERN_KCONFIG ? ask_kconfig(c, e, v) :
		  ask_ksym(c, e, v);

	if (!err)
		sys_note("extern %s: %s", e->name, !v->found ? "not found" :
			 v->kconfig ? v->kconfig : "found");
	return err;
}

/* The module BTFs read: those an extern was found in stay open (their
 * fds in c->fds, handed to the caller), the others are closed. */
static void drop_modules(struct extern_ctx *c, int keep)
{
	size_t i;

	for (i = 0; i < c->nr_mods; i++) {
		if (!keep || !c->mods[i].slot)
			close(c->mods[i].fd);
		btf_free(&c->mods[i].btf);
		free(c->mods[i].data);
	}
	free(c->mods);
	if (!keep)
		free(c->fds);
}

int externs_resolve(struct obj *o, const struct btf *kbtf,
		    struct module_fds *out)
{
	struct extern_ctx c;
	int err;

	memset(out, 0, sizeof *out);
	if (!o->nr_externs)
		return 0;
	memset(&c, 0, sizeof c);
	c.kbtf = kbtf;
	err = obj_resolve_externs(o, extern_ask, &c);
	free(c.config);
	free(c.value);
	drop_modules(&c, !err);
	if (err)
		return error_prefix(-err, "%s: ", o->name);
	out->fds = c.fds;
	out->n = c.nr_fds;
	out->kfuncs = c.kfunc_in_module;
	return 0;
}

void module_fds_close(struct module_fds *m)
{
	size_t i;

	for (i = 1; i < m->n; i++)
		close(m->fds[i]);
	free(m->fds);
	memset(m, 0, sizeof *m);
}
