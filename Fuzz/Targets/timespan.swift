// libFuzzer harness: systemd time spans (`30d`, `2w 3d`, `1.5h`).
// Built by scripts/fuzz with Sources/Schedule/**/*.swift into one module.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTimeSpan(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    guard let span = try? TimeSpan.parse(text) else { return 0 }
    // The normalised form reads back as the same span.
    let normalized = span.description
    guard let again = try? TimeSpan.parse(normalized) else {
        preconditionFailure("normalised form '\(normalized)' of '\(text)' does not parse")
    }
    precondition(again == span, "'\(text)' -> '\(normalized)' -> \(again.microseconds) != \(span.microseconds)")
    return 0
}
