import Foundation

/// Why the metrics file could not be written: the path and the system's reason.
public struct MetricsFileError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String

    public var description: String {
        "cannot write the metrics file '\(path)': \(reason); check [Metrics] TextfileDirectory= and that the directory is writable by threadkeeper"
    }
}

/// Writes `threadkeeper.prom` into node_exporter's textfile directory so a scrape never reads
/// half a file.
///
/// node_exporter's textfile collector documentation: "To atomically push completion time for a
/// cron job … echo … > /path/to/directory/metric.prom.$$ ; mv /path/to/directory/metric.prom.$$
/// /path/to/directory/metric.prom". The temporary file sits in the same directory (rename(2)
/// is atomic only within one file system) under a name not ending in `.prom`, so the
/// collector never reads it; it is synced before the rename and the directory after, so a
/// crash leaves the old file or the new one.
public struct MetricsTextfile: Sendable {
    public var directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public var path: String { directory + "/" + PrometheusText.fileName }

    /// Replaces the file with `text`, mode 0644 (the collector runs as another user; the file
    /// holds counts and rule names, nothing secret).
    public func replace(with text: String) throws {
        var template = Array((directory + "/.\(PrometheusText.fileName).XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw failure(path, errno) }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
        }
        do {
            defer { close(descriptor) }
            guard fchmod(descriptor, 0o644) == 0 else { throw failure(temporary, errno) }
            let bytes = Array(text.utf8)
            var written = 0
            while written < bytes.count {
                let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                if result < 0 {
                    if errno == EINTR { continue }
                    throw failure(temporary, errno)
                }
                written += result
            }
            guard fsync(descriptor) == 0 else { throw failure(temporary, errno) }
        }
        guard rename(temporary, path) == 0 else { throw failure(path, errno) }
        renamed = true
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    private func failure(_ path: String, _ code: Int32) -> MetricsFileError {
        MetricsFileError(path: path, reason: String(cString: strerror(code)).lowercased())
    }
}
