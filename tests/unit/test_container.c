// SPDX-License-Identifier: GPL-2.0
/* Container ids found in cgroup paths: the runtimes' names, and paths that only look like them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "container.h"

#define ID  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

/* container_id(path) is ID or ID2 (want), at its place in path; or NULL (want NULL). */
static void expect(const char *path, const char *want)
{
	const char *got = container_id(path);

	if (!want) {
		if (got)
			fail_msg("%s: found %s, expected none", path, got);
		return;
	}
	assert_non_null(got);
	assert_true(got >= path && got + CONTAINER_ID_LEN <= path + strlen(path));
	assert_memory_equal(got, want, CONTAINER_ID_LEN);
}

static void test_runtimes(void **state)
{
	(void)state;
	expect("/system.slice/docker-" ID ".scope", ID);
	expect("/docker/" ID, ID);
	expect("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice/cri-containerd-" ID
	       ".scope",
	       ID);
	expect("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podab.slice/crio-" ID ".scope",
	       ID);
	expect("/machine.slice/libpod-" ID ".scope", ID);
	expect("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID ".scope/container", ID);
	/* A process in a cgroup below the container's own. */
	expect("/system.slice/docker-" ID ".scope/init.scope", ID);
	expect("/docker/" ID "/sub", ID);
}

/* Nested containers: the innermost. */
static void test_nested(void **state)
{
	(void)state;
	expect("/docker/" ID "/docker/" ID2, ID2);
	expect("/system.slice/docker-" ID ".scope/system.slice/docker-" ID2 ".scope", ID2);
	expect("/docker/" ID2 "/kubepods/x/cri-containerd-" ID ".scope", ID);
}

static void test_not_containers(void **state)
{
	(void)state;
	expect("/", NULL);
	expect("", NULL);
	expect("/system.slice/docker.service", NULL);
	expect("/system.slice/containerd.service", NULL);
	expect("/user.slice/user-1000.slice/session-3.scope", NULL);
	/* The runtime's monitor, not the container. */
	expect("/machine.slice/libpod-conmon-" ID ".scope", NULL);
	expect("/system.slice/crio-conmon-" ID ".scope", NULL);
	/* Not 64 lowercase hex digits. */
	expect("/docker/"
	       "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
	       NULL);
	expect("/docker/" ID "0", NULL);
	expect("/docker/"
	       "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
	       NULL);
	expect("/system.slice/docker-" ID "0.scope", NULL);
	expect("/system.slice/docker-" ID, NULL);
	expect("/system.slice/docker-" ID ".service", NULL);
	expect("/system.slice/docker-" ID ".scopex", NULL);
	expect("/system.slice/podman-" ID ".scope", NULL);
	/* A bare id, or one after something other than "docker". */
	expect("/" ID, NULL);
	expect("/kubepods/burstable/pod1/" ID, NULL);
	expect("/xdocker/" ID, NULL);
	expect("/dockerx/" ID, NULL);
	/* The prefix alone, or in the middle of a name. */
	expect("/docker-.scope", NULL);
	expect("/my-docker-" ID ".scope", NULL);
}

/* Slashes anywhere: doubled, leading, trailing. */
static void test_slashes(void **state)
{
	(void)state;
	expect("//docker//" ID "//", ID);
	expect("docker/" ID, ID);
	expect("/docker-" ID ".scope/", ID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_runtimes),
	    cmocka_unit_test(test_nested),
	    cmocka_unit_test(test_not_containers),
	    cmocka_unit_test(test_slashes),
	};

	return cmocka_run_group_tests_name("container", tests, NULL, NULL);
}
