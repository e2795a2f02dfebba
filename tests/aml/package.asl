/*
 * Packages and references: Package, VarPackage, nested packages, names as elements, Index,
 * DerefOf, RefOf, CondRefOf, Match, ObjectType, SizeOf, Store (a copy) and CopyObject, Alias.
 * \EXPT as in integer.asl.
 */
DefinitionBlock ("", "DSDT", 2, "MISSIV", "PACKAGE", 1)
{
    Name (PKG0, Package () { 1, "two", Buffer () { 3 }, Package () { 4, 5 } })
    Name (PKGS, Package (6) { 1, 2 })
    Name (INT0, 0x77)
    Device (DEV0) { Name (_ADR, 0x00010002) }
    External (NONE, IntObj)
    Name (PKGN, Package () { DEV0, \INT0, NONE })
    Alias (INT0, ALI0)
    Method (TCNT, 0) { Return (SizeOf (PKG0)) }
    Method (TSZP, 0) { Return (SizeOf (PKGS)) }
    Method (TIX0, 0) { Return (DerefOf (Index (PKG0, 0))) }
    Method (TIX1, 0) { Return (DerefOf (Index (PKG0, 1))) }
    Method (TIX3, 0) { Return (DerefOf (Index (DerefOf (Index (PKG0, 3)), 1))) }
    Method (TIXO, 0) { Return (DerefOf (Index (PKG0, 4))) }
    Method (TVAR, 0)
    {
        Local0 = 5
        Local1 = Package (Local0) { 1 }
        Return (SizeOf (Local1))
    }
    Method (TVRN, 0) { Local0 = 3 Return (Package (Local0) { 7, 8, 9 }) }
    Method (TSTE, 0)     /* Store into an element through Index */
    {
        Store (42, Index (PKGS, 5))
        Return (DerefOf (Index (PKGS, 5)))
    }
    Method (TCPY, 0)     /* Store copies: changing the copy leaves the original alone */
    {
        Local0 = PKG0
        Store (99, Index (Local0, 0))
        Return (Add (Multiply (DerefOf (Index (Local0, 0)), 1000), DerefOf (Index (PKG0, 0))))
    }
    Method (TREF, 0)
    {
        Local0 = RefOf (INT0)
        Return (DerefOf (Local0))
    }
    Method (TRFS, 0)     /* store through a reference */
    {
        Local0 = RefOf (INT0)
        Store (0x78, DerefOf (Local0))
        Local1 = INT0
        INT0 = 0x77
        Return (Local1)
    }
    Method (TCRY, 0)
    {
        If (CondRefOf (\DEV0._ADR, Local0)) { Return (DerefOf (Local0)) }
        Return (0)
    }
    Method (TCRN, 0) { Return (CondRefOf (\NONE.XXXX)) }
    Method (TNAM, 0)     /* a name in a package is a reference to its object */
    {
        Return (DerefOf (Index (PKGN, 1)))
    }
    Method (TNMS, 0) { Return (ObjectType (Index (PKGN, 2))) }   /* unresolved: a string */
    Method (TDRN, 0) { Local0 = 5 Return (DerefOf (Local0)) }
    Method (TMAT, 0)
    {
        Local0 = Package () { 1, 5, 10, 15, 20 }
        Return (Match (Local0, MGE, 8, MLT, 18, 0))
    }
    Method (TMAS, 0)
    {
        Local0 = Package () { 1, 5, 10, 15, 20 }
        Return (Match (Local0, MEQ, 10, MTR, 0, 3))
    }
    Method (TMLG, 0)
    {
        Local0 = Package () { 1, 5, 10, 15, 20 }
        Return (Match (Local0, MLE, 12, MGT, 6, 0))
    }
    Method (TMAE, 0) { Return (Match (Package () { "a", "b" }, MEQ, "b", MTR, 0, 0)) }
    Method (TOTI, 0) { Return (ObjectType (INT0)) }
    Method (TOTS, 0) { Local0 = "s" Return (ObjectType (Local0)) }
    Method (TOTB, 0) { Return (ObjectType (\STRB)) }
    Method (TOTP, 0) { Return (ObjectType (PKG0)) }
    Method (TOTD, 0) { Return (ObjectType (DEV0)) }
    Method (TOTM, 0) { Return (ObjectType (TOTM)) }
    Method (TOTU, 0) { Return (ObjectType (Local0)) }
    Name (STRB, Buffer () { 1 })
    Method (TCOB, 0)     /* CopyObject changes the named object's type */
    {
        Name (COBJ, 5)
        CopyObject ("text", COBJ)
        Return (ObjectType (COBJ))
    }
    Method (TSCV, 0)     /* Store converts to the named object's type */
    {
        Name (SOBJ, 5)
        Store ("0x20", SOBJ)
        Return (SOBJ)
    }
    Method (TALI, 0) { Return (ALI0) }
    Name (PKGT, Package () { 1 })
    Method (TSPK, 0)     /* Store into a named package: a copy of the source */
    {
        Local0 = Package () { 7, 8 }
        Store (Local0, PKGT)
        Store (9, Index (Local0, 0))
        Return (PKGT)
    }
    Method (TINX, 0) { Local0 = Package () { 5 } Increment (Index (Local0, 0)) Return (DerefOf (Index (Local0, 0))) }
    Method (TOTA, 1) { Return (ObjectType (Arg0)) }
    Method (TOTG, 0) { Return (ObjectType (Debug)) }
    Method (TRRF, 0) { Local0 = RefOf (INT0) Return (DerefOf (RefOf (Local0))) }
    Method (TCPL, 0) { CopyObject (PKG0, Local0) Return (SizeOf (Local0)) }
    Method (TLAL, 0)     /* a method's own Alias, Field and region go when it returns */
    {
        Name (LNAM, 0x44)
        Alias (LNAM, LALI)
        OperationRegion (LREG, SystemMemory, 0x100, 4)
        Field (LREG, ByteAcc, NoLock, Preserve) { LFLD, 8 }
        LFLD = LALI
        Return (LFLD)
    }
    Method (TPNE, 0) { Return (Package () { 1, Package () { 2 } }) }
    Method (TEMP, 0) { Local0 = Package () {} Return (SizeOf (Local0)) }

    Name (EXPT, Package () {
        Package () { "TCNT", 4 },
        Package () { "TSZP", 6 },
        Package () { "TIX0", 1 },
        Package () { "TIX1", "two" },
        Package () { "TIX3", 5 },
        Package () { "TIXO", "error:index out of range" },
        Package () { "TVAR", 5 },
        Package () { "TVRN", Package () { 7, 8, 9 } },
        Package () { "TSTE", 42 },
        Package () { "TCPY", 99001 },
        Package () { "TREF", 0x77 },
        Package () { "TRFS", 0x78 },
        Package () { "TCRY", 0x00010002 },
        Package () { "TCRN", 0 },
        Package () { "TNAM", 0x77 },
        Package () { "TNMS", 2 },
        Package () { "TDRN", "error:wrong type" },
        Package () { "TMAT", 2 },
        Package () { "TMAS", 0xFFFFFFFFFFFFFFFF },
        Package () { "TMAE", 1 },
        Package () { "TMLG", 2 },
        Package () { "TOTI", 1 },
        Package () { "TOTS", 2 },
        Package () { "TOTB", 3 },
        Package () { "TOTP", 4 },
        Package () { "TOTD", 6 },
        Package () { "TOTM", 8 },
        Package () { "TOTU", 0 },
        Package () { "TCOB", 2 },
        Package () { "TSCV", 0x20 },
        Package () { "TALI", 0x77 },
        Package () { "TSPK", Package () { 7, 8 } },
        Package () { "TCPL", 4 },
        Package () { "TINX", 6 },
        Package () { "TOTA", 2, "s" },
        Package () { "TOTA", 3, Buffer () { 1 } },
        Package () { "TOTG", 16 },
        Package () { "TRRF", 0x77 },
        Package () { "TLAL", 0x44 },
        Package () { "TLAL", 0x44 },
        Package () { "TPNE", Package () { 1, Package () { 2 } } },
        Package () { "TEMP", 0 },
    })
}
