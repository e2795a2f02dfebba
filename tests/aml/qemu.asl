/*
 * A table shaped like QEMU's pc and q35 DSDTs (written for this test, after what
 * QEMU-NOTES.md and issue 12 say of them): \_S5 as Package (4) { 0, 0, 0, 0 }, \_PIC choosing
 * between PIC and APIC routes in \_SB.PCI0._PRT, link devices LNKA-LNKB whose routing
 * registers are PCI_Config bytes of the ISA bridge (0:1.0, 0x60-0x63) with _STA/_PRS/_CRS/_SRS/
 * _DIS, PM registers and a GPE handler on SystemIO, a Notify. The C tests drive it as the acpi
 * server would (tests/unit/test_aml.c, test_qemu_*); \EXPT as in integer.asl.
 */
DefinitionBlock ("", "DSDT", 1, "MISSIV", "QEMUPC", 1)
{
    Name (_S5, Package (4) { 0, 0, 0, 0 })
    Name (PICF, 0)
    Method (_PIC, 1) { PICF = Arg0 }

    OperationRegion (PMIO, SystemIO, 0x600, 0x10)
    Field (PMIO, WordAcc, NoLock, WriteAsZeros)
    {
        PSTS, 16,       /* PM1a_STS */
        PEN_, 16,       /* PM1a_EN */
        PCNT, 16,       /* PM1a_CNT */
    }
    Field (PMIO, DWordAcc, NoLock, Preserve) { Offset (8), PTMR, 24 }

    Scope (\_SB)
    {
        Device (PCI0)
        {
            Name (_HID, EisaId ("PNP0A03"))
            Name (_ADR, 0)
            Name (_UID, 0)
            Name (_BBN, 0)
            Name (_CRS, ResourceTemplate ()
            {
                WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,
                    0x0000, 0x0000, 0x00FF, 0x0000, 0x0100)
                IO (Decode16, 0x0CF8, 0x0CF8, 0x01, 0x08)
                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadWrite,
                    0x00000000, 0x000A0000, 0x000BFFFF, 0x00000000, 0x00020000)
                QWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadWrite,
                    0x0, 0x100000000, 0x17FFFFFFF, 0x0, 0x80000000)
            })
            Method (_PRT, 0)
            {
                If (PICF)
                {
                    Return (Package ()
                    {
                        Package () { 0x0001FFFF, 0, 0, 16 },
                        Package () { 0x0001FFFF, 1, 0, 17 },
                        Package () { 0x0002FFFF, 0, 0, 17 },
                    })
                }
                Return (Package ()
                {
                    Package () { 0x0001FFFF, 0, LNKA, 0 },
                    Package () { 0x0001FFFF, 1, LNKB, 0 },
                    Package () { 0x0002FFFF, 0, LNKB, 0 },
                })
            }
            Method (_OSC, 4)    /* the ACPI specification's host bridge _OSC, as q35 has */
            {
                CreateDWordField (Arg3, 0, CDW1)
                If (LEqual (Arg0, ToUUID ("33db4d5b-1ff7-401c-9657-7441c03dd766")))
                {
                    CreateDWordField (Arg3, 8, CDW3)
                    Local0 = And (CDW3, 0x1E)
                    If (LNotEqual (Arg1, 1)) { CDW1 |= 0x08 }
                    If (LNotEqual (CDW3, Local0)) { CDW1 |= 0x10 }
                    CDW3 = Local0
                }
                Else { CDW1 |= 0x04 }
                Return (Arg3)
            }
            Device (ISA)
            {
                Name (_ADR, 0x00010000)
                OperationRegion (P40C, PCI_Config, 0x60, 0x04)
                Field (P40C, ByteAcc, NoLock, Preserve) { PRQ0, 8, PRQ1, 8, PRQ2, 8, PRQ3, 8 }
                Device (RTC)
                {
                    Name (_HID, EisaId ("PNP0B00"))
                    Name (_CRS, ResourceTemplate () { IO (Decode16, 0x70, 0x70, 1, 8) IRQNoFlags () { 8 } })
                }
            }
            Device (S10) { Name (_ADR, 0x00020000) Method (_STA) { Return (0) } }
        }

        Method (IQST, 1)        /* a routing register: bit 7 set means disabled */
        {
            If (And (0x80, Arg0)) { Return (0x09) }
            Return (0x0B)
        }
        Method (IQCR, 1)
        {
            Name (PRR0, ResourceTemplate ()
            {
                Interrupt (ResourceConsumer, Level, ActiveHigh, Shared, , , PRRX) { 0 }
            })
            CreateDWordField (PRR0, PRRX._INT, PRRI)
            PRRI = And (Arg0, 0x0F)
            Return (PRR0)
        }
        Device (LNKA)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, 0)
            Name (_PRS, ResourceTemplate ()
            {
                Interrupt (ResourceConsumer, Level, ActiveHigh, Shared) { 5, 10, 11 }
            })
            Method (_STA, 0) { Return (IQST (\_SB.PCI0.ISA.PRQ0)) }
            Method (_DIS, 0) { \_SB.PCI0.ISA.PRQ0 = Or (\_SB.PCI0.ISA.PRQ0, 0x80) }
            Method (_CRS, 0) { Return (IQCR (\_SB.PCI0.ISA.PRQ0)) }
            Method (_SRS, 1)
            {
                CreateDWordField (Arg0, 0x05, PRRI)
                \_SB.PCI0.ISA.PRQ0 = PRRI
            }
        }
        Device (LNKB)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, 1)
            Name (_PRS, ResourceTemplate () { IRQ (Level, ActiveLow, Shared) { 5, 10, 11 } })
            Method (_STA, 0) { Return (IQST (\_SB.PCI0.ISA.PRQ1)) }
            Method (_DIS, 0) { \_SB.PCI0.ISA.PRQ1 = Or (\_SB.PCI0.ISA.PRQ1, 0x80) }
            Method (_CRS, 0)
            {
                Name (BUFB, ResourceTemplate () { IRQ (Level, ActiveLow, Shared, IRQB) {} })
                CreateWordField (BUFB, IRQB._INT, IRQW)
                If (LLess (\_SB.PCI0.ISA.PRQ1, 0x10)) { ShiftLeft (1, \_SB.PCI0.ISA.PRQ1, IRQW) }
                Return (BUFB)
            }
            Method (_SRS, 1)
            {
                CreateWordField (Arg0, 0x01, IRQW)
                \_SB.PCI0.ISA.PRQ1 = Subtract (FindSetRightBit (IRQW), 1)
            }
        }
    }

    Scope (\_GPE)
    {
        Name (_HID, "ACPI0006")
        Method (_E01, 0) { Notify (\_SB.PCI0, 0) }
    }
    Method (PWRO, 0) { PCNT = 0x2000 Return (1) }    /* SLP_EN with SLP_TYP 0 */
    Method (TMRR, 0) { Return (PTMR) }

    Name (EXPT, Package () {
        Package () { "\\_S5", Package () { 0, 0, 0, 0 } },
        Package () { "\\_SB.LNKA._STA", 0x0B },
        Package () { "\\_SB.PCI0.ISA.RTC._CRS", Buffer () { 0x47, 0x01, 0x70, 0x00, 0x70, 0x00,
                                                             0x01, 0x08, 0x22, 0x00, 0x01, 0x79, 0x00 } },
        Package () { "\\_SB.PCI0.S10._STA", 0 },
        Package () { "TMRR", 0 },
    })
}
