/* `rawtrace run -i` and `--metrics` (cli/run_metrics.h).
 *
 * The server: up to METRICS_CONNS connections at once, every socket
 * non-blocking and waited on in session_run's epoll set, so a client that
 * sends nothing, or reads nothing, costs the loop nothing. A connection
 * has REQ_MS to send its request (at most METRICS_REQ_MAX bytes) and
 * SEND_MS more to take the response; then it is closed, and closed after
 * its response in any case (no keep-alive). With the table full, a new
 * client takes the place of the oldest one that has not sent its request
 * yet (else of the oldest): clients that connect and say nothing cannot
 * keep a scraper out. The per-connection reads and writes are not
 * --explain'ed: only the listener's setup is (loader/sys.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include "cli/run_maps.h"
#include "cli/run_metrics.h"
#include "elf/error.h"
#include "loader/map_read.h"
#include "loader/sys.h"
#include "obj/names.h"
#include "render/btf_value.h"
#include "render/output.h"

/* The body's bound (render/prom.h says what happens past it). */
#define BODY_MAX (4u << 20)
#define REQ_MS 500
#define SEND_MS 10000
#define EXPIRE_MS 100           /* how often deadlines are looked at */
#define MAX_ENTRIES 100000      /* walked of one map */
#define MAX_SLOTS 64

void run_live_init(struct run_live *l)
{
	size_t i;

	memset(l, 0, sizeof *l);
	l->lfd = -1;
	for (i = 0; i < METRICS_CONNS; i++) {
		l->conn[i].live = l;
		l->conn[i].fd = -1;
	}
}

/* ---- the body ---- */

struct walk {
	struct prom_buf *b;
	const struct obj *o;
	const struct obj_map *m;
	const char *name;               /* the family's */
	size_t stride;                  /* one CPU's value */
	size_t soff, esize;             /* a struct hist's slots */
	uint32_t nslots;
	uint64_t slots[MAX_SLOTS];      /* an array histogram's, summed */
};

static uint64_t get_uint(const unsigned char *p, size_t size)
{
	uint64_t v = 0;
	uint32_t v32;

	if (size == 8) {
		memcpy(&v, p, 8);
	} else if (size == 4) {
		memcpy(&v32, p, 4);
		v = v32;
	}
	return v;
}

/* The value summed over the CPUs (one for a map that is not per-CPU). */
static uint64_t value_sum(const struct walk *w, const unsigned char *v,
			  int ncpus)
{
	uint64_t sum = 0, x;
	int cpu;

	for (cpu = 0; cpu < ncpus; cpu++)
		if (!btf_value_u64(&w->o->btf, w->m->value_type_id,
				   v + (size_t)cpu * w->stride,
				   w->m->value_size, &x))
			sum += x;
	return sum;
}

static int counter_entry(void *ctx, const void *key, const void *value,
			 int ncpus)
{
	struct walk *w = ctx;
	struct prom_labels l;
	char num[24];

	prom_key_labels(&l, &w->o->btf, w->m->key_type_id, key,
			w->m->key_size);
	snprintf(num, sizeof num, "%llu",
		 (unsigned long long)value_sum(w, value, ncpus));
	prom_sample(w->b, w->name, &l, num);
	return w->b->full;
}

/* An array of counters named *hist*: its index is the slot. */
static int slot_entry(void *ctx, const void *key, const void *value,
		      int ncpus)
{
	struct walk *w = ctx;
	uint32_t k;

	memcpy(&k, key, sizeof k);
	if (k < MAX_SLOTS) {
		w->slots[k] += value_sum(w, value, ncpus);
		if (k + 1 > w->nslots)
			w->nslots = k + 1;
	}
	return 0;
}

/* A value that is libbpf-tools' struct hist: one histogram per key. */
static int hist_entry(void *ctx, const void *key, const void *value,
		      int ncpus)
{
	struct walk *w = ctx;
	struct prom_labels l;
	uint64_t slots[MAX_SLOTS] = { 0 };
	const unsigned char *v = value;
	uint32_t i;
	int cpu;

	for (cpu = 0; cpu < ncpus; cpu++)
		for (i = 0; i < w->nslots; i++)
			slots[i] += get_uint(v + (size_t)cpu * w->stride +
					     w->soff + i * w->esize, w->esize);
	prom_key_labels(&l, &w->o->btf, w->m->key_type_id, key,
			w->m->key_size);
	prom_log2_hist(w->b, w->name, &l, slots, w->nslots);
	return w->b->full;
}

static void map_family(struct prom_buf *b, const struct obj *o,
		       const struct obj_map *m, int fd)
{
	struct walk w = { .b = b, .o = o, .m = m };
	unsigned char zero[8] = { 0 };
	char mname[BPF_OBJ_NAME_LEN + 1], name[PROM_NAME_MAX], help[256];
	uint64_t x;
	int percpu = map_is_percpu(m->type);
	int is_array = m->type == BPF_MAP_TYPE_ARRAY ||
		       m->type == BPF_MAP_TYPE_PERCPU_ARRAY;
	int counter = m->value_size <= 8 && m->value_type_id &&
		      !btf_value_u64(&o->btf, m->value_type_id, zero,
				     m->value_size, &x);
	long n;

	snprintf(mname, sizeof mname, "%.*s", (int)sizeof m->name, m->name);
	w.stride = map_value_stride(m);
	w.name = name;
	if (counter && is_array && run_map_says_hist(mname)) {
		prom_metric_name(name, sizeof name, o->name, mname, "");
		snprintf(help, sizeof help, "map %s: a log2 histogram (slot "
			 "i: [2^i, 2^(i+1)-1]); _sum estimated from the "
			 "slots' midpoints", mname);
		if (prom_family(b, name, "histogram", help))
			return;
		n = map_walk(fd, m, MAX_SLOTS, slot_entry, &w);
		if (n >= 0)
			prom_log2_hist(b, name, NULL, w.slots, w.nslots);
	} else if (counter) {
		prom_metric_name(name, sizeof name, o->name, mname, "_total");
		snprintf(help, sizeof help, "map %s: its counters%s", mname,
			 percpu ? ", summed over the CPUs" : "");
		if (prom_family(b, name, "counter", help))
			return;
		n = map_walk(fd, m, MAX_ENTRIES, counter_entry, &w);
	} else if ((w.nslots = prom_hist_slots(&o->btf, m->value_type_id,
					       m->value_size, &w.soff,
					       &w.esize)) != 0) {
		if (w.nslots > MAX_SLOTS)
			w.nslots = MAX_SLOTS;
		prom_metric_name(name, sizeof name, o->name, mname, "");
		snprintf(help, sizeof help, "map %s: log2 histograms (struct "
			 "hist's slots); _sum estimated from the slots' "
			 "midpoints", mname);
		if (prom_family(b, name, "histogram", help))
			return;
		n = map_walk(fd, m, MAX_ENTRIES, hist_entry, &w);
	} else {
		snprintf(help, sizeof help, "rawtrace: map %s: its values are "
			 "no counters and no histogram: not served", mname);
		prom_comment(b, help);
		return;
	}
	if (n < 0) {
		snprintf(help, sizeof help, "rawtrace: %s", error_msg());
		prom_comment(b, help);
	} else if (n >= MAX_ENTRIES && !b->full) {
		/* the walk stopped there: more may follow in the map */
		snprintf(help, sizeof help, "rawtrace: map %s: its first %d "
			 "entries only", mname, MAX_ENTRIES);
		prom_comment(b, help);
	}
}

/* A global data map's integers, each a gauge. */
static void global_gauges(struct prom_buf *b, const struct obj *o,
			  const struct obj_map *m, int fd)
{
	const char *sec = elf_section_name(&o->elf, m->sec);
	int id = btf_find_one(&o->btf, sec, BTF_KIND_DATASEC);
	const struct btf_type *t = id > 0 ? btf_type(&o->btf, (uint32_t)id)
					  : NULL;
	const struct btf_var_secinfo *v;
	char name[PROM_NAME_MAX], help[256], num[24];
	unsigned char *value;
	uint32_t i, key = 0;

	if (!t || !(value = malloc(m->value_size)))
		return;
	if (bpf_map_lookup(fd, &key, value)) {
		free(value);
		return;
	}
	v = btf_tail(t);
	for (i = 0; i < btf_vlen(t); i++) {
		const struct btf_type *var = btf_type(&o->btf, v[i].type);
		const char *vname = var ? btf_str(&o->btf, var->name_off) : "";

		if (!var || (uint64_t)v[i].offset + v[i].size > m->value_size ||
		    prom_number(&o->btf, var->type, value + v[i].offset,
				v[i].size, num, sizeof num))
			continue;
		prom_metric_name(name, sizeof name, o->name, vname, "");
		snprintf(help, sizeof help, "global %.64s of %s", vname, sec);
		if (!prom_family(b, name, "gauge", help))
			prom_sample(b, name, NULL, num);
	}
	free(value);
}

void run_metrics_collect(struct prom_buf *b, const struct session *s)
{
	const struct obj *o = &s->obj;
	const int *fds = s->loaded.map_fds;
	size_t i;

	for (i = 0; i < o->nr_maps && !b->full; i++) {
		const struct obj_map *m = &o->maps[i];

		if (!fds || fds[i] < 0 || m->is_kconfig)
			continue;
		if (m->is_data && !m->frozen)
			global_gauges(b, o, m, fds[i]);
		else if (!m->is_data && run_map_shown(m->type))
			map_family(b, o, m, fds[i]);
	}
}

/* ---- the server ---- */

static void on_conn(void *arg, uint32_t events);

static void end_conn(struct run_conn *c)
{
	session_watch(c->live->s, c->fd, 0, NULL, NULL);
	close(c->fd);
	c->fd = -1;
	prom_free(&c->body);
}

/* What is left of the response, as far as the socket takes it now. */
static void send_more(struct run_conn *c)
{
	size_t total = c->hlen + c->body.len;
	ssize_t n;

	while (c->sent < total) {
		if (c->sent < c->hlen)
			n = send(c->fd, c->head + c->sent, c->hlen - c->sent,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		else
			n = send(c->fd, c->body.p + (c->sent - c->hlen),
				 total - c->sent, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;         /* EPOLLOUT calls again */
		if (n <= 0)
			break;
		c->sent += (size_t)n;
	}
	end_conn(c);
}

static void respond(struct run_conn *c, const char *status, int metrics)
{
	int n;

	if (metrics) {
		prom_init(&c->body, BODY_MAX);
		run_metrics_collect(&c->body, c->live->s);
	}
	n = snprintf(c->head, sizeof c->head, "HTTP/1.1 %s\r\nContent-Type: "
		     "%s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
		     status, metrics ? "text/plain; version=0.0.4; "
		     "charset=utf-8" : "text/plain", c->body.len);
	c->hlen = n > 0 && (size_t)n < sizeof c->head ? (size_t)n : 0;
	c->sent = 0;
	c->deadline = monotonic_ms() + SEND_MS;
	if (!c->hlen || session_watch(c->live->s, c->fd, EPOLLOUT, on_conn,
				      c)) {
		end_conn(c);
		return;
	}
	send_more(c);
}

/* The request, once its head is whole: only GET /metrics is served. */
static void answer(struct run_conn *c)
{
	size_t n = c->rlen;

	if (n >= 4 && memcmp(c->req, "GET ", 4) != 0)
		respond(c, "405 Method Not Allowed", 0);
	else if (n >= 13 && memcmp(c->req + 4, "/metrics", 8) == 0 &&
		 (c->req[12] == ' ' || c->req[12] == '?'))
		respond(c, "200 OK", 1);
	else
		respond(c, "404 Not Found", 0);
}

static int head_done(const struct run_conn *c)
{
	return memmem(c->req, c->rlen, "\r\n\r\n", 4) ||
	       memmem(c->req, c->rlen, "\n\n", 2);
}

static void on_conn(void *arg, uint32_t events)
{
	struct run_conn *c = arg;
	ssize_t n;

	(void)events;
	if (c->hlen) {                  /* answering: room to send */
		send_more(c);
		return;
	}
	n = recv(c->fd, c->req + c->rlen, sizeof c->req - c->rlen,
		 MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		end_conn(c);
		return;
	}
	c->rlen += (size_t)n;
	if (head_done(c))
		answer(c);
	else if (c->rlen == sizeof c->req)
		respond(c, "431 Request Header Fields Too Large", 0);
}

/* A free place for a new client: with none, the oldest connection still
 * waiting for its request (else the oldest of all) is closed for it. */
static struct run_conn *conn_slot(struct run_live *l)
{
	struct run_conn *oldest = NULL, *idle = NULL, *c;
	size_t i;

	for (i = 0; i < METRICS_CONNS; i++) {
		c = &l->conn[i];
		if (c->fd < 0)
			return c;
		if (!oldest || c->since < oldest->since)
			oldest = c;
		if (!c->hlen && (!idle || c->since < idle->since))
			idle = c;
	}
	c = idle ? idle : oldest;
	end_conn(c);
	return c;
}

static void on_listen(void *arg, uint32_t events)
{
	struct run_live *l = arg;
	struct run_conn *c;
	int fd = accept4(l->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	(void)events;
	if (fd < 0)
		return;                 /* gone before we took it, or EMFILE:
					   the next wakeup tries again */
	c = conn_slot(l);
	c->fd = fd;
	c->rlen = c->hlen = c->sent = 0;
	c->since = monotonic_ms();
	c->deadline = c->since + REQ_MS;
	if (session_watch(l->s, fd, EPOLLIN, on_conn, c)) {
		err_line("rawtrace run: --metrics: %s", error_msg());
		end_conn(c);
	}
}

static int expire(void *arg)
{
	struct run_live *l = arg;
	double now = monotonic_ms();
	size_t i;

	for (i = 0; i < METRICS_CONNS; i++)
		if (l->conn[i].fd >= 0 && now > l->conn[i].deadline)
			end_conn(&l->conn[i]);
	return 0;
}

/* "[ADDR:]PORT" (ADDR IPv4 dotted, or [IPv6]) into sa. */
static int parse_addr(const char *spec, struct sockaddr_storage *sa,
		      socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;
	const char *colon = strrchr(spec, ':'), *port = colon ? colon + 1 :
							spec;
	char host[64] = "127.0.0.1", *end;
	unsigned long p;
	size_t hl;

	errno = 0;
	p = strtoul(port, &end, 10);
	if (!*port || *end || errno || p > 65535)
		return error_set(EINVAL, "--metrics %s: not [ADDR:]PORT", spec);
	if (colon) {
		hl = (size_t)(colon - spec);
		if (hl >= 2 && spec[0] == '[' && spec[hl - 1] == ']')
			spec++, hl -= 2;
		if (hl >= sizeof host)
			return error_set(EINVAL, "--metrics: address too long");
		memcpy(host, spec, hl);
		host[hl] = 0;
	}
	memset(sa, 0, sizeof *sa);
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)p);
		*len = sizeof *in4;
	} else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)p);
		*len = sizeof *in6;
	} else {
		return error_set(EINVAL, "--metrics: %s: not an IPv4 or IPv6 "
				 "address", host);
	}
	return 0;
}

static int open_listener(struct run_live *l, const char *spec)
{
	struct sockaddr_storage sa;
	socklen_t len;
	char host[INET6_ADDRSTRLEN] = "?";
	int one = 1, err = parse_addr(spec, &sa, &len), fd;
	uint16_t port;

	if (err)
		return err;
	fd = sys_socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
			SOCK_CLOEXEC, 0);
	if (fd < 0)
		return error_set(-fd, "--metrics %s: socket: %s", spec,
				 errno_text(-fd));
	l->lfd = fd;
	/* a restart binds again though the last run's connections linger
	 * in TIME_WAIT; a port another socket listens on stays refused */
	err = sys_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (!err)
		err = sys_bind(fd, (struct sockaddr *)&sa, len);
	if (err == -EADDRINUSE)
		return error_set(EADDRINUSE, "--metrics %s: the port is in use",
				 spec);
	if (!err)
		err = sys_listen(fd, METRICS_CONNS);
	if (err)
		return error_set(-err, "--metrics %s: %s", spec,
				 errno_text(-err));
	len = sizeof sa;
	err = sys_getsockname(fd, (struct sockaddr *)&sa, &len);
	if (err)
		return error_set(-err, "--metrics %s: getsockname: %s", spec,
				 errno_text(-err));
	if (sa.ss_family == AF_INET) {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&sa)->sin_addr,
			  host, sizeof host);
		port = ntohs(((struct sockaddr_in *)&sa)->sin_port);
	} else {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&sa)->sin6_addr,
			  host, sizeof host);
		port = ntohs(((struct sockaddr_in6 *)&sa)->sin6_port);
	}
	/* with port 0 the kernel chose: this line says which */
	err_line("rawtrace run: metrics at http://%s%s%s:%u/metrics",
		 sa.ss_family == AF_INET6 ? "[" : "", host,
		 sa.ss_family == AF_INET6 ? "]" : "", port);
	return 0;
}

/* -i: the maps and globals as they are now, as at the end of the run;
 * in text under a line with the time, as libbpf-tools' interval output. */
static int dump(void *arg)
{
	struct run_live *l = arg;
	time_t now = time(NULL);
	struct tm tm;
	int err;

	/* strftime's %H:%M:%S, without strftime (4 KB of musl) */
	if (!l->json && localtime_r(&now, &tm))
		out_printf("%02d:%02d:%02d\n", tm.tm_hour, tm.tm_min,
			   tm.tm_sec);
	err = run_show_maps(&l->s->obj, l->s->loaded.map_fds, l->json);
	if (err)
		err_line("rawtrace run: %s", error_msg());
	return out_flush();
}

int run_live_start(struct run_live *l, struct session *s,
		   const char *metrics, double interval, int json)
{
	int err = 0;

	l->s = s;
	l->json = json;
	if (metrics) {
		err = open_listener(l, metrics);
		if (!err)
			err = session_watch(s, l->lfd, EPOLLIN, on_listen, l);
		if (!err)
			err = session_every(s, EXPIRE_MS, expire, l);
	}
	if (!err && interval > 0)
		err = session_every(s, interval * 1e3, dump, l);
	return err;
}

void run_live_close(struct run_live *l)
{
	size_t i;

	for (i = 0; i < METRICS_CONNS; i++) {
		if (l->conn[i].fd >= 0)
			close(l->conn[i].fd);
		l->conn[i].fd = -1;
		prom_free(&l->conn[i].body);
	}
	if (l->lfd >= 0)
		close(l->lfd);
	l->lfd = -1;
}
