import Foundation

/// Whether journald's native socket answers, the test behind `--log-target auto`.
public enum JournalSocket {
    /// Where `sd_journal_sendv` sends; fixed in libsystemd.
    public static let defaultPath = "/run/systemd/journal/socket"

    /// True when a datagram socket can connect to `path`: connect(2) on a Unix datagram socket
    /// fails with ENOENT when the socket file is missing and ECONNREFUSED when nothing listens.
    public static func isAnswering(path: String = defaultPath) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let bytes = Array(path.utf8)
        guard bytes.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
        }
        return connected == 0
    }
}
