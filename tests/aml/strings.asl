/*
 * Strings and buffers: literals, conversions (ToBuffer, ToHexString, ToDecimalString,
 * ToInteger, ToString), Concatenate, ConcatenateResTemplate, Mid, SizeOf, Index into a buffer
 * or string, Store into a named buffer. \EXPT as in integer.asl.
 */
DefinitionBlock ("", "DSDT", 2, "MISSIV", "STRINGS", 1)
{
    Name (STR0, "Missive")
    Name (BUF0, Buffer (4) { 1, 2 })
    Method (TSTR, 0) { Return (STR0) }
    Method (TSZS, 0) { Return (SizeOf (STR0)) }
    Method (TBUF, 0) { Return (BUF0) }
    Method (TSZB, 0) { Return (SizeOf (BUF0)) }
    Method (TBFV, 0) { Local0 = 3 Local1 = Buffer (Local0) { 9 } Return (Local1) }
    Method (TCSS, 0) { Return (Concatenate ("abc", "def")) }
    Method (TCSI, 0) { Return (Concatenate ("n=", 0x2A)) }
    Method (TCBB, 0) { Return (Concatenate (Buffer () { 1 }, Buffer () { 2, 3 })) }
    Method (TCII, 0) { Return (Concatenate (1, 2)) }
    Method (TTBI, 0) { Return (ToBuffer (0x0102)) }
    Method (TTBS, 0) { Return (ToBuffer ("ab")) }
    Method (THXI, 0) { Return (ToHexString (0xBEEF)) }
    Method (THXB, 0) { Return (ToHexString (Buffer () { 0x0A, 0xFF })) }
    Method (TDCI, 0) { Return (ToDecimalString (1234)) }
    Method (TDCB, 0) { Return (ToDecimalString (Buffer () { 10, 200 })) }
    Method (TTOS, 0) { Return (ToString (Buffer () { 0x41, 0x42, 0x00, 0x43 }, Ones)) }
    Method (TTSL, 0) { Return (ToString (Buffer () { 0x41, 0x42, 0x43 }, 2)) }
    Method (TMDS, 0) { Return (Mid ("Missive", 2, 3)) }
    Method (TMDB, 0) { Return (Mid (Buffer () { 1, 2, 3, 4 }, 1, 10)) }
    Method (TMDE, 0) { Return (Mid ("abc", 5, 1)) }
    Method (TIXB, 0) { Return (DerefOf (Index (Buffer () { 5, 6, 7 }, 2))) }
    Method (TIXS, 0) { Return (DerefOf (Index ("xyz", 1))) }
    Method (TSTB, 0)
    {
        Store (0x33, Index (BUF0, 3))
        Return (BUF0)
    }
    Method (TSBB, 0)     /* a shorter source: copied in, the rest zeroed, length kept */
    {
        Name (BUFL, Buffer (4) { 9, 9, 9, 9 })
        Store (Buffer () { 7 }, BUFL)
        Return (BUFL)
    }
    Method (TSIS, 0)     /* a named string takes a converted integer */
    {
        Name (STRL, "old")
        Store (0x1F, STRL)
        Return (STRL)
    }
    Method (TCRT, 0)
    {
        Local0 = ResourceTemplate () { IRQNoFlags () { 3 } }
        Local1 = ResourceTemplate () { IO (Decode16, 0x60, 0x60, 1, 1) }
        Return (ConcatenateResTemplate (Local0, Local1))
    }
    Method (TCRB, 0) { Return (ConcatenateResTemplate (Buffer () { 1 }, Buffer () { 0x79, 0 })) }
    Method (TLOS, 0) { Return (LEqual ("abc", "abcd")) }
    Method (TSBI, 0) { Local0 = "12" Return (Add (Local0, 1)) }   /* implicit: hex */
    Method (TIXO, 0) { Return (Index ("abc", 3)) }
    Method (TSBG, 0)     /* a longer source replaces the named buffer */
    {
        Name (BUFS, Buffer (2) { 1, 2 })
        Store (Buffer () { 3, 4, 5 }, BUFS)
        Return (BUFS)
    }
    Method (TSSS, 0)     /* a named string takes a copy of a string */
    {
        Name (STRS, "old")
        Local0 = "new"
        Store (Local0, STRS)
        Store (0x4E, Index (Local0, 0))
        Return (Concatenate (STRS, Local0))
    }
    Method (THXS, 0) { Return (ToHexString ("as is")) }
    Method (TDCS, 0) { Return (ToDecimalString ("as is")) }
    Method (TCSB, 0) { Return (Concatenate ("b=", Buffer () { 0xA, 0xFF })) }
    Method (TSTS, 0) { Local0 = "abc" Store (0x5A, Index (Local0, 1)) Return (Local0) }

    Name (EXPT, Package () {
        Package () { "TSTR", "Missive" },
        Package () { "TSZS", 7 },
        Package () { "TBUF", Buffer () { 1, 2, 0, 0 } },
        Package () { "TSZB", 4 },
        Package () { "TBFV", Buffer () { 9, 0, 0 } },
        Package () { "TCSS", "abcdef" },
        Package () { "TCSI", "n=000000000000002A" },
        Package () { "TCBB", Buffer () { 1, 2, 3 } },
        Package () { "TCII", Buffer () { 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0 } },
        Package () { "TTBI", Buffer () { 2, 1, 0, 0, 0, 0, 0, 0 } },
        Package () { "TTBS", Buffer () { 0x61, 0x62, 0 } },
        Package () { "THXI", "0xBEEF" },
        Package () { "THXB", "0x0A,0xFF" },
        Package () { "TDCI", "1234" },
        Package () { "TDCB", "10,200" },
        Package () { "TTOS", "AB" },
        Package () { "TTSL", "AB" },
        Package () { "TMDS", "ssi" },
        Package () { "TMDB", Buffer () { 2, 3, 4 } },
        Package () { "TMDE", "" },
        Package () { "TIXB", 7 },
        Package () { "TIXS", 0x79 },
        Package () { "TSTB", Buffer () { 1, 2, 0, 0x33 } },
        Package () { "TSBB", Buffer () { 7, 0, 0, 0 } },
        Package () { "TSIS", "000000000000001F" },
        Package () { "TCRT", Buffer () { 0x22, 0x08, 0x00, 0x47, 0x01, 0x60, 0x00, 0x60, 0x00, 0x01, 0x01, 0x79, 0x00 } },
        Package () { "TCRB", "error:bad resource template" },
        Package () { "TLOS", 0 },
        Package () { "TSBI", 0x13 },
        Package () { "TIXO", "error:index out of range" },
        Package () { "TSTS", "aZc" },
        Package () { "TSBG", Buffer () { 3, 4, 5 } },
        Package () { "TSSS", "newNew" },
        Package () { "THXS", "as is" },
        Package () { "TDCS", "as is" },
        Package () { "TCSB", "b=0x0A 0xFF" },
    })
}
