/* memlean-sampler: runs a command and samples its memory from /proc without
 * touching it (no ptrace, no preload): every interval it reads
 * /proc/<pid>/smaps_rollup (Rss, Pss, Private_Clean + Private_Dirty,
 * Anonymous) and /proc/<pid>/status (VmHWM) of the command and of every
 * process it forked, and sums them. Writes the samples as CSV and a summary
 * as JSON: peak, steady median (the median of the second half of the run,
 * before the settle window), end (the last sample), and settled end (the
 * median of the last SETTLE ms, while the workload idles after its work).
 * A command that exits early, is killed or forks is handled: the sampler
 * follows the process tree, keeps the last sample taken before the exit,
 * and exits with the command's status (128 + signal when killed).
 * SIGUSR1 marks a moment (the end of a benchmark phase): the sampler takes a
 * sample at once, numbers it in the CSV's mark column (1, 2, ...; 0 for the
 * samples at the interval) and lists the marks in the JSON.
 *
 * usage: memlean-sampler [-i MS] [-s MS] [-o CSV] [-j JSON] -- COMMAND [ARG...]
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct sample {
	long t_ms;
	long rss_kb, pss_kb, private_kb, anon_kb, hwm_kb;
	int procs;
	int mark;
};

static volatile sig_atomic_t marks_requested;

static void request_mark(int sig)
{
	(void)sig;
	marks_requested++;
}

static struct sample *samples;
static size_t nsamples, capsamples;

static long now_ms(const struct timespec *start)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - start->tv_sec) * 1000 + (t.tv_nsec - start->tv_nsec) / 1000000;
}

/* add_fields: adds the values of the "NAME:   123 kB" lines of a /proc file. */
static void add_fields(const char *path, const char *const *names, long *values, int n)
{
	FILE *f = fopen(path, "r");
	char line[256];
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		for (int i = 0; i < n; i++) {
			size_t len = strlen(names[i]);
			if (strncmp(line, names[i], len) == 0 && line[len] == ':')
				values[i] += strtol(line + len + 1, NULL, 10);
		}
	}
	fclose(f);
}

static int parent_of(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	/* the command name may hold spaces and parentheses: parse after the last ')' */
	char *p = strrchr(buf, ')');
	char state;
	int ppid;
	if (!p || sscanf(p + 1, " %c %d", &state, &ppid) != 2 || state == 'Z')
		return -1;
	return ppid;
}

/* tree: the pids of ROOT and its descendants (a zombie counts as gone). */
static size_t tree(pid_t root, pid_t *out, size_t max)
{
	pid_t pids[4096], ppids[4096];
	size_t n = 0, count = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;
	if (!d)
		return 0;
	while ((e = readdir(d)) && n < 4096) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		int ppid = parent_of((pid_t)pid);
		if (ppid < 0)
			continue;
		pids[n] = (pid_t)pid;
		ppids[n++] = ppid;
	}
	closedir(d);
	if (parent_of(root) >= 0 && count < max)
		out[count++] = root;
	/* breadth-first over the parent links */
	for (size_t head = 0; head < count; head++)
		for (size_t i = 0; i < n && count < max; i++)
			if (ppids[i] == out[head])
				out[count++] = pids[i];
	return count;
}

static int take_sample(pid_t root, long t_ms, struct sample *s)
{
	static const char *const rollup[] = { "Rss", "Pss", "Private_Clean", "Private_Dirty", "Anonymous" };
	static const char *const status[] = { "VmHWM" };
	pid_t pids[4096];
	size_t n = tree(root, pids, 4096);
	memset(s, 0, sizeof *s);
	s->t_ms = t_ms;
	for (size_t i = 0; i < n; i++) {
		char path[64];
		long v[5] = { 0 }, hwm = 0;
		snprintf(path, sizeof path, "/proc/%d/smaps_rollup", pids[i]);
		add_fields(path, rollup, v, 5);
		snprintf(path, sizeof path, "/proc/%d/status", pids[i]);
		add_fields(path, status, &hwm, 1);
		if (v[0] == 0)
			continue; /* exited between the scan and the read */
		s->rss_kb += v[0];
		s->pss_kb += v[1];
		s->private_kb += v[2] + v[3];
		s->anon_kb += v[4];
		s->hwm_kb += hwm;
		s->procs++;
	}
	return s->procs > 0;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

/* median of rss over samples [from, to) */
static long median_rss(size_t from, size_t to)
{
	if (to <= from)
		return nsamples ? samples[nsamples - 1].rss_kb : 0;
	long *v = malloc((to - from) * sizeof *v);
	if (!v)
		return 0;
	for (size_t i = from; i < to; i++)
		v[i - from] = samples[i].rss_kb;
	qsort(v, to - from, sizeof *v, cmp_long);
	long m = v[(to - from) / 2];
	free(v);
	return m;
}

static void usage(void)
{
	fprintf(stderr, "usage: memlean-sampler [-i MS] [-s MS] [-o CSV] [-j JSON] -- COMMAND [ARG...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long interval_ms = 100, settle_ms = 0;
	const char *csv_path = NULL, *json_path = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "+i:s:o:j:")) != -1) {
		char *end;
		switch (opt) {
		case 'i':
			interval_ms = strtol(optarg, &end, 10);
			if (*end || interval_ms < 1 || interval_ms > 60000) {
				fprintf(stderr, "memlean-sampler: error: -i %s: expected an interval of 1-60000 ms\n", optarg);
				return 2;
			}
			break;
		case 's':
			settle_ms = strtol(optarg, &end, 10);
			if (*end || settle_ms < 0) {
				fprintf(stderr, "memlean-sampler: error: -s %s: expected a settle window in ms (0 or more)\n", optarg);
				return 2;
			}
			break;
		case 'o': csv_path = optarg; break;
		case 'j': json_path = optarg; break;
		default: usage();
		}
	}
	if (optind >= argc)
		usage();

	/* SIGUSR1 stays blocked but while waiting for the next sample (ppoll),
	 * so a mark that arrives during a sample is taken right after it. */
	sigset_t usr1, unblocked;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &unblocked);
	sigdelset(&unblocked, SIGUSR1);
	struct sigaction mark_action = { .sa_handler = request_mark };
	sigemptyset(&mark_action.sa_mask);
	sigaction(SIGUSR1, &mark_action, NULL);

	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	pid_t child = fork();
	if (child < 0) {
		perror("memlean-sampler: error: fork");
		return 2;
	}
	if (child == 0) {
		signal(SIGUSR1, SIG_DFL);
		sigprocmask(SIG_UNBLOCK, &usr1, NULL);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "memlean-sampler: error: cannot run %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	/* The command gets the terminal's signals; the sampler outlives it. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);

	int status = 0, marks = 0;
	long next_t = 0;
	for (;;) {
		struct sample s;
		long t = now_ms(&start);
		int mark = 0;
		if (marks_requested > 0) {
			marks_requested--;
			mark = ++marks;
		} else if (t < next_t) {
			/* woken early by a mark request that another sample served */
			goto wait;
		} else {
			next_t = t + interval_ms;
		}
		if (take_sample(child, t, &s)) {
			s.mark = mark;
			if (nsamples == capsamples) {
				capsamples = capsamples ? capsamples * 2 : 1024;
				samples = realloc(samples, capsamples * sizeof *samples);
				if (!samples) {
					perror("memlean-sampler: error: realloc");
					return 2;
				}
			}
			samples[nsamples++] = s;
		}
		pid_t r = waitpid(child, &status, WNOHANG);
		if (r == child)
			break;
		if (r < 0 && errno != EINTR) {
			perror("memlean-sampler: error: waitpid");
			return 2;
		}
	wait:
		if (marks_requested > 0)
			continue;
		long next = next_t - now_ms(&start);
		if (next > 0) {
			struct timespec d = { next / 1000, (next % 1000) * 1000000 };
			ppoll(NULL, 0, &d, &unblocked);
		}
	}
	long wall_ms = now_ms(&start);

	size_t peak = 0;
	long peak_pss = 0, peak_hwm = 0;
	int max_procs = 0;
	for (size_t i = 0; i < nsamples; i++) {
		if (samples[i].procs > max_procs)
			max_procs = samples[i].procs;
		if (samples[i].rss_kb > samples[peak].rss_kb)
			peak = i;
		if (samples[i].pss_kb > peak_pss)
			peak_pss = samples[i].pss_kb;
		if (samples[i].hwm_kb > peak_hwm)
			peak_hwm = samples[i].hwm_kb;
	}
	/* the settle window: the samples of the last settle_ms before the exit */
	size_t settle_from = nsamples;
	while (settle_from > 0 && samples[settle_from - 1].t_ms >= wall_ms - settle_ms && settle_ms > 0)
		settle_from--;
	long steady = median_rss(settle_from / 2, settle_from);
	long settled = median_rss(settle_from, nsamples);
	struct sample last = nsamples ? samples[nsamples - 1] : (struct sample){ 0 };
	int exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

	if (csv_path) {
		FILE *f = fopen(csv_path, "w");
		if (!f) {
			fprintf(stderr, "memlean-sampler: error: cannot write %s: %s\n", csv_path, strerror(errno));
			return 2;
		}
		fprintf(f, "t_ms,rss_kb,pss_kb,private_kb,anon_kb,hwm_kb,procs,mark\n");
		for (size_t i = 0; i < nsamples; i++)
			fprintf(f, "%ld,%ld,%ld,%ld,%ld,%ld,%d,%d\n", samples[i].t_ms, samples[i].rss_kb, samples[i].pss_kb,
				samples[i].private_kb, samples[i].anon_kb, samples[i].hwm_kb, samples[i].procs, samples[i].mark);
		fclose(f);
	}
	FILE *j = json_path ? fopen(json_path, "w") : NULL;
	if (json_path && !j) {
		fprintf(stderr, "memlean-sampler: error: cannot write %s: %s\n", json_path, strerror(errno));
		return 2;
	}
	if (j) {
		fprintf(j, "{\"exit\": %d, \"signal\": %d, \"wall_ms\": %ld, \"interval_ms\": %ld, \"settle_ms\": %ld, "
			   "\"samples\": %zu, \"peak_rss_kb\": %ld, \"peak_pss_kb\": %ld, \"peak_hwm_kb\": %ld, "
			   "\"steady_median_rss_kb\": %ld, \"end_rss_kb\": %ld, \"end_pss_kb\": %ld, "
			   "\"end_private_kb\": %ld, \"end_anon_kb\": %ld, \"settled_end_rss_kb\": %ld, \"max_procs\": %d, "
			   "\"marks\": [",
			WIFEXITED(status) ? WEXITSTATUS(status) : -1, WIFSIGNALED(status) ? WTERMSIG(status) : 0, wall_ms,
			interval_ms, settle_ms, nsamples, nsamples ? samples[peak].rss_kb : 0, peak_pss, peak_hwm, steady,
			last.rss_kb, last.pss_kb, last.private_kb, last.anon_kb, settled, max_procs);
		const char *sep = "";
		for (size_t i = 0; i < nsamples; i++) {
			if (!samples[i].mark)
				continue;
			fprintf(j, "%s{\"mark\": %d, \"t_ms\": %ld, \"rss_kb\": %ld, \"pss_kb\": %ld, \"procs\": %d}", sep,
				samples[i].mark, samples[i].t_ms, samples[i].rss_kb, samples[i].pss_kb, samples[i].procs);
			sep = ", ";
		}
		fprintf(j, "]}\n");
		fclose(j);
	}
	free(samples);
	return exit_code;
}
