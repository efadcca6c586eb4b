import JSON
import Testing

@testable import Emulator

/// The emulator's provider quirks the trust tests need, run in-process and over a live socket.
struct ProviderQuirkTests {
    static func options(_ faults: EmulatorFaults) -> EmulatorOptions {
        EmulatorOptions(seedRandom: 4, faults: faults, clock: { 1_700_000_000 })
    }

    @Test(arguments: TransportKind.allCases)
    func mergeMetadataKeepsKeysTheModifyLeftOut(kind: TransportKind) async throws {
        let api = try await APITransport.make(kind, Self.options(EmulatorFaults(mergesMetadata: true)))
        defer { Task { await api.close() } }
        let (_, created) = try api.json("POST", "/threads", body: #"{"metadata":{"temp":"1","owner":"ops"}}"#)
        let id = try #require(created.string("id"))
        let (status, modified) = try api.json("POST", "/threads/\(id)", body: #"{"metadata":{"owner":"sre"}}"#)
        #expect(status == 200)
        #expect(modified["metadata"] == .object([("temp", .string("1")), ("owner", .string("sre"))]))
    }

    @Test(arguments: TransportKind.allCases)
    func refuseDeletesAnswersDeletedFalseAndKeepsTheThread(kind: TransportKind) async throws {
        let api = try await APITransport.make(kind, Self.options(EmulatorFaults(refusesDeletes: true)))
        defer { Task { await api.close() } }
        let (_, created) = try api.json("POST", "/threads", body: "{}")
        let id = try #require(created.string("id"))
        let deleted = try api.send("DELETE", "/threads/\(id)")
        #expect(deleted.status == 200)
        #expect(deleted.text == #"{"id":"\#(id)","object":"thread.deleted","deleted":false}"#)
        #expect(try api.send("GET", "/threads/\(id)").status == 200)
        #expect(try api.send("DELETE", "/threads/thread_neverexisted000000000").status == 404)
    }

    @Test(arguments: TransportKind.allCases)
    func aWrongPrefixAnswersInvalidURL(kind: TransportKind) async throws {
        let api = try await APITransport.make(kind, Self.options(.none))
        defer { Task { await api.close() } }
        let answer = try api.send("GET", "/wrong/threads/thread_a")
        #expect(answer.status == 404)
        #expect(
            answer.text
                == #"{"error":{"message":"Invalid URL (GET /wrong/threads/thread_a)","type":"invalid_request_error","param":null,"code":null}}"#
        )
    }
}
