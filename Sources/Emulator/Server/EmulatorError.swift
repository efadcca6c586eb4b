import Glibc

/// Why the emulator could not start serving.
public enum EmulatorError: Error, Sendable, CustomStringConvertible, Equatable {
    case badHost(String)
    case socket(operation: String, errno: Int32, address: String)
    case seedFile(path: String, line: Int, reason: String)
    case file(path: String, reason: String)
    case output(path: String, reason: String)
    case state(path: String, reason: String)

    public var description: String {
        switch self {
        case .badHost(let host):
            return "cannot listen on host '\(host)': give an IPv4 or IPv6 address such as 127.0.0.1 or ::1"
        case .socket(let operation, let code, let address):
            return "\(operation) on \(address) failed: \(String(cString: strerror(code)))"
        case .seedFile(let path, let line, let reason):
            return "\(path):\(line): \(reason); each line must be a thread object as the API returns it"
        case .file(let path, let reason):
            return "cannot read '\(path)': \(reason)"
        case .output(let path, let reason):
            return "cannot write '\(path)': \(reason); check the directory exists and is writable"
        case .state(let path, let reason):
            return "state file '\(path)': \(reason)"
        }
    }
}
