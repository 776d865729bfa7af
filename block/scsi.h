/* SCSI commands for direct-access block devices (SPC-4, SBC-3): the CDBs thaw sends,
 * parsers for what they return and sense-data decoding. Pure: no I/O, no state; any
 * SCSI transport (virtio-scsi today) builds on it. */
#ifndef THAW_SCSI_H
#define THAW_SCSI_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCSI_CDB_MAX 16

/* Operation codes (SPC-4 §6, SBC-3 §5). */
#define SCSI_TEST_UNIT_READY  0x00
#define SCSI_INQUIRY          0x12
#define SCSI_SYNC_CACHE_10    0x35
#define SCSI_READ_16          0x88
#define SCSI_WRITE_16         0x8A
#define SCSI_SYNC_CACHE_16    0x91
#define SCSI_SERVICE_IN_16    0x9E      /* service action 0x10: READ CAPACITY(16) */
#define SCSI_SA_READ_CAP_16   0x10
#define SCSI_REPORT_LUNS      0xA0

/* Status byte (SAM-5 §5.3). */
#define SCSI_STATUS_GOOD            0x00
#define SCSI_STATUS_CHECK_CONDITION 0x02
#define SCSI_STATUS_BUSY            0x08
#define SCSI_STATUS_TASK_SET_FULL   0x28

/* Sense keys (SPC-4 §4.5.6). */
#define SCSI_KEY_NO_SENSE        0x0
#define SCSI_KEY_RECOVERED_ERROR 0x1
#define SCSI_KEY_NOT_READY       0x2
#define SCSI_KEY_MEDIUM_ERROR    0x3
#define SCSI_KEY_HARDWARE_ERROR  0x4
#define SCSI_KEY_ILLEGAL_REQUEST 0x5
#define SCSI_KEY_UNIT_ATTENTION  0x6
#define SCSI_KEY_DATA_PROTECT    0x7
#define SCSI_KEY_ABORTED_COMMAND 0xB

/* INQUIRY standard data: byte 0 = qualifier 7:5, device type 4:0 (SPC-4 §6.6.2). */
#define SCSI_INQUIRY_LEN     36
#define SCSI_TYPE_DISK       0x00
#define SCSI_READ_CAP16_LEN  32
#define SCSI_REPORT_LUNS_HDR 8

struct scsi_sense {
	bool valid;          /* response code 70h-73h found */
	uint8_t key, asc, ascq;
};

/* CDB builders: each fills cdb[] and returns its length. */
size_t scsi_cdb_test_unit_ready(uint8_t *cdb);
size_t scsi_cdb_inquiry(uint8_t *cdb, uint16_t alloc);
size_t scsi_cdb_report_luns(uint8_t *cdb, uint32_t alloc);
size_t scsi_cdb_read_capacity16(uint8_t *cdb, uint32_t alloc);
size_t scsi_cdb_rw16(uint8_t *cdb, bool write, uint64_t lba, uint32_t blocks);
size_t scsi_cdb_sync_cache16(uint8_t *cdb);
size_t scsi_cdb_sync_cache10(uint8_t *cdb);

/* Sense data, fixed (70h/71h) or descriptor (72h/73h) format (SPC-4 §4.5); reads
 * only the len bytes given. */
struct scsi_sense scsi_sense_parse(const uint8_t *s, size_t len);
const char *scsi_sense_key_name(uint8_t key);
/* A few additional sense codes by name (NULL when not known). */
const char *scsi_asc_name(uint8_t asc, uint8_t ascq);
/* "sense key MEDIUM ERROR, asc 0x11 ascq 0x00 (unrecovered read error)" into buf. */
void scsi_sense_describe(const struct scsi_sense *s, char *buf, size_t cap);

/* READ CAPACITY(16) data: number of blocks and block length; false if short or
 * impossible (zero block length). */
bool scsi_read_capacity16_parse(const uint8_t *d, size_t len, uint64_t *blocks,
				uint32_t *block_len);

/* REPORT LUNS data: up to max LUN numbers (peripheral and flat addressing, SAM-5
 * §4.7) into luns; others are skipped. Returns how many were stored. */
size_t scsi_report_luns_parse(const uint8_t *d, size_t len, uint16_t *luns, size_t max);

#endif
