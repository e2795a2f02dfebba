/*
 * The AML interpreter's insides, shared by its files (not by its users: they see aml.h).
 *
 * The interpreter executes AML as it decodes it, recursively: a term is decoded and performed
 * in one step, operands first. Each recursion (a nested term, a method call) is counted against
 * aml_limits.max_depth, each opcode against max_operations, so the C stack and the time one
 * evaluation takes are both bounded. Every allocation goes through aml_alloc, which counts it
 * against max_memory and threads it on a list that aml_destroy frees whole (so even a cycle of
 * references that hostile AML built never outlives the interpreter).
 */
#ifndef MISSIVE_AML_INTERNAL_H
#define MISSIVE_AML_INTERNAL_H

#include "aml/aml.h"

#define AML_MAX_ARGS   7
#define AML_MAX_LOCALS 8

/* A loaded table: a private copy of its bytes, which method nodes point into. */
struct aml_table {
    struct aml_table *next;
    char signature[5];
    uint8_t revision;
    uint32_t length;
    uint8_t *data;
};

struct aml_method {
    struct aml_table *table;
    uint32_t start, end; /* the method's TermList in table->data */
    uint8_t arg_count;
    bool serialized;
    /* A built-in method (\_OSI) runs this instead of AML. */
    enum aml_status (*builtin)(struct aml *aml, const struct aml_value *args,
                               struct aml_value *result);
};

struct aml_region {
    uint8_t space; /* AML_SPACE_* (or another space id, refused on access) */
    uint64_t offset, length;
    bool pci_known; /* PCI_Config: pci was found (from _ADR, _BBN, _SEG) */
    struct aml_pci_address pci;
};

enum aml_field_kind { AML_FIELD_PLAIN, AML_FIELD_INDEX, AML_FIELD_BANK };

/* The nodes a field names are counted (refs), so that they outlive it. */
struct aml_field {
    enum aml_field_kind kind;
    struct aml_node *region;       /* PLAIN, BANK: the OperationRegion */
    struct aml_node *index, *data; /* INDEX: the index and data fields */
    struct aml_node *bank;         /* BANK: the bank selection field */
    uint64_t bank_value;
    uint32_t bit_offset, bit_length;
    uint8_t flags; /* FieldFlags: bits 0-3 access type, 4 lock, 5-6 update rule */
};

struct aml_buffer_field {
    struct aml_bytes *buffer; /* counted */
    bool is_string;           /* the source was a string: nothing changes there */
    uint64_t bit_offset, bit_length;
};

struct aml_mutex {
    uint8_t sync_level;
    uint32_t depth; /* times acquired and not yet released */
};

/*
 * A named object. Data objects (Name) keep their value in value and their type is value.type;
 * the others keep their state in the union. An Alias is resolved when defined: its node points
 * at the target (alias_of) and every lookup follows it.
 */
struct aml_node {
    char name[5];
    enum aml_type type;
    uint32_t refs; /* references (RefOf, names in packages) that point here */
    bool detached; /* deleted from the namespace: freed when refs reaches 0 */
    struct aml_node *parent, *child, *last_child, *next;
    struct aml_node *alias_of;
    struct aml_node *temporary_next; /* created by a running method: deleted when it returns */
    struct aml_value value;
    union {
        struct aml_method method;
        struct aml_region region;
        struct aml_field field;
        struct aml_buffer_field buffer_field;
        struct aml_mutex mutex;
        uint64_t event_count;
    } object;
};

enum aml_reference_kind {
    AML_REFERENCE_NODE,    /* RefOf(Name), a name in a package */
    AML_REFERENCE_PACKAGE, /* Index(Package, i): the element */
    AML_REFERENCE_BYTES,   /* Index(Buffer or String, i): one byte */
};

struct aml_reference {
    uint32_t refs;
    enum aml_reference_kind kind;
    struct aml_node *node;
    struct aml_package *package; /* counted */
    struct aml_bytes *bytes;     /* counted */
    bool is_string;
    size_t index;
    struct aml_reference *dead_next; /* the list of references being freed */
};

struct aml {
    struct aml_host host;
    struct aml_limits limits;
    struct aml_allocation *allocations; /* every live allocation */
    size_t memory_used;
    struct aml_node *root;
    struct aml_table *tables;
    uint64_t integer_mask;
    bool width_fixed;
    struct aml_node *debug_node; /* the Debug object, not in the namespace */
    /* The evaluation under way (nested ones, for a PCI region's _ADR, share it). */
    unsigned active;     /* evaluations in progress: the outermost resets the counts */
    uint64_t operations; /* opcodes (and field accesses) of the outermost evaluation */
    uint64_t slept_us;   /* Sleep and Stall of the outermost evaluation */
    bool resolving_pci;  /* a PCI region's address is being resolved: no second one */
};

/* --- memory (memory.c) --------------------------------------------------------------------- */

/* bytes from the host's allocator counted against max_memory; NULL past the budget. Zeroed. */
void *aml_alloc(struct aml *aml, size_t bytes);
void aml_free(struct aml *aml, void *pointer);
/* Frees every allocation still held (aml_destroy). */
void aml_free_all(struct aml *aml);

/* A new string (NUL after the bytes) or buffer of length bytes, zeroed; counted once. */
struct aml_bytes *aml_bytes_new(struct aml *aml, size_t length);
/* A package of count Uninitialized elements. */
struct aml_package *aml_package_new(struct aml *aml, size_t count);
struct aml_reference *aml_reference_new(struct aml *aml, enum aml_reference_kind kind);

/* Adds work done outside the opcodes (copying, comparing, bits of a buffer field: about one
   unit per 64 bytes) to the evaluation's count of operations, which the next opcode checks
   against max_operations: so a loop cannot repeat large copies without bound. */
void aml_charge(struct aml *aml, uint64_t bytes);

/* Another counted holder of the same value (no copy of its contents). */
struct aml_value aml_value_share(const struct aml_value *value);
/* A copy whose string, buffer or package (deep, elements too) is new: what Store makes.
   References and node values are shared. Packages nested deeper than max_depth are refused
   (AML_ERR_DEPTH): the copy recurses. */
enum aml_status aml_value_copy(struct aml *aml, const struct aml_value *value,
                               struct aml_value *out);
/* Frees what *target holds and moves value into it. */
void aml_value_replace(struct aml *aml, struct aml_value *target, struct aml_value value);

/* --- the namespace (namespace.c) ---------------------------------------------------------- */

/* Makes a child named name (4 characters) of parent: AML_ERR_EXISTS if there is one. */
enum aml_status aml_node_new(struct aml *aml, struct aml_node *parent, const char name[4],
                             enum aml_type type, struct aml_node **out);
/* Unlinks node and frees it and everything below it; a node a reference still points to
   stays allocated, as an Uninitialized object, until the reference goes. */
void aml_node_delete(struct aml *aml, struct aml_node *node);
/* A reference to node is dropped: frees a deleted node when it was the last. */
void aml_node_unref(struct aml *aml, struct aml_node *node);
/* A new reference value designating node. */
enum aml_status aml_node_reference(struct aml *aml, struct aml_node *node, struct aml_value *out);
struct aml_node *aml_node_lookup_child(const struct aml_node *parent, const char name[4]);
/* Follows an alias to its target. */
struct aml_node *aml_node_resolve(struct aml_node *node);
/* Installs the predefined scopes and objects. */
enum aml_status aml_namespace_init(struct aml *aml);

/* --- conversions (convert.c) ---------------------------------------------------------------- */

/* Implicit conversion (a string read as hex); ToInteger's (decimal unless "0x"). */
enum aml_status aml_to_integer(struct aml *aml, const struct aml_value *in, uint64_t *out);
enum aml_status aml_to_integer_explicit(struct aml *aml, const struct aml_value *in, uint64_t *out);
enum aml_status aml_to_buffer(struct aml *aml, const struct aml_value *in, struct aml_value *out);
/* ToString-like implicit conversion: integers in hex (as ACPICA does), buffers as hex bytes. */
enum aml_status aml_to_string(struct aml *aml, const struct aml_value *in, struct aml_value *out);
enum aml_status aml_to_hex_string(struct aml *aml, const struct aml_value *in,
                                  struct aml_value *out);
enum aml_status aml_to_decimal_string(struct aml *aml, const struct aml_value *in,
                                      struct aml_value *out);
/* Converts in to type (INTEGER, STRING or BUFFER), as the operand of an operator that wants
   that type. */
enum aml_status aml_convert(struct aml *aml, const struct aml_value *in, enum aml_type type,
                            struct aml_value *out);
/* Compares two integers, strings or buffers (b converted to a's type): <0, 0, >0. */
enum aml_status aml_compare(struct aml *aml, const struct aml_value *a, const struct aml_value *b,
                            int *order);
/* Concatenate: the type of a decides the result's. */
enum aml_status aml_concatenate(struct aml *aml, const struct aml_value *a,
                                const struct aml_value *b, struct aml_value *out);
/* Formats the value for the Debug object. */
void aml_value_describe(const struct aml *aml, const struct aml_value *value, char *out,
                        size_t size);

/* --- fields (field.c) ------------------------------------------------------------------------ */

/* Reads a field unit or buffer field: an Integer if it fits the integer width, else a Buffer. */
enum aml_status aml_field_read(struct aml *aml, struct aml_node *field, struct aml_value *out);
/* Writes value (converted to an integer or buffer) into a field unit or buffer field. */
enum aml_status aml_field_write(struct aml *aml, struct aml_node *field,
                                const struct aml_value *value);

/* --- the executor (exec.c, ops.c) ---------------------------------------------------------- */

struct aml_exec; /* one evaluation's state */

/* Records an error (the first one of an evaluation wins) and returns status. */
enum aml_status aml_fail(struct aml_exec *exec, enum aml_status status, const char *message);

#endif
