import Foundation

/// Reads a file descriptor line by line through one reused buffer, so memory stays flat.
///
/// Lines end with `\n` (a `\r` before it is dropped); the last line may lack one. A line
/// longer than `maximumLineLength` is handed over cut short with `tooLong` set.
public final class LineReader {
    public let path: String
    private let descriptor: Int32
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var atEOF = false
    /// Bytes read from the descriptor so far (a little ahead of the lines handed over).
    public private(set) var bytesRead = 0
    public let maximumLineLength: Int

    /// Reads from `descriptor` (not closed here); `path` names it in errors.
    public init(descriptor: Int32, path: String, chunkSize: Int = 1 << 20, maximumLineLength: Int = 1 << 24) {
        self.descriptor = descriptor
        self.path = path
        self.buffer = [UInt8](repeating: 0, count: chunkSize)
        self.maximumLineLength = maximumLineLength
    }

    /// Calls `body` with each line (without its end-of-line bytes), its 1-based number, and
    /// whether it was cut short; stops early when `body` returns false.
    public func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, Int, Bool) throws -> Bool) throws {
        var number = 0
        var skippingLongLine = false
        while true {
            if let newline = findNewline() {
                var lineEnd = newline
                if lineEnd > start, buffer[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                let lineStart = start
                start = newline + 1
                if skippingLongLine {
                    skippingLongLine = false
                    continue
                }
                number += 1
                let keepGoing = try buffer.withUnsafeBufferPointer { all in
                    try body(UnsafeBufferPointer(rebasing: all[lineStart..<lineEnd]), number, false)
                }
                if !keepGoing { return }
                continue
            }
            if atEOF {
                if start < end, !skippingLongLine {
                    number += 1
                    let (lineStart, lineEnd) = (start, end)
                    start = end
                    _ = try buffer.withUnsafeBufferPointer { all in
                        try body(UnsafeBufferPointer(rebasing: all[lineStart..<lineEnd]), number, false)
                    }
                }
                return
            }
            // No full line in the buffer: keep the partial one and read more.
            if start > 0 {
                let pending = end - start
                if pending > 0 {
                    buffer.withUnsafeMutableBufferPointer { all in
                        _ = memmove(all.baseAddress!, all.baseAddress! + start, pending)
                    }
                }
                (start, end) = (0, pending)
            }
            if end == buffer.count {
                if buffer.count >= maximumLineLength, skippingLongLine {
                    // Still inside a line already handed over cut short: drop this part too.
                    (start, end) = (0, 0)
                } else if buffer.count >= maximumLineLength {
                    // Hand over what we have, then drop the rest of this line.
                    number += 1
                    let keepGoing = try buffer.withUnsafeBufferPointer { all in
                        try body(UnsafeBufferPointer(rebasing: all[0..<end]), number, true)
                    }
                    if !keepGoing { return }
                    (start, end) = (0, 0)
                    skippingLongLine = true
                } else {
                    buffer += [UInt8](repeating: 0, count: min(buffer.count, maximumLineLength - buffer.count))
                }
            }
            try fill()
        }
    }

    private func findNewline() -> Int? {
        guard start < end else { return nil }
        return buffer.withUnsafeBufferPointer { all in
            guard let found = memchr(all.baseAddress! + start, Int32(UInt8(ascii: "\n")), end - start) else { return nil }
            return all.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }

    private func fill() throws {
        let count = buffer.withUnsafeMutableBufferPointer { all -> Int in
            while true {
                let count = read(descriptor, all.baseAddress! + end, all.count - end)
                if count < 0, errno == EINTR { continue }
                return count
            }
        }
        if count < 0 {
            let code = errno
            throw LedgerError(
                .inputUnavailable, "cannot read '\(path)': \(String(cString: strerror(code)).lowercased())", path: path)
        }
        if count == 0 { atEOF = true }
        end += count
        bytesRead += count
    }
}
