/*
 * Hostile AML: every bound of aml_limits (at its default) ends the evaluation with an error,
 * and the namespace still works afterwards (the entries after each failure run normally).
 * \EXPT as in integer.asl.
 */
DefinitionBlock ("", "DSDT", 2, "MISSIV", "BOUNDS", 1)
{
    Name (CNT0, 0)
    Method (LOOP, 0) { While (One) { } Return (0) }
    Method (LOOC, 0) { While (One) { CNT0++ LOOB () } Return (0) }
    Method (LOOB, 0) { Local0 = 0 While (Local0 < 100) { Local0++ } }
    Method (RECU, 1) { Return (RECU (Arg0 + 1)) }
    Method (MUTA, 0) { MUTB () }
    Method (MUTB, 0) { MUTA () }
    Method (DEEP, 1) { If (Arg0) { Return (DEEP (Arg0 - 1) + 1) } Return (0) }
    Method (CHAN, 1) { If (Arg0) { CHAN (Arg0 - 1) } }
    Method (HPKG, 0) { Local0 = 0xFFFFFFFF Return (Package (Local0) {}) }
    Method (HPK2, 0) { Local0 = 0x10000000 Return (Package (Local0) {}) }
    Method (HBUF, 0) { Local0 = 0xFFFFFFFF Return (Buffer (Local0) {}) }
    Method (GROW, 0)
    {
        Local0 = "0123456789ABCDEF"
        While (One) { Local0 = Concatenate (Local0, Local0) }
        Return (0)
    }
    Method (BIDX, 0) { Local0 = Package (3) {} Return (Index (Local0, 3)) }
    Method (BIDB, 0) { Local0 = Buffer (3) {} Store (1, Index (Local0, 0x100000000)) Return (0) }
    Method (BDRF, 0) { Local0 = 0x1234 Return (DerefOf (Local0)) }
    Method (BDRS, 0) { Local0 = "\\NOPE" Return (DerefOf (Local0)) }
    Method (BSZI, 0) { Local0 = 5 Return (SizeOf (Local0)) }
    Method (BTYP, 0) { Local0 = Package () { 1 } Return (Add (Local0, 1)) }
    Method (SLPL, 0) { While (One) { Sleep (100) } Return (0) }
    Method (OKAY, 0) { Return (DEEP (10)) }
    Method (NEST, 0)        /* packages nested by copying: the copy refuses past max_depth */
    {
        Local0 = Package () { 0 }
        While (One) { Local1 = Package () { 0 } Store (Local0, Index (Local1, 0)) Local0 = Local1 }
        Return (0)
    }
    Method (NESR, 0)        /* references chained without end: freed without recursion */
    {
        Local0 = Package () { 0 }
        While (One)
        {
            Local1 = Package () { 0 }
            Store (Index (Local0, 0), Index (Local1, 0))
            Local0 = Local1
        }
        Return (0)
    }
    Method (BIGC, 0)        /* a megabyte copied again and again: the copies count */
    {
        Local0 = Buffer (0x100000) {}
        While (One) { Local1 = Local0 }
        Return (0)
    }

    Name (EXPT, Package () {
        Package () { "LOOP", "error:limit reached" },
        Package () { "OKAY", 10 },
        Package () { "LOOC", "error:limit reached" },
        Package () { "RECU", "error:nesting too deep", 0 },
        Package () { "MUTA", "error:nesting too deep" },
        Package () { "DEEP", 11, 11 },          /* 4 nested terms a call: within max_depth */
        Package () { "DEEP", "error:nesting too deep", 12 },
        Package () { "CHAN", 0, 15 },            /* 16 calls: max_call_depth */
        Package () { "CHAN", "error:nesting too deep", 16 },
        Package () { "HPKG", "error:out of memory" },
        Package () { "HPK2", "error:out of memory" },
        Package () { "HBUF", "error:out of memory" },
        Package () { "GROW", "error:out of memory" },
        Package () { "OKAY", 10 },
        Package () { "BIDX", "error:index out of range" },
        Package () { "BIDB", "error:index out of range" },
        Package () { "BDRF", "error:wrong type" },
        Package () { "BDRS", "error:not found" },
        Package () { "BSZI", "error:wrong type" },
        Package () { "BTYP", "error:wrong type" },
        Package () { "SLPL", "error:limit reached" },
        Package () { "NEST", "error:nesting too deep" },
        Package () { "NESR", "error:out of memory" },
        Package () { "BIGC", "error:limit reached" },
        Package () { "OKAY", 10 },
    })
}
