import Foundation
import HTTPHelper
import TestSupport
import Testing

@testable import ThreadsAPI

/// URLSession against a misbehaving HTTP peer (a small Python server in a child process, port
/// chosen by the kernel): redirects, resets, oversized and slow answers. Each test body runs
/// twice: with URLSession in this process, and through the `threadkeeper-http` helper that
/// threadkeeper uses, which must answer exactly as URLSession does.
@Suite struct URLSessionTransportTests {
    enum Carrier: String, CaseIterable, CustomTestStringConvertible {
        case inProcess, helper

        func transport() -> any HTTPTransport {
            switch self {
            case .inProcess: return URLSessionTransport()
            case .helper: return HelperTransport()
            }
        }

        var testDescription: String { rawValue }
    }

    static let script = #"""
        import http.server, socketserver, sys, time
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args): pass
            def do_GET(self):
                if self.path.startswith("/redirect"):
                    self.send_response(302)
                    self.send_header("Location", "http://127.0.0.2:9/threads/stolen")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif self.path.startswith("/close"):
                    self.connection.close()
                    self.close_connection = True
                elif self.path.startswith("/big"):
                    body = b"x" * 100000
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                elif self.path.startswith("/wait?"):
                    # /wait?DIR: says it arrived (DIR/arrived), answers once DIR/release exists.
                    import os
                    directory = self.path.split("?", 1)[1]
                    open(os.path.join(directory, "arrived"), "w").close()
                    for _ in range(600):
                        if os.path.exists(os.path.join(directory, "release")): break
                        time.sleep(0.05)
                    self.send_response(200)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")
                elif self.path.startswith("/slow"):
                    time.sleep(3)
                    self.send_response(200)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")
                else:
                    self.send_response(200)
                    auth = self.headers.get("Authorization", "")
                    body = ('{"authorization":"%s","path":"%s"}' % (auth, self.path)).encode()
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
        server = Server(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    /// A running peer; ended by PID when released.
    final class Peer: @unchecked Sendable {
        // @unchecked Sendable: immutable after init.
        let process = Process()
        let port: Int

        init() throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", URLSessionTransportTests.script]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                line.append(chunk)
            }
            guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw TransportError(.other, "the python peer did not start")
            }
            self.port = port
        }

        func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }

        deinit {
            // SIGKILL: the test runner ignores SIGTERM, and a child inherits ignored signals.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    static var hasPython: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") }

    @Test(.enabled(if: hasPython, "needs python3 for the misbehaving peer"), arguments: Carrier.allCases)
    func aRedirectIsReturnedNotFollowed(carrier: Carrier) async throws {
        let peer = try Peer()
        let response = try await carrier.transport().send(
            HTTPRequest(method: "GET", url: peer.url("/redirect"), headers: [("Authorization", "Bearer sk-x")]))
        #expect(response.status == 302)
        #expect(response.headers["location"] == "http://127.0.0.2:9/threads/stolen")
    }

    @Test(.enabled(if: hasPython, "needs python3 for the misbehaving peer"), arguments: Carrier.allCases)
    func aConnectionClosedWithoutAnAnswerIsAReset(carrier: Carrier) async throws {
        let peer = try Peer()
        await #expect {
            _ = try await carrier.transport().send(HTTPRequest(method: "GET", url: peer.url("/close")))
        } throws: { ($0 as? TransportError)?.failure == .connectionReset }
    }

    @Test(.enabled(if: hasPython, "needs python3 for the misbehaving peer"), arguments: Carrier.allCases)
    func anAnswerOverTheCapIsCutOff(carrier: Carrier) async throws {
        let peer = try Peer()
        let transport = carrier.transport()
        await #expect {
            _ = try await transport.send(HTTPRequest(method: "GET", url: peer.url("/big"), maxResponseBytes: 10_000))
        } throws: { ($0 as? TransportError)?.failure == .responseTooLarge }
        let whole = try await transport.send(HTTPRequest(method: "GET", url: peer.url("/big"), maxResponseBytes: 100_000))
        #expect(whole.body.count == 100_000)
    }

    @Test(.enabled(if: hasPython, "needs python3 for the misbehaving peer"), arguments: Carrier.allCases)
    func aSlowAnswerTimesOut(carrier: Carrier) async throws {
        let peer = try Peer()
        await #expect {
            _ = try await carrier.transport().send(HTTPRequest(method: "GET", url: peer.url("/slow"), timeout: 0.5))
        } throws: { ($0 as? TransportError)?.failure == .timedOut }
    }

    @Test(.enabled(if: hasPython, "needs python3 for the misbehaving peer"))
    func theClientSendsTheKeyOnlyAsBearerAndRefusesTheRedirect() async throws {
        let peer = try Peer()
        let client = try ThreadsClient(
            configuration: APIConfiguration(provider: .custom, baseURL: "http://127.0.0.1:\(peer.port)/redirect"),
            key: APIKey("sk-peer-secret"))
        do {
            _ = try await client.retrieveThread("thread_a")
            Issue.record("expected the redirect to be refused")
        } catch let error as APIError {
            #expect(error.kind == .redirect)
            #expect(error.exitCodeIsUnavailable)
            #expect(error.message.contains("'http://127.0.0.2:9/threads/stolen'"))
            #expect(error.attempts == 1)
        }
    }
}

extension APIError {
    fileprivate var exitCodeIsUnavailable: Bool { kind == .redirect && status == 302 }
}
