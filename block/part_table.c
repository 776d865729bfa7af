/* Find a disk's partition table: an MBR, or a GPT behind a protective MBR, plus
 * the consistency checks that apply to both (entries overlapping each other). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "block/part_table.h"
#include "block/mbr.h"
#include "block/gpt.h"

const char *part_strerror(enum part_err e)
{
	switch (e) {
	case PART_OK:         return "ok";
	case PART_ETRUNC:     return "partition table does not fit on the disk (truncated image?)";
	case PART_EPASTEND:   return "partition lies past the end of the disk or usable area";
	case PART_EOVERLAP:   return "partition overlaps another partition";
	case PART_EEBRLOOP:   return "extended partition chain loops or is too long";
	case PART_EEBRBAD:    return "extended boot record has no 0x55AA signature";
	case PART_EGPTHDR:    return "GPT header invalid (signature, size or fields)";
	case PART_EGPTHDRCRC: return "GPT header CRC32 mismatch";
	case PART_EGPTENTCRC: return "GPT partition entry array CRC32 mismatch";
	case PART_EGPTBACKUP: return "primary GPT damaged, using the backup GPT";
	case PART_EGPTNONE:   return "protective MBR but no valid GPT header (primary or backup)";
	case PART_ETOOMANY:   return "too many partitions, the rest are ignored";
	case PART_EIO:        return "read error while reading the partition table";
	}
	return "unknown partition table error";
}

void part_note(struct part_table *t, enum part_err err, uint32_t index)
{
	if (t->problem_count == PART_PROBLEMS_MAX)
		return;
	t->problem[t->problem_count].err = err;
	t->problem[t->problem_count].index = index;
	t->problem_count++;
}

/* Two partitions sharing sectors: Linux keeps both, so do we, but say so. */
static void check_overlaps(struct part_table *t)
{
	for (uint32_t i = 0; i < t->count; i++) {
		const struct part_entry *a = &t->part[i];

		for (uint32_t j = i + 1; j < t->count; j++) {
			const struct part_entry *b = &t->part[j];

			if (a->start < b->start + b->sectors && b->start < a->start + a->sectors)
				part_note(t, PART_EOVERLAP, b->number);
		}
	}
}

enum part_err part_scan(struct blockdev *disk, struct part_table *t)
{
	enum part_err err;

	memset(t, 0, sizeof(*t));
	err = mbr_scan(disk, t);
	if (err != PART_OK || t->scheme == PART_NONE)
		return err;
	if (t->scheme == PART_GPT)
		err = gpt_scan(disk, t);
	check_overlaps(t);
	return err;
}
