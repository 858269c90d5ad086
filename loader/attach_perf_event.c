/* perf_event programs: one perf event per CPU (a software cpu-clock by
 * default, at 99 Hz), each carrying the program; or, for one process,
 * one event that follows it. The events are sub-links of one link. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "elf/error.h"
#include "loader/attach_impl.h"

/* Online CPUs, from "0-3,5" in /sys/devices/system/cpu/online: fills
 * cpus (up to max) and returns the count, or -errno. */
static int online_cpus(int *cpus, int max)
{
	FILE *f = fopen("/sys/devices/system/cpu/online", "re");
	int a, b, n = 0;
	char sep;

	if (!f)
		return -errno;
	while (fscanf(f, "%d", &a) == 1) {
		b = a;
		if (fscanf(f, "%c", &sep) == 1 && sep == '-' &&
		    fscanf(f, "%d%c", &b, &sep) < 1)
			break;
		for (; a <= b && n < max; a++)
			cpus[n++] = a;
		if (sep != ',')
			break;
	}
	fclose(f);
	return n > 0 ? n : -EINVAL;
}

static void perf_attr(const struct attach_opts *o,
		      struct perf_event_attr *attr)
{
	memset(attr, 0, sizeof *attr);
	attr->size = sizeof *attr;
	attr->type = o->perf_type ? o->perf_type : PERF_TYPE_SOFTWARE;
	attr->config = o->perf_type ? o->perf_config : PERF_COUNT_SW_CPU_CLOCK;
	if (o->perf_period) {
		attr->sample_period = o->perf_period;
	} else {
		attr->freq = 1;
		attr->sample_freq = o->perf_freq ? o->perf_freq : 99;
	}
}

int attach_perf_event_kind(const struct obj_prog *p, int prog_fd,
			   const struct attach_opts *o, struct link *l)
{
	struct perf_event_attr attr;
	int cpus[1024], n, i, err = 0;
	int pid = o->pid > 0 ? o->pid : -1;
	struct link *subs;

	n = pid > 0 ? 1 : online_cpus(cpus, 1024);
	if (n < 0)
		return error_set(-n, "perf_event: cannot read the online CPUs");
	if (pid > 0)
		cpus[0] = -1;
	subs = link_subs(l, (size_t)n);
	if (!subs)
		return error_set(ENOMEM, "perf_event: out of memory");
	perf_attr(o, &attr);
	for (i = 0; i < n && !err; i++) {
		err = link_perf_open(&attr, pid, cpus[i], prog_fd, o->cookie,
				     0, &subs[i], p->name);
		l->nr_subs = (size_t)i + (err ? 0 : 1);
	}
	if (err && !error_msg()[0])
		error_set(-err, "program %s: perf_event_open (type %u, config "
			  "%llu, cpu %d): %s", p->name, attr.type,
			  (unsigned long long)attr.config, cpus[i - 1],
			  errno_text(-err));
	if (err)
		link_destroy(l);
	return err;
}
