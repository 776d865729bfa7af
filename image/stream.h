/* The image stream, push style: the caller pushes the 4 KiB stream blocks (map entries
 * 1..n, in order, any number at a time) and the decoder emits uncompressed 4 KiB pages
 * (PFN pages, then data pages) to a sink, keeping the stream CRC32.
 * Raw: one block = one page. LZO/LZ4: [u64 cmp_len][cmp_len bytes] padded to pages,
 * each block <= 32 pages when decompressed; checks as Linux kernel/power/swap.c
 * load_compressed_image(): 0 < cmp_len <= worst case, 0 < unc_len <= 128 KiB, whole pages. */
#ifndef THAW_STREAM_H
#define THAW_STREAM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "image/img_err.h"
#include "image/swsusp_format.h"
#include "image/swsusp_header.h"

#define IMG_STREAM_CMP_BUF	SWSUSP_CMP_SIZE	/* 35 pages: one compressed block */
#define IMG_STREAM_UNC_BUF	SWSUSP_UNC_SIZE	/* 32 pages: one decompressed block */

/* Receives uncompressed page `index` (0 = first page after the image header page). The
 * page is only valid during the call. Return IMG_OK or an error (use IMG_ECALLER for
 * the caller's own reasons) to stop the stream. */
typedef enum img_err (*img_page_fn)(void *arg, uint64_t index, const uint8_t *page,
				    struct img_fault *f);

struct img_stream_cfg {
	enum img_codec codec;
	bool crc;		/* keep the CRC32 (compressed images; header has_crc) */
	uint64_t pages;		/* uncompressed pages expected: img_info_stream_pages() */
	uint8_t *cmp_buf;	/* IMG_STREAM_CMP_BUF bytes; compressed codecs only */
	uint8_t *unc_buf;	/* IMG_STREAM_UNC_BUF bytes; compressed codecs only */
	img_page_fn sink;
	void *arg;
};

struct img_stream {
	struct img_stream_cfg cfg;
	uint64_t in_blocks;	/* stream blocks consumed */
	uint64_t out_pages;	/* pages emitted */
	uint64_t blk_first;	/* stream block index where the pending block began */
	size_t cmp_have;	/* bytes of the pending compressed block in cmp_buf */
	size_t cmp_need;	/* its whole size in pages * 4096, 0 = none pending */
	uint32_t crc;
};

/* IMG_EARG if a compressed codec lacks buffers or sink is NULL. */
enum img_err img_stream_init(struct img_stream *s, const struct img_stream_cfg *cfg);

/* Push nblocks consecutive stream blocks (nblocks * 4096 bytes). Blocks that hold a
 * whole compressed block are decoded in place, without a copy. Faults carry the stream
 * block index in `entry` (map entry = index + 1) and the page index. */
enum img_err img_stream_push(struct img_stream *s, const void *blocks, size_t nblocks,
			     struct img_fault *f);

/* Split decoding, for a caller that decodes blocks on several CPUs: framing and
 * emission stay here, in stream order; the decoding in between is pure.
 *
 * img_stream_frame: consume up to nblocks stream blocks of a compressed stream; *blk
 * is the next whole compressed block ([u64 cmp_len][data]) — in place in `blocks`, or
 * gathered into `gather` (IMG_STREAM_CMP_BUF bytes, the same buffer until *blk is
 * set) — or NULL when the blocks ended mid-block. *first: its first stream block.
 * The same checks and faults as img_stream_push. */
enum img_err img_stream_frame(struct img_stream *s, const void *blocks, size_t nblocks,
			      uint8_t *gather, size_t *used, const uint8_t **blk,
			      uint64_t *first, struct img_fault *f);

/* Decode one whole compressed block into unc (IMG_STREAM_UNC_BUF bytes). Touches
 * nothing else, so any CPU may run it. IMG_EUNC_LEN if the result is not whole pages. */
enum img_err img_block_decode(enum img_codec codec, const uint8_t *blk, uint8_t *unc,
			      size_t *unc_len);

/* Emit a block decoded by img_block_decode (its result in `decoded`), in stream order:
 * the same faults as img_stream_push would report for it. crc: crc32_le(0) of the
 * unc_len bytes, joined to the stream CRC with crc32_combine; NULL to compute it. */
enum img_err img_stream_emit_block(struct img_stream *s, enum img_err decoded,
				   const uint8_t *unc, size_t unc_len, const uint32_t *crc,
				   uint64_t first, struct img_fault *f);

/* True once every expected page has been emitted. */
bool img_stream_done(const struct img_stream *s);

/* After the last block: all pages emitted (IMG_ESTREAM_SHORT) and, if cfg.crc, the
 * CRC equals expected_crc (IMG_ECRC, with expected/got). */
enum img_err img_stream_finish(const struct img_stream *s, uint32_t expected_crc,
			       struct img_fault *f);

#endif
