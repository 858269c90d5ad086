#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "elf/error.h"
#include "loader/sys.h"
#include "progs/cost.h"
#include "render/output.h"

int cost_start(struct cost *c)
{
	int err;

	memset(c, 0, sizeof *c);
	c->hold.fd = -1;
	err = stats_on(&c->hold);
	if (!err)
		c->on = 1;
	return err;
}

void cost_collect(struct cost *c, const struct session *s)
{
	const struct session_cost *sc = &s->cost;
	double end_ms = sc->end_ms ? sc->end_ms : monotonic_ms();
	double end_user = sc->end_ms ? sc->end_user_ms : user_cpu_ms();
	struct prog_runs r;
	size_t i;

	c->events = session_events(s);
	if (sc->start_ms) {
		c->seconds = (end_ms - sc->start_ms) / 1e3;
		c->user_ms = end_user - sc->start_user_ms;
	}
	c->progs = calloc(s->obj.nr_progs ? s->obj.nr_progs : 1,
			  sizeof *c->progs);
	for (i = 0; c->progs && i < s->obj.nr_progs; i++) {
		if (!session_prog_runs(s, i, &r))
			continue;
		c->progs[c->n].name = strdup(s->obj.progs[i].name);
		if (!c->progs[c->n].name)
			break;
		c->progs[c->n++].r = r;
	}
}

static uint64_t per(uint64_t total, uint64_t n)
{
	return n ? (total + n / 2) / n : 0;
}

static void print_prog(const struct cost_prog *p, const char *tool, int json)
{
	const struct prog_runs *r = &p->r;

	if (json) {
		out_str("{\"cost\":{\"prog\":");
		out_json_str(p->name, strlen(p->name));
		out_printf(",\"runs\":%llu,\"ns_per_run\":%llu,\"kernel_ns\":%llu"
			   ",\"missed\":%llu}}\n", (unsigned long long)r->runs,
			   (unsigned long long)per(r->ns, r->runs),
			   (unsigned long long)r->ns,
			   (unsigned long long)r->missed);
		return;
	}
	err_line("rawtrace %s: cost: %s: %llu runs, %llu ns per run, %.3f ms "
		 "in the kernel", tool, p->name, (unsigned long long)r->runs,
		 (unsigned long long)per(r->ns, r->runs), (double)r->ns / 1e6);
	/* a run the kernel skipped (the program was running already on
	 * that CPU) sent no event: lost without a trace in the lost count */
	if (r->missed)
		err_line("rawtrace %s: cost: %s: %llu runs missed (the program "
			 "was already running on that CPU): their events are "
			 "lost", tool, p->name, (unsigned long long)r->missed);
}

void cost_print(const struct cost *c, const char *tool, int json)
{
	uint64_t ns = 0, runs = 0, user_ns = (uint64_t)(c->user_ms * 1e6);
	double rate = c->seconds > 0 ? (double)c->events / c->seconds : 0;
	char each[48] = "null";
	size_t i;

	for (i = 0; i < c->n; i++) {
		print_prog(&c->progs[i], tool, json);
		ns += c->progs[i].r.ns;
		runs += c->progs[i].r.runs;
	}
	if (json) {
		if (c->events)
			snprintf(each, sizeof each, "%llu", (unsigned long long)
				 per(user_ns, c->events));
		out_printf("{\"cost\":{\"runs\":%llu,\"kernel_ns\":%llu,"
			   "\"events\":%llu,\"seconds\":%.3f,\"events_per_s\":"
			   "%.0f,\"user_ns\":%llu,\"user_ns_per_event\":%s}}\n",
			   (unsigned long long)runs, (unsigned long long)ns,
			   (unsigned long long)c->events, c->seconds, rate,
			   (unsigned long long)user_ns, each);
		out_flush();
		return;
	}
	if (c->events)
		snprintf(each, sizeof each, ", %llu ns per event",
			 (unsigned long long)per(user_ns, c->events));
	else
		snprintf(each, sizeof each, " (no events)");
	err_line("rawtrace %s: cost: %.3f ms in the kernel in all (%llu runs); "
		 "the reader: %.1f ms user CPU%s; %.0f events/s over %.2f s",
		 tool, (double)ns / 1e6, (unsigned long long)runs, c->user_ms,
		 each, rate, c->seconds);
}

void cost_end(struct cost *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->progs[i].name);
	free(c->progs);
	c->progs = NULL;
	c->n = 0;
	if (c->on)
		stats_off(&c->hold);
	c->on = 0;
}
