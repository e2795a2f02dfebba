/*
 * The executor's state, shared by exec.c (terms, names, statements, named objects), ops.c
 * (the operators) and eval.c (the public entry points). Internal to lib/aml.
 */
#ifndef MISSIVE_AML_EXEC_H
#define MISSIVE_AML_EXEC_H

#include "aml/internal.h"

/* AML opcodes (ACPI 6.4, 20.2). The extended ones are 0x5B00 | second byte. */
enum {
    OP_ZERO = 0x00,
    OP_ONE = 0x01,
    OP_ALIAS = 0x06,
    OP_NAME = 0x08,
    OP_BYTE = 0x0A,
    OP_WORD = 0x0B,
    OP_DWORD = 0x0C,
    OP_STRING = 0x0D,
    OP_QWORD = 0x0E,
    OP_SCOPE = 0x10,
    OP_BUFFER = 0x11,
    OP_PACKAGE = 0x12,
    OP_VAR_PACKAGE = 0x13,
    OP_METHOD = 0x14,
    OP_EXTERNAL = 0x15,
    OP_DUAL_NAME = 0x2E,
    OP_MULTI_NAME = 0x2F,
    OP_EXT = 0x5B,
    OP_ROOT = 0x5C,
    OP_PARENT = 0x5E,
    OP_LOCAL0 = 0x60,
    OP_LOCAL7 = 0x67,
    OP_ARG0 = 0x68,
    OP_ARG6 = 0x6E,
    OP_STORE = 0x70,
    OP_REF_OF = 0x71,
    OP_ADD = 0x72,
    OP_CONCAT = 0x73,
    OP_SUBTRACT = 0x74,
    OP_INCREMENT = 0x75,
    OP_DECREMENT = 0x76,
    OP_MULTIPLY = 0x77,
    OP_DIVIDE = 0x78,
    OP_SHIFT_LEFT = 0x79,
    OP_SHIFT_RIGHT = 0x7A,
    OP_AND = 0x7B,
    OP_NAND = 0x7C,
    OP_OR = 0x7D,
    OP_NOR = 0x7E,
    OP_XOR = 0x7F,
    OP_NOT = 0x80,
    OP_FIND_SET_LEFT_BIT = 0x81,
    OP_FIND_SET_RIGHT_BIT = 0x82,
    OP_DEREF_OF = 0x83,
    OP_CONCAT_RES = 0x84,
    OP_MOD = 0x85,
    OP_NOTIFY = 0x86,
    OP_SIZE_OF = 0x87,
    OP_INDEX = 0x88,
    OP_MATCH = 0x89,
    OP_CREATE_DWORD_FIELD = 0x8A,
    OP_CREATE_WORD_FIELD = 0x8B,
    OP_CREATE_BYTE_FIELD = 0x8C,
    OP_CREATE_BIT_FIELD = 0x8D,
    OP_OBJECT_TYPE = 0x8E,
    OP_CREATE_QWORD_FIELD = 0x8F,
    OP_LAND = 0x90,
    OP_LOR = 0x91,
    OP_LNOT = 0x92,
    OP_LEQUAL = 0x93,
    OP_LGREATER = 0x94,
    OP_LLESS = 0x95,
    OP_TO_BUFFER = 0x96,
    OP_TO_DECIMAL_STRING = 0x97,
    OP_TO_HEX_STRING = 0x98,
    OP_TO_INTEGER = 0x99,
    OP_TO_STRING = 0x9C,
    OP_COPY_OBJECT = 0x9D,
    OP_MID = 0x9E,
    OP_CONTINUE = 0x9F,
    OP_IF = 0xA0,
    OP_ELSE = 0xA1,
    OP_WHILE = 0xA2,
    OP_NOOP = 0xA3,
    OP_RETURN = 0xA4,
    OP_BREAK = 0xA5,
    OP_BREAKPOINT = 0xCC,
    OP_ONES = 0xFF,
    OP_MUTEX = 0x5B01,
    OP_EVENT = 0x5B02,
    OP_COND_REF_OF = 0x5B12,
    OP_CREATE_FIELD = 0x5B13,
    OP_LOAD_TABLE = 0x5B1F,
    OP_LOAD = 0x5B20,
    OP_STALL = 0x5B21,
    OP_SLEEP = 0x5B22,
    OP_ACQUIRE = 0x5B23,
    OP_SIGNAL = 0x5B24,
    OP_WAIT = 0x5B25,
    OP_RESET = 0x5B26,
    OP_RELEASE = 0x5B27,
    OP_FROM_BCD = 0x5B28,
    OP_TO_BCD = 0x5B29,
    OP_UNLOAD = 0x5B2A,
    OP_REVISION = 0x5B30,
    OP_DEBUG = 0x5B31,
    OP_FATAL = 0x5B32,
    OP_TIMER = 0x5B33,
    OP_REGION = 0x5B80,
    OP_FIELD = 0x5B81,
    OP_DEVICE = 0x5B82,
    OP_PROCESSOR = 0x5B83,
    OP_POWER_RES = 0x5B84,
    OP_THERMAL_ZONE = 0x5B85,
    OP_INDEX_FIELD = 0x5B86,
    OP_BANK_FIELD = 0x5B87,
    OP_DATA_REGION = 0x5B88,
};

enum aml_flow { FLOW_NEXT, FLOW_BREAK, FLOW_CONTINUE, FLOW_RETURN };

/* One running method (or a table's top level, with method NULL). */
struct aml_frame {
    struct aml_node *scope;  /* where names resolve and are created */
    struct aml_node *method; /* NULL at load time */
    struct aml_value args[AML_MAX_ARGS];
    struct aml_value locals[AML_MAX_LOCALS];
    struct aml_node *temporaries; /* nodes created by the method: deleted when it returns */
    struct aml_value return_value;
    enum aml_flow flow;
    uint32_t loops; /* While bodies running: Break and Continue need one */
};

#define AML_MAX_HELD_MUTEXES 16

struct aml_exec {
    struct aml *aml;
    struct aml_error error; /* the first error of the evaluation */
    struct aml_frame *frame;
    struct aml_table *table; /* the code being run: table->data[pos, end of scope) */
    uint32_t pos;
    uint32_t depth, call_depth;
    struct aml_node *held[AML_MAX_HELD_MUTEXES]; /* mutexes acquired (counted nodes) */
    unsigned held_count;
};

/* A decoded NameString: segments point into the table. */
struct aml_name {
    bool root;
    uint32_t parents; /* ^ prefixes */
    uint32_t count;   /* segments */
    const uint8_t *segments;
};

/* Where a Store goes: a SuperName or Target decoded. */
enum aml_target_kind {
    TARGET_NONE,
    TARGET_NODE,
    TARGET_LOCAL,
    TARGET_ARG,
    TARGET_DEBUG,
    TARGET_REFERENCE
};
struct aml_target {
    enum aml_target_kind kind;
    struct aml_node *node;
    unsigned index;
    struct aml_value reference; /* TARGET_REFERENCE: counted */
};

/* Error recording at opcode op (offset start of the table being run). */
enum aml_status aml_fail_at(struct aml_exec *ex, uint16_t op, uint32_t start, enum aml_status s,
                            const char *message);

/* AML_ERR_NOT_FOUND with a message of what and the name ("no object \_SB_.XYZ0"). */
enum aml_status aml_fail_name(struct aml_exec *ex, uint16_t op, uint32_t start, const char *what,
                              const struct aml_name *name);

/* Decoding (decode.c). Each reads at ex->pos and stops at end (AML_ERR_TRUNCATED past it). */
/* Whether byte c starts a NameString (a lead character, \, ^, or a dual or multi prefix). */
bool aml_name_start(uint8_t c);
enum aml_status aml_read_byte(struct aml_exec *ex, uint32_t end, uint8_t *out);
enum aml_status aml_read_le(struct aml_exec *ex, uint32_t end, unsigned bytes, uint64_t *out);
enum aml_status aml_read_pkg_length(struct aml_exec *ex, uint32_t end, uint32_t *pkg_end);
enum aml_status aml_read_name(struct aml_exec *ex, uint32_t end, struct aml_name *name);
/* Resolves name from the frame's scope (a lone segment searches up the tree). NULL if none. */
struct aml_node *aml_resolve(struct aml_exec *ex, const struct aml_name *name);

/* Executes one term: *out gets its value (Uninitialized for a statement). */
enum aml_status aml_exec_term(struct aml_exec *ex, uint32_t end, struct aml_value *out);
/* A TermArg that must give a value; one that must give an integer. */
enum aml_status aml_exec_operand(struct aml_exec *ex, uint32_t end, struct aml_value *out);
enum aml_status aml_exec_integer(struct aml_exec *ex, uint32_t end, uint64_t *out);
/* A SuperName or Target; and a Store into it (value converted as the target needs). */
enum aml_status aml_exec_target(struct aml_exec *ex, uint32_t end, struct aml_target *out);
void aml_target_free(struct aml_exec *ex, struct aml_target *target);
enum aml_status aml_store(struct aml_exec *ex, struct aml_target *target,
                          const struct aml_value *value);
/* CopyObject: the target takes value's type. */
enum aml_status aml_copy_object(struct aml_exec *ex, struct aml_target *target,
                                const struct aml_value *value);
/* The value of a named object (a data object shared, a field read, else a reference). */
enum aml_status aml_node_value(struct aml_exec *ex, struct aml_node *node, struct aml_value *out);
/* The value a reference designates (DerefOf). */
enum aml_status aml_deref(struct aml_exec *ex, const struct aml_value *reference,
                          struct aml_value *out);
/* Runs a method in frame (from aml_alloc, zeroed, its args filled by the caller) and frees the
   frame; *out gets the return value (Integer 0 if none). The frame lives in the interpreter's
   memory, not on the C stack, which nested calls would otherwise use up. */
enum aml_status aml_call(struct aml_exec *ex, struct aml_node *method, struct aml_frame *frame,
                         struct aml_value *out);
/* Runs the terms in [ex->pos, end) until the end or a Break, Continue or Return. */
enum aml_status aml_exec_term_list(struct aml_exec *ex, uint32_t end);
/* Makes a named object under the frame's scope for name; records method temporaries. */
enum aml_status aml_define(struct aml_exec *ex, const struct aml_name *name, enum aml_type type,
                           struct aml_node **out);

/* The operators (ops.c): op's operands start at ex->pos. AML_ERR_BAD_OPCODE if op is not one. */
enum aml_status aml_exec_operator(struct aml_exec *ex, uint16_t op, uint32_t start, uint32_t end,
                                  struct aml_value *out);

/* CreateBitField ... CreateQWordField and CreateField (ops.c). */
enum aml_status aml_exec_create_field(struct aml_exec *ex, uint16_t op, uint32_t end);

/* Definitions and statements of the extended opcodes (objects.c). */
enum aml_status aml_exec_object(struct aml_exec *ex, uint16_t op, uint32_t start, uint32_t end,
                                struct aml_value *out);

#endif
