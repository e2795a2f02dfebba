/*
 * The AML interpreter: loads ACPI definition blocks (DSDT, SSDT) into a namespace of
 * four-character names and evaluates their methods (docs/platform.md, "The AML interpreter").
 *
 * AML comes from firmware and is treated as hostile: every opcode is bounds-checked against
 * its table, and every evaluation runs under limits (nesting and call depth, executed opcodes,
 * loop iterations, memory), so that bad AML ends in an error (struct aml_error, naming the
 * opcode and its offset in the table) and never in a crash or a hang. After an error the
 * namespace stays usable: other methods still evaluate.
 *
 * Pure C11 with no system calls: the host (the acpi server, or a host test) supplies every
 * effect through struct aml_host: port I/O, physical memory, PCI configuration space, Notify,
 * Sleep and Stall, the Debug object, the timer and, optionally, the allocator. One struct aml
 * is used by one thread at a time; nothing in here locks.
 *
 * Values (struct aml_value) hold counted references to strings, buffers and packages; a value
 * the interpreter hands out (a result) belongs to the caller, who releases it with
 * aml_value_free. Nodes (struct aml_node) belong to the namespace and live as long as it does.
 */
#ifndef MISSIVE_AML_AML_H
#define MISSIVE_AML_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct aml;      /* one interpreter and its namespace */
struct aml_node; /* a named object in the namespace */

/* --- status and errors ---------------------------------------------------------------- */

enum aml_status {
    AML_OK = 0,
    AML_ERR_NO_MEMORY,      /* the memory budget (or the allocator) ran out */
    AML_ERR_BAD_TABLE,      /* not a definition block: bad signature or header length */
    AML_ERR_TRUNCATED,      /* an opcode or a length runs past the end of its table or scope */
    AML_ERR_BAD_OPCODE,     /* an opcode the interpreter does not know (error.opcode) */
    AML_ERR_UNSUPPORTED,    /* a known construct outside the supported subset */
    AML_ERR_NOT_FOUND,      /* a name that does not resolve */
    AML_ERR_EXISTS,         /* a name defined twice in the same scope */
    AML_ERR_TYPE,           /* an operand of the wrong type (DerefOf of a non-reference...) */
    AML_ERR_INDEX,          /* Index, Mid, a field or a resource out of range */
    AML_ERR_DIVIDE_BY_ZERO, /* Divide or Mod by zero */
    AML_ERR_DEPTH,          /* nesting or method call depth past aml_limits */
    AML_ERR_LIMIT,          /* executed opcodes or loop iterations past aml_limits */
    AML_ERR_ARGUMENT,       /* a bad argument to an API call or a method (count, type) */
    AML_ERR_HOST,           /* a host callback failed (or is missing) */
    AML_ERR_MUTEX,          /* Release of a mutex not held, Acquire that would deadlock */
    AML_ERR_FATAL,          /* the AML executed Fatal */
    AML_ERR_BAD_RESOURCE,   /* a malformed resource template (aml_resource_*) */
};

/* The name of a status ("out of memory", "unknown opcode"...), never NULL. */
const char *aml_status_name(enum aml_status status);

#define AML_NO_OPCODE         0xFFFFu /* error.opcode when no opcode is to blame */
#define AML_ERROR_PATH_MAX    96
#define AML_ERROR_MESSAGE_MAX 96

/* What went wrong, and where. Every call that takes one fills it on failure (and clears it to
   status AML_OK on success). */
struct aml_error {
    enum aml_status status;
    uint16_t opcode;                     /* 0x00-0xFF, or 0x5Bxx for the extended opcodes */
    uint32_t offset;                     /* byte offset in the table (header included) */
    char table[5];                       /* signature of that table ("DSDT", "SSDT"), or "" */
    char method[AML_ERROR_PATH_MAX];     /* the method that was running, or "" at load time */
    char message[AML_ERROR_MESSAGE_MAX]; /* what was wrong, for a person */
};

/* Writes one line describing error into out (at most size bytes, always terminated), e.g.
   "DSDT+0x1a2: unknown opcode 0x5b99 in \_SB_.PCI0._CRS: ...". Returns its length. */
size_t aml_error_format(const struct aml_error *error, char *out, size_t size);

/* --- the host ---------------------------------------------------------------------------- */

/* Address spaces of OperationRegion the interpreter carries out through the host. */
enum aml_space {
    AML_SPACE_MEMORY = 0, /* SystemMemory */
    AML_SPACE_IO = 1,     /* SystemIO */
    AML_SPACE_PCI = 2,    /* PCI_Config */
};

struct aml_pci_address {
    uint16_t segment; /* _SEG of the host bridge above the region (0 if none) */
    uint8_t bus;      /* _BBN of that host bridge (0 if none) */
    uint8_t device;   /* _ADR bits 16-31 of the device that declares the region */
    uint8_t function; /* _ADR bits 0-15 */
};

enum aml_log_level { AML_LOG_ERROR, AML_LOG_WARNING, AML_LOG_INFO, AML_LOG_DEBUG };

/*
 * Callbacks: each gets the host's context first. A width is in bits: 8, 16, 32 or 64 (64 only
 * for memory). Accesses return 0 on success, anything else on failure (the evaluation then
 * fails with AML_ERR_HOST). Any callback may be NULL: an access through a NULL callback fails
 * with AML_ERR_HOST; a NULL notify, sleep, stall or log does nothing; a NULL timer reads 0; NULL
 * alloc/free use malloc and free.
 */
struct aml_host {
    void *context;
    int (*io_read)(void *context, uint16_t port, unsigned width, uint64_t *value);
    int (*io_write)(void *context, uint16_t port, unsigned width, uint64_t value);
    int (*mem_read)(void *context, uint64_t address, unsigned width, uint64_t *value);
    int (*mem_write)(void *context, uint64_t address, unsigned width, uint64_t value);
    int (*pci_read)(void *context, struct aml_pci_address pci, uint16_t offset, unsigned width,
                    uint64_t *value);
    int (*pci_write)(void *context, struct aml_pci_address pci, uint16_t offset, unsigned width,
                     uint64_t value);
    /* Notify(node, value) executed by AML; node may be gone once the evaluation ends (a
       method's own objects are). No callback may call into the interpreter. */
    void (*notify)(void *context, struct aml_node *node, uint64_t value);
    /* Sleep(ms) and Stall(us); the interpreter caps both (aml_limits). */
    void (*sleep)(void *context, uint64_t milliseconds);
    void (*stall)(void *context, uint64_t microseconds);
    /* A line from the interpreter or from a Store to the Debug object (no newline). */
    void (*log)(void *context, enum aml_log_level level, const char *line);
    /* Timer: a monotonic count of 100 ns units. */
    uint64_t (*timer)(void *context);
    /* The interpreter's memory: free gets the size alloc was asked for. */
    void *(*alloc)(void *context, size_t bytes);
    void (*free)(void *context, void *pointer, size_t bytes);
};

/* --- limits ------------------------------------------------------------------------------- */

/* Every bound of one evaluation (and of one table load). Zero in a field means its default. */
struct aml_limits {
    uint32_t max_depth;           /* nested terms and method calls together; default 48 (the
                                     C stack needs about 0.5 KiB a level: docs/platform.md) */
    uint32_t max_call_depth;      /* nested method calls; default 16 */
    uint64_t max_operations;      /* opcodes executed per evaluation or load, with field
                                     accesses and one per 64 bytes copied, compared or
                                     allocated; default 1000000 */
    uint64_t max_loop_iterations; /* iterations of one While; default 100000 */
    size_t max_memory;            /* bytes held by the interpreter in all, namespace included;
                                     default 4 MiB */
    uint32_t max_sleep_ms;        /* one Sleep is cut to this; default 100 */
    uint32_t max_stall_us;        /* one Stall is cut to this; default 100 */
    uint32_t max_total_sleep_ms;  /* Sleep and Stall of one evaluation in all, past which it
                                     fails (AML_ERR_LIMIT); default 1000 */
};

/* The defaults above, filled in. */
void aml_limits_default(struct aml_limits *limits);

/* --- values ------------------------------------------------------------------------------- */

/* Object types; the numbers are ObjectType's (ACPI 6.4, 19.6.97), except AML_TYPE_REFERENCE. */
enum aml_type {
    AML_TYPE_UNINITIALIZED = 0,
    AML_TYPE_INTEGER = 1,
    AML_TYPE_STRING = 2,
    AML_TYPE_BUFFER = 3,
    AML_TYPE_PACKAGE = 4,
    AML_TYPE_FIELD_UNIT = 5,
    AML_TYPE_DEVICE = 6,
    AML_TYPE_EVENT = 7,
    AML_TYPE_METHOD = 8,
    AML_TYPE_MUTEX = 9,
    AML_TYPE_REGION = 10,
    AML_TYPE_POWER_RESOURCE = 11,
    AML_TYPE_PROCESSOR = 12,
    AML_TYPE_THERMAL_ZONE = 13,
    AML_TYPE_BUFFER_FIELD = 14,
    AML_TYPE_DDB_HANDLE = 15,
    AML_TYPE_DEBUG = 16,
    AML_TYPE_REFERENCE = 20, /* RefOf, Index, or a name in a package: see aml_value_node */
};

/* The bytes of a string (NUL-terminated, length without the NUL) or of a buffer. */
struct aml_bytes {
    uint32_t refs;
    size_t length;
    uint8_t data[]; /* length bytes, then a NUL */
};

struct aml_value;

struct aml_package {
    uint32_t refs;
    size_t count;
    struct aml_value *elements;    /* count of them */
    struct aml_package *dead_next; /* internal: the list of packages being freed */
};

struct aml_reference; /* internal */

/*
 * A value: integers inline, the rest through counted pointers. Read the fields of the type
 * that type says; treat what they point to as read-only. A zeroed value is Uninitialized.
 */
struct aml_value {
    enum aml_type type;
    union {
        uint64_t integer;            /* AML_TYPE_INTEGER */
        struct aml_bytes *bytes;     /* AML_TYPE_STRING, AML_TYPE_BUFFER */
        struct aml_package *package; /* AML_TYPE_PACKAGE */
        struct aml_reference *ref;   /* AML_TYPE_REFERENCE */
        struct aml_node *node;       /* a named object (device, method, mutex, region...) */
    } u;
};

/* Releases what value holds and makes it Uninitialized. NULL or Uninitialized is fine. */
void aml_value_free(struct aml *aml, struct aml_value *value);

/* An integer value (for method arguments). */
static inline struct aml_value aml_integer(uint64_t integer)
{
    struct aml_value value = {.type = AML_TYPE_INTEGER, .u = {.integer = integer}};
    return value;
}

/* Makes a new string (or buffer) value holding a copy of the bytes; AML_ERR_NO_MEMORY if the
   budget is spent. Free it with aml_value_free. */
enum aml_status aml_string_new(struct aml *aml, const char *chars, size_t length,
                               struct aml_value *out);
enum aml_status aml_buffer_new(struct aml *aml, const void *bytes, size_t length,
                               struct aml_value *out);

/* For a string or buffer value: its bytes and length; NULL (length 0) for another type. */
const uint8_t *aml_value_data(const struct aml_value *value, size_t *length);

/* For a package: its element count (0 for another type) and element i (NULL past the end or
   for another type); the element is borrowed from the package. */
size_t aml_package_count(const struct aml_value *value);
const struct aml_value *aml_package_element(const struct aml_value *value, size_t i);

/* The named object a value designates: a reference to a node (a name in a package such as the
   source of a _PRT entry, a RefOf) or a node value; NULL otherwise. */
struct aml_node *aml_value_node(const struct aml_value *value);

/* --- the interpreter ---------------------------------------------------------------------- */

/* Makes an interpreter with an empty namespace (the predefined scopes \_SB, \_GPE, \_PR, \_TZ,
   \_SI and the objects \_OS, \_REV, \_OSI). host is copied; limits may be NULL (defaults).
   Returns AML_OK and *out, or AML_ERR_NO_MEMORY. */
enum aml_status aml_create(const struct aml_host *host, const struct aml_limits *limits,
                           struct aml **out);

/* Frees the interpreter, its namespace and everything it holds. Values the caller still
   holds must be freed before. */
void aml_destroy(struct aml *aml);

/*
 * Loads a definition block: table points at its header (signature "DSDT" or "SSDT"), available
 * is how many bytes are readable there. The header's length must lie within available (the
 * acpi server checks the checksum; this does not). Runs the table's top-level terms into the
 * namespace. The first DSDT loaded sets the integer width: 32 bits for revision < 2, 64
 * otherwise. On an error what the table defined before the failing term stays in the namespace.
 */
enum aml_status aml_load_table(struct aml *aml, const void *table, size_t available,
                               struct aml_error *error);

/* 32 or 64: the width of integers. */
unsigned aml_integer_width(const struct aml *aml);

/* Bytes the interpreter holds now (the figure checked against max_memory). */
size_t aml_memory_used(const struct aml *aml);

/* --- the namespace ------------------------------------------------------------------------ */

/* The root "\". */
struct aml_node *aml_root(struct aml *aml);

/* Finds a node by path: absolute ("\_SB.PCI0._CRS", "\_SB_.PCI0") or relative to scope (root if
   NULL), with "^" for the parent; segments shorter than four characters are padded with "_".
   No search up the tree. NULL if there is no such node or the path is malformed. */
struct aml_node *aml_find(struct aml *aml, struct aml_node *scope, const char *path);

/* The node's type (AML_TYPE_DEVICE, AML_TYPE_METHOD, AML_TYPE_INTEGER for a Name holding an
   integer...). */
enum aml_type aml_node_type(const struct aml_node *node);

/* Its four-character name (NUL-terminated; "\" for the root). */
const char *aml_node_name(const struct aml_node *node);

/* Its parent (NULL for the root), first child and next sibling (NULL at the end), in the order
   they were defined. */
struct aml_node *aml_node_parent(const struct aml_node *node);
struct aml_node *aml_node_child(const struct aml_node *node);
struct aml_node *aml_node_next(const struct aml_node *node);

/* Writes the absolute path ("\_SB_.PCI0.S08_") into out, always terminated; returns the length
   it needed (a result >= size means it was cut). */
size_t aml_node_path(const struct aml_node *node, char *out, size_t size);

/* Calls visit for every node below start (start itself excluded), depth first in definition
   order, whose type is type (or every node for AML_TYPE_UNINITIALIZED). Stops early when visit
   returns false. Returns how many nodes were visited. */
size_t aml_walk(struct aml *aml, struct aml_node *start, enum aml_type type,
                bool (*visit)(struct aml_node *node, void *context), void *context);

/* --- evaluation ----------------------------------------------------------------------------- */

/*
 * Evaluates the object at path (relative to scope, or absolute; path NULL: scope itself). A
 * method runs with args (count at most 7; they are copied, the caller keeps its own); a named
 * data object gives a copy of its value; a field reads from its region; a device, mutex and the
 * like give a reference to their node. On success *result (which may be NULL to drop it) holds
 * the value, to be freed with aml_value_free; a method that returns nothing gives an Integer 0.
 * On failure error says why; AML_ERR_NOT_FOUND if there is no such object.
 */
enum aml_status aml_evaluate(struct aml *aml, struct aml_node *scope, const char *path,
                             const struct aml_value *args, unsigned count, struct aml_value *result,
                             struct aml_error *error);

/* aml_evaluate with no arguments and an integer result (a string or buffer is converted as
   ToInteger would; another type is AML_ERR_TYPE). */
enum aml_status aml_evaluate_integer(struct aml *aml, struct aml_node *scope, const char *path,
                                     uint64_t *out, struct aml_error *error);

/* --- device helpers -------------------------------------------------------------------------- */

#define AML_ID_MAX 16 /* room for an _HID/_CID string, NUL included */

/* Decodes a compressed EISA id (as EisaId("PNP0A03") stores it) into "PNP0A03". */
void aml_eisa_id_decode(uint32_t id, char out[8]);

/* The device's _HID as a string: an integer is decoded as an EISA id, a string copied (cut to
   AML_ID_MAX - 1). AML_ERR_NOT_FOUND if there is no _HID. */
enum aml_status aml_device_hid(struct aml *aml, struct aml_node *device, char out[AML_ID_MAX],
                               struct aml_error *error);

/* The device's _CID ids: one id or a package of them, each decoded as for _HID, at most max;
 *count says how many were stored. AML_ERR_NOT_FOUND if there is no _CID. */
enum aml_status aml_device_cids(struct aml *aml, struct aml_node *device, char (*out)[AML_ID_MAX],
                                size_t max, size_t *count, struct aml_error *error);

/* The device's _ADR. AML_ERR_NOT_FOUND if there is none. */
enum aml_status aml_device_adr(struct aml *aml, struct aml_node *device, uint64_t *adr,
                               struct aml_error *error);

/* The device's _STA; a device without one is present and working: 0xF. */
enum aml_status aml_device_sta(struct aml *aml, struct aml_node *device, uint64_t *sta,
                               struct aml_error *error);

/*
 * Runs the initialization ACPI 6.4 (6.5.1) asks for after the tables are loaded: \_INI if there
 * is one, then depth first every Device's (and Processor's) _INI when its _STA says present or
 * functioning; the devices below one neither present nor functioning are skipped. A failure
 * does not stop the others: each goes to the host's log (AML_LOG_WARNING, the formatted error).
 * Returns how many _INI methods (and _STA evaluations) failed.
 */
size_t aml_initialize(struct aml *aml);

#define AML_STA_PRESENT 0x1u
#define AML_STA_ENABLED 0x2u
#define AML_STA_SHOWN   0x4u
#define AML_STA_WORKING 0x8u

#endif
