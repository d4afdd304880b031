/* memlean-reprefix: moves files built for one install prefix to another by
 * rewriting the prefix they record. Every occurrence of OLD in each FILE
 * becomes NEW, which must not be longer than OLD.
 *
 * - An ELF file keeps every byte offset: each OLD is overwritten by NEW
 *   padded to OLD's length with "/." (and one more "/" for an odd
 *   difference): "/usr/lib/memlean/ruby/3.3.8/etc" becomes
 *   "/usr/lib/memlean/ruby/3.3/./etc", the same directory. The rest of the
 *   string does not move, so strings the linker merged into its tail
 *   (".dynstr" and ".rodata.str*" tail merging) stay valid. An OLD followed
 *   by anything but '/', ':' or the string's end is refused: padding there
 *   would change the name.
 * - A text file gets NEW as it is (the file shrinks).
 * - Any other file with a NUL byte (byte-code, archives) is refused: its
 *   lengths and offsets are its own format's business.
 *
 * A rewritten file replaces the old one by rename, with the old mode, so
 * hard links to the old file keep the old bytes. Prints "FILE: N" (the
 * number of replacements) for every file that changed; exits 1 with one
 * error line naming the file on any failure.
 *
 * usage: memlean-reprefix OLD NEW FILE...
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *prog = "memlean-reprefix";

static void fail(const char *file, const char *what)
{
	fprintf(stderr, "%s: error: %s: %s\n", prog, file, what);
	exit(1);
}

static void fail_errno(const char *file, const char *what)
{
	fprintf(stderr, "%s: error: %s: %s: %s\n", prog, file, what, strerror(errno));
	exit(1);
}

static char *read_file(const char *path, size_t *len, struct stat *st)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		fail_errno(path, "cannot open");
	if (fstat(fd, st) != 0)
		fail_errno(path, "cannot stat");
	if (!S_ISREG(st->st_mode))
		fail(path, "not a regular file");
	char *buf = malloc((size_t)st->st_size + 1);
	if (!buf)
		fail(path, "out of memory");
	size_t got = 0;
	while (got < (size_t)st->st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st->st_size - got);
		if (n < 0)
			fail_errno(path, "cannot read");
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return buf;
}

static void write_file(const char *path, const char *buf, size_t len, mode_t mode)
{
	char *tmp;
	if (asprintf(&tmp, "%s.reprefix-tmp", path) < 0)
		fail(path, "out of memory");
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		fail_errno(tmp, "cannot create");
	size_t put = 0;
	while (put < len) {
		ssize_t n = write(fd, buf + put, len - put);
		if (n < 0) {
			unlink(tmp);
			fail_errno(tmp, "cannot write");
		}
		put += (size_t)n;
	}
	if (fchmod(fd, mode & 07777) != 0 || close(fd) != 0) {
		unlink(tmp);
		fail_errno(tmp, "cannot finish");
	}
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		fail_errno(path, "cannot replace");
	}
	free(tmp);
}

/* padded: NEW followed by "/." pairs (and a "/" when the difference is odd)
 * up to OLD's length. */
static char *padded(const char *old, const char *new)
{
	size_t oldlen = strlen(old), newlen = strlen(new);
	char *out = malloc(oldlen + 1);
	if (!out)
		return NULL;
	memcpy(out, new, newlen);
	for (size_t i = newlen; i < oldlen; i++)
		out[i] = ((i - newlen) % 2 == 0) ? '/' : '.';
	if ((oldlen - newlen) % 2 == 1)
		out[oldlen - 1] = '/';
	out[oldlen] = '\0';
	return out;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s OLD NEW FILE...\n", prog);
		return 1;
	}
	const char *old = argv[1], *new = argv[2];
	size_t oldlen = strlen(old), newlen = strlen(new);
	if (oldlen == 0 || newlen > oldlen)
		fail(new, "the new prefix must not be empty nor longer than the old one");
	if (new[0] != '/' || old[0] != '/')
		fail(new, "both prefixes must be absolute paths");
	char *elf_new = padded(old, new);
	if (!elf_new)
		fail(new, "out of memory");

	for (int i = 3; i < argc; i++) {
		const char *path = argv[i];
		struct stat st;
		size_t len, count = 0;
		char *buf = read_file(path, &len, &st);
		int elf = len >= 4 && memcmp(buf, "\177ELF", 4) == 0;
		char *out = buf;
		size_t outlen = len;
		if (elf) {
			for (char *p = buf; (p = memmem(p, (size_t)(buf + len - p), old, oldlen)); p += oldlen) {
				char after = p + oldlen < buf + len ? p[oldlen] : '\0';
				if (after != '/' && after != ':' && after != '\0')
					fail(path, "the prefix is followed by another name character; padding it would change that name");
				memcpy(p, elf_new, oldlen);
				count++;
			}
		} else {
			if (memchr(buf, '\0', len) && memmem(buf, len, old, oldlen))
				fail(path, "a binary file that is not ELF holds the prefix; it cannot be rewritten byte for byte (regenerate it instead)");
			out = malloc(len + 1);
			if (!out)
				fail(path, "out of memory");
			outlen = 0;
			const char *p = buf, *end = buf + len, *hit;
			while ((hit = memmem(p, (size_t)(end - p), old, oldlen))) {
				memcpy(out + outlen, p, (size_t)(hit - p));
				outlen += (size_t)(hit - p);
				memcpy(out + outlen, new, newlen);
				outlen += newlen;
				p = hit + oldlen;
				count++;
			}
			memcpy(out + outlen, p, (size_t)(end - p));
			outlen += (size_t)(end - p);
		}
		if (count > 0) {
			write_file(path, out, outlen, st.st_mode);
			printf("%s: %zu\n", path, count);
		}
		if (out != buf)
			free(out);
		free(buf);
	}
	free(elf_new);
	return 0;
}
