// libFuzzer harness: the unit-file parser behind rule and config files.
// Built by scripts/fuzz with Sources/UnitFile/*.swift into one module.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUnitFile(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    let (document, diagnostics) = UnitFile.parse(bytes: bytes, file: "fuzz.rule")
    for diagnostic in diagnostics {
        // Every diagnostic names a real place in the input.
        precondition(diagnostic.line >= 1 && diagnostic.column >= 1, "diagnostic outside the file: \(diagnostic)")
        _ = diagnostic.description
    }
    _ = document
    return 0
}
