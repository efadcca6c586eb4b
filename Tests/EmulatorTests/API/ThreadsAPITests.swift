import JSON
import Testing

@testable import Emulator

/// The Threads API, each case run in-process through the router and once over a live socket.
struct ThreadsAPITests {
    static let fixedNow: Int64 = 1_700_000_000
    static func options() -> EmulatorOptions { EmulatorOptions(seedRandom: 9, clock: { ThreadsAPITests.fixedNow }) }

    @Test(arguments: TransportKind.allCases)
    func threadLifecycle(kind: TransportKind) async throws {
        let api = try await APITransport.make(kind, Self.options())
        defer { Task { await api.close() } }
        let (status, created) = try api.json(
            "POST", "/v1/threads",
            body: #"{"messages":[{"role":"user","content":"hello"}],"metadata":{"tag":"support","user":"u1"}}"#)
        #expect(status == 200)
        let id = try #require(created.string("id"))
        #expect(id.hasPrefix("thread_") && id.count == 31)
        #expect(id.dropFirst(7).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        #expect(created.string("object") == "thread")
        #expect(created["created_at"] == .integer(Self.fixedNow))
        #expect(created["metadata"] == .object([("tag", .string("support")), ("user", .string("u1"))]))
        #expect(created["tool_resources"] == .object([]))

        let retrieved = try api.send("GET", "/threads/\(id)")
        #expect(retrieved.status == 200)
        #expect(try JSONParser.parse(retrieved.body) == created)
        #expect(retrieved.header("content-type") == "application/json")
        #expect(retrieved.header("x-ratelimit-limit-requests") != nil)
        #expect(retrieved.header("x-request-id")?.hasPrefix("req_") == true)
        #expect(retrieved.header("x-request-id")?.count == 20)
        #expect(retrieved.header("x-request-id") != created.string("id"))

        let (modifiedStatus, modified) = try api.json("POST", "/threads/\(id)", body: #"{"metadata":{"tag":"sales"}}"#)
        #expect(modifiedStatus == 200)
        #expect(modified["metadata"] == .object([("tag", .string("sales"))]))

        let deleted = try api.send("DELETE", "/v1/threads/\(id)")
        #expect(deleted.status == 200)
        #expect(deleted.text == #"{"id":"\#(id)","object":"thread.deleted","deleted":true}"#)

        let missing = #"{"error":{"message":"No thread found with id '\#(id)'.","type":"invalid_request_error","param":null,"code":null}}"#
        let afterDelete = try api.send("GET", "/threads/\(id)")
        #expect(afterDelete.status == 404)
        #expect(afterDelete.text == missing)
        let secondDelete = try api.send("DELETE", "/threads/\(id)")
        #expect(secondDelete.status == 404)
        #expect(secondDelete.text == missing)
        #expect(try api.send("POST", "/threads/\(id)", body: "{}").status == 404)

        let (_, stats) = try api.json("GET", "/_emulator/stats")
        #expect(stats["threads"]?["deleted"] == .integer(1))
        #expect(stats["threads"]?["repeated_deletes"] == .integer(1))
        #expect(stats["requests"]?["by_method"]?["DELETE"] == .integer(2))
        #expect(stats["requests"]?["by_status"]?["404"] == .integer(3))
    }

    @Test(arguments: TransportKind.allCases)
    func messagesCreateRetrieveModifyDelete(kind: TransportKind) async throws {
        let api = try await APITransport.make(kind, Self.options())
        defer { Task { await api.close() } }
        let thread = try #require(try api.json("POST", "/threads", body: "{}").1.string("id"))
        let (status, message) = try api.json(
            "POST", "/threads/\(thread)/messages",
            body: #"{"role":"user","content":[{"type":"text","text":"part one"}],"metadata":{"k":"v"}}"#)
        #expect(status == 200)
        let id = try #require(message.string("id"))
        #expect(id.hasPrefix("msg_") && id.count == 28)
        #expect(message.string("object") == "thread.message")
        #expect(message.string("thread_id") == thread)
        #expect(message["assistant_id"] == .null)
        #expect(message["run_id"] == .null)
        #expect(message["attachments"] == .array([]))
        #expect(message["status"] == .string("completed"))
        #expect(message["completed_at"] == message["created_at"])
        #expect(message["incomplete_at"] == .null)
        #expect(message["incomplete_details"] == .null)
        let part = JSONValue.object([
            ("type", .string("text")), ("text", .object([("value", .string("part one")), ("annotations", .array([]))])),
        ])
        #expect(message["content"] == .array([part]))
        #expect(try api.json("GET", "/threads/\(thread)/messages/\(id)").1 == message)
        let (_, modified) = try api.json("POST", "/threads/\(thread)/messages/\(id)", body: #"{"metadata":{"k":"w"}}"#)
        #expect(modified["metadata"] == .object([("k", .string("w"))]))
        let deleted = try api.send("DELETE", "/threads/\(thread)/messages/\(id)")
        #expect(deleted.text == #"{"id":"\#(id)","object":"thread.message.deleted","deleted":true}"#)
        let gone = try api.send("GET", "/threads/\(thread)/messages/\(id)")
        #expect(gone.status == 404)
        #expect(try JSONParser.parse(gone.body)["error"]?.string("message") == "No message found with id '\(id)'.")
        #expect(try api.send("GET", "/threads/thread_nope/messages").status == 404)
    }

    @Test(arguments: TransportKind.allCases)
    func messageListPagesWithCursors(kind: TransportKind) async throws {
        let api = try await APITransport.make(kind, Self.options())
        defer { Task { await api.close() } }
        let thread = try #require(try api.json("POST", "/threads", body: "{}").1.string("id"))
        var ids: [String] = []
        for index in 0..<5 {
            let (_, message) = try api.json("POST", "/threads/\(thread)/messages", body: #"{"role":"user","content":"m\#(index)"}"#)
            ids.append(try #require(message.string("id")))
        }
        func page(_ query: String) throws -> (ids: [String], first: JSONValue?, last: JSONValue?, more: JSONValue?) {
            let (status, list) = try api.json("GET", "/v1/threads/\(thread)/messages\(query)")
            #expect(status == 200)
            #expect(list.string("object") == "list")
            guard case .array(let data)? = list["data"] else { return ([], nil, nil, nil) }
            return (data.compactMap { $0.string("id") }, list["first_id"], list["last_id"], list["has_more"])
        }
        let newest = try page("")
        #expect(newest.ids == ids.reversed())
        #expect(newest.more == .bool(false))
        let first = try page("?limit=2")
        #expect(first.ids == [ids[4], ids[3]])
        #expect(first.first == .string(ids[4]))
        #expect(first.last == .string(ids[3]))
        #expect(first.more == .bool(true))
        let second = try page("?limit=2&after=\(ids[3])")
        #expect(second.ids == [ids[2], ids[1]])
        #expect(second.more == .bool(true))
        let third = try page("?limit=2&after=\(ids[1])")
        #expect(third.ids == [ids[0]])
        #expect(third.more == .bool(false))
        let ascending = try page("?order=asc&limit=3")
        #expect(ascending.ids == [ids[0], ids[1], ids[2]])
        // `before` returns the items nearest the cursor, in the requested order.
        let before = try page("?order=asc&limit=2&before=\(ids[4])")
        #expect(before.ids == [ids[2], ids[3]])
        #expect(before.more == .bool(true))
        let between = try page("?order=asc&after=\(ids[0])&before=\(ids[3])")
        #expect(between.ids == [ids[1], ids[2]])
        let empty = try page("?after=\(ids[0])")
        #expect(empty.ids.isEmpty)
        #expect(empty.first == .null)
        #expect(empty.last == .null)
        #expect(try api.send("GET", "/threads/\(thread)/messages?limit=0").status == 400)
        #expect(try api.send("GET", "/threads/\(thread)/messages?limit=101").status == 400)
        #expect(try api.send("GET", "/threads/\(thread)/messages?order=up").status == 400)
    }

    @Test(arguments: TransportKind.allCases)
    func validationErrorsMatchOpenAI(kind: TransportKind) async throws {
        let api = try await APITransport.make(kind, Self.options())
        defer { Task { await api.close() } }
        func error(_ method: String, _ path: String, _ body: String) throws -> (Int, JSONValue) {
            let (status, answer) = try api.json(method, path, body: body)
            return (status, answer["error"] ?? .null)
        }
        let tooMany = "{" + (0..<17).map { #""k\#($0)":"v""# }.joined(separator: ",") + "}"
        let (status, manyKeys) = try error("POST", "/threads", #"{"metadata":\#(tooMany)}"#)
        #expect(status == 400)
        #expect(manyKeys.string("code") == "object_above_max_properties")
        #expect(manyKeys.string("param") == "metadata")
        #expect(manyKeys.string("type") == "invalid_request_error")
        let sixteen = "{" + (0..<16).map { #""k\#($0)":"v""# }.joined(separator: ",") + "}"
        #expect(try api.send("POST", "/threads", body: #"{"metadata":\#(sixteen)}"#).status == 200)

        let longValue = String(repeating: "x", count: 513)
        let (valueStatus, value) = try error("POST", "/threads", #"{"metadata":{"note":"\#(longValue)"}}"#)
        #expect(valueStatus == 400)
        #expect(value.string("code") == "string_above_max_length")
        #expect(value.string("param") == "metadata.note")
        #expect(try api.send("POST", "/threads", body: #"{"metadata":{"note":"\#(longValue.dropLast())"}}"#).status == 200)

        let longKey = String(repeating: "k", count: 65)
        let (keyStatus, key) = try error("POST", "/threads", #"{"metadata":{"\#(longKey)":"v"}}"#)
        #expect(keyStatus == 400)
        #expect(key.string("code") == "string_above_max_length")

        let (jsonStatus, json) = try error("POST", "/threads", "{not json")
        #expect(jsonStatus == 400)
        #expect(json.string("message")?.hasPrefix("We could not parse the JSON body of your request.") == true)
        #expect(json["param"] == .null)
        #expect(json["code"] == .null)

        let (typeStatus, type) = try error("POST", "/threads", #"{"metadata":"tag=x"}"#)
        #expect(typeStatus == 400)
        #expect(type.string("message") == "Invalid type for 'metadata': expected an object, but got a string instead.")
        #expect(type.string("code") == "invalid_type")
        let (nestedStatus, nested) = try error("POST", "/threads", #"{"metadata":{"n":1}}"#)
        #expect(nestedStatus == 400)
        #expect(nested.string("param") == "metadata.n")

        let (unknownStatus, unknown) = try error("POST", "/threads", #"{"metdata":{}}"#)
        #expect(unknownStatus == 400)
        #expect(unknown.string("message") == "Unrecognized request argument supplied: metdata")

        let (roleStatus, role) = try error("POST", "/threads", #"{"messages":[{"content":"x"}]}"#)
        #expect(roleStatus == 400)
        #expect(role.string("param") == "messages[0].role")
        #expect(role.string("code") == "missing_required_parameter")
        let (badRoleStatus, badRole) = try error("POST", "/threads", #"{"messages":[{"role":"system","content":"x"}]}"#)
        #expect(badRoleStatus == 400)
        #expect(badRole.string("code") == "invalid_value")
    }

    @Test(arguments: TransportKind.allCases)
    func unknownRoutesAndMethods(kind: TransportKind) async throws {
        let api = try await APITransport.make(kind, Self.options())
        defer { Task { await api.close() } }
        let unknown = try api.send("GET", "/v1/assistants")
        #expect(unknown.status == 404)
        #expect(
            unknown.text
                == #"{"error":{"message":"Invalid URL (GET /v1/assistants)","type":"invalid_request_error","param":null,"code":null}}"#)
        let wrongMethod = try api.send("PUT", "/threads/thread_x")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("allow") == "GET, POST, DELETE")
        #expect(try api.send("GET", "/threads").status == 405)
        #expect(try api.send("GET", "/threads/").status == 404)
    }

    @Test(arguments: TransportKind.allCases)
    func apiKeyIsRequiredWhenSet(kind: TransportKind) async throws {
        var options = Self.options()
        options.apiKey = "sk-test-secret"
        let api = try await APITransport.make(kind, options)
        defer { Task { await api.close() } }
        let missing = try api.send("POST", "/threads", body: "{}")
        #expect(missing.status == 401)
        #expect(missing.text.contains("You didn't provide an API key."))
        let wrong = try api.send("POST", "/threads", body: "{}", headers: [("Authorization", "Bearer sk-wrong")])
        #expect(wrong.status == 401)
        #expect(try JSONParser.parse(wrong.body)["error"]?.string("code") == "invalid_api_key")
        #expect(!wrong.text.contains("sk-wrong"))
        let right = try api.send("POST", "/threads", body: "{}", headers: [("Authorization", "Bearer sk-test-secret")])
        #expect(right.status == 200)
    }

    @Test(arguments: TransportKind.allCases)
    func bodyOverTheLimitIs413(kind: TransportKind) async throws {
        var options = Self.options()
        options.limits.maxBodyBytes = 100
        let api = try await APITransport.make(kind, options)
        defer { Task { await api.close() } }
        let big = #"{"metadata":{"a":"\#(String(repeating: "x", count: 200))"}}"#
        #expect(try api.send("POST", "/threads", body: big).status == 413)
    }

    @Test(arguments: TransportKind.allCases)
    func seededThreadsAreServedWithMessages(kind: TransportKind) async throws {
        var options = Self.options()
        options.seedCount = 50
        let api = try await APITransport.make(kind, options)
        defer { Task { await api.close() } }
        var store = ThreadStore(seed: 0)
        Seeder.seed(into: &store, count: 50, age: options.seedAge, randomSeed: 9, now: Self.fixedNow)
        let seeded = Array(store.liveThreads)
        #expect(seeded.count == 50)
        let (status, thread) = try api.json("GET", "/threads/\(seeded[10].id)")
        #expect(status == 200)
        #expect(thread["created_at"] == .integer(seeded[10].createdAt))
        let (_, list) = try api.json("GET", "/threads/\(seeded[10].id)/messages?order=asc")
        guard case .array(let data)? = list["data"] else { Issue.record("no data"); return }
        #expect((1...4).contains(data.count))
        #expect(data.first?["created_at"] == .integer(seeded[10].createdAt))
    }

    /// Mutated bodies and paths never crash the router: every answer is a status with a JSON body.
    @Test func fuzzedBodiesAndPathsGetJSONAnswers() {
        var random = SplitMix64(seed: 7)
        var store = ThreadStore(seed: 1)
        let router = ThreadsRouter()
        let bodies = [
            #"{"messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],"metadata":{"a":"b"}}"#,
            #"{"metadata":{"k":"v"},"tool_resources":{"code_interpreter":{"file_ids":[]}}}"#,
            #"{"role":"assistant","content":"\u00e9\ud83d\ude00","attachments":null}"#,
        ].map { Array($0.utf8) }
        let paths = ["/threads", "/v1/threads/thread_x", "/threads/thread_x/messages?limit=3&order=asc", "/threads/t/messages/m"]
        for _ in 0..<3000 {
            var body = bodies[random.below(bodies.count)]
            for _ in 0..<(1 + random.below(3)) {
                let position = random.below(body.count)
                if random.below(2) == 0 {
                    let noise = Array("{}[]\",:0a \u{7f}".utf8)
                    body[position] = noise[random.below(noise.count)]
                } else {
                    body.remove(at: position)
                }
            }
            let method = ["GET", "POST", "DELETE", "PUT"][random.below(4)]
            let request = HTTPRequest(method: method, target: paths[random.below(paths.count)], body: body)
            let response = router.respond(to: request, store: &store, now: 1)
            #expect([200, 400, 404, 405].contains(response.status))
            #expect((try? JSONParser.parse(response.body)) != nil)
        }
    }
}
