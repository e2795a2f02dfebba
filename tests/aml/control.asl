/*
 * Control flow, methods, arguments and locals: If/ElseIf/Else, While with Break and Continue,
 * Return, nested and recursive calls, Noop. \EXPT as in integer.asl.
 */
DefinitionBlock ("", "DSDT", 2, "MISSIV", "CONTROL", 1)
{
    Method (TIF1, 1)
    {
        If (LEqual (Arg0, 1)) { Return (10) }
        ElseIf (LEqual (Arg0, 2)) { Return (20) }
        Else { Return (30) }
    }
    Method (TWHL, 0)
    {
        Local0 = 0
        Local1 = 0
        While (LLess (Local0, 10))
        {
            Increment (Local0)
            If (LEqual (Local0, 3)) { Continue }
            If (LEqual (Local0, 8)) { Break }
            Local1 += Local0
        }
        Return (Local1)   /* 1+2+4+5+6+7 */
    }
    Method (TNST, 0)
    {
        Local2 = 0
        Local0 = 0
        While (LLess (Local0, 4))
        {
            Local1 = 0
            While (One)
            {
                If (LGreaterEqual (Local1, Local0)) { Break }
                Increment (Local1)
                Increment (Local2)
            }
            Increment (Local0)
        }
        Return (Local2)   /* 0+1+2+3 */
    }
    Method (TRIW, 0)
    {
        Local0 = 0
        While (One) { Increment (Local0) If (LEqual (Local0, 5)) { Return (Local0) } }
        Return (99)
    }
    Method (FACT, 1)
    {
        If (LLessEqual (Arg0, 1)) { Return (1) }
        Return (Multiply (Arg0, FACT (Subtract (Arg0, 1))))
    }
    Method (TFAC, 0) { Return (FACT (10)) }
    Method (ADD7, 7) { Return (Arg0 + Arg1 + Arg2 + Arg3 + Arg4 + Arg5 + Arg6) }
    Method (TA7_, 0) { Return (ADD7 (1, 2, 3, 4, 5, 6, 7)) }
    Method (TLOC, 0)
    {
        Local0 = 1 Local1 = 2 Local2 = 3 Local3 = 4
        Local4 = 5 Local5 = 6 Local6 = 7 Local7 = 8
        Return (Local0 + Local1 + Local2 + Local3 + Local4 + Local5 + Local6 + Local7)
    }
    Method (NORT, 0) { Noop }
    Method (TNRT, 0) { NORT () Return (4) }
    Method (SETA, 1) { Arg0 = 5 Return (Arg0) }
    Method (TARG, 0) { Local0 = 1 SETA (Local0) Return (Local0) }   /* by value */
    Method (TRFL, 0) { Local0 = 1 Return (DerefOf (RefOf (Local0))) }   /* refused */
    Name (GLOB, 0)
    Method (SETR, 1) { Arg0 = 9 }
    Method (TRFG, 0) { SETR (RefOf (GLOB)) Return (GLOB) }   /* by reference */
    Method (TSRL, 0, Serialized) { Return (3) }
    Method (TARN, 2) { Return (Arg1) }    /* a missing argument is uninitialized */

    Name (EXPT, Package () {
        Package () { "TIF1", 10, 1 },
        Package () { "TIF1", 20, 2 },
        Package () { "TIF1", 30, 3 },
        Package () { "TWHL", 25 },
        Package () { "TNST", 6 },
        Package () { "TRIW", 5 },
        Package () { "TFAC", 3628800 },
        Package () { "TA7_", 28 },
        Package () { "TLOC", 36 },
        Package () { "TNRT", 4 },
        Package () { "NORT", 0 },
        Package () { "TARG", 1 },
        Package () { "TRFL", "error:not supported" },
        Package () { "TRFG", 9 },
        Package () { "TSRL", 3 },
        Package () { "TARN", "error:wrong type", 1 },
    })
}
