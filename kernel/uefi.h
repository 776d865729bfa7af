/* The UEFI interfaces thaw uses — the EFI stub's boot services and the runtime variable
 * services kernel/efi.c calls after ExitBootServices — with the member offsets of the
 * UEFI 2.x specification (§4.3 system table, §4.5/§8.2 runtime services, §7 boot
 * services, §9.1 loaded image, §12.3/12.4 console, §12.9 GOP, §4.6 configuration table).
 * Pointers are 64-bit: x86_64 only. One home for both users; layout only. */
#ifndef THAW_KERNEL_UEFI_H
#define THAW_KERNEL_UEFI_H
#include <stddef.h>
#include <stdint.h>

#define EFIAPI __attribute__((ms_abi))

typedef uint64_t efi_status;
typedef void *efi_handle;

#define EFI_SUCCESS            0ull
#define EFI_ERR                (1ull << 63)
#define EFI_INVALID_PARAMETER  (EFI_ERR | 2)
#define EFI_BUFFER_TOO_SMALL   (EFI_ERR | 5)
#define EFI_NOT_READY          (EFI_ERR | 6)
#define EFI_NOT_FOUND          (EFI_ERR | 14)
#define EFI_LOAD_ERROR         (EFI_ERR | 1)
#define EFI_UNSUPPORTED        (EFI_ERR | 3)
#define EFI_DEVICE_ERROR       (EFI_ERR | 7)
#define EFI_WRITE_PROTECTED    (EFI_ERR | 8)
#define EFI_SECURITY_VIOLATION (EFI_ERR | 26)

/* Variable attributes (§8.2). */
#define EFI_VARIABLE_NON_VOLATILE       0x1u
#define EFI_VARIABLE_BOOTSERVICE_ACCESS 0x2u
#define EFI_VARIABLE_RUNTIME_ACCESS     0x4u

/* Table signatures (§4.3, §4.5) and the runtime memory attribute (§7.2). */
#define EFI_SYSTEM_TABLE_SIGNATURE     0x5453595320494249ull   /* "IBI SYST" */
#define EFI_RUNTIME_SERVICES_SIGNATURE 0x56524553544e5552ull   /* "RUNTSERV" */
#define EFI_MEMORY_RUNTIME             (1ull << 63)

struct efi_guid {
	uint32_t d1;            /* 0 */
	uint16_t d2, d3;        /* 4, 6 */
	uint8_t d4[8];          /* 8 */
};
_Static_assert(sizeof(struct efi_guid) == 16, "EFI_GUID size");

struct efi_table_header {
	uint64_t signature;     /* 0 */
	uint32_t revision;      /* 8 */
	uint32_t header_size;   /* 12 */
	uint32_t crc32;         /* 16 */
	uint32_t reserved;      /* 20 */
};
_Static_assert(sizeof(struct efi_table_header) == 24, "EFI_TABLE_HEADER size");

struct efi_input_key {
	uint16_t scan_code;
	uint16_t unicode_char;
};

struct efi_simple_text_input {
	EFIAPI efi_status (*reset)(struct efi_simple_text_input *self, uint8_t extended);
	EFIAPI efi_status (*read_key_stroke)(struct efi_simple_text_input *self,
					     struct efi_input_key *key);
	void *wait_for_key;
};

struct efi_simple_text_output {
	EFIAPI efi_status (*reset)(struct efi_simple_text_output *self, uint8_t extended);
	EFIAPI efi_status (*output_string)(struct efi_simple_text_output *self, uint16_t *s);
};

/* EFI_BOOT_SERVICES: only the members the stub calls are typed; the rest pad. */
struct efi_boot_services {
	struct efi_table_header hdr;                    /* 0 */
	void *raise_tpl, *restore_tpl;                  /* 24, 32 */
	EFIAPI efi_status (*allocate_pages)(uint32_t type, uint32_t mem_type, uint64_t pages,
					    uint64_t *addr);            /* 40 */
	EFIAPI efi_status (*free_pages)(uint64_t addr, uint64_t pages);    /* 48 */
	EFIAPI efi_status (*get_memory_map)(uint64_t *size, void *map, uint64_t *key,
					    uint64_t *desc_size, uint32_t *desc_version); /* 56 */
	EFIAPI efi_status (*allocate_pool)(uint32_t mem_type, uint64_t size, void **buf); /* 64 */
	EFIAPI efi_status (*free_pool)(void *buf);      /* 72 */
	void *create_event, *set_timer, *wait_for_event, *signal_event, *close_event,
	     *check_event;                              /* 80 .. 120 */
	void *install_protocol, *reinstall_protocol, *uninstall_protocol; /* 128 .. 144 */
	EFIAPI efi_status (*handle_protocol)(efi_handle h, const struct efi_guid *guid,
					     void **iface);      /* 152 */
	void *reserved, *register_protocol_notify, *locate_handle, *locate_device_path,
	     *install_configuration_table, *load_image, *start_image, *exit,
	     *unload_image;                             /* 160 .. 224 */
	EFIAPI efi_status (*exit_boot_services)(efi_handle image, uint64_t map_key); /* 232 */
	void *get_next_monotonic_count;                 /* 240 */
	EFIAPI efi_status (*stall)(uint64_t us);        /* 248 */
	void *set_watchdog_timer, *connect_controller, *disconnect_controller,
	     *open_protocol, *close_protocol, *open_protocol_information,
	     *protocols_per_handle, *locate_handle_buffer; /* 256 .. 312 */
	EFIAPI efi_status (*locate_protocol)(const struct efi_guid *guid, void *registration,
					     void **iface);      /* 320 */
};
_Static_assert(offsetof(struct efi_boot_services, allocate_pages) == 40, "BS AllocatePages");
_Static_assert(offsetof(struct efi_boot_services, get_memory_map) == 56, "BS GetMemoryMap");
_Static_assert(offsetof(struct efi_boot_services, handle_protocol) == 152, "BS HandleProtocol");
_Static_assert(offsetof(struct efi_boot_services, exit_boot_services) == 232, "BS EBS");
_Static_assert(offsetof(struct efi_boot_services, stall) == 248, "BS Stall");
_Static_assert(offsetof(struct efi_boot_services, locate_protocol) == 320, "BS LocateProtocol");

/* EFI_RUNTIME_SERVICES up to SetVariable (§4.5, §8.2). thaw never calls
 * SetVirtualAddressMap: after ExitBootServices it calls these in physical mode. */
struct efi_runtime_services {
	struct efi_table_header hdr;                    /* 0 */
	void *get_time, *set_time, *get_wakeup_time, *set_wakeup_time,
	     *set_virtual_address_map, *convert_pointer; /* 24 .. 64 */
	EFIAPI efi_status (*get_variable)(const uint16_t *name, const struct efi_guid *vendor,
					  uint32_t *attrs, uint64_t *size, void *data); /* 72 */
	void *get_next_variable_name;                   /* 80 */
	EFIAPI efi_status (*set_variable)(const uint16_t *name, const struct efi_guid *vendor,
					  uint32_t attrs, uint64_t size,
					  const void *data);   /* 88 */
};
_Static_assert(offsetof(struct efi_runtime_services, get_variable) == 72, "RT GetVariable");
_Static_assert(offsetof(struct efi_runtime_services, set_variable) == 88, "RT SetVariable");

struct efi_configuration_table {
	struct efi_guid vendor_guid;    /* 0 */
	void *vendor_table;             /* 16 */
};
_Static_assert(sizeof(struct efi_configuration_table) == 24, "config table entry");

struct efi_system_table {
	struct efi_table_header hdr;                    /* 0 */
	uint16_t *firmware_vendor;                      /* 24 */
	uint32_t firmware_revision;                     /* 32 */
	efi_handle console_in_handle;                   /* 40 */
	struct efi_simple_text_input *con_in;           /* 48 */
	efi_handle console_out_handle;                  /* 56 */
	struct efi_simple_text_output *con_out;         /* 64 */
	efi_handle standard_error_handle;               /* 72 */
	struct efi_simple_text_output *std_err;         /* 80 */
	struct efi_runtime_services *runtime_services;  /* 88 */
	struct efi_boot_services *boot_services;        /* 96 */
	uint64_t number_of_table_entries;               /* 104 */
	struct efi_configuration_table *configuration_table; /* 112 */
};
_Static_assert(offsetof(struct efi_system_table, con_in) == 48, "ST ConIn");
_Static_assert(offsetof(struct efi_system_table, runtime_services) == 88, "ST RT");
_Static_assert(offsetof(struct efi_system_table, boot_services) == 96, "ST BS");
_Static_assert(offsetof(struct efi_system_table, configuration_table) == 112, "ST config");

struct efi_loaded_image {
	uint32_t revision;              /* 0 */
	efi_handle parent_handle;       /* 8 */
	struct efi_system_table *system_table; /* 16 */
	efi_handle device_handle;       /* 24 */
	void *file_path;                /* 32 */
	void *reserved;                 /* 40 */
	uint32_t load_options_size;     /* 48: bytes */
	void *load_options;             /* 56 */
	void *image_base;               /* 64 */
	uint64_t image_size;            /* 72 */
};
_Static_assert(offsetof(struct efi_loaded_image, load_options_size) == 48, "LI options size");
_Static_assert(offsetof(struct efi_loaded_image, image_base) == 64, "LI image base");

/* EFI_GRAPHICS_OUTPUT_PROTOCOL and its mode information (§12.9). */
enum {
	EFI_PIXEL_RGBX8 = 0,
	EFI_PIXEL_BGRX8 = 1,
	EFI_PIXEL_BITMASK = 2,
	EFI_PIXEL_BLT_ONLY = 3,
};

struct efi_gop_mode_info {
	uint32_t version;               /* 0 */
	uint32_t width;                 /* 4 */
	uint32_t height;                /* 8 */
	uint32_t pixel_format;          /* 12 */
	uint32_t mask_r, mask_g, mask_b, mask_x;  /* 16: PixelBitMask only */
	uint32_t pixels_per_scan_line;  /* 32 */
};
_Static_assert(offsetof(struct efi_gop_mode_info, pixels_per_scan_line) == 32, "GOP info");

struct efi_gop_mode {
	uint32_t max_mode;              /* 0 */
	uint32_t mode;                  /* 4 */
	struct efi_gop_mode_info *info; /* 8 */
	uint64_t size_of_info;          /* 16 */
	uint64_t frame_buffer_base;     /* 24 */
	uint64_t frame_buffer_size;     /* 32 */
};
_Static_assert(offsetof(struct efi_gop_mode, frame_buffer_base) == 24, "GOP mode");

struct efi_gop {
	void *query_mode, *set_mode, *blt;      /* 0, 8, 16 */
	struct efi_gop_mode *mode;              /* 24 */
};
_Static_assert(offsetof(struct efi_gop, mode) == 24, "GOP");

/* AllocatePages() allocation types (§7.2). */
enum {
	EFI_ALLOCATE_ANY_PAGES = 0,
	EFI_ALLOCATE_MAX_ADDRESS = 1,
	EFI_ALLOCATE_ADDRESS = 2,
};

/* EFI_MEMORY_DESCRIPTOR (§7.2): step by the descriptor size GetMemoryMap returns. */
struct efi_memdesc {
	uint32_t type;          /* 0 */
	uint32_t pad;           /* 4 */
	uint64_t phys_start;    /* 8 */
	uint64_t virt_start;    /* 16 */
	uint64_t pages;         /* 24 */
	uint64_t attribute;     /* 32 */
};
_Static_assert(offsetof(struct efi_memdesc, attribute) == 32, "EFI memory descriptor");

#endif
