import CSystemd
import Foundation

/// Sends entries to journald as structured records with `sd_journal_sendv(3)`.
///
/// Each entry carries `MESSAGE`, `PRIORITY`, `SYSLOG_IDENTIFIER`, `MESSAGE_ID` when the event
/// has one, `CODE_FILE`/`CODE_LINE`/`CODE_FUNC`, and every metadata key as an upper-case field
/// (see `JournalFields`). When the journal cannot take an entry (no socket, a full buffer) the
/// entry goes to the fallback handler, so a one-off run never loses its failures silently.
public struct JournalHandler: LogHandler {
    /// `SYSLOG_IDENTIFIER=`; nil sends each entry's logger label.
    public var identifier: String?
    /// Fields sent with every entry of this process, such as `THREADKEEPER_INSTANCE=`.
    public var processFields: [(name: String, value: String)]
    public var fallback: (any LogHandler)?

    public init(
        identifier: String? = "threadkeeper", processFields: [(name: String, value: String)] = [],
        fallback: (any LogHandler)? = nil
    ) {
        self.identifier = identifier
        self.processFields = processFields
        self.fallback = fallback
    }

    /// The process fields for the environment: `THREADKEEPER_INSTANCE=` from the variable of that
    /// name, which `threadkeeper@.service` sets to its instance (`%i`); none when it is unset or empty.
    public static func processFields(environment: [String: String]) -> [(name: String, value: String)] {
        guard let instance = environment[JournalFields.instanceField], !instance.isEmpty else { return [] }
        return [(JournalFields.instanceField, instance)]
    }

    public func log(_ entry: LogEntry) {
        do {
            try Self.send(JournalFields.fields(for: entry, identifier: identifier, process: processFields))
        } catch {
            fallback?.log(entry)
        }
    }

    /// Sends one entry made of `fields` (names already valid journal field names).
    ///
    /// sd_journal_sendv(3): "The iovec array … each structure should reference one field of the
    /// entry to submit. The string … should be of the form VARIABLE=value." Values may hold
    /// newlines or binary data: the library switches to the length-prefixed native encoding.
    public static func send(_ fields: [(name: String, value: String)]) throws(JournalError) {
        guard !fields.isEmpty else { throw JournalError(code: EINVAL) }
        // All fields live in one buffer; the iovecs point into it only inside the closures below,
        // so no pointer outlives the storage it points at.
        var buffer: [UInt8] = []
        var ranges: [Range<Int>] = []
        buffer.reserveCapacity(fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 1 })
        for field in fields {
            precondition(JournalFields.isValidFieldName(field.name), "invalid journal field name \(field.name)")
            let start = buffer.count
            buffer.append(contentsOf: field.name.utf8)
            buffer.append(UInt8(ascii: "="))
            buffer.append(contentsOf: field.value.utf8)
            ranges.append(start..<buffer.count)
        }
        let result: Int32 = buffer.withUnsafeMutableBytes { bytes in
            let base = bytes.baseAddress!
            var vectors = ranges.map { iovec(iov_base: base + $0.lowerBound, iov_len: $0.count) }
            return vectors.withUnsafeMutableBufferPointer { iov in
                sd_journal_sendv(iov.baseAddress, Int32(iov.count))
            }
        }
        if result < 0 { throw JournalError(code: -result) }
    }
}

/// The journal refused an entry: `code` is the errno `sd_journal_sendv` returned.
public struct JournalError: Error, CustomStringConvertible, Equatable {
    public var code: Int32

    public init(code: Int32) {
        self.code = code
    }

    public var description: String {
        "cannot send to the journal at '\(JournalSocket.defaultPath)': \(String(cString: strerror(code))); "
            + "use --log-target stderr where journald does not run"
    }
}
