/*
 * Named objects and the host's services: Scope, Device, Processor, PowerResource,
 * ThermalZone, External, Mutex/Acquire/Release, Event/Signal/Wait/Reset, Notify, Sleep, Stall,
 * Timer, Revision, Debug, Fatal, \_OSI, \_REV, and objects a method creates (gone when it
 * returns). The C tests check what reached the host (tests/unit/test_aml.c).
 * \EXPT as in integer.asl.
 */
DefinitionBlock ("", "SSDT", 2, "MISSIV", "OBJECTS", 1)
{
    External (\_SB.MISS, DeviceObj)
    External (\_SB.NONE, IntObj)
    Scope (\_SB)
    {
        Device (DEV1)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_CID, Package () { EisaId ("PNP0A03"), "ACPI0003" })
            Name (_UID, 1)
            Method (_STA, 0) { Return (0x0B) }
            Device (CHLD) { Name (_ADR, 0x001F0003) Name (_HID, "QEMU0002") }
        }
        Processor (CPU0, 0, 0x00000810, 6) { Name (VAL0, 0x11) }
        PowerResource (PWR0, 0, 0) { Method (_STA) { Return (1) } Method (_ON) {} Method (_OFF) {} }
        ThermalZone (TZ00) { Method (_TMP) { Return (3000) } }
    }
    Scope (\_SB.DEV1) { Name (ADDL, 0x99) }

    /* aml_initialize: \_INI, then each present device's _INI; not below an absent one. */
    Name (INIC, 0)
    Method (_INI) { INIC += 1 }
    Scope (\_SB)
    {
        Device (ABS0)
        {
            Method (_STA) { Return (0) }
            Method (_INI) { INIC += 0x100 }
            Device (KID0) { Method (_INI) { INIC += 0x1000 } }
        }
        Device (FUN0)           /* functioning, not present: its children are */
        {
            Method (_STA) { Return (8) }
            Method (_INI) { INIC += 0x10000 }
            Device (KID1) { Method (_INI) { INIC += 0x10 } }
        }
        Device (BAD0) { Method (_INI) { Fatal (0, 0, 0) } }
    }
    Mutex (MTX0, 0)
    Mutex (MTX1, 15)
    Event (EVT0)

    Method (TSCP, 0) { Return (\_SB.DEV1.ADDL) }
    Method (TPRC, 0) { Return (\_SB.CPU0.VAL0) }
    Method (TPWR, 0) { Return (\_SB.PWR0._STA ()) }
    Method (TTMP, 0) { Return (\_SB.TZ00._TMP ()) }
    Method (TOTY, 0)
    {
        Return (ObjectType (\_SB.CPU0) * 0x10000 + ObjectType (\_SB.PWR0) * 0x100 +
                ObjectType (\_SB.TZ00))
    }
    Method (TEXT, 0) { Return (CondRefOf (\_SB.MISS)) }
    Method (TMTX, 0)
    {
        Local0 = Acquire (MTX0, 0xFFFF)
        Local1 = Acquire (MTX0, 0)          /* the same evaluation may take it again */
        Release (MTX0)
        Release (MTX0)
        Return (Local0 + Local1)
    }
    Method (TREL, 0) { Release (MTX1) Return (1) }
    Method (TMTK, 0) { Acquire (MTX1, 0xFFFF) Return (5) }    /* released at the end */
    Method (TMTA, 0) { Return (Acquire (MTX1, 0)) }           /* so free again */
    Method (TEVT, 0)
    {
        Signal (EVT0)
        Signal (EVT0)
        Local0 = Wait (EVT0, 0)             /* 0: got one */
        Reset (EVT0)
        Local1 = Wait (EVT0, 10)            /* Ones: timed out */
        Return (Local0 * 0x10 + And (Local1, 1))
    }
    Method (TNTF, 0) { Notify (\_SB.DEV1, 0x80) Notify (\_SB.CPU0, 0x81) Return (2) }
    Method (TSLP, 0) { Sleep (10) Stall (20) Sleep (100000) Stall (255) Return (1) }
    Method (TTMR, 0)
    {
        Local0 = Timer
        Local1 = Timer
        Return (LGreater (Local1, Local0))
    }
    Method (TREV, 0) { Return (Revision) }
    Method (TDBG, 0)
    {
        Store (Buffer () { 1, 0xAB }, Debug)
        Store (Package () { 1, 2 }, Debug)
        Store (RefOf (MTX0), Debug)
        Store ("hello from AML", Debug)
        Debug = 0x1234
        Return (0)
    }
    Method (TFTL, 0) { Fatal (1, 0x12345678, 9) Return (0) }
    Method (TBPT, 0) { BreakPoint Noop Return (3) }
    Name (TBLB, Buffer (4) {})
    Method (TLOD, 0) { Load (TBLB, Local0) Return (0) }
    Method (TDTR, 0) { DataTableRegion (DTR0, "DSDT", "", "") Return (0) }
    Method (TOSI, 0) { Return (\_OSI ("Windows 2009")) }
    Method (TOSN, 0) { Return (\_OSI ("Linux")) }
    Method (TRV2, 0) { Return (\_REV) }
    Method (TLCL, 0)       /* a method's own objects come and go with each call */
    {
        Name (TMP0, 7)
        Device (TDEV) { Name (INNR, 8) }
        Return (TMP0 + TDEV.INNR)
    }
    Method (TRUN, 0) { Return (TLCL () + TLCL ()) }
    Method (TDUP, 0)
    {
        Local0 = 0
        While (Local0 < 2) { Name (DUP0, 1) Local0++ }   /* the second Name fails */
        Return (DUP0)
    }
    Method (TNFD, 0) { Return (\_SB.NONE) }
    Scope (\_SB.DEV1.CHLD)
    {
        Method (GETA, 0) { Return (ADDL) }     /* ADDL found by searching upwards */
        Method (^GETB, 0) { Return (_UID) }    /* defined in DEV1 through ^ */
    }

    Name (EXPT, Package () {
        Package () { "TSCP", 0x99 },
        Package () { "TPRC", 0x11 },
        Package () { "TPWR", 1 },
        Package () { "TTMP", 3000 },
        Package () { "TOTY", 0x0C0B0D },
        Package () { "TEXT", 0 },
        Package () { "TMTX", 0 },
        Package () { "TREL", "error:mutex misuse" },
        Package () { "TMTK", 5 },
        Package () { "TMTA", 0 },
        Package () { "TEVT", 1 },
        Package () { "TNTF", 2 },
        Package () { "TSLP", 1 },
        Package () { "TTMR", 0xFFFFFFFFFFFFFFFF },
        Package () { "TREV", 1 },
        Package () { "TDBG", 0 },
        Package () { "TFTL", "error:Fatal executed" },
        Package () { "TBPT", 3 },
        Package () { "TLOD", "error:not supported" },
        Package () { "TDTR", "error:not supported" },
        Package () { "TOSI", 0xFFFFFFFFFFFFFFFF },
        Package () { "TOSN", 0 },
        Package () { "TRV2", 2 },
        Package () { "TLCL", 15 },
        Package () { "TRUN", 30 },
        Package () { "TDUP", "error:already defined" },
        Package () { "TNFD", "error:not found" },
        Package () { "\\_SB.DEV1.CHLD.GETA", 0x99 },
        Package () { "\\_SB.DEV1.GETB", 1 },
    })
}
