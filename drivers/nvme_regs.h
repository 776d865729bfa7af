/* NVMe over PCIe as thaw drives it: controller registers, the 64-byte submission and
 * 16-byte completion queue entries, and the Identify fields read (NVM Express Base
 * 1.4 §3.1, §4.2, §4.6, §5.15; names as in Linux include/linux/nvme.h). */
#ifndef THAW_NVME_REGS_H
#define THAW_NVME_REGS_H
#include <stddef.h>
#include <stdint.h>

/* PCI class 01h (mass storage), subclass 08h (NVM), prog-if 02h (NVMe). */
#define NVME_PCI_CLASS     0x01
#define NVME_PCI_SUBCLASS  0x08
#define NVME_PCI_PROGIF    0x02

/* Controller registers, offsets in BAR0 (§3.1). */
#define NVME_REG_CAP    0x00    /* u64 capabilities */
#define NVME_REG_VS     0x08    /* u32 version */
#define NVME_REG_INTMS  0x0C    /* u32 interrupt mask set */
#define NVME_REG_CC     0x14    /* u32 controller configuration */
#define NVME_REG_CSTS   0x1C    /* u32 controller status */
#define NVME_REG_AQA    0x24    /* u32 admin queue attributes */
#define NVME_REG_ASQ    0x28    /* u64 admin submission queue base */
#define NVME_REG_ACQ    0x30    /* u64 admin completion queue base */
#define NVME_REG_DBS    0x1000  /* doorbells: SQ y tail at DBS + 2y·stride, CQ y head next */

/* CAP fields (§3.1.1). */
#define NVME_CAP_MQES(cap)    ((uint32_t)((cap) & 0xFFFF))         /* entries − 1 */
#define NVME_CAP_CQR(cap)     ((uint32_t)((cap) >> 16) & 1)        /* contiguous queues */
#define NVME_CAP_TO(cap)      ((uint32_t)((cap) >> 24) & 0xFF)     /* 500 ms units */
#define NVME_CAP_DSTRD(cap)   ((uint32_t)((cap) >> 32) & 0xF)      /* stride 4 << n */
#define NVME_CAP_CSS_NVM(cap) ((uint32_t)((cap) >> 37) & 1)        /* NVM command set */
#define NVME_CAP_MPSMIN(cap)  ((uint32_t)((cap) >> 48) & 0xF)      /* 2^(12+n) bytes */

/* CC fields (§3.1.5). */
#define NVME_CC_EN          (1u << 0)
#define NVME_CC_CSS_NVM     (0u << 4)
#define NVME_CC_MPS_4K      (0u << 7)
#define NVME_CC_AMS_RR      (0u << 11)
#define NVME_CC_SHN_MASK    (3u << 14)
#define NVME_CC_IOSQES      (6u << 16)   /* 2^6 = 64-byte SQ entries */
#define NVME_CC_IOCQES      (4u << 20)   /* 2^4 = 16-byte CQ entries */

/* CSTS fields (§3.1.6). */
#define NVME_CSTS_RDY       (1u << 0)
#define NVME_CSTS_CFS       (1u << 1)    /* controller fatal status */
#define NVME_CSTS_GONE      0xFFFFFFFFu  /* all ones: the function no longer answers */

/* Opcodes: admin (§5) and NVM I/O (NVM Command Set §3). */
#define NVME_ADMIN_CREATE_SQ  0x01
#define NVME_ADMIN_CREATE_CQ  0x05
#define NVME_ADMIN_IDENTIFY   0x06
#define NVME_ADMIN_SET_FEAT   0x09
#define NVME_CMD_FLUSH        0x00
#define NVME_CMD_WRITE        0x01
#define NVME_CMD_READ         0x02

#define NVME_ID_CNS_NS        0x00   /* Identify Namespace (NSID) */
#define NVME_ID_CNS_CTRL      0x01   /* Identify Controller */
#define NVME_ID_CNS_NS_ACTIVE 0x02   /* active NSIDs greater than NSID, up to 1024 */
#define NVME_FEAT_NUM_QUEUES  0x07
#define NVME_QUEUE_PHYS_CONTIG (1u << 0)   /* CDW11 PC of Create I/O SQ/CQ */

/* Submission queue entry (§4.2). */
struct nvme_sqe {
	uint8_t opcode;          /* 0 */
	uint8_t flags;           /* 1: FUSE 1:0, PSDT 7:6 (0: PRPs) */
	uint16_t cid;            /* 2: command identifier */
	uint32_t nsid;           /* 4 */
	uint64_t rsvd;           /* 8: CDW2-3 */
	uint64_t mptr;           /* 16: metadata pointer */
	uint64_t prp1;           /* 24 */
	uint64_t prp2;           /* 32: second page, or the PRP list */
	uint32_t cdw10;          /* 40 */
	uint32_t cdw11;          /* 44 */
	uint32_t cdw12;          /* 48 */
	uint32_t cdw13;          /* 52 */
	uint32_t cdw14;          /* 56 */
	uint32_t cdw15;          /* 60 */
};
_Static_assert(sizeof(struct nvme_sqe) == 64, "SQ entry is 64 bytes");
_Static_assert(offsetof(struct nvme_sqe, cid) == 2, "CID at 2");
_Static_assert(offsetof(struct nvme_sqe, nsid) == 4, "NSID at 4");
_Static_assert(offsetof(struct nvme_sqe, prp1) == 24, "PRP1 at 24");
_Static_assert(offsetof(struct nvme_sqe, cdw10) == 40, "CDW10 at 40");
_Static_assert(offsetof(struct nvme_sqe, cdw15) == 60, "CDW15 at 60");

/* Completion queue entry (§4.6). */
struct nvme_cqe {
	uint32_t result;         /* 0: command specific (DW0) */
	uint32_t rsvd;           /* 4 */
	uint16_t sq_head;        /* 8: SQHD */
	uint16_t sq_id;          /* 10 */
	uint16_t cid;            /* 12 */
	uint16_t status;         /* 14: phase bit 0, SC 8:1, SCT 11:9, M 14, DNR 15 */
};
_Static_assert(sizeof(struct nvme_cqe) == 16, "CQ entry is 16 bytes");
_Static_assert(offsetof(struct nvme_cqe, sq_head) == 8, "SQHD at 8");
_Static_assert(offsetof(struct nvme_cqe, cid) == 12, "CID at 12");
_Static_assert(offsetof(struct nvme_cqe, status) == 14, "status at 14");

#define NVME_STATUS_PHASE(s)  ((s) & 1u)
#define NVME_STATUS_SC(s)     (((s) >> 1) & 0xFFu)
#define NVME_STATUS_SCT(s)    (((s) >> 9) & 0x7u)
#define NVME_SCT_GENERIC      0
#define NVME_SCT_CMD_SPECIFIC 1
#define NVME_SCT_MEDIA        2

/* Identify Controller (§5.15.2.2): byte offsets in the 4 KiB structure. */
#define NVME_IDC_SN     4        /* serial number, 20 ASCII bytes */
#define NVME_IDC_MN     24       /* model number, 40 ASCII bytes */
#define NVME_IDC_MDTS   77       /* max transfer: 2^n minimum pages, 0 = no limit */
#define NVME_IDC_SQES   512      /* required 3:0 / maximum 7:4 SQ entry size, log2 */
#define NVME_IDC_CQES   513
#define NVME_IDC_NN     516      /* u32 number of namespaces */
#define NVME_IDC_VWC    525      /* bit 0: volatile write cache present */

/* Identify Namespace (NVM Command Set §4.1.5.1). */
#define NVME_IDN_NSZE   0        /* u64 size in logical blocks */
#define NVME_IDN_NLBAF  25       /* number of LBA formats − 1 */
#define NVME_IDN_FLBAS  26       /* formatted LBA size: index 3:0 (+ 6:5 above 16) */
#define NVME_IDN_LBAF   128      /* LBA formats: {u16 MS, u8 LBADS, u8 RP} each */

#endif
