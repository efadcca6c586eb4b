import Testing

@testable import ThreadsAPI

@Suite struct TransportEnvironmentTests {
    func applied(_ environment: [String: String]) -> [String: String] {
        var result = environment
        for change in TransportEnvironment.changes(for: environment) { result[change.name] = change.value }
        return result
    }

    @Test func debugVariablesAreRemoved() {
        let result = applied(["URLSessionDebugLibcurl": "1", "URLSessionDebug": "1", "SSLKEYLOGFILE": "/tmp/k", "HOME": "/root"])
        #expect(result["URLSessionDebugLibcurl"] == nil)
        #expect(result["URLSessionDebug"] == nil)
        #expect(result["SSLKEYLOGFILE"] == nil)
        #expect(result["HOME"] == "/root")
    }

    @Test func loopbackIsNeverProxied() {
        let result = applied(["http_proxy": "http://proxy:3128", "HTTPS_PROXY": "http://proxy:3128"])
        #expect(result["no_proxy"] == "localhost,127.0.0.1,127.0.0.0/8,::1")
        #expect(result["NO_PROXY"] == result["no_proxy"])
        // The proxies themselves stay: https:// to a remote host may need one.
        #expect(result["HTTPS_PROXY"] == "http://proxy:3128")
        #expect(result["http_proxy"] == "http://proxy:3128")
    }

    @Test func anExistingNoProxyListIsKept() {
        let result = applied(["NO_PROXY": "corp.example, localhost"])
        #expect(result["no_proxy"] == "127.0.0.1,127.0.0.0/8,::1,corp.example,localhost")
        #expect(result["NO_PROXY"] == result["no_proxy"])
    }

    @Test func aSafeEnvironmentNeedsNoChange() {
        let safe = applied(["PATH": "/bin"])
        #expect(TransportEnvironment.changes(for: safe).isEmpty)
    }
}
