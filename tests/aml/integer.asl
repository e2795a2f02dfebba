/*
 * Integer and logic operators, 64-bit integers (a revision-2 table).
 * \EXPT lists each test: Package () { "method", expected result [, arguments...] };
 * an expected "error:NAME" means the evaluation fails with that status (aml_status_name).
 */
DefinitionBlock ("", "DSDT", 2, "MISSIV", "INTEGER", 1)
{
    Method (TADD, 0) { Return (Add (40, 2)) }
    Method (TSUB, 0) { Return (Subtract (2, 3)) }
    Method (TMUL, 0) { Return (Multiply (0x100000000, 0x10)) }
    Method (TDIV, 0)
    {
        Divide (100, 7, Local0, Local1)
        Return (Add (Multiply (Local1, 1000), Local0))
    }
    Method (TDV0, 0) { Local0 = 0 Return (Divide (1, Local0)) }
    Method (TMOD, 0) { Return (Mod (100, 7)) }
    Method (TMD0, 0) { Local0 = 0 Return (Mod (1, Local0)) }
    Method (TSHL, 0) { Return (ShiftLeft (1, 40)) }
    Method (TSHR, 0) { Return (ShiftRight (0x8000000000000000, 63)) }
    Method (TSHB, 0) { Return (ShiftLeft (1, 64)) }
    Method (TAND, 0) { Return (And (0xF0F0, 0xFF00)) }
    Method (TOR_, 0) { Return (Or (0xF0, 0x0F)) }
    Method (TXOR, 0) { Return (Xor (0xFF, 0x0F)) }
    Method (TNAN, 0) { Return (NAnd (0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFF0)) }
    Method (TNOR, 0) { Return (NOr (0, 0xFFFFFFFFFFFFFFFE)) }
    Method (TNOT, 0) { Return (Not (0)) }
    Method (TINC, 0) { Local0 = 41 Increment (Local0) Return (Local0) }
    Method (TDEC, 0) { Local0 = 0 Decrement (Local0) Return (Local0) }
    Method (TFSL, 0) { Return (FindSetLeftBit (0x80)) }
    Method (TFSR, 0) { Return (FindSetRightBit (0x80)) }
    Method (TFS0, 0) { Return (FindSetLeftBit (0)) }
    Method (TLAN, 0) { Return (LAnd (1, 2)) }
    Method (TLAF, 0) { Return (LAnd (1, 0)) }
    Method (TLOR, 0) { Return (LOr (0, 2)) }
    Method (TLNT, 0) { Return (LNot (0)) }
    Method (TLEQ, 0) { Return (LEqual (5, 5)) }
    Method (TLNE, 0) { Return (LNotEqual (5, 5)) }
    Method (TLGT, 0) { Return (LGreater (6, 5)) }
    Method (TLGE, 0) { Return (LGreaterEqual (5, 5)) }
    Method (TLLT, 0) { Return (LLess (6, 5)) }
    Method (TLLE, 0) { Return (LLessEqual (4, 5)) }
    Method (TSEQ, 0) { Return (LEqual ("abc", "abc")) }
    Method (TSLT, 0) { Return (LLess ("abc", "abd")) }
    Method (TBGT, 0) { Return (LGreater (Buffer () { 1, 3 }, Buffer () { 1, 2 })) }
    Method (TTGT, 0) { Local0 = 2 Add (Local0, 3, Local1) Return (Local1) }
    Method (TONE, 0) { Return (Ones) }
    Method (TBCD, 0) { Return (ToBCD (1234)) }
    Method (TFBC, 0) { Return (FromBCD (0x1234)) }
    Method (TBIG, 0) { Return (0xFEDCBA9876543210) }
    Method (TARG, 2) { Return (Subtract (Arg0, Arg1)) }
    Method (TEXP, 0) { Local0 = (3 + 4) * 2 - 1 Return (Local0) }
    Method (TTOI, 0) { Return (Add (ToInteger ("0x10"), ToInteger ("25"))) }
    Method (TIMP, 0) { Return (Add ("10", 1)) }
    Method (TBTI, 0) { Return (ToInteger (Buffer () { 0x34, 0x12 })) }

    Name (EXPT, Package () {
        Package () { "TADD", 42 },
        Package () { "TSUB", 0xFFFFFFFFFFFFFFFF },
        Package () { "TMUL", 0x1000000000 },
        Package () { "TDIV", 14002 },
        Package () { "TDV0", "error:divide by zero" },
        Package () { "TMOD", 2 },
        Package () { "TMD0", "error:divide by zero" },
        Package () { "TSHL", 0x10000000000 },
        Package () { "TSHR", 1 },
        Package () { "TSHB", 0 },
        Package () { "TAND", 0xF000 },
        Package () { "TOR_", 0xFF },
        Package () { "TXOR", 0xF0 },
        Package () { "TNAN", 0xF },
        Package () { "TNOR", 1 },
        Package () { "TNOT", 0xFFFFFFFFFFFFFFFF },
        Package () { "TINC", 42 },
        Package () { "TDEC", 0xFFFFFFFFFFFFFFFF },
        Package () { "TFSL", 8 },
        Package () { "TFSR", 8 },
        Package () { "TFS0", 0 },
        Package () { "TLAN", 0xFFFFFFFFFFFFFFFF },
        Package () { "TLAF", 0 },
        Package () { "TLOR", 0xFFFFFFFFFFFFFFFF },
        Package () { "TLNT", 0xFFFFFFFFFFFFFFFF },
        Package () { "TLEQ", 0xFFFFFFFFFFFFFFFF },
        Package () { "TLNE", 0 },
        Package () { "TLGT", 0xFFFFFFFFFFFFFFFF },
        Package () { "TLGE", 0xFFFFFFFFFFFFFFFF },
        Package () { "TLLT", 0 },
        Package () { "TLLE", 0xFFFFFFFFFFFFFFFF },
        Package () { "TSEQ", 0xFFFFFFFFFFFFFFFF },
        Package () { "TSLT", 0xFFFFFFFFFFFFFFFF },
        Package () { "TBGT", 0xFFFFFFFFFFFFFFFF },
        Package () { "TTGT", 5 },
        Package () { "TONE", 0xFFFFFFFFFFFFFFFF },
        Package () { "TBCD", 0x1234 },
        Package () { "TFBC", 1234 },
        Package () { "TBIG", 0xFEDCBA9876543210 },
        Package () { "TARG", 7, 10, 3 },
        Package () { "TEXP", 13 },
        Package () { "TTOI", 41 },
        Package () { "TIMP", 17 },
        Package () { "TBTI", 0x1234 },
    })
}
