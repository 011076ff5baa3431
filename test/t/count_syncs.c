/*
 * An LD_PRELOAD library for test/t/014_lease_file_sync.pl: it lets fsync and fdatasync through
 * and appends one line per call on the lease file, its temporary file or the data directory to
 * the file $SNOWFLAKE_SYNC_LOG ("fdatasync snowflake.lease", "fsync ."), so the test sees the
 * syncs the kernel was asked for rather than those the code meant to ask for.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Appends "call name" for fd when it is one of the files the test counts. */
static void note_sync(const char *call, int fd)
{
	const char *log = getenv("SNOWFLAKE_SYNC_LOG");
	const char *data_dir = getenv("SNOWFLAKE_SYNC_DATA_DIR");
	char link[64];
	char path[PATH_MAX];
	char line[PATH_MAX + 32];
	const char *name = NULL;
	ssize_t length;
	int out;

	if (log == NULL || data_dir == NULL)
		return;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	length = readlink(link, path, sizeof(path) - 1);
	if (length < 0)
		return;
	path[length] = '\0';
	if (strcmp(path, data_dir) == 0)
		name = ".";
	else if (strncmp(path, data_dir, strlen(data_dir)) == 0 && path[strlen(data_dir)] == '/' &&
			 strncmp(path + strlen(data_dir) + 1, "snowflake.lease", 15) == 0)
		name = path + strlen(data_dir) + 1;
	if (name == NULL)
		return;
	out = open(log, O_WRONLY | O_APPEND | O_CREAT, 0600);
	if (out < 0)
		return;
	length = snprintf(line, sizeof(line), "%s %s\n", call, name);
	if (write(out, line, (size_t) length) != length)
		perror("count_syncs");
	close(out);
}

int fsync(int fd)
{
	static int (*real_fsync)(int);

	if (real_fsync == NULL)
		real_fsync = (int (*)(int)) dlsym(RTLD_NEXT, "fsync");
	note_sync("fsync", fd);
	return real_fsync(fd);
}

int fdatasync(int fd)
{
	static int (*real_fdatasync)(int);

	if (real_fdatasync == NULL)
		real_fdatasync = (int (*)(int)) dlsym(RTLD_NEXT, "fdatasync");
	note_sync("fdatasync", fd);
	return real_fdatasync(fd);
}
