/* The perf ring reader: perf_ring_drain on synthetic rings built in
 * malloc'd memory (every wrap and corruption case), then, as root, a real
 * reader on a real PERF_EVENT_ARRAY, fed by a tiny program run with
 * BPF_PROG_TEST_RUN. */
#include <errno.h>
#include <string.h>
#include <linux/if_ether.h>
#include "elf/error.h"
#include "loader/perf.h"
#include "loader/sys.h"
#include "tests/testutil.h"

/* ---- a fake ring: one metadata page and a data area ---- */

struct fake {
	struct perf_event_mmap_page *meta;
	struct perf_ring r;
};

static void fake_init(struct fake *f, size_t size, uint64_t start)
{
	f->meta = calloc(1, sizeof *f->meta);
	memset(&f->r, 0, sizeof f->r);
	f->r.meta = f->meta;
	f->r.data = malloc(size);
	memset(f->r.data, 0xee, size);
	f->r.data_size = size;
	f->r.cpu = 3;
	f->r.fd = -1;
	f->meta->data_head = f->meta->data_tail = start;
}

static void fake_free(struct fake *f)
{
	free(f->r.data);
	free(f->r.scratch);
	free(f->meta);
}

/* Writes bytes at data_head the way the kernel does: wrapping. */
static void put(struct fake *f, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		f->r.data[(f->meta->data_head + i) & (f->r.data_size - 1)] = b[i];
	f->meta->data_head += n;
}

static void put_header(struct fake *f, uint32_t type, uint16_t size)
{
	struct perf_event_header h = { .type = type, .misc = 0, .size = size };

	put(f, &h, sizeof h);
}

static void put_sample(struct fake *f, const void *data, uint32_t len)
{
	uint16_t size = (uint16_t)((8 + 4 + len + 7) & ~7u);
	static const unsigned char pad[8];

	put_header(f, PERF_RECORD_SAMPLE, size);
	put(f, &len, 4);
	put(f, data, len);
	put(f, pad, size - 8 - 4 - len);
}

static void put_lost(struct fake *f, uint64_t id, uint64_t lost)
{
	put_header(f, PERF_RECORD_LOST, 24);
	put(f, &id, 8);
	put(f, &lost, 8);
}

/* ---- what the callbacks saw ---- */

struct seen {
	int samples;
	unsigned char data[64][64];
	uint32_t size[64];
	int cpu;
	int lost_records;
	uint64_t lost;
};

static void on_sample(void *ctx, int cpu, const void *data, uint32_t size)
{
	struct seen *s = ctx;

	if (s->samples < 64 && size <= 64) {
		memcpy(s->data[s->samples], data, size);
		s->size[s->samples] = size;
	}
	s->samples++;
	s->cpu = cpu;
}

static void on_lost(void *ctx, int cpu, uint64_t lost)
{
	struct seen *s = ctx;

	s->lost_records++;
	s->lost += lost;
	s->cpu = cpu;
}

static int drain(struct fake *f, struct seen *s)
{
	memset(s, 0, sizeof *s);
	return perf_ring_drain(&f->r, on_sample, on_lost, s);
}

START_TEST(empty_ring)
{
	struct fake f;
	struct seen s;

	fake_init(&f, 64, 40);
	ck_assert_int_eq(drain(&f, &s), 0);
	ck_assert_int_eq(s.samples, 0);
	ck_assert_uint_eq(f.meta->data_tail, 40);
	fake_free(&f);
}
END_TEST

START_TEST(one_sample)
{
	struct fake f;
	struct seen s;

	fake_init(&f, 64, 0);
	put_sample(&f, "hello", 5);          /* 8 + 4 + 5 -> 24 bytes */
	ck_assert_uint_eq(f.meta->data_head, 24);
	ck_assert_int_eq(drain(&f, &s), 1);
	ck_assert_int_eq(s.samples, 1);
	ck_assert_int_eq(s.cpu, 3);
	ck_assert_uint_eq(s.size[0], 5);
	ck_assert_mem_eq(s.data[0], "hello", 5);
	ck_assert_uint_eq(f.meta->data_tail, 24);
	/* Nothing new: a second drain sees nothing. */
	ck_assert_int_eq(drain(&f, &s), 0);
	fake_free(&f);
}
END_TEST

START_TEST(many_samples)
{
	struct fake f;
	struct seen s;
	uint32_t i, v;

	fake_init(&f, 1024, 0);
	for (i = 0; i < 50; i++)             /* 16 bytes each */
		put_sample(&f, &i, sizeof i);
	ck_assert_int_eq(drain(&f, &s), 50);
	ck_assert_int_eq(s.samples, 50);
	for (i = 0; i < 50; i++) {
		ck_assert_uint_eq(s.size[i], 4);
		memcpy(&v, s.data[i], 4);
		ck_assert_uint_eq(v, i);
	}
	ck_assert_uint_eq(f.meta->data_tail, 800);
	fake_free(&f);
}
END_TEST

START_TEST(header_wraps)
{
	struct fake f;
	struct seen s;

	/* Start 4 bytes before the end: the 8-byte header straddles it. */
	fake_init(&f, 64, 60);
	put_sample(&f, "abcdefgh", 8);       /* 24 bytes: 60..83 */
	ck_assert_int_eq(drain(&f, &s), 1);
	ck_assert_uint_eq(s.size[0], 8);
	ck_assert_mem_eq(s.data[0], "abcdefgh", 8);
	ck_assert_uint_eq(f.meta->data_tail, 84);
	ck_assert_ptr_nonnull(f.r.scratch);  /* the record was copied */
	fake_free(&f);
}
END_TEST

START_TEST(payload_wraps)
{
	struct fake f;
	struct seen s;
	const char msg[] = "0123456789abcdefghij";   /* 20 bytes + NUL */

	/* Header at 48..55, size at 56..59, payload 60..63 then 0..16. */
	fake_init(&f, 64, 48);
	put_sample(&f, msg, 21);             /* 8 + 4 + 21 -> 40 bytes */
	ck_assert_int_eq(drain(&f, &s), 1);
	ck_assert_uint_eq(s.size[0], 21);
	ck_assert_str_eq((char *)s.data[0], msg);
	ck_assert_uint_eq(f.meta->data_tail, 88);
	/* Then one that does not wrap is read in place, also right. */
	put_sample(&f, "xyz", 3);
	ck_assert_int_eq(drain(&f, &s), 1);
	ck_assert_mem_eq(s.data[0], "xyz", 3);
	fake_free(&f);
}
END_TEST

START_TEST(lost_record)
{
	struct fake f;
	struct seen s;

	fake_init(&f, 128, 0);
	put_sample(&f, "a", 1);
	put_lost(&f, 7, 42);
	put_header(&f, PERF_RECORD_COMM, 16);   /* skipped by size */
	put(&f, "commcomm", 8);
	put_sample(&f, "b", 1);
	ck_assert_int_eq(drain(&f, &s), 4);
	ck_assert_int_eq(s.samples, 2);
	ck_assert_mem_eq(s.data[1], "b", 1);
	ck_assert_int_eq(s.lost_records, 1);
	ck_assert_uint_eq(s.lost, 42);
	ck_assert_uint_eq(f.meta->data_tail, 16 + 24 + 16 + 16);
	fake_free(&f);
}
END_TEST

/* Drains a ring that holds one record with a bad size field and checks
 * the error and that data_tail did not move. */
static void expect_corrupt(uint16_t size, uint32_t extra)
{
	struct fake f;
	struct seen s;
	unsigned char zeros[64] = { 0 };

	fake_init(&f, 64, 16);
	put_header(&f, PERF_RECORD_SAMPLE, size);
	put(&f, zeros, extra);
	error_clear();
	ck_assert_int_eq(drain(&f, &s), -EINVAL);
	ck_assert_int_eq(s.samples, 0);
	ck_assert_uint_eq(f.meta->data_tail, 16);
	ck_assert_ptr_nonnull(strstr(error_msg(), "cpu 3"));
	fake_free(&f);
}

START_TEST(corrupt_size)
{
	expect_corrupt(0, 8);        /* zero: would loop forever */
	expect_corrupt(12, 8);       /* not a multiple of 8 */
	expect_corrupt(128, 56);     /* bigger than the ring */
	expect_corrupt(48, 8);       /* past data_head */
	ck_assert_ptr_nonnull(strstr(error_msg(), "size 48"));
}
END_TEST

START_TEST(corrupt_after_good)
{
	struct fake f;
	struct seen s;
	uint32_t big = 1000;

	fake_init(&f, 64, 0);
	put_sample(&f, "ok", 2);             /* 16 bytes */
	put_header(&f, PERF_RECORD_SAMPLE, 16);
	put(&f, &big, 4);                    /* sample longer than record */
	put(&f, "pad!", 4);
	ck_assert_int_eq(drain(&f, &s), -EINVAL);
	ck_assert_int_eq(s.samples, 1);
	/* The tail stops at the bad record: the good one is not redone. */
	ck_assert_uint_eq(f.meta->data_tail, 16);
	fake_free(&f);
}
END_TEST

START_TEST(positions_beyond_ring)
{
	struct fake f;
	struct seen s;
	uint64_t start = UINT64_MAX - 15;   /* & 63 == 48; wraps the u64 */

	fake_init(&f, 64, start);
	put_sample(&f, "first", 5);          /* 24 bytes */
	put_sample(&f, "second", 6);         /* 24 bytes */
	ck_assert_uint_eq(f.meta->data_head, 32);
	ck_assert_int_eq(drain(&f, &s), 2);
	ck_assert_mem_eq(s.data[0], "first", 5);
	ck_assert_mem_eq(s.data[1], "second", 6);
	ck_assert_uint_eq(f.meta->data_tail, 32);

	/* And a tail many laps ahead of offset 0. */
	fake_free(&f);
	fake_init(&f, 64, 64 * 1000 + 8);
	put_sample(&f, "lap", 3);
	ck_assert_int_eq(drain(&f, &s), 1);
	ck_assert_mem_eq(s.data[0], "lap", 3);
	ck_assert_uint_eq(f.meta->data_tail, 64 * 1000 + 8 + 16);
	fake_free(&f);
}
END_TEST

START_TEST(reader_counts)
{
	struct fake f;
	struct seen s;
	struct perf_reader pr;

	fake_init(&f, 128, 0);
	put_sample(&f, "a", 1);
	put_lost(&f, 1, 5);
	put_lost(&f, 1, 6);
	memset(&pr, 0, sizeof pr);
	pr.rings = &f.r;
	pr.nr_rings = 1;
	memset(&s, 0, sizeof s);
	ck_assert_int_eq(perf_reader_drain(&pr, on_sample, on_lost, &s), 3);
	ck_assert_uint_eq(pr.samples, 1);
	ck_assert_uint_eq(pr.lost, 11);
	ck_assert_int_eq(s.samples, 1);
	ck_assert_uint_eq(s.lost, 11);
	ck_assert_int_eq(s.lost_records, 2);
	fake_free(&f);
}
END_TEST

START_TEST(cpu_list)
{
	int *cpus = NULL;

	ck_assert_int_eq(perf_parse_cpu_list("0-3,5\n", &cpus), 5);
	ck_assert_int_eq(cpus[0], 0);
	ck_assert_int_eq(cpus[3], 3);
	ck_assert_int_eq(cpus[4], 5);
	free(cpus);
	ck_assert_int_eq(perf_parse_cpu_list("7\n", &cpus), 1);
	ck_assert_int_eq(cpus[0], 7);
	free(cpus);
	ck_assert_int_eq(perf_parse_cpu_list("", &cpus), -EINVAL);
	ck_assert_int_eq(perf_parse_cpu_list("3-1", &cpus), -EINVAL);
	ck_assert_int_eq(perf_parse_cpu_list("0-x", &cpus), -EINVAL);
}
END_TEST

/* ---- a real reader (root) ---- */

static int possible_cpus(void)
{
	/* sysfs files claim 4096 bytes: read a line, not the "size". */
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	char text[256];
	int *cpus, n, max;

	if (!f)
		return -1;
	if (!fgets(text, sizeof text, f))
		text[0] = 0;
	fclose(f);
	n = perf_parse_cpu_list(text, &cpus);
	if (n < 0)
		return -1;
	max = cpus[n - 1];
	free(cpus);
	return max + 1;
}

static int map_create(uint32_t type, uint32_t max_entries)
{
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	a.map_type = type;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = max_entries;
	return sys_bpf(BPF_MAP_CREATE, &a, sizeof a);
}

START_TEST(real_reader)
{
	struct perf_reader pr;
	long page = sysconf(_SC_PAGESIZE);
	int map, err, i;

	SKIP_UNLESS_ROOT();
	ck_assert_int_gt(possible_cpus(), 0);
	map = map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, (uint32_t)possible_cpus());
	ck_assert_int_ge(map, 0);
	ck_assert_int_eq(perf_reader_open(&pr, map, 3, 0), -EINVAL);
	err = perf_reader_open(&pr, map, 8, 0);
	ck_assert_msg(err == 0, "perf_reader_open: %d %s", err, error_msg());
	ck_assert_int_eq(pr.nr_rings, (int)sysconf(_SC_NPROCESSORS_ONLN));
	for (i = 0; i < pr.nr_rings; i++) {
		/* The kernel describes the data area it gave us. */
		ck_assert_uint_eq(pr.rings[i].meta->data_size, 8 * page);
		ck_assert_uint_eq(pr.rings[i].meta->data_offset, page);
		ck_assert_uint_eq(pr.rings[i].data_size, 8 * page);
	}
	ck_assert_int_eq(perf_reader_poll(&pr, 0, on_sample, on_lost, NULL), 0);
	perf_reader_close(&pr);
	ck_assert_ptr_null(pr.rings);
	perf_reader_close(&pr);              /* twice is harmless */
	close(map);
}
END_TEST

START_TEST(real_reader_cleans_up)
{
	struct perf_reader pr;
	int map, err;

	SKIP_UNLESS_ROOT();
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP("needs two online CPUs");
	/* One slot only: storing the second CPU's fd fails. */
	map = map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 1);
	ck_assert_int_ge(map, 0);
	err = perf_reader_open(&pr, map, 1, 4096);
	ck_assert_int_eq(err, -E2BIG);
	ck_assert_ptr_nonnull(strstr(error_msg(), "store fd in map"));
	ck_assert_ptr_null(pr.rings);
	ck_assert_int_eq(pr.epfd, -1);
	close(map);
}
END_TEST

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
			    .off = (o), .imm = (i) })

/* A tc program that sends the 8 bytes 0x1122334455667788 to the perf
 * event array with BPF_F_CURRENT_CPU. */
static int load_sender(int map)
{
	struct bpf_insn prog[] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0),
		INSN(BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, 0x55667788),
		INSN(0, 0, 0, 0, 0x11223344),
		INSN(BPF_STX | BPF_MEM | BPF_DW, 10, 1, -8, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 6, 0, 0),
		INSN(BPF_LD | BPF_IMM | BPF_DW, 2, BPF_PSEUDO_MAP_FD, 0, map),
		INSN(0, 0, 0, 0, 0),
		INSN(BPF_ALU | BPF_MOV | BPF_K, 3, 0, 0, -1), /* w3: 0xffffffff */
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 4, 10, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 4, 0, 0, -8),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 5, 0, 0, 8),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_perf_event_output),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	a.prog_type = BPF_PROG_TYPE_SCHED_CLS;
	a.insns = (uintptr_t)prog;
	a.insn_cnt = sizeof prog / sizeof *prog;
	a.license = (uintptr_t)"GPL";
	return sys_bpf(BPF_PROG_LOAD, &a, sizeof a);
}

START_TEST(real_sample)
{
	unsigned char pkt[ETH_HLEN + 20] = { 0 };
	struct perf_reader pr;
	union bpf_attr a;
	struct seen s;
	uint64_t v;
	int map, prog, err;

	SKIP_UNLESS_ROOT();
	ck_assert_int_gt(possible_cpus(), 0);
	map = map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, (uint32_t)possible_cpus());
	ck_assert_int_ge(map, 0);
	prog = load_sender(map);
	if (prog < 0) {
		close(map);
		SKIP("cannot load a sched_cls program here");
	}
	err = perf_reader_open(&pr, map, 1, 0);
	ck_assert_msg(err == 0, "perf_reader_open: %s", error_msg());

	memset(&a, 0, sizeof a);
	a.test.prog_fd = (uint32_t)prog;
	a.test.data_in = (uintptr_t)pkt;
	a.test.data_size_in = sizeof pkt;
	a.test.repeat = 3;
	ck_assert_int_eq(sys_bpf(BPF_PROG_TEST_RUN, &a, sizeof a), 0);

	memset(&s, 0, sizeof s);
	ck_assert_int_eq(perf_reader_poll(&pr, 1000, on_sample, on_lost, &s), 3);
	ck_assert_int_eq(s.samples, 3);
	ck_assert_uint_eq(pr.samples, 3);
	ck_assert_uint_eq(pr.lost, 0);
	/* The kernel pads raw data so that u32 size + data is a multiple
	 * of 8: 8 bytes sent arrive as 12, the last 4 being padding. */
	ck_assert_uint_eq(s.size[2], 12);
	memcpy(&v, s.data[2], 8);
	ck_assert_uint_eq(v, 0x1122334455667788ull);
	/* Everything was consumed. */
	ck_assert_int_eq(perf_reader_poll(&pr, 0, on_sample, on_lost, &s), 0);
	perf_reader_close(&pr);
	close(prog);
	close(map);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("perf");
	TCase *ring = tcase_create("ring");
	TCase *real = tcase_create("kernel");

	tcase_add_test(ring, empty_ring);
	tcase_add_test(ring, one_sample);
	tcase_add_test(ring, many_samples);
	tcase_add_test(ring, header_wraps);
	tcase_add_test(ring, payload_wraps);
	tcase_add_test(ring, lost_record);
	tcase_add_test(ring, corrupt_size);
	tcase_add_test(ring, corrupt_after_good);
	tcase_add_test(ring, positions_beyond_ring);
	tcase_add_test(ring, reader_counts);
	tcase_add_test(ring, cpu_list);
	tcase_add_test(real, real_reader);
	tcase_add_test(real, real_reader_cleans_up);
	tcase_add_test(real, real_sample);
	suite_add_tcase(s, ring);
	suite_add_tcase(s, real);
	return s;
}

int main(void)
{
	return test_main(suite());
}
