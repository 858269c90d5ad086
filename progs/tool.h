/* A tracing tool as data: its object, backends, options, knobs and
 * columns, and one runner, tool_main, that does what every tool does:
 * parse the options, open the object, set the knobs, start a backend,
 * print the header, then every event until a signal or -d, then the
 * totals. A tool with a part of its own (packets' socket, deny-bind's
 * cgroup and command) says so in a hook and uses the runner's steps. */
#ifndef RAWTRACE_TOOL_H
#define RAWTRACE_TOOL_H

#include <stddef.h>
#include <stdint.h>
#include "loader/session.h"
#include "render/columns.h"
#include "progs/cost.h"
#include "progs/options.h"

struct run;

enum opt_kind {
	OPT_FLAG,       /* sets the byte at offset to 1 */
	OPT_PORTS,      /* "80,443" into the struct port_list at offset */
	OPT_STRING,     /* the argument, into the const char * at offset */
	OPT_CALL,       /* parse(run, arg) */
	OPT_REFUSE,     /* an option the tool does not take: help is the
			   error, and -h does not list it */
};

/* Where an option's offset points. */
enum opt_in { IN_OPTS, IN_KNOBS };

/* One option: from the tool's list the runner makes the getopt string,
 * the long options and the -h text. */
struct tool_option {
	const char *name;       /* --name; NULL: a letter only */
	int letter;             /* -L; 0: --name only */
	const char *arg;        /* what -h calls its argument; NULL: none */
	const char *help;       /* -h's text; a '\n' starts an indented line */
	uint8_t kind;           /* enum opt_kind */
	uint8_t in;             /* enum opt_in */
	uint16_t offset;
	uint32_t show;          /* bits it adds to the columns' show mask */
	int (*parse)(struct run *r, const char *arg);   /* OPT_CALL */
};

/* The common options a tool takes (struct common_opts), as bits. */
#define TAKES_TIME      (1u << 0)       /* -t */
#define TAKES_PID       (1u << 1)       /* -p */
#define TAKES_JSON      (1u << 2)       /* -j */
#define TAKES_DURATION  (1u << 3)       /* -d */
#define TAKES_PAGES     (1u << 4)       /* -b */
#define TAKES_RING      (1u << 5)       /* --ring */
#define TAKES_BACKEND   (1u << 6)       /* --backend */
#define TAKES_COST      (1u << 7)       /* --cost */
#define TAKES_CGROUP    (1u << 8)       /* -c, --container */
#define TAKES_NETNS     (1u << 9)       /* --netns */
#define TAKES_CGROUP_COLS (1u << 10)    /* -C */
#define TAKES_ALL       0x7ffu

struct tool {
	const char *name;               /* the command: "deny-bind" */
	const char *help;               /* its line in `rawtrace -h` */
	const char *object;             /* the embedded BPF object */
	const char *usage;              /* -h's first lines after "usage: " */
	const char *about;              /* -h's lines before the options */
	const char *notes;              /* -h's lines after them; or NULL */
	const struct backend *backends; /* tried in order; NULL: none (the
					   tool's run hook attaches) */
	const char *backend_names;      /* for --backend's help line */
	const char *backend_order;      /* why backends is in that order,
					   for --explain and doctor; or NULL */
	unsigned takes;                 /* TAKES_* */
	const struct tool_option *options;      /* ended by a zeroed one */
	size_t opts_size;               /* the tool's own options struct */
	size_t knobs_size;              /* its struct X_knobs (include/knobs.h) */
	const struct column *columns;
	size_t nr_columns;
	size_t event_size;
	int takes_command;              /* -- CMD ARGS... */
	const char *operand;            /* one argument it needs ("OBJ.o"),
					   into run->operand; NULL: none */
	/* What `rawtrace doctor` says of a tool without backends. */
	const char *doctor;
	int needs_cgroup2;

	/* Hooks; each may be NULL. */
	void (*defaults)(struct run *r);        /* before parsing */
	int (*check)(struct run *r);            /* after parsing */
	/* the backend list for this run (connect --result has its own) */
	const struct backend *(*choose)(struct run *r);
	/* after the maps are made, before attaching (bind -c's cgroup) */
	int (*prepare)(struct session *s, void *run);
	/* instead of start, header and events: the tool's own run */
	int (*run)(struct run *r);
	/* after the session is closed: the exit status to return */
	int (*finish)(struct run *r, int status);
};

/* One run of a tool. */
struct run {
	const struct tool *tool;
	struct common_opts c;
	void *opts;                     /* tool->opts_size bytes */
	void *knobs;                    /* tool->knobs_size bytes */
	uint32_t show;                  /* column bits (COL_SHOW_TIME, ...) */
	char **cmd;                     /* after --, with takes_command */
	const char *operand;            /* with tool->operand */
	uint64_t short_samples;         /* shorter than event_size */
	struct session s;
	struct ladder ladder;           /* which backend runs, and why */
	struct lost_count lost;         /* events the programs found no room
					   for */
	struct cost cost;               /* --cost */
};

/* The tools `rawtrace COMMAND` runs through tool_main (progs/tools.c),
 * ended by a NULL. */
extern const struct tool *const tools[];

/* Runs tool with argv[0] its name; returns the exit status. */
int tool_main(const struct tool *t, int argc, char **argv);

/* Once per process, before any BPF object is loaded: SIGINT, SIGTERM
 * and SIGHUP set session_stop (without SA_RESTART, so that the poll
 * returns), SIGPIPE is ignored (a closed pipe is an EPIPE we report),
 * and RLIMIT_MEMLOCK is raised (kernels before 5.11 charge BPF memory
 * to it). */
void process_policy(void);

/* With --cost: the programs' runs counted from their attach, on the
 * session just opened (tool_open does it; run's own open too). */
int tool_count_runs(struct run *r);

/* The runner's steps, for a tool's run hook. */
int tool_open(struct run *r);           /* object open, knobs and ring set */
void tool_header(struct run *r);        /* nothing with -j */
/* Flushes the header, then prints events until a signal or -d. */
int tool_events(struct run *r);
/* The perf_sample_fn that prints one event by the tool's columns. */
void tool_on_event(void *run, int cpu, const void *data, uint32_t size);

#endif
