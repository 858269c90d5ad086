/* The BPF ring buffer reader: ringbuf_drain on synthetic rings (in order,
 * wrap, busy, discard, corrupt lengths), then, as root, a real RINGBUF map
 * fed by a tiny program run with BPF_PROG_TEST_RUN. */
#include <errno.h>
#include <string.h>
#include <linux/if_ether.h>
#include "elf/error.h"
#include "loader/ringbuf.h"
#include "loader/sys.h"
#include "tests/testutil.h"

#define SIZE 256u

/* ---- a fake ring: the data area twice, as the kernel maps it ---- */

struct fake {
	uint64_t cons, prod;
	unsigned char data[2 * SIZE];
	struct ringbuf rb;
};

static void fake_init(struct fake *f, uint64_t start)
{
	memset(f, 0, sizeof *f);
	memset(f->data, 0xee, sizeof f->data);
	f->cons = f->prod = start;
	f->rb.consumer = &f->cons;
	f->rb.producer = &f->prod;
	f->rb.data = f->data;
	f->rb.size = SIZE;
	f->rb.epfd = -1;
}

/* Writes n bytes at ring position pos into both copies of the data. */
static void poke(struct fake *f, uint64_t pos, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i, at;

	for (i = 0; i < n; i++) {
		at = (size_t)((pos + i) & (SIZE - 1));
		f->data[at] = f->data[at + SIZE] = b[i];
	}
}

/* Reserves a record of len bytes at prod, fills it with byte `fill`, and
 * sets its header's flag bits; returns its position. */
static uint64_t put(struct fake *f, uint32_t len, uint32_t flags,
		    unsigned char fill)
{
	uint64_t pos = f->prod;
	uint32_t hdr[2] = { len | flags, 0 };
	unsigned char body[SIZE];

	memset(body, fill, len);
	poke(f, pos, hdr, sizeof hdr);
	poke(f, pos + 8, body, len);
	f->prod += (8 + len + 7) & ~7u;
	return pos;
}

/* Clears the BUSY bit of the record at pos, as bpf_ringbuf_submit does. */
static void commit(struct fake *f, uint64_t pos, uint32_t len)
{
	poke(f, pos, &len, 4);
}

struct seen {
	int n;
	uint32_t size[32];
	unsigned char first[32], last[32];
	int cpu;
};

static void on_sample(void *ctx, int cpu, const void *data, uint32_t size)
{
	struct seen *s = ctx;
	const unsigned char *b = data;

	ck_assert_int_lt(s->n, 32);
	ck_assert_uint_eq((uintptr_t)data % 8, 0);
	s->size[s->n] = size;
	s->first[s->n] = b[0];
	s->last[s->n] = b[size - 1];
	s->cpu = cpu;
	s->n++;
}

START_TEST(empty_ring)
{
	struct fake f;
	struct seen s = { 0 };

	fake_init(&f, 0);
	ck_assert_int_eq(ringbuf_drain(&f.rb, on_sample, &s), 0);
	ck_assert_int_eq(s.n, 0);
	ck_assert_uint_eq(f.cons, 0);
}
END_TEST

/* Records come in order with their exact lengths (not the padded ones),
 * and the consumer position ends at the producer's. */
START_TEST(in_order)
{
	struct fake f;
	struct seen s = { 0 };

	fake_init(&f, 0);
	put(&f, 5, 0, 'a');
	put(&f, 16, 0, 'b');
	put(&f, 1, 0, 'c');
	ck_assert_int_eq(ringbuf_drain(&f.rb, on_sample, &s), 3);
	ck_assert_int_eq(s.n, 3);
	ck_assert_uint_eq(s.size[0], 5);
	ck_assert_uint_eq(s.size[1], 16);
	ck_assert_uint_eq(s.size[2], 1);
	ck_assert_int_eq(s.first[0], 'a');
	ck_assert_int_eq(s.last[1], 'b');
	ck_assert_int_eq(s.first[2], 'c');
	ck_assert_int_eq(s.cpu, -1);
	ck_assert_uint_eq(f.cons, f.prod);
	ck_assert_uint_eq(f.cons, 16 + 24 + 16);
	ck_assert_uint_eq(f.rb.samples, 3);
}
END_TEST

/* A record that starts near the end of the ring runs on into the second
 * mapping: delivered whole, in place. Positions far past the ring size
 * wrap too. */
START_TEST(record_wraps)
{
	struct fake f;
	struct seen s = { 0 };
	uint64_t start = 10 * SIZE + SIZE - 16;

	fake_init(&f, start);
	put(&f, 40, 0, 'w');
	ck_assert_int_eq(ringbuf_drain(&f.rb, on_sample, &s), 1);
	ck_assert_uint_eq(s.size[0], 40);
	ck_assert_int_eq(s.first[0], 'w');
	ck_assert_int_eq(s.last[0], 'w');
	ck_assert_uint_eq(f.cons, start + 48);
}
END_TEST

/* A record still reserved stops the reader, even with committed records
 * after it: order is kept. Once committed, the next drain goes on. */
START_TEST(busy_stops)
{
	struct fake f;
	struct seen s = { 0 };
	uint64_t busy;

	fake_init(&f, 0);
	put(&f, 8, 0, '1');
	busy = put(&f, 12, BPF_RINGBUF_BUSY_BIT, '2');
	put(&f, 8, 0, '3');
	ck_assert_int_eq(ringbuf_drain(&f.rb, on_sample, &s), 1);
	ck_assert_uint_eq(f.cons, busy);
	ck_assert_int_eq(ringbuf_drain(&f.rb, on_sample, &s), 0);
	commit(&f, busy, 12);
	ck_assert_int_eq(ringbuf_drain(&f.rb, on_sample, &s), 2);
	ck_assert_int_eq(s.first[1], '2');
	ck_assert_int_eq(s.first[2], '3');
	ck_assert_uint_eq(f.cons, f.prod);
}
END_TEST

/* A discarded record is stepped over, not delivered. */
START_TEST(discard_skipped)
{
	struct fake f;
	struct seen s = { 0 };

	fake_init(&f, 0);
	put(&f, 8, BPF_RINGBUF_DISCARD_BIT, 'x');
	put(&f, 8, 0, 'y');
	ck_assert_int_eq(ringbuf_drain(&f.rb, on_sample, &s), 1);
	ck_assert_int_eq(s.first[0], 'y');
	ck_assert_uint_eq(f.rb.samples, 1);
	ck_assert_uint_eq(f.cons, f.prod);
}
END_TEST

/* A length longer than the ring, or than what the producer published, is
 * corruption: an error, nothing delivered from it, and the consumer
 * position left at the bad record (records before it are not seen twice). */
START_TEST(corrupt_length)
{
	struct fake f;
	struct seen s = { 0 };
	uint64_t bad;
	uint32_t hdr[2] = { SIZE, 0 };

	fake_init(&f, 0);
	put(&f, 8, 0, 'g');
	bad = put(&f, 8, 0, 'b');
	poke(&f, bad, hdr, 8);          /* SIZE + 8 > the ring */
	ck_assert_int_eq(ringbuf_drain(&f.rb, on_sample, &s), -EINVAL);
	ck_assert_int_eq(s.n, 1);
	ck_assert_uint_eq(f.cons, bad);
	ck_assert_ptr_nonnull(strstr(error_msg(), "corrupt record"));

	hdr[0] = 64;                    /* fits the ring, not what is published */
	poke(&f, bad, hdr, 8);
	ck_assert_int_eq(ringbuf_drain(&f.rb, on_sample, &s), -EINVAL);
	ck_assert_int_eq(s.n, 1);
	ck_assert_uint_eq(f.cons, bad);

	hdr[0] = 0x3fffffff | BPF_RINGBUF_DISCARD_BIT;  /* discarded, still too long */
	poke(&f, bad, hdr, 8);
	ck_assert_int_eq(ringbuf_drain(&f.rb, on_sample, &s), -EINVAL);
}
END_TEST

/* ---- a real ring buffer (root) ---- */

static int ringbuf_map(uint32_t size)
{
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	a.map_type = BPF_MAP_TYPE_RINGBUF;
	a.max_entries = size;
	return sys_bpf(BPF_MAP_CREATE, &a, sizeof a);
}

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
			    .off = (o), .imm = (i) })

/* A tc program that writes the 8 bytes 0x1122334455667788 into the ring
 * with bpf_ringbuf_output. */
static int load_sender(int map)
{
	struct bpf_insn prog[] = {
		INSN(BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, 0x55667788),
		INSN(0, 0, 0, 0, 0x11223344),
		INSN(BPF_STX | BPF_MEM | BPF_DW, 10, 1, -8, 0),
		INSN(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_FD, 0, map),
		INSN(0, 0, 0, 0, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -8),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 8),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, 0),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_output),
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

START_TEST(real_ring)
{
	unsigned char pkt[ETH_HLEN + 20] = { 0 };
	uint32_t size = 4 * (uint32_t)sysconf(_SC_PAGESIZE);
	struct ringbuf rb;
	union bpf_attr a;
	struct seen s = { 0 };
	int map, prog, err;

	SKIP_UNLESS_ROOT();
	map = ringbuf_map(size);
	if (map < 0)
		SKIP("no BPF_MAP_TYPE_RINGBUF (kernel before 5.8)");
	ck_assert_int_eq(ringbuf_open(&rb, map, size / 2 + 1), -EINVAL);
	err = ringbuf_open(&rb, map, size);
	ck_assert_msg(err == 0, "ringbuf_open: %s", error_msg());
	prog = load_sender(map);
	ck_assert_msg(prog >= 0, "cannot load a sched_cls program: %d", prog);

	memset(&a, 0, sizeof a);
	a.test.prog_fd = (uint32_t)prog;
	a.test.data_in = (uintptr_t)pkt;
	a.test.data_size_in = sizeof pkt;
	a.test.repeat = 3;
	ck_assert_int_eq(sys_bpf(BPF_PROG_TEST_RUN, &a, sizeof a), 0);

	ck_assert_int_eq(ringbuf_poll(&rb, 1000, on_sample, &s), 3);
	ck_assert_uint_eq(s.size[2], 8);
	ck_assert_int_eq(s.first[2], 0x88);
	ck_assert_int_eq(s.last[2], 0x11);
	ck_assert_uint_eq(*rb.consumer, 3 * 16);
	ck_assert_int_eq(ringbuf_poll(&rb, 0, on_sample, &s), 0);
	ringbuf_close(&rb);
	ck_assert_int_eq(rb.epfd, -1);
	ringbuf_close(&rb);             /* twice is harmless */
	close(prog);
	close(map);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ringbuf");
	TCase *ring = tcase_create("ring");
	TCase *real = tcase_create("kernel");

	tcase_add_test(ring, empty_ring);
	tcase_add_test(ring, in_order);
	tcase_add_test(ring, record_wraps);
	tcase_add_test(ring, busy_stops);
	tcase_add_test(ring, discard_skipped);
	tcase_add_test(ring, corrupt_length);
	tcase_add_test(real, real_ring);
	suite_add_tcase(s, ring);
	suite_add_tcase(s, real);
	return s;
}

int main(void)
{
	return test_main(suite());
}
