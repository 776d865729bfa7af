/* Corpus replayer for the fuzz targets without libFuzzer (gcc + ASan/UBSan, run by
 * `make test`): feeds every file named on the command line (directories are walked one
 * level) to LLVMFuzzerTestOneInput, then MUTATIONS deterministic byte mutations of each.
 * A path that is missing or unreadable, or a directory with no input, fails the replay:
 * a corpus that silently went away would leave the target untested. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MUTATIONS 20

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return rng_state >> 33;
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "replay: %s: %s\n", path, what);
	exit(1);
}

static void one(const char *path, unsigned long *files)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf, *mut;
	long n;

	if (!f)
		die("cannot open", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n ? (size_t)n : 1);
	if (n < 0 || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die("cannot read", path);
	fclose(f);
	/* exact-size copy so ASan sees reads past the end */
	mut = malloc(n ? (size_t)n : 1);
	memcpy(mut, buf, (size_t)n);
	LLVMFuzzerTestOneInput(mut, (size_t)n);
	for (int m = 0; m < MUTATIONS && n; m++) {
		size_t len = m % 5 == 4 ? rng() % (uint64_t)n : (size_t)n;
		uint8_t *cut = malloc(len ? len : 1);

		memcpy(mut, buf, (size_t)n);
		for (int k = 0; k < 1 + m % 3; k++)
			mut[rng() % (uint64_t)n] ^= (uint8_t)(1 + rng() % 255);
		memcpy(cut, mut, len);	/* exact size again, truncations included */
		LLVMFuzzerTestOneInput(cut, len);
		free(cut);
	}
	free(mut);
	free(buf);
	(*files)++;
}

int main(int argc, char **argv)
{
	unsigned long files = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;

		unsigned long before = files;

		if (stat(argv[i], &st))
			die("no such corpus", argv[i]);
		if (!S_ISDIR(st.st_mode)) {
			one(argv[i], &files);
			continue;
		}
		d = opendir(argv[i]);
		if (!d)
			die("cannot list", argv[i]);
		while ((e = readdir(d))) {
			char path[4096];

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			one(path, &files);
		}
		closedir(d);
		if (files == before)
			die("empty corpus", argv[i]);
	}
	if (files == 0)
		die("no input", "(command line)");
	printf("replay: %lu inputs, %d mutations each: OK\n", files, MUTATIONS);
	return 0;
}
