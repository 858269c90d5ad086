/* Cuts the BPF ELF objects (e_machine EM_BPF, 247) out of a binary: the
 * corpus of tests/diff/extract-libbpf-tools.sh.
 *
 * A libbpf skeleton embeds its object as one byte array, a little-endian
 * ELF64 image, whose end is the end of its section header table (clang
 * puts the table last): the image is [start, e_shoff + e_shnum *
 * e_shentsize).
 *
 * usage: extract-bpf-elf BINARY OUTDIR
 * Writes OUTDIR/BASENAME.bpf.o (BASENAME-N.bpf.o for a second object)
 * and prints each path written. Test-only: not part of rawtrace. */
#include <elf.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EM_BPF_ 247

/* The size of a BPF ELF image at p (len bytes left), or 0. */
static size_t bpf_image(const unsigned char *p, size_t len)
{
	Elf64_Ehdr h;
	size_t end;

	if (len < sizeof h || memcmp(p, ELFMAG, SELFMAG) != 0)
		return 0;
	memcpy(&h, p, sizeof h);
	if (h.e_ident[EI_CLASS] != ELFCLASS64 ||
	    h.e_ident[EI_DATA] != ELFDATA2LSB || h.e_machine != EM_BPF_ ||
	    h.e_shoff > len)
		return 0;
	end = h.e_shoff + (size_t)h.e_shnum * h.e_shentsize;
	return end >= sizeof h && end <= len ? end : 0;
}

static unsigned char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n)
		*len = (size_t)n;
	else {
		free(buf);
		buf = NULL;
	}
	if (f)
		fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	unsigned char *data;
	size_t len = 0, at, n;
	char path[4096];
	int count = 0;
	FILE *out;

	if (argc != 3) {
		fprintf(stderr, "usage: extract-bpf-elf BINARY OUTDIR\n");
		return 2;
	}
	data = read_all(argv[1], &len);
	if (!data) {
		fprintf(stderr, "extract-bpf-elf: cannot read %s\n", argv[1]);
		return 1;
	}
	for (at = 0; at + 4 <= len; at += n ? n : 1) {
		n = bpf_image(data + at, len - at);
		if (!n)
			continue;
		snprintf(path, sizeof path, count ? "%s/%s-%d.bpf.o" :
			 "%s/%s.bpf.o", argv[2], basename(argv[1]), count);
		out = fopen(path, "wb");
		if (!out || fwrite(data + at, 1, n, out) != n || fclose(out)) {
			fprintf(stderr, "extract-bpf-elf: cannot write %s\n",
				path);
			return 1;
		}
		printf("%s\n", path);
		count++;
	}
	free(data);
	return 0;
}
