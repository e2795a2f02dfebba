/*
 * Operation regions and fields over the test's fake host (64 KiB of memory at 0, 64 Ki ports,
 * PCI bus 0): access widths, the update rules, fields across units, IndexField, BankField,
 * PCI_Config addressed by the device's _ADR, and buffer fields (Create*Field, CreateField).
 * Each test reads back through another field over the same bytes. \EXPT as in integer.asl.
 */
DefinitionBlock ("", "DSDT", 2, "MISSIV", "FIELDS", 1)
{
    OperationRegion (MEM0, SystemMemory, 0x1000, 0x30)
    Field (MEM0, ByteAcc, NoLock, Preserve)
    {
        MB0, 8, MB1, 8, MB2, 8, MB3, 8,
        Offset (8), MN0, 4, MN1, 4,
        Offset (0x10), MQ0, 64,
        MX0, 72,
    }
    Field (MEM0, DWordAcc, NoLock, Preserve) { MD0, 32, MD1, 32, MD2, 32 }
    Field (MEM0, WordAcc, NoLock, WriteAsOnes) { Offset (4), MW0, 4 }
    Field (MEM0, WordAcc, NoLock, WriteAsZeros) { Offset (6), MZ0, 4 }
    Field (MEM0, QWordAcc, NoLock, Preserve) { Offset (0x10), MQQ, 64 }
    Field (MEM0, DWordAcc, NoLock, Preserve) { Offset (8), , 4, MSP, 8 }
    Field (MEM0, AnyAcc, Lock, Preserve)        /* Lock: no Global Lock to take here */
    {
        Offset (0x20), AY0, 16,
        AccessAs (DWordAcc), AD0, 32,
    }
    Field (MEM0, BufferAcc, NoLock, Preserve) { Offset (0x28), BA0, 16 }

    Method (TBYT, 0)
    {
        MB0 = 0x11 MB1 = 0x22 MB2 = 0x33 MB3 = 0x44
        Return (MD0)
    }
    Method (TDWR, 0) { MD0 = 0xAABBCCDD Return (MB2) }
    Method (TNIB, 0) { MD2 = 0 MN0 = 0x5 MN1 = 0xA Return (MD2) }
    Method (TONE, 0) { MD1 = 0 MW0 = 0x3 Return (MD1) }          /* WriteAsOnes */
    Method (TZER, 0) { MD1 = 0xFFFFFFFF MZ0 = 0x3 Return (MD1) }  /* WriteAsZeros */
    Method (TSPN, 0) { MD2 = 0xFFFFFFFF MSP = 0 Return (MD2) }   /* bits 4-11 of a dword */
    Method (TQWD, 0) { MQQ = 0x0123456789ABCDEF Return (MQ0) }
    Method (TBIG, 0) { Return (SizeOf (MX0)) }                     /* 72 bits: a buffer */
    Method (TANY, 0) { AY0 = 0x1234 AD0 = 0x89ABCDEF BA0 = 0x5678 Return (AD0 + AY0 + BA0) }

    OperationRegion (IO00, SystemIO, 0x70, 0x4)
    Field (IO00, ByteAcc, NoLock, Preserve) { IDX0, 8, DAT0, 8 }
    IndexField (IDX0, DAT0, ByteAcc, NoLock, Preserve) { Offset (0x10), IF10, 8, IF11, 8, IF12, 16 }
    Method (TIDX, 0) { IF12 = 0xBEEF Return (IDX0) }      /* the last index written */
    Method (TIDR, 0) { IF11 = 0x5A Return (IF11) }

    OperationRegion (IO01, SystemIO, 0x80, 0x4)
    Field (IO01, ByteAcc, NoLock, Preserve) { BNK0, 8 }
    BankField (IO01, BNK0, 2, ByteAcc, NoLock, Preserve) { Offset (1), BF21, 8 }
    BankField (IO01, BNK0, 3, ByteAcc, NoLock, Preserve) { Offset (1), BF31, 8 }
    Field (IO01, ByteAcc, NoLock, Preserve) { Offset (1), RAW1, 8 }
    Method (TBNK, 0) { BF31 = 0x31 Return (BNK0 * 0x100 + RAW1) }

    Device (PCI0)
    {
        Name (_HID, EisaId ("PNP0A03"))
        Name (_BBN, 0)
        Name (_SEG, 0)
        Device (SF8)
        {
            Name (_ADR, 0x00030001)
            OperationRegion (PCFG, PCI_Config, 0x40, 0x10)
            Field (PCFG, DWordAcc, NoLock, Preserve) { PD0, 32, PD1, 32 }
            Field (PCFG, ByteAcc, NoLock, Preserve) { PB0, 8 }
        }
    }
    Method (TPCI, 0) { \PCI0.SF8.PD0 = 0x12345678 Return (\PCI0.SF8.PB0) }

    OperationRegion (BADR, SystemMemory, 0x20000, 4)
    Field (BADR, DWordAcc, NoLock, Preserve) { BAD0, 32 }
    Method (THST, 0) { Return (BAD0) }     /* the host refuses the address */
    OperationRegion (OTHR, EmbeddedControl, 0, 4)
    Field (OTHR, ByteAcc, NoLock, Preserve) { EC00, 8 }
    Method (TSPC, 0) { Return (EC00) }
    Name (SMLN, 2)
    OperationRegion (SMAL, SystemMemory, 0x1000, SMLN)
    Field (SMAL, DWordAcc, NoLock, Preserve) { SM00, 32 }
    Method (TRGN, 0) { Return (SM00) }      /* an access past the region */

    Name (RBUF, Buffer (16) {})
    CreateByteField (RBUF, 1, RB01)
    CreateWordField (RBUF, 2, RW02)
    CreateDWordField (RBUF, 4, RD04)
    CreateQWordField (RBUF, 8, RQ08)
    CreateBitField (RBUF, 7, RBT7)
    CreateField (RBUF, 12, 3, RF12)
    Method (TCBF, 0)
    {
        RB01 = 0x1122 RW02 = 0x3344 RD04 = 0x55667788 RQ08 = 0x99AABBCCDDEEFF00
        RBT7 = 1 RF12 = 7
        Return (RBUF)
    }
    Method (TCBR, 0) { Return (RD04) }
    Method (TCFO, 0) { CreateDWordField (RBUF, 13, RBAD) Return (0) }
    Method (TCFL, 0)     /* a method's CreateField over its own buffer, as _CRS methods do */
    {
        Name (RT00, ResourceTemplate () { IRQ (Level, ActiveLow, Shared) { 5 } })
        CreateWordField (RT00, 1, IRQM)
        IRQM = 0x0800
        Return (RT00)
    }
    Method (TCFB, 0) { CreateField (RBUF, 0, 80, RF80) Return (SizeOf (RF80)) }

    Name (EXPT, Package () {
        Package () { "TBYT", 0x44332211 },
        Package () { "TDWR", 0xBB },
        Package () { "TNIB", 0xA5 },
        Package () { "TONE", 0xFFF3 },
        Package () { "TZER", 0x0003FFFF },
        Package () { "TSPN", 0xFFFFF00F },
        Package () { "TQWD", 0x0123456789ABCDEF },
        Package () { "TBIG", 9 },
        Package () { "TANY", 0x89ABCDEF + 0x1234 + 0x5678 },
        Package () { "TIDX", 0x13 },
        Package () { "TIDR", 0x5A },
        Package () { "TBNK", 0x0331 },
        Package () { "TPCI", 0x78 },
        Package () { "THST", "error:host access failed" },
        Package () { "TSPC", "error:not supported" },
        Package () { "TRGN", "error:index out of range" },
        Package () { "TCBF", Buffer () { 0x80, 0x72, 0x44, 0x33, 0x88, 0x77, 0x66, 0x55,
                                         0x00, 0xFF, 0xEE, 0xDD, 0xCC, 0xBB, 0xAA, 0x99 } },
        Package () { "TCBR", 0x55667788 },
        Package () { "TCFO", "error:index out of range" },
        Package () { "TCFL", Buffer () { 0x23, 0x00, 0x08, 0x18, 0x79, 0x00 } },
        Package () { "TCFB", 10 },
    })
}
