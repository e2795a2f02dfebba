/*
 * ACPI resource descriptors (ACPI 6.4, 6.4): decoding the buffer a _CRS or _PRS returns into a
 * list, and encoding the buffer _SRS takes to choose a link device's interrupt.
 *
 * Pure and strict: every descriptor's length is checked against the buffer and against the
 * size its type needs; a buffer without an End tag, or with bytes the descriptor does not
 * account for, is AML_ERR_BAD_RESOURCE with the offset of the bad descriptor.
 */
#ifndef MISSIVE_AML_RESOURCE_H
#define MISSIVE_AML_RESOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aml/aml.h"

enum aml_resource_type {
    AML_RESOURCE_IRQ,            /* small IRQ (IRQ, IRQNoFlags) */
    AML_RESOURCE_EXTENDED_IRQ,   /* large Extended Interrupt (Interrupt) */
    AML_RESOURCE_DMA,            /* small DMA: channels only */
    AML_RESOURCE_IO,             /* small I/O port range (IO) */
    AML_RESOURCE_FIXED_IO,       /* small Fixed I/O (FixedIO) */
    AML_RESOURCE_MEMORY32,       /* large 32-bit memory range (Memory32) */
    AML_RESOURCE_FIXED_MEMORY32, /* large 32-bit fixed memory (Memory32Fixed) */
    AML_RESOURCE_ADDRESS,        /* large Word/DWord/QWord address space */
    AML_RESOURCE_OTHER,          /* a well-formed descriptor of another kind: skipped */
};

#define AML_RESOURCE_MAX_INTERRUPTS 16

/* An IRQ or Extended IRQ descriptor: the interrupts it names (the first
   AML_RESOURCE_MAX_INTERRUPTS of them; total says how many there were) and their mode. */
struct aml_resource_irq {
    uint32_t interrupts[AML_RESOURCE_MAX_INTERRUPTS];
    uint8_t count;   /* stored in interrupts */
    uint8_t total;   /* named by the descriptor */
    bool level;      /* level-triggered (else edge) */
    bool active_low; /* (else active high) */
    bool shared;
    bool wake;
    bool consumer;        /* Extended IRQ: ResourceConsumer (always true for a small IRQ) */
    uint8_t small_length; /* a small IRQ: 2 (no flags byte, edge/high) or 3 */
};

struct aml_resource_io {
    uint64_t minimum, maximum; /* lowest and highest base (equal for fixed ranges) */
    uint64_t alignment;
    uint64_t length;
    bool decode16; /* IO: 16-bit decode (else 10-bit) */
    bool writable; /* memory: read-write (else read-only) */
};

enum aml_address_space { AML_ADDRESS_MEMORY = 0, AML_ADDRESS_IO = 1, AML_ADDRESS_BUS = 2 };

struct aml_resource_address {
    uint8_t bits;       /* 16 (Word), 32 (DWord) or 64 (QWord) */
    uint8_t space;      /* enum aml_address_space, or a vendor-defined 192-255 */
    uint8_t flags;      /* general flags: bit 0 consumer, 1 decode, 2 MIF, 3 MAF */
    uint8_t type_flags; /* type-specific flags (memory: bit 0 writable, 1-2 cacheability) */
    uint64_t granularity;
    uint64_t minimum;
    uint64_t maximum;
    uint64_t translation;
    uint64_t length;
};

struct aml_resource {
    enum aml_resource_type type;
    uint32_t offset; /* of the descriptor in the buffer */
    uint8_t tag;     /* the descriptor's first byte (0x22 IRQ, 0x89 Extended IRQ...) */
    union {
        struct aml_resource_irq irq;         /* IRQ, EXTENDED_IRQ */
        struct aml_resource_io range;        /* IO, FIXED_IO, MEMORY32, FIXED_MEMORY32 */
        struct aml_resource_address address; /* ADDRESS */
        uint8_t dma_channels;                /* DMA: a mask of channels 0-7 */
    } u;
};

/*
 * Decodes buffer (length bytes, as _CRS or _PRS return it) up to its End tag into out (room
 * for max). Returns AML_OK with *count descriptors, or AML_ERR_BAD_RESOURCE (a descriptor runs
 * past the buffer, is too short for its type, or there is no End tag) or AML_ERR_INDEX (more
 * than max descriptors), with *bad_offset (may be NULL) the offset of the descriptor at fault.
 */
enum aml_status aml_resource_decode(const uint8_t *buffer, size_t length, struct aml_resource *out,
                                    size_t max, size_t *count, size_t *bad_offset);

/*
 * Encodes the _SRS buffer for a link device: one descriptor of the kind and mode of
 * possible (an IRQ or Extended IRQ descriptor from _PRS) naming only interrupt, followed by an
 * End tag. Writes at most size bytes to out and *length. AML_ERR_ARGUMENT if possible is not an
 * interrupt descriptor, the interrupt is not one it offers, or out is too small.
 */
enum aml_status aml_resource_encode_irq(const struct aml_resource *possible, uint32_t interrupt,
                                        uint8_t *out, size_t size, size_t *length);

#endif
