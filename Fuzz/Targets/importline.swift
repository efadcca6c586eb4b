// libFuzzer harness: the import line parser (JSONL, CSV with its header, bare ids).
// Built by scripts/fuzz with Sources/Ledger/Import/{ThreadImport,MetadataJSON}.swift into one module, linked
// with the Schedule module (its timestamp parser) and the JSON module built as static libraries.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImportLine(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: count))
    let lines = input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    if let first = lines.first {
        Array(first).withUnsafeBufferPointer { _ = ImportLineParser.detect($0) }
    }
    for format in ImportFormat.allCases {
        var parser = ImportLineParser(format: format)
        for line in lines {
            let result = Array(line).withUnsafeBufferPointer { parser.parse($0) }
            if case .thread(let thread) = result {
                // A thread the parser accepts is one the ledger may keep and a URL may carry.
                precondition(thread.problem() == nil, "accepted a thread with a problem: \(thread.problem()!)")
            }
        }
    }
    return 0
}
