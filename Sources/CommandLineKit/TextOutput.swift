import Foundation
import Synchronization

/// A buffered writer to a file descriptor (stdout or stderr).
///
/// Data commands write many small lines; buffering keeps them from costing a system
/// call each. `flush()` is called when a command ends and before anything that may block.
public final class TextOutput: Sendable {
    public let fileDescriptor: Int32
    private let buffer = Mutex<[UInt8]>([])
    private let limit = 64 * 1024

    public init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    /// Whether this output is a terminal (progress bars and colours only then).
    public var isTerminal: Bool { isatty(fileDescriptor) == 1 }

    public func write(_ text: String) {
        let pending: [UInt8]? = buffer.withLock { bytes in
            bytes.append(contentsOf: text.utf8)
            guard bytes.count >= limit else { return nil }
            defer { bytes.removeAll(keepingCapacity: true) }
            return bytes
        }
        if let pending { Self.writeAll(fileDescriptor, pending) }
    }

    /// Writes `text` and a newline.
    public func line(_ text: String = "") { write(text + "\n") }

    public func flush() {
        let pending = buffer.withLock { bytes in
            defer { bytes.removeAll(keepingCapacity: true) }
            return bytes
        }
        if !pending.isEmpty { Self.writeAll(fileDescriptor, pending) }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return  // EPIPE and friends: the reader went away; nothing useful to do.
                }
                offset += written
            }
        }
    }

    public static let standardOutput = TextOutput(fileDescriptor: STDOUT_FILENO)
    public static let standardError = TextOutput(fileDescriptor: STDERR_FILENO)
}
