/* What a partition-table parser reports: one entry per partition, numbered as Linux
 * numbers them (MBR primaries 1-4, logicals from 5; GPT entries by array index + 1). */
#ifndef THAW_PART_TABLE_H
#define THAW_PART_TABLE_H
#include <stdbool.h>
#include <stdint.h>

#define PART_MAX      64     /* partitions kept per disk */
#define PART_NAME_MAX 73     /* GPT name: 36 UTF-16 units, as UTF-8 (≤ 2 bytes each) + NUL */
#define PART_PROBLEMS_MAX 16

enum part_scheme { PART_NONE, PART_MBR, PART_GPT };

enum part_err {
	PART_OK = 0,
	PART_ETRUNC,          /* the table does not fit on the disk */
	PART_EPASTEND,        /* an entry points past the end of the disk */
	PART_EOVERLAP,        /* an entry overlaps the table or another entry */
	PART_EEBRLOOP,        /* the extended-partition chain loops or is too long */
	PART_EEBRBAD,         /* an extended boot record has no 0x55AA signature */
	PART_EGPTHDR,         /* GPT header signature, size or fields invalid */
	PART_EGPTHDRCRC,      /* GPT header CRC32 mismatch */
	PART_EGPTENTCRC,      /* GPT entry array CRC32 mismatch */
	PART_EGPTBACKUP,      /* primary GPT damaged: the backup header was used */
	PART_EGPTNONE,        /* protective MBR but neither GPT header is usable */
	PART_ETOOMANY,        /* more partitions than PART_MAX; the rest ignored */
	PART_EIO,             /* reading the table failed */
};

const char *part_strerror(enum part_err e);

struct part_entry {
	uint32_t number;          /* vdaN: the N */
	uint64_t start;           /* first 512-byte sector on the disk */
	uint64_t sectors;
	uint8_t mbr_type;         /* MBR system id; 0 for GPT */
	bool has_guid;            /* GPT: unique partition GUID present */
	uint8_t guid[16];         /* GPT unique partition GUID, on-disk byte order */
	char name[PART_NAME_MAX]; /* GPT partition name as UTF-8 (PARTLABEL=); "" for MBR */
};

/* A problem found while reading a table: the table is still used where it can be. */
struct part_problem {
	enum part_err err;
	uint32_t index;           /* entry number the problem concerns; 0 for the table */
};

struct part_table {
	enum part_scheme scheme;
	uint32_t mbr_signature;   /* MBR disk signature (PARTUUID=SSSSSSSS-PP) */
	uint8_t disk_guid[16];    /* GPT disk GUID */
	uint32_t count;
	struct part_entry part[PART_MAX];
	uint32_t problem_count;
	struct part_problem problem[PART_PROBLEMS_MAX];
};

struct blockdev;

/* Read disk's partition table into t (cleared first). PART_OK also when there is
 * no table (t->scheme == PART_NONE); problems with entries are listed in t->problem.
 * Another return value means no partition of this disk can be trusted. */
enum part_err part_scan(struct blockdev *disk, struct part_table *t);

/* Record a problem (silently dropped once the list is full). */
void part_note(struct part_table *t, enum part_err err, uint32_t index);

#endif
