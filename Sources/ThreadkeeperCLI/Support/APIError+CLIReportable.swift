import CommandLineKit
import ThreadsAPI

/// An API error is one line with the call, the server's words and the request id, and a sysexits code.
///
/// The API being unusable (breaker open, key refused, no answer, a redirect away from the
/// configured host) exits 69; a bad configuration or input 65; any other refused call 1.
extension APIError: CLIReportable {
    public var cliMessage: String { description }

    public var exitCode: ExitCode {
        switch kind {
        case .breakerOpen, .transport, .redirect, .deadlineExceeded, .notTheAPI: return .unavailable
        case .unconfirmed: return .failure
        case .http: return isAuthentication ? .unavailable : .failure
        case .configuration, .invalidID, .invalidRequest: return .dataError
        case .malformedResponse: return .unavailable
        }
    }
}

/// A key that cannot be loaded makes the API unavailable: exit 69.
extension APIKeyError: CLIReportable {
    public var cliMessage: String { message }
    public var exitCode: ExitCode { .unavailable }
}
