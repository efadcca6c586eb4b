import Foundation

/// Whether fd 2 is the stream systemd connected to journald for this service.
///
/// systemd.exec(5): "$JOURNAL_STREAM … contains the device and inode numbers of the file
/// descriptor [of stdout/stderr connected to the journal], formatted in decimal, separated by
/// a colon"; it is inherited, so it counts only when fd 2 still is that stream. journald reads
/// a `<N>` prefix on such a line as its syslog priority (`SyslogLevelPrefix=`, on by default):
/// the way a fatal error printed before any logger exists reaches `journalctl -p err`.
public enum JournalStream {
    /// The `<N>` prefix for `priority` when fd 2 is the journal stream, else "".
    public static func prefix(_ priority: Int32, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        standardErrorIsJournal(environment: environment) ? "<\(priority)>" : ""
    }

    /// True when `$JOURNAL_STREAM` names fd 2's device and inode.
    public static func standardErrorIsJournal(environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(STDERR_FILENO, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }
}
