// libFuzzer harness: the frames between threadkeeper and its HTTP helper (HelperFrameReader).
// Built by scripts/fuzz with Sources/ThreadsAPI/**/*.swift into one module, over the JSON module.
//
// Any bytes, cut anywhere (the first byte picks the cut): the reader returns messages or refuses
// with a HelperFrameError, never traps or buffers past its limit; every message it returns
// encodes to a frame that reads back as the same message.

import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHelperFrame(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: count))
    let cut = max(1, Int(input.first ?? 1))
    var reader = HelperFrameReader(maxFrameBytes: 1 << 12)
    var messages: [HelperMessage] = []
    var offset = 0
    reading: while offset < input.count {
        let end = min(input.count, offset + cut)
        reader.append(input[offset..<end])
        offset = end
        do {
            while let message = try reader.next() { messages.append(message) }
        } catch {
            precondition(!error.reason.isEmpty, "a refusal without a reason")
            break reading
        }
        precondition(reader.pendingBytes <= input.count, "buffered \(reader.pendingBytes) of \(input.count) bytes")
    }
    for message in messages {
        var again = HelperFrameReader(maxFrameBytes: 1 << 20)
        again.append(HelperFrame.encode(message))
        do {
            let read = try again.next()
            precondition(read == message, "\(message) came back as \(String(describing: read))")
        } catch {
            preconditionFailure("the frame of \(message) is refused: \(error)")
        }
    }
    return 0
}
