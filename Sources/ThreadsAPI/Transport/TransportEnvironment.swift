import Foundation

/// The process environment as URLSession and libcurl read it, made safe before the first
/// session exists.
///
/// libcurl takes its proxy from `http_proxy`, `HTTPS_PROXY` and `ALL_PROXY` ("libcurl
/// respects the proxy environment variables named http_proxy, ftp_proxy, sftp_proxy etc",
/// CURLOPT_PROXY(3)), and corelibs Foundation has no per-session switch to turn that off
/// (`connectionProxyDictionary` is not read on Linux). A proxy on a plain `http://` base URL
/// would receive `Authorization: Bearer KEY` in clear text, so loopback hosts are put in
/// `no_proxy` ("a comma-separated list of host names that should not go through any proxy",
/// CIDR notation from curl 7.86): the emulator and a local gateway are always reached
/// directly, and `https://` through `HTTPS_PROXY` still works, through a CONNECT tunnel the
/// proxy cannot read. Variables that print request headers (the key among them) or write TLS
/// session secrets are removed.
public enum TransportEnvironment {
    /// `URLSessionDebugLibcurl=1` turns on libcurl's verbose mode, which prints every request
    /// header to stderr; `URLSessionDebug` prints Foundation's own trace; `SSLKEYLOGFILE`
    /// makes libcurl's TLS write the session keys that decrypt the traffic.
    public static let debugVariables = ["URLSessionDebugLibcurl", "URLSessionDebug", "SSLKEYLOGFILE"]

    /// Hosts that never go through a proxy.
    public static let loopbackHosts = ["localhost", "127.0.0.1", "127.0.0.0/8", "::1"]

    /// The variables to set (a value) or remove (nil) so `environment` is safe.
    public static func changes(for environment: [String: String]) -> [(name: String, value: String?)] {
        var changes: [(name: String, value: String?)] = debugVariables.filter { environment[$0] != nil }.map { ($0, nil) }
        // libcurl reads no_proxy first and NO_PROXY only when it is unset: both get the same list.
        let existing = [environment["no_proxy"], environment["NO_PROXY"]].compactMap { $0 }.first { !$0.isEmpty }
        let entries = existing?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        let missing = loopbackHosts.filter { !entries.contains($0) }
        if !missing.isEmpty || environment["no_proxy"] != environment["NO_PROXY"] {
            let list = (missing + entries.filter { !$0.isEmpty }).joined(separator: ",")
            changes.append(("no_proxy", list))
            changes.append(("NO_PROXY", list))
        }
        return changes
    }

    /// Applies `changes(for:)` to this process's environment.
    ///
    /// Call it first thing in `main`, before any thread or URLSession exists: setenv(3) is
    /// not safe beside a thread reading the environment.
    public static func secure() {
        for change in changes(for: ProcessInfo.processInfo.environment) {
            if let value = change.value { setenv(change.name, value, 1) } else { unsetenv(change.name) }
        }
    }
}
