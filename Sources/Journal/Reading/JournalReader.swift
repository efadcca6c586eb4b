import CSystemd
import Foundation

/// Reads entries back from the journal with `sd_journal`, newest first.
///
/// Used by `audit --verify` to find the chain head the last run wrote. Only string fields are
/// returned; a field journald stored as binary (or not UTF-8) is skipped.
public enum JournalReader {
    /// Why the journal could not be read.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The newest entry whose fields equal every pair of `matches`, as its fields; nil when none.
    ///
    /// `directory` reads the journal files there (`journalctl --directory`); nil reads the
    /// system and user journals this user may read ("SD_JOURNAL_LOCAL_ONLY": this machine only).
    public static func newestEntry(matching matches: [String: String], directory: String? = nil) throws -> [String: String]? {
        var handle: OpaquePointer?
        let opened =
            directory.map { sd_journal_open_directory(&handle, $0, 0) } ?? sd_journal_open(&handle, Int32(SD_JOURNAL_LOCAL_ONLY))
        guard opened >= 0, let journal = handle else {
            throw Failure(description: "cannot open the journal\(directory.map { " in '\($0)'" } ?? ""): \(errorText(opened))")
        }
        defer { sd_journal_close(journal) }
        // "Matches for different fields are combined with AND" (sd_journal_add_match(3)).
        for (field, value) in matches.sorted(by: { $0.key < $1.key }) {
            let match = Array("\(field)=\(value)".utf8)
            let added = match.withUnsafeBytes { sd_journal_add_match(journal, $0.baseAddress, $0.count) }
            guard added >= 0 else { throw Failure(description: "bad journal match '\(field)': \(errorText(added))") }
        }
        let sought = sd_journal_seek_tail(journal)
        guard sought >= 0 else { throw Failure(description: "cannot seek the journal: \(errorText(sought))") }
        let stepped = sd_journal_previous(journal)
        guard stepped >= 0 else { throw Failure(description: "cannot read the journal: \(errorText(stepped))") }
        guard stepped > 0 else { return nil }
        var fields: [String: String] = [:]
        var data: UnsafeRawPointer?
        var length = 0
        sd_journal_restart_data(journal)
        while sd_journal_enumerate_data(journal, &data, &length) > 0 {
            guard let data else { continue }
            let bytes = UnsafeRawBufferPointer(start: data, count: length)
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { continue }
            guard let name = String(validating: bytes[..<equals], as: UTF8.self),
                let value = String(validating: bytes[(equals + 1)...], as: UTF8.self)
            else { continue }
            fields[name] = value
        }
        return fields
    }

    private static func errorText(_ code: Int32) -> String {
        String(cString: strerror(-code))
    }
}
