/* Container ids in cgroup paths. */
#ifndef CONTAINER_H
#define CONTAINER_H

#define CONTAINER_ID_LEN 64

/* Where in cgroup path the id of the container it belongs to starts (CONTAINER_ID_LEN lowercase hex digits),
 * or NULL when the path names none. Named by docker ("docker-<id>.scope", "/docker/<id>"), containerd's CRI
 * ("cri-containerd-<id>.scope"), cri-o ("crio-<id>.scope") and podman ("libpod-<id>.scope"); in nested
 * containers, the innermost. */
const char *container_id(const char *path);

#endif
