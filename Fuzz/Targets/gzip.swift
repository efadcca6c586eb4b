// libFuzzer harness: reading an archive file (zlib's inflate behind Gzip.decompress).
// Built by scripts/fuzz with Sources/Executor/Archive/{Gzip,ArchiveError}.swift
// into one module, against Sources/CZlib and -lz.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGzip(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: count))
    let limit = 1 << 20
    do {
        let document = try Gzip.decompress(input, limit: limit)
        precondition(document.count <= limit, "inflated \(document.count) bytes past the limit \(limit)")
        // What reads is what compress writes again, and that reads back the same.
        precondition((try? Gzip.decompress(Gzip.compress(document), limit: limit)) == document, "a round trip changed the document")
    } catch {
        // Refused as damaged: the one outcome allowed besides reading.
        guard case .damaged = error else { preconditionFailure("not refused as damaged: \(error)") }
    }
    return 0
}
