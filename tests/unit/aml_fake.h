/*
 * The AML tests' shared parts (tests/unit/test_aml.c, aml_fake.c, aml_robustness.c): the fake
 * host every test runs the interpreter against, the compiled test tables, and the tests of
 * aml_robustness.c that test_aml.c's main runs.
 */
#ifndef MISSIVE_TESTS_AML_FAKE_H
#define MISSIVE_TESTS_AML_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aml/aml.h"

#ifndef AML_TABLE_DIR
#error "AML_TABLE_DIR must name the directory of the compiled test tables"
#endif

#define FAKE_MEMORY   0x10000
#define FAKE_LOG      512
#define FAKE_NOTIFIES 16

struct access {
    char space; /* 'm', 'i', 'p' */
    bool write;
    uint64_t address; /* memory address, port, or (device << 16 | function << 8) + offset */
    unsigned width;
    uint64_t value;
};

/* 64 KiB of memory at physical 0, 64 Ki ports, 256 bytes of configuration space for each
   function of PCI bus 0; every access logged; what Notify, Sleep, Stall and Debug did. */
struct fake {
    uint8_t memory[FAKE_MEMORY];
    uint8_t io[0x10000];
    uint8_t pci[32 * 8][256];
    struct access log[FAKE_LOG];
    size_t log_count;
    struct aml_node *notified[FAKE_NOTIFIES];
    uint64_t notify_values[FAKE_NOTIFIES];
    size_t notify_count;
    char last_debug[160];
    uint64_t slept_ms, stalled_us;
    uint64_t clock;
};

/* The callbacks over f. */
struct aml_host fake_host(struct fake *f);
/* The compiled table name (e.g. "qemu.aml") in an exact-size heap buffer (free it). */
uint8_t *read_table(const char *name, size_t *length);
/* A fresh interpreter with table name loaded (it must load cleanly). */
struct aml *load(struct fake *f, const char *name, const struct aml_limits *limits);

/* aml_robustness.c */
void test_unknown_opcode(void **state);
void test_break_outside_while(void **state);
void test_bad_headers_and_lengths(void **state);
void test_truncations(void **state);
void test_corruptions(void **state);
void test_nesting_depth(void **state);
void test_memory_budget(void **state);
void test_namespace_api(void **state);
void test_resources(void **state);

#endif
