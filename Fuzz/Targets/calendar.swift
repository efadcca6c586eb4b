// libFuzzer harness: OnCalendar= expressions, their normalised form and the next elapse.
// Built by scripts/fuzz with Sources/Schedule/**/*.swift into one module.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCalendar(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    guard let spec = try? CalendarSpec.parse(text, localZone: .utc) else { return 0 }
    // The normalised form parses again.
    guard (try? CalendarSpec.parse(spec.normalized, localZone: .utc)) != nil else {
        preconditionFailure("normalised form '\(spec.normalized)' of '\(text)' does not parse")
    }
    let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01 00:00:00 UTC
    if let next = spec.nextElapse(after: start) {
        precondition(next > start, "next elapse \(next) of '\(text)' is not after \(start)")
    }
    return 0
}
