/* The caller's fds watched with the rings (loader/rings.c rings_watch):
 * an fd's fn gets what the wait reported for that fd only, even when a
 * fn of the same wait frees a watch and gives its place to another fd
 * (run --metrics closes an idle connection for a new one). */
#include <stdint.h>
#include <sys/epoll.h>
#include <unistd.h>
#include "loader/rings.h"
#include "tests/testutil.h"

static struct rings rs;
static int pipes[3][2];
static int calls[3];

/* The first of the two ready fds told stops watching the other and
 * watches pipe 2, which has nothing to read, in its place. */
static void told(void *arg, uint32_t events)
{
	int i = (int)(intptr_t)arg;

	calls[i]++;
	if (i < 2 && calls[0] + calls[1] == 1) {
		ck_assert_int_eq(rings_watch(&rs, pipes[1 - i][0], 0, NULL,
					     NULL), 0);
		ck_assert_int_eq(rings_watch(&rs, pipes[2][0], EPOLLIN, told,
					     (void *)(intptr_t)2), 0);
	}
	(void)events;
}

START_TEST(test_reused_slot)
{
	int i;

	for (i = 0; i < 3; i++)
		ck_assert_int_eq(pipe(pipes[i]), 0);
	ck_assert_int_eq(write(pipes[0][1], "a", 1), 1);
	ck_assert_int_eq(write(pipes[1][1], "b", 1), 1);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(rings_watch(&rs, pipes[i][0], EPOLLIN, told,
					     (void *)(intptr_t)i), 0);
	ck_assert_int_eq(rings_poll(&rs, 1000, NULL, NULL), 0);
	ck_assert_int_eq(calls[0] + calls[1], 1);
	ck_assert_msg(calls[2] == 0, "pipe 2 told the event of the fd "
		      "whose place it took");
	/* and told its own */
	ck_assert_int_eq(write(pipes[2][1], "c", 1), 1);
	ck_assert_int_eq(rings_poll(&rs, 1000, NULL, NULL), 0);
	ck_assert_int_eq(calls[2], 1);
	rings_close(&rs);
	for (i = 0; i < 3; i++) {
		close(pipes[i][0]);
		close(pipes[i][1]);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rings");
	TCase *tc = tcase_create("rings");

	tcase_add_test(tc, test_reused_slot);
	suite_add_tcase(s, tc);
	return test_main(s);
}
