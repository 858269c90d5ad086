/* progs/container.c: the container id a cgroup path carries, by the
 * names Docker, containerd, CRI-O and Podman give their cgroups (the
 * paths below are the forms each runtime makes, with a made-up id). */
#include <string.h>
#include "progs/container.h"
#include "tests/testutil.h"

#define ID  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static const struct {
	const char *path, *id;          /* id NULL: no container */
} cases[] = {
	/* Docker, systemd driver; cgroupfs driver */
	{ "/system.slice/docker-" ID ".scope", ID },
	{ "/docker/" ID, ID },
	/* Kubernetes: containerd's CRI plugin, CRI-O (systemd), cgroupfs */
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
	  "1d2e3f4a_0000_1111_2222_333344445555.slice/cri-containerd-" ID
	  ".scope", ID },
	{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"
	  "1d2e3f4a_0000.slice/crio-" ID ".scope", ID },
	{ "/kubepods/besteffort/pod1d2e3f4a-0000/" ID, ID },
	/* Podman, rootful and rootless (systemd), and cgroupfs */
	{ "/machine.slice/libpod-" ID ".scope", ID },
	{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-"
	  ID ".scope/container", ID },
	{ "/libpod_parent/libpod-" ID, ID },
	/* the runtimes' helpers are not containers */
	{ "/machine.slice/libpod-conmon-" ID ".scope", NULL },
	{ "/kubepods.slice/crio-conmon-" ID ".scope", NULL },
	/* inside a container's cgroup; docker in docker: the innermost */
	{ "/system.slice/docker-" ID ".scope/init.scope", ID },
	{ "/docker/" ID "/docker/" ID2, ID2 },
	/* no convention */
	{ "/", NULL },
	{ "/system.slice/ssh.service", NULL },
	{ "/user.slice/user-0.slice/session-1.scope", NULL },
	{ "/docker/" ID "0", NULL },                    /* 65 digits */
	{ "/docker/0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
	  NULL },                                       /* upper case */
	{ "/system.slice/docker-" ID ".scopex", NULL },
	{ "/system.slice/podman-" ID ".scope", NULL },
	{ "", NULL },
};

START_TEST(container_ids)
{
	char id[CONTAINER_ID_LEN + 1];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(id, 'x', sizeof id);
		int found = container_of_path(cases[i].path, id);

		ck_assert_msg(found == (cases[i].id != NULL), "%s: found %d",
			      cases[i].path, found);
		if (found)
			ck_assert_str_eq(id, cases[i].id);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("container");
	TCase *tc = tcase_create("ids");

	tcase_add_test(tc, container_ids);
	suite_add_tcase(s, tc);
	return test_main(s);
}
