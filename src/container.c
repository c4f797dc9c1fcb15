// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <string.h>
#include "container.h"

static bool is_id(const char *s, size_t len)
{
	if (len != CONTAINER_ID_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* The id in one path component (name, len bytes), after the component before it (prev, prev_len). */
static const char *component_id(const char *prev, size_t prev_len, const char *name, size_t len)
{
	static const char *const prefixes[] = {"docker-", "cri-containerd-", "crio-", "libpod-"};
	static const char suffix[] = ".scope";
	const size_t slen = sizeof(suffix) - 1;

	if (prev_len == 6 && !memcmp(prev, "docker", 6) && is_id(name, len))
		return name;
	if (len < slen || memcmp(name + len - slen, suffix, slen) != 0)
		return NULL;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t plen = strlen(prefixes[i]);

		if (len > plen + slen && !memcmp(name, prefixes[i], plen) &&
		    is_id(name + plen, len - plen - slen))
			return name + plen;
	}
	return NULL;
}

const char *container_id(const char *path)
{
	const char *prev = "", *found = NULL;
	size_t prev_len = 0;

	for (const char *p = path; *p;) {
		size_t len;
		const char *id;

		if (*p == '/') {
			p++;
			continue;
		}
		len = strcspn(p, "/");
		id = component_id(prev, prev_len, p, len);
		if (id)
			found = id;
		prev = p;
		prev_len = len;
		p += len;
	}
	return found;
}
