/*
 * A revision-1 DSDT: integers are 32 bits wide (ACPI 6.4, 5.2.11.1), as in QEMU's pc and q35.
 */
DefinitionBlock ("", "DSDT", 1, "MISSIV", "INT32", 1)
{
    Method (TWRP, 0) { Return (Add (0xFFFFFFFF, 1)) }
    Method (TONE, 0) { Return (Ones) }
    Method (TNOT, 0) { Return (Not (0)) }
    Method (TSUB, 0) { Return (Subtract (0, 1)) }
    Method (TSHL, 0) { Return (ShiftLeft (1, 32)) }
    Method (TTRU, 0) { Return (LEqual (1, 1)) }
    Method (TFSL, 0) { Return (FindSetLeftBit (0x80000000)) }
    Method (TBUF, 0) { ToBuffer (0, Local0) Return (SizeOf (Local0)) }
    Method (THEX, 0) { Return (Concatenate ("", 0x1F)) }
    Method (TCAT, 0) { Return (Concatenate (0x04030201, 0x08070605)) }

    Name (EXPT, Package () {
        Package () { "TWRP", 0 },
        Package () { "TONE", 0xFFFFFFFF },
        Package () { "TNOT", 0xFFFFFFFF },
        Package () { "TSUB", 0xFFFFFFFF },
        Package () { "TSHL", 0 },
        Package () { "TTRU", 0xFFFFFFFF },
        Package () { "TFSL", 32 },
        Package () { "TBUF", 4 },
        Package () { "THEX", "0000001F" },
        Package () { "TCAT", Buffer () { 1, 2, 3, 4, 5, 6, 7, 8 } },
    })
}
