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
	/* containerd run by nerdctl: systemd; ctr and nerdctl, cgroupfs */
	{ "/system.slice/nerdctl-" ID ".scope", ID },
	{ "/default/" ID, ID },
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

/* containers/storage's containers.json as Podman writes it (one line,
 * Go's encoding/json; the second container has two names). */
static const char store[] =
	"[{\"id\":\"" ID "\",\"names\":[\"web\"],\"image\":\"" ID2 "\","
	"\"layer\":\"" ID2 "\",\"metadata\":\"{\\\"image-name\\\":"
	"\\\"docker.io/library/nginx:latest\\\",\\\"name\\\":\\\"web"
	"\\\"}\",\"created\":\"2026-12-01T10:00:00Z\",\"flags\":"
	"{\"MountLabel\":\"\"}},"
	"{\"id\":\"" ID2 "\",\"names\":[\"db\",\"db.1\"],\"image\":"
	"\"" ID "\"},"
	"{\"id\":\"" "0123" "\",\"names\":[\"short\"]}]";

START_TEST(storage_names)
{
	static const struct {
		const char *name, *id;
	} want[] = {
		{ "web", ID }, { "db", ID2 }, { "db.1", ID2 },
		{ "we", NULL }, { "webx", NULL }, { "nginx", NULL },
		{ "short", NULL },              /* not a 64-digit id */
		{ "", NULL }, { "w\"eb", NULL }, { "-web", NULL },
	};
	char id[CONTAINER_ID_LEN + 1];

	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		int found = storage_named(store, want[i].name, id);

		ck_assert_msg(found == (want[i].id != NULL), "%s: found %d",
			      want[i].name, found);
		if (found)
			ck_assert_str_eq(id, want[i].id);
	}
	ck_assert_int_eq(storage_named("", "web", id), 0);
	/* at most CONTAINER_NAME_MAX bytes */
	char longest[CONTAINER_NAME_MAX + 2];
	memset(longest, 'a', sizeof longest - 1);
	longest[sizeof longest - 1] = 0;
	ck_assert_int_eq(container_name_plain(longest), 0);
	longest[CONTAINER_NAME_MAX] = 0;
	ck_assert_int_eq(container_name_plain(longest), 1);
	ck_assert_int_eq(storage_named("[{\"id\":\"" ID "\",\"names\":"
				       "[\"web", "web", id), 0);  /* cut */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("container");
	TCase *tc = tcase_create("ids");

	tcase_add_test(tc, container_ids);
	tcase_add_test(tc, storage_names);
	suite_add_tcase(s, tc);
	return test_main(s);
}
